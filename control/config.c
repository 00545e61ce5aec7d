/* The configuration model: life cycle, field parsers and formatters, and
 * validation of fields that depend on each other.  The JSON form and the
 * file I/O live in config_json.c.  See control/config.h for the contract
 * and docs/config.md for the rules in prose. */
#include "control/config_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const port_type_names[] = {
	[CTL_PORT_VM] = "vm",
	[CTL_PORT_EXTERNAL] = "external",
	[CTL_PORT_INTERNAL] = "internal",
};

static const char *const vlan_mode_names[] = {
	[CTL_VLAN_UNTAGGED] = "untagged",
	[CTL_VLAN_ACCESS] = "access",
	[CTL_VLAN_TRUNK] = "trunk",
};

static const char *const vhost_mode_names[] = {
	[CTL_VHOST_SERVER] = "server",
	[CTL_VHOST_CLIENT] = "client",
};

static const char *const mirror_mode_names[] = {
	[CTL_MIRROR_NONE] = "none",
	[CTL_MIRROR_SOURCE] = "source",
	[CTL_MIRROR_DESTINATION] = "destination",
	[CTL_MIRROR_BOTH] = "both",
};

static const char *const team_mode_names[] = {
	[CTL_TEAM_LACP] = "lacp",
	[CTL_TEAM_STATIC] = "static",
	[CTL_TEAM_SWITCH_INDEPENDENT] = "switch-independent",
};

static const char *const team_lb_names[] = {
	[CTL_TEAM_LB_ADDRESS_HASH] = "address-hash",
	[CTL_TEAM_LB_HYPERV_PORT] = "hyperv-port",
	[CTL_TEAM_LB_DYNAMIC] = "dynamic",
};

static const char *const team_hash_names[] = {
	[CTL_TEAM_HASH_TRANSPORT] = "transport",
	[CTL_TEAM_HASH_IP] = "ip",
	[CTL_TEAM_HASH_MAC] = "mac",
};

static const char *const lacp_rate_names[] = { "slow", "fast" };
static const char *const on_off_names[] = { "off", "on" };
static const char *const yes_no_names[] = { "no", "yes" };

/* The port policies that one port type alone takes; "mirror" goes on any
 * port.  As on Hyper-V, the guards, limits and the cable belong to a VM's
 * adapter, and the link speed to the uplink whose capacity the weights
 * share. */
static const struct policy_type {
	const char *key;                /* JSON key and RPC parameter */
	enum ctl_port_type type;        /* the type that takes it */
} policy_types[] = {
	{ "mac_spoofing", CTL_PORT_VM },
	{ "dhcp_guard", CTL_PORT_VM },
	{ "router_guard", CTL_PORT_VM },
	{ "max_bandwidth", CTL_PORT_VM },
	{ "min_weight", CTL_PORT_VM },
	{ "storm_limit", CTL_PORT_VM },
	{ "connected", CTL_PORT_VM },
	{ "link_speed", CTL_PORT_EXTERNAL },
	/* Not a policy, but a VM adapter's setting all the same
	 * (Set-VMNetworkAdapter -VirtualSubnetId). */
	{ "vsid", CTL_PORT_VM },
};

/* A rate setting: 0 (off), or 'min'..'max' 'unit'. */
struct rate_kind {
	const char *unit;               /* "bits/s" */
	uint64_t min, max;              /* the range when not 0 */
	const char *suffixes;           /* those the parser takes */
	const char *examples;           /* for the syntax error */
};

static const struct rate_kind bits_rate = {
	"bits/s", CTL_BANDWIDTH_MIN, CTL_BANDWIDTH_MAX, "kKMGT",
	"1000000, 100M or 2.5G",
};
static const struct rate_kind packets_rate = {
	"packets/s", 1, CTL_STORM_LIMIT_MAX, "kKM", "1000 or 10k",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool is_digit(char c);
static bool is_word_char(char c);
static int hex_value(char c);
static int parse_enum(const char *s, const char *const *names, size_t n,
		      const char *field, char *err, size_t errsz);
static int parse_name(const char *s, const char *what, const char *field,
		      char *err, size_t errsz);
static bool is_pci_address(const char *s, size_t length);
static int check_devargs_item(const char *item, size_t length,
			      const char *field, const char *quoted,
			      char *err, size_t errsz);
static int check_socket_syntax(const char *s, const char *field,
			       char *err, size_t errsz);
static int check_socket_files(const char *s, enum ctl_vhost_mode mode,
			      const char *field, char *err, size_t errsz);
static bool scan_number(const char *s, size_t length, long long *out);
static int parse_vlan_item(const char *item, size_t length,
			   struct ctl_vlan_set *set, const char *field,
			   const char *quoted, char *err, size_t errsz);
static int port_check_strings(const struct ctl_port *p, const char *prefix,
			      char *err, size_t errsz);
static int port_check_attachment(const struct ctl_port *p,
				 const char *prefix, char *err, size_t errsz);
static int port_check_type(const struct ctl_port *p, const char *prefix,
			   char *err, size_t errsz);
static int port_check_vlans(const struct ctl_port *p, const char *prefix,
			    char *err, size_t errsz);
static int port_check_policies(const struct ctl_port *p, const char *prefix,
			       char *err, size_t errsz);
static int parse_rate(const char *s, const struct rate_kind *k,
		      uint64_t *out, const char *field, char *err,
		      size_t errsz);
static bool scan_rate(const char *s, const char *suffixes, uint64_t *out);
static unsigned int suffix_digits(char suffix);
static bool rate_in_range(uint64_t v, const struct rate_kind *k);
static int check_rate(uint64_t v, const struct rate_kind *k,
		      const char *field, char *err, size_t errsz);
static int check_rate_number(long long v, const struct rate_kind *k,
			     const char *field, char *err, size_t errsz);
static int rate_error(const char *field, const char *text,
		      const struct rate_kind *k, char *err, size_t errsz);
static int parse_bool(const char *s, const char *const names[2], bool *out,
		      const char *field, char *err, size_t errsz);
static int config_check_unique(const struct ctl_config *cfg,
			       char *err, size_t errsz);
static int config_check_static_macs(const struct ctl_config *cfg,
				    char *err, size_t errsz);

/* Life cycle. */

struct ctl_config *
ctl_config_new(void)
{
	struct ctl_config *cfg = calloc(1, sizeof *cfg);

	if (cfg)
		cfg->mac_aging_s = CTL_MAC_AGING_DEFAULT;
	return cfg;
}

struct ctl_config *
ctl_config_clone(const struct ctl_config *cfg)
{
	struct ctl_config *copy = malloc(sizeof *copy);

	if (copy)
		memcpy(copy, cfg, sizeof *copy);
	return copy;
}

void
ctl_config_free(struct ctl_config *cfg)
{
	free(cfg);
}

/* Validation. */

int
ctl_config_validate(const struct ctl_config *cfg, char *err, size_t errsz)
{
	char prefix[32];
	int rc;

	if (cfg->mac_aging_s < CTL_MAC_AGING_MIN
	    || cfg->mac_aging_s > CTL_MAC_AGING_MAX)
		return ctl_err(err, errsz, -EINVAL,
			       "switch.mac_aging_s: %u is out of range (%d-%d)",
			       cfg->mac_aging_s, CTL_MAC_AGING_MIN,
			       CTL_MAC_AGING_MAX);
	if (cfg->n_ports > CTL_MAX_PORTS)
		return ctl_err(err, errsz, -EINVAL,
			       "ports: %u ports, at most %d", cfg->n_ports,
			       CTL_MAX_PORTS);
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		snprintf(prefix, sizeof prefix, "ports[%u]", i);
		rc = ctl_port_validate(&cfg->ports[i], prefix, err, errsz);
		if (rc < 0)
			return -EINVAL;
	}
	rc = config_check_unique(cfg, err, errsz);
	if (rc < 0)
		return rc;
	rc = ctl_config_check_teams(cfg, err, errsz);
	if (rc < 0)
		return rc;
	return config_check_static_macs(cfg, err, errsz);
}

