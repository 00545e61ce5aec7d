/* pktgen: the project's DPDK traffic generator (docs/pktgen.md).
 * Options, EAL, ports, then one run or an RFC 2544 search. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "bench/pktgen/pktgen.h"
#include "bench/pktgen/port.h"

#define EXIT_BAD_OPTIONS 2
#define EXIT_PORT 1
#define LINK_WAIT_MS 10000

volatile sig_atomic_t pg_stop;
volatile sig_atomic_t pg_go;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		pg_go = 1;
	else
		pg_stop = 1;
}

/* Zero every data room once: generated frames copy only their headers,
 * so the padding after the stamp stays zero. */
static void
zero_mbuf(struct rte_mempool *mp, void *opaque, void *obj, unsigned idx)
{
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)opaque;
	(void)idx;
	memset(m->buf_addr, 0, m->buf_len);
}

static int
create_pools(struct pg *g)
{
	unsigned ntx = 4096 * g->o.n_tx + 1024;
	unsigned nrx = 2048 * g->o.n_ports + 1024;

	g->txpool = rte_pktmbuf_pool_create("pg_tx", ntx, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	g->rxpool = rte_pktmbuf_pool_create("pg_rx", nrx, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (!g->txpool || !g->rxpool) {
		fprintf(stderr, "pktgen: cannot create mbuf pools: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	rte_mempool_obj_iter(g->txpool, zero_mbuf, NULL);
	return 0;
}

static int
open_ports(struct pg *g)
{
	char err[512];

	for (unsigned i = 0; i < g->o.n_ports; i++) {
		if (bp_open(g->o.ports[i], "pg", i, g->rxpool, &g->port_id[i],
			    err, sizeof(err)) < 0) {
			fprintf(stderr, "pktgen: %s\n", err);
			return -1;
		}
		g->port_open[i] = true;
	}
	/* A vhost-user server (the switch) brings the link up when it has
	 * set the device up; af_packet, ring, ... are up at once. */
	for (unsigned i = 0; i < g->o.n_ports; i++)
		if (!bp_wait_link(g->port_id[i], LINK_WAIT_MS))
			fprintf(stderr, "pktgen: port %u (%s): link still "
				"down after %d s, sending anyway\n", i,
				g->o.ports[i], LINK_WAIT_MS / 1000);
	return 0;
}

static void
close_ports(struct pg *g)
{
	for (unsigned i = 0; i < g->o.n_ports; i++)
		if (g->port_open[i])
			bp_close(g->port_id[i]);
}

struct rfc_ctx {
	struct pg *g;
	struct pg_result **res;     /* one per trial */
};

static int
rfc_trial(void *opaque, int index, double rate_pps, struct pg_rfc_trial *out)
{
	struct rfc_ctx *c = opaque;
	struct pg *g = c->g;
	double dur = g->o.trial_s > 0 ? g->o.trial_s : g->o.duration_s;
	struct pg_result *res = calloc(1, sizeof(*res));

	if (!res)
		return -1;
	c->res[index] = res;
	g->trial = index;
	pg_run_trial(g, rate_pps, dur, res);
	out->tx_pps = res->tx_pps;
	out->rx_pps = res->rx_pps;
	out->loss_pct = res->loss_pct;
	printf("rfc2544: trial %d rate %s%.0f pps: tx %.0f pps, rx %.0f pps, "
	       "loss %.4f%% -> %s\n", index, rate_pps > 0 ? "" : "unlimited ",
	       rate_pps, res->tx_pps, res->rx_pps, res->loss_pct,
	       res->loss_pct <= g->o.loss_tolerance_pct ? "pass" : "fail");
	fflush(stdout);
	return res->interrupted ? -1 : 0;
}

static int
run(struct pg *g)
{
	struct pg_result *res = NULL;
	struct pg_rfc_result *rfc = NULL;
	struct pg_result *trials[PG_RFC_MAX_TRIALS] = { NULL };
	int rc = 0;

	if (g->o.learn)
		pg_learn(g);
	if (g->o.hold && pg_hold(g) < 0)
		return -1;
	if (g->o.rfc2544) {
		struct rfc_ctx ctx = { g, trials };
		struct pg_rfc_params p = {
			.upper_pps = pg_rate_pps(g),
			.step_base_pps = g->o.rate.kind == PG_RATE_PCT
				? pg_pct_to_pps(100, g->o.line_rate_bps,
						g->tx_frame_bytes) : 0,
			.resolution_pct = g->o.resolution_pct,
			.loss_tolerance_pct = g->o.loss_tolerance_pct,
			.max_trials = PG_RFC_MAX_TRIALS,
		};

		rfc = calloc(1, sizeof(*rfc));
		if (!rfc)
			return -1;
		pg_rfc2544_search(&p, rfc_trial, &ctx, rfc);
		if (rfc->best >= 0)
			res = trials[rfc->best];
		else if (rfc->n_trials > 0)
			res = trials[rfc->n_trials - 1];
		printf("rfc2544: throughput %.0f pps (%.3f Mpps) after %d "
		       "trials\n", rfc->throughput_pps,
		       rfc->throughput_pps / 1e6, rfc->n_trials);
	} else {
		g->trial = -1;
		res = calloc(1, sizeof(*res));
		if (!res)
			return -1;
		trials[0] = res;
		pg_run_trial(g, pg_rate_pps(g), g->o.duration_s, res);
	}
	if (res) {
		pg_report_text(g, res);
		if (g->o.json && pg_report_json(g, res, rfc, g->o.json) < 0) {
			fprintf(stderr, "pktgen: cannot write %s\n",
				g->o.json);
			rc = -1;
		}
	}
	for (int i = 0; i < PG_RFC_MAX_TRIALS; i++)
		free(trials[i]);
	free(rfc);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct pg g;
	char err[512], prefix[64], *eal_argv[BP_EAL_MAX_ARGS];
	char rundir[PATH_MAX] = "";
	int eal_argc, rc;

	rc = pg_opts_parse(argc, argv, &g.o, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "pktgen: %s (--help)\n", err);
		return EXIT_BAD_OPTIONS;
	}
	g.progress = g.o.progress >= 0 ? g.o.progress : isatty(1);
	g.trial = -1;
	g.epoch_next = (uint32_t)(rte_rdtsc() ^ ((uint64_t)getpid() << 16));
	if (g.o.pcap && pg_gen_load_pcap(&g, err, sizeof(err)) < 0) {
		fprintf(stderr, "pktgen: %s\n", err);
		return EXIT_BAD_OPTIONS;
	}
	if (g.o.dump_pcap) {
		if (pg_gen_init(&g, err, sizeof(err)) < 0 ||
		    pg_dump_pcap(&g, err, sizeof(err)) < 0) {
			fprintf(stderr, "pktgen: %s\n", err);
			return 1;
		}
		return 0;
	}

	eal_argc = bp_eal_args(argv[0], "pktgen", g.o.eal_argc, g.o.eal_argv,
			       eal_argv, prefix);
	if (eal_argc < 0) {
		fprintf(stderr, "pktgen: too many EAL arguments\n");
		return EXIT_BAD_OPTIONS;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "pktgen: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	g.hz = rte_get_tsc_hz();
	g.ns_per_cycle = 1e9 / (double)g.hz;

	rc = 0;
	if (create_pools(&g) < 0 || open_ports(&g) < 0) {
		rc = EXIT_PORT;
	} else if (pg_gen_init(&g, err, sizeof(err)) < 0 ||
		   pg_rx_init(&g) < 0) {
		fprintf(stderr, "pktgen: %s\n", err);
		rc = 1;
	} else if (run(&g) < 0) {
		rc = 1;
	}
	close_ports(&g);
	if (g.o.eal_argc == 0)          /* our own --file-prefix */
		snprintf(rundir, sizeof(rundir), "%s",
			 rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	bp_remove_runtime_dir(rundir);
	return rc;
}
