/* procfs.c - /proc/meminfo, smaps_rollup, numa_maps and the THP sysfs files. */
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/task.h"
#include "mm/filemap.h"
#include "mm/huge_memory.h"
#include "mm/hugetlb.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/mempolicy.h"
#include "mm/page_alloc.h"
#include "mm/procfs.h"
#include "mm/khugepaged.h"
#include "mm/swapfile.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"

#define K(pages) ((unsigned long long)(pages) << (PAGE_SHIFT - 10))

static void kb(FILE *f, const char *label, u64 pages)
{
	fprintf(f, "%-16s%8llu kB\n", label, K(pages));
}

static u64 gstate(const struct sim *sim, enum vm_item i)
{
	s64 v = global_vm_state(sim->vmstat, i);
	return v > 0 ? (u64)v : 0;
}

void procfs_meminfo(const struct sim *sim, FILE *f)
{
	const struct phys_mem *pm = sim->phys;
	u64 total = 0, reserve = 0, wmark_low = 0;
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		const struct pglist_data *pg = pm->node_data[n];
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zn = &pg->node_zones[z];
			if (!zn->populated)
				continue;
			total += zn->managed_pages;
			wmark_low += zn->_watermark[WMARK_LOW];
			u64 max_res = 0;
			for (unsigned j = 0; j < MAX_NR_ZONES; j++)
				max_res = max(max_res, zn->lowmem_reserve[j]);
			reserve += min(max_res + zn->_watermark[WMARK_HIGH], zn->managed_pages);
		}
	}
	u64 free = gstate(sim, NR_FREE_PAGES);
	u64 file = gstate(sim, NR_FILE_PAGES), shmem = gstate(sim, NR_SHMEM);
	u64 inactive_anon = gstate(sim, NR_INACTIVE_ANON), active_anon = gstate(sim, NR_ACTIVE_ANON);
	u64 inactive_file = gstate(sim, NR_INACTIVE_FILE), active_file = gstate(sim, NR_ACTIVE_FILE);
	u64 anon = gstate(sim, NR_ANON_MAPPED);
	(void)shmem;
	/* si_mem_available */
	s64 avail = (s64)free - (s64)reserve;
	u64 pagecache = active_file + inactive_file;
	pagecache -= min(pagecache / 2, wmark_low);
	avail += (s64)pagecache;
	u64 sreclaim = gstate(sim, NR_SLAB_RECLAIMABLE_B), sunreclaim = gstate(sim, NR_SLAB_UNRECLAIMABLE_B);
	avail += (s64)(sreclaim - min(sreclaim / 2, wmark_low));
	if (avail < 0)
		avail = 0;
	u64 swap = swap_total_pages(sim->swap), swapfree = swap_free_pages(sim->swap);
	kb(f, "MemTotal:", total);
	kb(f, "MemFree:", free);
	kb(f, "MemAvailable:", (u64)avail);
	kb(f, "Buffers:", 0);
	kb(f, "Cached:", file - min(file, gstate(sim, NR_SWAPCACHE)));
	kb(f, "SwapCached:", gstate(sim, NR_SWAPCACHE));
	kb(f, "Active:", active_anon + active_file);
	kb(f, "Inactive:", inactive_anon + inactive_file);
	kb(f, "Active(anon):", active_anon);
	kb(f, "Inactive(anon):", inactive_anon);
	kb(f, "Active(file):", active_file);
	kb(f, "Inactive(file):", inactive_file);
	kb(f, "Unevictable:", gstate(sim, NR_UNEVICTABLE));
	kb(f, "Mlocked:", gstate(sim, NR_MLOCK));
	kb(f, "SwapTotal:", swap);
	kb(f, "SwapFree:", swapfree);
	kb(f, "Zswap:", 0);
	kb(f, "Zswapped:", 0);
	kb(f, "Dirty:", gstate(sim, NR_FILE_DIRTY));
	kb(f, "Writeback:", gstate(sim, NR_WRITEBACK));
	kb(f, "AnonPages:", anon);
	kb(f, "Mapped:", gstate(sim, NR_FILE_MAPPED));
	kb(f, "Shmem:", shmem);
	kb(f, "KReclaimable:", sreclaim);
	kb(f, "Slab:", sreclaim + sunreclaim);
	kb(f, "SReclaimable:", sreclaim);
	kb(f, "SUnreclaim:", sunreclaim);
	kb(f, "KernelStack:", 0);
	kb(f, "PageTables:", gstate(sim, NR_PAGETABLE));
	kb(f, "SecPageTables:", 0);
	kb(f, "NFS_Unstable:", 0);
	kb(f, "Bounce:", 0);
	kb(f, "WritebackTmp:", 0);
	kb(f, "CommitLimit:", total * 50 / 100 + swap);   /* vm.overcommit_ratio 50 */
	kb(f, "Committed_AS:", 0);
	fprintf(f, "%-16s%8llu kB\n", "VmallocTotal:", 34359738367ULL);
	kb(f, "VmallocUsed:", 0);
	kb(f, "VmallocChunk:", 0);
	kb(f, "Percpu:", 0);
	kb(f, "AnonHugePages:", gstate(sim, NR_ANON_THPS) * 512);
	kb(f, "ShmemHugePages:", 0);
	kb(f, "ShmemPmdMapped:", 0);
	kb(f, "FileHugePages:", 0);
	kb(f, "FilePmdMapped:", 0);
	kb(f, "Balloon:", 0);
	struct hugetlb_counters hc;
	hugetlb_get_counters(sim, &hc);
	/* unsigned, as the kernel prints them (a wrapped Rsvd shows as 2^64 - n) */
	fprintf(f, "%-16s%8llu\n", "HugePages_Total:", (unsigned long long)hc.total);
	fprintf(f, "%-16s%8llu\n", "HugePages_Free:", (unsigned long long)hc.free);
	fprintf(f, "%-16s%8llu\n", "HugePages_Rsvd:", (unsigned long long)hc.resv);
	fprintf(f, "%-16s%8llu\n", "HugePages_Surp:", (unsigned long long)hc.surplus);
	kb(f, "Hugepagesize:", 512);
	kb(f, "Hugetlb:", hc.total * 512);
	kb(f, "DirectMap4k:", 0);
	kb(f, "DirectMap2M:", ALIGN_UP(pm->nr_pages, 512));
	kb(f, "DirectMap1G:", 0);
}

