/* One run (or RFC 2544 trial): warm-up, measured phase, drain; then the
 * results.  Tx and rx share one loop on the main lcore. */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "bench/pktgen/pktgen.h"

double
pg_rate_pps(const struct pg *g)
{
	switch (g->o.rate.kind) {
	case PG_RATE_PPS:
		return g->o.rate.value;
	case PG_RATE_PCT:
		return pg_pct_to_pps(g->o.rate.value, g->o.line_rate_bps,
				     g->tx_frame_bytes);
	default:
		return 0;
	}
}

static void
reset_tx(struct pg_tx *t)
{
	t->packets = t->bytes = t->unstamped = t->ring_full = 0;
	memset(t->sent, 0, sizeof(t->sent));
}

static uint64_t
lost_so_far(const struct pg *g)
{
	uint64_t sent = 0, got = 0;

	for (unsigned i = 0; i < g->n_rx; i++) {
		for (unsigned t = 0; t < g->n_tx; t++)
			sent += g->tx[t].sent[g->rx[i].port];
		got += pg_rx_unique(&g->rx[i]);
	}
	return sent > got ? sent - got : 0;
}

static void
progress(struct pg *g, double elapsed, uint64_t *last_tx, uint64_t *last_rx,
	 double dt)
{
	uint64_t tx = 0, rx = 0, sent = 0, lost;

	for (unsigned i = 0; i < g->n_tx; i++) {
		tx += g->tx[i].all_packets;
		for (unsigned s = 0; s < PG_MAX_PORTS; s++)
			sent += g->tx[i].sent[s];
	}
	for (unsigned i = 0; i < g->n_rx; i++)
		rx += g->rx[i].all_stamped;
	lost = lost_so_far(g);
	if (g->trial >= 0)
		printf("trial %d ", g->trial);
	printf("%6.1fs %-7s tx %8.3f Mpps  rx %8.3f Mpps  lost %llu "
	       "(%.3f%%)\n", elapsed, g->measuring ? "measure" : "warmup",
	       (double)(tx - *last_tx) / dt / 1e6,
	       (double)(rx - *last_rx) / dt / 1e6, (unsigned long long)lost,
	       sent ? 100.0 * (double)lost / (double)sent : 0.0);
	fflush(stdout);
	*last_tx = tx;
	*last_rx = rx;
}

static void
compute(const struct pg *g, double dur, struct pg_result *res)
{
	double d = dur > 0 ? dur : 1;

	res->duration_s = dur;
	res->n_tx = g->n_tx;
	res->n_rx = g->n_rx;
	res->tx_pps = res->rx_pps = 0;
	res->sent = res->lost = res->reordered = res->duplicates = 0;
	pg_hist_reset(&res->hist);
	for (unsigned i = 0; i < g->n_tx; i++) {
		const struct pg_tx *t = &g->tx[i];
		struct pg_tx_res *x = &res->tx[i];

		x->port = t->port;
		x->packets = t->packets;
		x->bytes = t->bytes;
		x->unstamped = t->unstamped;
		x->ring_full = t->ring_full;
		x->pps = (double)t->packets / d;
		x->gbps = (double)t->bytes * 8 / d / 1e9;
		res->tx_pps += x->pps;
	}
	for (unsigned i = 0; i < g->n_rx; i++) {
		const struct pg_rx *r = &g->rx[i];
		struct pg_rx_res *x = &res->rx[i];
		uint64_t uniq = pg_rx_unique(r);

		memset(x, 0, sizeof(*x));
		x->port = r->port;
		x->packets = r->packets;
		x->bytes = r->bytes;
		x->foreign = r->foreign;
		x->stale = r->stale;
		x->misdirected = r->misdirected;
		for (unsigned t = 0; t < g->n_tx; t++) {
			const struct pg_seq *q = r->seq[g->tx[t].port][r->port];

			x->sent += g->tx[t].sent[r->port];
			if (q) {
				x->reordered += q->reordered;
				x->duplicates += q->duplicates;
				x->late += q->late;
			}
		}
		x->lost = x->sent > uniq ? x->sent - uniq : 0;
		x->loss_pct = x->sent ? 100.0 * (double)x->lost /
					(double)x->sent : 0;
		x->pps = (double)r->packets / d;
		x->gbps = (double)r->bytes * 8 / d / 1e9;
		x->hist = r->hist;
		res->rx_pps += x->pps;
		res->sent += x->sent;
		res->lost += x->lost;
		res->reordered += x->reordered;
		res->duplicates += x->duplicates;
		pg_hist_merge(&res->hist, &r->hist);
	}
	res->loss_pct = res->sent ? 100.0 * (double)res->lost /
				    (double)res->sent : 0;
}

