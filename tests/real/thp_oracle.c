/* thp_oracle.c - ground truth for mmsim's THP fault model and khugepaged: AnonHugePages of
 * the process and the global THP counters after every step of scenarios built on
 * reference/thp-khugepaged.md (§2-§5, §10): fault-time THP under each enabled value, the
 * huge zero page, unaligned mappings, MADV_COLLAPSE's edge cases, khugepaged ladders of
 * max_ptes_none, khugepaged on PTE-mapped THPs and on pages shared over fork.
 *
 * Run as root. The program sets the knobs it needs by writing words and numbers to
 * /sys/kernel/mm/transparent_hugepage/ (enabled, defrag, use_zero_page,
 * khugepaged/max_ptes_none, scan_sleep_millisecs, pages_to_scan; strace shows the writes,
 * which the importer turns into sysctl ops) and restores what it found at the end. Only
 * the PMD size is used: on a kernel with multi-size THP, the hugepages-<size>kB/enabled
 * files must say never, except the PMD size's, which must say inherit (checked at the
 * start; the program refuses to run otherwise, so that it changes no mTHP knob). Memory
 * is touched only through madvise(MADV_POPULATE_WRITE/READ), never by loads or stores, so
 * that strace sees every fault.
 *
 * Every region lives at the fixed address BASE (1 GiB, 2 MiB aligned, far from anything
 * else, so that no VMA merges with it) and is unmapped at the end of its scenario. After
 * every step the program reads /proc/self/smaps_rollup, /proc/vmstat and khugepaged's
 * pages_collapsed and full_scans, in that order (open, one read, close: the importer makes
 * each read a snapshot), and keeps under "== STEP" the AnonHugePages line as read, the
 * changes since the previous step of thp_fault_alloc, thp_collapse_alloc,
 * thp_fault_fallback, thp_collapse_alloc_failed, thp_split_pmd, thp_zero_page_alloc and
 * pages_collapsed, then "# spec ..." (the same figures as the reference's rules give
 * them), "# differs from the spec" where the kernel disagrees, and, for calls whose result
 * matters, "# result CALL = 0|-ERRNO". full_scans is only waited on: khugepaged steps
 * wait until it has advanced by 2 since the layout was made eligible (polling it every
 * 10 ms, at most 10 s; each poll is one more full_scans snapshot in the log), so that
 * khugepaged has looked at the whole range at least once; how many passes it made is
 * timing and is not kept. Between ladders khugepaged sleeps (scan_sleep_millisecs one
 * hour), so that the global counters move only by this program's doing.
 *
 * Build and record (tests/real/README.md):
 *   cc -O1 -o thp_oracle thp_oracle.c
 *   strace -f -tt -e trace=memory,process,ipc,desc,prctl -s 64 -o thp_oracle.strace \
 *       ./thp_oracle thp_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG 4096UL
#define HP (2UL << 20)
#define NPTE 512
#define BASE ((char *)(1UL << 30))
#define RW (PROT_READ | PROT_WRITE)
#define THP "/sys/kernel/mm/transparent_hugepage/"
#define KH THP "khugepaged/"

/* What the truth file gets, shared with the children (their steps go in as they run). */
#define NR_CTR 7
static struct shared {
	size_t len;
	long long ctr_prev[NR_CTR];     /* the counters at the previous step */
	char note[512];                 /* "# result ..." lines of the current step */
	char text[1 << 18];
} *sh;

/* knobs changed, and what they said at the start */
static const char *const knob_paths[] = {
	THP "enabled", THP "defrag", KH "max_ptes_none", KH "scan_sleep_millisecs",
	KH "pages_to_scan", THP "use_zero_page",
};
static char knob_orig[6][64];

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(2, buf, (size_t)n) < 0)
		_exit(9);
}

static void restore(void);
static bool restoring;          /* restore() is running: a failed write just exits */

static void knob_write(const char *path, const char *val)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%s\n", val);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		say("cannot write %s to %s: %s\n", val, path, strerror(errno));
		if (!restoring && knob_orig[0][0])
			restore();
		exit(2);
	}
	close(fd);
}