/* ---- per-process files: a walk over the present PTEs of each VMA ---- */

struct pte_visit {
	u64 addr;
	pte_t pte;
};

/* huge: the page is a subpage of a THP mapped by a huge PMD (called for each of its 512
 * subpages, with the PMD's bits in pte) */
typedef void (*pte_fn)(void *arg, const struct sim *sim, struct vm_area_struct *v, u64 addr,
		       pte_t pte, bool huge);

/* page_mapcount: PTE mappings of the page plus, for a THP subpage, the huge PMDs. */
static u64 page_mapcount(const struct sim *sim, u64 pfn)
{
	const struct page_desc *pg = &sim->phys->pages[pfn];
	u64 m = pg->mapcount;
	if (page_is_thp(pg))
		m += compound_mapcount(&sim->phys->pages[thp_head(pfn)]);
	return m;
}

static void walk_vma_ptes(const struct sim *sim, struct vm_area_struct *v, pte_fn fn, void *arg)
{
	for (u64 a = ALIGN_DOWN(v->vm_start, PMD_SIZE); a < v->vm_end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(v->vm_mm, a);
		if (s && s->kind == PMD_HUGE && !(v->vm_flags & VM_HUGETLB)) {
			/* the huge zero page is not counted (follow_trans_huge_pmd, FOLL_DUMP) */
			if (!(s->huge & PTE_PRESENT) || (s->huge & PTE_ZERO))
				continue;
			u64 head = pte_pfn(s->huge);
			pte_t bits = s->huge & ((1ULL << PTE_PFN_SHIFT) - 1);
			for (u64 i = 0; i < HPAGE_PMD_NR; i++)
				fn(arg, sim, v, a + (i << PAGE_SHIFT), ((head + i) << PTE_PFN_SHIFT) | bits,
				   true);
			continue;
		}
		if (!s || s->kind != PMD_TABLE || !s->table->nr_present)
			continue;
		u64 lo = max(a, v->vm_start), hi = min(a + PMD_SIZE, v->vm_end);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			pte_t p = pte_get(s->table, pte_index(x));
			if ((p & PTE_PRESENT) && !(p & PTE_ZERO))
				fn(arg, sim, v, x, p, false);
		}
	}
}

struct rollup {
	u64 rss, pss, pss_dirty, pss_anon, pss_file, pss_shmem;   /* pss in bytes << 12 */
	u64 shared_clean, shared_dirty, private_clean, private_dirty, referenced, anonymous;
	u64 lazyfree, anon_thp;
	u64 pss_locked;                    /* pss of VM_LOCKED VMAs' pages, << PSS_SHIFT */
};

#define PSS_SHIFT 12