int
ctl_port_validate(const struct ctl_port *p, const char *prefix,
		  char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	int rc;

	rc = port_check_strings(p, prefix, err, errsz);
	if (rc < 0)
		return rc;
	rc = ctl_parse_port_name(p->name, ctl_field(field, prefix, "name"),
				 err, errsz);
	if (rc < 0)
		return rc;
	if ((unsigned int) p->type >= N_ELEMS(port_type_names))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid port type %d",
			       ctl_field(field, prefix, "type"), (int) p->type);
	rc = port_check_attachment(p, prefix, err, errsz);
	if (rc < 0)
		return rc;
	if (p->has_mac) {
		char text[18];

		ctl_format_mac(p->mac, text);
		rc = ctl_parse_mac(text, (uint8_t[6]) {0},
				   ctl_field(field, prefix, "mac"), err, errsz);
		if (rc < 0)
			return rc;
	}
	rc = port_check_vlans(p, prefix, err, errsz);
	if (rc < 0)
		return rc;
	return port_check_policies(p, prefix, err, errsz);
}

int
ctl_check_policy_type(const char *key, enum ctl_port_type type,
		      const char *field, char *err, size_t errsz)
{
	for (size_t i = 0; i < N_ELEMS(policy_types); i++)
		if (!strcmp(key, policy_types[i].key)
		    && type != policy_types[i].type)
			return ctl_err(err, errsz, -EINVAL, "%s: only for %s "
				       "ports, not %s ports", field,
				       port_type_names[policy_types[i].type],
				       ctl_port_type_name(type));
	return 0;
}

/* Every string member must be NUL-terminated within its array. */
static int
port_check_strings(const struct ctl_port *p, const char *prefix,
		   char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];

	if (!memchr(p->name, '\0', sizeof p->name))
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d "
			       "characters", ctl_field(field, prefix, "name"),
			       CTL_NAME_SIZE - 1);
	if (!memchr(p->socket, '\0', sizeof p->socket))
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d bytes",
			       ctl_field(field, prefix, "socket"),
			       CTL_PATH_SIZE - 1);
	if (!memchr(p->devargs, '\0', sizeof p->devargs))
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d bytes",
			       ctl_field(field, prefix, "devargs"),
			       CTL_DEVARGS_SIZE - 1);
	if (!memchr(p->team, '\0', sizeof p->team))
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d "
			       "characters", ctl_field(field, prefix, "team"),
			       CTL_NAME_SIZE - 1);
	return 0;
}

/* 'socket', 'vhost_mode', 'devargs' and 'team' on their own and
 * together; whether the team exists is the configuration's to check. */
static int
port_check_attachment(const struct ctl_port *p, const char *prefix,
		      char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	bool has_socket = p->socket[0] != '\0';
	bool has_devargs = p->devargs[0] != '\0';
	int rc;

	if (has_socket) {
		rc = check_socket_syntax(p->socket,
					 ctl_field(field, prefix, "socket"),
					 err, errsz);
		if (rc < 0)
			return rc;
	}
	if ((unsigned int) p->vhost_mode >= N_ELEMS(vhost_mode_names))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid mode %d",
			       ctl_field(field, prefix, "vhost_mode"),
			       (int) p->vhost_mode);
	if (p->vhost_mode != CTL_VHOST_SERVER && !has_socket)
		return ctl_err(err, errsz, -EINVAL, "%s: only with socket",
			       ctl_field(field, prefix, "vhost_mode"));
	if (has_devargs) {
		rc = ctl_check_devargs(p->devargs,
				       ctl_field(field, prefix, "devargs"),
				       err, errsz);
		if (rc < 0)
			return rc;
	}
	if (p->team[0]) {
		rc = ctl_parse_team_name(p->team, ctl_field(field, prefix,
					 "team"), err, errsz);
		if (rc < 0)
			return rc;
	}
	return port_check_type(p, prefix, err, errsz);
}

