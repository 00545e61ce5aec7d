/* Hashing shared by the FlowID and the tables: a 64-bit hash of a short
 * byte string.  Internal to nvgre/.
 *
 * Keys are a few dozen bytes at most (an IPv6 5-tuple is 37), so the loop
 * reads 8-byte words and finishes with a full avalanche; the constants are
 * odd 64-bit multipliers with well-spread bits.  The tables seed it per
 * database, so that keys chosen by a tenant cannot be aimed at one bucket
 * without knowing the seed. */
#ifndef VSWITCH_NVGRE_HASH_H
#define VSWITCH_NVGRE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NV_HASH_K1 0x9fb21c651e98df25ull
#define NV_HASH_K2 0xd6e8feb86659fd93ull

static inline uint64_t
nv_hash_final(uint64_t h)
{
	h ^= h >> 32;
	h *= NV_HASH_K2;
	h ^= h >> 29;
	h *= NV_HASH_K1;
	return h ^ (h >> 32);
}

static inline uint64_t
nv_hash_word(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= NV_HASH_K1;
	return h ^ (h >> 31);
}

/* Hashes the 'size' bytes at 'p'.  Equal bytes give equal hashes on any
 * host, so keys must not contain padding of unknown value. */
static inline uint64_t
nv_hash_bytes(const void *p, size_t size, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ (size * NV_HASH_K2);
	uint64_t w;

	while (size >= 8) {
		memcpy(&w, b, 8);
		h = nv_hash_word(h, w);
		b += 8;
		size -= 8;
	}
	if (size) {
		w = 0;
		memcpy(&w, b, size);
		h = nv_hash_word(h, w);
	}
	return nv_hash_final(h);
}

#endif
