#include "teaming/team.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct team_member {
	bool present;              /* the slot holds a member */
	bool link;                 /* link up, as last set */
	uint64_t link_change;      /* ns of the last link change */
	struct lacp_port lacp;     /* also holds the marker responder and
				    * counters in the static modes */
};

struct team {
	struct team_config cfg;    /* as created; never changes */
	struct team_member members[TEAM_MAX_MEMBERS];  /* by index */
	struct team_evlog log;     /* transitions for the caller */
};

static const char *const mode_names[] = {
#define TEAM_MODE_TEXT_(name, text) [TEAM_MODE_##name] = text,
	TEAM_MODES(TEAM_MODE_TEXT_)
#undef TEAM_MODE_TEXT_
};

static struct lacp_ctx ctx_of(struct team *, uint64_t now, bool timers);
static void run(struct team *, uint64_t now, bool timers);
static bool port_in_use(const struct team *, uint16_t port);
static struct team_member *member_get(struct team *, unsigned int member);
static int member_rx_lacpdu(struct team *, struct team_member *,
			    const uint8_t *frame, size_t size, uint64_t now);
static int member_rx_marker(struct team *, struct team_member *,
			    const uint8_t *frame, size_t size, uint64_t now);
static bool is_group(const uint8_t mac[6]);
static bool is_zero(const uint8_t mac[6]);

void
team_config_init(struct team_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = TEAM_MODE_LACP;
	cfg->lacp_active = true;
	cfg->lacp_fast = false;
	cfg->sys_prio = LACP_DEFAULT_PRIO;
	cfg->key = 1;
}

struct team *
team_create(const struct team_config *cfg)
{
	struct team *t;

	if ((unsigned int)cfg->mode >= TEAM_MODE_COUNT ||
	    (cfg->mode == TEAM_MODE_LACP &&
	     (is_zero(cfg->sys_mac) || is_group(cfg->sys_mac)))) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->cfg = *cfg;
	team_evlog_init(&t->log);
	return t;
}

void
team_destroy(struct team *t)
{
	free(t);
}

int
team_add_member(struct team *t, unsigned int member,
		const struct team_member_config *cfg, uint64_t now_ns)
{
	struct lacp_port_config pc;
	struct team_member *m;
	struct lacp_ctx c;

	if (member >= TEAM_MAX_MEMBERS || is_group(cfg->mac))
		return -EINVAL;
	m = &t->members[member];
	if (m->present)
		return -EEXIST;
	memset(&pc, 0, sizeof(pc));
	pc.member = (uint16_t)member;
	memcpy(pc.mac, cfg->mac, 6);
	pc.port = cfg->port ? cfg->port : (uint16_t)(member + 1);
	if (port_in_use(t, pc.port))
		return -EEXIST;
	pc.port_prio = cfg->port_prio ? cfg->port_prio : LACP_DEFAULT_PRIO;
	pc.key = cfg->key ? cfg->key : t->cfg.key;
	pc.lacp_enabled = t->cfg.mode == TEAM_MODE_LACP;
	pc.active = t->cfg.lacp_active;
	pc.fast = t->cfg.lacp_fast;
	pc.sys_prio = t->cfg.sys_prio;
	memcpy(pc.sys, t->cfg.sys_mac, 6);

	c = ctx_of(t, now_ns, false);
	memset(m, 0, sizeof(*m));
	lacp_port_init(&m->lacp, &pc, &c);
	m->present = true;
	m->link_change = now_ns;
	run(t, now_ns, false);
	return 0;
}

int
team_remove_member(struct team *t, unsigned int member, uint64_t now_ns)
{
	struct team_member *m = member_get(t, member);

	if (!m)
		return -ENOENT;
	team_set_link(t, member, false, now_ns);
	m->present = false;
	/* The others may now form a better group without it. */
	run(t, now_ns, false);
	return 0;
}

int
team_set_link(struct team *t, unsigned int member, bool up, uint64_t now_ns)
{
	struct team_member *m = member_get(t, member);
	struct lacp_ctx c;

	if (!m)
		return -ENOENT;
	if (m->link == up)
		return 0;
	c = ctx_of(t, now_ns, false);
	lacp_log(&m->lacp, &c, TEAM_M_LINK, up ? TEAM_LINK_DOWN : TEAM_LINK_UP,
		 up ? TEAM_LINK_UP : TEAM_LINK_DOWN);
	m->link = up;
	m->link_change = now_ns;
	m->lacp.port_enabled = up;
	run(t, now_ns, false);
	return 0;
}

int
team_rx(struct team *t, unsigned int member, const uint8_t *frame,
	size_t size, uint64_t now_ns)
{
	struct team_member *m = member_get(t, member);

	if (!m)
		return -ENOENT;
	switch (slowp_subtype(frame, size)) {
	case SLOWP_SUBTYPE_LACP:
		if (t->cfg.mode == TEAM_MODE_LACP)
			return member_rx_lacpdu(t, m, frame, size, now_ns);
		break;
	case SLOWP_SUBTYPE_MARKER:
		if (t->cfg.mode != TEAM_MODE_SWITCH_INDEPENDENT)
			return member_rx_marker(t, m, frame, size, now_ns);
		break;
	default:
		break;
	}
	m->lacp.stats.unknown_rx++;
	return -ENOTSUP;
}

