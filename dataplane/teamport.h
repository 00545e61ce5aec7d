/* NIC teams in vswitchd: an external port made of several devices
 * (DESIGN.md "Teaming"), run with the teaming/ library.
 *
 * Slots.  The team port has a slot of its own, with no device: it is in
 * the flood sets, MACs are learned on it, and frames switched to it are
 * sent by one of its members.  Each member device is opened like an
 * external port into a hidden slot of its own (dp_port.team_of set): its
 * receive queues are polled like any port's (and placed by sched.c), it
 * has its own transmit buffers, hand-off ring and counters, but it is in
 * no flood set, not in the configuration and not in port-stats; the
 * team's status (rpc_team.c) shows it.
 *
 * Workers (teamport_dp.c).  A burst received on a member slot is sorted:
 * slow-protocol frames (EtherType 0x8809: LACPDUs, markers) go to the
 * team's ring for the control thread, with the member index in the
 * mbuf's 'port' field; in LACP mode, data from a member that is not
 * collecting is dropped ("team-member-inactive"); the rest goes through
 * dp_l2_input() as received on the team's slot.  A frame sent to the team
 * slot leaves by the member the balancing table picks (address-hash on
 * the frame's fields, hyperv-port by the input port, dynamic by
 * flowlets), or is dropped ("team-no-member") when none distributes.
 *
 * RCU.  The balancing table ('struct team_balance', balance.h) is
 * immutable once published.  The control thread builds a new one, swaps
 * the view's pointer (release), waits for a grace period on dp->rcu and
 * frees the old one; workers load it (acquire) once per frame and hold
 * it no longer than one loop.  The view itself lives as long as the team
 * port: it is freed only after a snapshot without the port was published
 * and a grace period passed (port close).
 *
 * Control thread (teamport.c).  dp_team_run() is called every loop of
 * the control thread (every DP_TEAM_POLL_MS while any team exists): it
 * reads each member's link (the kernel interface's carrier for af_packet
 * members, whose PMD reports no link changes in DPDK 22.11; the ethdev's
 * link otherwise), hands link changes and queued slow-protocol frames to
 * the team (team.h), ticks it, logs its transitions, and, when the set
 * of distributing members changes, publishes a new balancing table at
 * once.  Frames the team sends (LACPDUs, marker responses, and in
 * switch-independent mode the announcements of moved VM MACs) are put on
 * the member's control ring, which the worker that transmits for the
 * member sends ahead of data every loop (dp_tx_drain_ctl()). */
#ifndef VSWITCH_DP_TEAMPORT_H
#define VSWITCH_DP_TEAMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp.h"
#include "teaming/balance.h"
#include "teaming/team.h"

#define DP_TEAM_POLL_MS 10         /* control loop period with teams */
#define DP_TEAM_REBALANCE_MS 500   /* dynamic: load measured, moved */
#define DP_TEAM_SHARE_MS 1000      /* load_share measured over this */

/* What the workers read of a team port; see "RCU" above. */
struct dp_team_view {
	/* The balancing table: swapped by the control thread (release),
	 * read by workers (acquire). */
	const struct team_balance *_Atomic balance;
	uint8_t lb;                 /* enum team_lb */
	uint8_t hash;               /* enum team_hash */
	bool lacp;                  /* receive only on collecting members */
	bool switch_independent;    /* loop protection on receive */
	uint8_t n_members;
	uint16_t slot;              /* the team port's slot */
	uint16_t member_slot[CTL_MAX_TEAM_MEMBERS];  /* index -> slot */
	struct rte_ring *slowp;     /* slow-protocol frames, to control */
	struct team_flowlet *flowlet[DP_MAX_WORKERS];  /* dynamic: one
							* writer each */
};

/* A team port as the control thread keeps it. */
struct dp_team {
	struct rte_mempool *pool;   /* control frames come from here */
	struct team *team;          /* LACP machines, distributing set */
	struct team_balancer *bal;  /* buckets and sources */
	struct dp_team_view *view;  /* shared with workers */
	unsigned int n_members;
	struct dp_port *members[CTL_MAX_TEAM_MEMBERS];
	char iface[CTL_MAX_TEAM_MEMBERS][32];  /* af_packet: kernel name */
	uint8_t mac[CTL_MAX_TEAM_MEMBERS][6];  /* each member's MAC */
	bool link[CTL_MAX_TEAM_MEMBERS];       /* as last told the team */
	uint32_t mask;              /* distributing set last published */
	uint64_t ctl_dropped;       /* control frames lost: ring, mbufs */
	uint64_t slowp_bad;         /* slow-protocol frames refused */
	uint64_t announced;         /* MAC announcements sent */
	uint64_t rebalance_ns;      /* dynamic: last rebalance */
	uint64_t bytes_seen[TEAM_BUCKETS];     /* dynamic: summed so far */
	uint64_t share_ns;          /* load_share: last sample */
	uint64_t tx_bytes_last[CTL_MAX_TEAM_MEMBERS];
	uint64_t tx_bytes_delta[CTL_MAX_TEAM_MEMBERS];  /* last interval */
	bool source[DP_MAX_PORTS];  /* hyperv-port: slots bound */
};

/* Opens the members of team port 'p' (p->team_cfg) into free slots and
 * creates its team.  Returns 0, or a negative errno with 'err' naming the
 * member that failed (nothing is left open then). */
int dp_team_open(struct dp *dp, struct dp_port *p, char *err, size_t errsz);
/* Closes the members and frees the team: after a grace period, when no
 * snapshot names the port or its members. */
void dp_team_close(struct dp *dp, struct dp_port *p);
/* Clears the slots of team port 'p' and of its members in dp->ports. */
void dp_team_unlink(struct dp *dp, struct dp_port *p);

/* Control loop: links, slow-protocol frames, timers, failover.  Returns
 * how long the loop may wait before the next call, in ms. */
int dp_team_run(struct dp *dp);
/* After a configuration change: the set of ports a hyperv-port team
 * binds (every port but teams and members). */
void dp_team_sync_sources(struct dp *dp);

/* Snapshot (dp_publish()): fills the views of team port 'p' and its
 * members. */
void dp_team_fill(const struct dp_port *p, struct dp_snapshot *s);

/* The link of member 'i' of team port 'p' as last read. */
bool dp_team_member_link(const struct dp_port *p, unsigned int i);

/* Workers (teamport_dp.c). */
void dp_team_input(struct dp_worker *w, const struct dp_snapshot *snap,
		   uint16_t slot, struct rte_mbuf **pkts, uint16_t n);
/* The member slot that 'm', switched to team port 'v', leaves by, or -1
 * when no member distributes. */
int dp_team_pick(struct dp_worker *w, const struct dp_port_view *v,
		 const struct rte_mbuf *m);

#endif
