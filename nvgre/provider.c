/* The provider side: this host's PAs and the routes of the underlay.  A
 * PA's subnet is an on-link route of its own ("connected"), so a remote
 * PA in it needs no configured route. */
#include <errno.h>
#include <stdlib.h>

#include "nvgre/db_priv.h"

/* ---- reader side ----------------------------------------------------- */

int
nvgre_local_pa_find(const struct nvgre_view *v, const struct nvgre_addr *addr)
{
	for (uint32_t i = 0; i < v->pas->n; i++)
		if (nvgre_addr_eq(&v->pas->ents[i].addr, addr))
			return (int)i;
	return -1;
}

bool
nvgre_local_pa_get(const struct nvgre_view *v, unsigned int idx,
		   struct nvgre_pa_cfg *out)
{
	if (idx >= v->pas->n)
		return false;
	*out = v->pas->ents[idx];
	return true;
}

bool
nv_pa_is_local(const struct nvgre_view *v, const struct nvgre_addr *a)
{
	return nvgre_local_pa_find(v, a) >= 0;
}

static bool
pa_subnet_contains(const struct nvgre_pa_cfg *pa, const struct nvgre_addr *a)
{
	struct nvgre_prefix p = { pa->addr, pa->prefix_len };

	nvgre_addr_mask(&p.addr, p.len);
	return nvgre_prefix_contains(&p, a);
}

/* Our PA to send through route 'r' toward 'nexthop': the connected
 * route's own PA, else one of that family on the route's port, preferring
 * one whose subnet holds the next hop.  -1 when there is none. */
