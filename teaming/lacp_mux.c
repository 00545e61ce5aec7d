/* Mux machine with coupled control, 802.1AX-2008 5.4.15 (Figure 5-15):
 * a selected port waits Aggregate_Wait_Time for the other ports joining
 * its aggregator, attaches (and says it is in sync), and collects and
 * distributes once the partner is in sync too.  Coupled control
 * switches collecting and distributing together; the dataplane sees
 * the change when the caller publishes the distributing set (team.h). */
#include "teaming/lacp.h"

static void enter(struct lacp_port *, enum lacp_mux_state,
		  const struct lacp_ctx *);
static bool partner_sync(const struct lacp_port *);

void
lacp_mux_begin(struct lacp_port *p, const struct lacp_ctx *c)
{
	p->mux_state = LACP_MUX_DETACHED;
	enter(p, LACP_MUX_DETACHED, c);
}

bool
lacp_mux_step(struct lacp_port *p, const struct lacp_ctx *c)
{
	enum lacp_mux_state next = p->mux_state;

	switch (p->mux_state) {
	case LACP_MUX_DETACHED:
		if (p->selected != LACP_UNSELECTED)
			next = LACP_MUX_WAITING;
		break;
	case LACP_MUX_WAITING:
		if (lacp_timer_expired(&p->wait_while, c)) {
			lacp_timer_stop(&p->wait_while);
			p->ready_n = true;
		}
		if (p->selected == LACP_UNSELECTED)
			next = LACP_MUX_DETACHED;
		else if (p->selected == LACP_SELECTED && p->ready)
			next = LACP_MUX_ATTACHED;
		break;
	case LACP_MUX_ATTACHED:
		if (p->selected != LACP_SELECTED)
			next = LACP_MUX_DETACHED;
		else if (partner_sync(p))
			next = LACP_MUX_COLLECTING_DISTRIBUTING;
		break;
	case LACP_MUX_COLLECTING_DISTRIBUTING:
		if (p->selected != LACP_SELECTED || !partner_sync(p))
			next = LACP_MUX_ATTACHED;
		break;
	}
	if (next == p->mux_state)
		return false;
	enter(p, next, c);
	return true;
}

/* Static helpers. */

static void
enter(struct lacp_port *p, enum lacp_mux_state to, const struct lacp_ctx *c)
{
	if (p->mux_state != to) {
		lacp_log(p, c, TEAM_M_MUX, p->mux_state, to);
		if (to == LACP_MUX_COLLECTING_DISTRIBUTING ||
		    p->mux_state == LACP_MUX_COLLECTING_DISTRIBUTING)
			p->last_change = c->now;
	}
	p->mux_state = to;
	switch (to) {
	case LACP_MUX_DETACHED:
		p->actor.state &= ~(LACP_STATE_SYNC | LACP_STATE_COLLECTING |
				    LACP_STATE_DISTRIBUTING);
		p->ready_n = false;
		lacp_timer_stop(&p->wait_while);
		p->ntt = true;
		break;
	case LACP_MUX_WAITING:
		p->ready_n = false;
		lacp_timer_start(&p->wait_while, c, LACP_AGGREGATE_WAIT_NS);
		break;
	case LACP_MUX_ATTACHED:
		p->actor.state |= LACP_STATE_SYNC;
		p->actor.state &= ~(LACP_STATE_COLLECTING |
				    LACP_STATE_DISTRIBUTING);
		p->ntt = true;
		break;
	case LACP_MUX_COLLECTING_DISTRIBUTING:
		p->actor.state |= LACP_STATE_COLLECTING |
				  LACP_STATE_DISTRIBUTING;
		p->ntt = true;
		break;
	}
}

static bool
partner_sync(const struct lacp_port *p)
{
	return p->partner.state & LACP_STATE_SYNC;
}
