/* vswitchd: the switch daemon.  Parses its own options, starts the DPDK
 * EAL (defaults that work without hugepages or a NIC, or the caller's EAL
 * arguments after "--"), launches one worker per worker lcore, and runs the
 * control loop on the main lcore: the controld connection, NIC teams, MAC
 * aging and queue rebalancing.  SIGTERM or SIGINT stops it cleanly. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "dataplane/log.h"
#include "dataplane/nv_dp.h"
#include "dataplane/rpc_nv.h"
#include "dataplane/teamport.h"

#define DEFAULT_DP_SOCKET "/run/vswitch/dataplane.sock"
#define REBALANCE_INTERVAL_S 10
#define EAL_MAX_ARGS 64

struct options {
	const char *dp_socket;
	unsigned int workers;
	uint32_t mac_capacity;
	unsigned int mbufs;
	bool busy_poll;
	int eal_argc;                 /* caller's EAL arguments, after -- */
	char **eal_argv;
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: vswitchd [--dataplane-socket PATH] [--workers N] [--busy-poll]\n"
"                [--mac-table-size N] [--mbufs N] [-- EAL ARGS ...]\n"
"\n"
"  --dataplane-socket PATH  controld's dataplane socket (default %s)\n"
"  --workers N              poll-mode worker lcores (default 1)\n"
"  --busy-poll              workers never nap when idle (benchmarks)\n"
"  --mac-table-size N       MAC table capacity (default 262144)\n"
"  --mbufs N                packet buffers (default 32768)\n"
"Without EAL arguments vswitchd runs with --no-huge --no-pci, memory sized\n"
"for its buffers, and one lcore per worker plus the main lcore.\n",
		DEFAULT_DP_SOCKET);
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "dataplane-socket", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "mac-table-size", required_argument, NULL, 'm' },
		{ "mbufs", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	*o = (struct options){ DEFAULT_DP_SOCKET, 1, 262144, 32768, false,
			       0, NULL };
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strlen(optarg) >= CTL_PATH_SIZE) {
				fprintf(stderr, "vswitchd: --dataplane-socket:"
					" path too long\n");
				return -1;
			}
			o->dp_socket = optarg;
			break;
		case 'w': case 'm': case 'n':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 ||
			    (c == 'w' && v > DP_MAX_WORKERS) ||
			    (c != 'w' && v > (1L << 26))) {
				fprintf(stderr, "vswitchd: --%s: invalid value"
					" '%s'\n", c == 'w' ? "workers" :
					c == 'm' ? "mac-table-size" : "mbufs",
					optarg);
				return -1;
			}
			if (c == 'w')
				o->workers = (unsigned int)v;
			else if (c == 'm')
				o->mac_capacity = (uint32_t)v;
			else
				o->mbufs = (unsigned int)v;
			break;
		case 'b':
			o->busy_poll = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	o->eal_argc = argc - optind;
	o->eal_argv = argv + optind;
	return 0;
}

/* Default EAL arguments: main lcore on the first CPU we may use, workers
 * on the following ones (wrapping when there are fewer CPUs). */
static int
default_eal_args(const struct options *o, char **argv)
{
	static char lcores[512], prefix[64], mem[32];
	int cpus[CPU_SETSIZE], ncpu = 0, argc = 0;
	size_t off = 0;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[ncpu++] = c;
	if (ncpu == 0)
		cpus[ncpu++] = 0;
	for (unsigned int l = 0; l <= o->workers; l++)
		off += (size_t)snprintf(lcores + off, sizeof(lcores) - off,
					"%s%u@%d", l ? "," : "", l,
					cpus[l % (unsigned)ncpu]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vswitchd%d",
		 (int)getpid());
	/* Buffers, rings and per-worker state, with room to spare. */
	snprintf(mem, sizeof(mem), "%u",
		 256 + o->mbufs * 3 / 1024 + 32 * o->workers);
	argv[argc++] = "vswitchd";
	argv[argc++] = "--no-huge";
	argv[argc++] = "--no-pci";
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = prefix;
	argv[argc++] = "--lcores";
	argv[argc++] = lcores;
	argv[argc++] = "--no-telemetry";
	return argc;
}

