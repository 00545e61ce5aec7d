/* Lookup records: (VSID, CA) -> MAC and (VSID, MAC) -> PA, rule.  An
 * Encap record is one entry in an IP map plus a share of its MAC entry;
 * an L2Only record is a MAC entry alone. */
#include <errno.h>

#include "nvgre/db_priv.h"

/* ---- reader side ----------------------------------------------------- */

static void
rec4_key(struct rec4_ent *k, uint32_t vsid, const uint8_t *ca)
{
	memset(k, 0, sizeof(*k));
	k->vsid = vsid;
	memcpy(k->ca, ca, 4);
}

static void
rec6_key(struct rec6_ent *k, uint32_t vsid, const uint8_t *ca)
{
	memset(k, 0, sizeof(*k));
	k->vsid = vsid;
	memcpy(k->ca, ca, 16);
}

/* The MAC of the record of (vsid, ca), or NULL. */
static const uint8_t *
rec_mac(const struct nvgre_view *v, uint32_t vsid, const struct nvgre_addr *ca)
{
	if (ca->family == NVGRE_AF_IPV4) {
		const struct rec4_ent *e;
		struct rec4_ent k;

		rec4_key(&k, vsid, ca->b);
		e = pmap_get(v->rec4, nv_key_hash(v, &k, 8), &k, 8, sizeof(k));
		return e ? e->mac : NULL;
	}
	if (ca->family == NVGRE_AF_IPV6) {
		const struct rec6_ent *e;
		struct rec6_ent k;

		rec6_key(&k, vsid, ca->b);
		e = pmap_get(v->rec6, nv_key_hash(v, &k, 20), &k, 20,
			     sizeof(k));
		return e ? e->mac : NULL;
	}
	return NULL;
}

bool
nvgre_lookup_mac(const struct nvgre_view *v, uint32_t vsid,
		 const uint8_t mac[6], struct nvgre_hit *out)
{
	const struct mac_ent *e = mac_get(v, vsid, mac);

	if (!e)
		return false;
	memcpy(out->mac, e->mac, 6);
	out->rule = e->rule;
	out->peer = e->peer;
	out->local = v->peers->ents[e->peer].local;
	return true;
}

bool
nvgre_lookup_ca(const struct nvgre_view *v, uint32_t vsid,
		const struct nvgre_addr *ca, struct nvgre_hit *out)
{
	const uint8_t *mac = rec_mac(v, vsid, ca);

	return mac && nvgre_lookup_mac(v, vsid, mac, out);
}

enum nvgre_drop
nvgre_decap_check(const struct nvgre_view *v, const struct nvgre_decap *d)
{
	struct nvgre_vsid_info info;
	int pa = nvgre_local_pa_find(v, &d->dst), peer;

	if (pa < 0)
		return NVGRE_DROP_DST_PA_NOT_LOCAL;
	if (v->pas->ents[pa].vlan != d->vlan)
		return NVGRE_DROP_PA_VLAN;
	/* We never send to ourselves over the wire: such a frame looped
	 * back, or its sender forged our address to pass the check below
	 * (our PA hosts the VSIDs of our VMs). */
	if (nvgre_local_pa_find(v, &d->src) >= 0)
		return NVGRE_DROP_SRC_PA_LOCAL;
	if (!nvgre_lookup_vsid(v, d->vsid, &info))
		return NVGRE_DROP_VSID_UNKNOWN;
	peer = nvgre_peer_find(v, &d->src);
	if (peer < 0 || !nvgre_vsid_has_peer(&info, (uint32_t)peer))
		return NVGRE_DROP_SRC_PA_NOT_IN_VSID;
	return NVGRE_DROP_NONE;
}

/* ---- checks of a change ---------------------------------------------- */

static int
check_mac(const uint8_t mac[6], struct nvgre_err *err)
{
	static const uint8_t zero[6];
	char m[NVGRE_MAC_STRLEN];

	if (mac[0] & 1 || !memcmp(mac, zero, 6))
		return nv_err(err, -EINVAL, "mac: %s is not a unicast MAC",
			      NV_MAC(mac, m));
	return 0;
}

