/* Internals of the NV library (nv.h), shared by its files only.
 *
 * The record table.  Records sit in a dense array cut into chunks of
 * NV_CHUNK (so that growing never copies them and never needs one huge
 * allocation), and an open-addressing index with linear probing maps a
 * key's hash to a storage index.  A slot holds only the 4-byte storage
 * index: keys are compared on the records themselves.  Deleting moves the
 * last record into the hole (so storage stays dense) and closes the gap in
 * the index by backward shifting (no tombstones).  The index keeps its
 * load at most 3/4: about 44 bytes of record plus 5 to 11 bytes of index
 * per record.
 *
 * Growing happens only in nv_table_reserve(); nothing shrinks but
 * nv_table_trim().  So after reserve(n) any sequence of inserts and
 * deletes that never holds more than n records cannot fail, which is what
 * undoing a transaction relies on. */
#ifndef VSWITCH_CONTROL_NV_PRIV_H
#define VSWITCH_CONTROL_NV_PRIV_H

#include "control/nv.h"

#define NV_CHUNK_SHIFT 12
#define NV_CHUNK (1u << NV_CHUNK_SHIFT)         /* records per chunk */
#define NV_NO_RECORD UINT32_MAX                 /* empty index slot */

struct nv_table {
	struct nv_record **chunks;      /* 'n_chunks' of NV_CHUNK records */
	size_t n_chunks;
	size_t chunks_cap;              /* entries of 'chunks' */
	size_t n;                       /* records stored */
	uint32_t *index;                /* slot -> storage index */
	size_t mask;                    /* slots - 1; no index: 0 */
};

void nv_table_init(struct nv_table *t);
void nv_table_destroy(struct nv_table *t);
/* Makes room for 'n' records in all.  Returns 0 or -ENOMEM. */
int nv_table_reserve(struct nv_table *t, size_t n);
/* Frees chunks and index slots that more than 'keep' records do not need
 * (best effort). */
void nv_table_trim(struct nv_table *t, size_t keep);

/* The storage index of the record with the key of 'key', or -1. */
long nv_table_find(const struct nv_table *t, const struct nv_record *key);
/* Adds 'rec', whose key must be absent, within the reserved room. */
void nv_table_insert(struct nv_table *t, const struct nv_record *rec);
/* Deletes the record at storage index 'i' (the last one moves there). */
void nv_table_delete(struct nv_table *t, size_t i);

static inline struct nv_record *
nv_table_at(const struct nv_table *t, size_t i)
{
	return &t->chunks[i >> NV_CHUNK_SHIFT][i & (NV_CHUNK - 1)];
}

/* Keys. */
bool nv_record_key_equal(const struct nv_record *a,
			 const struct nv_record *b);
uint64_t nv_record_key_hash(const struct nv_record *rec);
/* A hash of all of the record's fields, for nv_store_digest(). */
uint64_t nv_record_hash(const struct nv_record *rec);
/* 64-bit mixing of 'size' bytes at 'p' into 'h'. */
uint64_t nv_hash_bytes(const void *p, size_t size, uint64_t h);

#endif
