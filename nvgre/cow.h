/* Copy-on-write objects of the table versions.  Internal to nvgre/.
 *
 * Every allocation reachable from a view starts with 'struct nv_obj'.  An
 * object allocated by the open transaction carries its generation: it is
 * private, nothing published points to it, and the transaction changes it
 * in place.  Any other object may be read by workers and is never written:
 * to change it the transaction copies it (nv_cow) and retires the
 * original, which is freed after the grace period that follows the
 * commit.  So the writer never needs to know whether a worker holds an
 * object -- only whether the object was born in this transaction. */
#ifndef VSWITCH_NVGRE_COW_H
#define VSWITCH_NVGRE_COW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nvgre_txn;

struct nv_obj {
	uint64_t gen;        /* transaction that allocated it */
	uint32_t size;       /* bytes allocated, this header included */
	uint32_t priv;       /* index in the transaction's private list */
};

/* Bookkeeping of one transaction. */
struct nv_txn_mem {
	uint64_t gen;        /* this transaction's generation, never 0 */
	void **priv;         /* objects it allocated, still alive */
	uint32_t n_priv, cap_priv;
	void **dead;         /* published objects it replaced */
	uint32_t n_dead, cap_dead;
	bool failed;         /* an allocation failed: commit refuses */
	size_t *bytes;       /* the database's allocation counter */
};

static inline bool
nv_private(const struct nv_txn_mem *m, const void *obj)
{
	return obj && ((const struct nv_obj *)obj)->gen == m->gen;
}

/* Returns a zeroed private object of 'size' bytes ('struct nv_obj'
 * first), or NULL (and the transaction fails) when out of memory. */
void *nv_alloc(struct nv_txn_mem *m, size_t size);

/* Same, but only the header is set: for a copy that overwrites the body
 * anyway (zeroing 16 KiB that memcpy then overwrites is most of the cost
 * of a small change to a big table). */
void *nv_alloc_raw(struct nv_txn_mem *m, size_t size);

/* Lets go of 'obj': freed now if private, else retired.  NULL is fine. */
void nv_release(struct nv_txn_mem *m, void *obj);

/* Returns a private version of 'obj' of at least 'size' bytes holding
 * its contents (the first min(old, new) bytes): 'obj' itself when it is
 * private and large enough, else a copy, the original being released.
 * NULL when out of memory ('obj' is then untouched). */
void *nv_cow(struct nv_txn_mem *m, void *obj, size_t size);

/* After commit: the private objects are published; forget them.  The
 * retired ones are handed to the caller (*dead, *n_dead) to free after the
 * grace period. */
void nv_txn_mem_publish(struct nv_txn_mem *m, void ***dead,
			uint32_t *n_dead);

/* Abort: frees every private object and forgets the retired ones, which
 * stay published. */
void nv_txn_mem_discard(struct nv_txn_mem *m);

/* Frees a published object once nothing can reach it. */
void nv_free(size_t *bytes, void *obj);

#endif
