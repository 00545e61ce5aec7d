/* team_status: each configured team as vswitchd runs it (docs/protocol.md
 * "TEAMSTATE"): per member its link, LACP actor and partner, whether it
 * is selected, collecting and distributing, frames each way, its share
 * of the load and when it last changed.  Control thread only. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>

#include "dataplane/teamport.h"

/* 802.1AX-2008 5.4.2.2 item m, as protocol.md names the bits. */
static const char *const state_bits[8] = {
	"activity", "timeout", "aggregation", "synchronization",
	"collecting", "distributing", "defaulted", "expired",
};

static json_t *
lacp_info_json(const struct lacp_info *info)
{
	json_t *state = json_array();
	char sys[18];

	for (unsigned int b = 0; b < 8; b++)
		if (info->state >> b & 1)
			json_array_append_new(state,
					      json_string(state_bits[b]));
	ctl_format_mac(info->sys, sys);
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:o}",
			 "system", sys, "system_priority", info->sys_prio,
			 "key", info->key, "port", info->port,
			 "port_priority", info->port_prio,
			 "state_bits", info->state, "state", state);
}

static json_t *
lacp_stats_json(const struct lacp_port_stats *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"lacpdus_rx", (json_int_t)s->lacpdus_rx,
		"lacpdus_tx", (json_int_t)s->lacpdus_tx,
		"markers_rx", (json_int_t)s->markers_rx,
		"illegal_rx", (json_int_t)s->illegal_rx,
		"unknown_rx", (json_int_t)s->unknown_rx,
		"actor_churn", (json_int_t)s->actor_churn,
		"partner_churn", (json_int_t)s->partner_churn);
}

/* The share of member 'i' in what the team sent lately (all time, when
 * it sent nothing lately). */
static double
load_share(const struct dp *dp, const struct dp_team *t, unsigned int i)
{
	struct dp_port_counters c;
	uint64_t mine = 0, all = 0;

	for (unsigned int k = 0; k < t->n_members; k++)
		all += t->tx_bytes_delta[k];
	if (all) {
		mine = t->tx_bytes_delta[i];
	} else {
		for (unsigned int k = 0; k < t->n_members; k++) {
			dp_port_counters_sum(dp, t->members[k]->slot, &c);
			all += c.tx_bytes;
			if (k == i)
				mine = c.tx_bytes;
		}
	}
	return all ? (double)mine / (double)all : 0.0;
}

/* A member of a running team port. */
static json_t *
member_json(const struct dp *dp, const struct dp_port *p, unsigned int i,
	    uint64_t now)
{
	const struct dp_team *t = p->team;
	struct team_member_status st;
	struct dp_port_counters c;
	bool lacp = p->team_cfg.mode == CTL_TEAM_LACP;
	bool selected, collecting;
	json_t *o;

	team_member_status(t->team, i, &st);
	dp_port_counters_sum(dp, t->members[i]->slot, &c);
	selected = lacp ? st.selected == LACP_SELECTED : st.link;
	collecting = lacp ? (st.actor.state & LACP_STATE_COLLECTING) != 0
			  : st.distributing;
	o = json_pack("{s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:f, s:I}",
		"devargs", p->team_cfg.members[i],
		"link", st.link ? "up" : "down", "selected", selected,
		"collecting", collecting, "distributing", st.distributing,
		"tx_frames", (json_int_t)c.tx_packets,
		"rx_frames", (json_int_t)c.rx_packets,
		"load_share", load_share(dp, t, i),
		"last_change_s", (json_int_t)(now > st.last_change
			? (now - st.last_change) / 1000000000u : 0));
	if (lacp) {
		json_object_set_new(o, "actor", lacp_info_json(&st.actor));
		json_object_set_new(o, "partner", lacp_info_json(&st.partner));
		json_object_set_new(o, "rx_state", json_string(
			lacp_rx_state_name(st.rx_state)));
		json_object_set_new(o, "mux_state", json_string(
			lacp_mux_state_name(st.mux_state)));
		json_object_set_new(o, "lacp_stats",
				    lacp_stats_json(&st.stats));
	}
	return o;
}

/* A member of a team that does not run (no port, or its port failed). */
static json_t *
member_idle_json(const struct ctl_team *tc, unsigned int i)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:b, s:i, s:i, s:f}",
		"devargs", tc->members[i], "link", "down", "selected", 0,
		"collecting", 0, "distributing", 0, "tx_frames", 0,
		"rx_frames", 0, "load_share", 0.0);
}

static json_t *
team_json(struct dp *dp, const struct ctl_team *tc, uint64_t now)
{
	int pi = ctl_config_team_port(dp->cfg, tc->name);
	const char *port = pi >= 0 ? dp->cfg->ports[pi].name : NULL;
	const struct dp_port *p = port ? dp_find_port(dp, port) : NULL;
	json_t *members = json_array(), *o;
	unsigned int n_dist = 0;

	if (p && !p->team)
		p = NULL;
	for (unsigned int i = 0; i < tc->n_members; i++) {
		json_array_append_new(members, p ? member_json(dp, p, i, now)
						 : member_idle_json(tc, i));
		if (p && p->team->mask >> i & 1)
			n_dist++;
	}
	o = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:o}", "name", tc->name,
		"port", port, "mode", ctl_team_mode_name(tc->mode),
		"lb", ctl_team_lb_name(tc->lb), "status",
		n_dist == 0 ? "down" : n_dist == tc->n_members ? "up"
		: "degraded", "members", members);
	if (tc->lb == CTL_TEAM_LB_ADDRESS_HASH)
		json_object_set_new(o, "hash", json_string(
			ctl_team_hash_name(tc->hash)));
	if (tc->mode == CTL_TEAM_LACP) {
		json_object_set_new(o, "lacp_rate", json_string(
			tc->lacp_fast ? "fast" : "slow"));
		json_object_set_new(o, "lacp_passive",
				    json_boolean(tc->lacp_passive));
	}
	if (p) {
		json_object_set_new(o, "announcements", json_integer(
			(json_int_t)p->team->announced));
		json_object_set_new(o, "control_frames_lost", json_integer(
			(json_int_t)p->team->ctl_dropped));
	}
	return o;
}

json_t *
dp_rpc_team_status(struct dp *dp, json_t *params, char *err, size_t errsz)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	uint64_t now = dp_tsc_to_ns(dp, rte_get_tsc_cycles());
	json_t *teams = json_array();

	if (name && ctl_config_team_index(dp->cfg, name) < 0) {
		snprintf(err, errsz, "team %s does not exist", name);
		json_decref(teams);
		return NULL;
	}
	for (unsigned int i = 0; i < dp->cfg->n_teams; i++) {
		const struct ctl_team *tc = &dp->cfg->teams[i];

		if (!name || !strcmp(name, tc->name))
			json_array_append_new(teams, team_json(dp, tc, now));
	}
	return json_pack("{s:o}", "teams", teams);
}