void
team_tick(struct team *t, uint64_t now_ns)
{
	run(t, now_ns, true);
}

uint64_t
team_next_wakeup(const struct team *t)
{
	uint64_t next = UINT64_MAX;

	if (t->cfg.mode != TEAM_MODE_LACP)
		return next;
	for (unsigned int i = 0; i < TEAM_MAX_MEMBERS; i++) {
		uint64_t d;

		if (!t->members[i].present)
			continue;
		d = lacp_port_next_deadline(&t->members[i].lacp);
		if (d < next)
			next = d;
	}
	return next;
}

uint32_t
team_distributing_mask(const struct team *t)
{
	uint32_t mask = 0;

	for (unsigned int i = 0; i < TEAM_MAX_MEMBERS; i++) {
		const struct team_member *m = &t->members[i];
		bool on;

		if (!m->present || !m->link)
			continue;
		on = t->cfg.mode == TEAM_MODE_LACP
			     ? lacp_port_distributing(&m->lacp) : true;
		if (on)
			mask |= 1u << i;
	}
	return mask;
}

unsigned int
team_events_drain(struct team *t, struct team_event *out, unsigned int max)
{
	return team_evlog_drain(&t->log, out, max);
}

uint64_t
team_events_lost(const struct team *t)
{
	return t->log.lost;
}

void
team_member_status(const struct team *t, unsigned int member,
		   struct team_member_status *out)
{
	const struct team_member *m;
	const struct lacp_port *p;

	memset(out, 0, sizeof(*out));
	if (member >= TEAM_MAX_MEMBERS || !t->members[member].present)
		return;
	m = &t->members[member];
	p = &m->lacp;
	out->present = true;
	out->link = m->link;
	out->distributing = (team_distributing_mask(t) >> member) & 1;
	out->selected = p->selected;
	out->rx_state = p->rx_state;
	out->mux_state = p->mux_state;
	out->periodic_state = p->periodic_state;
	out->actor = p->actor;
	out->partner = p->partner;
	out->aggregator = p->aggregator;
	out->last_change = p->last_change > m->link_change ? p->last_change
							   : m->link_change;
	out->stats = p->stats;
}

enum team_mode
team_mode(const struct team *t)
{
	return t->cfg.mode;
}

const char *
team_mode_name(enum team_mode m)
{
	return (unsigned int)m < TEAM_MODE_COUNT ? mode_names[m] : "?";
}

int
team_mode_parse(const char *s, enum team_mode *out)
{
	for (unsigned int i = 0; i < TEAM_MODE_COUNT; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum team_mode)i;
			return 0;
		}
	return -EINVAL;
}

/* Static helpers. */

static struct lacp_ctx
ctx_of(struct team *t, uint64_t now, bool timers)
{
	return (struct lacp_ctx){
		.now = now,
		.timers = timers,
		.log = &t->log,
		.send = t->cfg.send,
		.aux = t->cfg.aux,
	};
}

/* Runs the LACP machines of every present member; the static modes have
 * none to run. */
static void
run(struct team *t, uint64_t now, bool timers)
{
	struct lacp_port *ports[TEAM_MAX_MEMBERS];
	struct lacp_ctx c;
	unsigned int n = 0;

	if (t->cfg.mode != TEAM_MODE_LACP)
		return;
	for (unsigned int i = 0; i < TEAM_MAX_MEMBERS; i++)
		if (t->members[i].present)
			ports[n++] = &t->members[i].lacp;
	c = ctx_of(t, now, timers);
	lacp_run(ports, n, &c);
}

static bool
port_in_use(const struct team *t, uint16_t port)
{
	for (unsigned int i = 0; i < TEAM_MAX_MEMBERS; i++)
		if (t->members[i].present &&
		    t->members[i].lacp.actor.port == port)
			return true;
	return false;
}

static struct team_member *
member_get(struct team *t, unsigned int member)
{
	if (member >= TEAM_MAX_MEMBERS || !t->members[member].present)
		return NULL;
	return &t->members[member];
}

static int
member_rx_lacpdu(struct team *t, struct team_member *m, const uint8_t *frame,
		 size_t size, uint64_t now)
{
	struct lacp_ctx c = ctx_of(t, now, false);
	struct lacpdu pdu;
	enum slowp_error e;

	e = lacpdu_decode(frame, size, &pdu);
	if (e != SLOWP_E_OK) {
		m->lacp.stats.illegal_rx++;
		m->lacp.stats.last_error = e;
		return -EINVAL;
	}
	lacp_rx_pdu(&m->lacp, &pdu, &c);
	run(t, now, false);
	return 0;
}

static int
member_rx_marker(struct team *t, struct team_member *m, const uint8_t *frame,
		 size_t size, uint64_t now)
{
	struct lacp_ctx c = ctx_of(t, now, false);
	struct marker_pdu mk;
	enum slowp_error e;

	e = marker_decode(frame, size, &mk);
	if (e != SLOWP_E_OK) {
		m->lacp.stats.illegal_rx++;
		m->lacp.stats.last_error = e;
		return -EINVAL;
	}
	return lacp_marker_rx(&m->lacp, &mk, &c);
}

static bool
is_group(const uint8_t mac[6])
{
	return mac[0] & 1;
}

static bool
is_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) == 0;
}
