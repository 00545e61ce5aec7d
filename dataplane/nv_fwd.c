/* Network virtualization on the workers (nv_dp.h): frames of VM ports in a
 * VSID and NVGRE from the underlay.  No locks, allocation (but mbufs for
 * the copies a broadcast needs), syscalls or logging. */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/nv_dp.h"
#include "nvgre/neigh.h"

#define IPPROTO_ICMPV6_ 58
#define IPPROTO_GRE_ 47

static void
drop(struct dp_worker *w, uint16_t slot, enum dp_drop reason,
     struct rte_mbuf *m)
{
	dp_count_drop(w, slot, reason);
	rte_pktmbuf_free(m);
}

static bool
mac_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 6) == 0;
}

/* Position of 'vsid' in the snapshot's local VSIDs, or DP_NV_NO_POS. */
static uint16_t
local_pos(const struct dp_snapshot *snap, uint32_t vsid)
{
	unsigned int lo = 0, hi = snap->nv_n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (snap->nv_local[mid].vsid < vsid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < snap->nv_n && snap->nv_local[lo].vsid == vsid)
		return (uint16_t)lo;
	return DP_NV_NO_POS;
}

/* To a local VM port of the VSID: untagged, as every VM port in a VSID. */
static void
to_local(struct dp_worker *w, const struct dp_snapshot *snap, uint16_t out,
	 uint16_t in_slot, struct rte_mbuf *m)
{
	const struct dp_port_view *v = &snap->ports[out];

	if (!v->present)
		drop(w, in_slot, DP_DROP_NO_PORT, m);
	else if (!v->connected)
		drop(w, out, DP_DROP_DISCONNECTED, m);
	else
		dp_tx_enqueue(w, out, m);
}

/* Floods 'm' (consumed) to the local ports of VSID entry 'pos' but
 * 'except'. */