static void rollup_pte(void *arg, const struct sim *sim, struct vm_area_struct *v, u64 addr,
		       pte_t p, bool huge)
{
	struct rollup *r = arg;
	(void)addr;
	const struct page_desc *pg = &sim->phys->pages[pte_pfn(p)];
	bool dirty = (p & PTE_DIRTY) || (pg->flags & PG_dirty);
	bool anon = pg->flags & PG_anon;
	u64 m = page_mapcount(sim, pte_pfn(p));
	if (!m)
		m = 1;
	if (huge && anon)
		r->anon_thp += PAGE_SIZE;
	u64 pss = (PAGE_SIZE << PSS_SHIFT) / m;
	r->rss += PAGE_SIZE;
	r->pss += pss;
	if (dirty)
		r->pss_dirty += pss;
	if (v->vm_flags & VM_LOCKED)
		r->pss_locked += pss;
	if (anon)
		r->pss_anon += pss;
	else if (v->vm_file && v->vm_file->shmem)
		r->pss_shmem += pss;
	else
		r->pss_file += pss;
	if (m >= 2) {
		if (dirty)
			r->shared_dirty += PAGE_SIZE;
		else
			r->shared_clean += PAGE_SIZE;
	} else {
		if (dirty)
			r->private_dirty += PAGE_SIZE;
		else
			r->private_clean += PAGE_SIZE;
	}
	if (p & PTE_YOUNG)
		r->referenced += PAGE_SIZE;
	if (anon) {
		r->anonymous += PAGE_SIZE;
		/* lazily freed (MADV_FREE) and not written since */
		if (!dirty && !(pg->flags & PG_swapbacked))
			r->lazyfree += PAGE_SIZE;
	}
}

static void rkb(FILE *f, const char *label, u64 bytes)
{
	fprintf(f, "%-16s%8llu kB\n", label, (unsigned long long)(bytes >> 10));
}

/* SwapPss: each swap PTE's page divided among the slot's users (bytes << PSS_SHIFT). */
static u64 swap_pss(const struct sim *sim, struct mm_struct *mm)
{
	u64 pss = 0;
	for (u32 i = 0; mm && mm->swap_ents && i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		for (u64 a = ALIGN_DOWN(v->vm_start, PMD_SIZE); a < v->vm_end; a += PMD_SIZE) {
			struct pmd_slot *s = pmd_lookup(mm, a);
			if (!s || s->kind != PMD_TABLE || !s->table->nr_present)
				continue;
			u64 lo = max(a, v->vm_start), hi = min(a + PMD_SIZE, v->vm_end);
			for (u64 x = lo; x < hi; x += PAGE_SIZE) {
				pte_t p = pte_get(s->table, pte_index(x));
				if (!pte_is_swap(p))
					continue;
				unsigned n = swap_count(sim, pte_to_swp_slot(p));
				pss += (PAGE_SIZE << PSS_SHIFT) / (n ? n : 1);
			}
		}
	}
	return pss;
}

/* The page lines smaps and smaps_rollup share (the kernel's __show_smap): the rollup
 * alone has the Pss split by kind and KSM. */
static void show_smap_fields(FILE *f, const struct rollup *r, bool rollup)
{
	rkb(f, "Rss:", r->rss);
	rkb(f, "Pss:", r->pss >> PSS_SHIFT);
	rkb(f, "Pss_Dirty:", r->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		rkb(f, "Pss_Anon:", r->pss_anon >> PSS_SHIFT);
		rkb(f, "Pss_File:", r->pss_file >> PSS_SHIFT);
		rkb(f, "Pss_Shmem:", r->pss_shmem >> PSS_SHIFT);
	}
	rkb(f, "Shared_Clean:", r->shared_clean);
	rkb(f, "Shared_Dirty:", r->shared_dirty);
	rkb(f, "Private_Clean:", r->private_clean);
	rkb(f, "Private_Dirty:", r->private_dirty);
	rkb(f, "Referenced:", r->referenced);
	rkb(f, "Anonymous:", r->anonymous);
	if (rollup)
		rkb(f, "KSM:", 0);
	rkb(f, "LazyFree:", r->lazyfree);
	rkb(f, "AnonHugePages:", r->anon_thp);
	rkb(f, "ShmemPmdMapped:", 0);
	rkb(f, "FilePmdMapped:", 0);
	rkb(f, "Shared_Hugetlb:", 0);
	rkb(f, "Private_Hugetlb:", 0);
}

