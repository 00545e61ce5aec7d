/* The worker loop: poll the queues this worker was given, run each burst
 * through the pipeline, flush the transmit buffers, report a quiescent
 * state.  Time is read once per loop. */
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "dataplane/dp.h"
#include "dataplane/nv_dp.h"
#include "dataplane/teamport.h"

/* Idle for this long (1/N s) before the worker starts napping. */
#define IDLE_NAP_AFTER_DIV 100
#define IDLE_NAP_NS 50000

/* Polls one queue and runs what it received through the pipeline.  '*t'
 * is the TSC when the poll began; when frames came, the queue is charged
 * from there to now and '*t' moves to now (one TSC read per busy burst:
 * they cost ~12 ns here).  An empty poll's cost lands on the next busy
 * queue or on the loop's idle time. */
static uint16_t
poll_queue(struct dp_worker *w, const struct dp_snapshot *snap,
	   const struct dp_poll *poll, uint64_t *t)
{
	struct rte_mbuf *pkts[DP_BURST];
	const struct dp_port_view *v = &snap->ports[poll->slot];
	struct dp_queue_counters *qc;
	uint16_t max = DP_BURST;
	uint64_t now;
	uint16_t n;

	if (unlikely(v->max_bandwidth)) {
		max = dp_l2_rx_budget(w, v, poll->slot);
		if (max == 0)
			return 0;
	}
	n = rte_eth_rx_burst(v->port_id, poll->queue, pkts, max);
	if (n == 0)
		return 0;
	if (unlikely(v->team_member))
		dp_team_input(w, snap, poll->slot, pkts, n);
	else
		dp_l2_input(w, snap, poll->slot, pkts, n);
	dp_tx_flush_all(w, snap);
	now = rte_get_tsc_cycles();
	qc = &w->qctr[poll->slot][poll->queue];
	qc->packets += n;
	qc->cycles += now - *t;
	*t = now;
	return n;
}

/* Sleeps briefly while offline for RCU, so an idle worker neither burns a
 * shared core nor holds up a configuration change. */
static void
worker_nap(struct dp_worker *w)
{
	struct timespec ts = { 0, IDLE_NAP_NS };

	rte_rcu_qsbr_thread_offline(w->dp->rcu, w->id);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->dp->rcu, w->id);
}

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;
	uint64_t nap_after = dp->tsc_hz / IDLE_NAP_AFTER_DIV;
	uint64_t t0 = rte_get_tsc_cycles(), last_busy = t0;

	rte_rcu_qsbr_thread_register(dp->rcu, w->id);
	rte_rcu_qsbr_thread_online(dp->rcu, w->id);
	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		/* Acquire: pairs with the release in dp_publish(), so the
		 * snapshot's contents are visible before its pointer. */
		const struct dp_snapshot *snap =
			atomic_load_explicit(&dp->snap, memory_order_acquire);
		uint64_t t = t0, t1;
		unsigned int got = 0;

		w->now = (uint32_t)(t0 / dp->tsc_hz);
		w->snap = snap;
		/* LACPDUs leave on schedule however busy the data path. */
		if (unlikely(snap->n_ctl[w->id]))
			dp_tx_drain_ctl(w, snap);
		/* Underlay ARP/ND the control thread sends. */
		if (unlikely(w->id == 0) && !rte_ring_empty(dp->nv_tx))
			dp_nv_drain_tx(w);
		for (unsigned int i = 0; i < snap->n_polls[w->id]; i++)
			got += poll_queue(w, snap, &snap->polls[w->id][i], &t);
		if (snap->n_owned[w->id])
			dp_tx_drain_handoff(w, snap);
		rte_rcu_qsbr_quiescent(dp->rcu, w->id);

		t1 = rte_get_tsc_cycles();
		if (got) {
			w->busy_cycles += t1 - t0;
			last_busy = t1;
		} else {
			w->idle_cycles += t1 - t0;
			if (dp->idle_sleep && t1 - last_busy > nap_after) {
				uint64_t slept = t1;

				worker_nap(w);
				t1 = rte_get_tsc_cycles();
				w->idle_cycles += t1 - slept;
			}
		}
		t0 = t1;
	}
	rte_rcu_qsbr_thread_offline(dp->rcu, w->id);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->id);
	return 0;
}