static void
flood_local(struct dp_worker *w, const struct dp_snapshot *snap,
	    uint16_t pos, uint16_t except, struct rte_mbuf *m)
{
	const uint64_t *set = snap->nv_local[pos].flood;
	uint16_t out[DP_MAX_PORTS];
	unsigned int n = 0;

	for (unsigned int word = 0; word < DP_PORT_WORDS; word++) {
		uint64_t bits = set[word];

		if (word == except / 64u)
			bits &= ~(1ull << (except % 64));
		while (bits) {
			out[n++] = (uint16_t)(word * 64 +
					      __builtin_ctzll(bits));
			bits &= bits - 1;
		}
	}
	if (n == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (n > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(n - 1));
	for (unsigned int i = 0; i < n; i++)
		dp_tx_enqueue(w, out[i], m);
}

/* Encapsulates 'm' (consumed) in 'vsid' toward remote PA 'peer' and
 * queues it on the external port; drops are counted on 'count_slot'. */
static void
encap_to(struct dp_worker *w, const struct dp_nv_fwd *fwd,
	 const struct nvgre_view *view, uint32_t vsid, uint32_t peer,
	 uint16_t count_slot, struct rte_mbuf *m)
{
	const struct dp_nv_peer *p;
	struct nvgre_peer_info pi;
	uint32_t inner = m->pkt_len;
	uint8_t flowid;
	uint8_t *hdr;

	if (unlikely(peer >= fwd->n_peers)) {
		drop(w, count_slot, DP_DROP_NV_PA_UNRESOLVED, m);
		return;
	}
	p = &fwd->peers[peer];
	/* A view newer than 'fwd' may have given the index to another PA:
	 * never send to the PA the entry was built for by mistake. */
	if (unlikely(!nvgre_peer_get(view, peer, &pi) ||
		     !nvgre_addr_eq(&pi.addr, &p->pa))) {
		drop(w, count_slot, DP_DROP_NV_PA_UNRESOLVED, m);
		return;
	}
	if (unlikely(p->state != DP_NV_PEER_OK)) {
		drop(w, count_slot, p->state == DP_NV_PEER_UNRESOLVED
			? DP_DROP_NV_PA_UNRESOLVED : DP_DROP_NV_PA_UNREACHABLE, m);
		return;
	}
	if (unlikely(!nvgre_encap_fits(&p->tmpl, inner, p->mtu))) {
		drop(w, count_slot, DP_DROP_NV_MTU, m);
		return;
	}
	flowid = nvgre_template_flowid(&p->tmpl,
				       rte_pktmbuf_mtod(m, const uint8_t *),
				       m->data_len);
	hdr = (uint8_t *)rte_pktmbuf_prepend(m,
		(uint16_t)nvgre_template_size(&p->tmpl));
	if (unlikely(hdr == NULL)) {
		drop(w, count_slot, DP_DROP_NO_MBUF, m);
		return;
	}
	nvgre_encap(&p->tmpl, hdr, inner, vsid, flowid);
	m->ol_flags = 0;
	dp_tx_enqueue(w, p->slot, m);
}

/* Broadcast, multicast and unknown unicast in 'vsid': to the local ports
 * of the VSID but 'in_slot', and, when it came from a VM, a copy to every
 * other PA hosting the VSID. */
static void
replicate(struct dp_worker *w, const struct dp_snapshot *snap,
	  const struct dp_nv_fwd *fwd, const struct nvgre_view *view,
	  uint32_t vsid, uint16_t pos, uint16_t in_slot, bool from_vm,
	  struct rte_mbuf *m)
{
	struct nvgre_vsid_info info;

	if (from_vm && view && nvgre_lookup_vsid(view, vsid, &info)) {
		for (uint32_t i = 0; i < info.n_peers; i++) {
			uint32_t peer = info.peers[i];
			struct rte_mbuf *c;

			if (peer < fwd->n_peers &&
			    fwd->peers[peer].state == DP_NV_PEER_LOCAL)
				continue;
			c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
			if (unlikely(c == NULL)) {
				dp_count_drop(w, in_slot, DP_DROP_NO_MBUF);
				continue;
			}
			encap_to(w, fwd, view, vsid, peer, in_slot, c);
		}
	}
	if (pos == DP_NV_NO_POS)
		rte_pktmbuf_free(m);
	else
		flood_local(w, snap, pos, in_slot, m);
}

/* Unicast to 'dst' in 'vsid' (local entry 'pos'): a learned local port, a
 * record's PA, or replicated as unknown. */
static void
deliver(struct dp_worker *w, const struct dp_snapshot *snap,
	const struct dp_nv_fwd *fwd, const struct nvgre_view *view,
	uint32_t vsid, uint16_t pos, uint16_t in_slot, bool from_vm,
	struct rte_mbuf *m)
{
	const uint8_t *dst = rte_pktmbuf_mtod(m, const uint8_t *);
	struct nvgre_hit hit;

	if (pos != DP_NV_NO_POS) {
		uint16_t out = dp_mactable_lookup(w->dp->macs,
			dp_mac_key_nv(snap->nv_local[pos].key, dst));

		if (out == in_slot) {
			drop(w, in_slot, DP_DROP_SAME_PORT, m);
			return;
		}
		if (out != DP_MAC_NO_PORT) {
			to_local(w, snap, out, in_slot, m);
			return;
		}
	}
	if (from_vm && view && nvgre_lookup_mac(view, vsid, dst, &hit) &&
	    !hit.local) {
		encap_to(w, fwd, view, vsid, hit.peer, in_slot, m);
		return;
	}
	/* A local VM not heard from yet, or no record: unknown unicast. */
	replicate(w, snap, fwd, view, vsid, pos, in_slot, from_vm, m);
}

/* Rewrites 'm' (one segment) into the 'len' bytes at 'frame'. */
static bool
rewrite(struct rte_mbuf *m, const uint8_t *frame, int len)
{
	if (len <= 0 || m->nb_segs != 1 ||
	    (uint32_t)m->buf_len - m->data_off < (uint32_t)len)
		return false;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), frame, (size_t)len);
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->ol_flags = 0;
	return true;
}

/* ARP and neighbor discovery from a VM, answered from the records: a CA
 * of its VSID or the VSID's virtual gateway.  Nothing else is answered
 * and no request reaches the underlay. */
