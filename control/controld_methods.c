/* The vswitchctl -> controld methods (docs/protocol.md).
 *
 * Every change is built on a clone of the current configuration (the
 * candidate), validated whole, then sent to vswitchd as 'apply' when it is
 * up; only once vswitchd accepts (or when it is down) is the candidate
 * saved to the file and made current.  Any failure on the way frees the
 * candidate, so the current configuration and the file never see a change
 * that was not accepted. */
#define CTLD_LOG_THIS CTLD_LOG_RPC
#include "control/controld.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/config_priv.h"

#define ERRSZ 1024

struct ctld_method {
	const char *name;
	bool change;                    /* changes the configuration (or, for
					 * captures, sees others' traffic):
					 * needs may_change */
	const char *const *params;      /* accepted parameters, NULL-ended */
	void (*handler)(struct ctld *d, const struct ctld_req *r);
	bool takes_fd;                  /* the handler owns 'r->fd' */
};

static void m_show(struct ctld *d, const struct ctld_req *r);
static void m_list_ports(struct ctld *d, const struct ctld_req *r);
static void m_port_stats(struct ctld *d, const struct ctld_req *r);
static void m_mac_table(struct ctld *d, const struct ctld_req *r);
static void m_queues(struct ctld *d, const struct ctld_req *r);
static void m_add_port(struct ctld *d, const struct ctld_req *r);
static void m_del_port(struct ctld *d, const struct ctld_req *r);
static void m_set_port(struct ctld *d, const struct ctld_req *r);
static void m_add_mac(struct ctld *d, const struct ctld_req *r);
static void m_del_mac(struct ctld *d, const struct ctld_req *r);
static void m_set_switch(struct ctld *d, const struct ctld_req *r);

/* The port policies (docs/config.md "Port policies"), parameters of both
 * add_port and set_port. */
#define POLICY_PARAMS "mac_spoofing", "dhcp_guard", "router_guard", \
	"max_bandwidth", "min_weight", "storm_limit", "mirror", "connected", \
	"link_speed", "vsid"

static const char *const no_params[] = { NULL };
static const char *const name_param[] = { "name", NULL };
static const char *const add_port_params[] = {
	"name", "type", "socket", "vhost_mode", "devargs", "team", "mac",
	POLICY_PARAMS, NULL
};
/* "name" first: the rest are what set_port can change. */
static const char *const set_port_params[] = {
	"name", "vlan_mode", "vlan", "allowed_vlans", "native_vlan", "mac",
	POLICY_PARAMS, NULL
};
static const char *const add_mac_params[] = { "mac", "vlan", "port", NULL };
static const char *const del_mac_params[] = { "mac", "vlan", NULL };
static const char *const set_switch_params[] = { "mac_aging_s", NULL };
static const char *const capture_start_params[] = {
	"port", "count", "direction", NULL
};
static const char *const capture_id_params[] = { "id", NULL };
static const char *const add_team_params[] = {
	"name", "members", "mode", "lb", "hash", "lacp_rate", "lacp_passive",
	NULL
};
static const char *const nv_ops_params[] = { "ops", NULL };
static const char *const log_level_params[] = { "component", "level", NULL };
static const char *const nv_list_params[] = {
	"what", "vsid", "offset", "limit", NULL
};

static const struct ctld_method methods[] = {
	{ "show", false, no_params, m_show },
	{ "list_ports", false, no_params, m_list_ports },
	{ "port_stats", false, name_param, m_port_stats },
	{ "mac_table", false, no_params, m_mac_table },
	{ "queues", false, no_params, m_queues },
	{ "add_port", true, add_port_params, m_add_port },
	{ "del_port", true, name_param, m_del_port },
	{ "set_port", true, set_port_params, m_set_port },
	{ "add_mac", true, add_mac_params, m_add_mac },
	{ "del_mac", true, del_mac_params, m_del_mac },
	{ "set_switch", true, set_switch_params, m_set_switch },
	{ "add_team", true, add_team_params, ctld_add_team },
	{ "del_team", true, name_param, ctld_del_team },
	{ "team_status", false, name_param, ctld_team_status },
	{ "capture_start", true, capture_start_params, ctld_capture_start,
	  true },
	{ "capture_status", false, capture_id_params, ctld_capture_status },
	{ "capture_stop", true, capture_id_params, ctld_capture_stop },
	{ "nv_apply", true, nv_ops_params, ctld_nv_apply },
	{ "nv_import", true, nv_ops_params, ctld_nv_import },
	{ "nv_list", false, nv_list_params, ctld_nv_list },
	{ "nv_status", false, no_params, ctld_nv_status },
	/* A change when it sets a level: ctld_log_level() checks. */
	{ "log_level", false, log_level_params, ctld_log_level },
};

