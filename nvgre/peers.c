/* VSID entries, the set of PAs hosting each VSID (broadcast replication
 * and the decapsulation source check), and the index of the PAs that
 * records name. */
#include <errno.h>
#include <stdlib.h>

#include "nvgre/db_priv.h"

/* ---- reader side ----------------------------------------------------- */

bool
nvgre_lookup_vsid(const struct nvgre_view *v, uint32_t vsid,
		  struct nvgre_vsid_info *out)
{
	const struct vsid_ent *e = vsid_get(v, vsid);

	if (!e)
		return false;
	out->rdom = e->rdom;
	out->n_peers = e->peers->n;
	out->peers = e->peers->ents;
	return true;
}

bool
nvgre_vsid_has_peer(const struct nvgre_vsid_info *info, uint32_t peer)
{
	uint32_t lo = 0, hi = info->n_peers;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (info->peers[mid] == peer)
			return true;
		if (info->peers[mid] < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int
nvgre_peer_find(const struct nvgre_view *v, const struct nvgre_addr *pa)
{
	const struct peer_key_ent *e;
	struct peer_key_ent k;

	memset(&k, 0, sizeof(k));
	k.addr = *pa;
	e = pmap_get(v->peer_keys, nv_key_hash(v, &k, sizeof(k.addr)), &k,
		     sizeof(k.addr), sizeof(k));
	return e ? (int)e->idx : -1;
}

bool
nvgre_peer_get(const struct nvgre_view *v, uint32_t peer,
	       struct nvgre_peer_info *out)
{
	const struct nv_peer *p;

	if (peer >= v->peers->limit || !(p = &v->peers->ents[peer])->used)
		return false;
	out->addr = p->addr;
	out->local = p->local;
	return true;
}

uint32_t
nvgre_peer_limit(const struct nvgre_view *v)
{
	return v->peers->limit;
}

/* ---- PA index -------------------------------------------------------- */

/* Makes the peer array private with room for index 'idx'. */
static struct nv_peers *
peers_private(struct nvgre_txn *tx, uint32_t idx)
{
	struct nv_peers *p = tx->v->peers;
	uint32_t cap = p->cap;

	if (idx >= cap)
		cap = idx + 1 + (nv_private(&tx->mem, p) ? cap : 0);
	if (cap > NVGRE_MAX_PEERS)
		cap = NVGRE_MAX_PEERS;
	p = nv_cow(&tx->mem, p, sizeof(*p) + cap * sizeof(p->ents[0]));
	if (!p)
		return NULL;
	p->cap = cap;
	tx->v->peers = p;
	return p;
}

bool
nv_peer_room(const struct nvgre_view *v, const struct nvgre_addr *pa)
{
	return v->peers->n_used < NVGRE_MAX_PEERS ||
	       nvgre_peer_find(v, pa) >= 0;
}

int
nv_peer_intern(struct nvgre_txn *tx, const struct nvgre_addr *pa,
	       uint32_t *idx)
{
	const struct nv_peers *cur = tx->v->peers;
	struct peer_key_ent k;
	struct nv_peers *p;
	int found = nvgre_peer_find(tx->v, pa);
	uint32_t i = 0;

	if (found >= 0) {
		*idx = (uint32_t)found;
		return 0;
	}
	/* New PAs are rare next to records: a scan for a hole is fine. */
	while (i < cur->limit && cur->ents[i].used)
		i++;
	if (i >= NVGRE_MAX_PEERS)
		return -ENOSPC;
	if (!(p = peers_private(tx, i)))
		return -ENOMEM;
	memset(&p->ents[i], 0, sizeof(p->ents[i]));
	p->ents[i].addr = *pa;
	p->ents[i].used = 1;
	p->ents[i].local = nv_pa_is_local(tx->v, pa);
	p->n_used++;
	if (i >= p->limit)
		p->limit = i + 1;
	memset(&k, 0, sizeof(k));
	k.addr = *pa;
	k.idx = i;
	if (pmap_insert(&tx->mem, &tx->v->peer_keys, &peer_key_type,
			tx->v->seed, &k))
		return -ENOMEM;
	*idx = i;
	return 0;
}

/* Forgets PA 'idx': no VSID names it any more. */
static int
peer_drop(struct nvgre_txn *tx, uint32_t idx)
{
	struct nv_peers *p = peers_private(tx, idx);
	struct peer_key_ent k;

	if (!p)
		return -ENOMEM;
	memset(&k, 0, sizeof(k));
	k.addr = p->ents[idx].addr;
	memset(&p->ents[idx], 0, sizeof(p->ents[idx]));
	p->n_used--;
	while (p->limit && !p->ents[p->limit - 1].used)
		p->limit--;
	return pmap_remove(&tx->mem, &tx->v->peer_keys, &peer_key_type,
			   tx->v->seed, &k) == -ENOMEM ? -ENOMEM : 0;
}

static int
peer_ref(struct nvgre_txn *tx, uint32_t idx, int delta)
{
	struct nv_peers *p = peers_private(tx, idx);

	if (!p)
		return -ENOMEM;
	p->ents[idx].refs += (uint32_t)delta;
	return p->ents[idx].refs ? 0 : peer_drop(tx, idx);
}

int
nv_peers_set_local(struct nvgre_txn *tx, const struct nvgre_addr *pa,
		   bool local)
{
	int idx = nvgre_peer_find(tx->v, pa);
	struct nv_peers *p;

	if (idx < 0)
		return 0;
	if (!(p = peers_private(tx, (uint32_t)idx)))
		return -ENOMEM;
	p->ents[idx].local = local;
	return 0;
}

/* ---- VSID entries ---------------------------------------------------- */

static size_t
peerset_size(uint32_t cap)
{
	return sizeof(struct nv_peerset) + 2u * cap * sizeof(uint32_t);
}

/* Makes the PA set of 'e' private with room for 'cap' PAs. */
static struct nv_peerset *
peerset_private(struct nvgre_txn *tx, struct vsid_ent *e, uint32_t cap)
{
	struct nv_peerset *s = e->peers, *c;

	if (nv_private(&tx->mem, s) && s->cap >= cap)
		return s;
	if (cap < s->n)
		cap = s->n;
	if (!(c = nv_alloc(&tx->mem, peerset_size(cap))))
		return NULL;
	c->n = s->n;
	c->cap = cap;
	/* Counts sit after 'cap' PAs: copy the two arrays apart. */
	memcpy(peerset_peers(c), peerset_peers(s), s->n * sizeof(uint32_t));
	memcpy(peerset_counts(c), peerset_counts(s), s->n * sizeof(uint32_t));
	nv_release(&tx->mem, s);
	e->peers = c;
	return c;
}

struct vsid_ent *
nv_vsid_mut(struct nvgre_txn *tx, uint32_t vsid, bool create)
{
	struct vsid_ent *e, n;

	e = pmap_get_mut(&tx->mem, &tx->v->vsids, &vsid_type, tx->v->seed,
			 &vsid);
	if (e || !create || tx->mem.failed)
		return e;
	memset(&n, 0, sizeof(n));
	n.vsid = vsid;
	n.rdom = NVGRE_RDOM_NONE;
	if (!(n.peers = nv_alloc(&tx->mem, peerset_size(0))))
		return NULL;
	if (pmap_insert(&tx->mem, &tx->v->vsids, &vsid_type, tx->v->seed,
			&n)) {
		nv_release(&tx->mem, n.peers);
		tx->mem.failed = true;
		return NULL;
	}
	return pmap_get_mut(&tx->mem, &tx->v->vsids, &vsid_type, tx->v->seed,
			    &vsid);
}

int
nv_vsid_release(struct nvgre_txn *tx, uint32_t vsid)
{
	const struct vsid_ent *e = vsid_get(tx->v, vsid);

	if (!e || e->n_macs || e->n_routes)
		return 0;
	/* The set goes with the entry; an older version that still shows
	 * the entry keeps it until the grace period ends. */
	nv_release(&tx->mem, e->peers);
	return pmap_remove(&tx->mem, &tx->v->vsids, &vsid_type, tx->v->seed,
			   &vsid) == -ENOMEM ? -ENOMEM : 0;
}

/* Position of 'peer' in 's', or where it would go. */
static uint32_t
peerset_find(struct nv_peerset *s, uint32_t peer)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (peerset_peers(s)[mid] < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
nv_vsid_add_mac(struct nvgre_txn *tx, uint32_t vsid, uint32_t peer)
{
	struct vsid_ent *e = nv_vsid_mut(tx, vsid, true);
	struct nv_peerset *s;
	uint32_t i, *peers, *counts;

	if (!e)
		return -ENOMEM;
	e->n_macs++;
	i = peerset_find(e->peers, peer);
	if (i < e->peers->n && peerset_peers(e->peers)[i] == peer) {
		if (!(s = peerset_private(tx, e, e->peers->n)))
			return -ENOMEM;
		peerset_counts(s)[i]++;
		return 0;
	}
	if (!(s = peerset_private(tx, e, e->peers->n + 1 +
				  (nv_private(&tx->mem, e->peers)
				   ? e->peers->n : 0))))
		return -ENOMEM;
	peers = peerset_peers(s);
	counts = peerset_counts(s);
	memmove(peers + i + 1, peers + i, (s->n - i) * sizeof(*peers));
	memmove(counts + i + 1, counts + i, (s->n - i) * sizeof(*counts));
	peers[i] = peer;
	counts[i] = 1;
	s->n++;
	return peer_ref(tx, peer, 1);
}

int
nv_vsid_del_mac(struct nvgre_txn *tx, uint32_t vsid, uint32_t peer)
{
	struct vsid_ent *e = nv_vsid_mut(tx, vsid, false);
	struct nv_peerset *s;
	uint32_t i;

	if (!e || !(s = peerset_private(tx, e, e->peers->n)))
		return -ENOMEM;
	e->n_macs--;
	i = peerset_find(s, peer);
	if (--peerset_counts(s)[i] == 0) {
		memmove(peerset_peers(s) + i, peerset_peers(s) + i + 1,
			(s->n - i - 1) * sizeof(uint32_t));
		memmove(peerset_counts(s) + i, peerset_counts(s) + i + 1,
			(s->n - i - 1) * sizeof(uint32_t));
		s->n--;
		if (peer_ref(tx, peer, -1))
			return -ENOMEM;
	}
	return nv_vsid_release(tx, vsid);
}

static int
vsid_free_set(const void *ent, void *bytes)
{
	nv_free(bytes, ((const struct vsid_ent *)ent)->peers);
	return 0;
}

void
nv_vsid_destroy(size_t *bytes, struct pmap_root *vsids)
{
	pmap_foreach(vsids, &vsid_type, vsid_free_set, bytes);
	pmap_destroy(bytes, vsids);
}
