/* The L2 stage: ingress VLAN classification, MAC learning, destination
 * lookup, and the choice between one output port and flooding within the
 * VLAN.  Egress VLAN handling happens per output here too; buffering and
 * sending live in tx.c. */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "dataplane/nv_dp.h"
#include "dataplane/parse.h"

struct l2_frame {
	uint16_t in_slot;
	uint16_t vlan;
	bool tagged;            /* carries one tag with VID == vlan */
};

static void
drop(struct dp_worker *w, uint16_t slot, enum dp_drop reason,
     struct rte_mbuf *m)
{
	dp_count_drop(w, slot, reason);
	rte_pktmbuf_free(m);
}

/* Puts 'm' in the form 'out' wants; 'm' must not be shared. */
static int
set_form(struct rte_mbuf *m, const struct l2_frame *f, enum dp_vlan_out out)
{
	if (out == DP_VLAN_OUT_TAGGED && !f->tagged)
		return dp_vlan_push(m, f->vlan);
	if (out == DP_VLAN_OUT_UNTAGGED && f->tagged)
		dp_vlan_pop(m);
	return 0;
}

/* Minimum-bandwidth weights: a VM's unicast to an external port whose
 * capacity the VM ports share passes the policer of its current share
 * (0 = not saturated, no limit); every byte offered counts as demand. */
static bool
share_allows(struct dp_worker *w, const struct dp_port_view *out_v,
	     uint16_t in_slot, const struct rte_mbuf *m)
{
	struct dp_share_state *st = &w->share[out_v->share];
	struct dp_tbucket *tb = &st->tb[in_slot];
	uint64_t limit = atomic_load_explicit(
		&w->dp->share_limit[out_v->share][in_slot],
		memory_order_relaxed);

	st->offered[in_slot] += m->pkt_len;
	if (limit != tb->rate_bps)
		dp_tbucket_set_rate(tb, limit, w->now_ns);
	return dp_tbucket_take(tb, w->now_ns, m->pkt_len);
}

static void
output_one(struct dp_worker *w, const struct dp_snapshot *snap,
	   const struct l2_frame *f, uint16_t out, struct rte_mbuf *m)
{
	const struct dp_port_view *v = &snap->ports[out];
	enum dp_vlan_out form;

	if (!v->present) {
		drop(w, f->in_slot, DP_DROP_NO_PORT, m);
		return;
	}
	if (!v->connected) {
		drop(w, out, DP_DROP_DISCONNECTED, m);
		return;
	}
	if (v->share != DP_NO_SHARE && snap->ports[f->in_slot].is_vm &&
	    !share_allows(w, v, f->in_slot, m)) {
		drop(w, f->in_slot, DP_DROP_MIN_WEIGHT, m);
		return;
	}
	form = dp_vlan_egress(&v->vlan, f->vlan);
	if (form == DP_VLAN_OUT_DROP) {
		drop(w, out, DP_DROP_EGRESS_VLAN, m);
		return;
	}
	if (set_form(m, f, form) < 0) {
		drop(w, out, DP_DROP_NO_MBUF, m);
		return;
	}
	dp_tx_enqueue(w, out, m);
}

/* Sends one reference of 'm' to each of 'slots'; 'm' is in the right form
 * for all of them and is consumed. */