static const struct ctld_method *find_method(struct ctld *d,
					     struct ctld_client *c,
					     const struct ctl_rpc_req *req);
static bool check_params(struct ctld *d, const struct ctld_method *m,
			 const struct ctld_req *r);
static int add_port_build(const struct ctld_req *r, struct ctl_config *cand,
			  int *code, char *err, size_t errsz);
static int port_check_devices(const struct ctl_config *cand,
			      const struct ctl_port *p, int *code, char *err,
			      size_t errsz);
static int port_from_params(const struct ctld_req *r, struct ctl_port *p,
			    char *err, size_t errsz);
static int set_port_fields(const struct ctld_req *r, struct ctl_port *p,
			   char *err, size_t errsz);
static int nothing_to_change(char *err, size_t errsz);
static int param_string(const struct ctld_req *r, const char *key,
			bool required, const char **out, char *err,
			size_t errsz);
static int param_int(const struct ctld_req *r, const char *key,
		     bool required, long long *out, char *err, size_t errsz);
static int param_name(const struct ctld_req *r, const char *key,
		      const char **out, char *err, size_t errsz);
static int param_mac_vlan(const struct ctld_req *r, uint8_t mac[6],
			  uint16_t *vlan, char *err, size_t errsz);
static void describe(char *buf, size_t size, const struct ctld_req *r,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void
ctld_dispatch(struct ctld *d, struct ctld_client *c, const char *line)
{
	struct ctld_req r = { .client = c, .fd = ctl_rpc_conn_take_fd(&c->conn) };
	const struct ctld_method *m = NULL;
	struct ctl_rpc_req req;
	char err[ERRSZ];
	int code;

	code = ctl_rpc_parse_request(line, &req, err, sizeof err);
	if (code == CTL_RPC_PARSE_ERROR)
		CTLD_LOG(INFO, "client pid %ld: invalid JSON (%s)",
			 (long) c->pid, err);
	if (code)
		ctld_reply_error(d, c, req.id, code, "%s", err);
	else
		m = find_method(d, c, &req);
	if (m) {
		CTLD_LOG(DEBUG, "client pid %ld (uid %ld): %s", (long) c->pid,
			 (long) c->uid, m->name);
		r.id = req.id;
		r.params = req.params;
		if (check_params(d, m, &r)) {
			m->handler(d, &r);
			if (m->takes_fd)
				r.fd = -1;
		}
	}
	if (r.fd >= 0)          /* a descriptor nobody asked for */
		close(r.fd);
	ctl_rpc_req_free(&req);
}

/* The method 'req' names.  Returns NULL after replying with an error. */
static const struct ctld_method *
find_method(struct ctld *d, struct ctld_client *c,
	    const struct ctl_rpc_req *req)
{
	char q[CTL_QUOTE_SIZE];

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (!strcmp(methods[i].name, req->method))
			return &methods[i];
	ctld_reply_error(d, c, req->id, CTL_RPC_UNKNOWN_METHOD,
			 "unknown method '%s'", ctl_quote(req->method, q));
	return NULL;
}

/* Permission to change, and no parameter the method does not know. */
static bool
check_params(struct ctld *d, const struct ctld_method *m,
	     const struct ctld_req *r)
{
	char q[CTL_QUOTE_SIZE];
	const char *key;
	json_t *v;

	if (m->change && !r->client->may_change) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "permission denied: %s needs root%s%s", m->name,
				 d->group_name ? " or group " : "",
				 d->group_name ? d->group_name : "");
		return false;
	}
	json_object_foreach(r->params, key, v) {
		const char *const *p = m->params;

		while (*p && strcmp(*p, key))
			p++;
		if (!*p) {
			ctld_reply_error(d, r->client, r->id,
					 CTL_RPC_INVALID_PARAMS,
					 "%s: unknown parameter of %s",
					 ctl_quote(key, q), m->name);
			return false;
		}
	}
	return true;
}

/* Queries. */

