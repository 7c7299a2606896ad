// LINK: mmsim_mm
/* test_slab.c - the SLUB model against hand-worked cases on a 16 MiB node (4096 pages,
 * 8 pageblocks, all MOVABLE and free as four order-10 blocks at boot): a slab page is
 * freed only when its last object goes and only beyond min_partial partial slabs; the
 * first RECLAIMABLE slab page steals a whole MOVABLE order-10 block (two pageblocks
 * relabelled, exact pagetypeinfo rows); /proc/slabinfo and meminfo; the order fallback;
 * and the two-phase defragmentation protocol refusing a slab with one busy object and
 * freeing it when every object can go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lockstat.h"
#include "mm/filemap.h"
#include "mm/page_alloc.h"
#include "mm/procfs.h"
#include "mm/slab.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)

static struct scenario scn;
static struct sim sim;

static void setup_variant(unsigned movable)
{
	memset(&scn, 0, sizeof(scn));
	scn.variants.slab_movable = movable;
	scn.kernel.slab.defrag_object_ns = 500;
	scn.seed = 1;
	scn.machine.nr_nodes = 1;
	scn.machine.cpus_per_node = 2;
	scn.machine.memory_per_node = 16 * MIB;
	scn.machine.node_memory[0] = 16 * MIB;
	scn.machine.distance[0][0] = 10;
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.vm.extfrag_threshold = 500;
	scn.kernel.thp.enabled = THP_NEVER;
	scn.costs.page_alloc_ns = 10;
	scn.costs.local_access_ns = 80;
	scn.costs.atomic_local_ns = 20;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 1);
	slab_create(&sim);
}

static void setup(void)
{
	setup_variant(SLAB_MOVABLE_NONE);
}

static void teardown(void)
{
	slab_destroy(sim.slab);
	simcore_destroy(&sim);
}

static s64 vm(enum vm_item i)
{
	return global_vm_state(sim.vmstat, i);
}

static void check_invariants(void)
{
	char msg[256] = "";
	int rc = check_slab(&sim, msg, sizeof(msg));
	CHECK_EQ_S64(rc, 0);
	if (rc)
		fprintf(stderr, "  slab invariant: %s\n", msg);
	rc = check_phys_mem(sim.phys, true, msg, sizeof(msg));
	CHECK_EQ_S64(rc, 0);
	if (rc)
		fprintf(stderr, "  buddy invariant: %s\n", msg);
}

/* One line of a /proc writer's output that starts with prefix (static buffer). */
static const char *line_of(void (*w)(FILE *), const char *prefix)
{
	static char line[512];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	w(f);
	fclose(f);
	line[0] = 0;
	for (char *p = buf; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!strncmp(p, prefix, strlen(prefix)) && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = 0;
			break;
		}
		p = nl ? nl + 1 : p + n;
	}
	free(buf);
	return line;
}

static void w_slabinfo(FILE *f)
{
	write_slabinfo(&sim, f);
}

static void w_pagetypeinfo(FILE *f)
{
	write_pagetypeinfo(sim.phys, f);
}

static void w_meminfo(FILE *f)
{
	procfs_meminfo(&sim, f);
}

static u64 lock_acquisitions(const char *cls)
{
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, cls, LS_WRITE);
	return r ? r->acquisitions : 0;
}

/* ---- a slab page goes back only with its last object, beyond min_partial ---- */

#define NOBJ (7 * 21)
static u64 obj[NOBJ];

