/* pgtable.c - PTE tables' host forms (mm/pgtable.h): creation, a run made plain. */
#include <stdlib.h>
#include <string.h>

#include "mm/pgtable.h"

struct pte_table *pte_table_new(bool plain)
{
	struct pte_table *t = xcalloc(1, sizeof(*t));
	t->run_base = PTE_RUN_NOBASE;
	if (plain)
		t->plain = xcalloc(PTRS_PER_PTE, sizeof(pte_t));
	return t;
}

void pte_table_destroy(struct pte_table *t)
{
	if (t)
		free(t->plain);
	free(t);
}

pte_t *pte_table_plain(struct pte_table *t)
{
	if (t->plain)
		return t->plain;
	pte_t *a = xmalloc(PTRS_PER_PTE * sizeof(pte_t));
	for (unsigned i = 0; i < PTRS_PER_PTE; i++)
		a[i] = pte_run_get(t, i);
	t->plain = a;
	memset(t->run, 0, sizeof(t->run));
	t->run_base = PTE_RUN_NOBASE;
	return a;
}
