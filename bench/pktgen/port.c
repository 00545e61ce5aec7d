/* DPDK port helpers (see port.h). */
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "bench/pktgen/opts.h"
#include "bench/pktgen/port.h"

int
bp_eal_args(const char *prog, const char *prefix_base, int user_argc,
	    char **user_argv, char **argv, char *prefix)
{
	static char *defaults[] = {
		"-l", "0", "--no-huge", "--no-pci", "-m", "1024",
		"--single-file-segments", "--file-prefix",
	};
	int argc = 0;

	argv[argc++] = (char *)prog;
	if (user_argc > 0) {
		if (user_argc >= BP_EAL_MAX_ARGS - 1)
			return -1;
		for (int i = 0; i < user_argc; i++)
			argv[argc++] = user_argv[i];
	} else {
		for (size_t i = 0; i < RTE_DIM(defaults); i++)
			argv[argc++] = defaults[i];
		snprintf(prefix, 64, "%s%d", prefix_base, (int)getpid());
		argv[argc++] = prefix;
	}
	argv[argc] = NULL;
	return argc;
}

int
bp_open(const char *devargs, const char *tag, unsigned idx,
	struct rte_mempool *pool, uint16_t *port_id, char *err, size_t errsz)
{
	char devstr[1024], name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_conf conf;
	uint16_t nrx = BP_NB_DESC, ntx = BP_NB_DESC, pid;
	int rc, socket;

	if (pg_devargs_rename(devargs, tag, idx, devstr, sizeof(devstr), name,
			      sizeof(name)) < 0) {
		snprintf(err, errsz, "port %u: devargs too long", idx);
		return -ENAMETOOLONG;
	}
	rc = rte_dev_probe(devstr);
	if (rc < 0) {
		snprintf(err, errsz, "port %u: cannot probe '%s': %s", idx,
			 devstr, rte_strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		snprintf(err, errsz, "port %u: '%s' is not an ethdev", idx,
			 name);
		return -ENODEV;
	}
	socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(pid, 0, nrx, (unsigned)socket,
					    NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(pid, 0, ntx, (unsigned)socket,
					    NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(pid);
	if (rc < 0) {
		snprintf(err, errsz, "port %u: cannot start '%s': %s", idx,
			 name, rte_strerror(-rc));
		bp_close(pid);
		return rc;
	}
	/* Not every PMD has a promiscuous mode (virtio-user without a
	 * control queue): it then receives everything anyway. */
	rte_eth_promiscuous_enable(pid);
	*port_id = pid;
	return 0;
}

bool
bp_wait_link(uint16_t port_id, unsigned timeout_ms)
{
	uint64_t end = rte_get_timer_cycles() +
		       rte_get_timer_hz() * timeout_ms / 1000;
	struct rte_eth_link link;

	for (;;) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return true;
		if (rte_get_timer_cycles() >= end)
			return false;
		rte_delay_us_sleep(10000);
	}
}

void
bp_close(uint16_t port_id)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (rte_eth_dev_info_get(port_id, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
	if (dev)
		rte_dev_remove(dev);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
bp_remove_runtime_dir(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