static int
dp_init(struct dp *dp, const struct options *o)
{
	size_t rcu_size;

	dp->tsc_hz = rte_get_tsc_hz();
	dp->ns_per_tsc_q32 = (1000000000ull << 32) / dp->tsc_hz;
	dp->idle_sleep = !o->busy_poll;
	dp->n_workers = RTE_MIN(o->workers, rte_lcore_count() - 1);
	if (dp->n_workers == 0) {
		fprintf(stderr, "vswitchd: no worker lcore: give EAL at least"
			" two lcores\n");
		return -EINVAL;
	}
	dp->pool = rte_pktmbuf_pool_create("vs_mbufs", o->mbufs, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	rcu_size = rte_rcu_qsbr_get_memsize(dp->n_workers);
	dp->rcu = rte_zmalloc("vs_rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	dp->macs = dp_mactable_create(o->mac_capacity);
	dp->cfg = ctl_config_new();
	dp->nv_rx = rte_ring_create("vs_nv_rx", DP_NV_RING_SIZE,
				    (int)rte_socket_id(), RING_F_SC_DEQ);
	dp->nv_tx = rte_ring_create("vs_nv_tx", DP_NV_RING_SIZE,
				    (int)rte_socket_id(),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!dp->pool || !dp->rcu || !dp->macs || !dp->cfg || !dp->nv_rx ||
	    !dp->nv_tx ||
	    rte_rcu_qsbr_init(dp->rcu, dp->n_workers) != 0) {
		fprintf(stderr, "vswitchd: out of memory at start (%s)\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		dp->workers[i] = rte_zmalloc("vs_worker",
					     sizeof(struct dp_worker),
					     RTE_CACHE_LINE_SIZE);
		if (!dp->workers[i])
			return -ENOMEM;
		dp->workers[i]->id = i;
		dp->workers[i]->dp = dp;
	}
	return dp_publish(dp);
}

static int
launch_workers(struct dp *dp)
{
	unsigned int lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == dp->n_workers)
			break;
		dp->workers[i]->lcore = lcore;
		if (rte_eal_remote_launch(dp_worker_main, dp->workers[i],
					  lcore) != 0)
			return -EBUSY;
		i++;
	}
	return 0;
}

/* Removes the EAL runtime directory ('dir', e.g. /run/dpdk/PREFIX) that
 * rte_eal_cleanup() leaves behind, so a stopped switch leaves no files. */
static void
remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
		    (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The control loop: runs until a signal arrives. */
static void
control_loop(struct dp *dp, struct dp_rpc *rpc)
{
	uint32_t last_age = dp_now_s(dp);
	uint32_t last_rebalance = last_age;

	int team_ms = -1, nv_ms = -1;

	while (!stop_signal) {
		int wait_ms = DP_SHARE_INTERVAL_MS;
		uint32_t now;

		/* Shares are measured every DP_SHARE_INTERVAL_MS; captures
		 * are written, and teams run, more often while any exist. */
		if (dp_capture_any(dp))
			wait_ms = DP_CAPTURE_POLL_MS;
		if (team_ms >= 0 && team_ms < wait_ms)
			wait_ms = team_ms;
		if (nv_ms >= 0 && nv_ms < wait_ms)
			wait_ms = nv_ms;
		dp_rpc_run(rpc, wait_ms);
		team_ms = dp_team_run(dp);
		nv_ms = dp_nv_run(dp);
		dp_capture_poll(dp);
		dp_share_update(dp);
		now = dp_now_s(dp);
		if (now != last_age) {
			dp_mactable_age(dp->macs, now, dp->cfg->mac_aging_s);
			last_age = now;
		}
		if (now - last_rebalance >= REBALANCE_INTERVAL_S) {
			dp_sched_rebalance(dp, false);
			last_rebalance = now;
		}
	}
}

int
main(int argc, char **argv)
{
	char *eal_argv[EAL_MAX_ARGS];
	struct options o;
	struct dp_rpc *rpc;
	char runtime_dir[PATH_MAX];
	struct dp *dp;
	int eal_argc, rc;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (o.eal_argc > 0 && o.eal_argc < EAL_MAX_ARGS - 1) {
		eal_argv[0] = argv[0];
		memcpy(eal_argv + 1, o.eal_argv, sizeof(char *) * o.eal_argc);
		eal_argc = o.eal_argc + 1;
	} else {
		eal_argc = default_eal_args(&o, eal_argv);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "vswitchd: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	dp = calloc(1, sizeof(*dp));
	if (!dp || dp_init(dp, &o) < 0 || launch_workers(dp) < 0 ||
	    !(rpc = dp_rpc_create(dp, o.dp_socket))) {
		fprintf(stderr, "vswitchd: start-up failed\n");
		rte_eal_cleanup();
		return 1;
	}
	DP_LOG(NOTICE, "running: %u worker(s), controld at %s", dp->n_workers,
	       o.dp_socket);

	control_loop(dp, rpc);

	DP_LOG(NOTICE, "signal %d: shutting down", (int)stop_signal);
	atomic_store(&dp->stop, true);
	rte_eal_mp_wait_lcore();
	dp_capture_stop_all(dp, "shutdown");
	dp_shutdown_ports(dp);
	dp_rpc_destroy(rpc);
	dp_nv_fini(dp);
	dp_nv_destroy(dp);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	rc = rte_eal_cleanup();
	remove_runtime_dir(runtime_dir);
	return rc == 0 ? 0 : 1;
}