/* Which of 'socket', 'devargs' and 'team' the port type needs or
 * forbids. */
static int
port_check_type(const struct ctl_port *p, const char *prefix, char *err,
		size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	bool has_socket = p->socket[0] != '\0';
	bool has_devargs = p->devargs[0] != '\0';
	bool has_team = p->team[0] != '\0';

	if (has_team && p->type != CTL_PORT_EXTERNAL)
		return ctl_err(err, errsz, -EINVAL, "%s: only for external "
			       "ports, not %s ports",
			       ctl_field(field, prefix, "team"),
			       ctl_port_type_name(p->type));
	switch (p->type) {
	case CTL_PORT_VM:
		if (has_socket && has_devargs)
			return ctl_err(err, errsz, -EINVAL, "%s: a vm port takes "
				       "socket or devargs, not both",
				       ctl_field(field, prefix, "devargs"));
		if (!has_socket && !has_devargs)
			return ctl_err(err, errsz, -EINVAL, "%s: a vm port needs "
				       "socket or devargs",
				       ctl_field(field, prefix, "socket"));
		return 0;
	case CTL_PORT_EXTERNAL:
		if (has_socket)
			return ctl_err(err, errsz, -EINVAL, "%s: not allowed for "
				       "an external port",
				       ctl_field(field, prefix, "socket"));
		if (has_devargs && has_team)
			return ctl_err(err, errsz, -EINVAL, "%s: an external "
				       "port takes devargs or team, not both",
				       ctl_field(field, prefix, "team"));
		if (!has_devargs && !has_team)
			return ctl_err(err, errsz, -EINVAL, "%s: required for an "
				       "external port (or team)",
				       ctl_field(field, prefix, "devargs"));
		return 0;
	case CTL_PORT_INTERNAL:
		if (has_socket || has_devargs)
			return ctl_err(err, errsz, -EINVAL, "%s: not allowed for "
				       "an internal port",
				       ctl_field(field, prefix, has_socket
						 ? "socket" : "devargs"));
		return 0;
	}
	return 0;
}

/* 'vlan', 'allowed' and 'native_vlan' against 'vlan_mode'. */
static int
port_check_vlans(const struct ctl_port *p, const char *prefix,
		 char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *mode;

	if ((unsigned int) p->vlan_mode >= N_ELEMS(vlan_mode_names))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid mode %d",
			       ctl_field(field, prefix, "vlan_mode"),
			       (int) p->vlan_mode);
	mode = vlan_mode_names[p->vlan_mode];
	if (p->vlan_mode == CTL_VLAN_ACCESS && p->vlan == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: required with "
			       "vlan_mode access", ctl_field(field, prefix,
							      "vlan"));
	if (p->vlan_mode != CTL_VLAN_ACCESS && p->vlan != 0)
		return ctl_err(err, errsz, -EINVAL, "%s: not allowed with "
			       "vlan_mode %s (only with access)",
			       ctl_field(field, prefix, "vlan"), mode);
	if (p->vlan != 0 && ctl_parse_vlan_id(p->vlan, ctl_field(field, prefix,
				"vlan"), err, errsz) < 0)
		return -EINVAL;
	if (p->vlan_mode != CTL_VLAN_TRUNK && !ctl_vlan_set_empty(&p->allowed))
		return ctl_err(err, errsz, -EINVAL, "%s: not allowed with "
			       "vlan_mode %s (only with trunk)",
			       ctl_field(field, prefix, "allowed_vlans"), mode);
	if (p->vlan_mode != CTL_VLAN_TRUNK && p->native_vlan != 0)
		return ctl_err(err, errsz, -EINVAL, "%s: not allowed with "
			       "vlan_mode %s (only with trunk)",
			       ctl_field(field, prefix, "native_vlan"), mode);
	if (p->vlan_mode != CTL_VLAN_TRUNK)
		return 0;
	if (ctl_vlan_set_empty(&p->allowed))
		return ctl_err(err, errsz, -EINVAL, "%s: required with "
			       "vlan_mode trunk", ctl_field(field, prefix,
							     "allowed_vlans"));
	if (ctl_vlan_set_has(&p->allowed, 0)
	    || ctl_vlan_set_has(&p->allowed, 4095))
		return ctl_err(err, errsz, -EINVAL, "%s: contains 0 or 4095",
			       ctl_field(field, prefix, "allowed_vlans"));
	if (p->native_vlan != 0 && ctl_parse_vlan_id(p->native_vlan,
			ctl_field(field, prefix, "native_vlan"), err, errsz) < 0)
		return -EINVAL;
	return 0;
}

/* Each policy in its range, and set (not at its default) only on a port
 * type that takes it. */