static int
check_ca(const struct nvgre_record_cfg *c, struct nvgre_err *err)
{
	char a[NVGRE_ADDR_STRLEN];

	if (c->rule == NVGRE_RULE_L2ONLY) {
		if (c->ca.family && !nvgre_addr_is_unspecified(&c->ca))
			return nv_err(err, -EINVAL, "ca: an l2only record "
				      "has CA 0.0.0.0, not %s",
				      NV_ADDR(&c->ca, a));
		return 0;
	}
	if (c->rule != NVGRE_RULE_ENCAP)
		return nv_err(err, -EINVAL, "rule: %d is neither encap nor "
			      "l2only", (int)c->rule);
	if (!nvgre_addr_is_unicast(&c->ca))
		return nv_err(err, -EINVAL, "ca: %s is not a unicast address "
			      "(0.0.0.0 only with rule l2only)",
			      NV_ADDR(&c->ca, a));
	return 0;
}

/* A PA must be ours (the CA is on this host) or reachable. */
static int
check_pa(const struct nvgre_view *v, const struct nvgre_addr *pa,
	 struct nvgre_err *err)
{
	struct nvgre_underlay_hit u;
	char a[NVGRE_ADDR_STRLEN];

	if (!nvgre_addr_is_unicast(pa))
		return nv_err(err, -EINVAL, "pa: %s is not a unicast address",
			      NV_ADDR(pa, a));
	if (!nv_pa_is_local(v, pa) && !nvgre_lookup_underlay(v, pa, &u))
		return nv_err(err, -EHOSTUNREACH, "pa: no provider route "
			      "reaches %s", NV_ADDR(pa, a));
	if (!nv_peer_room(v, pa))
		return nv_err(err, -ENOSPC, "pa: %s would be PA number %u, "
			      "past the limit", NV_ADDR(pa, a),
			      NVGRE_MAX_PEERS + 1);
	return 0;
}

/* Records of one MAC share its PA and rule. */
static int
check_mac_share(const struct nvgre_view *v, const struct nvgre_record_cfg *c,
		const struct mac_ent *me, struct nvgre_err *err)
{
	char m[NVGRE_MAC_STRLEN], a[NVGRE_ADDR_STRLEN];

	if (!me)
		return 0;
	if (me->rule == NVGRE_RULE_L2ONLY)
		return nv_err(err, -EEXIST, "mac: %s in vsid %u already has an "
			      "l2only record", NV_MAC(c->mac, m), c->vsid);
	if (c->rule == NVGRE_RULE_L2ONLY)
		return nv_err(err, -EEXIST, "mac: %s in vsid %u already has "
			      "encap records; an l2only record cannot join "
			      "them", NV_MAC(c->mac, m), c->vsid);
	if (!nvgre_addr_eq(&v->peers->ents[me->peer].addr, &c->pa))
		return nv_err(err, -EEXIST, "pa: mac %s in vsid %u is on PA "
			      "%s; the records of one MAC share its PA (move "
			      "them all at once)", NV_MAC(c->mac, m), c->vsid,
			      NV_ADDR(&v->peers->ents[me->peer].addr, a));
	if (me->n_ips == UINT16_MAX)
		return nv_err(err, -ENOSPC, "ca: mac %s in vsid %u has %u "
			      "addresses already", NV_MAC(c->mac, m), c->vsid,
			      UINT16_MAX);
	return 0;
}

static int
check_record(const struct nvgre_view *v, const struct nvgre_record_cfg *c,
	     struct nvgre_err *err)
{
	char a[NVGRE_ADDR_STRLEN];
	int r;

	if ((r = nv_check_vsid(c->vsid, "vsid", err)) ||
	    (r = check_ca(c, err)) || (r = check_mac(c->mac, err)) ||
	    (r = check_pa(v, &c->pa, err)))
		return r;
	if (c->rule == NVGRE_RULE_ENCAP && rec_mac(v, c->vsid, &c->ca))
		return nv_err(err, -EEXIST, "ca: vsid %u already has a record "
			      "for %s", c->vsid, NV_ADDR(&c->ca, a));
	return check_mac_share(v, c, mac_get(v, c->vsid, c->mac), err);
}

/* ---- changes --------------------------------------------------------- */

