/* impair: a two-port DPDK forwarder that damages traffic on purpose, to
 * test pktgen.  Port 0 -> port 1 and port 1 -> port 0, io style, with
 *   --drop-every N   drop every Nth frame (per direction)
 *   --swap-every N   hold every Nth frame and send it after the next one
 *   --delay-us D     hold every frame D microseconds before sending
 * Each direction keeps a FIFO of (mbuf, due TSC); a direction stops
 * receiving while its FIFO is full, so nothing is lost that was not
 * dropped on purpose.  Runs until SIGINT/SIGTERM, then prints counters. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bench/pktgen/port.h"

#define BURST 32
#define FIFO_SIZE 16384u          /* per direction, power of two */
#define HOLD_TIMEOUT_MS 10        /* a held frame with no successor */
#define NB_MBUFS (2 * FIFO_SIZE + 4 * BP_NB_DESC + 4096)

struct entry {
	struct rte_mbuf *m;
	uint64_t due;
};

struct dir {
	uint16_t from, to;            /* ethdev port ids */
	struct entry fifo[FIFO_SIZE];
	uint32_t head, tail;          /* tail - head = frames held */
	struct rte_mbuf *held;
	uint64_t held_at;
	uint64_t seen, passed;        /* drop / swap counters */
	uint64_t rx, tx, dropped, swapped, stalls;
};

static volatile sig_atomic_t stop;
static uint64_t drop_every, swap_every, delay_cycles;
static struct dir dirs[2];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(const char *prog)
{
	printf("usage: %s --port DEVARGS --port DEVARGS [--drop-every N] "
	       "[--swap-every N] [--delay-us D] [-- EAL ARGS]\n"
	       "Without EAL args: -l 0 --no-huge --no-pci -m 1024 "
	       "--single-file-segments --file-prefix impair<pid>.\n", prog);
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static inline void
push(struct dir *d, struct rte_mbuf *m, uint64_t due)
{
	struct entry *e = &d->fifo[d->tail++ & (FIFO_SIZE - 1)];

	e->m = m;
	e->due = due;
}

static void
dir_rx(struct dir *d)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t now, due;
	uint16_t n;

	if (FIFO_SIZE - (d->tail - d->head) < BURST + 1) {
		d->stalls++;
		return;
	}
	n = rte_eth_rx_burst(d->from, 0, pkts, BURST);
	/* Arrival time after the burst: a frame is never held less than
	 * the delay, even when this thread was descheduled before. */
	now = rte_rdtsc();
	due = now + delay_cycles;
	d->rx += n;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (drop_every && ++d->seen % drop_every == 0) {
			rte_pktmbuf_free(m);
			d->dropped++;
			continue;
		}
		if (swap_every && !d->held &&
		    ++d->passed % swap_every == 0) {
			d->held = m;
			d->held_at = now;
			continue;
		}
		push(d, m, due);
		if (d->held) {
			push(d, d->held, d->held_at + delay_cycles);
			d->held = NULL;
			d->swapped++;
		}
	}
	if (d->held && now - d->held_at > rte_get_tsc_hz() / 1000 *
					   HOLD_TIMEOUT_MS) {
		push(d, d->held, d->held_at + delay_cycles);
		d->held = NULL;
	}
}

static void
dir_tx(struct dir *d, uint64_t now)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = 0, sent;

	while (n < BURST && d->head + n != d->tail) {
		const struct entry *e = &d->fifo[(d->head + n) &
						 (FIFO_SIZE - 1)];

		if (e->due > now)
			break;
		pkts[n++] = e->m;
	}
	if (n == 0)
		return;
	sent = rte_eth_tx_burst(d->to, 0, pkts, n);
	d->head += sent;
	d->tx += sent;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "drop-every", required_argument, NULL, 'd' },
		{ "swap-every", required_argument, NULL, 's' },
		{ "delay-us", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ports[2];
	char err[512], prefix[64], *eal_argv[BP_EAL_MAX_ARGS];
	char rundir[PATH_MAX] = "";
	uint16_t pid[2] = { 0, 0 };
	bool open[2] = { false, false };
	struct rte_mempool *pool;
	uint64_t delay_us = 0;
	int n_ports = 0, c, eal_argc, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (n_ports == 2) {
				fprintf(stderr, "impair: two --port only\n");
				return 2;
			}
			ports[n_ports++] = optarg;
			break;
		case 'd':
			if (parse_u64(optarg, &drop_every) < 0)
				goto bad;
			break;
		case 's':
			if (parse_u64(optarg, &swap_every) < 0)
				goto bad;
			break;
		case 'u':
			if (parse_u64(optarg, &delay_us) < 0 ||
			    delay_us > 10000000)
				goto bad;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			goto bad;
		}
	}
	if (n_ports != 2 || (optind < argc &&
			     strcmp(argv[optind - 1], "--") != 0))
		goto bad;

	eal_argc = bp_eal_args(argv[0], "impair", argc - optind,
			       argv + optind, eal_argv, prefix);
	if (eal_argc < 0 || rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "impair: EAL init failed\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	delay_cycles = rte_get_tsc_hz() * delay_us / 1000000;
	pool = rte_pktmbuf_pool_create("impair", NB_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (!pool) {
		fprintf(stderr, "impair: no mbuf pool: %s\n",
			rte_strerror(rte_errno));
		rc = 1;
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		if (bp_open(ports[i], "im", (unsigned)i, pool, &pid[i], err,
			    sizeof(err)) < 0) {
			fprintf(stderr, "impair: %s\n", err);
			rc = 1;
			goto out;
		}
		open[i] = true;
	}
	dirs[0].from = dirs[1].to = pid[0];
	dirs[0].to = dirs[1].from = pid[1];
	printf("impair: forwarding (drop-every %llu, swap-every %llu, "
	       "delay %llu us)\n", (unsigned long long)drop_every,
	       (unsigned long long)swap_every, (unsigned long long)delay_us);
	fflush(stdout);

	while (!stop) {
		for (int i = 0; i < 2; i++) {
			dir_rx(&dirs[i]);
			dir_tx(&dirs[i], rte_rdtsc());
		}
	}
	for (int i = 0; i < 2; i++) {
		struct dir *d = &dirs[i];

		printf("impair: port%d->port%d rx %llu tx %llu dropped %llu "
		       "swapped %llu queued %u full-stalls %llu\n", i, 1 - i,
		       (unsigned long long)d->rx, (unsigned long long)d->tx,
		       (unsigned long long)d->dropped,
		       (unsigned long long)d->swapped,
		       d->tail - d->head + (d->held ? 1 : 0),
		       (unsigned long long)d->stalls);
		while (d->head != d->tail)
			rte_pktmbuf_free(d->fifo[d->head++ &
						 (FIFO_SIZE - 1)].m);
		if (d->held)
			rte_pktmbuf_free(d->held);
	}
	fflush(stdout);
out:
	for (int i = 0; i < 2; i++)
		if (open[i])
			bp_close(pid[i]);
	if (argc == optind)             /* our own --file-prefix */
		snprintf(rundir, sizeof(rundir), "%s",
			 rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	bp_remove_runtime_dir(rundir);
	return rc;
bad:
	fprintf(stderr, "impair: bad arguments\n");
	usage(argv[0]);
	return 2;
}
