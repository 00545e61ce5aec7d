/* The transmit stage: per-worker, per-output-port buffers, flushed once per
 * received burst; hand-off rings for ports whose single transmit queue
 * belongs to another worker; 802.1Q tag push and pop. */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "dataplane/teamport.h"

#define TX_RETRIES 4

/* Sends 'n' frames on (port, queue), retrying while the device makes
 * progress; frees and counts what it still refuses.  Counts what went. */
static void
tx_burst(struct dp_worker *w, uint16_t slot, uint16_t port_id,
	 uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_counters *ctr = &w->ctr[slot];
	uint64_t bytes = 0;
	uint16_t sent = 0, k;
	int tries = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	do {
		k = rte_eth_tx_burst(port_id, queue, pkts + sent, n - sent);
		sent += k;
	} while (k && sent < n && ++tries < TX_RETRIES);
	for (uint16_t i = sent; i < n; i++) {
		bytes -= pkts[i]->pkt_len;
		rte_pktmbuf_free(pkts[i]);
	}
	ctr->tx_packets += sent;
	ctr->tx_bytes += bytes;
	ctr->drops[DP_DROP_TX_FAILED] += n - sent;
}

static void
flush_one(struct dp_worker *w, const struct dp_snapshot *snap, uint16_t slot)
{
	struct dp_txbuf *b = &w->txbuf[slot];
	const struct dp_port_view *v = &snap->ports[slot];
	uint16_t n = b->n;

	b->n = 0;
	w->tx_dirty[slot / 64] &= ~(1ull << (slot % 64));
	dp_capture_burst(w, v, b->pkts, n, DP_CAPTURE_TX);
	if (!v->present) {
		rte_pktmbuf_free_bulk(b->pkts, n);
		w->ctr[slot].drops[DP_DROP_NO_PORT] += n;
	} else if (v->txq_per_worker) {
		tx_burst(w, slot, v->port_id, (uint16_t)w->id, b->pkts, n);
	} else if (v->tx_owner == w->id) {
		tx_burst(w, slot, v->port_id, 0, b->pkts, n);
	} else {
		unsigned int q = rte_ring_mp_enqueue_burst(
			v->handoff, (void **)b->pkts, n, NULL);
		if (q < n) {
			rte_pktmbuf_free_bulk(b->pkts + q, n - q);
			w->ctr[slot].drops[DP_DROP_HANDOFF_FULL] += n - q;
		}
	}
}

/* Buffers 'm' for 'slot'; a frame for a team port is buffered for the
 * member it leaves by. */
static void
txbuf_put(struct dp_worker *w, uint16_t slot, struct rte_mbuf *m)
{
	const struct dp_port_view *v = &w->snap->ports[slot];
	struct dp_txbuf *b;

	if (unlikely(v->team != NULL)) {
		int member = dp_team_pick(w, v, m);

		if (member < 0) {
			w->ctr[slot].drops[DP_DROP_TEAM_NO_MEMBER]++;
			rte_pktmbuf_free(m);
			return;
		}
		slot = (uint16_t)member;
	}
	b = &w->txbuf[slot];

	if (b->n == DP_TXBUF)
		flush_one(w, w->snap, slot);
	b->pkts[b->n++] = m;
	w->tx_dirty[slot / 64] |= 1ull << (slot % 64);
}

/* Port mirroring.  A copy is made per destination (they leave on
 * different devices, and the original may still change form); copies go
 * straight to the transmit buffers, so a port that is both a source and
 * a destination never mirrors a mirrored frame again.  A copy that finds
 * the pool empty is counted on the destination and skipped; the
 * original's path is never affected. */
void
dp_mirror(struct dp_worker *w, const struct dp_snapshot *snap,
	  const struct rte_mbuf *m, uint16_t except)
{
	for (unsigned int word = 0; word < DP_PORT_WORDS; word++) {
		uint64_t bits = snap->mirror_dst[word];

		if (word == except / 64u)
			bits &= ~(1ull << (except % 64));
		while (bits) {
			uint16_t slot = (uint16_t)(word * 64 +
						   __builtin_ctzll(bits));
			struct rte_mbuf *c;

			bits &= bits - 1;
			if (!snap->ports[slot].connected)
				continue;
			c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);
			if (c == NULL) {
				w->ctr[slot].drops[DP_DROP_NO_MBUF]++;
				continue;
			}
			txbuf_put(w, slot, c);
		}
	}
}

void
dp_tx_enqueue(struct dp_worker *w, uint16_t slot, struct rte_mbuf *m)
{
	const struct dp_snapshot *snap = w->snap;

	/* Frames leave in their final form: mirror them as sent. */
	if (unlikely(snap->any_mirror) && snap->ports[slot].mirror_src)
		dp_mirror(w, snap, m, slot);
	txbuf_put(w, slot, m);
}

void
dp_tx_flush_all(struct dp_worker *w, const struct dp_snapshot *snap)
{
	for (unsigned int word = 0; word < DP_PORT_WORDS; word++)
		while (w->tx_dirty[word])
			flush_one(w, snap, (uint16_t)(word * 64 +
				  __builtin_ctzll(w->tx_dirty[word])));
}

void
dp_tx_drain_handoff(struct dp_worker *w, const struct dp_snapshot *snap)
{
	struct rte_mbuf *pkts[DP_BURST];

	for (unsigned int i = 0; i < snap->n_owned[w->id]; i++) {
		uint16_t slot = snap->owned[w->id][i];
		const struct dp_port_view *v = &snap->ports[slot];
		unsigned int n = rte_ring_sc_dequeue_burst(
			v->handoff, (void **)pkts, DP_BURST, NULL);
		if (n)
			tx_burst(w, slot, v->port_id, 0, pkts, (uint16_t)n);
	}
}

void
dp_tx_drain_ctl(struct dp_worker *w, const struct dp_snapshot *snap)
{
	struct rte_mbuf *pkts[DP_BURST];

	for (unsigned int i = 0; i < snap->n_ctl[w->id]; i++) {
		uint16_t slot = snap->ctl[w->id][i];
		const struct dp_port_view *v = &snap->ports[slot];
		unsigned int n = rte_ring_sc_dequeue_burst(
			v->ctl_tx, (void **)pkts, DP_BURST, NULL);

		/* This worker polls the member's first queue: it owns its
		 * shared transmit queue, or has one of its own. */
		if (n)
			tx_burst(w, slot, v->port_id, v->txq_per_worker
				 ? (uint16_t)w->id : 0, pkts, (uint16_t)n);
	}
}

int
dp_vlan_push(struct rte_mbuf *m, uint16_t vid)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, RTE_VLAN_HLEN);
	rte_be16_t tag[2];

	if (p == NULL)
		return -ENOSPC;
	memmove(p, p + RTE_VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
	tag[0] = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	tag[1] = rte_cpu_to_be_16(vid & 0x0fff);
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN, tag, sizeof(tag));
	return 0;
}

void
dp_vlan_pop(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(p + RTE_VLAN_HLEN, p, 2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
}
