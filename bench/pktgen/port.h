/* DPDK port helpers shared by pktgen and impair: default EAL arguments,
 * probing a device from devargs (with a unique vdev name), one rx and
 * one tx queue, link wait. */
#ifndef VSWITCH_BENCH_PKTGEN_PORT_H
#define VSWITCH_BENCH_PKTGEN_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

#define BP_NB_DESC 1024
#define BP_EAL_MAX_ARGS 64

/* argv for rte_eal_init: 'prog' then either the user's EAL arguments or
 * "-l 0 --no-huge --no-pci -m 1024 --single-file-segments --file-prefix
 * <prefix_base><pid>".  'prefix' is storage for the prefix (64 bytes).
 * Returns argc, or -1 when there are too many arguments. */
int bp_eal_args(const char *prog, const char *prefix_base, int user_argc,
		char **user_argv, char **argv, char *prefix);

/* Probes 'devargs' as port 'idx' (vdev renamed DRIVER_<tag><idx>), sets
 * up 1 rx and 1 tx queue of BP_NB_DESC descriptors (adjusted to the
 * device), starts it and turns promiscuous mode on.  Returns 0 and the
 * port id, or < 0 with a message in 'err'. */
int bp_open(const char *devargs, const char *tag, unsigned idx,
	    struct rte_mempool *pool, uint16_t *port_id, char *err,
	    size_t errsz);

/* Polls the link until it is up or 'timeout_ms' passed. */
bool bp_wait_link(uint16_t port_id, unsigned timeout_ms);

/* Removes the EAL runtime directory 'dir' (/var/run/dpdk/PREFIX) after
 * rte_eal_cleanup(), for processes that chose their own prefix. */
void bp_remove_runtime_dir(const char *dir);

/* Stops, closes and removes the device. */
void bp_close(uint16_t port_id);

#endif