static int
route_source(const struct nvgre_view *v, const struct nv_proute *r,
	     const struct nvgre_addr *nexthop)
{
	int any = -1;

	if (r->connected)
		return (int)r->pa;
	for (uint32_t i = 0; i < v->pas->n; i++) {
		const struct nvgre_pa_cfg *pa = &v->pas->ents[i];

		if (pa->port != r->port || pa->addr.family != nexthop->family)
			continue;
		if (pa_subnet_contains(pa, nexthop))
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

struct underlay_arg {
	const struct nvgre_view *v;
	const struct nvgre_addr *dst;
};

static const struct nvgre_addr *
route_nexthop(const struct nv_proute *r, const struct nvgre_addr *dst)
{
	return r->nexthop.family ? &r->nexthop : dst;
}

/* A route no PA of ours can send through is passed over. */
static int
route_unusable(const void *ent, const void *arg)
{
	const struct underlay_arg *a = arg;
	const struct nv_proute *r = ent;

	return route_source(a->v, r, route_nexthop(r, a->dst)) < 0;
}

bool
nvgre_lookup_underlay(const struct nvgre_view *v, const struct nvgre_addr *pa,
		      struct nvgre_underlay_hit *out)
{
	struct underlay_arg a = { v, pa };
	const struct nv_proute *r = lpm_lookup(v->proutes, pa, route_unusable,
					       &a);
	const struct nvgre_pa_cfg *src;

	if (!r)
		return false;
	memset(out, 0, sizeof(*out));
	out->nexthop = *route_nexthop(r, pa);
	src = &v->pas->ents[route_source(v, r, &out->nexthop)];
	out->src = src->addr;
	out->port = src->port;
	out->vlan = src->vlan;
	return true;
}

/* ---- checks ---------------------------------------------------------- */

/* A prefix as nvgre_prefix_parse() makes them. */
int
nv_check_prefix(const struct nvgre_prefix *p, const char *field,
		struct nvgre_err *err)
{
	unsigned int bits = nvgre_family_bits(p->addr.family);
	char a[NVGRE_PREFIX_STRLEN];
	struct nvgre_addr m = p->addr;

	if (!bits)
		return nv_err(err, -EINVAL, "%s: no address family", field);
	if (p->len > bits)
		return nv_err(err, -EINVAL, "%s: length %u is past %u bits",
			      field, p->len, bits);
	nvgre_addr_mask(&m, p->len);
	if (!nvgre_addr_eq(&m, &p->addr))
		return nv_err(err, -EINVAL, "%s: %s has host bits set", field,
			      nvgre_prefix_format(p, a, sizeof(a)));
	return 0;
}

/* A next hop: none (on-link), or a unicast address of 'family'. */
int
nv_check_nexthop(const struct nvgre_addr *nh, uint8_t family,
		 struct nvgre_err *err)
{
	char a[NVGRE_ADDR_STRLEN];

	if (!nh->family || nvgre_addr_is_unspecified(nh))
		return 0;
	if (nh->family != family)
		return nv_err(err, -EINVAL, "nexthop: %s is not of the "
			      "prefix's family", NV_ADDR(nh, a));
	if (!nvgre_addr_is_unicast(nh))
		return nv_err(err, -EINVAL, "nexthop: %s is not a unicast "
			      "address", NV_ADDR(nh, a));
	return 0;
}

/* The stored form of a next hop: on-link has no family. */
struct nvgre_addr
nv_nexthop_norm(const struct nvgre_addr *nh)
{
	struct nvgre_addr none = { 0 };

	return !nh->family || nvgre_addr_is_unspecified(nh) ? none : *nh;
}

/* ---- our PAs --------------------------------------------------------- */

/* Rebuilds the provider routes: the configured ones and one on-link
 * route per PA subnet, whose PA indexes follow the current array. */
static int
proutes_rebuild(struct nvgre_txn *tx)
{
	struct nvgre_view *v = tx->v;
	const struct lpm *old = v->proutes;
	struct nv_proute *tmp = malloc((old->n + v->pas->n + 1) *
				       sizeof(*tmp));
	uint32_t n = 0;
	struct lpm *t;

	if (!tmp)
		return -ENOMEM;
	for (uint32_t i = 0; i < old->n; i++) {
		const struct nv_proute *r = lpm_at(old, i);

		if (!r->connected)
			tmp[n++] = *r;
	}
	for (uint32_t i = 0; i < v->pas->n; i++) {
		const struct nvgre_pa_cfg *pa = &v->pas->ents[i];
		struct nvgre_prefix p = { pa->addr, pa->prefix_len };
		struct nv_proute *r = &tmp[n++];

		memset(r, 0, sizeof(*r));
		nvgre_addr_mask(&p.addr, p.len);
		lpm_pfx_set(&r->pfx, &p, 0);
		r->connected = 1;
		r->port = pa->port;
		r->pa = i;
	}
	t = lpm_build(&tx->mem, tmp, n, sizeof(*tmp));
	free(tmp);
	if (!t)
		return -ENOMEM;
	nv_release(&tx->mem, v->proutes);
	v->proutes = t;
	return 0;
}

static int
check_pa_cfg(const struct nvgre_view *v, const struct nvgre_pa_cfg *c,
	     struct nvgre_err *err)
{
	char a[NVGRE_ADDR_STRLEN];

	if (!nvgre_addr_is_unicast(&c->addr))
		return nv_err(err, -EINVAL, "pa: %s is not a unicast address",
			      NV_ADDR(&c->addr, a));
	if (c->prefix_len > nvgre_family_bits(c->addr.family))
		return nv_err(err, -EINVAL, "prefix_len: %u is past %u bits",
			      c->prefix_len,
			      nvgre_family_bits(c->addr.family));
	if (c->vlan > 4094)
		return nv_err(err, -EINVAL, "vlan: %u is out of range 0-4094",
			      c->vlan);
	if (nv_pa_is_local(v, &c->addr))
		return nv_err(err, -EEXIST, "pa: %s is already ours",
			      NV_ADDR(&c->addr, a));
	if (v->pas->n == NVGRE_MAX_LOCAL_PAS)
		return nv_err(err, -ENOSPC, "pa: this host has %u PAs already",
			      NVGRE_MAX_LOCAL_PAS);
	return 0;
}

static struct nv_pas *
pas_private(struct nvgre_txn *tx)
{
	struct nv_pas *p = nv_cow(&tx->mem, tx->v->pas, sizeof(*p));

	if (p)
		tx->v->pas = p;
	return p;
}

int
nvgre_pa_add(struct nvgre_txn *tx, const struct nvgre_pa_cfg *c,
	     struct nvgre_err *err)
{
	struct nv_pas *p;
	int r;

	if ((r = check_pa_cfg(tx->v, c, err)))
		return r;
	if (!(p = pas_private(tx)))
		return nv_nomem(tx, err);
	p->ents[p->n++] = *c;
	if (proutes_rebuild(tx) || nv_peers_set_local(tx, &c->addr, true))
		return nv_nomem(tx, err);
	tx->changed = true;
	return 0;
}

int
nvgre_pa_del(struct nvgre_txn *tx, const struct nvgre_addr *addr,
	     struct nvgre_err *err)
{
	int i = nvgre_local_pa_find(tx->v, addr);
	char a[NVGRE_ADDR_STRLEN];
	struct nv_pas *p;

	if (i < 0)
		return nv_err(err, -ENOENT, "pa: %s is not ours",
			      NV_ADDR(addr, a));
	if (!(p = pas_private(tx)))
		return nv_nomem(tx, err);
	memmove(&p->ents[i], &p->ents[i + 1],
		(p->n - (uint32_t)i - 1) * sizeof(p->ents[0]));
	p->n--;
	if (proutes_rebuild(tx) || nv_peers_set_local(tx, addr, false))
		return nv_nomem(tx, err);
	tx->changed = true;
	return 0;
}

/* ---- configured routes ----------------------------------------------- */

/* Index of the configured route of prefix, next hop and port, or -1. */
static int64_t
proute_find(const struct lpm *t, const struct nv_proute *want)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct nv_proute *r = lpm_at(t, i);

		if (!r->connected && r->port == want->port &&
		    r->pfx.family == want->pfx.family &&
		    r->pfx.len == want->pfx.len &&
		    !memcmp(r->pfx.addr, want->pfx.addr, 16) &&
		    nvgre_addr_eq(&r->nexthop, &want->nexthop))
			return i;
	}
	return -1;
}