static void
send_shared(struct dp_worker *w, struct rte_mbuf *m, const uint16_t *slots,
	    unsigned int n)
{
	if (n == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (n > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(n - 1));
	for (unsigned int i = 0; i < n; i++)
		dp_tx_enqueue(w, slots[i], m);
}

/* Floods 'm' to every port of the frame's VLAN but the input port.  Frames
 * in one form are shared by reference; one copy serves the ports that
 * need the other form (tag pushed or popped). */
static void
flood(struct dp_worker *w, const struct dp_snapshot *snap,
      const struct l2_frame *f, struct rte_mbuf *m)
{
	uint16_t same[DP_MAX_PORTS], other[DP_MAX_PORTS];
	unsigned int n_same = 0, n_other = 0;
	const uint64_t *members = snap->flood[f->vlan];
	struct rte_mbuf *c;

	for (unsigned int word = 0; word < DP_PORT_WORDS; word++) {
		uint64_t bits = members[word];
		if (word == f->in_slot / 64u)
			bits &= ~(1ull << (f->in_slot % 64));
		while (bits) {
			uint16_t slot = (uint16_t)(word * 64 +
						   __builtin_ctzll(bits));
			enum dp_vlan_out form = dp_vlan_egress(
				&snap->ports[slot].vlan, f->vlan);
			bits &= bits - 1;
			if ((form == DP_VLAN_OUT_TAGGED) == f->tagged)
				same[n_same++] = slot;
			else
				other[n_other++] = slot;
		}
	}
	if (n_other == 0) {
		send_shared(w, m, same, n_same);
		return;
	}
	/* No port wants the frame as it is: convert it in place; else the
	 * ports of the other form share one copy. */
	c = n_same ? rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX) : m;
	if (c == NULL || set_form(c, f, f->tagged ? DP_VLAN_OUT_UNTAGGED
						  : DP_VLAN_OUT_TAGGED) < 0) {
		rte_pktmbuf_free(c);
		for (unsigned int i = 0; i < n_other; i++)
			dp_count_drop(w, other[i], DP_DROP_NO_MBUF);
	} else {
		send_shared(w, c, other, n_other);
	}
	if (n_same)
		send_shared(w, m, same, n_same);
}

/* Learns the source; the burst-local cache skips repeated sources. */
void
dp_l2_learn(struct dp_worker *w, uint64_t key, uint16_t slot, uint64_t *cache)
{
	if (key == *cache)
		return;
	*cache = key;
	switch (dp_mactable_learn(w->dp->macs, key, slot, w->now)) {
	case DP_LEARN_NEW:
		w->mac_learned++;
		break;
	case DP_LEARN_MOVED:
		w->mac_moved++;
		break;
	case DP_LEARN_FULL:
		w->mac_table_full++;
		break;
	default:
		break;
	}
}

/* The port's policers, reset when its limits changed (or another port
 * took the slot) since this worker last used them. */
static struct dp_port_police *
police_state(struct dp_worker *w, const struct dp_port_view *v,
	     uint16_t slot)
{
	struct dp_port_police *pol = &w->police[slot];

	if (pol->gen != v->policy_gen) {
		pol->gen = v->policy_gen;
		dp_tbucket_init(&pol->bw, v->max_bandwidth, 0, w->now_ns);
		dp_storm_init(&pol->storm, v->storm_limit);
	}
	return pol;
}

uint16_t
dp_l2_rx_budget(struct dp_worker *w, const struct dp_port_view *v,
		uint16_t slot)
{
	struct dp_port_police *pol;

	w->now_ns = dp_tsc_to_ns(w->dp, rte_get_tsc_cycles());
	pol = police_state(w, v, slot);
	return (uint16_t)dp_tbucket_frames(&pol->bw, w->now_ns,
					   RTE_ETHER_MAX_LEN, DP_BURST);
}

/* Ingress policy of a VM port: the guards, then the bandwidth policer. */
static enum dp_drop
police_ingress(struct dp_worker *w, const struct dp_port_view *v,
	       struct dp_port_police *pol, const struct rte_mbuf *m,
	       const struct dp_parsed *pp)
{
	enum dp_drop reason = dp_policy_ingress(&v->guard,
		rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, pp);

	if (reason == DP_DROP_NONE && v->max_bandwidth &&
	    !dp_tbucket_take(&pol->bw, w->now_ns, m->pkt_len))
		reason = DP_DROP_MAX_BANDWIDTH;
	return reason;
}

/* Broadcast, multicast and unknown unicast from a VM with a storm limit
 * pass only while its window has room. */
static bool
storm_allows(struct dp_worker *w, const struct dp_port_view *v,
	     struct dp_port_police *pol)
{
	return !pol || !v->storm_limit || dp_storm_take(&pol->storm,
							w->now_ns);
}