static void last_object_body(struct task *tsk)
{
	struct kmem_cache *s = kmem_cache_get(&sim, SLAB_DENTRY);
	CHECK_EQ_U64(s->size, 192);
	CHECK_EQ_U64(s->oo_objects, 21);
	CHECK_EQ_U64(s->order, 0);
	CHECK_EQ_U64(s->min_partial, 5);   /* ilog2(192) / 2 = 3, raised to MIN_PARTIAL */
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_EXT4_INODE)->oo_objects, 14);
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_RADIX_TREE_NODE)->oo_objects, 14);
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_MM_STRUCT)->oo_objects, 20);
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_ANON_VMA)->oo_objects, 39);

	/* 147 dentries: seven full order-0 slabs S0..S6, S6 still CPU 0's slab */
	for (unsigned i = 0; i < NOBJ; i++) {
		obj[i] = kmem_cache_alloc(tsk, s, GFP_KERNEL);
		CHECK(obj[i] != 0);
	}
	/* objects of one slab are consecutive 192-byte slots of its page */
	CHECK_EQ_U64(obj[1] - obj[0], 192);
	CHECK_EQ_U64(obj[20] - obj[0], 20 * 192);
	CHECK_EQ_U64(s->alloc_slab, 7);
	CHECK_EQ_U64(s->alloc_slowpath, 7);
	CHECK_EQ_U64(s->alloc_fastpath, NOBJ - 7);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 7);
	CHECK_EQ_S64(vm(NR_SLAB_UNRECLAIMABLE_B), 0);
	CHECK_EQ_U64(s->node[0].nr_partial, 0);   /* full slabs are on no list */
	CHECK_EQ_STR(line_of(w_slabinfo, "dentry "),
		     "dentry               147    147    192   21    1 : tunables    0    0    0 : slabdata      7      7      0");
	u64 locks0 = lock_acquisitions("&n->list_lock");
	CHECK_EQ_U64(locks0, 0);   /* no partial slab yet: the unlocked check skips the lock */

	/* one free in each of S0..S5: each full slab becomes partial under list_lock */
	for (unsigned sl = 0; sl < 6; sl++)
		kmem_cache_free(tsk, s, obj[sl * 21 + 20]);
	CHECK_EQ_U64(s->node[0].nr_partial, 6);
	CHECK_EQ_U64(lock_acquisitions("&n->list_lock"), 6);
	/* all but one object of S0 go: no lock (a partial slab stays partial), no page freed */
	for (unsigned i = 1; i < 20; i++)
		kmem_cache_free(tsk, s, obj[i]);
	CHECK_EQ_U64(lock_acquisitions("&n->list_lock"), 6);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 7);
	CHECK_EQ_U64(s->free_slab, 0);
	s64 pgfree = vm(PGFREE);
	/* the last object of S0: 6 partial slabs >= min_partial 5, the page is freed */
	kmem_cache_free(tsk, s, obj[0]);
	CHECK_EQ_U64(s->free_slab, 1);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 6);
	CHECK_EQ_S64(vm(PGFREE) - pgfree, 1);
	CHECK_EQ_U64(s->node[0].nr_partial, 5);
	/* S1 empties: 5 partial >= 5, freed; S2 empties: 4 < 5, kept as an empty partial */
	for (unsigned i = 21; i < 41; i++)
		kmem_cache_free(tsk, s, obj[i]);
	CHECK_EQ_U64(s->free_slab, 2);
	for (unsigned i = 42; i < 62; i++)
		kmem_cache_free(tsk, s, obj[i]);
	CHECK_EQ_U64(s->free_slab, 2);
	CHECK_EQ_U64(s->node[0].nr_partial, 4);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 5);
	/* slabinfo: 105 objects in 5 slabs; the 24 free ones on partial slabs (21 in S2,
	 * one each in S3..S5) are not active; CPU 0's full S6 counts 21 active */
	CHECK_EQ_STR(line_of(w_slabinfo, "dentry "),
		     "dentry                81    105    192   21    1 : tunables    0    0    0 : slabdata      5      5      0");
	CHECK_EQ_STR(line_of(w_meminfo, "Slab:"), "Slab:                 20 kB");
	CHECK_EQ_STR(line_of(w_meminfo, "SReclaimable:"), "SReclaimable:         20 kB");
	CHECK_EQ_STR(line_of(w_meminfo, "SUnreclaim:"), "SUnreclaim:            0 kB");
	check_invariants();

	/* the next allocation: CPU 0 lets go of the full S6 and takes the head of the
	 * partial list (S2, S3, S4, S5: added at the tail as each got its first free); the
	 * slot freed last in S2 is handed out first */
	u64 o = kmem_cache_alloc(tsk, s, GFP_KERNEL);
	CHECK_EQ_U64(o, obj[61]);
	CHECK_EQ_U64(s->node[0].nr_partial, 3);
	kmem_cache_free(tsk, s, o);   /* S2 is empty again, but CPU 0's: stays */
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 5);

	/* kmem_cache_shrink: CPU 0's S2 goes back to the list (3 < min_partial), then every
	 * empty partial slab is freed whatever min_partial says: S2 */
	CHECK_EQ_U64(kmem_cache_shrink(tsk, s), 1);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 4);
	check_invariants();
}

