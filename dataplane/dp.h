/* vswitchd internals: the switch context, the configuration snapshot the
 * workers read, and the per-worker state.
 *
 * Threads.  One control thread (the EAL main lcore) and N workers (one
 * lcore each).  The control thread owns everything under "control thread
 * only" and is the single writer of the snapshot pointer.  Workers never
 * take a lock, allocate, log or make a syscall per packet.
 *
 * RCU.  The workers read the configuration only through 'dp->snap', an
 * immutable 'struct dp_snapshot' that they load once per loop iteration.
 * The control thread builds a new snapshot, publishes it with a release
 * store, waits on 'dp->rcu' (rte_rcu_qsbr) until every worker has passed a
 * quiescent state -- reported once per loop, after all transmit buffers were
 * flushed -- and only then frees the old snapshot and closes devices that
 * the new one no longer names.  A queue that moves between workers is first
 * unassigned, waited for, then assigned, so no two workers ever poll one
 * queue.
 *
 * Counters.  Each worker writes its own counters (plain 64-bit stores, one
 * writer); the control thread sums them on read.  A port slot's counters are
 * zeroed by the control thread only while no snapshot names the slot. */
#ifndef VSWITCH_DP_DP_H
#define VSWITCH_DP_DP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "control/config.h"
#include "dataplane/drop.h"
#include "dataplane/mactable.h"
#include "dataplane/policy.h"
#include "dataplane/vlan.h"
#include "nvgre/drop.h"

#define DP_MAX_PORTS CTL_MAX_PORTS
#define DP_MAX_WORKERS 16
#define DP_MAX_RXQ 8               /* receive queues per port */
#define DP_MAX_POLLS 512           /* queues one worker may poll */
#define DP_BURST 32
#define DP_TXBUF 64                /* frames buffered per output port */
#define DP_RX_DESC 1024
#define DP_TX_DESC 1024
#define DP_HANDOFF_SIZE 4096       /* frames queued to a tx-owning worker */
#define DP_PORT_WORDS (DP_MAX_PORTS / 64)
#define DP_NO_WORKER 0xff
#define DP_MAX_SHARED 4            /* external ports whose capacity VM
				    * ports share by min_weight */
#define DP_NO_SHARE 0xff
#define DP_SHARE_INTERVAL_MS 100   /* demand measured, shares set */
#define DP_CAPTURE_MAX 8           /* live captures at once (capture.h) */
#define DP_CTL_TX_SIZE 1024        /* control frames queued per team member */
#define DP_SLOWP_RX_SIZE 1024      /* slow-protocol frames queued per team */
#define DP_NV_MAX_VSIDS 256        /* VSIDs with a port on this host */
#define DP_NV_KEYS 4096            /* learning keys of VSIDs (nv_dp.h) */

struct dp_team_view;

/* One port as the workers see it; part of the snapshot. */
struct dp_port_view {
	bool present;               /* slot holds a running port */
	bool txq_per_worker;        /* worker w sends on its own txq w */
	uint8_t tx_owner;           /* else: the worker that sends on txq 0 */
	uint8_t capture[2];         /* captures (bits) of its rx, tx frames */
	uint16_t port_id;           /* ethdev port */
	struct rte_ring *handoff;   /* frames for tx_owner, when shared */
	struct dp_vlan_port vlan;   /* 802.1Q mode */

	/* Port policies (vm ports; see policy.h). */
	bool connected;             /* cable plugged in */
	bool is_vm;
	bool policed;               /* any ingress check below is on */
	bool mirror_src;            /* copies of its frames go to mirror_dst */
	uint8_t share;              /* external: its DP_MAX_SHARED pool */
	struct dp_policy_port guard;
	uint64_t max_bandwidth;     /* bits/s; 0 = off */
	uint64_t storm_limit;       /* packets/s; 0 = off */
	uint64_t policy_gen;        /* changes when the limits above do */

	/* NIC teams (teamport.h).  A team port's slot has no device: frames
	 * sent to it leave by one of its member slots.  A member slot has
	 * the device; what it receives is switched as received on the
	 * team's slot. */
	struct dp_team_view *team;  /* team port: members and balancing */
	bool team_member;           /* slot is a member of team 'team_slot' */
	uint8_t member_idx;         /* ...its index in the team */
	uint16_t team_slot;
	struct rte_ring *ctl_tx;    /* member: control frames (LACPDUs),
				     * sent ahead of data by its tx owner */

