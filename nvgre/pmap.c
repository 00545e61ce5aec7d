#include "nvgre/pmap.h"

#include <errno.h>

/* Slots for 'cap' entries: a power of two, at most 3/4 full, never
 * without an empty slot. */
static uint32_t
slots_for(uint32_t cap)
{
	uint32_t n = 4;

	while (n < cap + 1 || n * 3 < cap * 4)
		n <<= 1;
	return n;
}

static size_t
root_size(uint32_t bits)
{
	return sizeof(struct pmap_root) +
	       ((size_t)1 << bits) * sizeof(struct pmap_shard *);
}

static inline uint8_t *
ent_at(const struct pmap_shard *s, uint32_t pos, const struct pmap_type *ty)
{
	return pmap_ents(s) + (size_t)(pos - 1) * ty->esize;
}

static inline uint64_t
ent_hash(const void *ent, const struct pmap_type *ty, uint64_t seed)
{
	return pmap_hash(ent, ty->ksize, seed);
}

static struct pmap_shard *
shard_alloc(struct nv_txn_mem *m, uint32_t cap, const struct pmap_type *ty)
{
	uint32_t slots = slots_for(cap);
	struct pmap_shard *s = nv_alloc_raw(m, sizeof(*s) + slots * 4u +
					       (size_t)cap * ty->esize);

	/* Entries past 'n' are never read: only the index needs zeroes
	 * (and shard_copy() overwrites even those when it can). */
	if (s) {
		s->n = 0;
		s->cap = cap;
		s->mask = slots - 1;
		s->pad = 0;
	}
	return s;
}

/* Points a free slot at position 'pos' for an entry of hash 'h'. */
static void
shard_place(struct pmap_shard *s, uint64_t h, uint32_t pos)
{
	uint32_t *slots = pmap_slots(s);
	uint32_t i = (uint32_t)h & s->mask;

	while (slots[i])
		i = (i + 1) & s->mask;
	slots[i] = pmap_tag(h) << 16 | pos;
}

/* A private copy of 's' (NULL: empty) with room for 'cap' entries. */
static struct pmap_shard *
shard_copy(struct nv_txn_mem *m, const struct pmap_shard *s, uint32_t cap,
	   const struct pmap_type *ty, uint64_t seed)
{
	struct pmap_shard *d = shard_alloc(m, cap, ty);

	if (!d)
		return NULL;
	if (s && d->mask == s->mask) {
		memcpy(pmap_slots(d), pmap_slots(s), (s->mask + 1) * 4u);
	} else {
		memset(pmap_slots(d), 0, (d->mask + 1) * 4u);
	}
	if (!s)
		return d;
	d->n = s->n;
	memcpy(pmap_ents(d), pmap_ents(s), (size_t)s->n * ty->esize);
	if (d->mask == s->mask)
		return d;
	for (uint32_t p = 1; p <= s->n; p++)
		shard_place(d, ent_hash(ent_at(s, p, ty), ty, seed), p);
	return d;
}

/* Finds the slot of 'key' in 's': its index, or -1. */
static int64_t
shard_find(const struct pmap_shard *s, uint64_t h, const void *key,
	   const struct pmap_type *ty)
{
	const uint32_t *slots = pmap_slots(s);
	uint32_t tag = pmap_tag(h) << 16;

	for (uint32_t i = (uint32_t)h & s->mask;; i = (i + 1) & s->mask) {
		uint32_t sl = slots[i];

		if (!sl)
			return -1;
		if ((sl & 0xffff0000u) == tag &&
		    !memcmp(ent_at(s, sl & 0xffff, ty), key, ty->ksize))
			return i;
	}
}

int
pmap_create(struct nv_txn_mem *m, struct pmap_root **rootp)
{
	struct pmap_root *r = nv_alloc(m, root_size(0));

	if (!r)
		return -ENOMEM;
	*rootp = r;
	return 0;
}

static struct pmap_root *
root_private(struct nv_txn_mem *m, struct pmap_root **rootp)
{
	struct pmap_root *r = nv_cow(m, *rootp, root_size((*rootp)->bits));

	if (r)
		*rootp = r;
	return r;
}

/* Makes shard 'i' of the private root 'r' private with room for 'cap'
 * entries (never less than it holds). */