static void test_slab_page_freed_only_with_its_last_object(void)
{
	setup();
	engine_spawn(sim.eng, "test", 0, false, 0, last_object_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- the first RECLAIMABLE slab steals a MOVABLE block ---- */

static void steal_body(struct task *tsk)
{
	CHECK_EQ_STR(line_of(w_pagetypeinfo, "Node    0, zone   Normal, type      Movable"),
		     "Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      4 ");
	struct kmem_cache *s = kmem_cache_get(&sim, SLAB_DENTRY);
	u64 o = kmem_cache_alloc(tsk, s, GFP_KERNEL);
	CHECK(o != 0);
	/* __rmqueue_fallback found an order-10 MOVABLE block; at order >= pageblock_order
	 * both its pageblocks are relabelled RECLAIMABLE. The pcp refill took one page
	 * (batch 1); expand left one block of each order 0..9 RECLAIMABLE. */
	CHECK_EQ_STR(line_of(w_pagetypeinfo, "Node    0, zone   Normal, type      Movable"),
		     "Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      3 ");
	CHECK_EQ_STR(line_of(w_pagetypeinfo, "Node    0, zone   Normal, type  Reclaimable"),
		     "Node    0, zone   Normal, type  Reclaimable      1      1      1      1      1      1      1      1      1      1      0 ");
	CHECK_EQ_STR(line_of(w_pagetypeinfo, "Node 0, zone   Normal "),
		     "Node 0, zone   Normal            0            6            2            0            0 ");
	u64 pfn = slab_obj_pfn(o);
	CHECK_EQ_U64(get_pageblock_migratetype(sim.phys, pfn), MIGRATE_RECLAIMABLE);
	CHECK(pfn_to_page(sim.phys, pfn)->flags & PG_slab);
	/* an unmovable slab (vm_area_struct) falls back too: __rmqueue_fallback searches from
	 * order 10 down, and at order 10 only MOVABLE has a block (the RECLAIMABLE leftovers
	 * are smaller): two more pageblocks are taken, now UNMOVABLE */
	u64 v = kmem_cache_alloc(tsk, kmem_cache_get(&sim, SLAB_VM_AREA_STRUCT), GFP_KERNEL);
	CHECK(v != 0);
	CHECK_EQ_U64(get_pageblock_migratetype(sim.phys, slab_obj_pfn(v)), MIGRATE_UNMOVABLE);
	CHECK_EQ_STR(line_of(w_pagetypeinfo, "Node 0, zone   Normal "),
		     "Node 0, zone   Normal            2            4            2            0            0 ");
	CHECK_EQ_S64(vm(NR_SLAB_UNRECLAIMABLE_B), 1);
	CHECK_EQ_STR(line_of(w_meminfo, "SUnreclaim:"), "SUnreclaim:            4 kB");
	check_invariants();
	kmem_cache_free(tsk, s, o);
	kmem_cache_free(tsk, kmem_cache_get(&sim, SLAB_VM_AREA_STRUCT), v);
	/* the CPU slabs keep their empty pages until shrunk */
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 1);
	CHECK_EQ_U64(kmem_cache_shrink(tsk, s), 1);
	CHECK_EQ_U64(kmem_cache_shrink(tsk, kmem_cache_get(&sim, SLAB_VM_AREA_STRUCT)), 1);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B) + vm(NR_SLAB_UNRECLAIMABLE_B), 0);
	check_invariants();
}

static void test_reclaimable_slab_steals_a_movable_block(void)
{
	setup();
	engine_spawn(sim.eng, "test", 0, false, 0, steal_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- two-phase defragmentation ---- */

static u64 busy_obj;             /* the object can_free refuses (0: none) */
static unsigned refs_taken, refs_dropped, can_free_calls;

static bool test_can_free(void *arg, struct task *tsk, const u64 *objs, unsigned nr)
{
	(void)arg;
	(void)tsk;
	can_free_calls++;
	for (unsigned i = 0; i < nr; i++)
		if (objs[i] == busy_obj)
			return false;   /* all or nothing: no reference kept */
	refs_taken += nr;
	return true;
}

static void test_reclaim(void *arg, struct task *tsk, const u64 *objs, unsigned nr)
{
	struct kmem_cache *s = arg;
	for (unsigned i = 0; i < nr; i++) {
		kmem_cache_free(tsk, s, objs[i]);
		refs_dropped++;
	}
}

static const struct kmem_defrag_ops test_defrag_ops = { test_can_free, test_reclaim };

static void defrag_body(struct task *tsk)
{
	struct kmem_cache *s = kmem_cache_get(&sim, SLAB_DENTRY);
	kmem_cache_setup_defrag(s, &test_defrag_ops, s);
	sim.slab->rcu_grace_ns = 1000000;
	for (unsigned i = 0; i < 42; i++)
		obj[i] = kmem_cache_alloc(tsk, s, GFP_KERNEL);
	/* S0 full (on no list), S1 CPU 0's; free 15 of S0's 21: it is partial with 6 */
	for (unsigned i = 0; i < 15; i++)
		kmem_cache_free(tsk, s, obj[i]);
	u64 pfn0 = slab_obj_pfn(obj[0]);
	busy_obj = obj[17];
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, pfn0), 0);
	CHECK_EQ_U64(can_free_calls, 1);
	CHECK_EQ_U64(refs_taken, 0);
	CHECK_EQ_U64(s->defrag_refused, 1);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 2);
	/* refused: the slab is unfrozen and back on the partial list (at the head) */
	struct slab *sl = pfn_slab(&sim, pfn0);
	CHECK(sl && !sl->frozen && sl->on_partial);
	CHECK_EQ_U64(sl->inuse, 6);
	check_invariants();

	busy_obj = 0;
	s64 pgfree = vm(PGFREE);
	u64 t0 = task_now(tsk);
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, pfn0), 1);
	CHECK_EQ_U64(refs_taken, 6);
	CHECK_EQ_U64(refs_dropped, 6);
	CHECK_EQ_U64(s->defrag_freed_slabs, 1);
	CHECK_EQ_U64(s->defrag_objects, 6);
	CHECK_EQ_S64(vm(PGFREE) - pgfree, 1);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 1);
	CHECK(pfn_slab(&sim, pfn0) == NULL);
	CHECK(task_now(tsk) - t0 >= 1000000);   /* waited the grace period */
	/* a cache without callbacks is not defragmented */
	u64 v = kmem_cache_alloc(tsk, kmem_cache_get(&sim, SLAB_VM_AREA_STRUCT), GFP_KERNEL);
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, slab_obj_pfn(v)), -1);
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, 4000), -1);
	check_invariants();
}