static void
answer_vm(struct dp_worker *w, const struct dp_nv_fwd *fwd,
	  const struct nvgre_view *view, uint32_t vsid, uint16_t in_slot,
	  struct rte_mbuf *m, const struct nvgre_neigh_msg *req)
{
	uint8_t frame[NVGRE_NEIGH_FRAME_MAX];
	const uint8_t *mac = NULL;
	uint8_t flags = 0;
	struct nvgre_hit hit;
	int len;

	if (req->kind != NVGRE_NEIGH_ARP_REQUEST &&
	    req->kind != NVGRE_NEIGH_NS) {
		drop(w, in_slot, DP_DROP_NV_NEIGH_UNANSWERED, m);
		return;
	}
	if (nvgre_is_gateway(view, vsid, &req->target)) {
		mac = fwd->gw_mac;
		flags = NVGRE_NA_ROUTER;
	} else if (nvgre_lookup_ca(view, vsid, &req->target, &hit)) {
		mac = hit.mac;
	}
	/* Unknown, or the VM asking about itself (gratuitous ARP, duplicate
	 * address detection): no answer. */
	if (mac == NULL || mac_eq(mac, req->eth_src) ||
	    nvgre_addr_eq(&req->sender, &req->target)) {
		drop(w, in_slot, DP_DROP_NV_NEIGH_UNANSWERED, m);
		return;
	}
	len = nvgre_neigh_reply(frame, sizeof(frame), req, mac, flags);
	if (!rewrite(m, frame, len)) {
		drop(w, in_slot, DP_DROP_NO_MBUF, m);
		return;
	}
	dp_tx_enqueue(w, in_slot, m);
}

/* One's complement update of a 16-bit checksum for a word changing from
 * 'old' to 'new' (RFC 1624 eqn. 3); all in network order. */
static uint16_t
csum_update(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~csum + (uint16_t)~old + (uint32_t)new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A frame to the virtual gateway: routed within the VSID's routing
 * domain at this host, then delivered in the destination VSID. */
static void
route(struct dp_worker *w, const struct dp_snapshot *snap,
      const struct dp_nv_fwd *fwd, const struct nvgre_view *view,
      uint32_t vsid, uint16_t in_slot, struct rte_mbuf *m,
      const struct dp_parsed *pp)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *l3 = eth + pp->l3_ofs;
	struct nvgre_route_hit rh;
	struct nvgre_addr dst;
	struct nvgre_hit hit;
	uint16_t pos;

	if (pp->ethertype == DP_ETHERTYPE_IPV4 && pp->l4_ofs) {
		dst = nvgre_addr_ipv4(l3 + 16);
	} else if (pp->ethertype == DP_ETHERTYPE_IPV6 && pp->l4_ofs) {
		dst = nvgre_addr_ipv6(l3 + 24);
	} else {
		drop(w, in_slot, DP_DROP_NV_NO_ROUTE, m);
		return;
	}
	if (!nvgre_lookup_route(view, vsid, &dst, &rh) ||
	    !nvgre_lookup_ca(view, rh.vsid, &rh.nexthop, &hit)) {
		drop(w, in_slot, DP_DROP_NV_NO_ROUTE, m);
		return;
	}
	if (pp->ethertype == DP_ETHERTYPE_IPV4) {
		uint16_t old, new, csum;

		if (l3[8] <= 1) {
			drop(w, in_slot, DP_DROP_NV_TTL, m);
			return;
		}
		memcpy(&old, l3 + 8, 2);
		l3[8]--;
		memcpy(&new, l3 + 8, 2);
		memcpy(&csum, l3 + 10, 2);
		csum = csum_update(csum, old, new);
		memcpy(l3 + 10, &csum, 2);
	} else {
		if (l3[7] <= 1) {
			drop(w, in_slot, DP_DROP_NV_TTL, m);
			return;
		}
		l3[7]--;
	}
	memcpy(eth, hit.mac, 6);
	memcpy(eth + 6, fwd->gw_mac, 6);
	pos = local_pos(snap, rh.vsid);
	if (hit.local) {
		if (pos == DP_NV_NO_POS)
			drop(w, in_slot, DP_DROP_NV_VSID_NOT_HERE, m);
		else
			deliver(w, snap, fwd, view, rh.vsid, pos, in_slot,
				false, m);
		return;
	}
	encap_to(w, fwd, view, rh.vsid, hit.peer, in_slot, m);
}

