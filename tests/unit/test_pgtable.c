// LINK: mmsim_mm
/* test_pgtable.c - PTE tables' two host forms (mm/pgtable.h): a run (a base pfn and bit
 * planes) holds what it can and gives back exactly what was stored; the first entry it
 * cannot hold (another pfn, a swap entry, the zero page, a flag outside the planes) makes
 * the table plain once, every value kept; a random mix of stores gives the same 512
 * values as a table plain from the start. Then the fault path itself: sequential write
 * faults build a run, mprotect and MADV_DONTNEED keep it, a refault on recycled pages or
 * a zero-page read makes a table plain, and every entry equals what the same steps give
 * with debug.plain_pte_tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"

#define MIB (1ULL << 20)
#define RWDY (PTE_PRESENT | PTE_WRITE | PTE_DIRTY | PTE_YOUNG)

static pte_t mk(u64 pfn, pte_t flags)
{
	return (pfn << PTE_PFN_SHIFT) | flags;
}

/* every entry of t equals want[] */
static bool same_entries(const struct pte_table *t, const pte_t *want)
{
	for (unsigned i = 0; i < PTRS_PER_PTE; i++)
		if (pte_get(t, i) != want[i])
			return false;
	return true;
}

/* ---- the forms ---- */

static void test_run_keeps_the_low_bits_of_each_entry(void)
{
	/* the byte holds the PTE bits themselves, so a run entry reads back unchanged */
	CHECK_EQ_U64(PTE_PRESENT | PTE_WRITE | PTE_DIRTY | PTE_YOUNG, 0xf);
	CHECK_EQ_U64(PTE_ZERO & PTE_RUN_BITS, 0);
	CHECK_EQ_U64(swp_entry_to_pte(1) & PTE_RUN_BITS, 0);
	struct pte_table *t = pte_table_new(false);
	pte_set(t, 4, mk(104, PTE_PRESENT | PTE_DIRTY));
	pte_set(t, 5, mk(105, PTE_PRESENT | PTE_WRITE | PTE_YOUNG));
	CHECK_EQ_U64(t->run[4], PTE_PRESENT | PTE_DIRTY);
	CHECK_EQ_U64(t->run[5], PTE_PRESENT | PTE_WRITE | PTE_YOUNG);
	CHECK_EQ_U64(t->run[6], 0);
	CHECK_EQ_U64(sizeof(t->run), PTRS_PER_PTE);
	pte_table_destroy(t);
}

static void test_new_table_is_an_empty_run(void)
{
	struct pte_table *t = pte_table_new(false);
	CHECK(pte_table_is_run(t));
	CHECK_EQ_U64(t->run_base, PTE_RUN_NOBASE);
	for (unsigned i = 0; i < PTRS_PER_PTE; i++)
		CHECK_EQ_U64(pte_get(t, i), 0);
	pte_table_destroy(t);
	t = pte_table_new(true);
	CHECK(!pte_table_is_run(t));
	CHECK_EQ_U64(pte_get(t, 511), 0);
	pte_table_destroy(t);
}

static void test_run_holds_pfn_base_plus_index_with_any_plane_flags(void)
{
	struct pte_table *t = pte_table_new(false);
	pte_t want[PTRS_PER_PTE] = { 0 };
	/* the first present entry sets the base: pfn 1000 at index 7 -> base 993 */
	for (unsigned i = 7; i < PTRS_PER_PTE; i += 3) {
		pte_t fl = PTE_PRESENT | (i & 1 ? PTE_WRITE : 0) | (i & 2 ? PTE_DIRTY : 0) |
			   (i & 4 ? PTE_YOUNG : 0);
		want[i] = mk(993 + i, fl);
		pte_set(t, i, want[i]);
	}
	CHECK(pte_table_is_run(t));
	CHECK_EQ_U64(t->run_base, 993);
	CHECK(same_entries(t, want));
	CHECK_EQ_U64(pte_get(t, 7), mk(1000, PTE_PRESENT | PTE_WRITE | PTE_DIRTY | PTE_YOUNG));
	CHECK_EQ_U64(pte_get(t, 10), mk(1003, PTE_PRESENT | PTE_DIRTY));
	CHECK_EQ_U64(pte_get(t, 8), 0);
	/* flag updates on present entries stay in the planes */
	pte_clear_flags(t, 7, PTE_WRITE | PTE_YOUNG);
	pte_set_flags(t, 10, PTE_YOUNG);
	want[7] &= ~(PTE_WRITE | PTE_YOUNG);
	want[10] |= PTE_YOUNG;
	pte_clear_flags(t, 13, PTE_ZERO);            /* not set: nothing to clear */
	CHECK(pte_table_is_run(t));
	CHECK(same_entries(t, want));
	/* the same entry stored again with other flags */
	want[13] = mk(993 + 13, PTE_PRESENT);
	pte_set(t, 13, want[13]);
	CHECK(pte_table_is_run(t));
	CHECK(same_entries(t, want));
	pte_table_destroy(t);
}

