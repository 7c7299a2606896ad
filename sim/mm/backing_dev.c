/* backing_dev.c - requests to the block device of regular files. See backing_dev.h. */
#include "engine/engine.h"
#include "engine/task.h"
#include "mm/backing_dev.h"
#include "mm/vmstat.h"

void bdev_submit_write(struct task *tsk, u64 nr_pages)
{
	if (!nr_pages)
		return;
	count_vm_events(tsk, PGPGOUT, nr_pages * (PAGE_SIZE >> 10));
	task_bdev_io(tsk, true, nr_pages << PAGE_SHIFT);
}

void bdev_submit_read(struct task *tsk, u64 nr_pages)
{
	if (!nr_pages)
		return;
	count_vm_events(tsk, PGPGIN, nr_pages * (PAGE_SIZE >> 10));
	task_bdev_io(tsk, false, nr_pages << PAGE_SHIFT);
}