void procfs_smaps_rollup(const struct sim *sim, struct mm_struct *mm, FILE *f)
{
	struct rollup r = { 0 };
	u64 start = 0, end = 0;
	if (mm && mm->nr_vmas) {
		start = mm->vmas[0]->vm_start;
		end = mm->vmas[mm->nr_vmas - 1]->vm_end;
		for (u32 i = 0; i < mm->nr_vmas; i++)
			walk_vma_ptes(sim, mm->vmas[i], rollup_pte, &r);
	}
	int n = fprintf(f, "%08llx-%08llx ---p 00000000 00:00 0", (unsigned long long)start,
			(unsigned long long)end);
	fprintf(f, "%*s[rollup]\n", n < 73 ? 73 - n : 1, "");
	show_smap_fields(f, &r, true);
	/* swap PTEs: the whole page for Swap, divided by the slot's users for SwapPss
	 * (the kernel divides by the swap count too) */
	rkb(f, "Swap:", mm ? mm->swap_ents << PAGE_SHIFT : 0);
	rkb(f, "SwapPss:", swap_pss(sim, mm) >> PSS_SHIFT);
	rkb(f, "Locked:", r.pss_locked >> PSS_SHIFT);
}

struct numa_stats {
	u64 pages, anon, dirty, mapcount_max, active;
	u64 node[MAX_NUMNODES];
};

static void numa_pte(void *arg, const struct sim *sim, struct vm_area_struct *v, u64 addr, pte_t p,
		     bool huge)
{
	struct numa_stats *md = arg;
	(void)v;
	(void)addr;
	(void)huge;
	u64 pfn = pte_pfn(p);
	const struct page_desc *pg = &sim->phys->pages[pfn];
	md->pages++;
	if (pg->flags & PG_anon)
		md->anon++;
	if ((p & PTE_DIRTY) || (pg->flags & PG_dirty))
		md->dirty++;
	if (pg->flags & PG_active)
		md->active++;
	md->mapcount_max = max(md->mapcount_max, page_mapcount(sim, pfn));
	md->node[page_to_nid(sim->phys, pfn)]++;
}

void procfs_numa_maps(struct task *tsk, struct mm_struct *mm, FILE *f)
{
	const struct sim *sim = tsk->sim;
	if (!mm)
		return;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		char pol[64];
		numa_maps_policy(tsk, v, pol, sizeof(pol));   /* show_numa_map's lookup */
		fprintf(f, "%08llx %s", (unsigned long long)v->vm_start, pol);
		if (v->vm_file) {
			fprintf(f, " file=%s", v->vm_file->path);
		} else if (mm->start_brk && v->vm_start <= mm->brk && v->vm_end >= mm->start_brk) {
			fprintf(f, " heap");
		} else if (v->vm_flags & VM_GROWSDOWN) {
			fprintf(f, " stack");
		}
		struct numa_stats md = { 0 };
		walk_vma_ptes(sim, v, numa_pte, &md);
		if (md.pages) {
			if (md.anon)
				fprintf(f, " anon=%llu", (unsigned long long)md.anon);
			if (md.dirty)
				fprintf(f, " dirty=%llu", (unsigned long long)md.dirty);
			if (md.pages != md.anon && md.pages != md.dirty)
				fprintf(f, " mapped=%llu", (unsigned long long)md.pages);
			if (md.mapcount_max > 1)
				fprintf(f, " mapmax=%llu", (unsigned long long)md.mapcount_max);
			if (md.active < md.pages)
				fprintf(f, " active=%llu", (unsigned long long)md.active);
			for (unsigned n = 0; n < sim->phys->nr_nodes; n++)
				if (md.node[n])
					fprintf(f, " N%u=%llu", n, (unsigned long long)md.node[n]);
			fprintf(f, " kernelpagesize_kB=%llu", (unsigned long long)(PAGE_SIZE >> 10));
		}
		fputc('\n', f);
	}
}

/* ---- /sys/kernel/mm/transparent_hugepage ---- */

static void choice(FILE *f, const char *const *names, unsigned sel)
{
	for (unsigned i = 0; names[i]; i++)
		fprintf(f, i == sel ? "%s[%s]" : "%s%s", i ? " " : "", names[i]);
	fputc('\n', f);
}