static void
m_show(struct ctld *d, const struct ctld_req *r)
{
	if (ctld_dp_up(d))
		ctld_ask(d, r->client, r->id, CTLD_WAIT_SHOW, "get_ports", json_object());
	else
		ctld_reply(d, r->client, r->id, ctld_show_result(d, NULL));
}

static void
m_list_ports(struct ctld *d, const struct ctld_req *r)
{
	if (ctld_dp_up(d))
		ctld_ask(d, r->client, r->id, CTLD_WAIT_LIST, "get_ports", json_object());
	else
		ctld_reply(d, r->client, r->id, ctld_list_result(d, NULL));
}

static void
m_port_stats(struct ctld *d, const struct ctld_req *r)
{
	char err[ERRSZ];
	const char *name;

	if (param_string(r, "name", false, &name, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	if (name && ctl_config_port_index(d->cfg, name) < 0) {
		char q[CTL_QUOTE_SIZE];

		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "port %s does not exist", ctl_quote(name, q));
		return;
	}
	ctld_ask(d, r->client, r->id, CTLD_WAIT_FORWARD, "get_ports", name
		      ? json_pack("{s:s}", "name", name) : json_object());
}

static void
m_mac_table(struct ctld *d, const struct ctld_req *r)
{
	ctld_ask(d, r->client, r->id, CTLD_WAIT_FORWARD, "mac_table", json_object());
}

static void
m_queues(struct ctld *d, const struct ctld_req *r)
{
	ctld_ask(d, r->client, r->id, CTLD_WAIT_FORWARD, "queues", json_object());
}

/* Changes. */

static void
m_add_port(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand = ctl_config_clone(d->cfg);
	char err[ERRSZ], what[96];
	int code = CTL_RPC_FAILED;

	if (!cand || add_port_build(r, cand, &code, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, code, "%s",
				 cand ? err : "out of memory");
		ctl_config_free(cand);
		return;
	}
	describe(what, sizeof what, r, "add_port %s",
		 cand->ports[cand->n_ports - 1].name);
	ctld_change(d, r->client, r->id, cand, what);
}

/* Appends the port that add_port's parameters describe to 'cand'.  On
 * error, '*code' is the JSON-RPC error code to answer with. */
static int
add_port_build(const struct ctld_req *r, struct ctl_config *cand, int *code,
	       char *err, size_t errsz)
{
	struct ctl_port *p = &cand->ports[cand->n_ports];

	*code = CTL_RPC_FAILED;
	if (cand->n_ports >= CTL_MAX_PORTS)
		return ctl_err(err, errsz, -ENOSPC, "the switch has %d ports, "
			       "the most it can", CTL_MAX_PORTS);
	memset(p, 0, sizeof *p);
	*code = CTL_RPC_INVALID_PARAMS;
	if (port_from_params(r, p, err, errsz) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < cand->n_ports; i++) {
		const struct ctl_port *o = &cand->ports[i];

		if (!strcmp(o->name, p->name)) {
			*code = CTL_RPC_FAILED;
			return ctl_err(err, errsz, -EEXIST, "port %s already "
				       "exists", p->name);
		}
		if (p->socket[0] && !strcmp(o->socket, p->socket))
			return ctl_err(err, errsz, -EEXIST, "socket: %s is "
				       "already used by port %s", p->socket,
				       o->name);
	}
	if (port_check_devices(cand, p, code, err, errsz) < 0)
		return -EINVAL;
	/* The file system is checked when the port is added, not on replay
	 * (docs/protocol.md). */
	if (p->socket[0] && ctl_check_socket_path(p->socket, p->vhost_mode,
						  "socket", err, errsz) < 0)
		return -EINVAL;
	cand->n_ports++;
	return 0;
}

/* The new port 'p' (not yet in 'cand') is made of a team that exists and
 * makes no other port, or of a device that is no team's member. */
static int
port_check_devices(const struct ctl_config *cand, const struct ctl_port *p,
		   int *code, char *err, size_t errsz)
{
	unsigned int member;
	int i;

	if (p->team[0] && ctl_config_team_index(cand, p->team) < 0) {
		*code = CTL_RPC_FAILED;
		return ctl_err(err, errsz, -ENOENT, "team: team %s does not "
			       "exist", p->team);
	}
	i = ctl_config_team_port(cand, p->team);
	if (i >= 0) {
		*code = CTL_RPC_FAILED;
		return ctl_err(err, errsz, -EEXIST, "team: team %s is already "
			       "used by port %s", p->team, cand->ports[i].name);
	}
	i = p->devargs[0] ? ctl_config_member_team(cand, p->devargs, -1,
						   &member) : -1;
	if (i >= 0)
		return ctl_err(err, errsz, -EEXIST, "devargs: %s is a member "
			       "of team %s", p->devargs, cand->teams[i].name);
	return 0;
}

/* Reads the "name" parameter of 'r' and finds that port in the current
 * configuration.  Returns its index, or -1 after replying with the error. */
static int
request_port(struct ctld *d, const struct ctld_req *r, const char **name)
{
	char err[ERRSZ];
	int i;

	if (param_name(r, "name", name, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return -1;
	}
	i = ctl_config_port_index(d->cfg, *name);
	if (i < 0)
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "port %s does not exist", *name);
	return i;
}

static void
m_del_port(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand;
	char what[96], err[ERRSZ];
	const char *name;
	int i;

	i = request_port(d, r, &name);
	if (i < 0)
		return;
	if (ctld_nv_port_in_use(d, name, err, sizeof err)) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED, "%s", err);
		return;
	}
	cand = ctl_config_clone(d->cfg);
	if (!cand) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "out of memory");
		return;
	}
	ctl_config_remove_port(cand, (unsigned int) i);
	describe(what, sizeof what, r, "del_port %s", name);
	ctld_change(d, r->client, r->id, cand, what);
}