static int
proute_from_cfg(const struct nvgre_proute_cfg *c, struct nv_proute *r,
		struct nvgre_err *err)
{
	int e;

	if ((e = nv_check_prefix(&c->prefix, "prefix", err)) ||
	    (e = nv_check_nexthop(&c->nexthop, c->prefix.addr.family, err)))
		return e;
	memset(r, 0, sizeof(*r));
	lpm_pfx_set(&r->pfx, &c->prefix, c->metric);
	r->nexthop = nv_nexthop_norm(&c->nexthop);
	r->port = c->port;
	return 0;
}

static int
proutes_edit(struct nvgre_txn *tx, const struct nv_proute *add, uint32_t drop,
	     struct nvgre_err *err)
{
	struct lpm *t = lpm_edit(&tx->mem, tx->v->proutes,
				 sizeof(struct nv_proute), add, drop);

	if (!t)
		return nv_nomem(tx, err);
	nv_release(&tx->mem, tx->v->proutes);
	tx->v->proutes = t;
	tx->v->n_proutes += add ? 1 : -1;
	tx->changed = true;
	return 0;
}

int
nvgre_proute_add(struct nvgre_txn *tx, const struct nvgre_proute_cfg *c,
		 struct nvgre_err *err)
{
	char a[NVGRE_PREFIX_STRLEN];
	struct nv_proute r;
	int e;

	if ((e = proute_from_cfg(c, &r, err)))
		return e;
	if (proute_find(tx->v->proutes, &r) >= 0)
		return nv_err(err, -EEXIST, "prefix: a provider route to %s "
			      "by that next hop and port exists",
			      nvgre_prefix_format(&c->prefix, a, sizeof(a)));
	return proutes_edit(tx, &r, UINT32_MAX, err);
}

int
nvgre_proute_del(struct nvgre_txn *tx, const struct nvgre_proute_cfg *c,
		 struct nvgre_err *err)
{
	char a[NVGRE_PREFIX_STRLEN];
	struct nv_proute r;
	int64_t i;
	int e;

	if ((e = proute_from_cfg(c, &r, err)))
		return e;
	if ((i = proute_find(tx->v->proutes, &r)) < 0)
		return nv_err(err, -ENOENT, "prefix: no provider route to %s "
			      "by that next hop and port",
			      nvgre_prefix_format(&c->prefix, a, sizeof(a)));
	return proutes_edit(tx, NULL, (uint32_t)i, err);
}

int
nvgre_view_foreach_proute(const struct nvgre_view *v,
			  int (*fn)(const struct nvgre_proute_cfg *route,
				    void *arg),
			  void *arg)
{
	for (uint32_t i = 0; i < v->proutes->n; i++) {
		const struct nv_proute *r = lpm_at(v->proutes, i);
		struct nvgre_proute_cfg c;
		int e;

		if (r->connected)
			continue;
		memset(&c, 0, sizeof(c));
		lpm_pfx_get(&r->pfx, &c.prefix);
		c.nexthop = r->nexthop;
		c.port = r->port;
		c.metric = r->pfx.metric;
		if ((e = fn(&c, arg)))
			return e;
	}
	return 0;
}