static int
port_check_policies(const struct ctl_port *p, const char *prefix,
		    char *err, size_t errsz)
{
	/* Whether each policy of policy_types, in that order, is set. */
	const bool set[] = {
		p->mac_spoofing, p->dhcp_guard, p->router_guard,
		p->max_bandwidth != 0, p->min_weight != 0, p->storm_limit != 0,
		p->disconnected, p->link_speed != 0, p->vsid != 0,
	};
	char field[CTL_FIELD_SIZE];

	_Static_assert(N_ELEMS(set) == N_ELEMS(policy_types),
		       "one flag per entry of policy_types");
	for (size_t i = 0; i < N_ELEMS(set); i++) {
		const char *key = policy_types[i].key;

		if (!set[i])
			continue;
		if (ctl_check_policy_type(key, p->type, ctl_field(field, prefix,
					  key), err, errsz) < 0)
			return -EINVAL;
	}
	if ((unsigned int) p->mirror >= N_ELEMS(mirror_mode_names))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid mode %d",
			       ctl_field(field, prefix, "mirror"),
			       (int) p->mirror);
	if (check_rate(p->max_bandwidth, &bits_rate, ctl_field(field, prefix,
			"max_bandwidth"), err, errsz) < 0
	    || check_rate(p->link_speed, &bits_rate, ctl_field(field, prefix,
			   "link_speed"), err, errsz) < 0
	    || check_rate(p->storm_limit, &packets_rate, ctl_field(field,
			   prefix, "storm_limit"), err, errsz) < 0
	    || ctl_check_min_weight(p->min_weight, ctl_field(field, prefix,
				    "min_weight"), err, errsz) < 0
	    || ctl_check_vsid(p->vsid, ctl_field(field, prefix, "vsid"), err,
			      errsz) < 0)
		return -EINVAL;
	return 0;
}

/* Port names and vhost-user socket paths are unique. */
static int
config_check_unique(const struct ctl_config *cfg, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct ctl_port *p = &cfg->ports[i];

		for (unsigned int j = 0; j < i; j++) {
			const struct ctl_port *o = &cfg->ports[j];

			if (!strcmp(p->name, o->name))
				return ctl_err(err, errsz, -EINVAL,
					       "ports[%u].name: duplicate port "
					       "name '%s' (also ports[%u])", i,
					       p->name, j);
			if (p->socket[0] && !strcmp(p->socket, o->socket))
				return ctl_err(err, errsz, -EINVAL,
					       "ports[%u].socket: '%s' is already "
					       "used by port %s", i,
					       ctl_quote(p->socket, q), o->name);
		}
	}
	return 0;
}

static int
config_check_static_macs(const struct ctl_config *cfg, char *err,
			 size_t errsz)
{
	char field[48], text[18];

	if (cfg->n_static_macs > CTL_MAX_STATIC_MACS)
		return ctl_err(err, errsz, -EINVAL, "static_macs: %u entries, "
			       "at most %d", cfg->n_static_macs,
			       CTL_MAX_STATIC_MACS);
	for (unsigned int i = 0; i < cfg->n_static_macs; i++) {
		const struct ctl_static_mac *m = &cfg->static_macs[i];

		ctl_format_mac(m->mac, text);
		snprintf(field, sizeof field, "static_macs[%u].mac", i);
		if (ctl_parse_mac(text, (uint8_t[6]) {0}, field, err, errsz))
			return -EINVAL;
		snprintf(field, sizeof field, "static_macs[%u].vlan", i);
		if (m->vlan != 0
		    && ctl_parse_vlan_id(m->vlan, field, err, errsz) < 0)
			return -EINVAL;
		if (!memchr(m->port, '\0', sizeof m->port)
		    || ctl_config_port_index(cfg, m->port) < 0) {
			char q[CTL_QUOTE_SIZE];

			return ctl_err(err, errsz, -EINVAL, "static_macs[%u].port:"
				       " port '%s' does not exist", i,
				       memchr(m->port, '\0', sizeof m->port)
				       ? ctl_quote(m->port, q) : "?");
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct ctl_static_mac *o = &cfg->static_macs[j];

			if (o->vlan == m->vlan && !memcmp(o->mac, m->mac, 6))
				return ctl_err(err, errsz, -EINVAL,
					       "static_macs[%u].mac: %s on VLAN "
					       "%u is already static_macs[%u]",
					       i, text, m->vlan, j);
		}
	}
	return 0;
}

/* Lookups and edits. */

struct ctl_port *
ctl_config_find_port(struct ctl_config *cfg, const char *name)
{
	int i = ctl_config_port_index(cfg, name);

	return i < 0 ? NULL : &cfg->ports[i];
}

int
ctl_config_port_index(const struct ctl_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ports && i < CTL_MAX_PORTS; i++)
		if (!strncmp(cfg->ports[i].name, name, CTL_NAME_SIZE)
		    && strlen(name) < CTL_NAME_SIZE)
			return (int) i;
	return -1;
}

int
ctl_config_static_mac_index(const struct ctl_config *cfg,
			    const uint8_t mac[6], uint16_t vlan)
{
	for (unsigned int i = 0; i < cfg->n_static_macs; i++)
		if (cfg->static_macs[i].vlan == vlan
		    && !memcmp(cfg->static_macs[i].mac, mac, 6))
			return (int) i;
	return -1;
}

void
ctl_config_remove_port(struct ctl_config *cfg, unsigned int index)
{
	char name[CTL_NAME_SIZE];
	unsigned int kept = 0;

	memcpy(name, cfg->ports[index].name, sizeof name);
	memmove(&cfg->ports[index], &cfg->ports[index + 1],
		(cfg->n_ports - index - 1) * sizeof cfg->ports[0]);
	cfg->n_ports--;
	memset(&cfg->ports[cfg->n_ports], 0, sizeof cfg->ports[0]);

	for (unsigned int i = 0; i < cfg->n_static_macs; i++) {
		if (!strncmp(cfg->static_macs[i].port, name, sizeof name))
			continue;
		if (kept != i)
			memcpy(&cfg->static_macs[kept], &cfg->static_macs[i],
			       sizeof cfg->static_macs[0]);
		kept++;
	}
	memset(&cfg->static_macs[kept], 0,
	       (cfg->n_static_macs - kept) * sizeof cfg->static_macs[0]);
	cfg->n_static_macs = kept;
}

/* Field parsers. */

int
ctl_parse_port_name(const char *s, const char *field, char *err,
		    size_t errsz)
{
	return parse_name(s, "port", field, err, errsz);
}

int
ctl_parse_team_name(const char *s, const char *field, char *err,
		    size_t errsz)
{
	return parse_name(s, "team", field, err, errsz);
}

