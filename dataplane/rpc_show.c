/* The read-only answers of vswitchd: port state and counters, the MAC
 * table, and the queue-to-worker placement with cycles.  Control thread
 * only; counters are summed from every worker. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "dataplane/dp.h"
#include "dataplane/nv_dp.h"
#include "dataplane/teamport.h"

/* A team port's counters: what its slot received and switched, what its
 * members sent (control frames included), and every drop of either. */
static void
team_stats_add(const struct dp *dp, const struct dp_port *p,
	       struct dp_port_counters *c, struct rte_eth_stats *es)
{
	struct dp_port_counters mc;
	struct rte_eth_stats ms;

	es->imissed = 0;
	for (unsigned int i = 0; i < p->team->n_members; i++) {
		const struct dp_port *m = p->team->members[i];

		dp_port_counters_sum(dp, m->slot, &mc);
		c->tx_packets += mc.tx_packets;
		c->tx_bytes += mc.tx_bytes;
		for (int r = 0; r < DP_DROP_N; r++)
			c->drops[r] += mc.drops[r];
		if (rte_eth_stats_get(m->port_id, &ms) == 0)
			es->imissed += ms.imissed;
	}
}

static json_t *
port_stats_json(const struct dp *dp, const struct dp_port *p)
{
	uint16_t slot = p->slot;
	struct dp_port_counters c;
	struct rte_eth_stats es;
	json_t *drops = json_object();

	dp_port_counters_sum(dp, slot, &c);
	/* Frames the device dropped because nobody read them in time (a
	 * full receive ring; for a VM with a maximum bandwidth, what its
	 * queue could not hold while the switch read at the limit). */
	if (p->team)
		team_stats_add(dp, p, &c, &es);
	else if (!p->running || rte_eth_stats_get(p->port_id, &es) != 0)
		es.imissed = UINT64_MAX;
	if (es.imissed != UINT64_MAX)
		json_object_set_new(drops, "rx-missed",
				    json_integer((json_int_t)es.imissed));
	for (int r = 1; r < DP_DROP_N; r++)
		json_object_set_new(drops, dp_drop_name(r),
				    json_integer((json_int_t)c.drops[r]));
	return json_pack("{s:I, s:I, s:I, s:I, s:o}",
		"rx_packets", (json_int_t)c.rx_packets,
		"rx_bytes", (json_int_t)c.rx_bytes,
		"tx_packets", (json_int_t)c.tx_packets,
		"tx_bytes", (json_int_t)c.tx_bytes, "drops", drops);
}

static json_t *
port_json(const struct dp *dp, const struct dp_port *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o}",
		"name", p->cfg.name, "type", ctl_port_type_name(p->cfg.type),
		"device", p->devname,
		"link", dp_port_link_up(p) ? "up" : "down",
		"status", p->running ? "ok" : "error",
		"rx_queues", p->n_rxq, "tx_queues", p->n_txq,
		"stats", port_stats_json(dp, p));

	if (p->team)
		json_object_set_new(o, "team", json_string(p->team_cfg.name));
	else if (p->running)
		json_object_set_new(o, "dpdk_port", json_integer(p->port_id));
	if (!p->running)
		json_object_set_new(o, "error", json_string(p->error));
	/* A VM in a VSID: the largest IP packet it may send that still fits
	 * the underlay once encapsulated. */
	if (p->cfg.type == CTL_PORT_VM && p->cfg.vsid &&
	    dp_nv_inner_mtu((struct dp *)dp))
		json_object_set_new(o, "inner_mtu", json_integer(
			dp_nv_inner_mtu((struct dp *)dp)));
	return o;
}

/* The packet buffer pool's occupancy.  'in_use' counts the mbufs held
 * anywhere but in the pool: in receive and transmit rings, in transmit
 * buffers, in a guest's queues, or leaked; buffers in the workers'
 * per-lcore caches count as available.  The workers move them meanwhile,
 * so the figures are a snapshot, exact only when traffic stops. */
static json_t *
mempool_json(const struct rte_mempool *mp)
{
	unsigned int avail = rte_mempool_avail_count(mp);

	return json_pack("{s:s, s:i, s:i, s:i}", "name", mp->name,
			 "size", (int)mp->size,
			 "in_use", (int)(mp->size - RTE_MIN(avail, mp->size)),
			 "available", (int)avail);
}

