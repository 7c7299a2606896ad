/* fuzz_scenario.c - the scenario parser (YAML through libyaml, the knob schema, workload
 * entries) and --set overrides: the input is a scenario, then up to 7 --set arguments,
 * parts separated by a line "%%". */
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "config/diag.h"
#include "config/scenario.h"
#include "workloads/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[FUZZ_MAX_PARTS];
	size_t len[FUZZ_MAX_PARTS];
	unsigned n = fuzz_split(data, size, part, len, FUZZ_MAX_PARTS);
	char *text = malloc(len[0] + 1);
	memcpy(text, part[0], len[0]);
	text[len[0]] = 0;
	char *sets[FUZZ_MAX_PARTS];
	for (unsigned i = 1; i < n; i++) {
		size_t l = len[i];
		if (l && part[i][l - 1] == '\n')
			l--;
		sets[i - 1] = malloc(l + 1);
		memcpy(sets[i - 1], part[i], l);
		sets[i - 1][l] = 0;
	}
	struct diag *d = diag_create();
	struct scenario *s = scenario_load_string("fuzz.yaml", text, workload_catalog(), sets,
						  (int)n - 1, d);
	char *msg = diag_format(d);
	free(msg);
	if (s)
		scenario_destroy(s);
	diag_destroy(d);
	for (unsigned i = 1; i < n; i++)
		free(sets[i - 1]);
	free(text);
	return 0;
}
