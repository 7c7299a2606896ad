/* tidmap.h - a small open-addressing map from a recorded thread id (u32) to an index,
 * used by the trace readers, writers, importers and the demultiplexer. Keys are never
 * deleted; the table doubles when it is half full, so a lookup is O(1) and memory is
 * proportional to the number of threads of the trace, never to its length. */
#ifndef MMSIM_TRACES_TIDMAP_H
#define MMSIM_TRACES_TIDMAP_H

#include <stdlib.h>
#include "types.h"

#define TIDMAP_NONE UINT32_MAX

struct tidmap {
	u32 *keys;
	u32 *vals;
	u32 cap;            /* power of two, 0 when empty */
	u32 nr;
};

static inline u32 tidmap_hash_(u32 k)
{
	k ^= k >> 16;
	k *= 0x7feb352dU;
	k ^= k >> 15;
	k *= 0x846ca68bU;
	k ^= k >> 16;
	return k;
}

static inline u32 tidmap_get(const struct tidmap *m, u32 key)
{
	if (!m->cap)
		return TIDMAP_NONE;
	for (u32 i = tidmap_hash_(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->vals[i] == TIDMAP_NONE)
			return TIDMAP_NONE;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static inline void tidmap_put_(struct tidmap *m, u32 key, u32 val)
{
	u32 i = tidmap_hash_(key) & (m->cap - 1);

	while (m->vals[i] != TIDMAP_NONE && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (m->vals[i] == TIDMAP_NONE)
		m->nr++;
	m->keys[i] = key;
	m->vals[i] = val;
}

/* Insert or replace; val must not be TIDMAP_NONE. */
static inline void tidmap_set(struct tidmap *m, u32 key, u32 val)
{
	if ((m->nr + 1) * 2 > m->cap) {
		struct tidmap old = *m;

		m->cap = old.cap ? old.cap * 2 : 16;
		m->nr = 0;
		m->keys = xmalloc(m->cap * sizeof(u32));
		m->vals = xmalloc(m->cap * sizeof(u32));
		for (u32 i = 0; i < m->cap; i++)
			m->vals[i] = TIDMAP_NONE;
		for (u32 i = 0; i < old.cap; i++)
			if (old.vals[i] != TIDMAP_NONE)
				tidmap_put_(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	tidmap_put_(m, key, val);
}

static inline void tidmap_free(struct tidmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	m->cap = m->nr = 0;
}

#endif
