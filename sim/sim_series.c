/* sim_series.c - per-order free-block and fragmentation-index series and lock_stat
 * totals over simulated time (see sim_series.h). */
#include <stdlib.h>

#include "sim.h"
#include "sim_series.h"
#include "stats/sampler.h"
#include "locks/lockstat.h"
#include "mm/mmzone.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"

struct sim_series {
	struct sim *sim;
	const struct zone *zones[MAX_NUMNODES * MAX_NR_ZONES];
	unsigned nr_zones;
	char **buddy_cols, **frag_cols;   /* nr_zones * MAX_ORDER each */
};

static const char *const lock_cols[] = { "acquisitions", "contentions", "wait_total_ns",
					  "hold_total_ns" };

static void buddy_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim_series *ss = arg;
	(void)now_ns;
	for (unsigned i = 0; i < ss->nr_zones; i++)
		for (unsigned o = 0; o < MAX_ORDER; o++)
			vals[i * MAX_ORDER + o] = (double)ss->zones[i]->free_area[o].nr_free;
}

static void frag_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim_series *ss = arg;
	(void)now_ns;
	for (unsigned i = 0; i < ss->nr_zones; i++)
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			struct contig_page_info info;
			fill_contig_page_info(ss->zones[i], o, &info);
			vals[i * MAX_ORDER + o] = __fragmentation_index(o, &info);
		}
}

static void locks_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim_series *ss = arg;
	const struct lockstat *ls = ss->sim->lockstat;
	(void)now_ns;
	u64 acq = 0, con = 0, wait = 0, hold = 0;
	for (size_t i = 0; i < lockstat_nr_classes(ls); i++)
		for (int rw = LS_WRITE; rw <= LS_READ; rw++) {
			const struct lock_stat_row *r =
				lockstat_class_row(ls, lockstat_class_name_at(ls, i), rw);
			if (!r)
				continue;
			acq += r->acquisitions;
			con += r->contentions;
			wait += r->wait_total;
			hold += r->hold_total;
		}
	vals[0] = (double)acq;
	vals[1] = (double)con;
	vals[2] = (double)wait;
	vals[3] = (double)hold;
}

struct sim_series *sim_series_register(struct sim *s)
{
	struct sim_series *ss = xcalloc(1, sizeof(*ss));
	ss->sim = s;
	for (unsigned n = 0; n < s->phys->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			if (s->phys->node_data[n]->node_zones[zi].populated)
				ss->zones[ss->nr_zones++] = &s->phys->node_data[n]->node_zones[zi];
	unsigned nc = ss->nr_zones * MAX_ORDER;
	ss->buddy_cols = xcalloc(nc, sizeof(*ss->buddy_cols));
	ss->frag_cols = xcalloc(nc, sizeof(*ss->frag_cols));
	for (unsigned i = 0; i < ss->nr_zones; i++)
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			const struct zone *z = ss->zones[i];
			ss->buddy_cols[i * MAX_ORDER + o] =
				xasprintf("node%u_%s_o%u", z->zone_pgdat->node_id, zone_names[z->idx], o);
			ss->frag_cols[i * MAX_ORDER + o] =
				xasprintf("node%u_%s_fragindex_o%u", z->zone_pgdat->node_id,
					  zone_names[z->idx], o);
		}
	sampler_add(s->sampler, "buddyinfo.csv", (const char *const *)ss->buddy_cols, nc,
		    buddy_probe, ss);
	sampler_add(s->sampler, "extfrag.csv", (const char *const *)ss->frag_cols, nc, frag_probe,
		    ss);
	sampler_add(s->sampler, "locks.csv", lock_cols, ARRAY_SIZE(lock_cols), locks_probe, ss);
	return ss;
}

void sim_series_destroy(struct sim_series *ss)
{
	if (!ss)
		return;
	for (unsigned i = 0; i < ss->nr_zones * MAX_ORDER; i++) {
		free(ss->buddy_cols[i]);
		free(ss->frag_cols[i]);
	}
	free(ss->buddy_cols);
	free(ss->frag_cols);
	free(ss);
}
