/* VMQ placement: which worker polls each receive queue.  A new queue goes
 * to the worker with the least measured load; every rebalance interval the
 * control thread re-measures each queue's cycles and, when a greedy
 * placement (largest queue first onto the least loaded worker) would cut
 * the busiest worker's load by more than 10 %, moves queues.  A move is
 * two publishes -- unassign, then assign -- so no queue is ever polled by
 * two workers at once.  Control thread only. */
#define DP_LOG_THIS DP_LOG_SCHED

#include <stdlib.h>
#include <string.h>

#include "dataplane/dp.h"
#include "dataplane/log.h"

struct qload {
	struct dp_port *port;
	uint16_t queue;
	uint64_t load;
};

static uint64_t
queue_cycles(const struct dp *dp, uint16_t slot, uint16_t q)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < dp->n_workers; i++)
		sum += dp->workers[i]->qctr[slot][q].cycles;
	return sum;
}

/* Load of each worker from the last measured interval. */
static void
worker_loads(const struct dp *dp, uint64_t *load, unsigned int *queues)
{
	memset(load, 0, sizeof(uint64_t) * DP_MAX_WORKERS);
	memset(queues, 0, sizeof(unsigned int) * DP_MAX_WORKERS);
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		const struct dp_port *p = dp->ports[slot];
		if (!p || !p->running)
			continue;
		for (uint16_t q = 0; q < p->n_rxq; q++)
			if (p->assign[q] != DP_NO_WORKER) {
				load[p->assign[q]] += p->load[q];
				queues[p->assign[q]]++;
			}
	}
}

static unsigned int
least_loaded(const struct dp *dp, const uint64_t *load,
	     const unsigned int *queues)
{
	unsigned int best = 0;

	for (unsigned int w = 1; w < dp->n_workers; w++)
		if (load[w] < load[best] ||
		    (load[w] == load[best] && queues[w] < queues[best]))
			best = w;
	return best;
}

void
dp_sched_assign_new(struct dp *dp, struct dp_port *p)
{
	uint64_t load[DP_MAX_WORKERS];
	unsigned int queues[DP_MAX_WORKERS];

	worker_loads(dp, load, queues);
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		unsigned int w = least_loaded(dp, load, queues);
		p->assign[q] = (uint8_t)w;
		p->load[q] = 0;
		p->last_cycles[q] = queue_cycles(dp, p->slot, q);
		queues[w]++;
	}
}

static int
qload_cmp(const void *a, const void *b)
{
	const struct qload *x = a, *y = b;

	return x->load < y->load ? 1 : x->load > y->load ? -1 : 0;
}

/* Measures every queue's load since the last call. */
static unsigned int
measure(struct dp *dp, struct qload *ql)
{
	unsigned int n = 0;

	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port *p = dp->ports[slot];
		if (!p || !p->running)
			continue;
		for (uint16_t q = 0; q < p->n_rxq; q++) {
			uint64_t c = queue_cycles(dp, p->slot, q);
			p->load[q] = c - p->last_cycles[q];
			p->last_cycles[q] = c;
			ql[n++] = (struct qload){ p, q, p->load[q] };
		}
	}
	return n;
}

static uint64_t
max_load(const struct dp *dp, const uint64_t *load)
{
	uint64_t m = 0;

	for (unsigned int w = 0; w < dp->n_workers; w++)
		m = RTE_MAX(m, load[w]);
	return m;
}

void
dp_sched_rebalance(struct dp *dp, bool force)
{
	static struct qload ql[DP_MAX_PORTS * DP_MAX_RXQ];
	uint64_t cur[DP_MAX_WORKERS], next[DP_MAX_WORKERS] = { 0 };
	unsigned int queues[DP_MAX_WORKERS], nq[DP_MAX_WORKERS] = { 0 };
	uint8_t target[DP_MAX_PORTS * DP_MAX_RXQ];
	unsigned int n, moves = 0;

	n = measure(dp, ql);
	if (dp->n_workers < 2 || n == 0)
		return;
	worker_loads(dp, cur, queues);
	qsort(ql, n, sizeof(ql[0]), qload_cmp);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int w = least_loaded(dp, next, nq);
		target[i] = (uint8_t)w;
		next[w] += ql[i].load;
		nq[w]++;
	}
	if (!force && max_load(dp, next) * 10 >= max_load(dp, cur) * 9)
		return;
	for (unsigned int i = 0; i < n; i++)
		if (ql[i].port->assign[ql[i].queue] != target[i]) {
			ql[i].port->assign[ql[i].queue] = DP_NO_WORKER;
			moves++;
		}
	if (moves == 0)
		return;
	dp_publish(dp);
	for (unsigned int i = 0; i < n; i++)
		ql[i].port->assign[ql[i].queue] = target[i];
	dp_publish(dp);
	DP_LOG(NOTICE, "rebalanced: %u queue(s) moved", moves);
}
