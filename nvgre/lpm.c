#include "nvgre/lpm.h"

#include <stdlib.h>
#include <string.h>

static int
ent_cmp(const void *a, const void *b, void *esize)
{
	const struct lpm_pfx *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	if ((c = memcmp(x->addr, y->addr, 16)))
		return c;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	/* Equal routes but for their payload: any fixed order will do, as
	 * long as it does not depend on insertion order. */
	return memcmp(x + 1, y + 1, *(const uint32_t *)esize - sizeof(*x));
}

struct lpm *
lpm_build(struct nv_txn_mem *m, const void *ents, uint32_t n, uint32_t esize)
{
	uint32_t groups = 0, ofs;
	uint8_t *tmp = NULL;
	struct lpm *t;

	if (n) {
		if (!(tmp = malloc((size_t)n * esize))) {
			m->failed = true;
			return NULL;
		}
		memcpy(tmp, ents, (size_t)n * esize);
		qsort_r(tmp, n, esize, ent_cmp, &esize);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct lpm_pfx *p = (void *)(tmp + (size_t)i * esize);
		const struct lpm_pfx *q = (void *)(tmp + (size_t)(i - 1) *
						    esize);

		groups += !i || p->family != q->family || p->len != q->len;
	}
	ofs = (uint32_t)(sizeof(*t) + groups * sizeof(struct lpm_group) + 7) &
	      ~7u;
	if (!(t = nv_alloc(m, ofs + (size_t)n * esize))) {
		free(tmp);
		return NULL;
	}
	t->n = n;
	t->esize = esize;
	t->ents_ofs = ofs;
	if (n)
		memcpy((uint8_t *)t + ofs, tmp, (size_t)n * esize);
	free(tmp);
	for (uint32_t i = 0; i < n; i++) {
		const struct lpm_pfx *p = lpm_at(t, i);
		struct lpm_group *g = &t->groups[t->n_groups - 1];

		if (!t->n_groups || g->family != p->family ||
		    g->len != p->len) {
			g = &t->groups[t->n_groups++];
			g->family = p->family;
			g->len = p->len;
			g->start = i;
		}
		g->end = i + 1;
	}
	return t;
}

struct lpm *
lpm_edit(struct nv_txn_mem *m, const struct lpm *t, uint32_t esize,
	 const void *add, uint32_t drop)
{
	uint32_t n = t ? t->n : 0, k = 0;
	uint8_t *tmp = malloc(((size_t)n + 1) * esize);
	struct lpm *r;

	if (!tmp) {
		m->failed = true;
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		if (i != drop)
			memcpy(tmp + (size_t)k++ * esize, lpm_at(t, i), esize);
	if (add)
		memcpy(tmp + (size_t)k++ * esize, add, esize);
	r = lpm_build(m, tmp, k, esize);
	free(tmp);
	return r;
}

/* First entry of group 'g' whose prefix is >= 'addr', by binary search. */
static uint32_t
group_lower_bound(const struct lpm *t, const struct lpm_group *g,
		  const uint8_t *addr)
{
	uint32_t lo = g->start, hi = g->end;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct lpm_pfx *p = lpm_at(t, mid);

		if (memcmp(p->addr, addr, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const void *
lpm_lookup(const struct lpm *t, const struct nvgre_addr *a,
	   int (*skip)(const void *ent, const void *arg), const void *arg)
{
	if (!t)
		return NULL;
	for (uint32_t gi = 0; gi < t->n_groups; gi++) {
		const struct lpm_group *g = &t->groups[gi];
		struct nvgre_addr m;

		if (g->family != a->family)
			continue;
		m = *a;
		nvgre_addr_mask(&m, g->len);
		for (uint32_t i = group_lower_bound(t, g, m.b); i < g->end;
		     i++) {
			const struct lpm_pfx *p = lpm_at(t, i);

			if (memcmp(p->addr, m.b, 16))
				break;
			if (!skip || !skip(p, arg))
				return p;
		}
	}
	return NULL;
}

void
lpm_pfx_set(struct lpm_pfx *h, const struct nvgre_prefix *p, uint32_t metric)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, p->addr.b, 16);
	h->family = p->addr.family;
	h->len = p->len;
	h->metric = metric;
}

void
lpm_pfx_get(const struct lpm_pfx *h, struct nvgre_prefix *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->addr.b, h->addr, 16);
	p->addr.family = h->family;
	p->len = h->len;
}