static struct pmap_shard *
shard_private(struct nv_txn_mem *m, struct pmap_root *r, uint32_t i,
	      uint32_t cap, const struct pmap_type *ty, uint64_t seed)
{
	struct pmap_shard *s = r->shards[i], *c;

	if (s && nv_private(m, s) && s->cap >= cap)
		return s;
	if (!(c = shard_copy(m, s, cap, ty, seed)))
		return NULL;
	nv_release(m, s);
	r->shards[i] = c;
	return c;
}

/* Doubles the shard count: every entry moves to shard i or i + 2^bits by
 * the next hash bit. */
static int
root_split(struct nv_txn_mem *m, struct pmap_root **rootp,
	   const struct pmap_type *ty, uint64_t seed)
{
	struct pmap_root *old = *rootp, *r;
	uint32_t half = 1u << old->bits;

	if (!(r = nv_alloc(m, root_size(old->bits + 1))))
		return -ENOMEM;
	r->bits = old->bits + 1;
	r->count = old->count;
	for (uint32_t i = 0; i < half; i++) {
		const struct pmap_shard *s = old->shards[i];
		uint32_t hi = 0;

		if (!s)
			continue;
		for (uint32_t p = 1; p <= s->n; p++)
			hi += (ent_hash(ent_at(s, p, ty), ty, seed) >> 40 &
			       half) != 0;
		for (uint32_t side = 0; side < 2; side++) {
			uint32_t cap = side ? hi : s->n - hi;
			struct pmap_shard *d;

			if (!cap)
				continue;
			if (!(d = shard_copy(m, NULL, cap, ty, seed)))
				goto fail;
			r->shards[i + side * half] = d;
			for (uint32_t p = 1; p <= s->n; p++) {
				const uint8_t *e = ent_at(s, p, ty);
				uint64_t h = ent_hash(e, ty, seed);

				if (((h >> 40 & half) != 0) != side)
					continue;
				memcpy(ent_at(d, ++d->n, ty), e, ty->esize);
				shard_place(d, h, d->n);
			}
		}
	}
	for (uint32_t i = 0; i < half; i++)
		nv_release(m, old->shards[i]);
	nv_release(m, old);
	*rootp = r;
	return 0;
fail:
	for (uint32_t i = 0; i < 2 * half; i++)
		nv_release(m, r->shards[i]);
	nv_release(m, r);
	return -ENOMEM;
}

int
pmap_insert(struct nv_txn_mem *m, struct pmap_root **rootp,
	    const struct pmap_type *ty, uint64_t seed, const void *ent)
{
	uint64_t h = ent_hash(ent, ty, seed);
	struct pmap_shard *s;
	struct pmap_root *r;
	uint32_t i, cap;

	for (;;) {
		if (!(r = root_private(m, rootp)))
			return -ENOMEM;
		i = pmap_shard_of(r, h);
		s = r->shards[i];
		if (r->count < ((uint64_t)PMAP_SHARD_TARGET << r->bits) &&
		    (!s || s->n < PMAP_SHARD_MAX))
			break;
		if (r->bits == PMAP_BITS_MAX) {
			if (!s || s->n < PMAP_SHARD_MAX)
				break;
			return -ENOSPC;
		}
		if (root_split(m, rootp, ty, seed))
			return -ENOMEM;
	}
	/* Room for this entry; a shard filling up within one transaction
	 * (bulk load) grows by half, and pmap_seal() trims it. */
	cap = !s ? 1 : s->n < s->cap ? s->cap
	      : s->n + (nv_private(m, s) ? s->n / 2 : 0) + 1;
	if (cap > PMAP_SHARD_MAX)
		cap = PMAP_SHARD_MAX;
	if (s && cap > s->n + 1)
		r->grown = m->gen;
	if (!(s = shard_private(m, r, i, cap, ty, seed)))
		return -ENOMEM;
	memcpy(ent_at(s, ++s->n, ty), ent, ty->esize);
	shard_place(s, h, s->n);
	r->count++;
	return 0;
}

void *
pmap_get_mut(struct nv_txn_mem *m, struct pmap_root **rootp,
	     const struct pmap_type *ty, uint64_t seed, const void *key)
{
	uint64_t h = pmap_hash(key, ty->ksize, seed);
	const struct pmap_shard *s = (*rootp)->shards[pmap_shard_of(*rootp,
								     h)];
	struct pmap_shard *c;
	struct pmap_root *r;
	int64_t slot;
	uint32_t pos;

	if (!s || (slot = shard_find(s, h, key, ty)) < 0)
		return NULL;
	pos = pmap_slots(s)[slot] & 0xffff;
	if (!(r = root_private(m, rootp)) ||
	    !(c = shard_private(m, r, pmap_shard_of(r, h), s->n, ty, seed)))
		return NULL;
	return ent_at(c, pos, ty);
}