	/* Network virtualization (nv_dp.h): a VM port in a VSID. */
	uint32_t vsid;              /* 0 = none: switched by VLAN */
	uint16_t nv_pos;            /* its entry in nv_local[] */
};

/* A VSID with ports on this host: its learning key and flood set. */
struct dp_nv_local {
	uint32_t vsid;
	uint16_t key;               /* dp_mac_key_nv() index, < DP_NV_KEYS */
	uint64_t flood[DP_PORT_WORDS];
};

struct dp_poll {
	uint16_t slot;              /* port slot */
	uint16_t queue;             /* rx queue of that port */
};

/* Live captures as the workers see them; capture.h. */
struct dp_capture_view {
	struct rte_mempool *pool;   /* frame copies come from here */
	int stamp_offset;           /* mbuf dynfield: TSC of the copy */
	struct rte_ring *ring[DP_CAPTURE_MAX];  /* copies, to control */
};

/* Immutable once published; see "RCU" above. */
struct dp_snapshot {
	uint64_t generation;        /* increases with every publish */
	uint32_t aging_s;           /* MAC aging, seconds */
	struct dp_port_view ports[DP_MAX_PORTS];
	uint64_t flood[4096][DP_PORT_WORDS];  /* VLAN -> member port slots */
	uint16_t n_polls[DP_MAX_WORKERS];
	struct dp_poll polls[DP_MAX_WORKERS][DP_MAX_POLLS];
	bool any_mirror;            /* some port is a mirror source */
	uint64_t mirror_dst[DP_PORT_WORDS];   /* mirror destination slots */
	uint16_t n_owned[DP_MAX_WORKERS];     /* handoff rings to drain */
	uint16_t owned[DP_MAX_WORKERS][DP_MAX_PORTS];
	uint16_t n_ctl[DP_MAX_WORKERS];       /* team members whose control */
	uint16_t ctl[DP_MAX_WORKERS][DP_MAX_PORTS];  /* frames it sends */
	struct dp_capture_view capture;
	uint16_t nv_n;              /* VSIDs with local ports... */
	struct dp_nv_local nv_local[DP_NV_MAX_VSIDS];  /* ...by VSID */
};

struct dp_port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[DP_DROP_N];
};

struct dp_queue_counters {
	uint64_t cycles;            /* TSC cycles spent on this queue */
	uint64_t packets;           /* frames received from it */
};

/* A VM port's policers; one writer, the worker polling the port.  Reset
 * when the port's 'policy_gen' changes. */
struct dp_port_police {
	uint64_t gen;
	struct dp_tbucket bw;       /* max_bandwidth */
	struct dp_storm storm;      /* storm_limit */
};

/* What the VM ports send to the shared external ports (min_weight):
 * offered bytes per (pool, source) counted before the policer, which the
 * control thread turns into demands and limits ('struct dp' share_limit).
 * One writer: the worker that polls the source port. */
struct dp_share_state {
	uint64_t offered[DP_MAX_PORTS];
	struct dp_tbucket tb[DP_MAX_PORTS];
};

struct dp_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[DP_TXBUF];
};

/* Per worker; only that worker writes it (the control thread reads the
 * counters and zeroes a free slot's). */
struct __rte_cache_aligned dp_worker {
	unsigned int id;            /* 0..n_workers-1, also its RCU id */
	unsigned int lcore;
	struct dp *dp;
	uint32_t now;               /* seconds, cached once per loop */
	uint64_t now_ns;            /* per burst, for the policers */
	uint16_t in_slot;           /* port of the burst being switched */
	const struct dp_snapshot *snap;       /* loaded once per loop */
	uint64_t tx_dirty[DP_PORT_WORDS];     /* slots with buffered frames */
	struct dp_txbuf txbuf[DP_MAX_PORTS];
	struct dp_port_counters ctr[DP_MAX_PORTS];
	struct dp_queue_counters qctr[DP_MAX_PORTS][DP_MAX_RXQ];
	struct dp_port_police police[DP_MAX_PORTS];
	struct dp_share_state share[DP_MAX_SHARED];
	uint64_t busy_cycles;       /* loops that received something */
	uint64_t idle_cycles;
	uint64_t mac_learned;
	uint64_t mac_moved;
	uint64_t mac_table_full;
	uint64_t capture_drops[DP_CAPTURE_MAX]; /* copies lost, by capture */
	uint64_t nv_decap_drops[NVGRE_DROP_N];  /* why NVGRE was refused */
};