static void test_two_phase_defrag_refuses_a_busy_slab_then_frees_it(void)
{
	setup();
	busy_obj = 0;
	refs_taken = refs_dropped = can_free_calls = 0;
	engine_spawn(sim.eng, "test", 0, false, 0, defrag_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- variants.slab.movable=all: the compaction step and the move callbacks ---- */

static DEFINE_LOCK_CLASS(owner_lock_class, "&test_owner->lock", LOCK_SPIN);

#define NREF (514 * 21 + 1)
static u64 ref[NREF];
static spinlock_t owner_lock[NREF];

/* Slab k (in allocation order) holds ref[21k .. 21k+20]. */
static void free_ref(struct task *tsk, struct kmem_cache *s, unsigned i)
{
	kmem_cache_free(tsk, s, ref[i]);
	ref[i] = 0;
}

static void pageblock_body(struct task *tsk)
{
	struct kmem_cache *s = kmem_cache_get(&sim, SLAB_DENTRY);
	struct zone *z = &sim.phys->node_data[0]->node_zones[ZONE_NORMAL];
	CHECK(s->defrag != NULL);
	CHECK(kmem_cache_get(&sim, SLAB_VM_AREA_STRUCT)->defrag == NULL);
	/* 514 slabs and one object of a 515th: the order-10 RECLAIMABLE block stolen at the
	 * first allocation is filled from its start, so S0..S511 are pageblock B, S512..
	 * in B+1; S514 is CPU 0's slab */
	for (unsigned i = 0; i < NREF; i++) {
		spin_lock_init(&owner_lock[i], &owner_lock_class);
		ref[i] = kmem_cache_alloc(tsk, s, GFP_KERNEL);
		slab_set_owner(&sim, ref[i], &ref[i], &owner_lock[i]);
	}
	u64 s0 = slab_obj_pfn(ref[0]);
	u64 block = s0 & ~(u64)(pageblock_nr_pages - 1);
	CHECK_EQ_U64(block, s0);
	CHECK_EQ_U64(slab_obj_pfn(ref[511 * 21]), block + 511);
	CHECK_EQ_U64(slab_obj_pfn(ref[512 * 21]) >> pageblock_order, (block >> pageblock_order) + 1);
	/* no room: every slab is full, the block's objects have nowhere else to go */
	CHECK_EQ_U64(slab_defrag_pageblock(tsk, block), 0);
	CHECK_EQ_U64(sim.slab->defrag_no_room, 1);
	CHECK_EQ_U64(s->defrag_attempts, 0);
	/* keep 6 objects in S0 and 2 in S1; 10 free slots in S512 (outside B); S2..S511
	 * emptied: S2 stays as an empty partial slab (4 < min_partial), S3..S511 go */
	for (unsigned i = 6; i < 21; i++)
		free_ref(tsk, s, i);
	for (unsigned i = 21 + 2; i < 42; i++)
		free_ref(tsk, s, i);
	for (unsigned i = 512 * 21; i < 512 * 21 + 10; i++)
		free_ref(tsk, s, i);
	for (unsigned i = 42; i < 512 * 21; i++)
		free_ref(tsk, s, i);
	CHECK_EQ_U64(s->node[0].nr_partial, 4);   /* S0, S1, S512, S2 */
	CHECK_EQ_U64(s->node[0].nr_slabs, 3 + 3);

	/* an owner works on object 3: phase 1 refuses S0 as a whole; S1's two objects move
	 * to CPU 0's slab (S514, outside B), and the empty S2 goes */
	spin_lock(tsk, &owner_lock[3]);
	CHECK_EQ_U64(slab_defrag_pageblock(tsk, block), 2);
	spin_unlock(tsk, &owner_lock[3]);
	CHECK_EQ_U64(s->defrag_attempts, 3);
	CHECK_EQ_U64(s->defrag_refused, 1);
	CHECK_EQ_U64(sim.slab->defrag_moved, 2);
	CHECK_EQ_U64(sim.slab->defrag_blocks_freed, 0);
	CHECK(pfn_slab(&sim, s0) != NULL);
	CHECK(pfn_slab(&sim, s0 + 1) == NULL);
	CHECK(pfn_slab(&sim, s0 + 2) == NULL);
	u64 cpu_slab = slab_obj_pfn(ref[514 * 21]);
	CHECK_EQ_U64(slab_obj_pfn(ref[21]), cpu_slab);
	CHECK_EQ_U64(slab_obj_pfn(ref[22]), cpu_slab);

	/* every object of S0 can go now: the block empties */
	CHECK_EQ_U64(slab_defrag_pageblock(tsk, block), 1);
	CHECK(pfn_slab(&sim, s0) == NULL);
	CHECK_EQ_U64(sim.slab->defrag_moved, 8);
	CHECK_EQ_U64(sim.slab->defrag_blocks, 2);
	CHECK_EQ_U64(sim.slab->defrag_blocks_freed, 1);
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ_U64(slab_obj_pfn(ref[i]), cpu_slab);
	/* the owner locks: the test's hold, then one per move; all measured */
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test_owner->lock", LS_WRITE);
	CHECK(r != NULL);
	if (r)
		CHECK_EQ_U64(r->acquisitions, 1 + 8);
	/* with the per-CPU lists drained, B is one free order-9 RECLAIMABLE block */
	drain_all_pages(tsk, NULL);
	CHECK_EQ_U64(z->free_area[9].nr_free_mt[MIGRATE_RECLAIMABLE], 1);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 3);
	check_invariants();
}

static void test_compaction_step_moves_objects_out_of_a_pageblock(void)
{
	setup_variant(SLAB_MOVABLE_ALL);
	engine_spawn(sim.eng, "test", 0, false, 0, pageblock_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- the dentry/inode shrinker ---- */

#define NFILES 3000

static void shrinker_body(struct task *tsk)
{
	char path[32];
	for (unsigned i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "/f/%u", i);
		struct inode *in = file_open_path(&sim, path);   /* the fd's and the table's */
		slab_inode_attach(tsk, in);
		iput(tsk, in);   /* close: only the table holds it, unused */
	}
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_DENTRY)->node[0].nr_slabs, 143);
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_EXT4_INODE)->node[0].nr_slabs, 215);
	/* priority 12: freeable 3000, delta (3000 >> 12) * 4 / 2 = 0: nothing scanned */
	u64 pages;
	CHECK_EQ_U64(shrink_slab(tsk, 0, 12, &pages), 0);
	CHECK_EQ_S64(vm(SLABS_SCANNED), 0);
	/* priority 1: delta (3000 >> 1) * 4 / 2 = 3000 to scan in batches of 1024. Batch 1:
	 * 1024 * 3000 / 3001 = 1023 (+1) dentries pruned, 0 (+1) inode; batch 2, with 1976
	 * dentries and 1023 inodes on the LRUs: 1024 * 1976 / 3000 = 674 (+1) dentries and
	 * 1024 * 1023 / 3000 = 349 (+1) inodes; the 952 left are fewer than a batch and than
	 * the 3000 freeable: they wait (deferred work is not modelled). */
	CHECK_EQ_U64(shrink_slab(tsk, 0, 1, &pages), 1024 + 1 + 675 + 350);
	CHECK_EQ_U64(sim.slab->dentries_pruned, 1699);
	CHECK_EQ_U64(sim.slab->inodes_pruned, 351);
	CHECK_EQ_S64(vm(SLABS_SCANNED), 2048);
	/* dentry slabs 0..79 emptied: the first 4 stay (min_partial), 76 pages go; inode
	 * slabs 0..24 emptied: 21 of 4 pages go */
	CHECK_EQ_U64(pages, 76 + 21 * 4);
	CHECK_EQ_U64(file_inode_by_id(&sim, 0)->slab_inode, 0);   /* evicted */
	CHECK_EQ_U64(file_inode_by_id(&sim, 350)->slab_inode, 0);
	CHECK(file_inode_by_id(&sim, 351)->slab_inode != 0);
	CHECK(file_inode_by_id(&sim, 351) != NULL);    /* inode kept, dentry pruned */
	CHECK_EQ_U64(file_inode_by_id(&sim, 351)->slab_dentry, 0);
	CHECK(file_inode_by_id(&sim, 1699)->slab_dentry != 0);
	/* a later open of an evicted file allocates its dentry and inode again */
	struct inode *in = file_open_path(&sim, "/f/0");
	slab_inode_attach(tsk, in);
	CHECK(in->slab_dentry != 0 && in->slab_inode != 0);
	iput(tsk, in);
	/* drop_caches 2: everything unused goes */
	drop_slab(tsk);
	CHECK_EQ_U64(sim.slab->dentries_pruned + sim.slab->inodes_pruned, 2 * (NFILES + 1));
	CHECK_EQ_U64(kmem_cache_get(&sim, SLAB_DENTRY)->node[0].nr_slabs, 5);
	check_invariants();
}

