/* The lookup record table of the NV store (see nv_priv.h). */
#include "control/nv_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 64

static int table_grow_chunks(struct ctl_nv_table *t, size_t n);
static int table_grow_index(struct ctl_nv_table *t, size_t n);
static size_t table_slot_of(const struct ctl_nv_table *t, uint32_t i);
static void table_index_put(uint32_t *index, size_t mask,
			    const struct ctl_nv_table *t, uint32_t i);
static size_t slots_for(size_t n);
static uint64_t mix(uint64_t h);

void
ctl_nv_table_init(struct ctl_nv_table *t)
{
	memset(t, 0, sizeof *t);
}

void
ctl_nv_table_destroy(struct ctl_nv_table *t)
{
	for (size_t i = 0; i < t->n_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->index);
	ctl_nv_table_init(t);
}

int
ctl_nv_table_reserve(struct ctl_nv_table *t, size_t n)
{
	if (n > CTL_NV_MAX_RECORDS)
		return -ENOSPC;
	if (table_grow_chunks(t, n) < 0)
		return -ENOMEM;
	if (slots_for(n) > (t->index ? t->mask + 1 : 0))
		return table_grow_index(t, n);
	return 0;
}

void
ctl_nv_table_trim(struct ctl_nv_table *t, size_t keep)
{
	size_t need;

	if (keep < t->n)
		keep = t->n;
	need = (keep + CTL_NV_CHUNK - 1) / CTL_NV_CHUNK;
	while (t->n_chunks > need)
		free(t->chunks[--t->n_chunks]);
	/* A much smaller index, when it can be had. */
	if (t->index && slots_for(keep) * 4 <= t->mask + 1) {
		size_t slots = slots_for(keep);
		uint32_t *index = malloc(slots * sizeof *index);

		if (!index)
			return;
		memset(index, 0xff, slots * sizeof *index);
		for (size_t i = 0; i < t->n; i++)
			table_index_put(index, slots - 1, t, (uint32_t) i);
		free(t->index);
		t->index = index;
		t->mask = slots - 1;
	}
}

long
ctl_nv_table_find(const struct ctl_nv_table *t, const struct ctl_nv_record *key)
{
	size_t slot;

	if (!t->index)
		return -1;
	slot = ctl_nv_record_key_hash(key) & t->mask;
	for (;; slot = (slot + 1) & t->mask) {
		uint32_t i = t->index[slot];

		if (i == CTL_NV_NO_RECORD)
			return -1;
		if (ctl_nv_record_key_equal(ctl_nv_table_at(t, i), key))
			return (long) i;
	}
}

void
ctl_nv_table_insert(struct ctl_nv_table *t, const struct ctl_nv_record *rec)
{
	uint32_t i = (uint32_t) t->n++;

	*ctl_nv_table_at(t, i) = *rec;
	table_index_put(t->index, t->mask, t, i);
}

void
ctl_nv_table_delete(struct ctl_nv_table *t, size_t i)
{
	size_t last = t->n - 1;
	size_t hole = table_slot_of(t, (uint32_t) i);

	if (i != last) {
		t->index[table_slot_of(t, (uint32_t) last)] = (uint32_t) i;
		*ctl_nv_table_at(t, i) = *ctl_nv_table_at(t, last);
	}
	t->n--;
	/* Backward shift: each entry after the hole that may move closer to
	 * its home slot without passing it fills the hole. */
	for (size_t next = (hole + 1) & t->mask;
	     t->index[next] != CTL_NV_NO_RECORD; next = (next + 1) & t->mask) {
		size_t home = ctl_nv_record_key_hash(ctl_nv_table_at(t,
				t->index[next])) & t->mask;

		if (((next - home) & t->mask) >= ((next - hole) & t->mask)) {
			t->index[hole] = t->index[next];
			hole = next;
		}
	}
	t->index[hole] = CTL_NV_NO_RECORD;
}

/* Keys and hashes. */