static int
rec_insert(struct nvgre_txn *tx, const struct nvgre_record_cfg *c)
{
	struct nvgre_view *v = tx->v;

	if (c->ca.family == NVGRE_AF_IPV4) {
		struct rec4_ent e;

		rec4_key(&e, c->vsid, c->ca.b);
		memcpy(e.mac, c->mac, 6);
		return pmap_insert(&tx->mem, &v->rec4, &rec4_type, v->seed, &e);
	} else {
		struct rec6_ent e;

		rec6_key(&e, c->vsid, c->ca.b);
		memcpy(e.mac, c->mac, 6);
		return pmap_insert(&tx->mem, &v->rec6, &rec6_type, v->seed, &e);
	}
}

static int
rec_remove(struct nvgre_txn *tx, uint32_t vsid, const struct nvgre_addr *ca)
{
	struct nvgre_view *v = tx->v;

	if (ca->family == NVGRE_AF_IPV4) {
		struct rec4_ent k;

		rec4_key(&k, vsid, ca->b);
		return pmap_remove(&tx->mem, &v->rec4, &rec4_type, v->seed, &k);
	} else {
		struct rec6_ent k;

		rec6_key(&k, vsid, ca->b);
		return pmap_remove(&tx->mem, &v->rec6, &rec6_type, v->seed, &k);
	}
}

/* Adds a share of (vsid, mac) on 'pa': a new MAC entry, or one more IP
 * record on an existing one. */
static int
mac_share(struct nvgre_txn *tx, const struct nvgre_record_cfg *c)
{
	struct nvgre_view *v = tx->v;
	struct mac_ent k, *e;
	uint32_t peer;

	mac_key(&k, c->vsid, c->mac);
	if ((e = pmap_get_mut(&tx->mem, &v->macs, &mac_type, v->seed, &k))) {
		e->n_ips++;
		return 0;
	}
	if (tx->mem.failed || nv_peer_intern(tx, &c->pa, &peer))
		return -ENOMEM;
	k.peer = (uint16_t)peer;
	k.n_ips = c->rule == NVGRE_RULE_ENCAP;
	k.rule = (uint8_t)c->rule;
	if (pmap_insert(&tx->mem, &v->macs, &mac_type, v->seed, &k))
		return -ENOMEM;
	return nv_vsid_add_mac(tx, c->vsid, peer);
}

/* Drops a share of (vsid, mac); the entry goes with its last share. */
static int
mac_unshare(struct nvgre_txn *tx, uint32_t vsid, const uint8_t mac[6])
{
	struct nvgre_view *v = tx->v;
	struct mac_ent k, *e;
	uint32_t peer;

	mac_key(&k, vsid, mac);
	if (!(e = pmap_get_mut(&tx->mem, &v->macs, &mac_type, v->seed, &k)))
		return -ENOMEM;
	if (e->n_ips > 1) {
		e->n_ips--;
		return 0;
	}
	peer = e->peer;
	if (pmap_remove(&tx->mem, &v->macs, &mac_type, v->seed, &k))
		return -ENOMEM;
	return nv_vsid_del_mac(tx, vsid, peer);
}

int
nvgre_record_add(struct nvgre_txn *tx, const struct nvgre_record_cfg *c,
		 struct nvgre_err *err)
{
	int r = check_record(tx->v, c, err);

	if (r)
		return r;
	/* Checked: from here on only memory can fail. */
	if (mac_share(tx, c) ||
	    (c->rule == NVGRE_RULE_ENCAP && rec_insert(tx, c)))
		return nv_nomem(tx, err);
	tx->v->n_records++;
	tx->v->n_l2only += c->rule == NVGRE_RULE_L2ONLY;
	tx->changed = true;
	return 0;
}

int
nvgre_record_del(struct nvgre_txn *tx, uint32_t vsid,
		 const struct nvgre_addr *ca, const uint8_t mac[6],
		 struct nvgre_err *err)
{
	char a[NVGRE_ADDR_STRLEN], m[NVGRE_MAC_STRLEN];
	const struct mac_ent *me;
	const uint8_t *rm;
	uint8_t rmac[6];
	int r;

