/* vmstat.c - vm counters and the /proc and debugfs formats of the buddy state. */
#include <stdlib.h>

#include "sim.h"
#include "engine/task.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"

static const char *const vm_item_names[NR_VM_ITEMS] = {
#define VM_ITEM_NAME(e, n) n,
	VM_ITEMS(VM_ITEM_NAME)
#undef VM_ITEM_NAME
};

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

const char *const zone_names[MAX_NR_ZONES] = { "DMA32", "Normal" };

struct vmstat *vmstat_create(unsigned nr_nodes)
{
	struct vmstat *vs = xcalloc(1, sizeof(*vs));
	vs->nr_nodes = nr_nodes;
	vs->node = xcalloc(nr_nodes, sizeof(*vs->node));
	return vs;
}

void vmstat_destroy(struct vmstat *vs)
{
	if (!vs)
		return;
	free(vs->node);
	free(vs);
}

const char *vmstat_item_name(enum vm_item i)
{
	return i < NR_VM_ITEMS ? vm_item_names[i] : "?";
}

void count_vm_event(struct task *tsk, enum vm_item i)
{
	tsk->sim->vmstat->node[tsk->node][i]++;
}

void count_vm_events(struct task *tsk, enum vm_item i, u64 n)
{
	tsk->sim->vmstat->node[tsk->node][i] += (s64)n;
}

void mod_node_page_state(struct task *tsk, unsigned nid, enum vm_item i, s64 delta)
{
	tsk->sim->vmstat->node[nid][i] += delta;
}

s64 node_page_state(const struct vmstat *vs, unsigned nid, enum vm_item i)
{
	return vs->node[nid][i];
}

s64 global_vm_state(const struct vmstat *vs, enum vm_item i)
{
	s64 sum = 0;
	for (unsigned n = 0; n < vs->nr_nodes; n++)
		sum += vs->node[n][i];
	return sum;
}

void vmstat_write_proc(const struct vmstat *vs, FILE *f)
{
	for (unsigned i = 0; i < NR_VM_ITEMS; i++)
		fprintf(f, "%s %lld\n", vm_item_names[i], (long long)global_vm_state(vs, i));
}

void write_node_numastat(const struct vmstat *vs, unsigned nid, FILE *f)
{
	static const struct {
		const char *label;
		enum vm_item item;
	} rows[] = {
		{ "numa_hit", NUMA_HIT },
		{ "numa_miss", NUMA_MISS },
		{ "numa_foreign", NUMA_FOREIGN },
		{ "interleave_hit", NUMA_INTERLEAVE_HIT },
		{ "local_node", NUMA_LOCAL },
		{ "other_node", NUMA_OTHER },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++)
		fprintf(f, "%s %lld\n", rows[i].label, (long long)node_page_state(vs, nid, rows[i].item));
}

/* ---- fragmentation ---- */

void fill_contig_page_info(const struct zone *z, unsigned order, struct contig_page_info *info)
{
	info->free_pages = info->free_blocks_total = info->free_blocks_suitable = 0;
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		u64 blocks = z->free_area[o].nr_free;
		info->free_blocks_total += blocks;
		info->free_pages += blocks << o;
		if (o >= order)
			info->free_blocks_suitable += blocks << (o - order);
	}
}

int __fragmentation_index(unsigned order, const struct contig_page_info *info)
{
	if (!info->free_blocks_total)
		return 0;
	/* the allocation would succeed: the index does not apply */
	if (info->free_blocks_suitable)
		return -1000;
	/* 0: failure comes from lack of memory; towards 1000: from fragmentation */
	u64 requested = 1ULL << order;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) / info->free_blocks_total);
}

int fragmentation_index(const struct zone *z, unsigned order)
{
	struct contig_page_info info;
	fill_contig_page_info(z, order, &info);
	return __fragmentation_index(order, &info);
}

int unusable_free_index(unsigned order, const struct contig_page_info *info)
{
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000 /
		     info->free_pages);
}

unsigned extfrag_for_order(const struct zone *z, unsigned order)
{
	struct contig_page_info info;
	fill_contig_page_info(z, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned)((info.free_pages - (info.free_blocks_suitable << order)) * 100 /
			  info.free_pages);
}