static void test_shrinker_prunes_dentries_then_inodes_in_proportion(void)
{
	setup();
	scn.kernel.slab.account_users = true;
	scn.kernel.vm.vfs_cache_pressure = 100;
	sim.slab->account_users = true;
	sim.files = file_table_create(&sim);
	engine_spawn(sim.eng, "test", 0, false, 0, shrinker_body, NULL, NULL);
	engine_run(sim.eng, 0);
	file_table_destroy(sim.files);
	teardown();
}

/* ---- variants.slab.movable=xa_node: an XArray node moved under xa_lock ---- */

static DEFINE_LOCK_CLASS(test_xa_lock_class, "&xa->xa_lock", LOCK_SPIN);
static struct inode xa_inode;   /* only its i_pages and i_pages_lock are used */
static u64 xa_old_root, xa_reader_first, xa_reader_mid, xa_reader_late;
static bool xa_mid_old_frozen, xa_mid_old_slab, xa_mid_new_allocated;
static bool xa_late_old_gone, xa_reader_entries_ok;

static void xa_h_alloc(void *arg, struct task *tsk, struct xa_node *n)
{
	(void)arg;
	slab_xa_node_alloc(tsk, n);
}

static void xa_h_free(void *arg, struct task *tsk, struct xa_node *n)
{
	(void)arg;
	slab_xa_node_free(&sim, tsk, n);
}

