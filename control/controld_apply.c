/* The change pipeline of controld and the answers that combine stored
 * configuration with vswitchd's state.
 *
 * A change is: validate the candidate -> (vswitchd up) apply replay:false
 * and wait -> save the file -> make the candidate current -> reply.  If
 * vswitchd accepted but the file cannot be written, the current
 * configuration is applied again so that vswitchd goes back to what the
 * file says. */
#define CTLD_LOG_THIS CTLD_LOG_APPLY
#include "control/controld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRSZ 1024

static int commit(struct ctld *d, const struct ctld_pending *p);
static void revert(struct ctld *d);
static void complete_apply(struct ctld *d, struct ctld_pending *p,
			   json_t *result, const char *error, bool lost);
static void complete_replay(json_t *result, const char *error);
static const char *first_port_error(json_t *result, char *buf,
				    size_t size);
static json_t *port_states(json_t *result);
static json_t *show_with_mempool(json_t *res, json_t *result);
static void add_policies(json_t *ports, const struct ctl_config *cfg);
static json_t *port_policies(const struct ctl_port *p);
static json_t *apply_params(const struct ctl_config *cfg, bool replay);

void
ctld_change(struct ctld *d, struct ctld_client *c, json_t *id,
	    struct ctl_config *cand, const char *what)
{
	struct ctld_pending p = {
		.kind = CTLD_WAIT_APPLY, .client = c, .candidate = cand,
	};
	char err[ERRSZ];

	snprintf(p.what, sizeof p.what, "%s", what);
	if (ctl_config_validate(cand, err, sizeof err) < 0) {
		ctld_reply_error(d, c, id, CTL_RPC_INVALID_PARAMS, "%s", err);
		ctl_config_free(cand);
		return;
	}
	p.client_id = id ? json_incref(id) : NULL;
	if (!ctld_dp_up(d)) {
		commit(d, &p);
	} else if (ctld_dp_call(d, "apply", apply_params(cand, false), &p) < 0) {
		ctld_reply_error(d, c, id, CTL_RPC_FAILED,
				 "cannot send the change to vswitchd");
		ctl_config_free(cand);
	} else {
		return;         /* ctld_complete() takes it from here */
	}
	json_decref(p.client_id);
}

void
ctld_ask(struct ctld *d, struct ctld_client *c, json_t *id,
	 enum ctld_wait kind, const char *method, json_t *params)
{
	struct ctld_pending p = {
		.kind = kind, .client = c, .client_id = id ? json_incref(id) : NULL,
	};

	if (ctld_dp_call(d, method, params, &p) < 0) {
		ctld_reply_error(d, c, id, CTL_RPC_FAILED,
				 "vswitchd is not connected");
		json_decref(p.client_id);
	}
}

void
ctld_replay(struct ctld *d)
{
	struct ctld_pending p = { .kind = CTLD_WAIT_REPLAY };

	d->replay_wanted = false;
	if (ctld_dp_call(d, "apply", apply_params(d->cfg, true), &p) < 0)
		CTLD_LOG(ERR, "cannot send the configuration to vswitchd");
}

