/* The JSON form of the configuration (docs/config.md) and its file.
 *
 * Decoding is strict: Jansson rejects duplicate keys and syntax errors
 * (reported with line and column), and every object is checked against the
 * list of keys it may hold before any value is read, so that a misspelt key
 * is named rather than silently ignored.  No json_t leaves this file. */
#include "control/config_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_FILE_MAX_SIZE (64u << 20)

static const char *const root_keys[] = {
	"schema_version", "switch", "teams", "ports", "static_macs", NULL
};
static const char *const switch_keys[] = { "mac_aging_s", NULL };
static const char *const port_keys[] = {
	"name", "type", "socket", "vhost_mode", "devargs", "team", "mac",
	"vlan_mode",
	"vlan", "allowed_vlans", "native_vlan", "mac_spoofing", "dhcp_guard",
	"router_guard", "max_bandwidth", "min_weight", "storm_limit", "mirror",
	"connected", "link_speed", "vsid", NULL
};
static const char *const team_keys[] = {
	"name", "members", "mode", "lb", "hash", "lacp_rate", "lacp_passive",
	NULL
};
static const char *const static_mac_keys[] = { "mac", "vlan", "port", NULL };

static int decode_root(json_t *root, struct ctl_config *cfg, char *err,
		       size_t errsz);
static int decode_switch(json_t *obj, struct ctl_config *cfg, char *err,
			 size_t errsz);
static int decode_ports(json_t *ports, struct ctl_config *cfg, char *err,
			size_t errsz);
static int decode_teams(json_t *teams, struct ctl_config *cfg, char *err,
			size_t errsz);
static int decode_static_macs(json_t *macs, struct ctl_config *cfg,
			      char *err, size_t errsz);
static int decode_port(json_t *obj, const char *path, struct ctl_port *p,
		       char *err, size_t errsz);
static int decode_port_attachment(json_t *obj, const char *path,
				  struct ctl_port *p, char *err, size_t errsz);
static int decode_port_vlans(json_t *obj, const char *path,
			     struct ctl_port *p, char *err, size_t errsz);
static int decode_team(json_t *obj, unsigned int index, struct ctl_team *t,
		       char *err, size_t errsz);
static int decode_team_members(json_t *obj, const char *path,
			       struct ctl_team *t, char *err, size_t errsz);
static int decode_team_options(json_t *obj, const char *path,
			       struct ctl_team *t, char *err, size_t errsz);
static int decode_static_mac(json_t *obj, const char *path,
			     struct ctl_static_mac *m, char *err,
			     size_t errsz);
static int check_keys(json_t *obj, const char *path,
		      const char *const *allowed, char *err, size_t errsz);
static int check_mode_key(json_t *obj, const char *path, const char *key,
			  bool allowed, const char *mode, const char *only,
			  char *err, size_t errsz);
static int get_string(json_t *obj, const char *path, const char *key,
		      bool required, const char **out, char *err,
		      size_t errsz);
static int get_int(json_t *obj, const char *path, const char *key,
		   long long *out, char *err, size_t errsz);
static int get_bool(json_t *obj, const char *path, const char *key,
		    bool *out, char *err, size_t errsz);
static int get_checked_int(json_t *obj, const char *path, const char *key,
			   int (*check)(long long, const char *, char *,
					size_t),
			   long long *out, char *err, size_t errsz);
static int copy_string(char *dst, size_t size, const char *s,
		       const char *field, char *err, size_t errsz);
static json_t *encode_config(const struct ctl_config *cfg);
static json_t *encode_port(const struct ctl_port *p);
static json_t *encode_team(const struct ctl_team *t);
static bool encode_port_policies(json_t *obj, const struct ctl_port *p);
static json_t *encode_static_mac(const struct ctl_static_mac *m);
static bool put(json_t *obj, const char *key, json_t *value);
static char *read_file(int fd, const char *path, char *err, size_t errsz);
static int write_all(int fd, const char *data, size_t size);
static int sync_dir(const char *dir);

int
ctl_config_from_json(const char *text, struct ctl_config *out, char *err,
		     size_t errsz)
{
	struct ctl_config *cfg;
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ctl_err(err, errsz, -EINVAL, "line %d, column %d: %s",
			       jerr.line, jerr.column, jerr.text);
	cfg = ctl_config_new();
	if (!cfg) {
		json_decref(root);
		return ctl_err(err, errsz, -ENOMEM, "out of memory");
	}
	rc = decode_root(root, cfg, err, errsz);
	if (rc == 0)
		rc = ctl_config_validate(cfg, err, errsz);
	if (rc == 0)
		memcpy(out, cfg, sizeof *cfg);
	ctl_config_free(cfg);
	json_decref(root);
	return rc;
}