/* Empties slot 'i' of linear-probing index 's': later slots of the same
 * cluster whose home is not in (i, j] move back into the hole, so that
 * every entry stays reachable from its home slot. */
static void
shard_unplace(struct pmap_shard *s, uint32_t i, const struct pmap_type *ty,
	      uint64_t seed)
{
	uint32_t *slots = pmap_slots(s);

	for (uint32_t j = (i + 1) & s->mask; slots[j];
	     j = (j + 1) & s->mask) {
		uint32_t home = (uint32_t)ent_hash(ent_at(s, slots[j] & 0xffff,
							  ty), ty, seed) &
				s->mask;
		bool stays = i <= j ? home > i && home <= j
				    : home > i || home <= j;

		if (!stays) {
			slots[i] = slots[j];
			i = j;
		}
	}
	slots[i] = 0;
}

/* Moves the last entry of 's' into position 'pos', keeping it indexed. */
static void
shard_fill_hole(struct pmap_shard *s, uint32_t pos,
		const struct pmap_type *ty, uint64_t seed)
{
	uint32_t *slots = pmap_slots(s);
	uint8_t *last = ent_at(s, s->n, ty);
	uint32_t i;

	if (pos != s->n) {
		i = (uint32_t)ent_hash(last, ty, seed) & s->mask;
		while ((slots[i] & 0xffff) != s->n)
			i = (i + 1) & s->mask;
		slots[i] = (slots[i] & 0xffff0000u) | pos;
		memcpy(ent_at(s, pos, ty), last, ty->esize);
	}
	s->n--;
}

int
pmap_remove(struct nv_txn_mem *m, struct pmap_root **rootp,
	    const struct pmap_type *ty, uint64_t seed, const void *key)
{
	uint64_t h = pmap_hash(key, ty->ksize, seed);
	struct pmap_shard *s;
	struct pmap_root *r;
	int64_t slot;
	uint32_t i, pos;

	s = (*rootp)->shards[pmap_shard_of(*rootp, h)];
	if (!s || (slot = shard_find(s, h, key, ty)) < 0)
		return -ENOENT;
	if (!(r = root_private(m, rootp)))
		return -ENOMEM;
	i = pmap_shard_of(r, h);
	if (r->shards[i]->n == 1) {
		nv_release(m, r->shards[i]);
		r->shards[i] = NULL;
		r->count--;
		return 0;
	}
	if (!(s = shard_private(m, r, i, r->shards[i]->n, ty, seed)))
		return -ENOMEM;
	/* The copy may have a smaller index: find the slot again. */
	slot = shard_find(s, h, key, ty);
	pos = pmap_slots(s)[slot] & 0xffff;
	shard_unplace(s, (uint32_t)slot, ty, seed);
	shard_fill_hole(s, pos, ty, seed);
	r->count--;
	return 0;
}

void
pmap_seal(struct nv_txn_mem *m, struct pmap_root *root,
	  const struct pmap_type *ty, uint64_t seed)
{
	if (!nv_private(m, root) || root->grown != m->gen)
		return;
	for (uint32_t i = 0; i < 1u << root->bits; i++) {
		struct pmap_shard *s = root->shards[i], *c;

		if (!nv_private(m, s) || s->cap <= s->n + s->n / 16 + 1)
			continue;
		/* Same layout, fewer spare entries: the slots are copied,
		 * not rehashed, whenever the index size stays. */
		if (!(c = shard_copy(m, s, s->n, ty, seed)))
			return;
		nv_release(m, s);
		root->shards[i] = c;
	}
}

int
pmap_foreach(const struct pmap_root *root, const struct pmap_type *ty,
	     int (*fn)(const void *ent, void *arg), void *arg)
{
	for (uint32_t i = 0; i < 1u << root->bits; i++) {
		const struct pmap_shard *s = root->shards[i];

		for (uint32_t p = 1; s && p <= s->n; p++) {
			int r = fn(ent_at(s, p, ty), arg);

			if (r)
				return r;
		}
	}
	return 0;
}

void
pmap_destroy(size_t *bytes, struct pmap_root *root)
{
	if (!root)
		return;
	for (uint32_t i = 0; i < 1u << root->bits; i++)
		nv_free(bytes, root->shards[i]);
	nv_free(bytes, root);
}
