/* test_uapi_names.c - every name of every uapi table reads back to its value in both
 * spellings (strace's MAP_32BIT and .mmt's 32bit): what `trace convert` writes, the .mmt
 * reader must read (issue 21: flags=...|32bit was refused as an unknown name). */
// LINK: mmsim_traces
#include "check.h"
#include "traces/uapi_names.h"

static void round_trip(const struct uapi_table *t)
{
	for (unsigned i = 0; i < t->nr; i++) {
		const struct uapi_sym *sym = &t->syms[i];
		for (int style = UAPI_STRACE; style <= UAPI_MMT; style++) {
			char buf[512], bad[64] = "";
			u64 v = ~0ULL;
			uapi_format(t, style, sym->value, buf, sizeof(buf));
			int rc = uapi_parse(t, style, buf, &v, bad, sizeof(bad));
			CHECK_(rc == 0 && v == sym->value, "%s (style %d): \"%s\" read back as %#llx, "
			       "rc %d, bad \"%s\"", sym->name, style, buf, (unsigned long long)v, rc, bad);
		}
	}
}

int main(void)
{
	const struct uapi_table *tables[] = { &uapi_prot, &uapi_map, &uapi_open, &uapi_madv,
		&uapi_mpol_mode, &uapi_mpol_mf, &uapi_mpol_get, &uapi_mremap, &uapi_mfd,
		&uapi_falloc, &uapi_ipc, &uapi_shm, &uapi_shmctl, &uapi_clone, &uapi_prctl };
	for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		round_trip(tables[i]);

	/* the case of the report: a private anonymous MAP_32BIT mapping */
	u64 v = 0;
	char bad[64] = "";
	CHECK(uapi_parse(&uapi_map, UAPI_MMT, "private|anonymous|32bit", &v, bad, sizeof(bad)) == 0);
	CHECK_EQ_U64(v, 0x62);
	CHECK(uapi_parse(&uapi_map, UAPI_MMT, "private|64bit", &v, bad, sizeof(bad)) == -1);
	CHECK_EQ_STR(bad, "64bit");
	CHECK(uapi_parse(&uapi_map, UAPI_MMT, "0x40|private", &v, bad, sizeof(bad)) == 0);
	CHECK_EQ_U64(v, 0x42);
	return check_summary();
}