/* The file's text, without the trailing newline. */
static void knob_read(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, out, len - 1);
	if (n <= 0) {
		say("cannot read %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
	out[n] = '\0';
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

/* "always [madvise] never" -> "madvise"; a number stays as it is */
static void selected(char *s)
{
	char *o = strchr(s, '['), *c = o ? strchr(o, ']') : NULL;
	if (o && c) {
		*c = '\0';
		memmove(s, o + 1, strlen(o + 1) + 1);
	}
}

static void restore(void)
{
	restoring = true;
	for (size_t i = 0; i < sizeof(knob_paths) / sizeof(knob_paths[0]); i++)
		knob_write(knob_paths[i], knob_orig[i]);
}

static void fail(const char *what)
{
	say("thp_oracle: %s: %s\n", what, strerror(errno));
	munmap(BASE, 8 * HP);
	restore();
	exit(3);
}

static long long counter_of(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && (l[kl] == ' ' || l[kl] == ':'))
			return atoll(l + kl + 1 + (l[kl] == ':'));
	say("no %s\n", key);
	exit(2);
}

/* One open, one read, one close: one snapshot in the log. */
static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (n <= 0)
		fail(path);
	close(fd);
	buf[n] = '\0';
}

/* The counters kept, from /proc/vmstat, then khugepaged's pages_collapsed. */
static const char *const ctr_names[NR_CTR] = {
	"thp_fault_alloc", "thp_collapse_alloc", "thp_fault_fallback", "thp_collapse_alloc_failed",
	"thp_split_pmd", "thp_zero_page_alloc", "pages_collapsed",
};

/* Expected figures (from the reference's rules): AnonHugePages in kB and the counters'
 * changes, in the order of ctr_names; fallbacks and failed allocations are never
 * expected. ahp_kb -1: no expectation; a change -1: either way ("+?"). */
struct spec {
	long ahp_kb;
	long d[NR_CTR];
};
#define SPEC(a, f, c) ((struct spec){ a, { f, c } })
#define NOSPEC ((struct spec){ -1, { 0 } })
enum { C_FAULT, C_COLLAPSE, C_FALLBACK, C_COLLAPSE_FAILED, C_SPLIT_PMD, C_ZERO, C_KHUGEPAGED };

static void read_counters(long long v[NR_CTR], long *ahp_kb, char *ahp_line, size_t ahp_len)
{
	static char buf[16384];
	slurp("/proc/self/smaps_rollup", buf, sizeof(buf));
	char *l = strstr(buf, "AnonHugePages:");
	if (!l)
		fail("AnonHugePages line missing");
	char *e = strchr(l, '\n');
	snprintf(ahp_line, ahp_len, "%.*s", (int)(e - l), l);
	*ahp_kb = atol(l + 14);
	slurp("/proc/vmstat", buf, sizeof(buf));
	for (int i = 0; i < NR_CTR - 1; i++)
		v[i] = counter_of(buf, ctr_names[i]);
	slurp(KH "pages_collapsed", buf, sizeof(buf));
	v[NR_CTR - 1] = atoll(buf);
	slurp(KH "full_scans", buf, sizeof(buf));
}

static void step(const char *name, struct spec sp)
{
	long long v[NR_CTR], d[NR_CTR];
	long ahp;
	char line[128];
	read_counters(v, &ahp, line, sizeof(line));
	if (!sh->len)
		memcpy(sh->ctr_prev, v, sizeof(v));   /* the first step: the counters' origin */
	char *t = sh->text + sh->len;
	size_t room = sizeof(sh->text) - sh->len;
	int w = snprintf(t, room, "== %s\n%s\n", name, line);
	bool differs = sp.ahp_kb >= 0 && ahp != sp.ahp_kb;
	for (int i = 0; i < NR_CTR; i++) {
		d[i] = v[i] - sh->ctr_prev[i];
		w += snprintf(t + w, room - (size_t)w, "%s +%lld\n", ctr_names[i], d[i]);
		differs |= sp.ahp_kb >= 0 && sp.d[i] >= 0 && d[i] != sp.d[i];
	}
	memcpy(sh->ctr_prev, v, sizeof(v));
	if (sp.ahp_kb >= 0) {
		char s[160];
		int n = snprintf(s, sizeof(s), "%ld kB", sp.ahp_kb);
		for (int i = 0; i < NR_CTR; i++)
			n += snprintf(s + n, sizeof(s) - (size_t)n, sp.d[i] < 0 ? " +?" : " +%ld",
				      sp.d[i]);
		w += snprintf(t + w, room - (size_t)w, "# spec %s\n", s);
		if (differs)
			w += snprintf(t + w, room - (size_t)w, "# differs from the spec\n");
	} else {
		w += snprintf(t + w, room - (size_t)w, "# spec -\n");
	}
	w += snprintf(t + w, room - (size_t)w, "%s", sh->note);
	sh->len += (size_t)w;
	sh->note[0] = '\0';
}