int
ctl_parse_mac(const char *s, uint8_t mac[6], const char *field, char *err,
	      size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	uint8_t m[6];

	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_value(p[0]);
		int lo = hi < 0 ? -1 : hex_value(p[1]);
		char sep = lo < 0 ? 'x' : p[2];

		if (lo < 0 || sep != (i == 5 ? '\0' : ':'))
			return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a "
				       "MAC address (xx:xx:xx:xx:xx:xx)", field,
				       ctl_quote(s, q));
		m[i] = (uint8_t) (hi << 4 | lo);
	}
	if (m[0] & 1)
		return ctl_err(err, errsz, -EINVAL, "%s: %s is a multicast "
			       "address", field, s);
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return ctl_err(err, errsz, -EINVAL, "%s: %s is the all-zero "
			       "address", field, s);
	memcpy(mac, m, sizeof m);
	return 0;
}

int
ctl_parse_vlan_id(long long v, const char *field, char *err, size_t errsz)
{
	if (v < CTL_VLAN_MIN || v > CTL_VLAN_MAX)
		return ctl_err(err, errsz, -EINVAL, "%s: %lld is not a VLAN id "
			       "(%d-%d)", field, v, CTL_VLAN_MIN, CTL_VLAN_MAX);
	return 0;
}

int
ctl_parse_vlan_list(const char *s, struct ctl_vlan_set *out,
		    const char *field, char *err, size_t errsz)
{
	struct ctl_vlan_set set = {{0}};
	char q[CTL_QUOTE_SIZE];
	const char *item = s;

	if (*s == '\0')
		return ctl_err(err, errsz, -EINVAL, "%s: the VLAN list is empty",
			       field);
	ctl_quote(s, q);
	for (;;) {
		const char *end = strchr(item, ',');
		size_t length = end ? (size_t) (end - item) : strlen(item);

		if (parse_vlan_item(item, length, &set, field, q, err, errsz))
			return -EINVAL;
		if (!end)
			break;
		item = end + 1;
	}
	memcpy(out, &set, sizeof set);
	return 0;
}

/* Parses "ID" or "ID-ID" from the 'length' bytes at 'item' into 'set'. */
static int
parse_vlan_item(const char *item, size_t length, struct ctl_vlan_set *set,
		const char *field, const char *quoted, char *err, size_t errsz)
{
	const char *dash = memchr(item, '-', length);
	size_t lo_length = dash ? (size_t) (dash - item) : length;
	long long lo, hi;

	if (length == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' has an empty item",
			       field, quoted);
	if (!scan_number(item, lo_length, &lo)
	    || (dash && !scan_number(dash + 1, length - lo_length - 1, &hi)))
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a VLAN "
			       "list (e.g. 10,20,100-200)", field, quoted);
	if (!dash)
		hi = lo;
	if (ctl_parse_vlan_id(lo, field, err, errsz) < 0
	    || ctl_parse_vlan_id(hi, field, err, errsz) < 0)
		return -EINVAL;
	if (lo > hi)
		return ctl_err(err, errsz, -EINVAL, "%s: range %lld-%lld in '%s' "
			       "is reversed", field, lo, hi, quoted);
	for (long long v = lo; v <= hi; v++)
		ctl_vlan_set_add(set, (uint16_t) v);
	return 0;
}

int
ctl_check_devargs(const char *s, const char *field, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	size_t length = strlen(s);
	const char *comma = strchr(s, ',');
	size_t driver = comma ? (size_t) (comma - s) : length;

	ctl_quote(s, q);
	if (length == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: devargs cannot be empty",
			       field);
	if (length >= CTL_DEVARGS_SIZE)
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d bytes",
			       field, CTL_DEVARGS_SIZE - 1);
	if (driver == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' has no driver name",
			       field, q);
	if (!is_pci_address(s, driver))
		for (size_t i = 0; i < driver; i++)
			if (!is_word_char(s[i]))
				return ctl_err(err, errsz, -EINVAL, "%s: '%s' "
					       "does not start with a driver "
					       "name ([A-Za-z0-9_]) or a PCI "
					       "address", field, q);
	while (comma) {
		const char *item = comma + 1;

		comma = strchr(item, ',');
		if (check_devargs_item(item, comma ? (size_t) (comma - item)
				       : strlen(item), field, q, err, errsz))
			return -EINVAL;
	}
	return 0;
}

/* One "key=value" of devargs. */
static int
check_devargs_item(const char *item, size_t length, const char *field,
		   const char *quoted, char *err, size_t errsz)
{
	const char *eq = memchr(item, '=', length);
	size_t key = eq ? (size_t) (eq - item) : length;

	if (length == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' has an empty item",
			       field, quoted);
	if (!eq)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s': '%.*s' is not "
			       "key=value", field, quoted, (int) key, item);
	if (key == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' has an empty key",
			       field, quoted);
	for (size_t i = 0; i < key; i++)
		if (!is_word_char(item[i]))
			return ctl_err(err, errsz, -EINVAL, "%s: '%s': key "
				       "'%.*s' is not [A-Za-z0-9_]", field,
				       quoted, (int) key, item);
	if (key + 1 == length)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s': key '%.*s' has "
			       "an empty value", field, quoted, (int) key,
			       item);
	for (size_t i = key + 1; i < length; i++)
		if ((unsigned char) item[i] < 0x20 || item[i] == 0x7f)
			return ctl_err(err, errsz, -EINVAL, "%s: '%s': the value "
				       "of '%.*s' has a control character",
				       field, quoted, (int) key, item);
	return 0;
}

int
ctl_check_socket_path(const char *s, enum ctl_vhost_mode mode,
		      const char *field, char *err, size_t errsz)
{
	int rc = check_socket_syntax(s, field, err, errsz);

	return rc < 0 ? rc : check_socket_files(s, mode, field, err, errsz);
}