char *
ctl_config_to_json(const struct ctl_config *cfg)
{
	json_t *root = encode_config(cfg);
	char *text;

	if (!root)
		return NULL;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

int
ctl_config_load_file(const char *path, struct ctl_config *out, char *err,
		     size_t errsz)
{
	char msg[512];
	char *text;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		memset(out, 0, sizeof *out);
		out->mac_aging_s = CTL_MAC_AGING_DEFAULT;
		return 1;
	}
	if (fd < 0)
		return ctl_err(err, errsz, -EIO, "%s: %s", path,
			       strerror(errno));
	text = read_file(fd, path, err, errsz);
	close(fd);
	if (!text)
		return -EIO;
	rc = ctl_config_from_json(text, out, msg, sizeof msg);
	free(text);
	if (rc < 0)
		return ctl_err(err, errsz, rc, "%s: %s", path, msg);
	return 0;
}

unsigned int
ctl_remove_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t blen = strlen(base);
	char *dir = NULL, *victim = NULL;
	unsigned int n = 0;
	struct dirent *e;
	DIR *d;

	if (asprintf(&dir, "%.*s", slash ? (int) (slash - path) : 1,
		     slash ? (slash == path ? "/" : path) : ".") < 0)
		return 0;
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		/* "." NAME "." and mkostemp's six characters. */
		if (e->d_name[0] != '.' || strlen(e->d_name) != blen + 8
		    || strncmp(e->d_name + 1, base, blen)
		    || e->d_name[blen + 1] != '.')
			continue;
		if (asprintf(&victim, "%s/%s", dir, e->d_name) >= 0) {
			if (unlink(victim) == 0)
				n++;
			free(victim);
		}
	}
	if (d)
		closedir(d);
	free(dir);
	return n;
}

int
ctl_config_save_file(const char *path, const struct ctl_config *cfg,
		     char *err, size_t errsz)
{
	const char *slash = strrchr(path, '/');
	char *text, *tmp = NULL, *dir = NULL;
	int fd = -1, rc;

	if (ctl_config_validate(cfg, err, errsz) < 0)
		return -EINVAL;
	text = ctl_config_to_json(cfg);
	if (!text
	    || asprintf(&dir, "%.*s", slash ? (int) (slash - path) : 1,
			slash ? (slash == path ? "/" : path) : ".") < 0
	    || asprintf(&tmp, "%s/.%s.XXXXXX", dir, slash ? slash + 1 : path)
	       < 0) {
		free(text);
		free(dir);
		return ctl_err(err, errsz, -ENOMEM, "out of memory");
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	rc = fd < 0 ? -errno : write_all(fd, text, strlen(text));
	if (rc == 0)
		rc = write_all(fd, "\n", 1);
	if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = -errno;
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		ctl_err(err, errsz, -EIO, "%s: cannot write: %s", path,
			strerror(-rc));
		if (fd >= 0)
			unlink(tmp);
	} else if (sync_dir(dir) < 0) {
		rc = -errno;
		ctl_err(err, errsz, -EIO, "%s: cannot sync: %s", dir,
			strerror(-rc));
	}
	free(text);
	free(tmp);
	free(dir);
	return rc < 0 ? -EIO : 0;
}

/* Decoding. */

static int
decode_root(json_t *root, struct ctl_config *cfg, char *err, size_t errsz)
{
	long long version;

	if (!json_is_object(root))
		return ctl_err(err, errsz, -EINVAL, "the configuration must be an "
			       "object, not %s", ctl_json_type_name(root));
	if (check_keys(root, "", root_keys, err, errsz) < 0)
		return -EINVAL;
	if (!json_object_get(root, "schema_version"))
		return ctl_err(err, errsz, -EINVAL, "schema_version: required "
			       "key is missing");
	if (get_int(root, "", "schema_version", &version, err, errsz) < 0)
		return -EINVAL;
	if (version != CTL_SCHEMA_VERSION)
		return ctl_err(err, errsz, -EINVAL, "schema_version: %lld is not "
			       "supported (expected %d)", version,
			       CTL_SCHEMA_VERSION);
	if (decode_switch(json_object_get(root, "switch"), cfg, err, errsz)
	    || decode_teams(json_object_get(root, "teams"), cfg, err, errsz)
	    || decode_ports(json_object_get(root, "ports"), cfg, err, errsz)
	    || decode_static_macs(json_object_get(root, "static_macs"), cfg,
				  err, errsz))
		return -EINVAL;
	return 0;
}