/* Note a call's result for the truth; mark it when it is not the expected one. */
static void expect(const char *call, int ret, int want_errno)
{
	int e = ret ? errno : 0;
	size_t l = strlen(sh->note);
	if (e)
		snprintf(sh->note + l, sizeof(sh->note) - l, "# result %s = -%s\n", call,
			 strerrorname_np(e));
	else
		snprintf(sh->note + l, sizeof(sh->note) - l, "# result %s = 0\n", call);
	if (e != want_errno) {
		l = strlen(sh->note);
		snprintf(sh->note + l, sizeof(sh->note) - l, "# differs from the spec: %s\n",
			 want_errno ? strerrorname_np(want_errno) : "0");
	}
}

static char *map_at(size_t off, size_t len)
{
	char *p = mmap(BASE + off, len, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);
	if (p != BASE + off)
		fail("mmap at BASE");
	return p;
}

static void unmap(char *p, size_t len)
{
	if (munmap(p, len))
		fail("munmap");
}

static void populate(char *p, size_t len)
{
	if (madvise(p, len, MADV_POPULATE_WRITE))
		fail("MADV_POPULATE_WRITE");
}

static void read_populate(char *p, size_t len)
{
	if (madvise(p, len, MADV_POPULATE_READ))
		fail("MADV_POPULATE_READ");
}

static void advise(char *p, size_t len, int advice, const char *what)
{
	if (madvise(p, len, advice))
		fail(what);
}

static void set_enabled(const char *v) { knob_write(THP "enabled", v); }

/* khugepaged's pace: quick (a pass every 10 ms over up to 64 PMD ranges) while a ladder
 * waits for it, else asleep for an hour, so that it collapses nothing, of this process or
 * another, between the other steps. (A write to scan_sleep_millisecs wakes it for one
 * pass, and so does enabled going from never to madvise or always: the steps are ordered
 * so that neither happens under enabled=always.) */
static void khugepaged_quick(bool quick)
{
	knob_write(KH "pages_to_scan", quick ? "32768" : knob_orig[4]);
	knob_write(KH "scan_sleep_millisecs", quick ? "10" : "3600000");
}

/* ---- the huge zero page (reference §3 step 3), entered under enabled=always ---- */

static void wait_two_scans(const char *name);