/* Absolute, shorter than sun_path, names a file. */
static int
check_socket_syntax(const char *s, const char *field, char *err,
		    size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	size_t length = strlen(s);

	if (length == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: a socket path cannot be "
			       "empty", field);
	if (s[0] != '/')
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not an absolute "
			       "path", field, ctl_quote(s, q));
	if (length >= CTL_PATH_SIZE)
		return ctl_err(err, errsz, -EINVAL, "%s: the path is %zu bytes, "
			       "at most %d", field, length, CTL_PATH_SIZE - 1);
	if (s[length - 1] == '/')
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' names a directory",
			       field, ctl_quote(s, q));
	for (size_t i = 0; i < length; i++)
		if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
			return ctl_err(err, errsz, -EINVAL, "%s: '%s' has a "
				       "control character", field,
				       ctl_quote(s, q));
	return 0;
}

/* The directory exists; a client-mode socket exists; whatever is at the
 * path already is a socket. */
static int
check_socket_files(const char *s, enum ctl_vhost_mode mode,
		   const char *field, char *err, size_t errsz)
{
	char dir[CTL_PATH_SIZE], q[CTL_QUOTE_SIZE];
	size_t dir_length = (size_t) (strrchr(s, '/') - s);
	struct stat st;

	memcpy(dir, s, dir_length);
	dir[dir_length ? dir_length : 1] = '\0';
	if (stat(dir, &st) < 0)
		return ctl_err(err, errsz, -EINVAL, "%s: directory '%s' %s", field,
			       ctl_quote(dir, q), errno == ENOENT
			       ? "does not exist" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a directory",
			       field, ctl_quote(dir, q));
	if (lstat(s, &st) < 0) {
		if (errno != ENOENT)
			return ctl_err(err, errsz, -EINVAL, "%s: '%s': %s", field,
				       ctl_quote(s, q), strerror(errno));
		if (mode == CTL_VHOST_CLIENT)
			return ctl_err(err, errsz, -EINVAL, "%s: '%s' does not "
				       "exist (in client mode the VM creates "
				       "it)", field, ctl_quote(s, q));
		return 0;
	}
	if (!S_ISSOCK(st.st_mode))
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' exists and is not a "
			       "socket", field, ctl_quote(s, q));
	return 0;
}

int
ctl_parse_port_type(const char *s, enum ctl_port_type *out,
		    const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, port_type_names, N_ELEMS(port_type_names), field,
			   err, errsz);

	if (v >= 0)
		*out = (enum ctl_port_type) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_vlan_mode(const char *s, enum ctl_vlan_mode *out,
		    const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, vlan_mode_names, N_ELEMS(vlan_mode_names), field,
			   err, errsz);

	if (v >= 0)
		*out = (enum ctl_vlan_mode) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_vhost_mode(const char *s, enum ctl_vhost_mode *out,
		     const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, vhost_mode_names, N_ELEMS(vhost_mode_names),
			   field, err, errsz);

	if (v >= 0)
		*out = (enum ctl_vhost_mode) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_mirror_mode(const char *s, enum ctl_mirror_mode *out,
		      const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, mirror_mode_names, N_ELEMS(mirror_mode_names),
			   field, err, errsz);

	if (v >= 0)
		*out = (enum ctl_mirror_mode) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_team_mode(const char *s, enum ctl_team_mode *out,
		    const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, team_mode_names, N_ELEMS(team_mode_names),
			   field, err, errsz);

	if (v >= 0)
		*out = (enum ctl_team_mode) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_team_lb(const char *s, enum ctl_team_lb *out, const char *field,
		  char *err, size_t errsz)
{
	int v = parse_enum(s, team_lb_names, N_ELEMS(team_lb_names), field,
			   err, errsz);

	if (v >= 0)
		*out = (enum ctl_team_lb) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_team_hash(const char *s, enum ctl_team_hash *out,
		    const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, team_hash_names, N_ELEMS(team_hash_names),
			   field, err, errsz);

	if (v >= 0)
		*out = (enum ctl_team_hash) v;
	return v < 0 ? v : 0;
}

int
ctl_parse_lacp_rate(const char *s, bool *fast, const char *field,
		    char *err, size_t errsz)
{
	return parse_bool(s, lacp_rate_names, fast, field, err, errsz);
}

int
ctl_parse_on_off(const char *s, bool *out, const char *field, char *err,
		 size_t errsz)
{
	return parse_bool(s, on_off_names, out, field, err, errsz);
}

int
ctl_parse_yes_no(const char *s, bool *out, const char *field, char *err,
		 size_t errsz)
{
	return parse_bool(s, yes_no_names, out, field, err, errsz);
}

int
ctl_parse_bits_per_s(const char *s, uint64_t *out, const char *field,
		     char *err, size_t errsz)
{
	return parse_rate(s, &bits_rate, out, field, err, errsz);
}

int
ctl_parse_packets_per_s(const char *s, uint64_t *out, const char *field,
			char *err, size_t errsz)
{
	return parse_rate(s, &packets_rate, out, field, err, errsz);
}

int
ctl_check_bits_per_s(long long v, const char *field, char *err,
		     size_t errsz)
{
	return check_rate_number(v, &bits_rate, field, err, errsz);
}

int
ctl_check_packets_per_s(long long v, const char *field, char *err,
			size_t errsz)
{
	return check_rate_number(v, &packets_rate, field, err, errsz);
}

int
ctl_check_min_weight(long long v, const char *field, char *err,
		     size_t errsz)
{
	if (v < 0 || v > CTL_MIN_WEIGHT_MAX)
		return ctl_err(err, errsz, -EINVAL, "%s: %lld is out of range "
			       "(%d-%d, or 0 for not set)", field, v,
			       CTL_MIN_WEIGHT_MIN, CTL_MIN_WEIGHT_MAX);
	return 0;
}

