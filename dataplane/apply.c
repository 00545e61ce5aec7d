/* Reconciling the running switch to a configuration pushed by controld.
 * Control thread only.
 *
 * Order matters for "a change never disturbs what it does not concern":
 * new ports are created first (so a failure can be rolled back before
 * anything else moved), then one publish makes every change visible at
 * once, then removed ports are closed after the grace period, then ports
 * whose attachment changed are opened again. */
#define DP_LOG_THIS DP_LOG_APPLY

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataplane/dp.h"
#include "dataplane/nv_dp.h"
#include "dataplane/log.h"
#include "dataplane/teamport.h"

struct dp_port *
dp_find_port(struct dp *dp, const char *name)
{
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port *p = dp->ports[slot];

		/* A team's members carry its name but are not ports. */
		if (p && !dp_port_is_member(p) && !strcmp(p->cfg.name, name))
			return p;
	}
	return NULL;
}

static bool
same_attachment(const struct ctl_port *a, const struct ctl_port *b)
{
	return a->type == b->type && !strcmp(a->socket, b->socket) &&
	       a->vhost_mode == b->vhost_mode &&
	       !strcmp(a->devargs, b->devargs) && !strcmp(a->team, b->team);
}

/* Whether the team of port 'c' in 'cfg' is the one 'p' runs. */
static bool
same_team(const struct dp_port *p, struct ctl_config *cfg,
	  const struct ctl_port *c)
{
	const struct ctl_team *t;

	if (!c->team[0])
		return true;
	t = ctl_config_find_team(cfg, c->team);
	if (!t || strcmp(t->name, p->team_cfg.name) ||
	    t->n_members != p->team_cfg.n_members || t->mode !=
	    p->team_cfg.mode || t->lb != p->team_cfg.lb ||
	    t->hash != p->team_cfg.hash ||
	    t->lacp_fast != p->team_cfg.lacp_fast ||
	    t->lacp_passive != p->team_cfg.lacp_passive)
		return false;
	for (unsigned int i = 0; i < t->n_members; i++)
		if (strcmp(t->members[i], p->team_cfg.members[i]))
			return false;
	return true;
}

static bool
same_vlan(const struct ctl_port *a, const struct ctl_port *b)
{
	return a->vlan_mode == b->vlan_mode && a->vlan == b->vlan &&
	       a->native_vlan == b->native_vlan &&
	       !memcmp(&a->allowed, &b->allowed, sizeof(a->allowed));
}

/* The limits a worker keeps state for (dp_port_police). */
static bool
same_limits(const struct ctl_port *a, const struct ctl_port *b)
{
	return a->max_bandwidth == b->max_bandwidth &&
	       a->storm_limit == b->storm_limit;
}

/* Cable: where the device can show it, the VM sees its link go down
 * (af_packet and TAP take the kernel interface down, so a veth peer
 * reports NO-CARRIER); vhost-user has no link control towards the
 * guest, and its frames are dropped in both directions all the same. */
static void
port_set_cable(struct dp_port *p)
{
	bool down = p->cfg.disconnected;
	bool changed;
	int rc;

	/* The first time, set it either way: a previous vswitchd may have
	 * left an interface down. */
	if (!p->running || p->is_vhost || p->cfg.type != CTL_PORT_VM ||
	    (p->cable_set && down == p->link_set_down))
		return;
	changed = p->cable_set || down;
	p->cable_set = true;
	rc = dp_port_set_link(p, !down);
	if (rc < 0 && rc != -ENOTSUP)
		DP_LOG(WARNING, "port %s: cannot set link %s: %s",
		       p->cfg.name, down ? "down" : "up", rte_strerror(-rc));
	p->link_set_down = down;
	if (changed && (down || rc == 0))
		DP_LOG(NOTICE, "port %s: cable %s", p->cfg.name,
		       down ? "disconnected" : "connected");
}

static int
free_slot(const struct dp *dp)
{
	for (int slot = 0; slot < DP_MAX_PORTS; slot++)
		if (!dp->ports[slot])
			return slot;
	return -1;
}