int
pg_run_trial(struct pg *g, double rate_pps, double duration_s,
	     struct pg_result *res)
{
	uint64_t hz = g->hz, start, warm_end, end, now, stop_at;
	uint64_t meas_start = 0, next_progress, last_progress;
	uint64_t last_tx = 0, last_rx = 0;
	unsigned iter = 0;

	for (unsigned i = 0; i < g->n_tx; i++) {
		reset_tx(&g->tx[i]);
		last_tx += g->tx[i].all_packets;
	}
	pg_rx_reset(g);
	for (unsigned i = 0; i < g->n_rx; i++)
		last_rx += g->rx[i].all_stamped;
	g->epoch = g->epoch_next++;              /* warm-up */
	g->meas_epoch = g->epoch_next++;
	g->measuring = g->counting = false;
	res->rate_pps = rate_pps;
	res->interrupted = false;

	start = rte_rdtsc();
	for (unsigned i = 0; i < g->n_tx; i++) {
		g->tx[i].paced = rate_pps > 0;
		if (rate_pps > 0)
			pg_pacer_init(&g->tx[i].pacer, rate_pps, hz, start,
				      PG_BURST);
	}
	warm_end = start + (uint64_t)(g->o.warmup_s * (double)hz);
	end = warm_end + (uint64_t)(duration_s * (double)hz);
	next_progress = start + hz;
	last_progress = start;
	for (;;) {
		now = rte_rdtsc();
		if (!g->measuring && now >= warm_end) {
			g->epoch = g->meas_epoch;
			g->measuring = g->counting = true;
			meas_start = now;
		}
		if (g->measuring && now >= end)
			break;
		if (pg_stop) {
			res->interrupted = true;
			break;
		}
		for (unsigned i = 0; i < g->n_tx; i++)
			pg_tx_step(g, &g->tx[i], now);
		for (unsigned i = 0; i < g->n_rx; i++)
			pg_rx_step(g, &g->rx[i]);
		if ((++iter & 15) == 0)
			for (unsigned i = 0; i < g->n_discard; i++)
				pg_rx_discard(g->discard_id[i]);
		if (g->progress && now >= next_progress) {
			progress(g, (double)(now - start) / (double)hz,
				 &last_tx, &last_rx,
				 (double)(now - last_progress) / (double)hz);
			last_progress = now;
			next_progress = now + hz;
		}
	}
	stop_at = now;
	g->measuring = false;
	for (unsigned i = 0; i < g->n_tx; i++)
		pg_tx_flush_pending(&g->tx[i]);
	/* Frames still in flight: keep receiving for --drain-ms. */
	end = stop_at + hz * g->o.drain_ms / 1000;
	while (rte_rdtsc() < end && g->counting) {
		for (unsigned i = 0; i < g->n_rx; i++)
			pg_rx_step(g, &g->rx[i]);
		for (unsigned i = 0; i < g->n_discard; i++)
			pg_rx_discard(g->discard_id[i]);
	}
	g->counting = false;
	compute(g, meas_start ? (double)(stop_at - meas_start) / (double)hz
			      : 0, res);
	return 0;
}
