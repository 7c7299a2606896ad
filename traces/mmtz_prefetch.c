/* mmtz_prefetch.c - a cursor's reader thread: the next blocks of an .mmtz are read,
 * checked and inflated by a plain pthread while the simulation decodes the current one.
 * Inflating is ~2/3 of reading a trace; with this thread it runs on another CPU.
 *
 * The thread does nothing but mmtz_block_fetch (pread, crc32, inflate) into buffers of
 * its own; results are handed over in block order through a small ring under a mutex.
 * The cursor takes them in that order and decodes exactly the bytes it would have
 * inflated itself, so the op stream, and with it the simulation, is the same with or
 * without the thread. An error (or the end) is kept in its slot: the cursor meets it
 * after the records of the blocks before it, with the message it would have made. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "traces/mmtz_format.h"

#define PF_SLOTS 4

struct pf_slot {
	u8 *raw;
	struct mmtz_loaded l;
	int rc;                     /* mmtz_block_fetch's result */
	char err[512];
};

struct mmtz_prefetch {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* a slot filled (thread -> cursor) or freed (cursor -> thread) */
	struct pf_slot slot[PF_SLOTS];
	u32 head, count;            /* the cursor's next slot; slots filled and not yet taken */
	bool stop;
	/* the thread's own */
	const struct mmtz_file *mf;
	u32 next, only;
	z_stream z;
	u8 *comp;
};

static void *pf_main(void *arg)
{
	struct mmtz_prefetch *pf = arg;
	for (;;) {
		pthread_mutex_lock(&pf->mu);
		while (pf->count == PF_SLOTS && !pf->stop)
			pthread_cond_wait(&pf->cv, &pf->mu);
		if (pf->stop) {
			pthread_mutex_unlock(&pf->mu);
			break;
		}
		struct pf_slot *s = &pf->slot[(pf->head + pf->count) % PF_SLOTS];
		pthread_mutex_unlock(&pf->mu);
		/* this slot is the thread's until count covers it */
		s->rc = mmtz_block_fetch(pf->mf, &pf->next, pf->only, &pf->z, pf->comp, s->raw, &s->l,
					 s->err, sizeof(s->err));
		pthread_mutex_lock(&pf->mu);
		pf->count++;
		pthread_cond_signal(&pf->cv);
		pthread_mutex_unlock(&pf->mu);
		if (s->rc <= 0)
			break;          /* the end, or an error: nothing is read after it */
	}
	return NULL;
}

struct mmtz_prefetch *mmtz_prefetch_start(const struct mmtz_file *mf, u32 first_block, u32 only)
{
	struct mmtz_prefetch *pf = xcalloc(1, sizeof(*pf));
	if (inflateInit(&pf->z) != Z_OK) {
		free(pf);
		return NULL;
	}
	pf->mf = mf;
	pf->next = first_block;
	pf->only = only;
	pf->comp = xmalloc(mf->max_comp + 1);
	for (unsigned i = 0; i < PF_SLOTS; i++)
		pf->slot[i].raw = xmalloc(mf->max_raw + 1);
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	/* every signal blocked in the thread: SIGINT/SIGTERM handlers (temporary files,
	 * --max-wall) run in the simulation's thread, as without it */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&pf->thread, NULL, pf_main, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		pthread_cond_destroy(&pf->cv);
		pthread_mutex_destroy(&pf->mu);
		for (unsigned i = 0; i < PF_SLOTS; i++)
			free(pf->slot[i].raw);
		free(pf->comp);
		inflateEnd(&pf->z);
		free(pf);
		return NULL;
	}
	return pf;
}

int mmtz_prefetch_take(struct mmtz_prefetch *pf, u8 **raw, struct mmtz_loaded *out, char *err,
		       size_t errlen)
{
	pthread_mutex_lock(&pf->mu);
	while (!pf->count)
		pthread_cond_wait(&pf->cv, &pf->mu);
	struct pf_slot *s = &pf->slot[pf->head];
	pthread_mutex_unlock(&pf->mu);
	if (s->rc < 0) {
		snprintf(err, errlen, "%s", s->err);
		return -1;
	}
	if (s->rc == 0)
		return 0;
	*out = s->l;
	u8 *t = *raw;
	*raw = s->raw;
	s->raw = t;             /* the cursor's previous buffer: the thread fills it next */
	pthread_mutex_lock(&pf->mu);
	pf->head = (pf->head + 1) % PF_SLOTS;
	pf->count--;
	pthread_cond_signal(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	return 1;
}

void mmtz_prefetch_stop(struct mmtz_prefetch *pf)
{
	pthread_mutex_lock(&pf->mu);
	pf->stop = true;
	pthread_cond_signal(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	pthread_cond_destroy(&pf->cv);
	pthread_mutex_destroy(&pf->mu);
	for (unsigned i = 0; i < PF_SLOTS; i++)
		free(pf->slot[i].raw);
	free(pf->comp);
	inflateEnd(&pf->z);
	free(pf);
}