/* Zones in /proc order: node by node, zones upward, populated only. */
#define for_each_populated_zone(pm, nid, z)                                                 \
	for (unsigned nid = 0; nid < (pm)->nr_nodes; nid++)                                 \
		for (const struct zone *z = (pm)->node_data[nid]->node_zones;               \
		     z < (pm)->node_data[nid]->node_zones + MAX_NR_ZONES; z++)              \
			if (zone_is_populated(z))

void write_buddyinfo(const struct phys_mem *pm, FILE *f)
{
	for_each_populated_zone(pm, nid, z) {
		fprintf(f, "Node %u, zone %8s ", nid, zone_names[z->idx]);
		for (unsigned o = 0; o < MAX_ORDER; o++)
			fprintf(f, "%6llu ", (unsigned long long)z->free_area[o].nr_free);
		fputc('\n', f);
	}
}

void write_pagetypeinfo(const struct phys_mem *pm, FILE *f)
{
	fprintf(f, "Page block order: %d\n", pageblock_order);
	fprintf(f, "Pages per block:  %lu\n\n", pageblock_nr_pages);
	fprintf(f, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned o = 0; o < MAX_ORDER; o++)
		fprintf(f, "%6u ", o);
	fputc('\n', f);
	for_each_populated_zone(pm, nid, z) {
		for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
			fprintf(f, "Node %4u, zone %8s, type %12s ", nid, zone_names[z->idx],
				migratetype_names[mt]);
			for (unsigned o = 0; o < MAX_ORDER; o++) {
				u64 n = z->free_area[o].nr_free_mt[mt];
				if (n >= 100000)
					fprintf(f, ">%6llu ", 100000ULL);
				else
					fprintf(f, "%6llu ", (unsigned long long)n);
			}
			fputc('\n', f);
		}
	}
	fprintf(f, "\n%-23s", "Number of blocks type ");
	for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
		fprintf(f, "%12s ", migratetype_names[mt]);
	fputc('\n', f);
	for_each_populated_zone(pm, nid, z) {
		u64 count[MIGRATE_TYPES] = { 0 };
		u64 first = z->zone_start_pfn >> pageblock_order;
		u64 last = (z->zone_start_pfn + z->spanned_pages - 1) >> pageblock_order;
		for (u64 pb = first; pb <= last; pb++)
			count[pm->pb_type[pb]]++;
		fprintf(f, "Node %d, zone %8s ", nid, zone_names[z->idx]);
		for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
			fprintf(f, "%12llu ", (unsigned long long)count[mt]);
		fputc('\n', f);
	}
}

static void write_index_file(const struct phys_mem *pm, FILE *f, bool extfrag)
{
	for_each_populated_zone(pm, nid, z) {
		fprintf(f, "Node %d, zone %8s ", nid, zone_names[z->idx]);
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			struct contig_page_info info;
			fill_contig_page_info(z, o, &info);
			/* -1000 ("a suitable block exists") prints as -1.000 */
			if (extfrag) {
				int idx = __fragmentation_index(o, &info);
				fprintf(f, "%2d.%03d ", idx / 1000, abs(idx % 1000));
			} else {
				int idx = unusable_free_index(o, &info);
				fprintf(f, "%d.%03d ", idx / 1000, idx % 1000);
			}
		}
		fputc('\n', f);
	}
}

void write_unusable_index(const struct phys_mem *pm, FILE *f)
{
	write_index_file(pm, f, false);
}

void write_extfrag_index(const struct phys_mem *pm, FILE *f)
{
	write_index_file(pm, f, true);
}

u64 zone_polluted_pageblocks(const struct phys_mem *pm, const struct zone *z)
{
	u64 n = 0;
	u64 first = z->zone_start_pfn >> pageblock_order;
	u64 last = (z->zone_start_pfn + z->spanned_pages - 1) >> pageblock_order;
	for (u64 pb = first; pb <= last; pb++) {
		unsigned type = pm->pb_type[pb];
		if (type >= MIGRATE_PCPTYPES)
			continue;   /* reserve or isolated blocks have no owner type */
		for (unsigned mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			if (mt != type && pm->pb_used[pb][mt]) {
				n++;
				break;
			}
		}
	}
	return n;
}
