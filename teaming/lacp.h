/* The 802.1AX-2008 LACP machines of one team, over the per-port variables
 * they share (5.4.5-5.4.8): receive (5.4.12, lacp_rx.c), periodic
 * transmission (5.4.13, lacp_periodic.c), selection logic (5.4.14,
 * lacp_select.c), mux with coupled control (5.4.15, lacp_mux.c),
 * transmit (5.4.16, lacp_tx.c), churn detection (5.4.17, lacp_churn.c)
 * and the marker responder (5.5, lacp_marker.c).
 *
 * This header is the contract between those files and team.c; callers
 * outside teaming/ use teaming/team.h.  Tests may drive the machines
 * directly.
 *
 * The standard runs its machines concurrently.  Here lacp_run() steps
 * them in a fixed order (rx, periodic, selection, mux, churn) until none
 * changes state, then transmits, so that everything one event causes is
 * settled before a PDU leaves, and at most one PDU per port leaves per
 * call.
 *
 * Time.  Timers are absolute deadlines in nanoseconds on the caller's
 * clock.  A 'struct lacp_ctx' with 'timers' false lets a caller run the
 * machines after an event (a PDU, a link change) without firing any
 * timer: only team_tick() expires timers, so a caller that feeds every
 * received PDU before it ticks never times out a partner whose PDUs
 * were merely waiting to be read.
 *
 * Single-threaded: every function here is for the control thread. */
#ifndef VSWITCH_TEAMING_LACP_H
#define VSWITCH_TEAMING_LACP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "teaming/evlog.h"
#include "teaming/lacpdu.h"

#define LACP_NS_PER_S 1000000000ull

/* 802.1AX-2008 5.4.4. */
#define LACP_FAST_PERIODIC_NS (1 * LACP_NS_PER_S)
#define LACP_SLOW_PERIODIC_NS (30 * LACP_NS_PER_S)
#define LACP_SHORT_TIMEOUT_NS (3 * LACP_NS_PER_S)
#define LACP_LONG_TIMEOUT_NS (90 * LACP_NS_PER_S)
#define LACP_CHURN_DETECTION_NS (60 * LACP_NS_PER_S)
#define LACP_AGGREGATE_WAIT_NS (2 * LACP_NS_PER_S)
/* 5.4.16: no more than three LACPDUs in any Fast_Periodic_Time. */
#define LACP_TX_MAX_PER_FAST 3
/* Marker Responses per port per second.  Slow Protocols may send no
 * more than 10 frames a second on a link (802.3 Annex 43B); LACP takes
 * up to 3 of them, so a flood of Marker PDUs is answered at most 5
 * times a second and the rest dropped and counted. */
#define LACP_MARKER_MAX_PER_S 5

/* Ports in one team (one aggregator's worth). */
#define LACP_MAX_PORTS 32

/* Default system and port priority (the usual administrative default;
 * the standard leaves it to management). */
#define LACP_DEFAULT_PRIO 32768

/* States of each machine, in the standard's names.  X(name). */
#define LACP_RX_STATES(X)                                                 \
	X(INITIALIZE) X(PORT_DISABLED) X(LACP_DISABLED) X(EXPIRED)        \
	X(DEFAULTED) X(CURRENT)
#define LACP_PERIODIC_STATES(X)                                           \
	X(NO_PERIODIC) X(FAST_PERIODIC) X(SLOW_PERIODIC) X(PERIODIC_TX)
#define LACP_MUX_STATES(X)                                                \
	X(DETACHED) X(WAITING) X(ATTACHED) X(COLLECTING_DISTRIBUTING)
#define LACP_SELECTED_STATES(X) X(UNSELECTED) X(SELECTED) X(STANDBY)
#define LACP_CHURN_STATES(X) X(CHURN_MONITOR) X(NO_CHURN) X(CHURN)

#define LACP_ENUM_(prefix, name) prefix##name,
#define LACP_RX_ENUM_(n) LACP_ENUM_(LACP_RX_, n)
#define LACP_PERIODIC_ENUM_(n) LACP_ENUM_(LACP_PERIODIC_, n)
#define LACP_MUX_ENUM_(n) LACP_ENUM_(LACP_MUX_, n)
#define LACP_SELECTED_ENUM_(n) LACP_ENUM_(LACP_, n)
#define LACP_CHURN_ENUM_(n) LACP_ENUM_(LACP_, n)

enum lacp_rx_state { LACP_RX_STATES(LACP_RX_ENUM_) };
enum lacp_periodic_state { LACP_PERIODIC_STATES(LACP_PERIODIC_ENUM_) };
enum lacp_mux_state { LACP_MUX_STATES(LACP_MUX_ENUM_) };
enum lacp_selected { LACP_SELECTED_STATES(LACP_SELECTED_ENUM_) };
enum lacp_churn_state { LACP_CHURN_STATES(LACP_CHURN_ENUM_) };