bool procfs_thp_file(const struct sim *sim, const char *name, FILE *f)
{
	static const char *const enabled[] = { "always", "madvise", "never", NULL };
	static const char *const defrag[] = { "always", "defer", "defer+madvise", "madvise", "never",
					      NULL };
	static const char *const shmem[] = { "always", "within_size", "advise", "never", "deny",
					     "force", NULL };
	const struct khugepaged_cfg *kc = khugepaged_cfg(sim);   /* as written at run time */
	const struct thp_cfg *thp = thp_cfg(sim);
	if (!strcmp(name, "enabled"))
		choice(f, enabled, thp->enabled);
	else if (!strcmp(name, "defrag"))
		choice(f, defrag, thp->defrag);
	else if (!strcmp(name, "use_zero_page"))
		fprintf(f, "%d\n", thp->use_zero_page ? 1 : 0);
	else if (!strcmp(name, "hpage_pmd_size"))
		fprintf(f, "%llu\n", (unsigned long long)PMD_SIZE);
	else if (!strcmp(name, "shmem_enabled"))
		choice(f, shmem, 3);
	else if (!strcmp(name, "khugepaged/defrag"))
		fprintf(f, "%d\n", kc->defrag ? 1 : 0);
	else if (!strcmp(name, "khugepaged/pages_to_scan"))
		fprintf(f, "%u\n", kc->pages_to_scan);
	else if (!strcmp(name, "khugepaged/scan_sleep_millisecs"))
		fprintf(f, "%llu\n", (unsigned long long)(kc->scan_sleep_ns / 1000000));
	else if (!strcmp(name, "khugepaged/alloc_sleep_millisecs"))
		fprintf(f, "%llu\n", (unsigned long long)(kc->alloc_sleep_ns / 1000000));
	else if (!strcmp(name, "khugepaged/pages_collapsed"))
		fprintf(f, "%llu\n", (unsigned long long)khugepaged_pages_collapsed(sim));
	else if (!strcmp(name, "khugepaged/full_scans"))
		fprintf(f, "%llu\n", (unsigned long long)khugepaged_full_scans(sim));
	else if (!strcmp(name, "khugepaged/max_ptes_none"))
		fprintf(f, "%u\n", kc->max_ptes_none);
	else if (!strcmp(name, "khugepaged/max_ptes_swap"))
		fprintf(f, "%u\n", kc->max_ptes_swap);
	else if (!strcmp(name, "khugepaged/max_ptes_shared"))
		fprintf(f, "%u\n", kc->max_ptes_shared);
	else
		return false;
	return true;
}

void procfs_maps(const struct sim *sim, struct mm_struct *mm, FILE *f)
{
	(void)sim;
	if (!mm)
		return;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		const struct vm_area_struct *v = mm->vmas[i];
		u64 fl = v->vm_flags;
		int n = fprintf(f, "%08llx-%08llx %c%c%c%c %08llx 00:00 0 ",
				(unsigned long long)v->vm_start, (unsigned long long)v->vm_end,
				fl & VM_READ ? 'r' : '-', fl & VM_WRITE ? 'w' : '-',
				fl & VM_EXEC ? 'x' : '-', fl & VM_SHARED ? 's' : 'p',
				(unsigned long long)(v->vm_file ? v->vm_pgoff << PAGE_SHIFT : 0));
		const char *name = NULL;
		if (v->vm_file)
			name = v->vm_file->path;
		else if (mm->start_brk && v->vm_start <= mm->brk && v->vm_end >= mm->start_brk)
			name = "[heap]";
		if (name)
			fprintf(f, "%*s%s", n < 73 ? 73 - n : 0, "", name);
		fputc('\n', f);
	}
}

/* ---- /proc/zoneinfo, /proc/PID/status, /proc/PID/smaps, per-node files ---- */

