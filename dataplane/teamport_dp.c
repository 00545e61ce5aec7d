/* NIC teams on the fast path (teamport.h "Workers"): sorting what a
 * member receives, and choosing the member a frame sent to the team
 * leaves by.  No lock, allocation, log or syscall. */
#include <rte_branch_prediction.h>
#include <rte_ring.h>

#include "dataplane/teamflow.h"
#include "dataplane/teamport.h"
#include "teaming/lacpdu.h"

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether the untagged EtherType of 'm' is Slow Protocols (802.3 Annex
 * 43B: never tagged, never forwarded by a bridge). */
static inline bool
is_slowp(const struct rte_mbuf *m)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);

	return m->data_len >= ETH_HDR_SIZE &&
	       rd16(eth + 12) == SLOWP_ETHERTYPE;
}

/* Switch-independent loop protection.  The physical switches do not
 * know the members form one team, so the frames we flood out of one
 * member can come back in through another: a frame whose source MAC the
 * table has on one of our own ports (not the team) is ours, and is
 * dropped before it can be learned on the team port (where it would pull
 * the VM's MAC away from the VM).  The VLAN of the key is the frame's
 * tag or the team port's untagged VLAN, as VLAN ingress would decide;
 * malformed frames pass on to the parser, which drops them.  Copies of
 * one broadcast that the switches deliver on several members are not
 * filtered: taking group frames on one member only would lose every
 * broadcast a directly attached peer team sends on another member. */
static enum dp_drop
si_check(struct dp_worker *w, const struct dp_snapshot *snap,
	 const struct dp_port_view *tv, const struct rte_mbuf *m)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t vlan, port;

	if (m->data_len < ETH_HDR_SIZE)
		return DP_DROP_NONE;
	if (rd16(eth + 12) == 0x8100 && m->data_len >= ETH_HDR_SIZE + 4)
		vlan = rd16(eth + 14) & 0x0fff;
	else if (tv->vlan.mode == DP_VLAN_ACCESS)
		vlan = tv->vlan.vlan;
	else if (tv->vlan.mode == DP_VLAN_TRUNK)
		vlan = tv->vlan.native;
	else
		vlan = 0;
	port = dp_mactable_lookup(w->dp->macs, dp_mac_key(vlan, eth + 6));
	if (port != DP_MAC_NO_PORT && port != tv->team->slot &&
	    snap->ports[port].present && snap->ports[port].team == NULL)
		return DP_DROP_TEAM_REFLECTED;
	return DP_DROP_NONE;
}

void
dp_team_input(struct dp_worker *w, const struct dp_snapshot *snap,
	      uint16_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port_view *v = &snap->ports[slot];
	const struct dp_port_view *tv = &snap->ports[v->team_slot];
	const struct dp_team_view *team = tv->team;
	struct dp_port_counters *ctr = &w->ctr[slot];
	const struct team_balance *b;
	bool collecting = true;
	uint16_t k = 0;

	if (unlikely(!tv->present || team == NULL)) {
		ctr->drops[DP_DROP_NO_PORT] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	if (team->lacp) {
		/* Acquire: pairs with the release in the control thread's
		 * publication; the table's contents come with it. */
		b = atomic_load_explicit(&team->balance, memory_order_acquire);
		collecting = b && (b->dist_mask >> v->member_idx & 1);
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		ctr->rx_packets++;
		ctr->rx_bytes += m->pkt_len;
		if (unlikely(is_slowp(m))) {
			m->port = v->member_idx;
			if (rte_ring_mp_enqueue(team->slowp, m) != 0) {
				ctr->drops[DP_DROP_TEAM_SLOWP_FULL]++;
				rte_pktmbuf_free(m);
			}
			continue;
		}
		/* Coupled control (802.1AX 5.4.15): a member collects
		 * exactly when it distributes. */
		if (!collecting) {
			ctr->drops[DP_DROP_TEAM_INACTIVE]++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (team->switch_independent) {
			enum dp_drop r = si_check(w, snap, tv, m);

			if (unlikely(r != DP_DROP_NONE)) {
				ctr->drops[r]++;
				rte_pktmbuf_free(m);
				continue;
			}
		}
		pkts[k++] = m;
	}
	if (k)
		dp_l2_input(w, snap, v->team_slot, pkts, k);
}

static uint32_t
hash_of(const struct dp_team_view *team, const struct rte_mbuf *m)
{
	struct team_flow f;

	dp_team_flow(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &f);
	return team_flow_hash(&f, (enum team_hash)team->hash);
}

int
dp_team_pick(struct dp_worker *w, const struct dp_port_view *v,
	     const struct rte_mbuf *m)
{
	const struct dp_team_view *team = v->team;
	const struct team_balance *b =
		atomic_load_explicit(&team->balance, memory_order_acquire);
	unsigned int member;
	uint16_t src = w->in_slot;

	if (unlikely(b == NULL || b->n_dist == 0))
		return -1;
	switch (team->lb) {
	case TEAM_LB_HYPERV_PORT:
		/* A bound source never needs the hash. */
		if (src < TEAM_MAX_SOURCES && b->source[src] != TEAM_NO_MEMBER)
			member = b->source[src];
		else
			member = team_balance_by_hash(b, hash_of(team, m));
		break;
	case TEAM_LB_DYNAMIC:
		member = team_flowlet_pick(team->flowlet[w->id], b,
					   hash_of(team, m), m->pkt_len,
					   w->now_ns);
		break;
	default:
		member = team_balance_by_hash(b, hash_of(team, m));
		break;
	}
	if (unlikely(member >= team->n_members))
		return -1;
	return team->member_slot[member];
}