static const struct xa_node_hooks xa_slab_hooks = { xa_h_alloc, xa_h_free };

#define XA_ENTRIES (64 * 64)

static bool xa_entries_intact(void)
{
	for (u64 i = 0; i < XA_ENTRIES; i++)
		if (xa_load(&xa_inode.i_pages, i, NULL) != xa_mk_pfn(1000 + i))
			return false;
	return true;
}

/* Lockless reader: no xa_lock, only loads; before, during and after the grace period. */
static void xa_reader_body(struct task *tsk)
{
	flush(tsk);   /* its start time */
	xa_reader_first = xa_inode.i_pages.head->slab_obj;   /* t = 1.5 ms: before the move */
	task_sleep(tsk, 1000000);                            /* t = 2.5 ms: in the grace period */
	xa_reader_mid = xa_inode.i_pages.head->slab_obj;
	unsigned idx;
	struct slab *old = obj_to_slab(&sim, xa_old_root, &idx);
	xa_mid_old_slab = old && old->cache == SLAB_RADIX_TREE_NODE &&
			  (pfn_to_page(sim.phys, slab_obj_pfn(xa_old_root))->flags & PG_slab);
	xa_mid_old_frozen = old && old->frozen && old->inuse == 0;   /* nobody reuses it */
	struct slab *nw = obj_to_slab(&sim, xa_reader_mid, &idx);
	xa_mid_new_allocated = nw && slab_obj_allocated(nw, idx);
	xa_reader_entries_ok = xa_entries_intact();
	task_sleep(tsk, 1000000);                            /* t = 3.5 ms: after it */
	xa_reader_late = xa_inode.i_pages.head->slab_obj;
	xa_late_old_gone = pfn_slab(&sim, slab_obj_pfn(xa_old_root)) == NULL;
	xa_reader_entries_ok = xa_reader_entries_ok && xa_entries_intact();
}