static int fls_u64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* calculate_normal_threshold: the per-CPU counter drift a zone allows (the kernel's
 * figure; mmsim's counters themselves are exact) */
static int zone_stat_threshold(const struct zone *z, unsigned nr_cpus)
{
	u64 mem = z->managed_pages >> (27 - PAGE_SHIFT);
	int t = 2 * fls_u64(nr_cpus) * (1 + fls_u64(mem));
	return t < 125 ? t : 125;
}

static unsigned nr_populated_zones(const struct pglist_data *pg)
{
	unsigned n = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		n += pg->node_zones[z].populated;
	return n;
}

/* A zone counter: the zone's own free pages; on a node with one populated zone, the
 * node's counter; on a node with two (machine.dma32), the LRU lists by a walk of the
 * zone's pages and the other counters in the node's highest zone. */
static u64 zone_item(const struct sim *sim, const struct zone *z, enum vm_item i, const u64 *lru)
{
	const struct pglist_data *pg = z->zone_pgdat;
	if (i == NR_FREE_PAGES)
		return z->free_pages;
	s64 v = node_page_state(sim->vmstat, pg->node_id, i);
	if (nr_populated_zones(pg) > 1) {
		if (i >= NR_ZONE_INACTIVE_ANON && i <= NR_ZONE_ACTIVE_FILE)
			return lru[i - NR_ZONE_INACTIVE_ANON];
		bool highest = true;
		for (unsigned j = z->idx + 1; j < MAX_NR_ZONES; j++)
			highest &= !pg->node_zones[j].populated;
		if (!highest)
			return 0;
	}
	return v > 0 ? (u64)v : 0;
}

static void zone_lru_walk(const struct sim *sim, const struct zone *z, u64 lru[4])
{
	memset(lru, 0, 4 * sizeof(*lru));
	if (nr_populated_zones(z->zone_pgdat) < 2)
		return;
	for (u64 pfn = z->zone_start_pfn; pfn < z->zone_start_pfn + z->spanned_pages; pfn++) {
		const struct page_desc *p = &sim->phys->pages[pfn];
		if (!(p->flags & PG_lru))
			continue;
		bool anon = p->flags & (PG_anon | PG_swapbacked), active = p->flags & PG_active;
		lru[(anon ? 0 : 2) + (active ? 1 : 0)]++;
	}
}

#define MAX_RECLAIM_RETRIES 16

void procfs_zoneinfo(const struct sim *sim, FILE *f)
{
	const struct phys_mem *pm = sim->phys;
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		const struct pglist_data *pg = pm->node_data[n];
		bool first = true;
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = &pg->node_zones[zi];
			fprintf(f, "Node %u, zone %8s", n, zone_names[zi]);
			if (z->populated && first) {
				first = false;
				fprintf(f, "\n  per-node stats");
				for (unsigned i = NR_INACTIVE_ANON; i < NR_VM_STAT_ITEMS; i++) {
					s64 v = node_page_state(sim->vmstat, n, (enum vm_item)i);
					fprintf(f, "\n      %-12s %llu", vmstat_item_name((enum vm_item)i),
						(unsigned long long)(v > 0 ? v : 0));
				}
			}
			/* 6.1 shows min/low/high (the promo line came later) */
			fprintf(f, "\n  pages free     %llu\n        boost    %llu\n        min      %llu"
				   "\n        low      %llu\n        high     %llu"
				   "\n        spanned  %llu\n        present  %llu\n        managed  %llu"
				   "\n        cma      0\n        protection: (",
				(unsigned long long)z->free_pages, (unsigned long long)z->watermark_boost,
				(unsigned long long)wmark_pages(z, WMARK_MIN),
				(unsigned long long)wmark_pages(z, WMARK_LOW),
				(unsigned long long)wmark_pages(z, WMARK_HIGH),
				(unsigned long long)z->spanned_pages, (unsigned long long)z->present_pages,
				(unsigned long long)z->managed_pages);
			for (unsigned j = 0; j < MAX_NR_ZONES; j++)
				fprintf(f, "%s%llu", j ? ", " : "", (unsigned long long)z->lowmem_reserve[j]);
			fputc(')', f);
			if (!z->populated) {
				fputc('\n', f);
				continue;
			}
			u64 lru[4];
			zone_lru_walk(sim, z, lru);
			for (unsigned i = NR_FREE_PAGES; i < NR_INACTIVE_ANON; i++)
				fprintf(f, "\n      %-12s %llu", vmstat_item_name((enum vm_item)i),
					(unsigned long long)zone_item(sim, z, (enum vm_item)i, lru));
			fprintf(f, "\n  pagesets");
			for (unsigned c = 0; c < pm->nr_cpus; c++) {
				const struct per_cpu_pages *pcp = &z->pcp[c];
				fprintf(f, "\n    cpu: %u\n              count: %u\n              high:  %u"
					   "\n              batch: %u\n  vm stats threshold: %d", c,
					pcp->count, pcp->high, pcp->batch,
					zone_stat_threshold(z, pm->nr_cpus));
			}
			fprintf(f, "\n  node_unreclaimable:  %u\n  start_pfn:           %llu\n",
				pg->kswapd_failures >= MAX_RECLAIM_RETRIES ? 1u : 0u,
				(unsigned long long)z->zone_start_pfn);
		}
	}
}

static void node_kb(FILE *f, unsigned nid, const char *label, u64 pages)
{
	fprintf(f, "Node %u %-15s %8llu kB\n", nid, label, K(pages));
}

static u64 nstate(const struct sim *sim, unsigned nid, enum vm_item i)
{
	s64 v = node_page_state(sim->vmstat, nid, i);
	return v > 0 ? (u64)v : 0;
}

