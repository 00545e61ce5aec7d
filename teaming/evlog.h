/* A ring of state transitions a team records for the caller to drain
 * and log (at debug level; they are how an operator follows LACP
 * forming or falling apart).  Fixed size: when the caller drains too
 * rarely the oldest entries are overwritten and counted as lost, so
 * recording never fails or allocates.
 *
 * Single-threaded: the control thread that runs the team drains it. */
#ifndef VSWITCH_TEAMING_EVLOG_H
#define VSWITCH_TEAMING_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#define TEAM_EVLOG_SIZE 256        /* a power of two */

/* The machines whose transitions are recorded.  X(name, text). */
#define TEAM_MACHINES(X)                                                  \
	X(LINK, "link")                                                   \
	X(RX, "rx")                                                       \
	X(PERIODIC, "periodic")                                           \
	X(SELECTION, "selection")                                         \
	X(MUX, "mux")                                                     \
	X(ACTOR_CHURN, "actor-churn")                                     \
	X(PARTNER_CHURN, "partner-churn")

enum team_machine {
#define TEAM_MACHINE_ENUM_(name, text) TEAM_M_##name,
	TEAM_MACHINES(TEAM_MACHINE_ENUM_)
#undef TEAM_MACHINE_ENUM_
	TEAM_M_COUNT
};

/* Link states for TEAM_M_LINK. */
enum team_link_state { TEAM_LINK_DOWN, TEAM_LINK_UP };

struct team_event {
	uint64_t time;             /* ns, the 'now' of the call */
	uint16_t member;           /* member index */
	uint8_t machine;           /* enum team_machine */
	uint8_t from;              /* state left, in that machine's enum */
	uint8_t to;                /* state entered */
};

struct team_evlog {
	struct team_event ev[TEAM_EVLOG_SIZE];
	uint64_t head;             /* events ever pushed */
	uint64_t tail;             /* events ever drained or overwritten */
	uint64_t lost;             /* overwritten before being drained */
};

void team_evlog_init(struct team_evlog *log);
void team_evlog_push(struct team_evlog *log, const struct team_event *ev);
/* Moves up to 'max' of the oldest events into 'out'; returns how many. */
unsigned int team_evlog_drain(struct team_evlog *log, struct team_event *out,
			      unsigned int max);

const char *team_machine_name(enum team_machine m);
/* Name of state 'state' of machine 'm' ("EXPIRED", "WAITING", "UP"...). */
const char *team_state_name(enum team_machine m, unsigned int state);
/* Writes "member 1: mux WAITING -> ATTACHED" into 'buf'; returns the
 * length of the whole line, like snprintf. */
int team_event_format(const struct team_event *ev, char *buf, size_t size);

#endif