static void test_run_base_wraps_below_pfn_zero_and_stays(void)
{
	struct pte_table *t = pte_table_new(false);
	/* pfn 3 at index 10: the base is 3 - 10 (mod 2^64), pfn 0 at index 7 fits it */
	pte_set(t, 10, mk(3, RWDY));
	pte_set(t, 7, mk(0, PTE_PRESENT));
	CHECK(pte_table_is_run(t));
	CHECK_EQ_U64(t->run_base, (u64)3 - 10);
	CHECK_EQ_U64(pte_get(t, 10), mk(3, RWDY));
	CHECK_EQ_U64(pte_get(t, 7), mk(0, PTE_PRESENT));
	/* emptied, the run keeps its base: an entry of it still fits, another pfn not */
	pte_clear(t, 10);
	pte_clear(t, 10);                            /* none already */
	pte_clear(t, 7);
	CHECK_EQ_U64(pte_get(t, 7), 0);
	CHECK_EQ_U64(pte_get(t, 10), 0);
	pte_set(t, 20, mk(13, PTE_PRESENT | PTE_WRITE));
	CHECK(pte_table_is_run(t));
	CHECK_EQ_U64(pte_get(t, 20), mk(13, PTE_PRESENT | PTE_WRITE));
	pte_set(t, 100, mk(500000, RWDY));
	CHECK(!pte_table_is_run(t));
	CHECK_EQ_U64(pte_get(t, 100), mk(500000, RWDY));
	CHECK_EQ_U64(pte_get(t, 20), mk(13, PTE_PRESENT | PTE_WRITE));
	CHECK_EQ_U64(pte_get(t, 7), 0);
	pte_table_destroy(t);
}

/* A run with 300 present entries, then breaker stored at index at: the table is plain,
 * every earlier value kept and the breaker stored; later run-like stores stay plain. */
static void check_breaker(pte_t breaker, unsigned at)
{
	struct pte_table *t = pte_table_new(false);
	pte_t want[PTRS_PER_PTE] = { 0 };
	for (unsigned i = 0; i < 300; i++) {
		want[i] = mk(4096 + i, i % 5 ? RWDY : PTE_PRESENT | PTE_YOUNG);
		pte_set(t, i, want[i]);
	}
	CHECK(pte_table_is_run(t));
	want[at] = breaker;
	pte_set(t, at, breaker);
	CHECK(!pte_table_is_run(t));
	CHECK(same_entries(t, want));
	CHECK_EQ_U64(t->run_base, PTE_RUN_NOBASE);   /* the run's state is gone */
	CHECK_EQ_U64(t->run[0], 0);
	want[400] = mk(4096 + 400, RWDY);           /* fits the old run: stays plain */
	pte_set(t, 400, want[400]);
	CHECK(!pte_table_is_run(t));
	CHECK(same_entries(t, want));
	pte_table_destroy(t);
}

