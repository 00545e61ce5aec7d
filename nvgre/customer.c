/* Customer routes: each routing domain holds the prefixes of its virtual
 * subnets (on-link in a VSID) and routes through CAs (a next hop in a
 * VSID).  A VSID belongs to the domain of its routes, so a lookup from a
 * VSID never sees another domain: two tenants may both use 10.0.0.0/24. */
#include <errno.h>

#include "nvgre/db_priv.h"

/* ---- reader side ----------------------------------------------------- */

static const struct lpm *
vsid_routes(const struct nvgre_view *v, uint32_t vsid)
{
	const struct vsid_ent *e = vsid_get(v, vsid);

	if (!e || e->rdom == NVGRE_RDOM_NONE)
		return NULL;
	return v->rdoms->ents[e->rdom].routes;
}

bool
nvgre_lookup_route(const struct nvgre_view *v, uint32_t src_vsid,
		   const struct nvgre_addr *dst, struct nvgre_route_hit *out)
{
	const struct nv_croute *r = lpm_lookup(vsid_routes(v, src_vsid), dst,
					       NULL, NULL);

	if (!r)
		return false;
	out->vsid = r->vsid;
	out->nexthop = r->nexthop.family ? r->nexthop : *dst;
	lpm_pfx_get(&r->pfx, &out->prefix);
	out->metric = r->pfx.metric;
	return true;
}

/* The first on-link route of 'vsid' whose gateway 'match' accepts. */
static const struct nv_croute *
gateway_scan(const struct nvgre_view *v, uint32_t vsid,
	     bool (*match)(const struct nv_croute *r, const void *arg),
	     const void *arg)
{
	const struct lpm *t = vsid_routes(v, vsid);

	for (uint32_t i = 0; t && i < t->n; i++) {
		const struct nv_croute *r = lpm_at(t, i);

		if (r->vsid == vsid && !r->nexthop.family &&
		    r->gateway.family && match(r, arg))
			return r;
	}
	return NULL;
}

static bool
gateway_of_family(const struct nv_croute *r, const void *family)
{
	return r->gateway.family == *(const uint8_t *)family;
}

static bool
gateway_is(const struct nv_croute *r, const void *addr)
{
	return nvgre_addr_eq(&r->gateway, addr);
}

bool
nvgre_vsid_gateway(const struct nvgre_view *v, uint32_t vsid, uint8_t family,
		   struct nvgre_addr *out)
{
	const struct nv_croute *r = gateway_scan(v, vsid, gateway_of_family,
						 &family);

	if (r)
		*out = r->gateway;
	return r != NULL;
}

bool
nvgre_is_gateway(const struct nvgre_view *v, uint32_t vsid,
		 const struct nvgre_addr *addr)
{
	return gateway_scan(v, vsid, gateway_is, addr) != NULL;
}

/* ---- routing domains ------------------------------------------------- */

static int
check_rdom(const char *name, struct nvgre_err *err)
{
	size_t len = name ? strlen(name) : 0;

	if (!len)
		return nv_err(err, -EINVAL, "rdom: empty routing domain id");
	if (len > NVGRE_RDOM_NAME_MAX)
		return nv_err(err, -EINVAL, "rdom: longer than %u characters",
			      NVGRE_RDOM_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] <= ' ' ||
		    (unsigned char)name[i] > '~')
			return nv_err(err, -EINVAL, "rdom: character %zu is "
				      "not printable ASCII", i + 1);
	return 0;
}

static void
rdom_key(struct rdom_key_ent *k, const char *name)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->name, name, strlen(name));
}

static int
rdom_find(const struct nvgre_view *v, const char *name)
{
	const struct rdom_key_ent *e;
	struct rdom_key_ent k;

	rdom_key(&k, name);
	e = pmap_get(v->rdom_keys, nv_key_hash(v, &k, sizeof(k.name)), &k,
		     sizeof(k.name), sizeof(k));
	return e ? (int)e->idx : -1;
}

static const char *
rdom_name(const struct nvgre_view *v, uint32_t idx)
{
	return v->rdoms->ents[idx].name;
}

/* Makes the domain array private with room for index 'idx'. */
static struct nv_rdoms *
rdoms_private(struct nvgre_txn *tx, uint32_t idx)
{
	struct nv_rdoms *d = tx->v->rdoms;
	uint32_t cap = d->cap;

	if (idx >= cap)
		cap = idx + 1 + (nv_private(&tx->mem, d) ? cap : 0);
	d = nv_cow(&tx->mem, d, sizeof(*d) + cap * sizeof(d->ents[0]));
	if (!d)
		return NULL;
	d->cap = cap;
	tx->v->rdoms = d;
	return d;
}