/* Sends 'size' bytes at 'frame' out of team member 'member'.  The frame
 * is only valid during the call. */
typedef void team_send_fn(void *aux, unsigned int member,
			  const uint8_t *frame, size_t size);

/* What a machine step needs besides its port. */
struct lacp_ctx {
	uint64_t now;              /* ns, the caller's monotonic clock */
	bool timers;               /* timers may expire in this run */
	struct team_evlog *log;    /* transitions are recorded here */
	team_send_fn *send;        /* frames leave through this */
	void *aux;                 /* passed to 'send' */
};

struct lacp_timer {
	uint64_t deadline;         /* ns */
	bool running;
};

/* Counters, in the terms of 802.1AX-2008 7.3.3 (dot3adAggPortStats) and
 * 802.1AX-2014 (churn counts). */
struct lacp_port_stats {
	uint64_t lacpdus_rx;       /* LACPDUsRx: valid LACPDUs received */
	uint64_t markers_rx;       /* MarkerPDUsRx */
	uint64_t marker_responses_rx;  /* MarkerResponsePDUsRx */
	uint64_t unknown_rx;       /* UnknownRx: other Slow Protocols */
	uint64_t illegal_rx;       /* IllegalRx: malformed */
	uint64_t lacpdus_tx;       /* LACPDUsTx */
	uint64_t marker_responses_tx;  /* MarkerResponsePDUsTx */
	uint64_t markers_dropped;  /* Marker PDUs over LACP_MARKER_MAX_PER_S */
	uint64_t tx_delayed;       /* NTT held back by the tx limit */
	uint64_t actor_churn;      /* aAggPortActorChurnCount */
	uint64_t partner_churn;    /* aAggPortPartnerChurnCount */
	enum slowp_error last_error;   /* reason of the last illegal PDU */
};

/* How a port is set up; see lacp_port_init(). */
struct lacp_port_config {
	uint16_t member;           /* index in the team, for logs */
	uint8_t mac[6];            /* source MAC of the PDUs it sends */
	bool lacp_enabled;         /* LACP_Enabled */
	bool active;               /* LACP_Activity: active, else passive */
	bool fast;                 /* LACP_Timeout: short, else long */
	bool individual;           /* Aggregation bit clear */
	uint16_t sys_prio;         /* Actor_System_Priority */
	uint8_t sys[6];            /* Actor_System */
	uint16_t key;              /* Actor_Oper_Port_Key */
	uint16_t port_prio;        /* Actor_Port_Priority */
	uint16_t port;             /* Actor_Port (1..65535) */
};

/* One Aggregation Port: the variables of 802.1AX-2008 5.4.7 and 5.4.8
 * that the machines share, and their own states and timers. */
struct lacp_port {
	uint16_t member;           /* index in the team, for logs */
	uint8_t mac[6];            /* source MAC of the PDUs it sends */
	bool lacp_enabled;         /* LACP_Enabled */
	bool port_enabled;         /* port_enabled: the link is up */

	struct lacp_info actor;    /* Actor_Oper_*, Actor_Oper_Port_State */
	struct lacp_info partner;  /* Partner_Oper_* */
	struct lacp_info partner_admin;    /* Partner_Admin_* */

	bool ntt;                  /* NTT: a PDU must be sent */
	enum lacp_selected selected;   /* Selected */
	bool ready_n;              /* Ready_N: wait_while expired in WAITING */
	bool ready;                /* Ready: all WAITING ports of the
				    * aggregator are ready */
	uint16_t aggregator;       /* member index naming the aggregation
				    * group selected, for status only */
	bool actor_churn;          /* actor_churn */
	bool partner_churn;        /* partner_churn */

	enum lacp_rx_state rx_state;
	enum lacp_periodic_state periodic_state;
	enum lacp_mux_state mux_state;
	enum lacp_churn_state actor_churn_state;
	enum lacp_churn_state partner_churn_state;

	struct lacp_timer current_while;   /* current_while_timer */
	struct lacp_timer periodic;        /* periodic_timer */
	struct lacp_timer wait_while;      /* wait_while_timer */
	struct lacp_timer actor_churn_timer;   /* actor_churn_timer */
	struct lacp_timer partner_churn_timer; /* partner_churn_timer */

	uint64_t tx_times[LACP_TX_MAX_PER_FAST];   /* last transmissions */
	unsigned int n_tx;         /* how many of tx_times are set */
	unsigned int tx_next;      /* oldest of them, overwritten next */
	uint64_t marker_window;    /* start of the current marker second */
	unsigned int marker_count; /* responses sent in it */