static void
m_set_port(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand;
	char err[ERRSZ], what[96];
	const char *name;
	int i;

	i = request_port(d, r, &name);
	if (i < 0)
		return;
	cand = ctl_config_clone(d->cfg);
	if (!cand || set_port_fields(r, &cand->ports[i], err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", cand ? err : "out of memory");
		ctl_config_free(cand);
		return;
	}
	describe(what, sizeof what, r, "set_port %s", name);
	ctld_change(d, r->client, r->id, cand, what);
}

static void
m_add_mac(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand;
	struct ctl_static_mac *m;
	char err[ERRSZ], what[96], text[18];
	const char *port;
	uint8_t mac[6];
	uint16_t vlan;
	int i;

	if (param_mac_vlan(r, mac, &vlan, err, sizeof err) < 0
	    || param_name(r, "port", &port, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	ctl_format_mac(mac, text);
	if (ctl_config_port_index(d->cfg, port) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "port %s does not exist", port);
		return;
	}
	i = ctl_config_static_mac_index(d->cfg, mac, vlan);
	if (i >= 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "static MAC %s on VLAN %u already exists "
				 "(port %s)", text, vlan,
				 d->cfg->static_macs[i].port);
		return;
	}
	if (d->cfg->n_static_macs >= CTL_MAX_STATIC_MACS) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "the static MAC table is full (%d entries)",
				 CTL_MAX_STATIC_MACS);
		return;
	}
	cand = ctl_config_clone(d->cfg);
	if (!cand) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "out of memory");
		return;
	}
	m = &cand->static_macs[cand->n_static_macs++];
	memset(m, 0, sizeof *m);
	memcpy(m->mac, mac, sizeof mac);
	m->vlan = vlan;
	memcpy(m->port, port, strlen(port) + 1);
	describe(what, sizeof what, r, "add_mac %s vlan %u port %s", text, vlan,
		 port);
	ctld_change(d, r->client, r->id, cand, what);
}

static void
m_del_mac(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand;
	char err[ERRSZ], what[96], text[18];
	uint8_t mac[6];
	uint16_t vlan;
	int i;

	if (param_mac_vlan(r, mac, &vlan, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	ctl_format_mac(mac, text);
	i = ctl_config_static_mac_index(d->cfg, mac, vlan);
	if (i < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "static MAC %s on VLAN %u does not exist", text,
				 vlan);
		return;
	}
	cand = ctl_config_clone(d->cfg);
	if (!cand) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "out of memory");
		return;
	}
	cand->n_static_macs--;
	memmove(&cand->static_macs[i], &cand->static_macs[i + 1],
		(cand->n_static_macs - (unsigned int) i)
		* sizeof cand->static_macs[0]);
	memset(&cand->static_macs[cand->n_static_macs], 0,
	       sizeof cand->static_macs[0]);
	describe(what, sizeof what, r, "del_mac %s vlan %u", text, vlan);
	ctld_change(d, r->client, r->id, cand, what);
}