static int
rdom_intern(struct nvgre_txn *tx, const char *name, uint32_t *idx)
{
	const struct nv_rdoms *cur = tx->v->rdoms;
	struct rdom_key_ent k;
	struct nv_rdoms *d;
	int found = rdom_find(tx->v, name);
	uint32_t i = 0;

	if (found >= 0) {
		*idx = (uint32_t)found;
		return 0;
	}
	while (i < cur->limit && cur->ents[i].used)
		i++;
	if (!(d = rdoms_private(tx, i)))
		return -ENOMEM;
	memset(&d->ents[i], 0, sizeof(d->ents[i]));
	memcpy(d->ents[i].name, name, strlen(name));
	d->ents[i].used = 1;
	d->n_used++;
	if (i >= d->limit)
		d->limit = i + 1;
	rdom_key(&k, name);
	k.idx = i;
	*idx = i;
	return pmap_insert(&tx->mem, &tx->v->rdom_keys, &rdom_key_type,
			   tx->v->seed, &k) ? -ENOMEM : 0;
}

/* Forgets domain 'idx', whose last route went. */
static int
rdom_drop(struct nvgre_txn *tx, uint32_t idx)
{
	struct nv_rdoms *d = rdoms_private(tx, idx);
	struct rdom_key_ent k;

	if (!d)
		return -ENOMEM;
	rdom_key(&k, d->ents[idx].name);
	nv_release(&tx->mem, d->ents[idx].routes);
	memset(&d->ents[idx], 0, sizeof(d->ents[idx]));
	d->n_used--;
	while (d->limit && !d->ents[d->limit - 1].used)
		d->limit--;
	return pmap_remove(&tx->mem, &tx->v->rdom_keys, &rdom_key_type,
			   tx->v->seed, &k) == -ENOMEM ? -ENOMEM : 0;
}

/* ---- routes ---------------------------------------------------------- */

static int
check_gateway(const struct nvgre_croute_cfg *c, bool onlink,
	      struct nvgre_err *err)
{
	char a[NVGRE_ADDR_STRLEN], p[NVGRE_PREFIX_STRLEN];

	if (!c->gateway.family)
		return 0;
	if (!onlink)
		return nv_err(err, -EINVAL, "gateway: only an on-link route "
			      "(no next hop) has a virtual gateway");
	if (!nvgre_addr_is_unicast(&c->gateway) ||
	    !nvgre_prefix_contains(&c->prefix, &c->gateway))
		return nv_err(err, -EINVAL, "gateway: %s is not a host address "
			      "in %s", NV_ADDR(&c->gateway, a),
			      nvgre_prefix_format(&c->prefix, p, sizeof(p)));
	return 0;
}

static int
croute_from_cfg(const struct nvgre_croute_cfg *c, struct nv_croute *r,
		struct nvgre_err *err)
{
	bool onlink;
	int e;

	if ((e = check_rdom(c->rdom, err)) ||
	    (e = nv_check_vsid(c->vsid, "vsid", err)) ||
	    (e = nv_check_prefix(&c->prefix, "prefix", err)) ||
	    (e = nv_check_nexthop(&c->nexthop, c->prefix.addr.family, err)))
		return e;
	memset(r, 0, sizeof(*r));
	lpm_pfx_set(&r->pfx, &c->prefix, c->metric);
	r->vsid = c->vsid;
	r->nexthop = nv_nexthop_norm(&c->nexthop);
	onlink = !r->nexthop.family;
	if ((e = check_gateway(c, onlink, err)))
		return e;
	if (c->gateway.family) {
		r->gateway = c->gateway;
		r->gw_configured = 1;
	} else if (onlink) {
		/* None for a /32 or /128: no address to spare. */
		nvgre_prefix_first_host(&c->prefix, &r->gateway);
	}
	return 0;
}

static bool
same_prefix(const struct nv_croute *a, const struct nv_croute *b)
{
	return a->pfx.family == b->pfx.family && a->pfx.len == b->pfx.len &&
	       !memcmp(a->pfx.addr, b->pfx.addr, 16);
}

/* Index of the route of that prefix, VSID and next hop, or -1. */
static int64_t
croute_find(const struct lpm *t, const struct nv_croute *want)
{
	for (uint32_t i = 0; t && i < t->n; i++) {
		const struct nv_croute *r = lpm_at(t, i);

		if (same_prefix(r, want) && r->vsid == want->vsid &&
		    nvgre_addr_eq(&r->nexthop, &want->nexthop))
			return i;
	}
	return -1;
}