/* Creates the port 'c' in a free slot.  Returns the port (running, or not
 * with p->error set), or NULL when no slot or memory is left. */
static struct dp_port *
port_add(struct dp *dp, struct ctl_config *cfg, const struct ctl_port *c,
	 char *err, size_t errsz)
{
	int slot = free_slot(dp);
	const struct ctl_team *t;
	struct dp_port *p;

	if (slot < 0 || !(p = calloc(1, sizeof(*p)))) {
		snprintf(err, errsz, "ports[%s]: no room for another port",
			 c->name);
		return NULL;
	}
	p->cfg = *c;
	p->slot = (uint16_t)slot;
	p->policy_gen = ++dp->policy_gen;
	if (c->team[0] && (t = ctl_config_find_team(cfg, c->team)))
		p->team_cfg = *t;
	dp_port_counters_zero(dp, p->slot);
	/* The slot is taken before opening: a team's members take others. */
	dp->ports[slot] = p;
	if (dp_port_open(dp, p, err, errsz) < 0)
		snprintf(p->error, sizeof(p->error), "%s", err);
	else
		dp_sched_assign_new(dp, p);
	return p;
}

/* Removes 'p' (and a team's members) from the slots; the next publish
 * no longer names them. */
static void
port_unlink(struct dp *dp, struct dp_port *p)
{
	dp->ports[p->slot] = NULL;
	dp_team_unlink(dp, p);
}

/* Frees ports already unpublished and past their grace period. */
static void
port_release(struct dp *dp, struct dp_port *p)
{
	dp_mactable_flush_port(dp->macs, p->slot, true);
	dp_port_close(dp, p);
	dp_port_counters_zero(dp, p->slot);
	free(p);
}

/* A port learns only from frames it received: one that received none has
 * no dynamic entries, and its VLAN change needs no sweep of the table
 * (which would cost the control thread's CPU for milliseconds). */
static bool
port_may_have_learned(const struct dp *dp, uint16_t slot)
{
	struct dp_port_counters c;

	dp_port_counters_sum(dp, slot, &c);
	return c.rx_packets != 0;
}

static void
result_add(json_t *results, const struct dp_port *p)
{
	if (!results)
		return;
	json_array_append_new(results, json_pack("{s:s, s:s, s:s*}",
		"name", p->cfg.name, "status", p->running ? "ok" : "error",
		"error", p->running ? NULL : p->error));
}

static bool
static_mac_in(const struct ctl_config *cfg, const struct ctl_static_mac *m)
{
	for (unsigned int i = 0; i < cfg->n_static_macs; i++)
		if (cfg->static_macs[i].vlan == m->vlan &&
		    !memcmp(cfg->static_macs[i].mac, m->mac, 6))
			return true;
	return false;
}

/* Removes the static MACs that 'cfg' dropped and (re)writes the others in
 * place, so unchanged entries never disappear, even for a moment. */
static void
static_macs_apply(struct dp *dp, const struct ctl_config *old,
		  const struct ctl_config *cfg)
{
	for (unsigned int i = 0; i < old->n_static_macs; i++) {
		const struct ctl_static_mac *m = &old->static_macs[i];
		if (!static_mac_in(cfg, m))
			dp_mactable_del(dp->macs, dp_mac_key(m->vlan, m->mac));
	}
	for (unsigned int i = 0; i < cfg->n_static_macs; i++) {
		const struct ctl_static_mac *m = &cfg->static_macs[i];
		struct dp_port *p = dp_find_port(dp, m->port);
		if (p && dp_mactable_add_static(dp->macs,
				dp_mac_key(m->vlan, m->mac), p->slot) < 0)
			DP_LOG(WARNING, "MAC table full: static MAC for %s "
			       "not installed", m->port);
	}
}

/* Phase 1: creates ports that are new.  On failure (not replaying) removes
 * the ones this call created and returns the error. */
