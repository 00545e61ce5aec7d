#include "teaming/evlog.h"

#include <stdio.h>
#include <string.h>

#include "teaming/lacp.h"

static const char *const machine_names[] = {
#define TEAM_MACHINE_TEXT_(name, text) [TEAM_M_##name] = text,
	TEAM_MACHINES(TEAM_MACHINE_TEXT_)
#undef TEAM_MACHINE_TEXT_
};

void
team_evlog_init(struct team_evlog *log)
{
	memset(log, 0, sizeof(*log));
}

void
team_evlog_push(struct team_evlog *log, const struct team_event *ev)
{
	if (log->head - log->tail == TEAM_EVLOG_SIZE) {
		log->tail++;
		log->lost++;
	}
	log->ev[log->head % TEAM_EVLOG_SIZE] = *ev;
	log->head++;
}

unsigned int
team_evlog_drain(struct team_evlog *log, struct team_event *out,
		 unsigned int max)
{
	unsigned int n = 0;

	while (n < max && log->tail != log->head) {
		out[n++] = log->ev[log->tail % TEAM_EVLOG_SIZE];
		log->tail++;
	}
	return n;
}

const char *
team_machine_name(enum team_machine m)
{
	return (unsigned int)m < TEAM_M_COUNT ? machine_names[m] : "?";
}

const char *
team_state_name(enum team_machine m, unsigned int state)
{
	switch (m) {
	case TEAM_M_LINK:
		return state == TEAM_LINK_UP ? "UP" : "DOWN";
	case TEAM_M_RX:
		return lacp_rx_state_name(state);
	case TEAM_M_PERIODIC:
		return lacp_periodic_state_name(state);
	case TEAM_M_SELECTION:
		return lacp_selected_name(state);
	case TEAM_M_MUX:
		return lacp_mux_state_name(state);
	case TEAM_M_ACTOR_CHURN:
	case TEAM_M_PARTNER_CHURN:
		return lacp_churn_state_name(state);
	default:
		return "?";
	}
}

int
team_event_format(const struct team_event *ev, char *buf, size_t size)
{
	return snprintf(buf, size, "member %u: %s %s -> %s", ev->member,
			team_machine_name(ev->machine),
			team_state_name(ev->machine, ev->from),
			team_state_name(ev->machine, ev->to));
}
