/* Periodic transmission machine, 802.1AX-2008 5.4.13.  The rate follows
 * what the partner asks for (its LACP_Timeout bit), not our own setting:
 * a partner with short timeout gets a PDU every second, one with long
 * timeout every thirty.  Two passive ends send nothing. */
#include "teaming/lacp.h"

static void enter(struct lacp_port *, enum lacp_periodic_state,
		  const struct lacp_ctx *);
static bool partner_short(const struct lacp_port *);
static bool no_periodic(const struct lacp_port *);

void
lacp_periodic_begin(struct lacp_port *p, const struct lacp_ctx *c)
{
	p->periodic_state = LACP_PERIODIC_NO_PERIODIC;
	enter(p, LACP_PERIODIC_NO_PERIODIC, c);
}

bool
lacp_periodic_step(struct lacp_port *p, const struct lacp_ctx *c)
{
	enum lacp_periodic_state next = p->periodic_state;

	switch (p->periodic_state) {
	case LACP_PERIODIC_NO_PERIODIC:
		next = LACP_PERIODIC_FAST_PERIODIC;
		break;
	case LACP_PERIODIC_FAST_PERIODIC:
		if (lacp_timer_expired(&p->periodic, c))
			next = LACP_PERIODIC_PERIODIC_TX;
		else if (!partner_short(p))
			next = LACP_PERIODIC_SLOW_PERIODIC;
		break;
	case LACP_PERIODIC_SLOW_PERIODIC:
		if (lacp_timer_expired(&p->periodic, c) || partner_short(p))
			next = LACP_PERIODIC_PERIODIC_TX;
		break;
	case LACP_PERIODIC_PERIODIC_TX:
		next = partner_short(p) ? LACP_PERIODIC_FAST_PERIODIC
					: LACP_PERIODIC_SLOW_PERIODIC;
		break;
	}
	/* Global transition, which also holds the machine in NO_PERIODIC
	 * (the unconditional exit above applies only once it is false). */
	if (no_periodic(p))
		next = LACP_PERIODIC_NO_PERIODIC;
	if (next == p->periodic_state)
		return false;
	enter(p, next, c);
	return true;
}

/* Static helpers. */

static void
enter(struct lacp_port *p, enum lacp_periodic_state to,
      const struct lacp_ctx *c)
{
	enum lacp_periodic_state from = p->periodic_state;

	/* Passing through PERIODIC_TX happens every period; logging it
	 * would bury the transitions that matter. */
	if (from != to && to != LACP_PERIODIC_PERIODIC_TX &&
	    from != LACP_PERIODIC_PERIODIC_TX)
		lacp_log(p, c, TEAM_M_PERIODIC, from, to);
	p->periodic_state = to;
	switch (to) {
	case LACP_PERIODIC_NO_PERIODIC:
		lacp_timer_stop(&p->periodic);
		break;
	case LACP_PERIODIC_FAST_PERIODIC:
		/* Leaving NO_PERIODIC (link up, or a passive port hearing an
		 * active partner): speak now rather than a period later.
		 * The NTT that DETACHED set at BEGIN was dropped while the
		 * port could not send. */
		if (from == LACP_PERIODIC_NO_PERIODIC)
			p->ntt = true;
		lacp_timer_start(&p->periodic, c, LACP_FAST_PERIODIC_NS);
		break;
	case LACP_PERIODIC_SLOW_PERIODIC:
		lacp_timer_start(&p->periodic, c, LACP_SLOW_PERIODIC_NS);
		break;
	case LACP_PERIODIC_PERIODIC_TX:
		p->ntt = true;
		break;
	}
}

static bool
partner_short(const struct lacp_port *p)
{
	return p->partner.state & LACP_STATE_TIMEOUT;
}

static bool
no_periodic(const struct lacp_port *p)
{
	return !p->lacp_enabled || !p->port_enabled ||
	       (!(p->actor.state & LACP_STATE_ACTIVITY) &&
		!(p->partner.state & LACP_STATE_ACTIVITY));
}