static int
apply_create(struct dp *dp, struct ctl_config *cfg, bool replay,
	     bool *created, char *err, size_t errsz)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct ctl_port *c = &cfg->ports[i];
		struct dp_port *p;

		created[i] = false;
		if (dp_find_port(dp, c->name))
			continue;
		p = port_add(dp, cfg, c, err, errsz);
		if (p && (p->running || replay)) {
			created[i] = true;
			continue;
		}
		if (p) {
			port_unlink(dp, p);
			port_release(dp, p);
		}
		for (unsigned int j = 0; j < i; j++)
			if (created[j]) {
				p = dp_find_port(dp, cfg->ports[j].name);
				port_unlink(dp, p);
				port_release(dp, p);
			}
		return -EINVAL;
	}
	return 0;
}

int
dp_apply(struct dp *dp, const struct ctl_config *cfg, bool replay,
	 json_t *results, char *err, size_t errsz)
{
	static bool created[CTL_MAX_PORTS];
	struct dp_port *gone[DP_MAX_PORTS];
	struct ctl_port *again[DP_MAX_PORTS];
	unsigned int n_gone = 0, n_again = 0;
	struct ctl_config *next, *old;
	uint16_t reflush[DP_MAX_PORTS];
	unsigned int n_reflush = 0;

	if (ctl_config_validate(cfg, err, errsz) < 0)
		return -EINVAL;
	next = ctl_config_clone(cfg);
	if (!next) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	if (apply_create(dp, next, replay, created, err, errsz) < 0) {
		ctl_config_free(next);
		return -EINVAL;
	}

	/* Removed ports, ports to re-create, settings of the others. */
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port *p = dp->ports[slot];
		struct ctl_port *c;

		if (!p || dp_port_is_member(p))
			continue;
		c = ctl_config_find_port(next, p->cfg.name);
		if (c && same_attachment(&p->cfg, c) &&
		    same_team(p, next, c)) {
			/* An unplugged port forgets its MACs, as a VLAN
			 * change does. */
			if (!same_vlan(&p->cfg, c) || p->cfg.vsid != c->vsid ||
			    (c->disconnected && !p->cfg.disconnected))
				reflush[n_reflush++] = p->slot;
			if (!same_limits(&p->cfg, c))
				p->policy_gen = ++dp->policy_gen;
			p->cfg = *c;
			continue;
		}
		if (c)
			again[n_again++] = c;
		gone[n_gone++] = p;
		port_unlink(dp, p);
	}
	old = dp->cfg;
	dp->cfg = next;
	dp_share_setup(dp);
	dp_publish(dp);

	for (unsigned int i = 0; i < n_gone; i++)
		port_release(dp, gone[i]);
	for (unsigned int i = 0; i < n_reflush; i++)
		if (port_may_have_learned(dp, reflush[i]))
			dp_mactable_flush_port(dp->macs, reflush[i], false);
	for (unsigned int i = 0; i < n_again; i++)
		port_add(dp, next, again[i], err, errsz);
	if (n_again) {
		dp_share_setup(dp);
		dp_publish(dp);
	}
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++)
		if (dp->ports[slot])
			port_set_cable(dp->ports[slot]);
	static_macs_apply(dp, old, next);
	ctl_config_free(old);
	dp_team_sync_sources(dp);
	dp_nv_ports_changed(dp);

	for (unsigned int i = 0; i < next->n_ports; i++)
		result_add(results, dp_find_port(dp, next->ports[i].name));
	DP_LOG(INFO, "applied configuration%s: %u ports", replay ?
	       " (replay)" : "", next->n_ports);
	return 0;
}

void
dp_shutdown_ports(struct dp *dp)
{
	struct dp_port *all[DP_MAX_PORTS];
	unsigned int n = 0;

	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port *p = dp->ports[slot];

		/* Members go with their team port. */
		if (p && !dp_port_is_member(p))
			all[n++] = p;
	}
	for (unsigned int i = 0; i < n; i++)
		port_unlink(dp, all[i]);
	dp_publish(dp);
	for (unsigned int i = 0; i < n; i++)
		port_release(dp, all[i]);
}
