/* Receive side: find each frame's stamp, track sequence numbers per
 * (tx port, stream), histogram the latency.  Only frames stamped in the
 * measured epoch count; frames without a stamp are 'foreign'. */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "bench/pktgen/pktgen.h"

int
pg_rx_init(struct pg *g)
{
	const struct pg_opts *o = &g->o;

	g->n_rx = o->n_rx;
	for (unsigned i = 0; i < o->n_rx; i++) {
		struct pg_rx *r = &g->rx[i];

		memset(r, 0, sizeof(*r));
		r->port = o->rx[i];
		r->port_id = g->port_id[r->port];
		r->rxi = i;
		for (unsigned t = 0; t < o->n_tx; t++) {
			for (unsigned s = 0; s < o->n_rx; s++) {
				struct pg_seq *q = calloc(1, sizeof(*q));

				if (!q)
					return -1;
				r->seq[o->tx[t]][o->rx[s]] = q;
			}
		}
		pg_hist_reset(&r->hist);
	}
	g->n_discard = 0;
	for (unsigned p = 0; p < o->n_ports; p++) {
		bool is_rx = false;

		for (unsigned i = 0; i < o->n_rx; i++)
			is_rx |= o->rx[i] == p;
		if (!is_rx)
			g->discard_id[g->n_discard++] = g->port_id[p];
	}
	return 0;
}

void
pg_rx_reset(struct pg *g)
{
	for (unsigned i = 0; i < g->n_rx; i++) {
		struct pg_rx *r = &g->rx[i];

		for (unsigned t = 0; t < PG_MAX_PORTS; t++)
			for (unsigned s = 0; s < PG_MAX_PORTS; s++)
				if (r->seq[t][s])
					pg_seq_reset(r->seq[t][s]);
		pg_hist_reset(&r->hist);
		r->packets = r->bytes = r->foreign = r->stale = 0;
		r->misdirected = 0;
	}
}

uint64_t
pg_rx_unique(const struct pg_rx *r)
{
	uint64_t n = 0;

	for (unsigned t = 0; t < PG_MAX_PORTS; t++)
		if (r->seq[t][r->port])
			n += r->seq[t][r->port]->unique;
	return n;
}

static inline void
rx_frame(struct pg *g, struct pg_rx *r, const struct rte_mbuf *m,
	 uint64_t now)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pg_stamp s;
	enum pg_stamp_kind kind;
	struct pg_seq *q;
	uint64_t seq, cycles;

	kind = pg_stamp_find(p, m->data_len, g->pcap.n != 0, &s);
	if (kind != PG_STAMP_NONE)
		r->all_stamped++;
	if (!g->counting)
		return;
	if (kind == PG_STAMP_NONE) {
		r->foreign++;
		return;
	}
	if (!pg_stamp_epoch_is(&s, g->meas_epoch)) {
		r->stale++;
		return;
	}
	if (s.tx_port >= PG_MAX_PORTS || s.stream >= PG_MAX_PORTS ||
	    !(q = r->seq[s.tx_port][s.stream])) {
		r->foreign++;
		return;
	}
	r->packets++;
	r->bytes += m->pkt_len + PG_FCS_LEN;
	if (s.stream != r->port)
		r->misdirected++;
	if (kind == PG_STAMP_COMPACT) {
		seq = pg_seq_extend32(q, (uint32_t)s.seq);
		cycles = (uint32_t)((uint32_t)now - (uint32_t)s.tsc);
	} else {
		seq = s.seq;
		cycles = now > s.tsc ? now - s.tsc : 0;
	}
	if (pg_seq_add(q, seq) != PG_SEQ_DUPLICATE)
		pg_hist_add(&r->hist, (uint64_t)((double)cycles *
						 g->ns_per_cycle));
}

/* Receiving goes first: while bursts come full, up to PG_RX_BURSTS of
 * them per call, so that the generator's own receive side is not what
 * drops frames when it sends unlimited. */
#define PG_RX_BURSTS 4

void
pg_rx_step(struct pg *g, struct pg_rx *r)
{
	struct rte_mbuf *pkts[PG_BURST];
	uint16_t n;
	uint64_t now;

	for (int b = 0; b < PG_RX_BURSTS; b++) {
		n = rte_eth_rx_burst(r->port_id, 0, pkts, PG_BURST);
		if (n == 0)
			return;
		now = rte_rdtsc();
		/* written by the peer's CPU: start every miss now */
		for (uint16_t i = 0; i < n; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		for (uint16_t i = 0; i < n; i++)
			rx_frame(g, r, pkts[i], now);
		rte_pktmbuf_free_bulk(pkts, n);
		if (n < PG_BURST)
			return;
	}
}

void
pg_rx_discard(uint16_t port_id)
{
	struct rte_mbuf *pkts[PG_BURST];
	uint16_t n = rte_eth_rx_burst(port_id, 0, pkts, PG_BURST);

	if (n)
		rte_pktmbuf_free_bulk(pkts, n);
}