static void xa_mover_body(struct task *tsk)
{
	struct kmem_cache *s = kmem_cache_get(&sim, SLAB_RADIX_TREE_NODE);
	struct xarray *xa = &xa_inode.i_pages;
	CHECK(s->defrag != NULL);
	CHECK(kmem_cache_get(&sim, SLAB_DENTRY)->defrag == NULL);   /* xa_node only */
	/* indices 0..4095 stored in order: index 1 makes leaf 0, index 64 the root (shift 6)
	 * above it, then leaves 1..63: 65 nodes of 584 bytes, 14 per order-1 slab: slab 0
	 * holds leaf 0, the root and leaves 1..12 (objects 8..13 in its second page); slab 4
	 * (CPU 0's) holds 9, its 5 free objects count as active in slabinfo */
	for (u64 i = 0; i < XA_ENTRIES; i++) {
		spin_lock(tsk, &xa_inode.i_pages_lock);
		xa_store_by(tsk, xa, i, xa_mk_pfn(1000 + i), 0);
		spin_unlock(tsk, &xa_inode.i_pages_lock);
	}
	CHECK_EQ_U64(xa->height, 2);
	CHECK_EQ_U64(xa->nr_nodes, 65);
	CHECK_EQ_U64(s->node[0].nr_slabs, 5);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 10);
	CHECK_EQ_STR(line_of(w_slabinfo, "radix_tree_node "),
		     "radix_tree_node       70     70    584   14    2 : tunables    0    0    0 : slabdata      5      5      0");
	xa_old_root = xa->head->slab_obj;
	u64 slab0 = slab_obj_pfn(xa_old_root);
	u64 leaf0 = xa->head->child[0]->slab_obj;
	CHECK_EQ_U64(slab_obj_pfn(leaf0), slab0);
	CHECK_EQ_U64(xa_old_root - leaf0, 584);
	CHECK_EQ_U64(slab_obj_pfn(xa->head->child[12]->slab_obj), slab0 + 1);
	CHECK(pfn_slab(&sim, slab_obj_pfn(xa->head->child[12]->slab_obj)) == pfn_slab(&sim, slab0));
	CHECK(pfn_slab(&sim, slab_obj_pfn(xa->head->child[13]->slab_obj)) != pfn_slab(&sim, slab0));

	/* a node allocated but not linked into the tree (node->array is its tree, but no
	 * slot points at it): phase 1 refuses its slab (CPU 0's slab 4) */
	struct xa_node loose = { .array = xa };
	slab_xa_node_alloc(tsk, &loose);
	CHECK(loose.slab_obj != 0);
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, slab_obj_pfn(loose.slab_obj)), 0);
	CHECK_EQ_U64(sim.slab->xa_refused_not_in_tree, 1);
	slab_xa_node_free(&sim, tsk, &loose);

	/* leaf 5 (indices 320..383, slab 0) holding only shadow entries is on the shadow
	 * LRU: the whole slab stays */
	for (u64 i = 320; i < 384; i++)
		xa_store_by(tsk, xa, i, xa_mk_value(i), 0);
	CHECK(xa_node_shadow_only(xa->head->child[5]));
	CHECK(!xa_node_shadow_only(xa->head->child[4]));
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, slab0), 0);
	CHECK_EQ_U64(sim.slab->xa_refused_shadow, 1);
	for (u64 i = 320; i < 384; i++)
		xa_store_by(tsk, xa, i, xa_mk_pfn(1000 + i), 0);

	/* a writer holds the xa_lock: the nodes are under modification, refused */
	spin_lock(tsk, &xa_inode.i_pages_lock);
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, slab0), 0);
	spin_unlock(tsk, &xa_inode.i_pages_lock);
	CHECK_EQ_U64(s->defrag_refused, 3);
	CHECK_EQ_U64(sim.slab->xa_nodes_moved, 0);
	CHECK_EQ_U64(xa->head->slab_obj, xa_old_root);

	/* at 2 ms: every node of slab 0 can go. 14 moves, each under the xa_lock: 5 into
	 * the free slots of slab 4 (back on the partial list), then a new slab for 9; the
	 * old slab waits out the 1 ms grace period frozen, then goes to the buddy allocator */
	CHECK(task_now(tsk) < 1500000);
	task_sleep(tsk, 2000000 - task_now(tsk));
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&xa->xa_lock", LS_WRITE);
	u64 xa_locks = r ? r->acquisitions : 0;
	CHECK_EQ_S64(kmem_cache_defrag_slab(tsk, slab0), 1);
	CHECK(task_now(tsk) >= 3000000 && task_now(tsk) < 3500000);
	CHECK_EQ_U64(sim.slab->xa_nodes_moved, 14);
	CHECK_EQ_U64(sim.slab->defrag_moved, 14);
	r = lockstat_class_row(sim.lockstat, "&xa->xa_lock", LS_WRITE);
	CHECK_EQ_U64(r ? r->acquisitions - xa_locks : 0, 14);
	CHECK(pfn_slab(&sim, slab0) == NULL);
	CHECK(xa->head->slab_obj != xa_old_root);
	CHECK_EQ_U64(s->node[0].nr_slabs, 5);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 10);
	CHECK(xa_entries_intact());
	/* every node owns an allocated object of the cache, none in the old page */
	unsigned owned = 0;
	for (unsigned c = 0; c < 64; c++) {
		const struct xa_node *n = xa->head->child[c];
		unsigned idx;
		struct slab *sl = obj_to_slab(&sim, n->slab_obj, &idx);
		owned += sl && sl->cache == SLAB_RADIX_TREE_NODE && slab_obj_allocated(sl, idx) &&
			 slab_obj_pfn(n->slab_obj) >> 1 != slab0 >> 1;
	}
	CHECK_EQ_U64(owned, 64);
	check_invariants();
	/* at 4 ms, after the reader's last look, the tree goes: every object with its node */
	task_sleep(tsk, 4000000 - task_now(tsk));
	xa_destroy_by(tsk, xa);
	CHECK_EQ_U64(kmem_cache_shrink(tsk, s), 5);
	CHECK_EQ_S64(vm(NR_SLAB_RECLAIMABLE_B), 0);
	check_invariants();
}

