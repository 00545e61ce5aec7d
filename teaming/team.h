/* A team: an external port made of several member devices, in one of
 * three modes (DESIGN.md "Teaming"):
 *
 * - TEAM_MODE_LACP: IEEE 802.1AX link aggregation with LACP, active or
 *   passive, fast (partner asked for a PDU every second, 3 s timeout)
 *   or slow (every 30 s, 90 s timeout).  A member distributes once LACP
 *   has put it in COLLECTING_DISTRIBUTING.
 * - TEAM_MODE_STATIC: switch-dependent aggregation without LACP: every
 *   member with link up distributes.
 * - TEAM_MODE_SWITCH_INDEPENDENT: the physical switch does not take
 *   part: every member with link up distributes, and after a failover
 *   the VM MACs the failed member carried are announced on their new
 *   member (balance.h team_balancer_set_members() names them,
 *   team_build_rarp() / team_build_garp() make the frames).
 *
 * This object decides which members distribute.  Which member a frame
 * leaves by is balance.h's job.
 *
 * Integration (vswitchd).  Threads and data flow:
 *
 * - Workers never call anything here.  A worker that receives a frame
 *   with EtherType 0x8809 (slowp_subtype() >= 0) on a member queues it
 *   on a ring to the control thread instead of switching it, together
 *   with the member index; the control thread's frames to send come
 *   back on a per-member ring that the member's transmitting worker
 *   drains ahead of data, so LACPDUs leave on time under full load.
 * - The control thread owns the team.  Each round it (1) passes every
 *   queued frame to team_rx() and every link change to team_set_link(),
 *   (2) calls team_tick(now), (3) drains team_events_drain() into the
 *   log, and (4) compares team_distributing_mask() with the mask it
 *   last published; on a change it has the balancer (balance.h) build
 *   a new immutable 'struct team_balance', publishes it with one
 *   release store of the pointer, and frees the old one after an RCU
 *   grace period (rte_rcu_qsbr_synchronize(): every worker has
 *   reported quiescent since).  Workers load the pointer once per burst
 *   (acquire) and only read it.  Rounds every 10-100 ms are plenty;
 *   team_next_wakeup() says when the next timer is due.
 * - Step (1) before step (2) matters: only team_tick() expires timers,
 *   so PDUs that waited in the ring while the control thread was
 *   stalled still count before the partner's timeout is judged.  The
 *   rx ring must hold a stall's worth of PDUs (3 a second per member
 *   at most from a conforming partner).
 * - team_set_link(down) takes effect in the call: the member stops
 *   distributing before it returns, so the caller publishes the new
 *   table at once rather than at the next tick.
 *
 * Frames to send go through the 'send' callback of the configuration,
 * called from team_rx(), team_set_link(), team_add_member() and
 * team_tick() on the calling thread; the frame is only valid during the
 * call.  The callback must not call back into the team.
 *
 * Time: 'now_ns' is nanoseconds on one monotonic clock shared by every
 * call on a team.
 *
 * Pure code: no DPDK types, no I/O, no clock.  team_create() allocates;
 * nothing else does. */
#ifndef VSWITCH_TEAMING_TEAM_H
#define VSWITCH_TEAMING_TEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "teaming/evlog.h"
#include "teaming/lacp.h"
#include "teaming/lacpdu.h"

#define TEAM_MAX_MEMBERS LACP_MAX_PORTS   /* 32: masks are uint32_t */
#define TEAM_NO_MEMBER 0xff

/* The modes.  X(name, text). */
#define TEAM_MODES(X)                                                     \
	X(LACP, "lacp")                                                   \
	X(STATIC, "static")                                               \
	X(SWITCH_INDEPENDENT, "switch-independent")

enum team_mode {
#define TEAM_MODE_ENUM_(name, text) TEAM_MODE_##name,
	TEAM_MODES(TEAM_MODE_ENUM_)
#undef TEAM_MODE_ENUM_
	TEAM_MODE_COUNT
};

struct team_config {
	enum team_mode mode;
	bool lacp_active;          /* LACP: active, else passive */
	bool lacp_fast;            /* LACP: short timeout, else long */
	uint16_t sys_prio;         /* LACP system priority */
	uint8_t sys_mac[6];        /* LACP system identifier */
	uint16_t key;              /* LACP key of every member */
	team_send_fn *send;        /* frames to send leave through this */
	void *aux;                 /* passed to 'send' */
};