int
ctl_check_vsid(long long v, const char *field, char *err, size_t errsz)
{
	if (v != 0 && (v < CTL_VSID_MIN || v > CTL_VSID_MAX))
		return ctl_err(err, errsz, -EINVAL, "%s: %lld is out of range "
			       "(%d-%d, or 0 for none)", field, v, CTL_VSID_MIN,
			       CTL_VSID_MAX);
	return 0;
}

/* 's' as a rate of kind 'k'; '*out' is written only on success. */
static int
parse_rate(const char *s, const struct rate_kind *k, uint64_t *out,
	   const char *field, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE], text[CTL_QUOTE_SIZE + 2];
	uint64_t v;

	ctl_quote(s, q);
	if (!scan_rate(s, k->suffixes, &v))
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a rate in "
			       "%s (e.g. %s)", field, q, k->unit, k->examples);
	if (!rate_in_range(v, k)) {
		snprintf(text, sizeof text, "'%s'", q);
		return rate_error(field, text, k, err, errsz);
	}
	*out = v;
	return 0;
}

/* Formatters and VLAN sets. */

void
ctl_format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

void
ctl_format_rate(uint64_t v, char buf[24])
{
	static const char suffixes[] = "kMGT";
	int i = -1;

	while (v != 0 && v % 1000 == 0 && i + 1 < (int) sizeof suffixes - 1) {
		v /= 1000;
		i++;
	}
	if (i < 0)
		snprintf(buf, 24, "%llu", (unsigned long long) v);
	else
		snprintf(buf, 24, "%llu%c", (unsigned long long) v,
			 suffixes[i]);
}

/* Runs of three or more ids become "a-b"; the output is cut (still
 * NUL-terminated) when 'bufsz' is too small, see CTL_VLAN_LIST_SIZE. */
void
ctl_format_vlan_list(const struct ctl_vlan_set *set, char *buf,
		     size_t bufsz)
{
	size_t used = 0;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (unsigned int v = CTL_VLAN_MIN; v <= CTL_VLAN_MAX; v++) {
		unsigned int end = v;
		int n;

		if (!ctl_vlan_set_has(set, (uint16_t) v))
			continue;
		while (end < CTL_VLAN_MAX && ctl_vlan_set_has(set,
							      (uint16_t) (end + 1)))
			end++;
		if (end - v >= 2)
			n = snprintf(buf + used, bufsz - used, "%s%u-%u",
				     used ? "," : "", v, end);
		else
			n = snprintf(buf + used, bufsz - used, "%s%u",
				     used ? "," : "", v);
		if (n < 0 || (size_t) n >= bufsz - used)
			return;
		used += (size_t) n;
		if (end - v < 2)
			end = v;
		v = end;
	}
}

bool
ctl_vlan_set_has(const struct ctl_vlan_set *set, uint16_t vid)
{
	return vid < 4096 && (set->bits[vid / 64] >> (vid % 64)) & 1;
}

void
ctl_vlan_set_add(struct ctl_vlan_set *set, uint16_t vid)
{
	if (vid >= CTL_VLAN_MIN && vid <= CTL_VLAN_MAX)
		set->bits[vid / 64] |= 1ULL << (vid % 64);
}

bool
ctl_vlan_set_empty(const struct ctl_vlan_set *set)
{
	for (size_t i = 0; i < N_ELEMS(set->bits); i++)
		if (set->bits[i])
			return false;
	return true;
}

const char *
ctl_port_type_name(enum ctl_port_type t)
{
	return (unsigned int) t < N_ELEMS(port_type_names)
	       ? port_type_names[t] : "?";
}

const char *
ctl_vlan_mode_name(enum ctl_vlan_mode m)
{
	return (unsigned int) m < N_ELEMS(vlan_mode_names)
	       ? vlan_mode_names[m] : "?";
}

const char *
ctl_vhost_mode_name(enum ctl_vhost_mode m)
{
	return (unsigned int) m < N_ELEMS(vhost_mode_names)
	       ? vhost_mode_names[m] : "?";
}

const char *
ctl_mirror_mode_name(enum ctl_mirror_mode m)
{
	return (unsigned int) m < N_ELEMS(mirror_mode_names)
	       ? mirror_mode_names[m] : "?";
}

const char *
ctl_team_mode_name(enum ctl_team_mode m)
{
	return (unsigned int) m < N_ELEMS(team_mode_names)
	       ? team_mode_names[m] : "?";
}

const char *
ctl_team_lb_name(enum ctl_team_lb lb)
{
	return (unsigned int) lb < N_ELEMS(team_lb_names)
	       ? team_lb_names[lb] : "?";
}

const char *
ctl_team_hash_name(enum ctl_team_hash h)
{
	return (unsigned int) h < N_ELEMS(team_hash_names)
	       ? team_hash_names[h] : "?";
}

const char *
ctl_lacp_rate_name(bool fast)
{
	return lacp_rate_names[fast];
}

/* Messages. */

int
ctl_err(char *err, size_t errsz, int ret, const char *fmt, ...)
{
	va_list args;

	if (err && errsz > 0) {
		va_start(args, fmt);
		vsnprintf(err, errsz, fmt, args);
		va_end(args);
	}
	return ret;
}

const char *
ctl_quote(const char *s, char buf[CTL_QUOTE_SIZE])
{
	size_t n = 0;

	for (; n < 64 && s[n]; n++)
		buf[n] = ((unsigned char) s[n] < 0x20
			  || (unsigned char) s[n] >= 0x7f
			  || s[n] == '\'' || s[n] == '"') ? '?' : s[n];
	if (s[n]) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

const char *
ctl_field(char buf[CTL_FIELD_SIZE], const char *prefix, const char *key)
{
	snprintf(buf, CTL_FIELD_SIZE, "%s%s%s", prefix, *prefix ? "." : "",
		 key);
	return buf;
}

/* Static helpers. */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)
	       || c == '_';
}

