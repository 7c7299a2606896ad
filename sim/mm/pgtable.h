/* pgtable.h - the entries of a PTE table (struct pte_table, mm/mm_types.h): get, set and
 * flag updates, whatever the table's host form.
 *
 * Host memory only, nothing simulated: a table is a run while every present entry i maps
 * pfn run_base + i and carries no flag outside PTE_RUN_BITS (what sequential faults on a
 * fresh buddy build), kept as the base and a byte per entry (its present, write, dirty
 * and young bits: 520 bytes instead of 4 KiB); the first entry a run cannot hold (another pfn, a
 * swap entry, the zero page, another flag) makes the table plain, a pte_t array, for
 * good. Both forms give the same values, so callers see 512 pte_t. Callers hold the
 * table's ptl where the kernel would (the accessors take no lock). With
 * debug.plain_pte_tables every table is plain from the start. */
#ifndef MMSIM_MM_PGTABLE_H
#define MMSIM_MM_PGTABLE_H

#include "mm/mm_types.h"

/* the bits a run keeps per entry, as they are in a pte_t */
#define PTE_RUN_BITS (PTE_PRESENT | PTE_WRITE | PTE_DIRTY | PTE_YOUNG)
_Static_assert(PTE_RUN_BITS < 0x100, "a run keeps each entry's low bits in a byte");
#define PTE_LOW_MASK ((1ULL << PTE_PFN_SHIFT) - 1)

/* A new table, all entries none: a run, or plain (the 4 KiB array at once). */
struct pte_table *pte_table_new(bool plain);
void pte_table_destroy(struct pte_table *t);
/* The plain array, after making a run plain (its values unchanged). */
pte_t *pte_table_plain(struct pte_table *t);

static inline bool pte_table_is_run(const struct pte_table *t)
{
	return !t->plain;
}

static inline pte_t pte_run_get(const struct pte_table *t, unsigned i)
{
	unsigned b = t->run[i];
	return b ? ((t->run_base + i) << PTE_PFN_SHIFT) | b : 0;
}

static inline pte_t pte_get(const struct pte_table *t, unsigned i)
{
	return t->plain ? t->plain[i] : pte_run_get(t, i);
}

/* Store v in entry i of a run; false when a run cannot hold it (the caller makes the
 * table plain). The first present entry stored sets the base for good. */
static inline bool pte_run_set(struct pte_table *t, unsigned i, pte_t v)
{
	if (!v) {
		t->run[i] = 0;
		return true;
	}
	if ((v & PTE_LOW_MASK & ~PTE_RUN_BITS) || !(v & PTE_PRESENT))
		return false;
	u64 base = pte_pfn(v) - i;
	if (base != t->run_base) {
		if (t->run_base != PTE_RUN_NOBASE)
			return false;
		t->run_base = base;
	}
	t->run[i] = (u8)(v & PTE_RUN_BITS);
	return true;
}

static inline void pte_set(struct pte_table *t, unsigned i, pte_t v)
{
	if (t->plain)
		t->plain[i] = v;
	else if (!pte_run_set(t, i, v))
		pte_table_plain(t)[i] = v;
}

static inline void pte_clear(struct pte_table *t, unsigned i)
{
	pte_set(t, i, 0);
}

/* entry i, made none (ptep_get_and_clear) */
static inline pte_t pte_get_and_clear(struct pte_table *t, unsigned i)
{
	if (t->plain) {
		pte_t p = t->plain[i];
		t->plain[i] = 0;
		return p;
	}
	unsigned b = t->run[i];
	t->run[i] = 0;
	return b ? ((t->run_base + i) << PTE_PFN_SHIFT) | b : 0;
}

/* entry i |= flags */
static inline void pte_set_flags(struct pte_table *t, unsigned i, pte_t flags)
{
	if (t->plain) {
		t->plain[i] |= flags;
		return;
	}
	if (t->run[i] && !(flags & ~PTE_RUN_BITS)) {
		t->run[i] |= (u8)flags;
		return;
	}
	pte_set(t, i, pte_run_get(t, i) | flags);
}

/* entry i &= ~flags */
static inline void pte_clear_flags(struct pte_table *t, unsigned i, pte_t flags)
{
	if (t->plain) {
		t->plain[i] &= ~flags;
		return;
	}
	if (t->run[i] && !(flags & (PTE_PRESENT | ~PTE_LOW_MASK))) {
		t->run[i] &= (u8)~(flags & PTE_RUN_BITS);
		return;
	}
	pte_set(t, i, pte_run_get(t, i) & ~flags);
}

/* A load or store through entry i, as the CPU does it: false when it faults (none, swap,
 * or a store to a read-only entry); else the accessed bit, and the dirty bit for a store,
 * are set and *pfn is the page (PTE_ACCESS_ZERO: the zero page). touch_range's fast path. */
#define PTE_ACCESS_ZERO UINT64_MAX
static inline bool pte_access(struct pte_table *t, unsigned i, bool write, u64 *pfn)
{
	if (t->plain) {
		pte_t p = t->plain[i];
		if (!(p & PTE_PRESENT) || (write && !(p & PTE_WRITE)))
			return false;
		t->plain[i] = p | PTE_YOUNG | (write ? PTE_DIRTY : 0);
		*pfn = p & PTE_ZERO ? PTE_ACCESS_ZERO : pte_pfn(p);
		return true;
	}
	unsigned b = t->run[i];
	if (!(b & PTE_PRESENT) || (write && !(b & PTE_WRITE)))
		return false;
	t->run[i] = (u8)(b | PTE_YOUNG | (write ? PTE_DIRTY : 0));
	*pfn = t->run_base + i;
	return true;
}

/* The entry of addr in its table */
static inline unsigned pte_index(u64 addr)
{
	return (unsigned)(addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

#endif