struct team_member_config {
	uint8_t mac[6];            /* the device's MAC: source of its PDUs */
	uint16_t port;             /* 802.1AX port number, unique in the
				    * team; 0: member index + 1 */
	uint16_t port_prio;        /* 0: LACP_DEFAULT_PRIO */
	uint16_t key;              /* 0: the team's key.  A member whose
				    * speed differs from the others' should
				    * get a key of its own (802.1AX 5.3.5) */
};

/* What team-status shows for a member. */
struct team_member_status {
	bool present;              /* the slot holds a member */
	bool link;                 /* link up */
	bool distributing;         /* carries traffic */
	enum lacp_selected selected;   /* LACP: SELECTED / STANDBY / ... */
	enum lacp_rx_state rx_state;
	enum lacp_mux_state mux_state;
	enum lacp_periodic_state periodic_state;
	struct lacp_info actor;    /* LACP: what we say about ourselves */
	struct lacp_info partner;  /* LACP: what we know of the partner */
	uint16_t aggregator;       /* LACP: lead member of its group */
	uint64_t last_change;      /* ns: last start or stop of
				    * distributing, selection change, or
				    * link change */
	struct lacp_port_stats stats;  /* slow-protocol counters */
};

/* Fills 'cfg' with the defaults: LACP, active, slow (the standard's
 * default timeout), system priority and key LACP_DEFAULT_PRIO and 1, no
 * system MAC (which team_create() refuses for LACP: the caller must set
 * one, usually the first member's MAC). */
void team_config_init(struct team_config *cfg);

/* Returns a new team with no members, or NULL with errno EINVAL (an
 * unknown mode; LACP without a system MAC, or a group MAC) or ENOMEM. */
struct team *team_create(const struct team_config *cfg);
void team_destroy(struct team *t);

/* Adds member 'member' (0 .. TEAM_MAX_MEMBERS - 1) with its link down.
 * Returns 0; -EINVAL if 'member' is out of range or 'cfg->mac' is a
 * group address; -EEXIST if the slot is taken or another member has
 * the same port number. */
int team_add_member(struct team *t, unsigned int member,
		    const struct team_member_config *cfg, uint64_t now_ns);
/* Removes a member: it stops distributing in the call.  0 or -ENOENT. */
int team_remove_member(struct team *t, unsigned int member, uint64_t now_ns);

/* The member's link went up or down.  0 or -ENOENT. */
int team_set_link(struct team *t, unsigned int member, bool up,
		  uint64_t now_ns);

/* A Slow Protocols frame of 'size' bytes received on 'member'.  LACPDUs
 * feed the receive machine (LACP mode), Marker PDUs are answered (LACP
 * and static modes: the partner aggregates in both).  Returns 0;
 * -ENOENT (no such member); -EINVAL (malformed: counted as IllegalRx,
 * reason in stats.last_error); -ENOTSUP (another Slow Protocol, or a
 * PDU this mode does not run: counted as UnknownRx); -EBUSY (a Marker
 * PDU over the rate limit). */
int team_rx(struct team *t, unsigned int member, const uint8_t *frame,
	    size_t size, uint64_t now_ns);

/* Runs timers and machines at 'now_ns' and sends what is due. */
void team_tick(struct team *t, uint64_t now_ns);

/* The earliest time at which team_tick() has something to do; UINT64_MAX
 * if nothing is pending (static modes). */
uint64_t team_next_wakeup(const struct team *t);

/* Bit i set: member i distributes now. */
uint32_t team_distributing_mask(const struct team *t);

/* Moves up to 'max' of the oldest recorded transitions into 'out';
 * returns how many.  team_events_lost() counts those overwritten. */
unsigned int team_events_drain(struct team *t, struct team_event *out,
			       unsigned int max);
uint64_t team_events_lost(const struct team *t);

/* Fills 'out'; a slot without a member gives 'present' false. */
void team_member_status(const struct team *t, unsigned int member,
			struct team_member_status *out);

enum team_mode team_mode(const struct team *t);
const char *team_mode_name(enum team_mode m);
/* Parses "lacp", "static" or "switch-independent"; 0 or -EINVAL. */
int team_mode_parse(const char *s, enum team_mode *out);

#endif