bool
ctl_nv_record_key_equal(const struct ctl_nv_record *a,
			const struct ctl_nv_record *b)
{
	if (a->vsid != b->vsid || memcmp(&a->ca, &b->ca, sizeof a->ca))
		return false;
	return !ctl_nv_ip_is_zero(&a->ca) || !memcmp(a->mac, b->mac, 6);
}

uint64_t
ctl_nv_record_key_hash(const struct ctl_nv_record *rec)
{
	uint64_t h = ctl_nv_hash_bytes(&rec->ca, sizeof rec->ca, rec->vsid);

	if (ctl_nv_ip_is_zero(&rec->ca))
		h = ctl_nv_hash_bytes(rec->mac, 6, h);
	return mix(h);
}

uint64_t
ctl_nv_record_hash(const struct ctl_nv_record *rec)
{
	uint64_t h = ctl_nv_hash_bytes(&rec->ca, sizeof rec->ca, rec->vsid);

	h = ctl_nv_hash_bytes(&rec->pa, sizeof rec->pa, h);
	h = ctl_nv_hash_bytes(rec->mac, 6, h ^ rec->rule);
	return mix(h);
}

uint64_t
ctl_nv_hash_bytes(const void *p, size_t size, uint64_t h)
{
	const uint8_t *b = p;

	while (size >= 8) {
		uint64_t w;

		memcpy(&w, b, 8);
		h = mix(h ^ w);
		b += 8;
		size -= 8;
	}
	if (size) {
		uint64_t w = 0;

		memcpy(&w, b, size);
		h = mix(h ^ w ^ ((uint64_t) size << 56));
	}
	return h;
}

/* Static helpers. */

static int
table_grow_chunks(struct ctl_nv_table *t, size_t n)
{
	size_t need = (n + CTL_NV_CHUNK - 1) / CTL_NV_CHUNK;

	if (need > t->chunks_cap) {
		size_t cap = t->chunks_cap ? t->chunks_cap : 16;
		struct ctl_nv_record **chunks;

		while (cap < need)
			cap *= 2;
		chunks = realloc(t->chunks, cap * sizeof *chunks);
		if (!chunks)
			return -ENOMEM;
		t->chunks = chunks;
		t->chunks_cap = cap;
	}
	while (t->n_chunks < need) {
		struct ctl_nv_record *c = malloc(CTL_NV_CHUNK * sizeof *c);

		if (!c)
			return -ENOMEM;
		t->chunks[t->n_chunks++] = c;
	}
	return 0;
}

/* A new index for 'n' records, filled from the records. */
static int
table_grow_index(struct ctl_nv_table *t, size_t n)
{
	size_t slots = slots_for(n);
	uint32_t *index = malloc(slots * sizeof *index);

	if (!index)
		return -ENOMEM;
	memset(index, 0xff, slots * sizeof *index);
	for (size_t i = 0; i < t->n; i++)
		table_index_put(index, slots - 1, t, (uint32_t) i);
	free(t->index);
	t->index = index;
	t->mask = slots - 1;
	return 0;
}

/* The slot that holds storage index 'i'. */
static size_t
table_slot_of(const struct ctl_nv_table *t, uint32_t i)
{
	size_t slot = ctl_nv_record_key_hash(ctl_nv_table_at(t, i)) & t->mask;

	while (t->index[slot] != i)
		slot = (slot + 1) & t->mask;
	return slot;
}

static void
table_index_put(uint32_t *index, size_t mask, const struct ctl_nv_table *t,
		uint32_t i)
{
	size_t slot = ctl_nv_record_key_hash(ctl_nv_table_at(t, i)) & mask;

	while (index[slot] != CTL_NV_NO_RECORD)
		slot = (slot + 1) & mask;
	index[slot] = i;
}

/* A power of two with 'n' at most 3/4 of it. */
static size_t
slots_for(size_t n)
{
	size_t slots = MIN_SLOTS;

	while (slots / 4 * 3 < n)
		slots *= 2;
	return slots;
}

/* The finalizer of MurmurHash3 (fmix64). */
static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb53ca1ba1a6bULL;
	h ^= h >> 33;
	return h;
}