static bool
is_neigh(const struct dp_parsed *pp)
{
	return pp->ethertype == DP_ETHERTYPE_ARP ||
	       (pp->ethertype == DP_ETHERTYPE_IPV6 &&
		pp->ip_proto == IPPROTO_ICMPV6_);
}

void
dp_nv_from_vm(struct dp_worker *w, const struct dp_snapshot *snap,
	      const struct dp_nv_fwd *fwd, uint16_t in_slot,
	      struct rte_mbuf *m, const struct dp_parsed *pp)
{
	const struct dp_port_view *in_v = &snap->ports[in_slot];
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct nvgre_view *view = fwd ? nvgre_db_view(fwd->db) : NULL;
	uint64_t cache = 0;
	uint32_t vsid = in_v->vsid;
	uint16_t pos = in_v->nv_pos;

	dp_l2_learn(w, dp_mac_key_nv(snap->nv_local[pos].key, eth + 6),
		    in_slot, &cache);
	if (is_neigh(pp)) {
		struct nvgre_neigh_msg msg;

		switch (nvgre_neigh_parse(eth, m->data_len, &msg)) {
		case NVGRE_NEIGH_OK:
			/* Answers a VM gives to a request that reached it
			 * (from a peer that does not answer for its VMs, or
			 * to a neighbor unreachability probe) go on as
			 * unicast. */
			if ((msg.kind == NVGRE_NEIGH_ARP_REPLY ||
			     msg.kind == NVGRE_NEIGH_NA) &&
			    !(pp->flags & DP_PF_MULTICAST))
				break;
			if (view == NULL)
				drop(w, in_slot, DP_DROP_NV_NO_TABLES, m);
			else
				answer_vm(w, fwd, view, vsid, in_slot, m,
					  &msg);
			return;
		case NVGRE_NEIGH_BAD:
			drop(w, in_slot, DP_DROP_NV_NEIGH_MALFORMED, m);
			return;
		default:
			break;          /* other ICMPv6: forwarded */
		}
	}
	if (pp->flags & DP_PF_MULTICAST) {
		replicate(w, snap, fwd, view, vsid, pos, in_slot, true, m);
		return;
	}
	if (fwd && mac_eq(eth, fwd->gw_mac)) {
		route(w, snap, fwd, view, vsid, in_slot, m, pp);
		return;
	}
	deliver(w, snap, fwd, view, vsid, pos, in_slot, true, m);
}

/* A frame the sender routed (from the virtual gateway's MAC): its inner
 * source address must be a CA that lives at the sending PA, in a VSID of
 * the routing domain of 'd->vsid'. */
static bool
routed_by_sender(const struct nvgre_view *view, const struct nvgre_decap *d,
		 const uint8_t *inner)
{
	uint16_t type = (uint16_t)(inner[12] << 8 | inner[13]);
	struct nvgre_route_hit rh;
	struct nvgre_addr src;
	struct nvgre_hit hit;

	if (type == DP_ETHERTYPE_IPV4 && d->inner_size >= DP_ETH_HLEN + 20)
		src = nvgre_addr_ipv4(inner + DP_ETH_HLEN + 12);
	else if (type == DP_ETHERTYPE_IPV6 && d->inner_size >= DP_ETH_HLEN + 40)
		src = nvgre_addr_ipv6(inner + DP_ETH_HLEN + 8);
	else
		return false;
	return nvgre_lookup_route(view, d->vsid, &src, &rh) &&
	       nvgre_lookup_ca(view, rh.vsid, &rh.nexthop, &hit) &&
	       !hit.local &&
	       (int)hit.peer == nvgre_peer_find(view, &d->src);
}

/* NVGRE for one of our PAs: checked, decapsulated, delivered to the local
 * ports of its VSID (never sent back to the underlay). */
