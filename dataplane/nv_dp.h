/* Network virtualization in vswitchd: NVGRE encapsulation toward the
 * provider addresses (PA) of other hosts, decapsulation of what arrives
 * for ours, answers to the VMs' ARP and neighbor solicitations from the
 * lookup records, distributed routing between the virtual subnets of a
 * routing domain, and resolution of the underlay next hops.
 *
 * Tables.  The policy (PAs, provider routes, lookup records, customer
 * routes) lives in an nvgre/ database: the control thread changes it in
 * transactions built from what controld sends (rpc_nv.c), workers read
 * its current view without locks.  What the workers need besides -- the
 * header template toward every remote PA, with the resolved MAC of its
 * next hop, the external ports that carry PAs and their MACs -- is one
 * immutable 'struct dp_nv_fwd', published by pointer and freed after an
 * RCU grace period on 'dp->rcu', like the snapshot.
 *
 * VM ports.  A VM port with a VSID ('set-port --vsid') is switched within
 * its virtual subnet only: the snapshot gives each VSID with a local port
 * a small index, its MACs are learned under that index (dp_mac_key_nv()),
 * and its flood set holds the local ports of the VSID.  VLAN flood sets
 * never hold it.
 *
 * Underlay.  Frames arriving on a port that carries a PA, addressed to
 * the port's MAC and carrying GRE, are decapsulated; ARP and neighbor
 * discovery for our PAs go to the control thread on a ring, which answers
 * requests, learns replies and sends its own requests on another ring
 * that worker 0 drains.  Everything else on that port is switched as
 * usual. */
#ifndef VSWITCH_DP_NV_DP_H
#define VSWITCH_DP_NV_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp.h"
#include "dataplane/parse.h"
#include "nvgre/tables.h"

#define DP_NV_NO_POS 0xffff
#define DP_NV_RING_SIZE 1024       /* underlay ARP/ND to/from control */
#define DP_NV_MAX_NEXTHOPS 1024    /* underlay next hops resolved */

/* Per remote PA (indexed like the nvgre/ peers), for the workers. */
enum dp_nv_peer_state {
	DP_NV_PEER_NONE = 0,       /* index unused */
	DP_NV_PEER_LOCAL,          /* one of our PAs */
	DP_NV_PEER_OK,             /* template ready */
	DP_NV_PEER_UNRESOLVED,     /* next hop's MAC not known (yet) */
	DP_NV_PEER_UNREACHABLE,    /* no provider route or port */
};

struct dp_nv_peer {
	struct nvgre_addr pa;      /* which PA the entry was built for */
	uint8_t state;             /* enum dp_nv_peer_state */
	uint16_t slot;             /* external port toward it */
	uint32_t mtu;              /* that port's IP MTU */
	struct nvgre_template tmpl;
};

/* Immutable once published. */
struct dp_nv_fwd {
	struct nvgre_db *db;       /* the policy tables */
	uint8_t gw_mac[6];         /* MAC of every virtual gateway */
	uint64_t underlay[DP_PORT_WORDS];      /* slots carrying a PA */
	uint8_t port_mac[DP_MAX_PORTS][6];     /* ...and their MACs */
	uint32_t n_peers;
	struct dp_nv_peer peers[];
};

/* Learning key of 'mac' in the virtual subnet of learning key 'idx':
 * apart from every VLAN's keys (dp_mac_key()) by DP_MAC_KEY_NV. */
static inline uint64_t
dp_mac_key_nv(uint16_t idx, const uint8_t mac[6])
{
	return dp_mac_key(idx, mac) | DP_MAC_KEY_NV;
}

/* ---- workers (nv_fwd.c) ---------------------------------------------- */

/* A frame from VM port 'in_slot' in a VSID, past the port's policies,
 * untagged: answered (ARP/ND), switched locally, routed or encapsulated.
 * Consumes 'm'. */
void dp_nv_from_vm(struct dp_worker *w, const struct dp_snapshot *snap,
		   const struct dp_nv_fwd *fwd, uint16_t in_slot,
		   struct rte_mbuf *m, const struct dp_parsed *pp);

/* A frame from underlay port 'in_slot': true when it was for us (NVGRE,
 * ARP/ND for our PAs) and is consumed, false to switch it as usual. */
bool dp_nv_from_underlay(struct dp_worker *w, const struct dp_snapshot *snap,
			 const struct dp_nv_fwd *fwd, uint16_t in_slot,
			 struct rte_mbuf *m, const struct dp_parsed *pp);

/* Worker 0: sends the frames the control thread queued. */
void dp_nv_drain_tx(struct dp_worker *w);

/* ---- control thread (nv_ctl.c) --------------------------------------- */

struct ctl_nv_store;
struct ctl_nv_txn;

/* Creates the database and rings on first use.  0 or -ENOMEM. */
int dp_nv_init(struct dp *dp, char *err, size_t errsz);

/* Applies 'txn', which 'store' (the model) has just accepted, to the
 * data path's tables in one transaction.  'prev[i]', where 'has_prev[i]',
 * is the record op i replaced or deleted, as the model held it before.
 * 0, or a negative errno with 'err' naming the op: the caller then takes
 * the model back. */
struct ctl_nv_record;
int dp_nv_apply_txn(struct dp *dp, const struct ctl_nv_store *store,
		    const struct ctl_nv_txn *txn,
		    const struct ctl_nv_record *prev, const bool *has_prev,
		    char *err, size_t errsz);

/* Rebuilds the tables from the whole of 'store' (a replay, a PA or route
 * change).  0, or a negative errno and the old tables stay. */
int dp_nv_rebuild(struct dp *dp, const struct ctl_nv_store *store,
		  char *err, size_t errsz);

/* After a configuration change: ports may have come, gone or moved. */
void dp_nv_ports_changed(struct dp *dp);

/* Underlay ARP/ND, next-hop timers, reclamation; returns the number of
 * milliseconds until it wants to run again, or -1 when NV is not in use. */
int dp_nv_run(struct dp *dp);

/* The "nv" part of status answers: tables, next hops, inner MTU. */
struct json_t *dp_nv_status(struct dp *dp);
/* Largest inner IP MTU over the underlay ports with PAs (0 when none). */
uint32_t dp_nv_inner_mtu(struct dp *dp);

void dp_nv_fini(struct dp *dp);

#endif
