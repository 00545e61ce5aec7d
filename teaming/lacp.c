#include "teaming/lacp.h"

#include <string.h>

/* Each pass lets every machine take one transition; the longest chain
 * one event can cause (a PDU that selects a port, which then waits,
 * attaches and starts distributing) is well below this. */
#define MAX_PASSES 16

#define NAME_(n) #n,
static const char *const rx_names[] = { LACP_RX_STATES(NAME_) };
static const char *const periodic_names[] = { LACP_PERIODIC_STATES(NAME_) };
static const char *const mux_names[] = { LACP_MUX_STATES(NAME_) };
static const char *const selected_names[] = { LACP_SELECTED_STATES(NAME_) };
static const char *const churn_names[] = { LACP_CHURN_STATES(NAME_) };
#undef NAME_

#define NAME_OF_(table, s)                                                \
	((unsigned int)(s) < sizeof(table) / sizeof(table[0]) ? table[s] : "?")

static bool run_pass(struct lacp_port *const *ports, unsigned int n,
		     const struct lacp_ctx *c);
static uint64_t min_deadline(uint64_t cur, const struct lacp_timer *t);

const char *
lacp_rx_state_name(enum lacp_rx_state s)
{
	return NAME_OF_(rx_names, s);
}

const char *
lacp_periodic_state_name(enum lacp_periodic_state s)
{
	return NAME_OF_(periodic_names, s);
}

const char *
lacp_mux_state_name(enum lacp_mux_state s)
{
	return NAME_OF_(mux_names, s);
}

const char *
lacp_selected_name(enum lacp_selected s)
{
	return NAME_OF_(selected_names, s);
}

const char *
lacp_churn_state_name(enum lacp_churn_state s)
{
	return NAME_OF_(churn_names, s);
}

void
lacp_port_init(struct lacp_port *p, const struct lacp_port_config *cfg,
	       const struct lacp_ctx *c)
{
	memset(p, 0, sizeof(*p));
	p->member = cfg->member;
	memcpy(p->mac, cfg->mac, 6);
	p->lacp_enabled = cfg->lacp_enabled;
	p->actor.sys_prio = cfg->sys_prio;
	memcpy(p->actor.sys, cfg->sys, 6);
	p->actor.key = cfg->key;
	p->actor.port_prio = cfg->port_prio;
	p->actor.port = cfg->port;
	p->actor.state = (cfg->active ? LACP_STATE_ACTIVITY : 0) |
			 (cfg->fast ? LACP_STATE_TIMEOUT : 0) |
			 (cfg->individual ? 0 : LACP_STATE_AGGREGATION);
	/* Partner_Admin_*: nobody (system 0, key 0), passive, aggregatable,
	 * short timeout.  Passive, so that two passive ends never talk;
	 * short timeout, so that an active port with no partner (or one in
	 * DEFAULTED) offers a PDU every second and a passive partner that
	 * appears is found within a second rather than thirty; no sync, so
	 * that a defaulted port never distributes. */
	p->partner_admin.state = LACP_STATE_AGGREGATION | LACP_STATE_TIMEOUT;
	p->last_change = c->now;
	lacp_rx_begin(p, c);
	lacp_periodic_begin(p, c);
	lacp_mux_begin(p, c);
	lacp_churn_begin(p, c);
}

void
lacp_run(struct lacp_port *const *ports, unsigned int n,
	 const struct lacp_ctx *c)
{
	for (int pass = 0; pass < MAX_PASSES; pass++)
		if (!run_pass(ports, n, c))
			break;
	for (unsigned int i = 0; i < n; i++)
		lacp_tx_step(ports[i], c);
}

uint64_t
lacp_port_next_deadline(const struct lacp_port *p)
{
	uint64_t d = UINT64_MAX;

	d = min_deadline(d, &p->current_while);
	d = min_deadline(d, &p->periodic);
	d = min_deadline(d, &p->wait_while);
	d = min_deadline(d, &p->actor_churn_timer);
	d = min_deadline(d, &p->partner_churn_timer);
	if (p->ntt) {
		uint64_t free_at = lacp_tx_free_at(p);

		if (free_at && free_at < d)
			d = free_at;
	}
	return d;
}

void
lacp_timer_start(struct lacp_timer *t, const struct lacp_ctx *c,
		 uint64_t duration)
{
	t->deadline = c->now + duration;
	t->running = true;
}

void
lacp_log(const struct lacp_port *p, const struct lacp_ctx *c,
	 enum team_machine machine, unsigned int from, unsigned int to)
{
	struct team_event ev = {
		.time = c->now,
		.member = p->member,
		.machine = (uint8_t)machine,
		.from = (uint8_t)from,
		.to = (uint8_t)to,
	};

	if (c->log)
		team_evlog_push(c->log, &ev);
}

void
lacp_set_selected(struct lacp_port *p, const struct lacp_ctx *c,
		  enum lacp_selected s)
{
	if (p->selected == s)
		return;
	lacp_log(p, c, TEAM_M_SELECTION, p->selected, s);
	p->selected = s;
	p->last_change = c->now;
}

/* Static helpers. */

/* One step of every machine; true if any of them moved. */
static bool
run_pass(struct lacp_port *const *ports, unsigned int n,
	 const struct lacp_ctx *c)
{
	bool moved = false;

	for (unsigned int i = 0; i < n; i++)
		moved |= lacp_rx_step(ports[i], c);
	for (unsigned int i = 0; i < n; i++)
		moved |= lacp_periodic_step(ports[i], c);
	moved |= lacp_select_run(ports, n, c);
	for (unsigned int i = 0; i < n; i++)
		moved |= lacp_mux_step(ports[i], c);
	for (unsigned int i = 0; i < n; i++)
		moved |= lacp_churn_step(ports[i], c);
	return moved;
}

static uint64_t
min_deadline(uint64_t cur, const struct lacp_timer *t)
{
	return t->running && t->deadline < cur ? t->deadline : cur;
}
