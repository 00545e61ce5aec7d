/* vswitchd's log: one DPDK log type per component, named
 * "vswitchd.NAME", whose levels `vswitchctl log-level` changes at run
 * time (docs/protocol.md "Log levels") and EAL's --log-level sets at
 * start (e.g. --log-level=vswitchd.port:debug).  Control thread only,
 * never per packet.
 *
 * A file logs under DP_LOG_MAIN unless it defines DP_LOG_THIS before it
 * includes this header:
 *	#define DP_LOG_THIS DP_LOG_PORT
 *	#include "dataplane/log.h" */
#ifndef VSWITCH_DP_LOG_H
#define VSWITCH_DP_LOG_H

#include <jansson.h>
#include <stddef.h>

#include <rte_log.h>

/* X(ID, NAME) */
#define DP_FOREACH_LOG(X)                                                 \
	X(MAIN, "main")         /* start, stop, EAL */                     \
	X(RPC, "rpc")           /* the connection to controld, requests */ \
	X(PORT, "port")         /* ports: devices, queues, links */        \
	X(APPLY, "apply")       /* configurations applied */               \
	X(SCHED, "sched")       /* queue-to-worker assignment */           \
	X(TEAM, "team")         /* NIC teams: LACP, members, failover */   \
	X(NV, "nv")             /* network virtualization tables */        \
	X(CAPTURE, "capture")   /* live captures */

enum dp_log_component {
#define DP_LOG_ENUM(ID, NAME) DP_LOG_##ID,
	DP_FOREACH_LOG(DP_LOG_ENUM)
#undef DP_LOG_ENUM
	DP_LOG_N
};

/* DPDK log type of each component, registered at start. */
extern int dp_logtypes[DP_LOG_N];

#ifndef DP_LOG_THIS
#define DP_LOG_THIS DP_LOG_MAIN
#endif

#define DP_LOG(level, fmt, ...)                                            \
	rte_log(RTE_LOG_##level, dp_logtypes[DP_LOG_THIS],                  \
		"vswitchd: " fmt "\n", ##__VA_ARGS__)

/* The log_level method from controld: params {"component": PATTERN,
 * "level": NAME?} (control/loglevel.h); sets the components PATTERN names
 * when "level" is given.  Returns {"components": [{"name", "level"}]},
 * or NULL with the reason in 'err' when PATTERN names none of ours or a
 * parameter is bad (nothing changed then). */
json_t *dp_log_level(json_t *params, char *err, size_t errsz);

#endif