static void test_first_entry_a_run_cannot_hold_makes_the_table_plain(void)
{
	check_breaker(mk(77, RWDY), 5);                            /* another pfn */
	check_breaker(mk(4096 + 310, RWDY), 300);                  /* off by ten */
	check_breaker(swp_entry_to_pte(12), 42);                   /* a swap entry */
	check_breaker(PTE_PRESENT | PTE_ZERO | PTE_YOUNG, 301);    /* the zero page */
	check_breaker(mk(4096 + 9, PTE_PRESENT | 0x40), 9);        /* a flag outside the planes */
	check_breaker(PTE_YOUNG, 350);                             /* flags without present */
	/* a flag update that a run cannot hold: young on an empty entry (as a plain table
	 * ORs it in) */
	struct pte_table *t = pte_table_new(false);
	pte_set(t, 0, mk(9, RWDY));
	pte_set_flags(t, 1, PTE_YOUNG);
	CHECK(!pte_table_is_run(t));
	CHECK_EQ_U64(pte_get(t, 1), PTE_YOUNG);
	CHECK_EQ_U64(pte_get(t, 0), mk(9, RWDY));
	pte_table_destroy(t);
	/* the plain array asked for directly */
	t = pte_table_new(false);
	pte_set(t, 3, mk(1003, PTE_PRESENT | PTE_DIRTY));
	pte_t *a = pte_table_plain(t);
	CHECK(!pte_table_is_run(t));
	CHECK_EQ_U64(a[3], mk(1003, PTE_PRESENT | PTE_DIRTY));
	CHECK_EQ_U64(a[4], 0);
	CHECK(pte_table_plain(t) == a);
	pte_table_destroy(t);
}

static void test_access_sets_young_and_dirty_in_both_forms(void)
{
	for (int plain = 0; plain < 2; plain++) {
		struct pte_table *t = pte_table_new(plain);
		u64 pfn = 0;
		pte_set(t, 20, mk(220, PTE_PRESENT));              /* read-only, old */
		CHECK(!pte_access(t, 21, false, &pfn));           /* none */
		CHECK(!pte_access(t, 20, true, &pfn));            /* store to read-only */
		CHECK_EQ_U64(pte_get(t, 20), mk(220, PTE_PRESENT));
		CHECK(pte_access(t, 20, false, &pfn));
		CHECK_EQ_U64(pfn, 220);
		CHECK_EQ_U64(pte_get(t, 20), mk(220, PTE_PRESENT | PTE_YOUNG));
		pte_set_flags(t, 20, PTE_WRITE);
		CHECK(pte_access(t, 20, true, &pfn));
		CHECK_EQ_U64(pte_get(t, 20), mk(220, RWDY));
		CHECK_EQ_U64(pte_table_is_run(t), !plain);
		pte_set(t, 30, PTE_PRESENT | PTE_ZERO);
		CHECK(pte_access(t, 30, false, &pfn));
		CHECK_EQ_U64(pfn, PTE_ACCESS_ZERO);
		CHECK_EQ_U64(pte_get(t, 30), PTE_PRESENT | PTE_ZERO | PTE_YOUNG);
		pte_table_destroy(t);
	}
}

/* 20,000 random stores and flag updates (most of them run-like, 1 in 2,000 not) on a
 * run table and on a plain one: the same 512 values after every step. */