static int
decode_ports(json_t *ports, struct ctl_config *cfg, char *err, size_t errsz)
{
	char path[40];
	json_t *v;
	size_t i;

	if (ports && !json_is_array(ports))
		return ctl_err(err, errsz, -EINVAL, "ports: expected an array, "
			       "got %s", ctl_json_type_name(ports));
	if (json_array_size(ports) > CTL_MAX_PORTS)
		return ctl_err(err, errsz, -EINVAL, "ports: %zu ports, at most %d",
			       json_array_size(ports), CTL_MAX_PORTS);
	json_array_foreach(ports, i, v) {
		snprintf(path, sizeof path, "ports[%zu]", i);
		if (decode_port(v, path, &cfg->ports[i], err, errsz) < 0)
			return -EINVAL;
		cfg->n_ports++;
	}
	return 0;
}

static int
decode_teams(json_t *teams, struct ctl_config *cfg, char *err, size_t errsz)
{
	json_t *v;
	size_t i;

	if (teams && !json_is_array(teams))
		return ctl_err(err, errsz, -EINVAL, "teams: expected an array, "
			       "got %s", ctl_json_type_name(teams));
	if (json_array_size(teams) > CTL_MAX_TEAMS)
		return ctl_err(err, errsz, -EINVAL, "teams: %zu teams, at "
			       "most %d", json_array_size(teams),
			       CTL_MAX_TEAMS);
	json_array_foreach(teams, i, v) {
		if (decode_team(v, (unsigned int) i, &cfg->teams[i], err,
				errsz) < 0)
			return -EINVAL;
		cfg->n_teams++;
	}
	return 0;
}

static int
decode_static_macs(json_t *macs, struct ctl_config *cfg, char *err,
		   size_t errsz)
{
	char path[40];
	json_t *v;
	size_t i;

	if (macs && !json_is_array(macs))
		return ctl_err(err, errsz, -EINVAL, "static_macs: expected an "
			       "array, got %s", ctl_json_type_name(macs));
	if (json_array_size(macs) > CTL_MAX_STATIC_MACS)
		return ctl_err(err, errsz, -EINVAL, "static_macs: %zu entries, at "
			       "most %d", json_array_size(macs),
			       CTL_MAX_STATIC_MACS);
	json_array_foreach(macs, i, v) {
		snprintf(path, sizeof path, "static_macs[%zu]", i);
		if (decode_static_mac(v, path, &cfg->static_macs[i], err,
				      errsz) < 0)
			return -EINVAL;
		cfg->n_static_macs++;
	}
	return 0;
}

static int
decode_switch(json_t *obj, struct ctl_config *cfg, char *err, size_t errsz)
{
	long long aging;

	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return ctl_err(err, errsz, -EINVAL, "switch: expected an object, "
			       "got %s", ctl_json_type_name(obj));
	if (check_keys(obj, "switch", switch_keys, err, errsz) < 0)
		return -EINVAL;
	if (!json_object_get(obj, "mac_aging_s"))
		return 0;
	if (get_int(obj, "switch", "mac_aging_s", &aging, err, errsz) < 0)
		return -EINVAL;
	if (aging < CTL_MAC_AGING_MIN || aging > CTL_MAC_AGING_MAX)
		return ctl_err(err, errsz, -EINVAL, "switch.mac_aging_s: %lld is "
			       "out of range (%d-%d)", aging, CTL_MAC_AGING_MIN,
			       CTL_MAC_AGING_MAX);
	cfg->mac_aging_s = (uint32_t) aging;
	return 0;
}

/* Fills the zeroed 'p' from 'obj'; cross-field rules are left to
 * ctl_port_validate(), except keys that do not belong to the VLAN mode. */