static void
m_set_switch(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand;
	char err[ERRSZ], what[96];
	long long aging = 0;

	if (param_int(r, "mac_aging_s", true, &aging, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	if (aging < CTL_MAC_AGING_MIN || aging > CTL_MAC_AGING_MAX) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "mac_aging_s: %lld is out of range (%d-%d)",
				 aging, CTL_MAC_AGING_MIN, CTL_MAC_AGING_MAX);
		return;
	}
	cand = ctl_config_clone(d->cfg);
	if (!cand) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "out of memory");
		return;
	}
	cand->mac_aging_s = (uint32_t) aging;
	describe(what, sizeof what, r, "set_switch mac_aging_s %lld", aging);
	ctld_change(d, r->client, r->id, cand, what);
}

/* Parameters. */

/* Fills the zeroed 'p' from add_port's parameters and validates it as a
 * port on its own; field names in messages are the parameter names. */
static int
port_from_params(const struct ctld_req *r, struct ctl_port *p, char *err,
		 size_t errsz)
{
	const char *name, *type, *socket, *vhost, *devargs, *team, *mac;

	if (param_name(r, "name", &name, err, errsz) < 0
	    || param_string(r, "type", true, &type, err, errsz) < 0
	    || ctl_parse_port_type(type, &p->type, "type", err, errsz) < 0
	    || param_string(r, "socket", false, &socket, err, errsz) < 0
	    || param_string(r, "vhost_mode", false, &vhost, err, errsz) < 0
	    || param_string(r, "devargs", false, &devargs, err, errsz) < 0
	    || param_string(r, "team", false, &team, err, errsz) < 0
	    || param_string(r, "mac", false, &mac, err, errsz) < 0)
		return -EINVAL;
	memcpy(p->name, name, strlen(name) + 1);
	if (socket && (!socket[0] || strlen(socket) >= sizeof p->socket))
		return ctl_err(err, errsz, -EINVAL, "socket: the path must be 1 to "
			       "%zu bytes", sizeof p->socket - 1);
	if (socket)
		memcpy(p->socket, socket, strlen(socket) + 1);
	if (vhost && !socket)
		return ctl_err(err, errsz, -EINVAL, "vhost_mode: only with socket");
	if (vhost && ctl_parse_vhost_mode(vhost, &p->vhost_mode, "vhost_mode",
					  err, errsz) < 0)
		return -EINVAL;
	if (devargs && ctl_check_devargs(devargs, "devargs", err, errsz) < 0)
		return -EINVAL;
	if (devargs)
		memcpy(p->devargs, devargs, strlen(devargs) + 1);
	if (team && ctl_parse_team_name(team, "team", err, errsz) < 0)
		return -EINVAL;
	if (team)
		memcpy(p->team, team, strlen(team) + 1);
	if (mac && ctl_parse_mac(mac, p->mac, "mac", err, errsz) < 0)
		return -EINVAL;
	p->has_mac = mac != NULL;
	if (ctl_decode_port_policies(r->params, "", p, err, errsz) < 0)
		return -EINVAL;
	return ctl_port_validate(p, "", err, errsz);
}

/* set_port: a new 'vlan_mode' clears the VLAN fields of the old one, then
 * the given fields apply and the port is validated whole. */