static void zero_page(void)
{
	char *a;
	struct spec sp;

	set_enabled("always");
	knob_write(THP "use_zero_page", "1");
	a = map_at(0, 2 * HP);
	read_populate(a, 2 * HP);
	/* the huge zero page is mapped, not counted in AnonHugePages; its first use since
	 * boot (or since the shrinker freed it) allocates it: +1 or +0 by the host's past */
	sp = SPEC(0, 0, 0);
	sp.d[C_ZERO] = -1;
	step("Z1_always_read_4M", sp);
	/* a write to the huge zero page splits its PMD and faults one small page in */
	populate(a + 5 * PG, PG);
	sp = SPEC(0, 0, 0);
	sp.d[C_SPLIT_PMD] = 1;
	step("Z1_write_1_page", sp);
	populate(a + HP, HP);
	step("Z1_write_second_2M", sp);
	unmap(a, 2 * HP);

	knob_write(THP "use_zero_page", "0");
	a = map_at(0, HP);
	read_populate(a, HP);
	step("Z2_always_no_zero_page_read_2M", SPEC(2048, 1, 0));
	unmap(a, HP);
	knob_write(THP "use_zero_page", "1");

	set_enabled("madvise");
	a = map_at(0, HP);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	read_populate(a, HP);
	step("Z3_madvise_hugepage_read_2M", SPEC(0, 0, 0));
	unmap(a, HP);
	set_enabled("never");
	a = map_at(0, HP);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	read_populate(a, HP);
	step("Z4_never_hugepage_read_2M", SPEC(0, 0, 0));
	unmap(a, HP);

	/* MADV_COLLAPSE of a range of small zero pages: no writable PTE */
	set_enabled("madvise");
	a = map_at(0, HP);
	read_populate(a, HP);
	int r = madvise(a, HP, MADV_COLLAPSE);
	expect("madvise(MADV_COLLAPSE) zero pages only", r, EINVAL);
	step("Z5_collapse_zero_pages_only", SPEC(0, 0, 0));
	populate(a, PG);
	r = madvise(a, HP, MADV_COLLAPSE);
	expect("madvise(MADV_COLLAPSE) 1 page + 511 zero pages", r, 0);
	step("Z5_collapse_1_page_511_zero_pages", SPEC(2048, 0, 1));
	unmap(a, HP);

	/* khugepaged counts small zero pages as none PTEs: 256 written, 256 zero pages */
	khugepaged_quick(true);
	static const char *const nones[] = { "255", "256" };
	for (int i = 0; i < 2; i++) {
		char name[64];
		snprintf(name, sizeof(name), "ZK_none%s_k256_zero256", nones[i]);
		knob_write(KH "max_ptes_none", nones[i]);
		a = map_at(0, HP);
		read_populate(a, HP);
		populate(a, 256 * PG);
		advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
		wait_two_scans(name);
		sp = SPEC(i ? 2048 : 0, 0, i);
		sp.d[C_KHUGEPAGED] = i;
		step(name, sp);
		unmap(a, HP);
	}
	knob_write(KH "max_ptes_none", knob_orig[2]);
	khugepaged_quick(false);
	knob_write(THP "use_zero_page", knob_orig[5]);
}

/* ---- fault-time THP (reference §2, §3) ---- */

