/* Longest-prefix match over a small immutable array: the routes of one
 * routing domain, or the provider routes.  Internal to nvgre/.
 *
 * Entries of any size begin with 'struct lpm_pfx' and are kept sorted by
 * family, prefix length (longest first), prefix, then metric (lowest
 * first).  Entries of one (family, length) form a group; a lookup masks
 * the address to each group's length in turn, longest first, and binary
 * searches the group.  The first hit is the longest prefix, and within
 * it the lowest metric.  Cost: groups x log(routes), with few groups in
 * practice (a /24, a /16 and a default route make three).
 *
 * A change builds a new array (lpm_build): routes change rarely and the
 * tables are small next to the records. */
#ifndef VSWITCH_NVGRE_LPM_H
#define VSWITCH_NVGRE_LPM_H

#include <stdint.h>

#include "nvgre/addr.h"
#include "nvgre/cow.h"

struct lpm_pfx {
	uint8_t addr[16];    /* prefix, host bits zero */
	uint8_t family;      /* NVGRE_AF_* */
	uint8_t len;
	uint16_t pad;        /* zero */
	uint32_t metric;
};

struct lpm_group {
	uint8_t family;
	uint8_t len;
	uint16_t pad;
	uint32_t start;      /* first entry */
	uint32_t end;        /* past the last */
};

struct lpm {
	struct nv_obj obj;
	uint32_t n;          /* entries */
	uint32_t esize;      /* bytes per entry */
	uint32_t n_groups;
	uint32_t ents_ofs;   /* bytes from the struct to the entries */
	struct lpm_group groups[];   /* then the entries */
};

static inline const void *
lpm_at(const struct lpm *t, uint32_t i)
{
	return (const uint8_t *)t + t->ents_ofs + (size_t)i * t->esize;
}

/* The entry of the longest prefix holding 'a', lowest metric first, or
 * NULL.  'skip' (may be NULL) rejects entries the caller cannot use, and
 * the search goes on with the next candidate. */
const void *lpm_lookup(const struct lpm *t, const struct nvgre_addr *a,
		       int (*skip)(const void *ent, const void *arg),
		       const void *arg);

/* A private table of the 'n' entries at 'ents' ('esize' bytes each,
 * a multiple of 8), sorted.  NULL when out of memory. */
struct lpm *lpm_build(struct nv_txn_mem *m, const void *ents, uint32_t n,
		      uint32_t esize);

/* A private table: 't' (NULL: empty) plus 'add' (NULL: nothing), minus
 * entry 'drop' (UINT32_MAX: none). */
struct lpm *lpm_edit(struct nv_txn_mem *m, const struct lpm *t,
		     uint32_t esize, const void *add, uint32_t drop);

/* Copies 'p' into the header of an entry. */
void lpm_pfx_set(struct lpm_pfx *h, const struct nvgre_prefix *p,
		 uint32_t metric);
void lpm_pfx_get(const struct lpm_pfx *h, struct nvgre_prefix *p);

#endif
