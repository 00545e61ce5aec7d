/* Persistent hash maps: the big tables of a view (records, MACs, VSIDs,
 * PAs by address).  Internal to nvgre/.
 *
 * A map is a root array of 2^bits shard pointers; a shard is one
 * allocation holding an open-addressing index (linear probing) and a
 * dense array of fixed-size entries, at most 65535 of them.  An entry's
 * key is its first 'ksize' bytes and is compared with memcmp, so key
 * bytes must be fully initialised (no padding of unknown value).
 *
 * An index slot is 32 bits: a 16-bit tag from the hash, then the 1-based
 * position of the entry (0 = empty slot).  The tag settles nearly every
 * mismatch without touching the entry.  The hash picks the shard from
 * bits 40 and up, the tag from bits 24-39 and the first slot from the low
 * bits, so the three never overlap.
 *
 * Copy-on-write (see cow.h): a transaction that changes an entry copies
 * the root (pointer array) and that one shard; the other shards stay
 * shared with the published view.  A shard copied for a change is given a
 * little room, so that a bulk load of one transaction grows shards in
 * place; pmap_seal() trims them before publication.  The map doubles its
 * shard count when shards average PMAP_SHARD_TARGET entries, which
 * rebuilds every shard once: amortised O(1) per insert, and a single
 * change never copies more than a shard's worth. */
#ifndef VSWITCH_NVGRE_PMAP_H
#define VSWITCH_NVGRE_PMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nvgre/cow.h"
#include "nvgre/hash.h"

#define PMAP_SHARD_TARGET 512u
#define PMAP_SHARD_MAX 65535u
#define PMAP_BITS_MAX 24u

struct pmap_shard {
	struct nv_obj obj;
	uint32_t n;          /* entries */
	uint32_t cap;        /* room for entries */
	uint32_t mask;       /* index slots - 1 */
	uint32_t pad;
	/* uint32_t slots[mask + 1]; then entries[cap * esize] */
};

struct pmap_root {
	struct nv_obj obj;
	uint32_t bits;       /* 2^bits shards */
	uint32_t count;      /* entries in all shards */
	uint64_t grown;      /* gen of the last transaction that grew a
			      * shard beyond its need: pmap_seal() skips
			      * the walk over every shard otherwise */
	struct pmap_shard *shards[];  /* NULL: empty */
};

/* The shape of one map's entries. */
struct pmap_type {
	uint16_t esize;      /* bytes per entry, a multiple of 4 */
	uint16_t ksize;      /* leading bytes that form the key */
};

static inline uint32_t *
pmap_slots(const struct pmap_shard *s)
{
	return (uint32_t *)(s + 1);
}

static inline uint8_t *
pmap_ents(const struct pmap_shard *s)
{
	return (uint8_t *)(pmap_slots(s) + s->mask + 1);
}

static inline uint32_t
pmap_shard_of(const struct pmap_root *r, uint64_t h)
{
	return (uint32_t)(h >> 40) & ((1u << r->bits) - 1);
}

static inline uint32_t
pmap_tag(uint64_t h)
{
	return (uint32_t)(h >> 24) & 0xffff;
}

static inline uint64_t
pmap_hash(const void *key, size_t ksize, uint64_t seed)
{
	return nv_hash_bytes(key, ksize, seed);
}

/* Reader lookup: the entry whose key is the 'ksize' bytes at 'key' (hash
 * 'h'), or NULL.  'ksize' and 'esize' are constants at every call site,
 * so the compiler specialises this for each map. */
static inline const void *
pmap_get(const struct pmap_root *r, uint64_t h, const void *key,
	 size_t ksize, size_t esize)
{
	const struct pmap_shard *s = r->shards[pmap_shard_of(r, h)];
	const uint32_t *slots;
	const uint8_t *ents;
	uint32_t tag = pmap_tag(h) << 16;

	if (!s)
		return NULL;
	slots = pmap_slots(s);
	ents = pmap_ents(s);
	/* The index always has an empty slot: the loop ends. */
	for (uint32_t i = (uint32_t)h & s->mask;; i = (i + 1) & s->mask) {
		uint32_t sl = slots[i];

		if (!sl)
			return NULL;
		if ((sl & 0xffff0000u) == tag) {
			const uint8_t *e = ents + ((sl & 0xffff) - 1) * esize;

			if (!memcmp(e, key, ksize))
				return e;
		}
	}
}

/* Writer side; 'rootp' is a field of the transaction's private view. */

/* Sets '*rootp' to a new empty map. -ENOMEM. */
int pmap_create(struct nv_txn_mem *m, struct pmap_root **rootp);

/* Inserts 'ent', whose key must be absent.  -ENOMEM, -ENOSPC (a shard is
 * full at the largest shard count). */
int pmap_insert(struct nv_txn_mem *m, struct pmap_root **rootp,
		const struct pmap_type *ty, uint64_t seed, const void *ent);

/* Returns the entry of 'key', made private so that the caller may change
 * its non-key bytes, or NULL when absent or out of memory (then
 * m->failed). */
void *pmap_get_mut(struct nv_txn_mem *m, struct pmap_root **rootp,
		   const struct pmap_type *ty, uint64_t seed, const void *key);

/* Removes the entry of 'key'.  Returns 0, -ENOENT or -ENOMEM. */
int pmap_remove(struct nv_txn_mem *m, struct pmap_root **rootp,
		const struct pmap_type *ty, uint64_t seed, const void *key);

/* Trims the spare room of the shards this transaction grew.  Failure to
 * trim (out of memory) only keeps the room. */
void pmap_seal(struct nv_txn_mem *m, struct pmap_root *root,
	       const struct pmap_type *ty, uint64_t seed);

/* Calls 'fn' on every entry; stops and returns its value when non-zero. */
int pmap_foreach(const struct pmap_root *root, const struct pmap_type *ty,
		 int (*fn)(const void *ent, void *arg), void *arg);

/* Frees every object of a map that nothing else shares: at destroy. */
void pmap_destroy(size_t *bytes, struct pmap_root *root);

#endif