/* Refuses a route that would mix domains or duplicate one. */
static int
check_croute(const struct nvgre_view *v, const struct nvgre_croute_cfg *c,
	     const struct nv_croute *r, struct nvgre_err *err)
{
	const struct vsid_ent *ve = vsid_get(v, c->vsid);
	int idx = rdom_find(v, c->rdom);
	char p[NVGRE_PREFIX_STRLEN];
	const struct lpm *t;

	if (ve && ve->n_routes && ve->rdom != (uint32_t)idx)
		return nv_err(err, -EEXIST, "vsid: %u belongs to routing "
			      "domain %s", c->vsid, rdom_name(v, ve->rdom));
	if (idx < 0)
		return 0;
	t = v->rdoms->ents[idx].routes;
	nvgre_prefix_format(&c->prefix, p, sizeof(p));
	if (croute_find(t, r) >= 0)
		return nv_err(err, -EEXIST, "prefix: routing domain %s already "
			      "routes %s in vsid %u by that next hop", c->rdom,
			      p, c->vsid);
	for (uint32_t i = 0; !r->nexthop.family && t && i < t->n; i++) {
		const struct nv_croute *o = lpm_at(t, i);

		if (!o->nexthop.family && same_prefix(o, r))
			return nv_err(err, -EEXIST, "prefix: %s is already "
				      "on-link in vsid %u of routing domain %s",
				      p, o->vsid, c->rdom);
	}
	return 0;
}

static int
rdom_routes_edit(struct nvgre_txn *tx, uint32_t idx,
		 const struct nv_croute *add, uint32_t drop)
{
	struct nv_rdoms *d = rdoms_private(tx, idx);
	struct lpm *t;

	if (!d || !(t = lpm_edit(&tx->mem, d->ents[idx].routes,
				 sizeof(struct nv_croute), add, drop)))
		return -ENOMEM;
	nv_release(&tx->mem, d->ents[idx].routes);
	d->ents[idx].routes = t;
	d->ents[idx].n_routes += add ? 1 : -1;
	return 0;
}

int
nvgre_croute_add(struct nvgre_txn *tx, const struct nvgre_croute_cfg *c,
		 struct nvgre_err *err)
{
	struct nv_croute r;
	struct vsid_ent *ve;
	uint32_t idx;
	int e;

	if ((e = croute_from_cfg(c, &r, err)) ||
	    (e = check_croute(tx->v, c, &r, err)))
		return e;
	if (rdom_intern(tx, c->rdom, &idx) ||
	    rdom_routes_edit(tx, idx, &r, UINT32_MAX) ||
	    !(ve = nv_vsid_mut(tx, c->vsid, true)))
		return nv_nomem(tx, err);
	ve->n_routes++;
	ve->rdom = idx;
	tx->v->n_croutes++;
	tx->changed = true;
	return 0;
}

int
nvgre_croute_del(struct nvgre_txn *tx, const struct nvgre_croute_cfg *c,
		 struct nvgre_err *err)
{
	struct nvgre_croute_cfg key = *c;
	char p[NVGRE_PREFIX_STRLEN];
	struct nv_croute r;
	struct vsid_ent *ve;
	int64_t i;
	int idx, e;

	key.gateway = (struct nvgre_addr){ 0 };   /* not part of the name */
	if ((e = croute_from_cfg(&key, &r, err)))
		return e;
	if ((idx = rdom_find(tx->v, c->rdom)) < 0)
		return nv_err(err, -ENOENT, "rdom: no routing domain %s",
			      c->rdom);
	if ((i = croute_find(tx->v->rdoms->ents[idx].routes, &r)) < 0)
		return nv_err(err, -ENOENT, "prefix: routing domain %s has no "
			      "route to %s in vsid %u by that next hop",
			      c->rdom, nvgre_prefix_format(&c->prefix, p,
							   sizeof(p)),
			      c->vsid);
	if (rdom_routes_edit(tx, (uint32_t)idx, NULL, (uint32_t)i) ||
	    (!tx->v->rdoms->ents[idx].n_routes &&
	     rdom_drop(tx, (uint32_t)idx)) ||
	    !(ve = nv_vsid_mut(tx, c->vsid, false)))
		return nv_nomem(tx, err);
	if (--ve->n_routes == 0)
		ve->rdom = NVGRE_RDOM_NONE;
	if (nv_vsid_release(tx, c->vsid))
		return nv_nomem(tx, err);
	tx->v->n_croutes--;
	tx->changed = true;
	return 0;
}

int
nvgre_view_foreach_croute(const struct nvgre_view *v,
			  int (*fn)(const struct nvgre_croute_cfg *route,
				    void *arg),
			  void *arg)
{
	for (uint32_t d = 0; d < v->rdoms->limit; d++) {
		const struct nv_rdom *rd = &v->rdoms->ents[d];

		for (uint32_t i = 0; rd->used && i < rd->routes->n; i++) {
			const struct nv_croute *r = lpm_at(rd->routes, i);
			struct nvgre_croute_cfg c;
			int e;

			memset(&c, 0, sizeof(c));
			c.rdom = rd->name;
			c.vsid = r->vsid;
			lpm_pfx_get(&r->pfx, &c.prefix);
			c.nexthop = r->nexthop;
			c.metric = r->pfx.metric;
			if (r->gw_configured)
				c.gateway = r->gateway;
			if ((e = fn(&c, arg)))
				return e;
		}
	}
	return 0;
}