/* A port as the control thread keeps it. */
struct dp_port {
	struct ctl_port cfg;        /* as last applied */
	uint16_t slot;
	bool running;               /* device probed and started */
	char error[256];            /* why not running */
	uint16_t port_id;           /* ethdev port, when running */
	uint64_t policy_gen;        /* its limits' generation */
	bool link_set_down;         /* cable: we took the link down */
	bool cable_set;             /* ...or up, at least once */
	char devname[RTE_ETH_NAME_MAX_LEN];
	bool is_vhost;
	uint16_t n_rxq;
	uint16_t n_txq;
	bool txq_per_worker;
	struct rte_ring *handoff;
	uint8_t assign[DP_MAX_RXQ]; /* rx queue -> worker, DP_NO_WORKER */
	uint64_t last_cycles[DP_MAX_RXQ];     /* for rebalancing deltas */
	uint64_t load[DP_MAX_RXQ];  /* cycles in the last interval */

	/* NIC teams (teamport.h). */
	struct ctl_team team_cfg;   /* team port: its team, as opened */
	struct dp_team *team;       /* team port: members, state machines */
	struct dp_port *team_of;    /* member: the team port owning it */
	uint8_t member_idx;         /* member: index in the team */
	struct rte_ring *ctl_tx;    /* member: control frames to send */
};

struct dp {
	/* Shared with workers (read-only after start, except 'snap'). */
	unsigned int n_workers;
	struct dp_worker *workers[DP_MAX_WORKERS];
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	struct dp_snapshot *_Atomic snap;
	struct dp_mactable *macs;
	uint64_t tsc_hz;
	uint64_t ns_per_tsc_q32;    /* ns = tsc * this >> 32 */
	/* min_weight limits, bits/s per (pool, source slot), 0 = none;
	 * written by the control thread, read by workers (relaxed). */
	_Atomic uint64_t share_limit[DP_MAX_SHARED][DP_MAX_PORTS];
	bool idle_sleep;            /* workers nap when idle (adaptive) */
	atomic_bool stop;

	/* Control thread only. */
	struct dp_port *ports[DP_MAX_PORTS];  /* by slot */
	struct ctl_config *cfg;     /* last applied configuration */
	uint64_t generation;
	unsigned int dev_seq;       /* makes vdev names unique */
	uint64_t rebalance_tsc;
	uint64_t policy_gen;        /* source of dp_port_view.policy_gen */
	uint16_t share_port[DP_MAX_SHARED];   /* pool -> external slot */
	uint64_t share_capacity[DP_MAX_SHARED];  /* bits/s; 0 = unused */
	uint64_t share_offered[DP_MAX_SHARED][DP_MAX_PORTS];  /* last sum */
	uint64_t share_tsc;         /* when last measured */
	struct dp_captures *captures;         /* capture.c; NULL before one */
	struct dp_nv *nv;           /* rpc_nv.c; NULL before an NV method */
	unsigned int n_teams;       /* team ports open (teamport.c) */

	/* Network virtualization (nv_dp.h). */
	struct dp_nv_fwd *_Atomic nv_fwd;     /* NULL until NV is used */
	struct rte_ring *nv_rx;     /* workers -> control: underlay ARP/ND */
	struct rte_ring *nv_tx;     /* control -> worker 0: frames to send */
	struct dp_nv_ctl *nvc;      /* nv_ctl.c, control thread only */
	uint32_t nv_key_vsid[DP_NV_KEYS];     /* learning key -> VSID, 0 */
	uint16_t nv_key_next;       /* keys are handed out round robin */
};

static inline uint64_t
dp_tsc_to_ns(const struct dp *dp, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * dp->ns_per_tsc_q32) >> 32);
}

static inline uint32_t
dp_now_s(const struct dp *dp)
{
	return (uint32_t)(rte_get_tsc_cycles() / dp->tsc_hz);
}

/* worker.c */
int dp_worker_main(void *arg);

/* l2.c: the switching stage for one received burst. */
void dp_l2_input(struct dp_worker *w, const struct dp_snapshot *snap,
		 uint16_t in_slot, struct rte_mbuf **pkts, uint16_t n);

