/* The transmit stage: per-worker, per-output-port buffers, flushed once per
 * received burst; hand-off rings for ports whose single transmit queue
 * belongs to another worker; 802.1Q tag push and pop. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dataplane/capture.h"
#include "dataplane/dp.h"

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

void
dp_tx_enqueue(struct dp_worker *w, uint16_t slot, struct rte_mbuf *m)
{
	struct dp_txbuf *b = &w->txbuf[slot];

	if (b->n == DP_TXBUF)
		flush_one(w, w->snap, slot);
	b->pkts[b->n++] = m;
	w->tx_dirty[slot / 64] |= 1ull << (slot % 64);
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