void
ctld_complete(struct ctld *d, json_t *result, const char *error, bool lost)
{
	struct ctld_pending p = d->pend;

	memset(&d->pend, 0, sizeof d->pend);
	d->pend.kind = CTLD_WAIT_NONE;
	switch (p.kind) {
	case CTLD_WAIT_NONE:
		break;
	case CTLD_WAIT_REPLAY:
		complete_replay(result, error);
		ctld_nv_replay(d);      /* the NV tables follow */
		break;
	case CTLD_WAIT_APPLY:
		complete_apply(d, &p, result, error, lost);
		break;
	case CTLD_WAIT_REVERT:
		if (error)
			CTLD_LOG(ERR, "cannot restore the stored "
				 "configuration in vswitchd: %s", error);
		break;
	case CTLD_WAIT_SHOW:
		ctld_reply(d, p.client, p.client_id,
			   show_with_mempool(ctld_show_result(
				d, port_states(result)), result));
		break;
	case CTLD_WAIT_LIST:
		ctld_reply(d, p.client, p.client_id,
			   ctld_list_result(d, port_states(result)));
		break;
	case CTLD_WAIT_CAPTURE:
	case CTLD_WAIT_REAP:
		ctld_capture_complete(d, &p, result, error, lost);
		break;
	case CTLD_WAIT_NV_APPLY:
	case CTLD_WAIT_NV_REPLAY:
	case CTLD_WAIT_NV_STATUS:
		ctld_nv_complete(d, &p, result, error, lost);
		break;
	case CTLD_WAIT_LOG_LEVEL:
		ctld_log_complete(d, &p, result, error, lost);
		break;
	case CTLD_WAIT_FORWARD:
		if (result)
			ctld_reply(d, p.client, p.client_id, json_incref(result));
		else
			ctld_reply_error(d, p.client, p.client_id,
					 CTL_RPC_FAILED, "%s", lost
					 && !ctld_dp_up(d)
					 ? "vswitchd is not connected" : error);
		break;
	}
	json_decref(p.client_id);
}

/* Saves the candidate of 'p' and makes it current, or frees it; replies
 * either way.  Returns 0 or -1. */
static int
commit(struct ctld *d, const struct ctld_pending *p)
{
	char err[ERRSZ];

	if (ctl_config_save_file(d->config_path, p->candidate, err,
				 sizeof err) < 0) {
		CTLD_LOG(ERR, "%s: not saved: %s", p->what, err);
		ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED,
				 "cannot save the configuration: %s", err);
		ctl_config_free(p->candidate);
		return -1;
	}
	ctl_config_free(d->cfg);
	d->cfg = p->candidate;
	ctld_log("%s", p->what);
	ctld_reply(d, p->client, p->client_id, json_object());
	return 0;
}

/* Makes vswitchd apply the current configuration again. */
static void
revert(struct ctld *d)
{
	struct ctld_pending p = { .kind = CTLD_WAIT_REVERT };

	if (ctld_dp_call(d, "apply", apply_params(d->cfg, false), &p) < 0)
		CTLD_LOG(ERR, "cannot restore the stored configuration in "
			 "vswitchd");
}

static void
complete_apply(struct ctld *d, struct ctld_pending *p, json_t *result,
	       const char *error, bool lost)
{
	char buf[ERRSZ];
	const char *failed = result ? first_port_error(result, buf, sizeof buf)
			     : NULL;

	if (!error && !failed) {
		if (commit(d, p) < 0)
			revert(d);
		return;
	}
	ctld_log("%s: refused: %s", p->what, error ? error : failed);
	ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED, "%s%s",
			 error ? error : failed,
			 lost ? " (nothing was changed)" : "");
	ctl_config_free(p->candidate);
	if (failed)             /* vswitchd applied part of it */
		revert(d);
}

static void
complete_replay(json_t *result, const char *error)
{
	json_t *ports = json_object_get(result, "ports"), *port;
	size_t i, n_failed = 0;

	if (error) {
		CTLD_LOG(ERR, "replay failed: %s", error);
		return;
	}
	json_array_foreach(ports, i, port) {
		const char *status = json_string_value(json_object_get(port,
								       "status"));
		const char *name = json_string_value(json_object_get(port,
								     "name"));
		const char *msg = json_string_value(json_object_get(port,
								    "error"));

		if (status && !strcmp(status, "ok"))
			continue;
		n_failed++;
		CTLD_LOG(WARNING, "replay: port %s: %s", name ? name : "?",
			 msg ? msg : "failed");
	}
	ctld_log("configuration replayed to vswitchd: %zu ports, %zu failed",
		 json_array_size(ports), n_failed);
}

/* "port NAME: ERROR" for the first port vswitchd reports as failed, or
 * NULL. */