static int
set_port_fields(const struct ctld_req *r, struct ctl_port *p, char *err,
		size_t errsz)
{
	const char *mode, *allowed, *mac;
	long long vlan = -1, native = -1;
	enum ctl_vlan_mode m = p->vlan_mode;

	if (param_string(r, "vlan_mode", false, &mode, err, errsz) < 0
	    || param_int(r, "vlan", false, &vlan, err, errsz) < 0
	    || param_string(r, "allowed_vlans", false, &allowed, err, errsz) < 0
	    || param_int(r, "native_vlan", false, &native, err, errsz) < 0
	    || param_string(r, "mac", false, &mac, err, errsz) < 0)
		return -EINVAL;
	if (json_object_size(r->params) < 2)
		return nothing_to_change(err, errsz);
	if (mode && ctl_parse_vlan_mode(mode, &m, "vlan_mode", err, errsz) < 0)
		return -EINVAL;
	if (mode && m != p->vlan_mode) {
		p->vlan_mode = m;
		p->vlan = p->native_vlan = 0;
		memset(&p->allowed, 0, sizeof p->allowed);
	}
	if (vlan != -1 && ctl_parse_vlan_id(vlan, "vlan", err, errsz) < 0)
		return -EINVAL;
	if (native != -1 && native != 0
	    && ctl_parse_vlan_id(native, "native_vlan", err, errsz) < 0)
		return -EINVAL;
	if (allowed && ctl_parse_vlan_list(allowed, &p->allowed,
					   "allowed_vlans", err, errsz) < 0)
		return -EINVAL;
	if (mac && ctl_parse_mac(mac, p->mac, "mac", err, errsz) < 0)
		return -EINVAL;
	p->has_mac |= mac != NULL;
	if (vlan != -1)
		p->vlan = (uint16_t) vlan;
	if (native != -1)
		p->native_vlan = (uint16_t) native;
	if (ctl_decode_port_policies(r->params, "", p, err, errsz) < 0)
		return -EINVAL;
	return ctl_port_validate(p, "", err, errsz);
}

/* "set_port: nothing to change (give any of vlan_mode, ... or
 * link_speed)", from the method's own parameter list. */
static int
nothing_to_change(char *err, size_t errsz)
{
	const char *const *first = set_port_params + 1;
	char list[512] = "";

	for (const char *const *k = first; *k; k++)
		snprintf(list + strlen(list), sizeof list - strlen(list),
			 "%s%s", k == first ? "" : k[1] ? ", " : " or ", *k);
	return ctl_err(err, errsz, -EINVAL, "set_port: nothing to change (give "
		       "any of %s)", list);
}

/* '*out' is the string parameter 'key', or NULL when it is absent and
 * not 'required'. */
static int
param_string(const struct ctld_req *r, const char *key, bool required,
	     const char **out, char *err, size_t errsz)
{
	json_t *v = json_object_get(r->params, key);

	*out = NULL;
	if (!v && !required)
		return 0;
	if (!v)
		return ctl_err(err, errsz, -EINVAL, "%s: required parameter is "
			       "missing", key);
	if (!json_is_string(v))
		return ctl_err(err, errsz, -EINVAL, "%s: expected a string, got "
			       "%s", key, ctl_json_type_name(v));
	*out = json_string_value(v);
	return 0;
}

/* '*out' is left alone when the parameter is absent and not 'required'. */
static int
param_int(const struct ctld_req *r, const char *key, bool required,
	  long long *out, char *err, size_t errsz)
{
	json_t *v = json_object_get(r->params, key);

	if (!v && !required)
		return 0;
	if (!v)
		return ctl_err(err, errsz, -EINVAL, "%s: required parameter is "
			       "missing", key);
	if (!json_is_integer(v))
		return ctl_err(err, errsz, -EINVAL, "%s: expected an integer, got "
			       "%s", key, ctl_json_type_name(v));
	*out = json_integer_value(v);
	return 0;
}

/* A required parameter holding a valid port name. */
static int
param_name(const struct ctld_req *r, const char *key, const char **out,
	   char *err, size_t errsz)
{
	if (param_string(r, key, true, out, err, errsz) < 0)
		return -EINVAL;
	return ctl_parse_port_name(*out, key, err, errsz);
}

/* 'mac' (required) and 'vlan' (0, the untagged domain, when absent). */
static int
param_mac_vlan(const struct ctld_req *r, uint8_t mac[6], uint16_t *vlan,
	       char *err, size_t errsz)
{
	long long v = 0;
	const char *s;

	if (param_string(r, "mac", true, &s, err, errsz) < 0
	    || ctl_parse_mac(s, mac, "mac", err, errsz) < 0
	    || param_int(r, "vlan", false, &v, err, errsz) < 0)
		return -EINVAL;
	if (v != 0 && ctl_parse_vlan_id(v, "vlan", err, errsz) < 0)
		return -EINVAL;
	*vlan = (uint16_t) v;
	return 0;
}

/* The change for the log, with who asked. */
static void
describe(char *buf, size_t size, const struct ctld_req *r, const char *fmt,
	 ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	if (n >= 0 && (size_t) n < size)
		snprintf(buf + n, size - (size_t) n, " (uid %ld, pid %ld)",
			 (long) r->client->uid, (long) r->client->pid);
}