/* True when the 'length' bytes at 's' are 1 or more decimal digits; big
 * numbers saturate at 100000, which no range accepts. */
static bool
scan_number(const char *s, size_t length, long long *out)
{
	long long v = 0;

	if (length == 0)
		return false;
	for (size_t i = 0; i < length; i++) {
		if (!is_digit(s[i]))
			return false;
		if (v < 100000)
			v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int
hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Index of 's' in 'names', or -EINVAL with a message listing them. */
static int
parse_enum(const char *s, const char *const *names, size_t n,
	   const char *field, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE], list[64] = "";

	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int) i;
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			 i ? ", " : "", names[i]);
	return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not one of %s", field,
		       ctl_quote(s, q), list);
}

/* A port or team name ('what'): 1..15 of [A-Za-z0-9_.-]. */
static int
parse_name(const char *s, const char *what, const char *field, char *err,
	   size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	size_t length = strlen(s);

	if (length == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: a %s name cannot be "
			       "empty", field, what);
	if (length >= CTL_NAME_SIZE)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is longer than "
			       "%d characters", field, ctl_quote(s, q),
			       CTL_NAME_SIZE - 1);
	for (size_t i = 0; i < length; i++)
		if (!is_word_char(s[i]) && s[i] != '.' && s[i] != '-')
			return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a "
				       "%s name (A-Z a-z 0-9 _ . -)", field,
				       ctl_quote(s, q), what);
	return 0;
}

/* 'names' is { false, true }. */
static int
parse_bool(const char *s, const char *const names[2], bool *out,
	   const char *field, char *err, size_t errsz)
{
	int v = parse_enum(s, names, 2, field, err, errsz);

	if (v >= 0)
		*out = v == 1;
	return v < 0 ? v : 0;
}

/* Reads the rate at 's' (see config.h) into '*out', saturated at
 * UINT64_MAX so that any overflow is out of range.  False when 's' is not
 * digits, an optional '.' and digits, and one optional suffix of
 * 'suffixes'; or when the fraction has more digits than the suffix has
 * zeros, so that the value would not be whole. */
static bool
scan_rate(const char *s, const char *suffixes, uint64_t *out)
{
	size_t n_whole = strspn(s, "0123456789"), n_fraction = 0;
	const char *p = s + n_whole, *fraction = NULL;
	uint64_t whole = 0, part = 0, scale = 1;
	unsigned int n_zeros = 0;

	if (*p == '.') {
		fraction = p + 1;
		n_fraction = strspn(fraction, "0123456789");
		p = fraction + n_fraction;
	}
	if (*p != '\0' && strchr(suffixes, *p))
		n_zeros = suffix_digits(*p++);
	if (n_whole == 0 || *p != '\0' || (fraction && n_fraction == 0)
	    || n_fraction > n_zeros)
		return false;
	for (size_t i = 0; i < n_whole; i++)
		whole = whole <= (UINT64_MAX - 9) / 10
			? whole * 10 + (uint64_t) (s[i] - '0') : UINT64_MAX;
	for (unsigned int i = 0; i < n_zeros; i++) {
		part = part * 10 + (i < n_fraction
				    ? (uint64_t) (fraction[i] - '0') : 0);
		scale *= 10;
	}
	*out = whole > (UINT64_MAX - part) / scale ? UINT64_MAX
	       : whole * scale + part;
	return true;
}

/* The number of zeros a rate suffix stands for. */
static unsigned int
suffix_digits(char suffix)
{
	switch (suffix) {
	case 'k':
	case 'K':
		return 3;
	case 'M':
		return 6;
	case 'G':
		return 9;
	case 'T':
		return 12;
	}
	return 0;
}

static bool
rate_in_range(uint64_t v, const struct rate_kind *k)
{
	return v == 0 || (v >= k->min && v <= k->max);
}

static int
check_rate(uint64_t v, const struct rate_kind *k, const char *field,
	   char *err, size_t errsz)
{
	char text[24];

	if (rate_in_range(v, k))
		return 0;
	snprintf(text, sizeof text, "%llu", (unsigned long long) v);
	return rate_error(field, text, k, err, errsz);
}

static int
check_rate_number(long long v, const struct rate_kind *k, const char *field,
		  char *err, size_t errsz)
{
	char text[24];

	if (v >= 0)
		return check_rate((uint64_t) v, k, field, err, errsz);
	snprintf(text, sizeof text, "%lld", v);
	return rate_error(field, text, k, err, errsz);
}

/* "FIELD: TEXT is out of range (0, or 1k-1T bits/s)". */
static int
rate_error(const char *field, const char *text, const struct rate_kind *k,
	   char *err, size_t errsz)
{
	char lo[24], hi[24];

	ctl_format_rate(k->min, lo);
	ctl_format_rate(k->max, hi);
	if (k->min <= 1)
		return ctl_err(err, errsz, -EINVAL, "%s: %s is out of range "
			       "(0-%s %s)", field, text, hi, k->unit);
	return ctl_err(err, errsz, -EINVAL, "%s: %s is out of range (0, or "
		       "%s-%s %s)", field, text, lo, hi, k->unit);
}

/* "[DDDD:]BB:DD.F" in hex, F 0-7. */
static bool
is_pci_address(const char *s, size_t length)
{
	static const char long_form[] = "hhhh:hh:hh.f";
	const char *form = length == 12 ? long_form : long_form + 5;

	if (length != 12 && length != 7)
		return false;
	for (size_t i = 0; i < length; i++) {
		if (form[i] == 'h' && hex_value(s[i]) < 0)
			return false;
		if (form[i] == 'f' && (s[i] < '0' || s[i] > '7'))
			return false;
		if (form[i] != 'h' && form[i] != 'f' && s[i] != form[i])
			return false;
	}
	return true;
}
