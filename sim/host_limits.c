/* host_limits.c - the host memory a scenario's machine needs, checked before it is built.
 *
 * The estimate counts what sim_create() allocates for the machine plus the per-page arrays
 * that are filled as the machine's memory is used, since a run that uses its machine
 * touches them all:
 *
 *   estimate = 34 MiB                       SimGrid, the engine, libyaml, the code itself
 *            + 24 B x pages                 struct page_desc (16 B, mm/mmzone.h, allocated
 *                                           at start-up) + the rmap's u64 per page
 *                                           (mm/rmap.c, allocated per pageblock on first use;
 *                                           the worst case: a pageblock of pages faulted in
 *                                           order costs 80 B, not 4 KiB)
 *            + 8 B x pageblocks             pb_type, pb_zone, pb_used (page_alloc.c)
 *            + 6 B x swap slots             swap_map, swap cache index, readahead mark
 *                                           (swapfile.c, allocated at start-up, filled on use)
 *
 * Page tables, VMAs, the page cache and sampled series grow with what the workloads do and
 * are not counted: they are run-time, bounded by --max-memory. Calibrated with
 * /usr/bin/time -v on a 1-CPU machine running one 4 KiB touch (peak RSS): 1 GiB, 16 GiB and
 * 64 GiB all 34.5 MiB, and 1 TiB over 8 nodes 37 MiB: start-up writes no descriptor of a
 * free max-order block (struct zone_lazy, mm/mmzone.h; before that, one descriptor in 1024
 * was written, about 4 B per page resident at once: 64 GiB took 97.6 MiB, 1 TiB 1.09 GB):
 * the rest arrives as pages are used, which is what the estimate is for; 8 GiB with 6 GiB
 * touched: see the measurement in the note. A 64 TiB machine: about 384 GiB. */
#include "host_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "mm/mmzone.h"

#define HOST_BASE_BYTES (34ULL << 20)
#define HOST_PER_PAGE 24ULL
#define HOST_PER_PAGEBLOCK 8ULL
#define HOST_PER_SWAP_SLOT 6ULL

static u64 machine_bytes(const struct scenario *scn)
{
	u64 mem = 0;
	for (unsigned n = 0; n < scn->machine.nr_nodes; n++)
		mem += scn->machine.node_memory[n];
	return mem;
}

u64 host_machine_estimate(const struct scenario *scn)
{
	u64 pages = machine_bytes(scn) >> PAGE_SHIFT;
	u64 pageblocks = DIV_ROUND_UP(pages, pageblock_nr_pages);
	u64 slots = scn->machine.swap.size >> PAGE_SHIFT;
	return HOST_BASE_BYTES + HOST_PER_PAGE * pages + HOST_PER_PAGEBLOCK * pageblocks +
	       HOST_PER_SWAP_SLOT * slots;
}

int host_available(u64 *bytes, char *err, size_t len)
{
	*bytes = 0;
	const char *env = getenv("MMSIM_HOST_AVAILABLE");
	if (env && *env) {
		char reason[128] = "";
		if (units_parse_size(env, bytes, reason, sizeof(reason)) < 0) {
			snprintf(err, len, "MMSIM_HOST_AVAILABLE: expected a size like 16GiB, got "
				 "\"%s\"%s%s", env, *reason ? ": " : "", reason);
			return -1;
		}
		return 0;
	}
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	char line[256];
	unsigned long long kb;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			*bytes = (u64)kb << 10;
			break;
		}
	}
	fclose(f);
	return 0;
}

void host_format_approx(u64 bytes, char *buf, size_t len)
{
	double gib = (double)bytes / (double)(1ULL << 30);
	if (gib >= 10)
		snprintf(buf, len, "%.0f GiB", gib);
	else if (gib >= 1)
		snprintf(buf, len, "%.1f GiB", gib);
	else
		snprintf(buf, len, "%.0f MiB", (double)bytes / (double)(1ULL << 20));
}

/* "machine.nodes x machine.memory_per_node = 64TiB" or "machine.node_memory = 3GiB",
 * with "+ machine.swap.size = 1TiB" when there is swap. */
static void describe_machine(const struct scenario *scn, char *buf, size_t len)
{
	const struct machine_cfg *m = &scn->machine;
	bool uniform = true;
	for (unsigned n = 0; n < m->nr_nodes; n++)
		uniform &= m->node_memory[n] == m->memory_per_node;
	char mem[32], swap[32];
	units_format_size(machine_bytes(scn), mem, sizeof(mem));
	int k = snprintf(buf, len, "%s = %s", uniform ? "machine.nodes x machine.memory_per_node" :
			 "machine.node_memory", mem);
	if (m->swap.size && k > 0 && (size_t)k < len) {
		units_format_size(m->swap.size, swap, sizeof(swap));
		snprintf(buf + k, len - (size_t)k, " + machine.swap.size = %s", swap);
	}
}

int host_limits_check(const struct scenario *scn, u64 max_memory, char *err, size_t len)
{
	u64 need = host_machine_estimate(scn), avail;
	char why[256] = "";
	if (host_available(&avail, why, sizeof(why)) < 0) {
		snprintf(err, len, "mmsim: %s", why);
		return -1;
	}
	bool over_avail = avail && need > avail, over_max = max_memory && need > max_memory;
	if (!over_avail && !over_max)
		return 0;
	char desc[160], n[32], a[32], mx[32];
	describe_machine(scn, desc, sizeof(desc));
	host_format_approx(need, n, sizeof(n));
	host_format_approx(avail, a, sizeof(a));
	host_format_approx(max_memory, mx, sizeof(mx));
	bool by_avail = over_avail && (!max_memory || avail <= max_memory);
	char lim[192];
	if (by_avail && max_memory)
		snprintf(lim, sizeof(lim), "this host has %s available (--max-memory %s)", a, mx);
	else if (by_avail)
		snprintf(lim, sizeof(lim), "this host has %s available", a);
	else if (avail)
		snprintf(lim, sizeof(lim), "--max-memory is %s (this host has %s available)", mx, a);
	else
		snprintf(lim, sizeof(lim), "--max-memory is %s", mx);
	snprintf(err, len, "%s: %s needs about %s of host memory at start-up; %s", scn->path, desc,
		 n, lim);
	return -1;
}