static void
decap(struct dp_worker *w, const struct dp_snapshot *snap,
      const struct dp_nv_fwd *fwd, const struct nvgre_view *view,
      uint16_t in_slot, struct rte_mbuf *m)
{
	struct nvgre_decap d;
	enum nvgre_drop r;
	struct nvgre_hit hit;
	const uint8_t *inner;
	bool routed;
	uint16_t pos;

	if (unlikely(m->nb_segs != 1) && rte_pktmbuf_linearize(m) != 0) {
		drop(w, in_slot, DP_DROP_NO_MBUF, m);
		return;
	}
	r = nvgre_decap_parse(rte_pktmbuf_mtod(m, const uint8_t *),
			      m->data_len, &d);
	if (r == NVGRE_DROP_NONE)
		r = nvgre_decap_check(view, &d);
	/* Routed at the sender into a VSID the sender hosts no VM of: the
	 * inner source must be one of its CAs in the same routing domain. */
	routed = false;
	if (r == NVGRE_DROP_NONE || r == NVGRE_DROP_SRC_PA_NOT_IN_VSID) {
		inner = rte_pktmbuf_mtod(m, const uint8_t *) + d.inner_ofs;
		routed = mac_eq(inner + 6, fwd->gw_mac);
	}
	if (routed) {
		if (!routed_by_sender(view, &d, inner)) {
			drop(w, in_slot, DP_DROP_NV_INNER_SRC, m);
			return;
		}
		r = NVGRE_DROP_NONE;
	}
	if (r != NVGRE_DROP_NONE) {
		w->nv_decap_drops[r]++;
		drop(w, in_slot, DP_DROP_NV_DECAP, m);
		return;
	}
	pos = local_pos(snap, d.vsid);
	if (pos == DP_NV_NO_POS) {
		drop(w, in_slot, DP_DROP_NV_VSID_NOT_HERE, m);
		return;
	}
	rte_pktmbuf_adj(m, (uint16_t)d.inner_ofs);
	if (m->pkt_len > d.inner_size)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - d.inner_size));
	inner = rte_pktmbuf_mtod(m, const uint8_t *);
	/* The sender speaks for the VMs it hosts (and, above, for what its
	 * gateways routed), no one else. */
	if (!routed &&
	    (!nvgre_lookup_mac(view, d.vsid, inner + 6, &hit) || hit.local ||
	     hit.peer != (uint32_t)nvgre_peer_find(view, &d.src))) {
		drop(w, in_slot, DP_DROP_NV_INNER_SRC, m);
		return;
	}
	m->ol_flags = 0;
	if (inner[0] & 1)
		flood_local(w, snap, pos, in_slot, m);
	else
		deliver(w, snap, fwd, view, d.vsid, pos, in_slot, false, m);
}

bool
dp_nv_from_underlay(struct dp_worker *w, const struct dp_snapshot *snap,
		    const struct dp_nv_fwd *fwd, uint16_t in_slot,
		    struct rte_mbuf *m, const struct dp_parsed *pp)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct nvgre_view *view = nvgre_db_view(fwd->db);

	if (is_neigh(pp)) {
		struct nvgre_neigh_msg msg;

		/* Requests for our PAs, answers to our own requests. */
		if (nvgre_neigh_parse(eth, m->data_len, &msg) ==
			    NVGRE_NEIGH_OK &&
		    (nvgre_local_pa_find(view, &msg.target) >= 0 ||
		     mac_eq(msg.eth_dst, fwd->port_mac[in_slot]))) {
			m->port = in_slot;
			if (rte_ring_mp_enqueue(w->dp->nv_rx, m) != 0)
				drop(w, in_slot, DP_DROP_NV_CONTROL_FULL, m);
			return true;
		}
	}
	if (!mac_eq(eth, fwd->port_mac[in_slot]))
		return false;
	if (pp->ip_proto == IPPROTO_GRE_)
		decap(w, snap, fwd, view, in_slot, m);
	else
		drop(w, in_slot, DP_DROP_NV_HOST, m);
	return true;
}

void
dp_nv_drain_tx(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(w->dp->nv_tx,
		(void **)pkts, DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		uint16_t slot = pkts[i]->port;

		if (slot >= DP_MAX_PORTS || !w->snap->ports[slot].present) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		dp_tx_enqueue(w, slot, pkts[i]);
	}
	if (n)
		dp_tx_flush_all(w, w->snap);
}
