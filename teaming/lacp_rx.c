/* Receive machine, 802.1AX-2008 5.4.12, and the functions it calls
 * (recordPDU, recordDefault, update_Selected, update_Default_Selected,
 * update_NTT: 5.4.9).  It records what the partner says about itself
 * and about us, and times the partner out. */
#include <string.h>

#include "teaming/lacp.h"

static void enter(struct lacp_port *, enum lacp_rx_state,
		  const struct lacpdu *, const struct lacp_ctx *);
static void record_pdu(struct lacp_port *, const struct lacpdu *);
static void record_default(struct lacp_port *);
static void update_selected(struct lacp_port *, const struct lacp_info *,
			    const struct lacp_ctx *);
static void update_ntt(struct lacp_port *, const struct lacpdu *);
static bool same_port(const struct lacp_info *, const struct lacp_info *);

void
lacp_rx_begin(struct lacp_port *p, const struct lacp_ctx *c)
{
	p->rx_state = LACP_RX_INITIALIZE;
	enter(p, LACP_RX_INITIALIZE, NULL, c);
}

bool
lacp_rx_step(struct lacp_port *p, const struct lacp_ctx *c)
{
	enum lacp_rx_state next = p->rx_state;

	switch (p->rx_state) {
	case LACP_RX_INITIALIZE:
		next = LACP_RX_PORT_DISABLED;
		break;
	case LACP_RX_PORT_DISABLED:
		if (p->port_enabled)
			next = p->lacp_enabled ? LACP_RX_EXPIRED
					       : LACP_RX_LACP_DISABLED;
		break;
	case LACP_RX_LACP_DISABLED:
		if (p->lacp_enabled)
			next = LACP_RX_PORT_DISABLED;
		break;
	case LACP_RX_EXPIRED:
		if (lacp_timer_expired(&p->current_while, c))
			next = LACP_RX_DEFAULTED;
		break;
	case LACP_RX_CURRENT:
		if (lacp_timer_expired(&p->current_while, c))
			next = LACP_RX_EXPIRED;
		break;
	case LACP_RX_DEFAULTED:
		break;
	}
	/* Global transition: a port whose link goes down stops at once. */
	if (!p->port_enabled && p->rx_state != LACP_RX_INITIALIZE)
		next = LACP_RX_PORT_DISABLED;
	if (next == p->rx_state)
		return false;
	enter(p, next, NULL, c);
	return true;
}

void
lacp_rx_pdu(struct lacp_port *p, const struct lacpdu *pdu,
	    const struct lacp_ctx *c)
{
	if (!p->port_enabled || (p->rx_state != LACP_RX_EXPIRED &&
				 p->rx_state != LACP_RX_DEFAULTED &&
				 p->rx_state != LACP_RX_CURRENT))
		return;
	p->stats.lacpdus_rx++;
	enter(p, LACP_RX_CURRENT, pdu, c);
}

/* Static helpers. */

/* Moves to 'to' and runs its entry actions; 'pdu' is the PDU that
 * caused the move to CURRENT. */
