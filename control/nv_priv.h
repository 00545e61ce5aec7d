/* Internals of the NV library (nv.h), shared by its files only.
 *
 * The record table.  Records sit in a dense array cut into chunks of
 * CTL_NV_CHUNK (so that growing never copies them and never needs one huge
 * allocation), and an open-addressing index with linear probing maps a
 * key's hash to a storage index.  A slot holds only the 4-byte storage
 * index: keys are compared on the records themselves.  Deleting moves the
 * last record into the hole (so storage stays dense) and closes the gap in
 * the index by backward shifting (no tombstones).  The index keeps its
 * load at most 3/4: about 44 bytes of record plus 5 to 11 bytes of index
 * per record.
 *
 * Growing happens only in ctl_nv_table_reserve(); nothing shrinks but
 * ctl_nv_table_trim().  So after reserve(n) any sequence of inserts and
 * deletes that never holds more than n records cannot fail, which is what
 * undoing a transaction relies on. */
#ifndef VSWITCH_CONTROL_NV_PRIV_H
#define VSWITCH_CONTROL_NV_PRIV_H

#include "control/nv.h"

#define CTL_NV_CHUNK_SHIFT 12
#define CTL_NV_CHUNK (1u << CTL_NV_CHUNK_SHIFT)         /* records per chunk */
#define CTL_NV_NO_RECORD UINT32_MAX                     /* empty index slot */

struct ctl_nv_table {
	struct ctl_nv_record **chunks;      /* 'n_chunks' of CTL_NV_CHUNK */
	size_t n_chunks;
	size_t chunks_cap;              /* entries of 'chunks' */
	size_t n;                       /* records stored */
	uint32_t *index;                /* slot -> storage index */
	size_t mask;                    /* slots - 1; no index: 0 */
};

void ctl_nv_table_init(struct ctl_nv_table *t);
void ctl_nv_table_destroy(struct ctl_nv_table *t);
/* Makes room for 'n' records in all.  Returns 0 or -ENOMEM. */
int ctl_nv_table_reserve(struct ctl_nv_table *t, size_t n);
/* Frees chunks and index slots that more than 'keep' records do not need
 * (best effort). */
void ctl_nv_table_trim(struct ctl_nv_table *t, size_t keep);

/* The storage index of the record with the key of 'key', or -1. */
long ctl_nv_table_find(const struct ctl_nv_table *t,
		       const struct ctl_nv_record *key);
/* Adds 'rec', whose key must be absent, within the reserved room. */
void ctl_nv_table_insert(struct ctl_nv_table *t,
			 const struct ctl_nv_record *rec);
/* Deletes the record at storage index 'i' (the last one moves there). */
void ctl_nv_table_delete(struct ctl_nv_table *t, size_t i);

static inline struct ctl_nv_record *
ctl_nv_table_at(const struct ctl_nv_table *t, size_t i)
{
	return &t->chunks[i >> CTL_NV_CHUNK_SHIFT][i & (CTL_NV_CHUNK - 1)];
}

/* Keys. */
bool ctl_nv_record_key_equal(const struct ctl_nv_record *a,
			 const struct ctl_nv_record *b);
uint64_t ctl_nv_record_key_hash(const struct ctl_nv_record *rec);
/* A hash of all of the record's fields, for ctl_nv_store_digest(). */
uint64_t ctl_nv_record_hash(const struct ctl_nv_record *rec);
/* 64-bit mixing of 'size' bytes at 'p' into 'h'. */
uint64_t ctl_nv_hash_bytes(const void *p, size_t size, uint64_t h);

#endif