static void test_xa_node_moved_under_xa_lock_readers_see_either_copy(void)
{
	setup_variant(SLAB_MOVABLE_XA_NODE);
	sim.slab->account_users = true;
	sim.slab->rcu_grace_ns = 1000000;
	memset(&xa_inode, 0, sizeof(xa_inode));
	spin_lock_init(&xa_inode.i_pages_lock, &test_xa_lock_class);
	xa_init(&xa_inode.i_pages, &xa_slab_hooks, NULL);
	engine_spawn(sim.eng, "mover", 0, false, 0, xa_mover_body, NULL, NULL);
	engine_spawn(sim.eng, "reader", 1, false, 1500000, xa_reader_body, NULL, NULL);
	engine_run(sim.eng, 0);
	/* the reader's view: the old copy before, the new one during the grace period with
	 * the old page still a frozen radix_tree_node slab nobody allocates from, and the
	 * old page gone after it; every load gave the stored entries */
	CHECK_EQ_U64(xa_reader_first, xa_old_root);
	CHECK(xa_reader_mid != xa_old_root && xa_reader_mid != 0);
	CHECK(xa_mid_old_slab);
	CHECK(xa_mid_old_frozen);
	CHECK(xa_mid_new_allocated);
	CHECK_EQ_U64(xa_reader_late, xa_reader_mid);
	CHECK(xa_late_old_gone);
	CHECK(xa_reader_entries_ok);
	teardown();
}

/* ---- the workingset shadow-node shrinker ---- */

static void shadow_body(struct task *tsk)
{
	struct inode *in = file_open_path(&sim, "/f/shadows");
	struct xarray *xa = &in->i_pages;
	struct kmem_cache *s = kmem_cache_get(&sim, SLAB_RADIX_TREE_NODE);
	/* one shadow entry in each of 600 leaves (indices 64k): a tree of height 3, the root,
	 * 10 interior nodes and 600 leaves holding only shadows; one leaf with a page too */
	for (u64 k = 0; k < 600; k++)
		xa_store_by(tsk, xa, k * 64, xa_mk_value(k), 0);
	xa_store_by(tsk, xa, 600 * 64, xa_mk_pfn(7), 0);
	CHECK_EQ_U64(xa->height, 3);
	CHECK_EQ_U64(xa->nr_nodes, 1 + 10 + 601);
	CHECK_EQ_U64(s->node[0].nr_slabs, 44);   /* 612 objects, 14 per slab */
	/* count_shadow_nodes: 600 shadow nodes, max_nodes = 4096 present pages >> 3 = 512:
	 * 88 freeable; seeks 0: half of them, 44, are scanned and freed, the first 44 */
	u64 freed = shrink_slab(tsk, 0, 12, NULL);
	CHECK_EQ_U64(freed, 44);
	CHECK_EQ_U64(sim.slab->shadow_nodes_reclaimed, 44);
	CHECK_EQ_U64(xa->nr_values, 556);
	CHECK_EQ_U64(xa->nr_nodes, 612 - 44);
	CHECK_EQ_U64(xa_load(xa, 43 * 64, NULL), 0);
	CHECK_EQ_U64(xa_load(xa, 44 * 64, NULL), xa_mk_value(44));
	CHECK_EQ_S64(vm(SLABS_SCANNED), 44);
	/* 556 left: 44 freeable, 22 freed */
	CHECK_EQ_U64(shrink_slab(tsk, 0, 12, NULL), 22);
	CHECK_EQ_U64(xa->nr_values, 534);
	/* the mapping's xa_lock held (an insertion in progress): its nodes are skipped */
	spin_lock(tsk, &in->i_pages_lock);
	CHECK_EQ_U64(shrink_slab(tsk, 0, 12, NULL), 0);
	spin_unlock(tsk, &in->i_pages_lock);
	CHECK_EQ_U64(xa->nr_values, 534);
	CHECK_EQ_U64(sim.slab->shadow_shrinker_calls, 3);
	/* down to 513 shadow nodes: then 1 is freeable and half of it, 0, is scanned */
	while (shrink_slab(tsk, 0, 12, NULL))
		;
	CHECK_EQ_U64(xa->nr_values, 513);
	/* leaves 87..600 left, under interior nodes 1..9 (0 emptied and freed) */
	CHECK_EQ_U64(xa->nr_nodes, 1 + 9 + 514);
	CHECK_EQ_U64(sim.slab->shadow_nodes_reclaimed, 87);
	check_invariants();
	xa_store_by(tsk, xa, 600 * 64, 0, 0);
	xa_destroy_by(tsk, xa);
	iput(tsk, in);
}

static void test_shadow_node_shrinker_frees_the_excess_over_an_eighth(void)
{
	setup();
	sim.slab->account_users = true;
	sim.files = file_table_create(&sim);
	engine_spawn(sim.eng, "test", 0, false, 0, shadow_body, NULL, NULL);
	engine_run(sim.eng, 0);
	file_table_destroy(sim.files);
	teardown();
}

int main(void)
{
	SIMTEST(test_slab_page_freed_only_with_its_last_object);
	SIMTEST(test_reclaimable_slab_steals_a_movable_block);
	SIMTEST(test_two_phase_defrag_refuses_a_busy_slab_then_frees_it);
	SIMTEST(test_compaction_step_moves_objects_out_of_a_pageblock);
	SIMTEST(test_shrinker_prunes_dentries_then_inodes_in_proportion);
	SIMTEST(test_xa_node_moved_under_xa_lock_readers_see_either_copy);
	SIMTEST(test_shadow_node_shrinker_frees_the_excess_over_an_eighth);
	return check_summary();
}