static void test_random_stores_match_a_plain_table(void)
{
	u64 x = 88172645463325252ULL;
	unsigned conversions = 0, mismatches = 0;
	for (int round = 0; round < 4; round++) {
		struct pte_table *r = pte_table_new(false), *p = pte_table_new(true);
		u64 base = 1000 * (u64)round + 17;
		for (int step = 0; step < 5000; step++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			unsigned i = (unsigned)(x % PTRS_PER_PTE);
			unsigned op = (unsigned)((x >> 20) % 8);
			pte_t fl = PTE_PRESENT | ((x >> 30) & (PTE_WRITE | PTE_DIRTY | PTE_YOUNG));
			bool odd = (x >> 40) % 2000 == 0;
			bool was_run = pte_table_is_run(r);
			switch (op) {
			case 0: case 1: case 2:
				pte_set(r, i, mk(base + i + (odd ? 1 : 0), fl));
				pte_set(p, i, mk(base + i + (odd ? 1 : 0), fl));
				break;
			case 3:
				pte_clear(r, i);
				pte_clear(p, i);
				break;
			case 4:
				pte_set_flags(r, i, fl & ~PTE_PRESENT);
				pte_set_flags(p, i, fl & ~PTE_PRESENT);
				break;
			case 5:
				pte_clear_flags(r, i, fl & ~PTE_PRESENT);
				pte_clear_flags(p, i, fl & ~PTE_PRESENT);
				break;
			default: {
				u64 a = 0, b = 0;
				bool w = (x >> 50) & 1;
				bool ra = pte_access(r, i, w, &a), pa = pte_access(p, i, w, &b);
				mismatches += ra != pa || (ra && a != b);
			}
			}
			conversions += was_run && !pte_table_is_run(r);
			for (unsigned k = 0; k < PTRS_PER_PTE; k++)
				mismatches += pte_get(r, k) != pte_get(p, k);
		}
		pte_table_destroy(r);
		pte_table_destroy(p);
	}
	CHECK_EQ_U64(mismatches, 0);
	/* flags on empty entries (ops 4) or a shifted pfn convert a table in each round */
	CHECK_EQ_U64(conversions, 4);
}

/* ---- the fault path ---- */

#define BASE 0x40000000ULL

static struct scenario scn;
static struct sim sim;
/* every entry of the two tables at each checkpoint, and their forms (run?); each mode
 * runs in its own child (one engine per process) and leaves them in a file */
#define NCHECK 5
struct snap {
	pte_t pte[NCHECK][2][PTRS_PER_PTE];
	bool run[NCHECK][2];
};
static struct snap snap;
static char snap_path[2][64];

static void snapshot(struct mm_struct *mm, unsigned k)
{
	for (unsigned j = 0; j < 2; j++) {
		struct pmd_slot *s = pmd_lookup(mm, BASE + j * PMD_SIZE);
		if (!s || s->kind != PMD_TABLE)
			continue;
		for (unsigned i = 0; i < PTRS_PER_PTE; i++)
			snap.pte[k][j][i] = pte_get(s->table, i);
		snap.run[k][j] = pte_table_is_run(s->table);
	}
}

static void fault_body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(&sim, 1, 0);
	CHECK_EQ_S64(vm_mmap(tsk, mm, BASE, 4 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)BASE);
	/* 512 write faults in address order on a fresh buddy: pfns in order */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE, PMD_SIZE, true), 512);
	struct pte_table *t = pmd_lookup(mm, BASE)->table;
	CHECK_EQ_U64(t->nr_present, 512);
	u64 first = pte_pfn(pte_get(t, 0));
	unsigned in_order = 0;
	for (unsigned i = 0; i < PTRS_PER_PTE; i++)
		in_order += pte_get(t, i) == mk(first + i, RWDY);
	CHECK_EQ_U64(in_order, 512);
	snapshot(mm, 0);
	/* read-only and back: the write bits go and come back (dirty exclusive pages) */
	CHECK_EQ_S64(vm_mprotect(tsk, mm, BASE, PMD_SIZE, PROT_READ), 0);
	CHECK_EQ_U64(pte_get(t, 100), mk(first + 100, PTE_PRESENT | PTE_DIRTY | PTE_YOUNG));
	snapshot(mm, 1);
	CHECK_EQ_S64(vm_mprotect(tsk, mm, BASE, PMD_SIZE, PROT_READ | PROT_WRITE), 0);
	/* the upper half zapped, then faulted again: the freed pages come back from the
	 * per-CPU list last freed first, not at base + index */
	bool modelled;
	CHECK_EQ_S64(vm_madvise(tsk, mm, BASE + MIB, MIB, MADV_DONTNEED, &modelled), 0);
	CHECK_EQ_U64(t->nr_present, 256);
	CHECK_EQ_U64(pte_get(t, 256), 0);
	snapshot(mm, 2);
	CHECK_EQ_S64(touch_range(tsk, mm, BASE + MIB, MIB, true), 256);
	CHECK(pte_get(t, 256) != mk(first + 256, RWDY));
	snapshot(mm, 3);
	/* a read fault maps the zero page */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE + PMD_SIZE, PAGE_SIZE, false), 1);
	CHECK_EQ_U64(pte_get(pmd_lookup(mm, BASE + PMD_SIZE)->table, 0),
		     PTE_PRESENT | PTE_ZERO | PTE_YOUNG);
	snapshot(mm, 4);
	char msg[256] = "";
	CHECK_EQ_S64(check_mm(&sim, mm, msg, sizeof(msg)), 0);
	if (msg[0])
		fprintf(stderr, "  check_mm: %s\n", msg);
	mmput(tsk, mm);
}