static int
decode_port(json_t *obj, const char *path, struct ctl_port *p, char *err,
	    size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *s;

	if (!json_is_object(obj))
		return ctl_err(err, errsz, -EINVAL, "%s: expected an object, got "
			       "%s", path, ctl_json_type_name(obj));
	if (check_keys(obj, path, port_keys, err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "name", true, &s, err, errsz) < 0
	    || ctl_parse_port_name(s, ctl_field(field, path, "name"), err,
				   errsz) < 0)
		return -EINVAL;
	memcpy(p->name, s, strlen(s) + 1);
	if (get_string(obj, path, "type", true, &s, err, errsz) < 0
	    || ctl_parse_port_type(s, &p->type, ctl_field(field, path, "type"),
				   err, errsz) < 0)
		return -EINVAL;
	if (decode_port_attachment(obj, path, p, err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "mac", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && ctl_parse_mac(s, p->mac, ctl_field(field, path, "mac"), err,
			       errsz) < 0)
		return -EINVAL;
	p->has_mac = s != NULL;
	if (decode_port_vlans(obj, path, p, err, errsz) < 0)
		return -EINVAL;
	return ctl_decode_port_policies(obj, path, p, err, errsz);
}

static int
decode_port_attachment(json_t *obj, const char *path, struct ctl_port *p,
		       char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *s;

	if (get_string(obj, path, "socket", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && copy_string(p->socket, sizeof p->socket, s,
			     ctl_field(field, path, "socket"), err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "vhost_mode", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && !p->socket[0])
		return ctl_err(err, errsz, -EINVAL, "%s: only with socket",
			       ctl_field(field, path, "vhost_mode"));
	if (s && ctl_parse_vhost_mode(s, &p->vhost_mode, ctl_field(field, path,
				      "vhost_mode"), err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "devargs", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && copy_string(p->devargs, sizeof p->devargs, s,
			     ctl_field(field, path, "devargs"), err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "team", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && (ctl_parse_team_name(s, ctl_field(field, path, "team"), err,
				      errsz) < 0))
		return -EINVAL;
	if (s)
		memcpy(p->team, s, strlen(s) + 1);
	return 0;
}

static int
decode_port_vlans(json_t *obj, const char *path, struct ctl_port *p,
		  char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *s, *mode;
	long long v;

	if (get_string(obj, path, "vlan_mode", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && ctl_parse_vlan_mode(s, &p->vlan_mode, ctl_field(field, path,
				     "vlan_mode"), err, errsz) < 0)
		return -EINVAL;
	mode = ctl_vlan_mode_name(p->vlan_mode);
	if (check_mode_key(obj, path, "vlan", p->vlan_mode == CTL_VLAN_ACCESS,
			   mode, "access", err, errsz) < 0
	    || check_mode_key(obj, path, "allowed_vlans",
			      p->vlan_mode == CTL_VLAN_TRUNK, mode, "trunk",
			      err, errsz) < 0
	    || check_mode_key(obj, path, "native_vlan",
			      p->vlan_mode == CTL_VLAN_TRUNK, mode, "trunk",
			      err, errsz) < 0)
		return -EINVAL;
	if (json_object_get(obj, "vlan")) {
		if (get_int(obj, path, "vlan", &v, err, errsz) < 0
		    || ctl_parse_vlan_id(v, ctl_field(field, path, "vlan"), err,
					 errsz) < 0)
			return -EINVAL;
		p->vlan = (uint16_t) v;
	}
	if (get_string(obj, path, "allowed_vlans", false, &s, err, errsz) < 0)
		return -EINVAL;
	if (s && ctl_parse_vlan_list(s, &p->allowed, ctl_field(field, path,
				     "allowed_vlans"), err, errsz) < 0)
		return -EINVAL;
	if (json_object_get(obj, "native_vlan")) {
		if (get_int(obj, path, "native_vlan", &v, err, errsz) < 0
		    || (v != 0 && ctl_parse_vlan_id(v, ctl_field(field, path,
						    "native_vlan"), err,
						    errsz) < 0))
			return -EINVAL;
		p->native_vlan = (uint16_t) v;
	}
	return 0;
}

/* A policy key on a port type that does not take it is refused even at its
 * default value, as VLAN keys are outside their mode. */
int
ctl_decode_port_policies(json_t *obj, const char *path, struct ctl_port *p,
			 char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	long long max_bandwidth = (long long) p->max_bandwidth;
	long long storm_limit = (long long) p->storm_limit;
	long long link_speed = (long long) p->link_speed;
	long long min_weight = p->min_weight;
	long long vsid = p->vsid;
	bool connected = !p->disconnected;
	const char *key, *s;
	json_t *v;

	json_object_foreach(obj, key, v)
		if (ctl_check_policy_type(key, p->type, ctl_field(field, path,
					  key), err, errsz) < 0)
			return -EINVAL;
	if (get_bool(obj, path, "mac_spoofing", &p->mac_spoofing, err,
		     errsz) < 0
	    || get_bool(obj, path, "dhcp_guard", &p->dhcp_guard, err, errsz) < 0
	    || get_bool(obj, path, "router_guard", &p->router_guard, err,
			errsz) < 0
	    || get_checked_int(obj, path, "max_bandwidth", ctl_check_bits_per_s,
			       &max_bandwidth, err, errsz) < 0
	    || get_checked_int(obj, path, "min_weight", ctl_check_min_weight,
			       &min_weight, err, errsz) < 0
	    || get_checked_int(obj, path, "storm_limit",
			       ctl_check_packets_per_s, &storm_limit, err,
			       errsz) < 0
	    || get_string(obj, path, "mirror", false, &s, err, errsz) < 0
	    || (s && ctl_parse_mirror_mode(s, &p->mirror, ctl_field(field, path,
					   "mirror"), err, errsz) < 0)
	    || get_bool(obj, path, "connected", &connected, err, errsz) < 0
	    || get_checked_int(obj, path, "link_speed", ctl_check_bits_per_s,
			       &link_speed, err, errsz) < 0
	    || get_checked_int(obj, path, "vsid", ctl_check_vsid, &vsid, err,
			       errsz) < 0)
		return -EINVAL;
	p->max_bandwidth = (uint64_t) max_bandwidth;
	p->min_weight = (uint8_t) min_weight;
	p->storm_limit = (uint64_t) storm_limit;
	p->disconnected = !connected;
	p->link_speed = (uint64_t) link_speed;
	p->vsid = (uint32_t) vsid;
	return 0;
}

/* Team 'index' of the file into the zeroed 't'.  Fields are named by
 * index until the name is read, then by name: "teams[t1].members[0]". */
static int
decode_team(json_t *obj, unsigned int index, struct ctl_team *t, char *err,
	    size_t errsz)
{
	char path[40], field[CTL_FIELD_SIZE];
	const char *s;

	snprintf(path, sizeof path, "teams[%u]", index);
	if (!json_is_object(obj))
		return ctl_err(err, errsz, -EINVAL, "%s: expected an object, "
			       "got %s", path, ctl_json_type_name(obj));
	if (check_keys(obj, path, team_keys, err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "name", true, &s, err, errsz) < 0
	    || ctl_parse_team_name(s, ctl_field(field, path, "name"), err,
				   errsz) < 0)
		return -EINVAL;
	memcpy(t->name, s, strlen(s) + 1);
	snprintf(path, sizeof path, "teams[%s]", t->name);
	return ctl_decode_team(obj, path, t, err, errsz);
}

int
ctl_decode_team(json_t *obj, const char *path, struct ctl_team *t,
		char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *s;

	if (decode_team_members(obj, path, t, err, errsz) < 0
	    || get_string(obj, path, "mode", true, &s, err, errsz) < 0
	    || ctl_parse_team_mode(s, &t->mode, ctl_field(field, path, "mode"),
				   err, errsz) < 0
	    || get_string(obj, path, "lb", true, &s, err, errsz) < 0
	    || ctl_parse_team_lb(s, &t->lb, ctl_field(field, path, "lb"), err,
				 errsz) < 0
	    || decode_team_options(obj, path, t, err, errsz) < 0)
		return -EINVAL;
	return ctl_team_validate(t, path, err, errsz);
}

/* "members": an array of 1..CTL_MAX_TEAM_MEMBERS devargs strings. */
static int
decode_team_members(json_t *obj, const char *path, struct ctl_team *t,
		    char *err, size_t errsz)
{
	json_t *members = json_object_get(obj, "members"), *v;
	char field[CTL_FIELD_SIZE], key[32];
	size_t i;

	ctl_field(field, path, "members");
	if (!members)
		return ctl_err(err, errsz, -EINVAL, "%s: required key is "
			       "missing", field);
	if (!json_is_array(members))
		return ctl_err(err, errsz, -EINVAL, "%s: expected an array, "
			       "got %s", field, ctl_json_type_name(members));
	if (json_array_size(members) > CTL_MAX_TEAM_MEMBERS)
		return ctl_err(err, errsz, -EINVAL, "%s: %zu members, at "
			       "most %d", field, json_array_size(members),
			       CTL_MAX_TEAM_MEMBERS);
	memset(t->members, 0, sizeof t->members);
	t->n_members = 0;
	json_array_foreach(members, i, v) {
		snprintf(key, sizeof key, "members[%zu]", i);
		ctl_field(field, path, key);
		if (!json_is_string(v))
			return ctl_err(err, errsz, -EINVAL, "%s: expected a "
				       "string, got %s", field,
				       ctl_json_type_name(v));
		if (copy_string(t->members[i], sizeof t->members[i],
				json_string_value(v), field, err, errsz) < 0)
			return -EINVAL;
		t->n_members++;
	}
	return 0;
}

/* "hash", "lacp_rate" and "lacp_passive", each refused where the mode or
 * balancing does not use it, as VLAN keys are outside their mode. */
static int
decode_team_options(json_t *obj, const char *path, struct ctl_team *t,
		    char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *s;

	if (t->lb != CTL_TEAM_LB_ADDRESS_HASH && json_object_get(obj, "hash"))
		return ctl_err(err, errsz, -EINVAL, "%s: only with lb "
			       "address-hash", ctl_field(field, path, "hash"));
	if (t->mode != CTL_TEAM_LACP && json_object_get(obj, "lacp_rate"))
		return ctl_err(err, errsz, -EINVAL, "%s: only with mode lacp",
			       ctl_field(field, path, "lacp_rate"));
	if (t->mode != CTL_TEAM_LACP && json_object_get(obj, "lacp_passive"))
		return ctl_err(err, errsz, -EINVAL, "%s: only with mode lacp",
			       ctl_field(field, path, "lacp_passive"));
	if (get_string(obj, path, "hash", false, &s, err, errsz) < 0
	    || (s && ctl_parse_team_hash(s, &t->hash, ctl_field(field, path,
					 "hash"), err, errsz) < 0)
	    || get_string(obj, path, "lacp_rate", false, &s, err, errsz) < 0
	    || (s && ctl_parse_lacp_rate(s, &t->lacp_fast, ctl_field(field,
					 path, "lacp_rate"), err, errsz) < 0)
	    || get_bool(obj, path, "lacp_passive", &t->lacp_passive, err,
			errsz) < 0)
		return -EINVAL;
	return 0;
}

static int
decode_static_mac(json_t *obj, const char *path, struct ctl_static_mac *m,
		  char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	const char *s;
	long long vlan = 0;

	if (!json_is_object(obj))
		return ctl_err(err, errsz, -EINVAL, "%s: expected an object, got "
			       "%s", path, ctl_json_type_name(obj));
	if (check_keys(obj, path, static_mac_keys, err, errsz) < 0)
		return -EINVAL;
	if (get_string(obj, path, "mac", true, &s, err, errsz) < 0
	    || ctl_parse_mac(s, m->mac, ctl_field(field, path, "mac"), err,
			     errsz) < 0)
		return -EINVAL;
	if (json_object_get(obj, "vlan")
	    && (get_int(obj, path, "vlan", &vlan, err, errsz) < 0
		|| (vlan != 0 && ctl_parse_vlan_id(vlan, ctl_field(field, path,
						   "vlan"), err, errsz) < 0)))
		return -EINVAL;
	m->vlan = (uint16_t) vlan;
	if (get_string(obj, path, "port", true, &s, err, errsz) < 0
	    || ctl_parse_port_name(s, ctl_field(field, path, "port"), err,
				   errsz) < 0)
		return -EINVAL;
	memcpy(m->port, s, strlen(s) + 1);
	return 0;
}

/* Rejects the first key of 'obj' that is not in the NULL-terminated
 * 'allowed'. */
static int
check_keys(json_t *obj, const char *path, const char *const *allowed,
	   char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE], q[CTL_QUOTE_SIZE];
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *const *k = allowed;

		while (*k && strcmp(*k, key))
			k++;
		if (!*k)
			return ctl_err(err, errsz, -EINVAL, "%s: unknown key",
				       ctl_field(field, path,
						 ctl_quote(key, q)));
	}
	return 0;
}

/* A VLAN key present in a port whose mode does not take it. */
static int
check_mode_key(json_t *obj, const char *path, const char *key, bool allowed,
	       const char *mode, const char *only, char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];

	if (allowed || !json_object_get(obj, key))
		return 0;
	return ctl_err(err, errsz, -EINVAL, "%s: not allowed with vlan_mode %s "
		       "(only with %s)", ctl_field(field, path, key), mode,
		       only);
}

/* '*out' is the string at 'key', or NULL when absent and not
 * 'required'. */
static int
get_string(json_t *obj, const char *path, const char *key, bool required,
	   const char **out, char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v && !required)
		return 0;
	if (!v)
		return ctl_err(err, errsz, -EINVAL, "%s: required key is missing",
			       ctl_field(field, path, key));
	if (!json_is_string(v))
		return ctl_err(err, errsz, -EINVAL, "%s: expected a string, got "
			       "%s", ctl_field(field, path, key), ctl_json_type_name(v));
	*out = json_string_value(v);
	return 0;
}

static int
get_int(json_t *obj, const char *path, const char *key, long long *out,
	char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		return ctl_err(err, errsz, -EINVAL, "%s: expected an integer, got "
			       "%s", ctl_field(field, path, key), ctl_json_type_name(v));
	*out = json_integer_value(v);
	return 0;
}

/* '*out' is left alone when 'key' is absent. */
static int
get_bool(json_t *obj, const char *path, const char *key, bool *out,
	 char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return ctl_err(err, errsz, -EINVAL, "%s: expected a boolean, "
			       "got %s", ctl_field(field, path, key),
			       ctl_json_type_name(v));
	*out = json_is_true(v);
	return 0;
}

/* The optional integer at 'key', accepted by 'check' (given the field
 * name); '*out' is left alone when 'key' is absent. */
static int
get_checked_int(json_t *obj, const char *path, const char *key,
		int (*check)(long long, const char *, char *, size_t),
		long long *out, char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];
	long long v;

	if (!json_object_get(obj, key))
		return 0;
	if (get_int(obj, path, key, &v, err, errsz) < 0
	    || check(v, ctl_field(field, path, key), err, errsz) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
copy_string(char *dst, size_t size, const char *s, const char *field,
	    char *err, size_t errsz)
{
	size_t length = strlen(s);

	if (length == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: cannot be empty", field);
	if (length >= size)
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %zu bytes",
			       field, size - 1);
	memcpy(dst, s, length + 1);
	return 0;
}

const char *
ctl_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/* Encoding: keys at their default are left out. */

static json_t *
encode_config(const struct ctl_config *cfg)
{
	json_t *root = json_object(), *ports = json_array(), *sw;
	bool ok = root && ports;

	ok = ok && put(root, "schema_version", json_integer(CTL_SCHEMA_VERSION));
	if (ok && cfg->mac_aging_s != CTL_MAC_AGING_DEFAULT) {
		sw = json_object();
		ok = put(sw, "mac_aging_s", json_integer(cfg->mac_aging_s))
		     && put(root, "switch", json_incref(sw));
		json_decref(sw);
	}
	if (ok && cfg->n_teams > 0) {
		json_t *teams = json_array();

		for (unsigned int i = 0; teams && i < cfg->n_teams; i++)
			if (json_array_append_new(teams, encode_team(
					&cfg->teams[i])) < 0)
				ok = false;
		ok = ok && put(root, "teams", json_incref(teams));
		json_decref(teams);
	}
	for (unsigned int i = 0; ok && i < cfg->n_ports; i++)
		ok = json_array_append_new(ports,
					   encode_port(&cfg->ports[i])) == 0;
	ok = ok && put(root, "ports", json_incref(ports));
	json_decref(ports);
	if (ok && cfg->n_static_macs > 0) {
		json_t *macs = json_array();

		for (unsigned int i = 0; macs && i < cfg->n_static_macs; i++)
			if (json_array_append_new(macs, encode_static_mac(
					&cfg->static_macs[i])) < 0)
				ok = false;
		ok = ok && put(root, "static_macs", json_incref(macs));
		json_decref(macs);
	}
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static json_t *
encode_port(const struct ctl_port *p)
{
	char text[CTL_VLAN_LIST_SIZE];
	json_t *obj = json_object();
	bool ok;

	ok = put(obj, "name", json_string(p->name))
	     && put(obj, "type", json_string(ctl_port_type_name(p->type)));
	if (ok && p->socket[0])
		ok = put(obj, "socket", json_string(p->socket));
	if (ok && p->socket[0] && p->vhost_mode != CTL_VHOST_SERVER)
		ok = put(obj, "vhost_mode",
			 json_string(ctl_vhost_mode_name(p->vhost_mode)));
	if (ok && p->devargs[0])
		ok = put(obj, "devargs", json_string(p->devargs));
	if (ok && p->team[0])
		ok = put(obj, "team", json_string(p->team));
	if (ok && p->has_mac) {
		ctl_format_mac(p->mac, text);
		ok = put(obj, "mac", json_string(text));
	}
	if (ok && p->vlan_mode != CTL_VLAN_UNTAGGED)
		ok = put(obj, "vlan_mode",
			 json_string(ctl_vlan_mode_name(p->vlan_mode)));
	if (ok && p->vlan_mode == CTL_VLAN_ACCESS)
		ok = put(obj, "vlan", json_integer(p->vlan));
	if (ok && p->vlan_mode == CTL_VLAN_TRUNK) {
		ctl_format_vlan_list(&p->allowed, text, sizeof text);
		ok = put(obj, "allowed_vlans", json_string(text));
	}
	if (ok && p->vlan_mode == CTL_VLAN_TRUNK && p->native_vlan)
		ok = put(obj, "native_vlan", json_integer(p->native_vlan));
	ok = ok && encode_port_policies(obj, p);
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The policies that differ from their default, in the order of
 * docs/config.md. */
static bool
encode_port_policies(json_t *obj, const struct ctl_port *p)
{
	return (!p->mac_spoofing || put(obj, "mac_spoofing", json_true()))
	       && (!p->dhcp_guard || put(obj, "dhcp_guard", json_true()))
	       && (!p->router_guard || put(obj, "router_guard", json_true()))
	       && (!p->max_bandwidth || put(obj, "max_bandwidth",
			json_integer((json_int_t) p->max_bandwidth)))
	       && (!p->min_weight || put(obj, "min_weight",
			json_integer(p->min_weight)))
	       && (!p->storm_limit || put(obj, "storm_limit",
			json_integer((json_int_t) p->storm_limit)))
	       && (p->mirror == CTL_MIRROR_NONE || put(obj, "mirror",
			json_string(ctl_mirror_mode_name(p->mirror))))
	       && (!p->disconnected || put(obj, "connected", json_false()))
	       && (!p->link_speed || put(obj, "link_speed",
			json_integer((json_int_t) p->link_speed)))
	       && (!p->vsid || put(obj, "vsid", json_integer(p->vsid)));
}

/* "hash", "lacp_rate" and "lacp_passive" only away from their default. */
static json_t *
encode_team(const struct ctl_team *t)
{
	json_t *obj = json_object(), *members = json_array();
	bool ok = obj && members;

	for (unsigned int i = 0; ok && i < t->n_members; i++)
		ok = json_array_append_new(members,
					   json_string(t->members[i])) == 0;
	ok = ok && put(obj, "name", json_string(t->name))
	     && put(obj, "members", json_incref(members))
	     && put(obj, "mode", json_string(ctl_team_mode_name(t->mode)))
	     && put(obj, "lb", json_string(ctl_team_lb_name(t->lb)))
	     && (t->hash == CTL_TEAM_HASH_TRANSPORT
		 || put(obj, "hash", json_string(ctl_team_hash_name(t->hash))))
	     && (!t->lacp_fast || put(obj, "lacp_rate",
				      json_string(ctl_lacp_rate_name(true))))
	     && (!t->lacp_passive || put(obj, "lacp_passive", json_true()));
	json_decref(members);
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *
encode_static_mac(const struct ctl_static_mac *m)
{
	json_t *obj = json_object();
	char text[18];

	ctl_format_mac(m->mac, text);
	if (!put(obj, "mac", json_string(text))
	    || (m->vlan && !put(obj, "vlan", json_integer(m->vlan)))
	    || !put(obj, "port", json_string(m->port))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Steals 'value'; false when 'obj' or 'value' is NULL (out of memory). */
static bool
put(json_t *obj, const char *key, json_t *value)
{
	if (!obj) {
		json_decref(value);
		return false;
	}
	return json_object_set_new(obj, key, value) == 0;
}

/* Files. */

/* The whole of regular file 'fd', NUL-terminated; NULL with a message on
 * error or when the file holds a NUL byte. */
static char *
read_file(int fd, const char *path, char *err, size_t errsz)
{
	struct stat st;
	size_t used = 0;
	char *buf;

	if (fstat(fd, &st) < 0) {
		ctl_err(err, errsz, -EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)
	    || (unsigned long long) st.st_size > CONFIG_FILE_MAX_SIZE) {
		ctl_err(err, errsz, -EIO, "%s: %s", path, S_ISREG(st.st_mode)
			? "larger than 64 MiB" : "not a regular file");
		return NULL;
	}
	buf = malloc((size_t) st.st_size + 1);
	if (!buf) {
		ctl_err(err, errsz, -EIO, "%s: out of memory", path);
		return NULL;
	}
	while (used < (size_t) st.st_size) {
		ssize_t n = read(fd, buf + used, (size_t) st.st_size - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ctl_err(err, errsz, -EIO, "%s: %s", path, n < 0
				? strerror(errno) : "file shrank while read");
			free(buf);
			return NULL;
		}
		used += (size_t) n;
	}
	buf[used] = '\0';
	if (strlen(buf) != used) {
		ctl_err(err, errsz, -EIO, "%s: contains a NUL byte", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		size -= (size_t) n;
	}
	return 0;
}
