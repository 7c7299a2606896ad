// LINK: mmsim_mm
/* test_writeback.c - the dirty limits (global_dirtyable_memory, domain_dirty_limits) and
 * the throttling formula of balance_dirty_pages (mm/writeback.h) against hand-worked
 * figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sim.h"
#include "config/scenario.h"
#include "mm/mmzone.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"

/* One node: 100000 free pages, 1000 reserved (totalreserve_pages), 20000 inactive and
 * 5000 active file pages: dirtyable = 99000 + 25000 + 1 = 124001 pages. */
static void setup(struct sim *sim, struct scenario *scn, struct phys_mem *pm,
		  struct pglist_data *pgdat)
{
	memset(sim, 0, sizeof(*sim));
	memset(scn, 0, sizeof(*scn));
	memset(pm, 0, sizeof(*pm));
	memset(pgdat, 0, sizeof(*pgdat));
	scn->kernel.vm.dirty_ratio = 20;
	scn->kernel.vm.dirty_background_ratio = 10;
	scn->kernel.vm.dirty_expire_cs = 3000;
	scn->kernel.vm.dirty_writeback_cs = 500;
	scn->machine.bdi.write_bw = 4 << 20;
	sim->scn = scn;
	sim->vmstat = vmstat_create(1);
	pm->nr_nodes = 1;
	pm->node_data[0] = pgdat;
	pgdat->totalreserve_pages = 1000;
	sim->phys = pm;
	__mod_node_state(sim->vmstat, 0, NR_FREE_PAGES, 100000);
	__mod_node_state(sim->vmstat, 0, NR_INACTIVE_FILE, 20000);
	__mod_node_state(sim->vmstat, 0, NR_ACTIVE_FILE, 5000);
	writeback_create(sim);
}

static void teardown(struct sim *sim)
{
	writeback_destroy(sim->writeback);
	vmstat_destroy(sim->vmstat);
}

/* dirty_ratio 20 -> 20 * 4096 / 100 = 819 (per 4096), background 10 -> 409:
 * thresh = 819 * 124001 / 4096 = 24794, bg = 409 * 124001 / 4096 = 12381,
 * freerun = (24794 + 12381) / 2 = 18587. */
static void test_ratio_limits_over_dirtyable_memory(void)
{
	struct sim sim;
	struct scenario scn;
	struct phys_mem pm;
	struct pglist_data pgdat;
	struct dirty_limits dl;
	setup(&sim, &scn, &pm, &pgdat);
	global_dirty_limits(&sim, &dl);
	CHECK_EQ_U64(dl.dirtyable, 124001);
	CHECK_EQ_U64(dl.thresh, 24794);
	CHECK_EQ_U64(dl.bg_thresh, 12381);
	CHECK_EQ_U64(dl.freerun, 18587);
	teardown(&sim);
}

/* vm.dirty_bytes = 10 MiB + 1: thresh = DIV_ROUND_UP(10485761, 4096) = 2561; the ratio's
 * bg (12381) is not below it: bg = 2561 / 2 = 1280; freerun = (2561 + 1280) / 2 = 1920.
 * Anonymous memory is not dirtyable: 50000 anon pages change nothing; 20000 more free
 * pages raise the ratio limits (dirtyable 144001: 819 * 144001 / 4096 = 28793). */
static void test_bytes_override_and_bg_halved(void)
{
	struct sim sim;
	struct scenario scn;
	struct phys_mem pm;
	struct pglist_data pgdat;
	struct dirty_limits dl;
	setup(&sim, &scn, &pm, &pgdat);
	scn.kernel.vm.dirty_bytes = (10 << 20) + 1;
	writeback_destroy(sim.writeback);
	writeback_create(&sim);
	global_dirty_limits(&sim, &dl);
	CHECK_EQ_U64(dl.thresh, 2561);
	CHECK_EQ_U64(dl.bg_thresh, 1280);
	CHECK_EQ_U64(dl.freerun, 1920);
	teardown(&sim);

	setup(&sim, &scn, &pm, &pgdat);
	__mod_node_state(sim.vmstat, 0, NR_ANON_MAPPED, 50000);
	__mod_node_state(sim.vmstat, 0, NR_ACTIVE_ANON, 50000);
	global_dirty_limits(&sim, &dl);
	CHECK_EQ_U64(dl.thresh, 24794);
	__mod_node_state(sim.vmstat, 0, NR_FREE_PAGES, 20000);
	global_dirty_limits(&sim, &dl);
	CHECK_EQ_U64(dl.dirtyable, 144001);
	CHECK_EQ_U64(dl.thresh, 28793);
	teardown(&sim);
}

/* thresh 1024, bg 512: freerun 768, setpoint 896, limit - setpoint = 128 (| 1 = 129); a
 * device of 1024 pages/s, a writer that dirtied 32 pages:
 *	dirty 768 (freerun): no pause;
 *	dirty 896 (setpoint): pos_ratio 1024 (1.0), 32 pages at 1024/s = 31250000 ns;
 *	dirty 832: x = 64 * 1024 / 129 = 508, x^2 >> 10 = 252, * x >> 10 = 125, pos 1149:
 *		32e9 / 1149 = 27850304 ns;
 *	dirty 960: x = -508, 252, 252 * -508 >> 10 = -126 (floor), pos 898: 35634743 ns;
 *	dirty 1024 (the limit) and above: pos 0, MAX_PAUSE 200 ms;
 *	a 512-page batch at the setpoint: 500 ms, cut to 200 ms. */
static void test_pause_follows_the_control_line(void)
{
	struct dirty_limits dl = { .dirtyable = 10000, .thresh = 1024, .bg_thresh = 512, .freerun = 768 };
	u64 pos;
	CHECK_EQ_U64(bdp_pause_ns(768, &dl, 1024, 32, &pos), 0);
	CHECK_EQ_U64(pos, 1024);
	CHECK_EQ_U64(bdp_pause_ns(896, &dl, 1024, 32, &pos), 31250000);
	CHECK_EQ_U64(pos, 1024);
	CHECK_EQ_U64(bdp_pause_ns(832, &dl, 1024, 32, &pos), 27850304);
	CHECK_EQ_U64(pos, 1149);
	CHECK_EQ_U64(bdp_pause_ns(960, &dl, 1024, 32, &pos), 35634743);
	CHECK_EQ_U64(pos, 898);
	CHECK_EQ_U64(bdp_pause_ns(1024, &dl, 1024, 32, &pos), 200000000);
	CHECK_EQ_U64(pos, 0);
	CHECK_EQ_U64(bdp_pause_ns(5000, &dl, 1024, 32, &pos), 200000000);
	CHECK_EQ_U64(bdp_pause_ns(896, &dl, 1024, 512, &pos), 200000000);
}

int main(void)
{
	RUN_TEST(test_ratio_limits_over_dirtyable_memory);
	RUN_TEST(test_bytes_override_and_bg_halved);
	RUN_TEST(test_pause_follows_the_control_line);
	return check_summary();
}
