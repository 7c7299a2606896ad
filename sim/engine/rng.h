/* rng.h - deterministic per-actor random numbers (xoshiro256**, seeded by splitmix64
 * from (scenario seed, actor id)). The only randomness mmsim uses. */
#ifndef MMSIM_ENGINE_RNG_H
#define MMSIM_ENGINE_RNG_H

#include "types.h"

struct rng {
	u64 s[4];
};

void rng_seed(struct rng *r, u64 seed, u64 stream);
u64 rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. Unbiased (rejection). */
u64 rng_below(struct rng *r, u64 n);
/* Uniform double in [0, 1). */
double rng_double(struct rng *r);

#endif