static void
enter(struct lacp_port *p, enum lacp_rx_state to, const struct lacpdu *pdu,
      const struct lacp_ctx *c)
{
	if (p->rx_state != to)
		lacp_log(p, c, TEAM_M_RX, p->rx_state, to);
	p->rx_state = to;
	switch (to) {
	case LACP_RX_INITIALIZE:
		lacp_set_selected(p, c, LACP_UNSELECTED);
		record_default(p);
		p->actor.state &= ~LACP_STATE_EXPIRED;
		break;
	case LACP_RX_PORT_DISABLED:
		p->partner.state &= ~LACP_STATE_SYNC;
		/* Not in the standard, which leaves Selected alone here: a
		 * port whose link is down leaves its aggregator, so that
		 * selection and Ready only ever count live ports. */
		lacp_set_selected(p, c, LACP_UNSELECTED);
		lacp_timer_stop(&p->current_while);
		break;
	case LACP_RX_LACP_DISABLED:
		lacp_set_selected(p, c, LACP_UNSELECTED);
		record_default(p);
		p->partner.state &= ~LACP_STATE_AGGREGATION;
		p->actor.state &= ~LACP_STATE_EXPIRED;
		break;
	case LACP_RX_EXPIRED:
		/* Asking for short timeout makes our periodic machine send
		 * every second, so a partner that is only slow answers
		 * before DEFAULTED. */
		p->partner.state &= ~LACP_STATE_SYNC;
		p->partner.state |= LACP_STATE_TIMEOUT;
		lacp_timer_start(&p->current_while, c, LACP_SHORT_TIMEOUT_NS);
		p->actor.state |= LACP_STATE_EXPIRED;
		break;
	case LACP_RX_DEFAULTED:
		lacp_timer_stop(&p->current_while);
		update_selected(p, &p->partner_admin, c);
		record_default(p);
		p->actor.state &= ~LACP_STATE_EXPIRED;
		break;
	case LACP_RX_CURRENT:
		update_selected(p, &pdu->actor, c);
		update_ntt(p, pdu);
		record_pdu(p, pdu);
		lacp_timer_start(&p->current_while, c,
				 p->actor.state & LACP_STATE_TIMEOUT
					 ? LACP_SHORT_TIMEOUT_NS
					 : LACP_LONG_TIMEOUT_NS);
		p->actor.state &= ~LACP_STATE_EXPIRED;
		break;
	}
}

/* recordPDU: the partner's own information becomes Partner_Oper, and
 * the partner is in sync if it sees us as we are (or is an individual
 * link), says it is in sync, and one of us is active. */
static void
record_pdu(struct lacp_port *p, const struct lacpdu *pdu)
{
	const struct lacp_info *them = &pdu->actor, *us = &pdu->partner;
	bool active, sees_us, sync;

	p->partner = *them;
	p->actor.state &= ~LACP_STATE_DEFAULTED;
	active = (them->state & LACP_STATE_ACTIVITY) ||
		 ((p->actor.state & LACP_STATE_ACTIVITY) &&
		  (us->state & LACP_STATE_ACTIVITY));
	sees_us = same_port(us, &p->actor) &&
		  !((us->state ^ p->actor.state) & LACP_STATE_AGGREGATION);
	sync = active && (them->state & LACP_STATE_SYNC) &&
	       (sees_us || !(them->state & LACP_STATE_AGGREGATION));
	if (sync)
		p->partner.state |= LACP_STATE_SYNC;
	else
		p->partner.state &= ~LACP_STATE_SYNC;
}

/* recordDefault. */
static void
record_default(struct lacp_port *p)
{
	p->partner = p->partner_admin;
	p->actor.state |= LACP_STATE_DEFAULTED;
}

/* update_Selected and update_Default_Selected: a partner that now
 * claims to be another port, or changes its aggregatability, may belong
 * to another aggregator, so the port must be selected again. */
static void
update_selected(struct lacp_port *p, const struct lacp_info *them,
		const struct lacp_ctx *c)
{
	if (!same_port(them, &p->partner) ||
	    ((them->state ^ p->partner.state) & LACP_STATE_AGGREGATION))
		lacp_set_selected(p, c, LACP_UNSELECTED);
}

/* update_NTT: answer at once when the partner's view of us is stale. */
static void
update_ntt(struct lacp_port *p, const struct lacpdu *pdu)
{
	const uint8_t bits = LACP_STATE_ACTIVITY | LACP_STATE_TIMEOUT |
			     LACP_STATE_SYNC | LACP_STATE_AGGREGATION;

	if (!same_port(&pdu->partner, &p->actor) ||
	    ((pdu->partner.state ^ p->actor.state) & bits))
		p->ntt = true;
}

/* Port, port priority, system, system priority and key are equal. */
static bool
same_port(const struct lacp_info *a, const struct lacp_info *b)
{
	return a->port == b->port && a->port_prio == b->port_prio &&
	       a->sys_prio == b->sys_prio && a->key == b->key &&
	       memcmp(a->sys, b->sys, 6) == 0;
}
