/* Building and publishing the configuration snapshot the workers read, and
 * summing the workers' counters.  Control thread only. */
#include <stdlib.h>
#include <string.h>

#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "dataplane/teamport.h"

static void
view_vlan(struct dp_vlan_port *v, const struct ctl_port *c)
{
	memset(v, 0, sizeof(*v));
	switch (c->vlan_mode) {
	case CTL_VLAN_ACCESS:
		v->mode = DP_VLAN_ACCESS;
		v->vlan = c->vlan;
		break;
	case CTL_VLAN_TRUNK:
		v->mode = DP_VLAN_TRUNK;
		v->native = c->native_vlan;
		memcpy(v->allowed, c->allowed.bits, sizeof(v->allowed));
		break;
	default:
		v->mode = DP_VLAN_UNTAGGED;
		break;
	}
}

static void
flood_add(struct dp_snapshot *s, uint16_t vlan, uint16_t slot)
{
	s->flood[vlan][slot / 64] |= 1ull << (slot % 64);
}

/* Marks 'slot' a member of every VLAN it can send (dp_vlan_egress). */
static void
snapshot_add_flood(struct dp_snapshot *s, uint16_t slot)
{
	const struct dp_vlan_port *v = &s->ports[slot].vlan;

	switch (v->mode) {
	case DP_VLAN_ACCESS:
		flood_add(s, v->vlan, slot);
		break;
	case DP_VLAN_TRUNK:
		flood_add(s, v->native, slot);
		for (uint16_t vid = 1; vid < 4095; vid++)
			if (dp_vlan_allowed(v, vid))
				flood_add(s, vid, slot);
		break;
	default:
		flood_add(s, 0, slot);
		break;
	}
}

static void
view_policy(struct dp_port_view *v, const struct ctl_port *c)
{
	v->connected = !c->disconnected;
	v->is_vm = c->type == CTL_PORT_VM;
	v->mirror_src = c->mirror == CTL_MIRROR_SOURCE ||
			c->mirror == CTL_MIRROR_BOTH;
	if (!v->is_vm)
		return;
	v->guard.has_mac = c->has_mac;
	memcpy(v->guard.mac, c->mac, 6);
	v->guard.mac_spoofing_allowed = c->mac_spoofing;
	v->guard.dhcp_guard = c->dhcp_guard;
	v->guard.router_guard = c->router_guard;
	v->max_bandwidth = c->max_bandwidth;
	v->storm_limit = c->storm_limit;
	v->policed = (c->has_mac && !c->mac_spoofing) || c->dhcp_guard ||
		     c->router_guard || c->max_bandwidth || c->storm_limit;
}

/* The workers that poll the queues of 'p', and the one that owns its
 * shared transmit queue ('tx_owner'). */
static void
snapshot_add_queues(struct dp_snapshot *s, const struct dp_port *p,
		    uint8_t tx_owner)
{
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		uint8_t w = p->assign[q];
		if (w != DP_NO_WORKER && s->n_polls[w] < DP_MAX_POLLS)
			s->polls[w][s->n_polls[w]++] =
				(struct dp_poll){ p->slot, q };
	}
	if (tx_owner != DP_NO_WORKER)
		s->owned[tx_owner][s->n_owned[tx_owner]++] = p->slot;
}

static void
snapshot_add_port(struct dp *dp, struct dp_snapshot *s,
		  const struct dp_port *p)
{
	struct dp_port_view *v = &s->ports[p->slot];

	v->present = true;
	v->port_id = p->port_id;
	v->txq_per_worker = p->txq_per_worker;
	v->handoff = p->handoff;
	v->tx_owner = p->txq_per_worker ? DP_NO_WORKER : p->assign[0];
	snapshot_add_queues(s, p, v->tx_owner);
	if (dp_port_is_member(p)) {
		/* Its team port floods, learns, mirrors and polices. */
		v->connected = true;
		v->share = DP_NO_SHARE;
		return;
	}
	if (p->team)
		dp_team_fill(p, s);
	view_vlan(&v->vlan, &p->cfg);
	view_policy(v, &p->cfg);
	v->policy_gen = p->policy_gen;
	v->share = DP_NO_SHARE;
	for (unsigned int i = 0; i < DP_MAX_SHARED; i++)
		if (dp->share_capacity[i] && dp->share_port[i] == p->slot)
			v->share = (uint8_t)i;
	/* A port in a VSID is switched in its virtual subnet only
	 * (snapshot_nv()).  An unplugged port is in no flood set; unicast
	 * to it is dropped at output (l2.c). */
	v->vsid = p->cfg.type == CTL_PORT_VM ? p->cfg.vsid : 0;
	if (v->connected && !v->vsid)
		snapshot_add_flood(s, p->slot);
	if (p->cfg.mirror == CTL_MIRROR_DESTINATION ||
	    p->cfg.mirror == CTL_MIRROR_BOTH)
		s->mirror_dst[p->slot / 64] |= 1ull << (p->slot % 64);
	s->any_mirror |= v->mirror_src;
}

