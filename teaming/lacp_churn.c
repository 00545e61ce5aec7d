/* Churn detection machines, 802.1AX-2008 5.4.17: one for the actor and
 * one for the partner.  Each watches its side's Synchronization bit;
 * when it stays false for Churn_Detection_Time on a live port, the link
 * is in churn (misconfiguration, a partner that cannot aggregate it, a
 * standby link) and the count goes up, for operators to see. */
#include "teaming/lacp.h"

/* One side: its state, timer, flag and counter, and the sync it watches. */
struct side {
	enum team_machine machine;
	enum lacp_churn_state *state;
	struct lacp_timer *timer;
	bool *churn;
	uint64_t *count;
	bool sync;
};

static struct side actor_side(struct lacp_port *);
static struct side partner_side(struct lacp_port *);
static bool side_step(struct lacp_port *, struct side *,
		      const struct lacp_ctx *);
static void side_enter(struct lacp_port *, struct side *,
		       enum lacp_churn_state, const struct lacp_ctx *);

void
lacp_churn_begin(struct lacp_port *p, const struct lacp_ctx *c)
{
	struct side a = actor_side(p), b = partner_side(p);

	side_enter(p, &a, LACP_CHURN_MONITOR, c);
	side_enter(p, &b, LACP_CHURN_MONITOR, c);
}

bool
lacp_churn_step(struct lacp_port *p, const struct lacp_ctx *c)
{
	struct side a = actor_side(p), b = partner_side(p);
	bool moved = side_step(p, &a, c);

	moved |= side_step(p, &b, c);
	return moved;
}

/* Static helpers. */

static struct side
actor_side(struct lacp_port *p)
{
	return (struct side){
		.machine = TEAM_M_ACTOR_CHURN,
		.state = &p->actor_churn_state,
		.timer = &p->actor_churn_timer,
		.churn = &p->actor_churn,
		.count = &p->stats.actor_churn,
		.sync = p->actor.state & LACP_STATE_SYNC,
	};
}

static struct side
partner_side(struct lacp_port *p)
{
	return (struct side){
		.machine = TEAM_M_PARTNER_CHURN,
		.state = &p->partner_churn_state,
		.timer = &p->partner_churn_timer,
		.churn = &p->partner_churn,
		.count = &p->stats.partner_churn,
		.sync = p->partner.state & LACP_STATE_SYNC,
	};
}

static bool
side_step(struct lacp_port *p, struct side *s, const struct lacp_ctx *c)
{
	enum lacp_churn_state next = *s->state;

	/* Global transition: while the link is down the machine sits in
	 * CHURN_MONITOR with its timer restarted, so a port comes up with
	 * the full detection time ahead of it. */
	if (!p->port_enabled) {
		if (*s->state == LACP_CHURN_MONITOR) {
			lacp_timer_start(s->timer, c, LACP_CHURN_DETECTION_NS);
			return false;
		}
		side_enter(p, s, LACP_CHURN_MONITOR, c);
		return true;
	}
	switch (*s->state) {
	case LACP_CHURN_MONITOR:
		if (s->sync)
			next = LACP_NO_CHURN;
		else if (lacp_timer_expired(s->timer, c))
			next = LACP_CHURN;
		break;
	case LACP_NO_CHURN:
		if (!s->sync)
			next = LACP_CHURN_MONITOR;
		break;
	case LACP_CHURN:
		if (s->sync)
			next = LACP_NO_CHURN;
		break;
	}
	if (next == *s->state)
		return false;
	side_enter(p, s, next, c);
	return true;
}

static void
side_enter(struct lacp_port *p, struct side *s, enum lacp_churn_state to,
	   const struct lacp_ctx *c)
{
	if (*s->state != to)
		lacp_log(p, c, s->machine, *s->state, to);
	*s->state = to;
	switch (to) {
	case LACP_CHURN_MONITOR:
		*s->churn = false;
		lacp_timer_start(s->timer, c, LACP_CHURN_DETECTION_NS);
		break;
	case LACP_NO_CHURN:
		*s->churn = false;
		lacp_timer_stop(s->timer);
		break;
	case LACP_CHURN:
		*s->churn = true;
		(*s->count)++;
		lacp_timer_stop(s->timer);
		break;
	}
}