static const char *
first_port_error(json_t *result, char *buf, size_t size)
{
	json_t *port;
	size_t i;

	json_array_foreach(json_object_get(result, "ports"), i, port) {
		const char *status = json_string_value(json_object_get(port,
								       "status"));
		const char *name = json_string_value(json_object_get(port,
								     "name"));
		const char *msg = json_string_value(json_object_get(port,
								    "error"));

		if (status && strcmp(status, "ok")) {
			snprintf(buf, size, "port %s: %s", name ? name : "?",
				 msg ? msg : "failed");
			return buf;
		}
	}
	return NULL;
}

/* 'res', a show answer, with the "mempool" object of vswitchd's
 * get_ports 'result' when it has one (an older vswitchd has not). */
static json_t *
show_with_mempool(json_t *res, json_t *result)
{
	json_t *mp = json_object_get(result, "mempool");

	if (res && json_is_object(mp))
		json_object_set(res, "mempool", mp);
	return res;
}

/* The "ports" array of a get_ports result, or NULL. */
static json_t *
port_states(json_t *result)
{
	json_t *ports = json_object_get(result, "ports");

	return json_is_array(ports) ? ports : NULL;
}

/* Answers.  Each port object in them carries "policies": every port
 * policy with its value, defaults included, so that tools need not know
 * the defaults (docs/protocol.md). */

json_t *
ctld_show_result(const struct ctld *d, json_t *states)
{
	json_t *cfg = ctld_config_json(d->cfg);
	json_t *res;

	add_policies(json_object_get(cfg, "ports"), d->cfg);
	res = json_pack("{s:s, s:s, s:o}", "dataplane", ctld_dp_up(d) ? "up"
			: "down", "config_file", d->config_path, "config", cfg);

	if (res && ctld_dp_up(d))
		json_object_set_new(res, "dataplane_pid",
				    json_integer(d->dp_pid));
	if (res && states)
		json_object_set(res, "ports", states);
	return res;
}

json_t *
ctld_list_result(const struct ctld *d, json_t *states)
{
	json_t *cfg = ctld_config_json(d->cfg);
	json_t *ports = json_object_get(cfg, "ports"), *port, *state;
	size_t i, j;
	json_t *res;

	add_policies(ports, d->cfg);
	json_array_foreach(ports, i, port) {
		const char *name = json_string_value(json_object_get(port,
								     "name"));

		json_array_foreach(states, j, state) {
			const char *s = json_string_value(json_object_get(state,
									  "name"));

			if (name && s && !strcmp(name, s)) {
				json_object_set(port, "state", state);
				break;
			}
		}
	}
	res = ports ? json_pack("{s:O}", "ports", ports) : NULL;
	json_decref(cfg);
	return res;
}

json_t *
ctld_config_json(const struct ctl_config *cfg)
{
	char *text = ctl_config_to_json(cfg);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return v;
}

/* 'ports' is the "ports" array of 'cfg' in JSON, in the same order. */
static void
add_policies(json_t *ports, const struct ctl_config *cfg)
{
	json_t *port;
	size_t i;

	json_array_foreach(ports, i, port)
		if (i < cfg->n_ports)
			json_object_set_new(port, "policies",
					    port_policies(&cfg->ports[i]));
}

/* link_speed only on external ports, the one type it is for. */
static json_t *
port_policies(const struct ctl_port *p)
{
	json_t *o = json_pack("{s:b, s:b, s:b, s:I, s:i, s:I, s:s, s:b}",
			      "mac_spoofing", p->mac_spoofing,
			      "dhcp_guard", p->dhcp_guard,
			      "router_guard", p->router_guard,
			      "max_bandwidth", (json_int_t) p->max_bandwidth,
			      "min_weight", (int) p->min_weight,
			      "storm_limit", (json_int_t) p->storm_limit,
			      "mirror", ctl_mirror_mode_name(p->mirror),
			      "connected", !p->disconnected);

	if (o && p->type == CTL_PORT_EXTERNAL)
		json_object_set_new(o, "link_speed",
				    json_integer((json_int_t) p->link_speed));
	return o;
}

static json_t *
apply_params(const struct ctl_config *cfg, bool replay)
{
	return json_pack("{s:o, s:b}", "config", ctld_config_json(cfg),
			 "replay", replay);
}
