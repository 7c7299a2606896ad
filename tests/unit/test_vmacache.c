// LINK: mmsim_mm
/* test_vmacache.c - find_vma's cache (sim/mm/mmap.c): an mm with 64 VMAs of 1 MiB uses
 * it (its slot holds the VMA found), and every answer equals the binary search's while
 * VMAs are unmapped (no freed VMA comes back), split by mprotect and merged again.
 * find_vma is deterministic either way; this test checks the cache itself. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "mm/mmap.h"
#include "mm/mm_types.h"
#include "mm/rmap.h"
#include "mm/swap.h"

#define MIB (1ULL << 20)
#define BASE 0x40000000ULL
#define NR 64

static struct scenario scn;
static struct sim sim;

/* The VMA holding addr by a walk of vmas[] (what find_vma must answer), or NULL. */
static struct vm_area_struct *walk(struct mm_struct *mm, u64 addr)
{
	for (u32 i = 0; i < mm->nr_vmas; i++)
		if (mm->vmas[i]->vm_start <= addr && addr < mm->vmas[i]->vm_end)
			return mm->vmas[i];
	return NULL;
}

/* Slots that hold a VMA no longer in vmas[] (pointers compared, never followed). */
static unsigned stale_slots(struct mm_struct *mm)
{
	unsigned n = 0;
	for (u32 s = 0; s < 1024; s++) {
		const struct vm_area_struct *c = mm->vmacache[s];
		if (!c)
			continue;
		bool linked = false;
		for (u32 i = 0; i < mm->nr_vmas; i++)
			linked |= mm->vmas[i] == c;
		n += !linked;
	}
	return n;
}

/* Look every 256 KiB of the range up twice (a fill, then a hit); count the mismatches. */
static unsigned mismatches(struct mm_struct *mm)
{
	unsigned bad = 0;
	for (int pass = 0; pass < 2; pass++)
		for (u64 a = BASE - MIB; a < BASE + (NR + 1) * MIB; a += MIB / 4)
			bad += vma_lookup(mm, a) != walk(mm, a);
	return bad;
}

static void body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(&sim, 1, 0);
	for (u64 i = 0; i < NR; i++)
		/* alternate protections: adjacent VMAs do not merge */
		CHECK_EQ_S64(vm_mmap(tsk, mm, BASE + i * MIB, MIB,
				     i & 1 ? PROT_READ : PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)(BASE + i * MIB));
	CHECK_EQ_U64(mm->nr_vmas, NR);
	CHECK_EQ_U64(mismatches(mm), 0);
	/* the cache is used: the slot of VMA 5's MiB holds it */
	CHECK_EQ_U64(mm->vmacache != NULL, 1);
	struct vm_area_struct *v5 = vma_lookup(mm, BASE + 5 * MIB + 4096);
	CHECK_EQ_U64(v5->vm_start, BASE + 5 * MIB);
	u64 g = (BASE + 5 * MIB) >> 20;
	CHECK_EQ_U64(mm->vmacache[(g ^ (g >> 10) ^ (g >> 20)) % 1024] == v5, 1);
	/* unmap every third VMA: their lookups now find nothing */
	for (u64 i = 0; i < NR; i += 3)
		CHECK_EQ_S64(vm_munmap(tsk, mm, BASE + i * MIB, MIB), 0);
	CHECK_EQ_U64(mm->nr_vmas, NR - 22);
	CHECK_EQ_U64(stale_slots(mm), 0);
	CHECK_EQ_U64(mismatches(mm), 0);
	CHECK_EQ_U64(vma_lookup(mm, BASE + 3 * MIB) == NULL, 1);
	/* split VMA 4 in place (mprotect of its upper half), then merge its halves again */
	CHECK_EQ_S64(vm_mprotect(tsk, mm, BASE + 4 * MIB + MIB / 2, MIB / 2, PROT_READ), 0);
	CHECK_EQ_U64(mismatches(mm), 0);
	CHECK_EQ_U64(mm->nr_vmas, NR - 21);
	CHECK_EQ_U64(stale_slots(mm), 0);
	CHECK_EQ_S64(vm_mprotect(tsk, mm, BASE + 4 * MIB, MIB / 2, PROT_READ), 0);
	CHECK_EQ_U64(mismatches(mm), 0);
	struct vm_area_struct *m = vma_lookup(mm, BASE + 4 * MIB);
	CHECK_EQ_U64(m->vm_start, BASE + 4 * MIB);
	CHECK_EQ_U64(m->vm_end, BASE + 5 * MIB);   /* one VMA again (VM_ACCOUNT keeps 5 apart) */
	CHECK_EQ_U64(mm->nr_vmas, NR - 22);
	CHECK_EQ_U64(stale_slots(mm), 0);
	mmput(tsk, mm);
}

static void test_find_vma_cache_matches_the_search(void)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = 1;
	scn.machine.cpus_per_node = 1;
	scn.machine.memory_per_node = 16 * MIB;
	scn.machine.node_memory[0] = 16 * MIB;
	scn.machine.distance[0][0] = 10;
	scn.kernel.vm.watermark_scale_factor = 10;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 1);
	sim.rmap = rmap_create(&sim);
	lru_create(&sim);
	engine_spawn(sim.eng, "test", 0, false, 0, body, NULL, NULL);
	engine_run(sim.eng, 0);
	lru_destroy(sim.lru);
	rmap_destroy(sim.rmap);
	simcore_destroy(&sim);
}

int main(void)
{
	SIMTEST(test_find_vma_cache_matches_the_search);
	return check_summary();
}