static void run_faults(bool plain)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = 1;
	scn.machine.cpus_per_node = 1;
	scn.machine.memory_per_node = 64 * MIB;
	scn.machine.node_memory[0] = 64 * MIB;
	scn.machine.distance[0][0] = 10;
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.thp.enabled = THP_NEVER;
	scn.kernel.plain_pte_tables = plain;
	scn.costs.local_access_ns = 80;
	scn.costs.zero_4k_ns = 250;
	scn.costs.copy_4k_ns = 350;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 1);
	sim.rmap = rmap_create(&sim);
	lru_create(&sim);
	memset(&snap, 0, sizeof(snap));
	engine_spawn(sim.eng, "test", 0, false, 0, fault_body, NULL, NULL);
	engine_run(sim.eng, 0);
	lru_destroy(sim.lru);
	rmap_destroy(sim.rmap);
	simcore_destroy(&sim);
	FILE *f = fopen(snap_path[plain], "wb");
	CHECK(f && fwrite(&snap, sizeof(snap), 1, f) == 1);
	if (f)
		fclose(f);
}

static void test_faults_with_runs(void)
{
	run_faults(false);
}

static void test_faults_with_plain_tables(void)
{
	run_faults(true);
}

static bool load(unsigned plain, struct snap *out)
{
	FILE *f = fopen(snap_path[plain], "rb");
	bool ok = f && fread(out, sizeof(*out), 1, f) == 1;
	if (f)
		fclose(f);
	remove(snap_path[plain]);
	return ok;
}

static void test_faults_build_runs_and_give_the_plain_values(void)
{
	static struct snap r, p;
	CHECK(load(0, &r));
	CHECK(load(1, &p));
	/* runs: the table after the faults, mprotect and the zap; plain after the refault;
	 * the zero-page table plain from its first entry */
	CHECK(r.run[0][0] && r.run[1][0] && r.run[2][0]);
	CHECK(!r.run[3][0]);
	CHECK(!r.run[4][1]);
	/* debug.plain_pte_tables: never a run */
	unsigned runs = 0;
	for (unsigned k = 0; k < NCHECK; k++)
		runs += p.run[k][0] + p.run[k][1];
	CHECK_EQ_U64(runs, 0);
	/* the same entries either way, and something was recorded */
	CHECK(memcmp(r.pte, p.pte, sizeof(r.pte)) == 0);
	CHECK_EQ_U64(r.pte[0][0][5] & PTE_LOW_MASK, RWDY);
}

int main(void)
{
	RUN_TEST(test_new_table_is_an_empty_run);
	RUN_TEST(test_run_keeps_the_low_bits_of_each_entry);
	RUN_TEST(test_run_holds_pfn_base_plus_index_with_any_plane_flags);
	RUN_TEST(test_run_base_wraps_below_pfn_zero_and_stays);
	RUN_TEST(test_first_entry_a_run_cannot_hold_makes_the_table_plain);
	RUN_TEST(test_access_sets_young_and_dirty_in_both_forms);
	RUN_TEST(test_random_stores_match_a_plain_table);
	for (unsigned m = 0; m < 2; m++)
		snprintf(snap_path[m], sizeof(snap_path[m]), "/tmp/test_pgtable.%ld.%u",
			 (long)getpid(), m);
	SIMTEST(test_faults_with_runs);
	SIMTEST(test_faults_with_plain_tables);
	RUN_TEST(test_faults_build_runs_and_give_the_plain_values);
	return check_summary();
}