/* l2.c: learns 'key' on 'slot'; 'cache' skips repeats within a burst. */
void dp_l2_learn(struct dp_worker *w, uint64_t key, uint16_t slot,
		 uint64_t *cache);

/* l2.c: how many frames a VM port with a maximum bandwidth may send now
 * (0..DP_BURST); the worker reads no more from its queue, so the excess
 * waits in the VM rather than being dropped. */
uint16_t dp_l2_rx_budget(struct dp_worker *w, const struct dp_port_view *v,
			 uint16_t slot);

/* tx.c */
void dp_tx_enqueue(struct dp_worker *w, uint16_t slot, struct rte_mbuf *m);
/* Copies 'm' (consumed: no) to every mirror destination but 'except'. */
void dp_mirror(struct dp_worker *w, const struct dp_snapshot *snap,
	       const struct rte_mbuf *m, uint16_t except);
void dp_tx_flush_all(struct dp_worker *w, const struct dp_snapshot *snap);
void dp_tx_drain_handoff(struct dp_worker *w, const struct dp_snapshot *snap);
int dp_vlan_push(struct rte_mbuf *m, uint16_t vid);
void dp_vlan_pop(struct rte_mbuf *m);

static inline void
dp_count_drop(struct dp_worker *w, uint16_t slot, enum dp_drop reason)
{
	w->ctr[slot].drops[reason]++;
}

/* tx.c: sends the control frames queued for the team members this
 * worker transmits for, before any data of this loop. */
void dp_tx_drain_ctl(struct dp_worker *w, const struct dp_snapshot *snap);

/* port.c (control thread).  dp_port_open() of a team port ('cfg.team'
 * set, 'team_cfg' filled) opens its members into free slots as well. */
int dp_port_open(struct dp *dp, struct dp_port *p, char *err, size_t errsz);
void dp_port_close(struct dp *dp, struct dp_port *p);
bool dp_port_link_up(const struct dp_port *p);
/* Takes the port's link down or up where its device allows it (for
 * af_packet: the kernel interface it is bound to).  Returns 0 or a
 * negative errno (-ENOTSUP). */
int dp_port_set_link(struct dp_port *p, bool up);
/* The kernel interface of an af_packet device ("iface=NAME" in
 * 'devargs') into 'out', or "" for other drivers. */
void dp_devargs_iface(const char *devargs, char *out, size_t size);
/* Whether slot 'p' is a hidden member of a team port. */
static inline bool
dp_port_is_member(const struct dp_port *p)
{
	return p->team_of != NULL;
}

/* snapshot.c (control thread) */
int dp_publish(struct dp *dp);
void dp_port_counters_sum(const struct dp *dp, uint16_t slot,
			  struct dp_port_counters *out);
void dp_port_counters_zero(struct dp *dp, uint16_t slot);

/* share.c (control thread): min_weight limits from measured demand;
 * dp_share_setup() after each configuration change, dp_share_update()
 * often (it keeps its own DP_SHARE_INTERVAL_MS). */
void dp_share_setup(struct dp *dp);
void dp_share_update(struct dp *dp);

/* sched.c (control thread) */
void dp_sched_assign_new(struct dp *dp, struct dp_port *p);
void dp_sched_rebalance(struct dp *dp, bool force);

/* apply.c (control thread).  'results', when not NULL, is a JSON array
 * that gets one {name, status, error} object per port. */
struct json_t;
int dp_apply(struct dp *dp, const struct ctl_config *cfg, bool replay,
	     struct json_t *results, char *err, size_t errsz);
void dp_shutdown_ports(struct dp *dp);
struct dp_port *dp_find_port(struct dp *dp, const char *name);

/* rpc.c (control thread) */
struct dp_rpc;
struct dp_rpc *dp_rpc_create(struct dp *dp, const char *socket_path);
void dp_rpc_run(struct dp_rpc *rpc, int timeout_ms);
void dp_rpc_destroy(struct dp_rpc *rpc);

/* rpc_show.c (control thread): the read-only answers. */
struct json_t *dp_rpc_get_ports(struct dp *dp, const char *name);
struct json_t *dp_rpc_mac_table(struct dp *dp);
struct json_t *dp_rpc_queues(struct dp *dp);

/* rpc_team.c (control thread): team_status. */
struct json_t *dp_rpc_team_status(struct dp *dp, struct json_t *params,
				  char *err, size_t errsz);

#endif