	if ((r = nv_check_vsid(vsid, "vsid", err)))
		return r;
	if (ca && ca->family && !nvgre_addr_is_unspecified(ca)) {
		if (!(rm = rec_mac(tx->v, vsid, ca)))
			return nv_err(err, -ENOENT, "ca: vsid %u has no record "
				      "for %s", vsid, NV_ADDR(ca, a));
		memcpy(rmac, rm, 6);
		if (rec_remove(tx, vsid, ca) || mac_unshare(tx, vsid, rmac))
			return nv_nomem(tx, err);
	} else {
		if (!mac)
			return nv_err(err, -EINVAL, "mac: an l2only record is "
				      "named by its MAC");
		me = mac_get(tx->v, vsid, mac);
		if (!me || me->rule != NVGRE_RULE_L2ONLY)
			return nv_err(err, -ENOENT, "mac: vsid %u has no "
				      "l2only record for %s", vsid,
				      NV_MAC(mac, m));
		if (mac_unshare(tx, vsid, mac))
			return nv_nomem(tx, err);
		tx->v->n_l2only--;
	}
	tx->v->n_records--;
	tx->changed = true;
	return 0;
}

int
nvgre_record_move(struct nvgre_txn *tx, uint32_t vsid, const uint8_t mac[6],
		  const struct nvgre_addr *pa, struct nvgre_err *err)
{
	struct nvgre_view *v = tx->v;
	const struct mac_ent *me;
	char m[NVGRE_MAC_STRLEN];
	struct mac_ent k, *e;
	uint32_t peer, old;
	int r;

	if ((r = nv_check_vsid(vsid, "vsid", err)) ||
	    (r = check_pa(v, pa, err)))
		return r;
	if (!(me = mac_get(v, vsid, mac)))
		return nv_err(err, -ENOENT, "mac: vsid %u has no record for %s",
			      vsid, NV_MAC(mac, m));
	if (nvgre_addr_eq(&v->peers->ents[me->peer].addr, pa))
		return 0;
	mac_key(&k, vsid, mac);
	/* The new PA joins the VSID before the old one may leave it, so
	 * the VSID entry is never dropped in between. */
	if (nv_peer_intern(tx, pa, &peer) ||
	    !(e = pmap_get_mut(&tx->mem, &v->macs, &mac_type, v->seed, &k)))
		return nv_nomem(tx, err);
	old = e->peer;
	e->peer = (uint16_t)peer;
	if (nv_vsid_add_mac(tx, vsid, peer) || nv_vsid_del_mac(tx, vsid, old))
		return nv_nomem(tx, err);
	tx->changed = true;
	return 0;
}

/* ---- listing --------------------------------------------------------- */

struct foreach_arg {
	const struct nvgre_view *v;
	int (*fn)(const struct nvgre_record_cfg *rec, void *arg);
	void *arg;
};

static int
emit(struct foreach_arg *a, uint32_t vsid, const struct nvgre_addr *ca,
     const uint8_t mac[6])
{
	const struct mac_ent *me = mac_get(a->v, vsid, mac);
	struct nvgre_record_cfg c;

	memset(&c, 0, sizeof(c));
	c.vsid = vsid;
	c.ca = *ca;
	memcpy(c.mac, mac, 6);
	c.pa = a->v->peers->ents[me->peer].addr;
	c.rule = (enum nvgre_rule)me->rule;
	return a->fn(&c, a->arg);
}

static int
emit4(const void *ent, void *arg)
{
	const struct rec4_ent *e = ent;
	struct nvgre_addr ca = nvgre_addr_ipv4(e->ca);

	return emit(arg, e->vsid, &ca, e->mac);
}

static int
emit6(const void *ent, void *arg)
{
	const struct rec6_ent *e = ent;
	struct nvgre_addr ca = nvgre_addr_ipv6(e->ca);

	return emit(arg, e->vsid, &ca, e->mac);
}

static int
emit_l2only(const void *ent, void *arg)
{
	static const uint8_t zero[4];
	const struct mac_ent *e = ent;
	struct nvgre_addr ca = nvgre_addr_ipv4(zero);

	return e->rule == NVGRE_RULE_L2ONLY ? emit(arg, e->vsid, &ca, e->mac)
					    : 0;
}

int
nvgre_view_foreach_record(const struct nvgre_view *v,
			  int (*fn)(const struct nvgre_record_cfg *rec,
				    void *arg),
			  void *arg)
{
	struct foreach_arg a = { v, fn, arg };
	int r;

	if ((r = pmap_foreach(v->rec4, &rec4_type, emit4, &a)) ||
	    (r = pmap_foreach(v->rec6, &rec6_type, emit6, &a)))
		return r;
	return pmap_foreach(v->macs, &mac_type, emit_l2only, &a);
}