static void
drop_burst(struct dp_worker *w, uint16_t slot, enum dp_drop reason,
	   struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_counters *ctr = &w->ctr[slot];

	for (uint16_t i = 0; i < n; i++) {
		ctr->rx_packets++;
		ctr->rx_bytes += pkts[i]->pkt_len;
	}
	ctr->drops[reason] += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

void
dp_l2_input(struct dp_worker *w, const struct dp_snapshot *snap,
	    uint16_t in_slot, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port_view *in_v = &snap->ports[in_slot];
	const struct dp_vlan_port *in_vlan = &in_v->vlan;
	struct dp_port_counters *ctr = &w->ctr[in_slot];
	struct dp_port_police *pol = NULL;
	uint64_t src_cache = 0;
	uint64_t dst_key_cache = 0;     /* last destination looked up... */
	uint16_t dst_port_cache = 0;    /* ...and its port, in this burst */
	const struct dp_nv_fwd *fwd =
		atomic_load_explicit(&w->dp->nv_fwd, memory_order_acquire);
	bool underlay = fwd && (fwd->underlay[in_slot / 64] >>
				(in_slot % 64) & 1);

	if (!in_v->connected) {
		drop_burst(w, in_slot, DP_DROP_DISCONNECTED, pkts, n);
		return;
	}
	w->in_slot = in_slot;       /* hyperv-port teams balance by it */
	/* One clock read per burst serves every policer in it. */
	w->now_ns = dp_tsc_to_ns(w->dp, rte_get_tsc_cycles());
	if (in_v->policed)
		pol = police_state(w, in_v, in_slot);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct l2_frame f = { .in_slot = in_slot };
		struct dp_vlan_in vin;
		struct dp_parsed pp;
		enum dp_drop reason;
		const uint8_t *eth;
		uint16_t out;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		ctr->rx_packets++;
		ctr->rx_bytes += m->pkt_len;
		dp_capture_frame(w, &snap->ports[in_slot], m, DP_CAPTURE_RX);

		eth = rte_pktmbuf_mtod(m, const uint8_t *);
		reason = dp_parse_frame(eth, m->data_len, &pp);
		/* NVGRE and ARP/ND for our provider addresses. */
		if (unlikely(underlay) && reason == DP_DROP_NONE &&
		    dp_nv_from_underlay(w, snap, fwd, in_slot, m, &pp))
			continue;
		if (reason == DP_DROP_NONE && (pp.flags & DP_PF_LINK_LOCAL))
			reason = DP_DROP_LINK_LOCAL;
		if (reason == DP_DROP_NONE)
			reason = dp_vlan_ingress(in_vlan, &pp, &vin);
		if (reason == DP_DROP_NONE && pol)
			reason = police_ingress(w, in_v, pol, m, &pp);
		if (reason != DP_DROP_NONE) {
			drop(w, in_slot, reason, m);
			continue;
		}
		if (unlikely(snap->any_mirror) && in_v->mirror_src)
			dp_mirror(w, snap, m, in_slot);
		if (vin.strip_prio_tag) {
			dp_vlan_pop(m);
			eth = rte_pktmbuf_mtod(m, const uint8_t *);
			pp.n_tags = 0;
			if (pp.l3_ofs)
				pp.l3_ofs -= DP_VLAN_HLEN;
			if (pp.l4_ofs)
				pp.l4_ofs -= DP_VLAN_HLEN;
		}
		f.vlan = vin.vlan;
		f.tagged = pp.n_tags == 1;

		if ((pp.flags & DP_PF_MULTICAST) &&
		    !storm_allows(w, in_v, pol)) {
			drop(w, in_slot, DP_DROP_STORM_LIMIT, m);
			continue;
		}
		if (in_v->vsid) {
			dp_nv_from_vm(w, snap, fwd, in_slot, m, &pp);
			continue;
		}
		dp_l2_learn(w, dp_mac_key(f.vlan, eth + 6), in_slot,
			    &src_cache);
		if (pp.flags & DP_PF_MULTICAST) {
			flood(w, snap, &f, m);
			continue;
		}
		uint64_t dkey = dp_mac_key(f.vlan, eth);
		if (dkey != dst_key_cache) {
			dst_port_cache = dp_mactable_lookup(w->dp->macs, dkey);
			dst_key_cache = dkey;
		}
		out = dst_port_cache;
		if (out == DP_MAC_NO_PORT && !storm_allows(w, in_v, pol))
			drop(w, in_slot, DP_DROP_STORM_LIMIT, m);
		else if (out == DP_MAC_NO_PORT)
			flood(w, snap, &f, m);
		else if (out == in_slot)
			drop(w, in_slot, DP_DROP_SAME_PORT, m);
		else
			output_one(w, snap, &f, out, m);
	}
}