static void fault_time(void)
{
	char *a;

	set_enabled("always");
	a = map_at(0, 4 * HP);
	step("F1_always_mmap_8M", SPEC(0, 0, 0));
	populate(a, 2 * HP);
	step("F1_always_write_4M", SPEC(4096, 2, 0));
	populate(a + 2 * HP + 5 * PG, PG);
	step("F1_always_write_1_page", SPEC(6144, 1, 0));
	/* one 4 KiB page of a THP dropped: the PMD is split, AnonHugePages loses it */
	advise(a + 2 * HP + 5 * PG, PG, MADV_DONTNEED, "MADV_DONTNEED");
	struct spec sp = SPEC(4096, 0, 0);
	sp.d[C_SPLIT_PMD] = 1;
	step("F1_always_dontneed_1_page", sp);
	unmap(a, 4 * HP);
	step("F1_munmap", SPEC(0, 0, 0));

	/* MADV_NOHUGEPAGE beats enabled=always */
	a = map_at(0, HP);
	advise(a, HP, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE");
	populate(a, HP);
	step("F2_always_nohugepage_write_2M", SPEC(0, 0, 0));
	unmap(a, HP);

	/* prctl(PR_SET_THP_DISABLE) beats enabled=always for the whole process */
	int r = prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	expect("prctl(PR_SET_THP_DISABLE, 1)", r, 0);
	r = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	size_t l = strlen(sh->note);
	snprintf(sh->note + l, sizeof(sh->note) - l, "# result prctl(PR_GET_THP_DISABLE) = %d\n%s",
		 r, r == 1 ? "" : "# differs from the spec: 1\n");
	a = map_at(0, HP);
	populate(a, HP);
	step("F3_always_thp_disable_write_2M", SPEC(0, 0, 0));
	r = prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	expect("prctl(PR_SET_THP_DISABLE, 0)", r, 0);
	unmap(a, HP);
	a = map_at(0, HP);
	populate(a, HP);
	step("F3_always_thp_enabled_again_write_2M", SPEC(2048, 1, 0));
	unmap(a, HP);

	/* unaligned: [BASE+1M, BASE+6M) holds two aligned PMD ranges; the head MiB gets
	 * small pages */
	a = map_at(HP / 2, 5 * HP / 2);
	populate(a, 5 * HP / 2);
	step("F4_always_unaligned_write_5M", SPEC(4096, 2, 0));
	unmap(a, 5 * HP / 2);
	/* a 2 MiB mapping that straddles two PMD ranges gets none */
	a = map_at(HP / 2, HP);
	populate(a, HP);
	step("F4_always_straddling_write_2M", SPEC(0, 0, 0));
	unmap(a, HP);

	/* defrag words (the allocation's gfp; no difference with this much free memory) */
	knob_write(THP "defrag", "defer+madvise");
	a = map_at(0, HP);
	populate(a, HP);
	step("F5_always_defrag_defer+madvise_write_2M", SPEC(2048, 1, 0));
	unmap(a, HP);
	knob_write(THP "defrag", "always");
	a = map_at(0, HP);
	populate(a, HP);
	step("F5_always_defrag_always_write_2M", SPEC(2048, 1, 0));
	unmap(a, HP);
	knob_write(THP "defrag", knob_orig[1]);

	zero_page();            /* still under enabled=always */

	set_enabled("madvise");
	a = map_at(0, 4 * HP);
	populate(a, HP);
	step("F6_madvise_write_2M", SPEC(0, 0, 0));
	advise(a + HP, 2 * HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	populate(a + HP, 2 * HP);
	step("F6_madvise_hugepage_write_4M", SPEC(4096, 2, 0));
	/* the VMA split in three: the hugepage part keeps its THPs */
	unmap(a, 4 * HP);
	step("F6_munmap", SPEC(0, 0, 0));

	set_enabled("never");
	a = map_at(0, HP);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	populate(a, HP);
	step("F7_never_hugepage_write_2M", SPEC(0, 0, 0));
	unmap(a, HP);
}

/* ---- MADV_COLLAPSE (reference §4-§7: the caller collapses, sysfs and max_ptes_* do not
 * apply) ---- */

static void collapse(char *p, size_t len, const char *call, int want_errno)
{
	int r = madvise(p, len, MADV_COLLAPSE);
	expect(call, r, want_errno);
}

static void madv_collapse(void)
{
	char *a;

	set_enabled("never");
	knob_write(KH "max_ptes_none", "0");
	a = map_at(0, HP);
	populate(a, HP);
	step("C1_never_write_2M", SPEC(0, 0, 0));
	collapse(a, HP, "madvise(MADV_COLLAPSE) full", 0);
	step("C1_collapse_full", SPEC(2048, 0, 1));
	collapse(a, HP, "madvise(MADV_COLLAPSE) already huge", 0);
	step("C1_collapse_again", SPEC(2048, 0, 0));
	unmap(a, HP);

	/* max_ptes_none = 0 does not stop MADV_COLLAPSE */
	a = map_at(0, HP);
	populate(a + 7 * PG, PG);
	collapse(a, HP, "madvise(MADV_COLLAPSE) 1 of 512", 0);
	step("C2_collapse_1_of_512", SPEC(2048, 0, 1));
	unmap(a, HP);
	a = map_at(0, HP);
	populate(a, 255 * PG);
	collapse(a, HP, "madvise(MADV_COLLAPSE) 255 of 512", 0);
	step("C2_collapse_255_of_512", SPEC(2048, 0, 1));
	unmap(a, HP);

	/* nothing ever touched: no page table to collapse */
	a = map_at(0, HP);
	collapse(a, HP, "madvise(MADV_COLLAPSE) untouched", EINVAL);
	step("C3_collapse_untouched", SPEC(0, 0, 0));
	/* two PMD ranges, the first full, the second untouched */
	unmap(a, HP);
	a = map_at(0, 2 * HP);
	populate(a, HP);
	collapse(a, 2 * HP, "madvise(MADV_COLLAPSE) full+untouched", EINVAL);
	step("C3_collapse_full_then_untouched", SPEC(2048, 0, 1));
	unmap(a, 2 * HP);

	/* a range holding no whole aligned PMD range */
	a = map_at(0, HP);
	populate(a, HP);
	collapse(a + PG, HP - 2 * PG, "madvise(MADV_COLLAPSE) inside one PMD", EINVAL);
	step("C4_collapse_no_whole_pmd", SPEC(0, 0, 0));
	unmap(a, HP);
	/* a VMA of 2 MiB at a 1 MiB offset: no aligned range fits */
	a = map_at(HP / 2, HP);
	populate(a, HP);
	collapse(a, HP, "madvise(MADV_COLLAPSE) straddling VMA", EINVAL);
	step("C4_collapse_straddling_vma", SPEC(0, 0, 0));
	unmap(a, HP);

	/* MADV_NOHUGEPAGE wins over MADV_COLLAPSE */
	a = map_at(0, HP);
	advise(a, HP, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE");
	populate(a, HP);
	collapse(a, HP, "madvise(MADV_COLLAPSE) nohugepage", EINVAL);
	step("C5_collapse_nohugepage", SPEC(0, 0, 0));
	unmap(a, HP);

	/* so does PR_SET_THP_DISABLE */
	a = map_at(0, HP);
	populate(a, HP);
	int r = prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	expect("prctl(PR_SET_THP_DISABLE, 1)", r, 0);
	collapse(a, HP, "madvise(MADV_COLLAPSE) thp disabled", EINVAL);
	r = prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	expect("prctl(PR_SET_THP_DISABLE, 0)", r, 0);
	step("C6_collapse_thp_disabled", SPEC(0, 0, 0));
	unmap(a, HP);

	/* a range with a hole: madvise reports ENOMEM after doing the mapped part */
	a = map_at(0, HP);
	populate(a, HP);
	collapse(a, 2 * HP, "madvise(MADV_COLLAPSE) range with unmapped tail", ENOMEM);
	step("C7_collapse_hole", SPEC(2048, 0, 1));
	unmap(a, HP);

	/* under enabled=madvise, on a VMA not madvised */
	set_enabled("madvise");
	a = map_at(0, HP);
	populate(a, HP);
	collapse(a, HP, "madvise(MADV_COLLAPSE) enabled=madvise", 0);
	step("C8_madvise_collapse_not_madvised", SPEC(2048, 0, 1));
	unmap(a, HP);
	knob_write(KH "max_ptes_none", knob_orig[2]);
}

/* ---- khugepaged ladders (reference §4, §5) ---- */

static long full_scans(void)
{
	char buf[32];
	slurp(KH "full_scans", buf, sizeof(buf));
	return atol(buf);
}

/* Wait until khugepaged has finished two more passes over its mm list. */
static void wait_two_scans(const char *name)
{
	long start = full_scans();
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 1000; i++) {
		nanosleep(&ts, NULL);
		if (full_scans() >= start + 2)
			return;
	}
	say("%s: khugepaged made no two passes in 10 s\n", name);
	fail("khugepaged");
}

enum layout { PREFIX, SUFFIX, CHUNKS, ONE_MIDDLE };
static const char *const layout_names[] = { "prefix", "suffix", "chunks", "middle" };

/* Write k of the 512 pages of the PMD range at a: the first k, the last k, eight runs
 * (run j starts at page 64 j; the k pages shared out, the first runs one longer), or,
 * for k = 1, page 300. */
static void write_layout(char *a, int k, enum layout l)
{
	if (!k)
		return;
	switch (l) {
	case PREFIX:
		populate(a, (size_t)k * PG);
		break;
	case SUFFIX:
		populate(a + (size_t)(NPTE - k) * PG, (size_t)k * PG);
		break;
	case CHUNKS:
		for (int j = 0; j < 8; j++) {
			int n = k / 8 + (j < k % 8);
			if (n)
				populate(a + (size_t)j * 64 * PG, (size_t)n * PG);
		}
		break;
	case ONE_MIDDLE:
		populate(a + 300 * PG, PG);
		break;
	}
}

static void ladder_case(int max_none, int k, enum layout l)
{
	char name[96];
	snprintf(name, sizeof(name), "K_none%d_k%d_%s", max_none, k, layout_names[l]);
	char *a = map_at(0, HP);
	write_layout(a, k, l);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	wait_two_scans(name);
	bool collapses = k > 0 && NPTE - k <= max_none;
	struct spec sp = SPEC(collapses ? 2048 : 0, 0, collapses);
	sp.d[C_KHUGEPAGED] = collapses;
	step(name, sp);
	unmap(a, HP);
}

static void khugepaged_ladders(void)
{
	static const int nones[] = { 0, 64, 256, 511 };
	set_enabled("madvise");
	khugepaged_quick(true);
	for (int i = 0; i < 4; i++) {
		int m = nones[i];
		char v[8];
		snprintf(v, sizeof(v), "%d", m);
		knob_write(KH "max_ptes_none", v);
		int below = NPTE - m - 1, at = NPTE - m;   /* one none PTE too many; just enough */
		if (m == 511) {
			ladder_case(m, 0, PREFIX);
			ladder_case(m, 1, PREFIX);
			ladder_case(m, 1, SUFFIX);
			ladder_case(m, 1, ONE_MIDDLE);
			continue;
		}
		for (int l = PREFIX; l <= CHUNKS; l++)
			ladder_case(m, below, (enum layout)l);
		for (int l = PREFIX; l <= CHUNKS; l++) {
			ladder_case(m, at, (enum layout)l);
			if (at == NPTE)
				break;   /* all 512 pages: one layout */
		}
	}
	knob_write(KH "max_ptes_none", knob_orig[2]);
	khugepaged_quick(false);
}

/* ---- PTE-mapped THPs (kernel selftest collapse_single_pte_entry_compound and
 * collapse_full_of_compound, reference §10) ---- */

static void pte_mapped_thps(void)
{
	char *a;
	struct spec sp;

	set_enabled("madvise");
	/* P1: a THP of which 511 pages are dropped: one PTE maps the compound page. While it
	 * is made, max_ptes_none 0 keeps a stray khugepaged pass from collapsing it. */
	knob_write(KH "max_ptes_none", "0");
	a = map_at(0, HP);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	populate(a, HP);
	step("P1_hugepage_write_2M", SPEC(2048, 1, 0));
	advise(a + PG, HP - PG, MADV_DONTNEED, "MADV_DONTNEED");
	sp = SPEC(0, 0, 0);
	sp.d[C_SPLIT_PMD] = 1;
	step("P1_dontneed_511_pages", sp);
	knob_write(KH "max_ptes_none", "511");
	khugepaged_quick(true);
	wait_two_scans("P1");
	sp = SPEC(2048, 0, 1);
	sp.d[C_KHUGEPAGED] = 1;
	step("P1_khugepaged_1_pte_of_a_thp", sp);
	khugepaged_quick(false);
	unmap(a, HP);

	/* P2: a THP whose PMD a VMA split (MADV_NOHUGEPAGE on its first page) turned into a
	 * PTE table; the VMAs merge again with MADV_HUGEPAGE, then khugepaged collapses it.
	 * While split, the range lies in two VMAs: not collapsible. */
	a = map_at(0, HP);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	populate(a, HP);
	step("P2_hugepage_write_2M", SPEC(2048, 1, 0));
	advise(a, PG, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE");
	sp = SPEC(0, 0, 0);
	sp.d[C_SPLIT_PMD] = 1;
	step("P2_nohugepage_first_page", sp);
	advise(a, PG, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	khugepaged_quick(true);
	wait_two_scans("P2");
	sp = SPEC(2048, 0, 1);
	sp.d[C_KHUGEPAGED] = 1;
	step("P2_khugepaged_512_ptes_of_a_thp", sp);
	khugepaged_quick(false);
	unmap(a, HP);
	knob_write(KH "max_ptes_none", knob_orig[2]);
}

/* ---- pages shared over fork (kernel selftest collapse_fork and
 * collapse_max_ptes_shared, reference §5 step 4) ---- */

/* The child's side: its steps, then _exit. The parent waits for it, then leaves 50 ms of
 * nothing strace shows, so that a replay that follows the recorded gaps keeps the order. */
static void reap(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		say("child %d failed (status 0x%x)\n", (int)pid, st);
		fail("child");
	}
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

static void shared_over_fork(void)
{
	char *a;
	struct spec sp;
	pid_t pid;

	set_enabled("madvise");
	/* S1: one small page shared with the child, which writes a second one and makes
	 * its range MADV_HUGEPAGE: 1 shared PTE (<= max_ptes_shared 256), 510 none */
	a = map_at(0, HP);
	populate(a, PG);
	step("S1_parent_write_1_page", SPEC(0, 0, 0));
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		populate(a + PG, PG);
		advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
		khugepaged_quick(true);
		wait_two_scans("S1 child");
		sp = SPEC(2048, 0, 1);
		sp.d[C_KHUGEPAGED] = 1;
		step("S1_child_khugepaged_1_shared", sp);
		khugepaged_quick(false);
		_exit(0);
	}
	reap(pid);
	step("S1_parent_after_child", SPEC(0, 0, 0));
	unmap(a, HP);

	/* S2: a THP shared with a child that writes k of its pages (the first write splits
	 * the child's PMD; each write copies one page): 512 - k PTEs still map the shared
	 * compound page; khugepaged collapses when they are at most max_ptes_shared (256) */
	a = map_at(0, HP);
	advise(a, HP, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	populate(a, HP);
	step("S2_parent_thp", SPEC(2048, 1, 0));
	static const int ks[] = { 255, 256 };
	for (int i = 0; i < 2; i++) {
		char name[64];
		pid = fork();
		if (pid < 0)
			fail("fork");
		if (pid == 0) {
			populate(a, (size_t)ks[i] * PG);
			sp = SPEC(0, 0, 0);
			sp.d[C_SPLIT_PMD] = 1;
			snprintf(name, sizeof(name), "S2_child_write_%d_pages", ks[i]);
			step(name, sp);
			khugepaged_quick(true);
			snprintf(name, sizeof(name), "S2_child_khugepaged_%d_shared", NPTE - ks[i]);
			wait_two_scans(name);
			bool collapses = NPTE - ks[i] <= 256;
			sp = SPEC(collapses ? 2048 : 0, 0, collapses);
			sp.d[C_KHUGEPAGED] = collapses;
			step(name, sp);
			khugepaged_quick(false);
			_exit(0);
		}
		reap(pid);
		snprintf(name, sizeof(name), "S2_parent_after_child_%d", ks[i]);
		step(name, SPEC(2048, 0, 0));
	}
	unmap(a, HP);
}

/* The multi-size THP sizes must all be off (never), the PMD size following enabled. */
static void check_mthp(void)
{
	glob_t g;
	if (glob(THP "hugepages-*kB/enabled", 0, NULL, &g))
		return;         /* a kernel without multi-size THP (6.1) */
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char v[64];
		knob_read(g.gl_pathv[i], v, sizeof(v));
		selected(v);
		bool pmd = strstr(g.gl_pathv[i], "hugepages-2048kB/") != NULL;
		if (strcmp(v, pmd ? "inherit" : "never")) {
			say("%s says %s; this program needs %s\n", g.gl_pathv[i], v,
			    pmd ? "inherit" : "never");
			exit(2);
		}
	}
	globfree(&g);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		say("usage: thp_oracle TRUTH (as root)\n");
		return 1;
	}
	const char *truth_path = argv[1];
	sh = mmap(NULL, sizeof(*sh), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	check_mthp();
	for (size_t i = 0; i < sizeof(knob_paths) / sizeof(knob_paths[0]); i++) {
		knob_read(knob_paths[i], knob_orig[i], sizeof(knob_orig[i]));
		selected(knob_orig[i]);
	}
	char v[64];
	knob_read(THP "hpage_pmd_size", v, sizeof(v));
	if (atol(v) != (long)HP) {
		say("hpage_pmd_size is %s, this program needs 2 MiB\n", v);
		return 2;
	}
	khugepaged_quick(false);
	/* the pass that write started may take a while (khugepaged runs at nice 19): let it
	 * end under enabled=madvise before the first enabled=always step */
	struct timespec ts = { 2, 0 };
	nanosleep(&ts, NULL);
	step("start", NOSPEC);
	fault_time();
	madv_collapse();
	khugepaged_ladders();
	pte_mapped_thps();
	shared_over_fork();
	restore();
	step("restored", SPEC(0, 0, 0));

	int fd = open(truth_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, sh->text, sh->len) != (ssize_t)sh->len) {
		say("cannot write %s\n", truth_path);
		return 1;
	}
	close(fd);
	/* Nothing is written to stderr on the way (strace would show the writes, and a
	 * replay has no stderr): differences from the spec are "# differs" lines. */
	return 0;
}