void procfs_node_meminfo(const struct sim *sim, unsigned nid, FILE *f)
{
	const struct pglist_data *pg = sim->phys->node_data[nid];
	u64 total = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		total += pg->node_zones[z].managed_pages;
	u64 free = nstate(sim, nid, NR_FREE_PAGES);
	u64 ia = nstate(sim, nid, NR_INACTIVE_ANON), aa = nstate(sim, nid, NR_ACTIVE_ANON);
	u64 inf = nstate(sim, nid, NR_INACTIVE_FILE), af = nstate(sim, nid, NR_ACTIVE_FILE);
	u64 sr = nstate(sim, nid, NR_SLAB_RECLAIMABLE_B), su = nstate(sim, nid, NR_SLAB_UNRECLAIMABLE_B);
	node_kb(f, nid, "MemTotal:", total);
	node_kb(f, nid, "MemFree:", free);
	node_kb(f, nid, "MemUsed:", total - min(total, free));
	node_kb(f, nid, "SwapCached:", nstate(sim, nid, NR_SWAPCACHE));
	node_kb(f, nid, "Active:", aa + af);
	node_kb(f, nid, "Inactive:", ia + inf);
	node_kb(f, nid, "Active(anon):", aa);
	node_kb(f, nid, "Inactive(anon):", ia);
	node_kb(f, nid, "Active(file):", af);
	node_kb(f, nid, "Inactive(file):", inf);
	node_kb(f, nid, "Unevictable:", nstate(sim, nid, NR_UNEVICTABLE));
	node_kb(f, nid, "Mlocked:", nstate(sim, nid, NR_MLOCK));
	node_kb(f, nid, "Dirty:", nstate(sim, nid, NR_FILE_DIRTY));
	node_kb(f, nid, "Writeback:", nstate(sim, nid, NR_WRITEBACK));
	node_kb(f, nid, "FilePages:", nstate(sim, nid, NR_FILE_PAGES));
	node_kb(f, nid, "Mapped:", nstate(sim, nid, NR_FILE_MAPPED));
	node_kb(f, nid, "AnonPages:", nstate(sim, nid, NR_ANON_MAPPED));
	node_kb(f, nid, "Shmem:", nstate(sim, nid, NR_SHMEM));
	node_kb(f, nid, "KernelStack:", 0);
	node_kb(f, nid, "PageTables:", nstate(sim, nid, NR_PAGETABLE));
	node_kb(f, nid, "SecPageTables:", 0);
	node_kb(f, nid, "NFS_Unstable:", 0);
	node_kb(f, nid, "Bounce:", 0);
	node_kb(f, nid, "WritebackTmp:", 0);
	node_kb(f, nid, "KReclaimable:", sr);
	node_kb(f, nid, "Slab:", sr + su);
	node_kb(f, nid, "SReclaimable:", sr);
	node_kb(f, nid, "SUnreclaim:", su);
	node_kb(f, nid, "AnonHugePages:", nstate(sim, nid, NR_ANON_THPS) * HPAGE_PMD_NR);
	node_kb(f, nid, "ShmemHugePages:", 0);
	node_kb(f, nid, "ShmemPmdMapped:", 0);
	node_kb(f, nid, "FileHugePages:", 0);
	node_kb(f, nid, "FilePmdMapped:", 0);
	struct hugetlb_counters hc;
	hugetlb_get_counters(sim, &hc);
	fprintf(f, "Node %u HugePages_Total: %5llu\nNode %u HugePages_Free:  %5llu\n"
		   "Node %u HugePages_Surp:  %5llu\n", nid, (unsigned long long)hc.node_total[nid],
		nid, (unsigned long long)hc.node_free[nid], nid,
		(unsigned long long)hc.node_surplus[nid]);
}

void procfs_node_vmstat(const struct sim *sim, unsigned nid, FILE *f)
{
	for (unsigned i = 0; i < NR_VM_STAT_ITEMS; i++)
		fprintf(f, "%s %llu\n", vmstat_item_name((enum vm_item)i),
			(unsigned long long)nstate(sim, nid, (enum vm_item)i));
}

/* The mapped pages of the hugetlb VMAs (hugetlb_report_usage counts them as mapped). */
static u64 hugetlb_mapped_pages(struct mm_struct *mm)
{
	u64 n = 0;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		if (!(v->vm_flags & VM_HUGETLB))
			continue;
		for (u64 a = v->vm_start; a < v->vm_end; a += PMD_SIZE) {
			struct pmd_slot *s = pmd_lookup(mm, a);
			if (s && s->kind == PMD_HUGE && (s->huge & PTE_PRESENT))
				n += HPAGE_PMD_NR;
		}
	}
	return n;
}

static void status_kb(FILE *f, const char *label, u64 pages)
{
	fprintf(f, "%s\t%8llu kB\n", label, K(pages));
}