/* What is sent to a team port leaves by its members: they carry the
 * team's transmit captures. */
static void
snapshot_team_captures(struct dp_snapshot *s)
{
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		const struct dp_port_view *v = &s->ports[slot];

		if (!v->team || !v->capture[DP_CAPTURE_TX])
			continue;
		for (unsigned int i = 0; i < v->team->n_members; i++)
			s->ports[v->team->member_slot[i]].capture[DP_CAPTURE_TX]
				|= v->capture[DP_CAPTURE_TX];
	}
}

/* The learning key of 'vsid': the one it has, else the next free one
 * round robin, so that a key a VSID gave up is not soon taken by another
 * while its MACs may still be in the table.  DP_NV_KEYS when all are
 * taken (cannot happen: fewer VSIDs than keys have ports). */
static uint16_t
nv_key(struct dp *dp, uint32_t vsid)
{
	for (uint16_t k = 0; k < DP_NV_KEYS; k++)
		if (dp->nv_key_vsid[k] == vsid)
			return k;
	for (unsigned int i = 0; i < DP_NV_KEYS; i++) {
		uint16_t k = (uint16_t)((dp->nv_key_next + i) % DP_NV_KEYS);

		if (!dp->nv_key_vsid[k]) {
			dp->nv_key_vsid[k] = vsid;
			dp->nv_key_next = (uint16_t)((k + 1) % DP_NV_KEYS);
			return k;
		}
	}
	return DP_NV_KEYS;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The VSIDs of the VM ports, sorted, each with its key and flood set. */
static void
snapshot_nv(struct dp *dp, struct dp_snapshot *s)
{
	uint32_t vsids[DP_MAX_PORTS];
	unsigned int n = 0, u = 0;

	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++)
		if (s->ports[slot].present && s->ports[slot].vsid)
			vsids[n++] = s->ports[slot].vsid;
	qsort(vsids, n, sizeof(vsids[0]), cmp_u32);
	for (unsigned int i = 0; i < n; i++)
		if (u == 0 || vsids[u - 1] != vsids[i])
			vsids[u++] = vsids[i];
	for (uint16_t k = 0; k < DP_NV_KEYS; k++)
		if (dp->nv_key_vsid[k] &&
		    !bsearch(&dp->nv_key_vsid[k], vsids, u, sizeof(vsids[0]),
			     cmp_u32))
			dp->nv_key_vsid[k] = 0;
	s->nv_n = (uint16_t)u;
	for (unsigned int i = 0; i < u; i++) {
		s->nv_local[i].vsid = vsids[i];
		s->nv_local[i].key = nv_key(dp, vsids[i]);
	}
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port_view *v = &s->ports[slot];
		const uint32_t *at;

		if (!v->present || !v->vsid)
			continue;
		at = bsearch(&v->vsid, vsids, u, sizeof(vsids[0]), cmp_u32);
		v->nv_pos = (uint16_t)(at - vsids);
		if (v->connected)
			s->nv_local[v->nv_pos].flood[slot / 64] |=
				1ull << (slot % 64);
	}
}

/* Builds a snapshot of the current ports and settings, publishes it, and
 * returns once no worker can still be reading the previous one, which it
 * then frees.  Returns 0 or -ENOMEM (the old snapshot stays). */
int
dp_publish(struct dp *dp)
{
	/* C11: the size must be a multiple of the alignment. */
	struct dp_snapshot *s = aligned_alloc(RTE_CACHE_LINE_SIZE,
		RTE_ALIGN_CEIL(sizeof(*s), RTE_CACHE_LINE_SIZE));
	struct dp_snapshot *old;

	if (s == NULL)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->generation = ++dp->generation;
	s->aging_s = dp->cfg->mac_aging_s;
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++)
		if (dp->ports[slot] && dp->ports[slot]->running)
			snapshot_add_port(dp, s, dp->ports[slot]);
	dp_capture_fill(dp, s);
	snapshot_team_captures(s);
	snapshot_nv(dp, s);

	/* Release: every store above is visible to a worker that loads the
	 * new pointer with acquire (dp_worker_main). */
	old = atomic_exchange_explicit(&dp->snap, s, memory_order_acq_rel);
	rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
	free(old);
	return 0;
}

void
dp_port_counters_sum(const struct dp *dp, uint16_t slot,
		     struct dp_port_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		const struct dp_port_counters *c = &dp->workers[i]->ctr[slot];
		out->rx_packets += c->rx_packets;
		out->rx_bytes += c->rx_bytes;
		out->tx_packets += c->tx_packets;
		out->tx_bytes += c->tx_bytes;
		for (int r = 0; r < DP_DROP_N; r++)
			out->drops[r] += c->drops[r];
	}
}

void
dp_port_counters_zero(struct dp *dp, uint16_t slot)
{
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = dp->workers[i];
		memset(&w->ctr[slot], 0, sizeof(w->ctr[slot]));
		memset(w->qctr[slot], 0, sizeof(w->qctr[slot]));
	}
}
