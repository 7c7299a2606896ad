/* highalloc_log.c - records of measured high-order allocations and their outputs. */
#include <stdlib.h>

#include "sim.h"
#include "mm/mmzone.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "stats/json.h"
#include "task/highalloc_log.h"

static struct highalloc_frag frag_now(struct sim *sim)
{
	struct highalloc_frag f = { 0 };
	struct phys_mem *pm = sim->phys;
	struct contig_page_info i3 = { 0 }, i9 = { 0 };
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (!zone_is_populated(z))
				continue;
			struct contig_page_info c;
			fill_contig_page_info(z, 3, &c);
			i3.free_pages += c.free_pages;
			i3.free_blocks_total += c.free_blocks_total;
			i3.free_blocks_suitable += c.free_blocks_suitable;
			fill_contig_page_info(z, 9, &c);
			i9.free_pages += c.free_pages;
			i9.free_blocks_total += c.free_blocks_total;
			i9.free_blocks_suitable += c.free_blocks_suitable;
			f.polluted_pageblocks += zone_polluted_pageblocks(pm, z);
		}
	f.unusable_o3 = unusable_free_index(3, &i3);
	f.unusable_o9 = unusable_free_index(9, &i9);
	f.fragindex_o3 = __fragmentation_index(3, &i3);
	f.fragindex_o9 = __fragmentation_index(9, &i9);
	f.free_pages = i9.free_pages;
	f.free_o9_blocks = i9.free_blocks_suitable;
	return f;
}

void highalloc_before(struct sim *sim)
{
	if (!sim->highalloc)
		sim->highalloc = xcalloc(1, sizeof(*sim->highalloc));
	struct highalloc_log *l = sim->highalloc;
	l->last = frag_now(sim);
	if (!l->nr)
		l->first = l->last;
}

void highalloc_record(struct sim *sim, u64 t_ns, u64 latency_ns, unsigned order, bool atomic,
		      bool ok)
{
	if (!sim->highalloc)
		sim->highalloc = xcalloc(1, sizeof(*sim->highalloc));
	struct highalloc_log *l = sim->highalloc;
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->recs = xrealloc(l->recs, l->cap * sizeof(*l->recs));
	}
	l->recs[l->nr++] = (struct highalloc_rec){ t_ns, latency_ns, (u8)order, atomic, ok };
}

void highalloc_log_destroy(struct highalloc_log *log)
{
	if (!log)
		return;
	free(log->recs);
	free(log);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[n]. */
static u64 pct(const u64 *v, u32 n, unsigned p)
{
	if (!n)
		return 0;
	u32 rank = (u32)(((u64)p * n + 99) / 100);
	return v[rank ? rank - 1 : 0];
}

struct ha_group {
	u64 attempts, ok, sum_ns, p50, p99, max;
};

/* Attempts of order (0: all orders) and kind (0 kernel, 1 atomic, 2 both). */
static struct ha_group group(const struct highalloc_log *l, unsigned order, unsigned kind)
{
	struct ha_group g = { 0 };
	u64 *lat = xmalloc((l->nr + 1) * sizeof(*lat));
	u32 n = 0;
	for (u32 i = 0; i < l->nr; i++) {
		const struct highalloc_rec *r = &l->recs[i];
		if ((order && r->order != order) || (kind < 2 && r->atomic != (kind == 1)))
			continue;
		g.attempts++;
		g.ok += r->ok;
		g.sum_ns += r->latency_ns;
		lat[n++] = r->latency_ns;
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	g.p50 = pct(lat, n, 50);
	g.p99 = pct(lat, n, 99);
	g.max = n ? lat[n - 1] : 0;
	free(lat);
	return g;
}

static struct json *group_json(const struct ha_group *g)
{
	struct json *o = json_object();
	json_set_u64(o, "attempts", g->attempts);
	json_set_u64(o, "ok", g->ok);
	json_set_u64(o, "latency_p50_ns", g->p50);
	json_set_u64(o, "latency_p99_ns", g->p99);
	json_set_u64(o, "latency_max_ns", g->max);
	json_set_u64(o, "latency_mean_ns", g->attempts ? g->sum_ns / g->attempts : 0);
	return o;
}

static const char *const kind_names[] = { "kernel", "atomic" };

struct json *highalloc_json(const struct sim *sim)
{
	const struct highalloc_log *l = sim->highalloc;
	if (!l || !l->nr)
		return NULL;
	struct json *o = json_object();
	struct ha_group all = group(l, 0, 2);
	json_set(o, "all", group_json(&all));
	struct json *by = json_object();
	for (unsigned order = 1; order <= 10; order++) {
		struct json *ko = NULL;
		for (unsigned k = 0; k < 2; k++) {
			struct ha_group g = group(l, order, k);
			if (!g.attempts)
				continue;
			if (!ko)
				ko = json_object();
			json_set(ko, kind_names[k], group_json(&g));
		}
		if (ko) {
			char key[8];
			snprintf(key, sizeof(key), "%u", order);
			json_set(by, key, ko);
		}
	}
	json_set(o, "by_order", by);
	/* success rate over time: the attempts in ten equal windows of the measured span */
	u64 t0 = l->recs[0].t_ns, t1 = l->recs[l->nr - 1].t_ns + 1;
	struct json *win = json_array();
	for (unsigned w = 0; w < 10; w++) {
		u64 a = t0 + (t1 - t0) * w / 10, b = t0 + (t1 - t0) * (w + 1) / 10;
		u64 n = 0, ok = 0;
		for (u32 i = 0; i < l->nr; i++)
			if (l->recs[i].t_ns >= a && l->recs[i].t_ns < b) {
				n++;
				ok += l->recs[i].ok;
			}
		struct json *e = json_object();
		json_set_u64(e, "from_ns", a);
		json_set_u64(e, "attempts", n);
		json_set_u64(e, "ok", ok);
		json_push(win, e);
	}
	json_set(o, "windows", win);
	for (unsigned k = 0; k < 2; k++) {
		const struct highalloc_frag *f = k ? &l->last : &l->first;
		struct json *j = json_object();
		json_set(j, "unusable_index_o3", json_s64(f->unusable_o3));
		json_set(j, "unusable_index_o9", json_s64(f->unusable_o9));
		json_set(j, "fragmentation_index_o3", json_s64(f->fragindex_o3));
		json_set(j, "fragmentation_index_o9", json_s64(f->fragindex_o9));
		json_set_u64(j, "free_pages", f->free_pages);
		json_set_u64(j, "free_o9_blocks", f->free_o9_blocks);
		json_set_u64(j, "polluted_pageblocks", f->polluted_pageblocks);
		json_set(o, k ? "before_last" : "before_first", j);
	}
	return o;
}

void highalloc_write_csv(FILE *f, const struct sim *sim)
{
	const struct highalloc_log *l = sim->highalloc;
	fprintf(f, "time_ns,order,kind,ok,latency_ns\n");
	for (u32 i = 0; l && i < l->nr; i++) {
		const struct highalloc_rec *r = &l->recs[i];
		fprintf(f, "%llu,%u,%s,%d,%llu\n", (unsigned long long)r->t_ns, r->order,
			kind_names[r->atomic], r->ok, (unsigned long long)r->latency_ns);
	}
}