void procfs_status(const struct sim *sim, struct mm_struct *mm, const char *comm, u32 pid,
		   u32 threads, FILE *f)
{
	(void)sim;
	fprintf(f, "Name:\t%s\nTgid:\t%u\nPid:\t%u\n", comm, pid, pid);
	if (mm) {
		u64 data = 0, stack = 0, exec = 0;
		for (u32 i = 0; i < mm->nr_vmas; i++) {
			const struct vm_area_struct *v = mm->vmas[i];
			u64 np = (v->vm_end - v->vm_start) >> PAGE_SHIFT, fl = v->vm_flags;
			/* vm_stat_account's classes */
			if (fl & VM_GROWSDOWN)
				stack += np;
			else if ((fl & (VM_WRITE | VM_SHARED)) == VM_WRITE)
				data += np;
			else if ((fl & (VM_EXEC | VM_WRITE)) == VM_EXEC)
				exec += np;
		}
		u64 rss = get_mm_rss(mm);
		status_kb(f, "VmPeak:", max(mm->hiwater_vm, mm->total_vm));
		status_kb(f, "VmSize:", mm->total_vm);
		status_kb(f, "VmLck:", 0);
		status_kb(f, "VmPin:", 0);
		status_kb(f, "VmHWM:", max(mm->hiwater_rss, rss));
		status_kb(f, "VmRSS:", rss);
		status_kb(f, "RssAnon:", mm->rss_anon);
		status_kb(f, "RssFile:", mm->rss_file);
		status_kb(f, "RssShmem:", mm->rss_shmem);
		status_kb(f, "VmData:", data);
		status_kb(f, "VmStk:", stack);
		status_kb(f, "VmExe:", 0);
		status_kb(f, "VmLib:", exec);
		status_kb(f, "VmPTE:", mm->nr_ptes);
		status_kb(f, "VmSwap:", mm->swap_ents);
		status_kb(f, "HugetlbPages:", hugetlb_mapped_pages(mm));
		fprintf(f, "CoreDumping:\t0\nTHP_enabled:\t%d\n", mm->thp_disabled ? 0 : 1);
	}
	fprintf(f, "Threads:\t%u\n", threads);
}

static void smaps_vmflags(FILE *f, u64 fl)
{
	static const struct { u64 flag; const char *name; } mn[] = {
		{ VM_READ, "rd" }, { VM_WRITE, "wr" }, { VM_EXEC, "ex" }, { VM_SHARED, "sh" },
		{ VM_MAYREAD, "mr" }, { VM_MAYWRITE, "mw" }, { VM_MAYEXEC, "me" },
		{ VM_GROWSDOWN, "gd" }, { VM_LOCKED, "lo" }, { VM_DONTCOPY, "dc" },
		{ VM_DONTEXPAND, "de" }, { VM_ACCOUNT, "ac" }, { VM_NORESERVE, "nr" },
		{ VM_HUGETLB, "ht" }, { VM_WIPEONFORK, "wf" }, { VM_HUGEPAGE, "hg" },
		{ VM_NOHUGEPAGE, "nh" },
	};
	fprintf(f, "VmFlags:");
	for (size_t i = 0; i < ARRAY_SIZE(mn); i++)
		if (fl & mn[i].flag)
			fprintf(f, " %s", mn[i].name);
	fputc('\n', f);
}

void procfs_smaps(const struct sim *sim, struct mm_struct *mm, FILE *f)
{
	if (!mm)
		return;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		struct mm_struct one = *mm;      /* this VMA alone, for the maps line and swap */
		struct vm_area_struct *only[1] = { v };
		one.vmas = only;
		one.nr_vmas = 1;
		procfs_maps(sim, &one, f);
		struct rollup r = { 0 };
		walk_vma_ptes(sim, v, rollup_pte, &r);
		u64 swap = 0;
		for (u64 a = ALIGN_DOWN(v->vm_start, PMD_SIZE); mm->swap_ents && a < v->vm_end;
		     a += PMD_SIZE) {
			struct pmd_slot *s = pmd_lookup(mm, a);
			if (!s || s->kind != PMD_TABLE || !s->table->nr_present)
				continue;
			for (u64 x = max(a, v->vm_start); x < min(a + PMD_SIZE, v->vm_end); x += PAGE_SIZE)
				swap += pte_is_swap(pte_get(s->table, pte_index(x)));
		}
		u64 psz = (v->vm_flags & VM_HUGETLB) ? PMD_SIZE : PAGE_SIZE;
		rkb(f, "Size:", v->vm_end - v->vm_start);
		rkb(f, "KernelPageSize:", psz);
		rkb(f, "MMUPageSize:", psz);
		show_smap_fields(f, &r, false);
		rkb(f, "Swap:", swap << PAGE_SHIFT);
		rkb(f, "SwapPss:", swap_pss(sim, &one) >> PSS_SHIFT);
		rkb(f, "Locked:", r.pss_locked >> PSS_SHIFT);
		fprintf(f, "THPeligible:    %d\n", hugepage_vma_check(sim, v, true, false, true) ? 1 : 0);
		smaps_vmflags(f, v->vm_flags);
	}
}