	uint64_t last_change;      /* when it last started or stopped
				    * distributing, or changed selection */
	struct lacp_port_stats stats;
};

/* Sets up 'p' as an enabled-but-link-down port: every machine in its
 * BEGIN state (receive INITIALIZE then PORT_DISABLED, periodic
 * NO_PERIODIC, mux DETACHED, churn monitors started), logged at
 * 'c->now'. */
void lacp_port_init(struct lacp_port *p, const struct lacp_port_config *cfg,
		    const struct lacp_ctx *c);

/* Runs all machines of the 'n' ports at 'ports' (the members of one
 * team) until they settle, then lets each port transmit if it needs to
 * and may. */
void lacp_run(struct lacp_port *const *ports, unsigned int n,
	      const struct lacp_ctx *c);

/* Returns the earliest time at which lacp_run() with timers would do
 * something for 'p' (a timer deadline, or the end of a tx limit that
 * holds back a PDU); UINT64_MAX if none. */
uint64_t lacp_port_next_deadline(const struct lacp_port *p);

/* Whether 'p' collects and distributes (mux COLLECTING_DISTRIBUTING). */
static inline bool
lacp_port_distributing(const struct lacp_port *p)
{
	return p->mux_state == LACP_MUX_COLLECTING_DISTRIBUTING;
}

/* Receive machine (lacp_rx.c). */
bool lacp_rx_step(struct lacp_port *p, const struct lacp_ctx *c);
/* "LACPDU received": handles 'pdu' in EXPIRED, DEFAULTED or CURRENT (and
 * moves to CURRENT); counts and ignores it in the other states. */
void lacp_rx_pdu(struct lacp_port *p, const struct lacpdu *pdu,
		 const struct lacp_ctx *c);
void lacp_rx_begin(struct lacp_port *p, const struct lacp_ctx *c);

/* Periodic transmission machine (lacp_periodic.c). */
bool lacp_periodic_step(struct lacp_port *p, const struct lacp_ctx *c);
void lacp_periodic_begin(struct lacp_port *p, const struct lacp_ctx *c);

/* Selection logic over all ports of a team (lacp_select.c). */
bool lacp_select_run(struct lacp_port *const *ports, unsigned int n,
		     const struct lacp_ctx *c);

/* Mux machine, coupled control (lacp_mux.c). */
bool lacp_mux_step(struct lacp_port *p, const struct lacp_ctx *c);
void lacp_mux_begin(struct lacp_port *p, const struct lacp_ctx *c);

/* Churn detection machines (lacp_churn.c). */
bool lacp_churn_step(struct lacp_port *p, const struct lacp_ctx *c);
void lacp_churn_begin(struct lacp_port *p, const struct lacp_ctx *c);

/* Transmit machine (lacp_tx.c): sends one LACPDU if NTT is set and the
 * rate limit allows. */
void lacp_tx_step(struct lacp_port *p, const struct lacp_ctx *c);
/* When the tx limit lets the next PDU of 'p' leave; 0 if it may now. */
uint64_t lacp_tx_free_at(const struct lacp_port *p);

/* Marker responder (lacp_marker.c): answers a Marker PDU received on
 * 'p' with a Marker Response carrying its fields back.  Returns 0 (also
 * for a Marker Response, which is only counted), or -EBUSY when the
 * per-second limit drops it. */
int lacp_marker_rx(struct lacp_port *p, const struct marker_pdu *m,
		   const struct lacp_ctx *c);

/* Names for logs and status. */
const char *lacp_rx_state_name(enum lacp_rx_state s);
const char *lacp_periodic_state_name(enum lacp_periodic_state s);
const char *lacp_mux_state_name(enum lacp_mux_state s);
const char *lacp_selected_name(enum lacp_selected s);
const char *lacp_churn_state_name(enum lacp_churn_state s);

/* Helpers shared by the machine files (lacp.c). */
void lacp_timer_start(struct lacp_timer *t, const struct lacp_ctx *c,
		      uint64_t duration);
static inline void
lacp_timer_stop(struct lacp_timer *t)
{
	t->running = false;
}
static inline bool
lacp_timer_expired(const struct lacp_timer *t, const struct lacp_ctx *c)
{
	return c->timers && t->running && c->now >= t->deadline;
}
/* Records a transition of 'machine' on 'p' from 'from' to 'to'. */
void lacp_log(const struct lacp_port *p, const struct lacp_ctx *c,
	      enum team_machine machine, unsigned int from, unsigned int to);
/* Sets Selected, logging the change. */
void lacp_set_selected(struct lacp_port *p, const struct lacp_ctx *c,
		       enum lacp_selected s);

#endif