json_t *
dp_rpc_get_ports(struct dp *dp, const char *name)
{
	json_t *ports = json_array();

	for (unsigned int i = 0; i < dp->cfg->n_ports; i++) {
		const struct dp_port *p = dp_find_port(dp,
						       dp->cfg->ports[i].name);
		if (p && (!name || !strcmp(name, p->cfg.name)))
			json_array_append_new(ports, port_json(dp, p));
	}
	return json_pack("{s:o, s:i, s:o}", "ports", ports,
			 "workers", (int)dp->n_workers,
			 "mempool", mempool_json(dp->pool));
}

static int
mac_entry_cmp(const void *a, const void *b)
{
	const struct dp_mac_entry *x = a, *y = b;

	if (x->nv != y->nv)
		return x->nv ? 1 : -1;
	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

json_t *
dp_rpc_mac_table(struct dp *dp)
{
	unsigned int n = dp_mactable_count(dp->macs) + 64;
	struct dp_mac_entry *e = calloc(n, sizeof(*e));
	json_t *entries = json_array();
	uint32_t now = dp_now_s(dp);

	if (e)
		n = RTE_MIN(n, dp_mactable_dump(dp->macs, e, n));
	else
		n = 0;
	qsort(e, n, sizeof(*e), mac_entry_cmp);
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_port *p = dp->ports[e[i].port];
		char mac[18];

		json_t *o;

		ctl_format_mac(e[i].mac, mac);
		o = json_pack("{s:i, s:s, s:s, s:b, s:I}", "vlan",
			e[i].nv ? 0 : e[i].vlan,
			"mac", mac, "port", p ? p->cfg.name : "?",
			"static", e[i].is_static, "age_s",
			(json_int_t)(e[i].is_static ? 0 : now - e[i].seen));
		/* Learned in a virtual subnet (nv_dp.h). */
		if (o && e[i].nv)
			json_object_set_new(o, "vsid", json_integer(
				dp->nv_key_vsid[e[i].vlan]));
		json_array_append_new(entries, o);
	}
	free(e);
	return json_pack("{s:i, s:o}", "aging_s", (int)dp->cfg->mac_aging_s,
			 "entries", entries);
}

/* One queue; a team member's names its team port, its index in the team
 * and its device. */
static json_t *
queue_json(const struct dp_port *p, uint16_t q, uint64_t cycles,
	   uint64_t pkts)
{
	json_t *o = json_pack("{s:s, s:i, s:I, s:I, s:I}",
		"port", p->cfg.name, "queue", q,
		"cycles", (json_int_t)cycles, "packets", (json_int_t)pkts,
		"recent_cycles", (json_int_t)p->load[q]);

	if (dp_port_is_member(p)) {
		json_object_set_new(o, "member", json_integer(p->member_idx));
		json_object_set_new(o, "devargs",
				    json_string(p->cfg.devargs));
	}
	return o;
}

json_t *
dp_rpc_queues(struct dp *dp)
{
	json_t *workers = json_array();

	for (unsigned int w = 0; w < dp->n_workers; w++) {
		const struct dp_worker *wk = dp->workers[w];
		json_t *queues = json_array();

		for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
			const struct dp_port *p = dp->ports[slot];
			if (!p || !p->running)
				continue;
			for (uint16_t q = 0; q < p->n_rxq; q++) {
				const struct dp_queue_counters *qc;
				uint64_t cycles = 0, pkts = 0;
				if (p->assign[q] != w)
					continue;
				for (unsigned int k = 0; k < dp->n_workers; k++) {
					qc = &dp->workers[k]->qctr[slot][q];
					cycles += qc->cycles;
					pkts += qc->packets;
				}
				json_array_append_new(queues, queue_json(
					p, q, cycles, pkts));
			}
		}
		json_array_append_new(workers, json_pack(
			"{s:i, s:i, s:I, s:I, s:o}", "worker", w,
			"lcore", wk->lcore,
			"busy_cycles", (json_int_t)wk->busy_cycles,
			"idle_cycles", (json_int_t)wk->idle_cycles,
			"queues", queues));
	}
	return json_pack("{s:o, s:I}", "workers", workers, "tsc_hz",
			 (json_int_t)dp->tsc_hz);
}
