/* Helpers of the configuration library shared only inside control/
 * (config.c, config_json.c, controld).  vswitchd uses control/config.h
 * alone; nothing here is part of that contract.
 *
 * Conventions are those of config.h: 'err' receives one line naming the
 * field, and functions return 0 or a negative errno. */
#ifndef VSWITCH_CONTROL_CONFIG_PRIV_H
#define VSWITCH_CONTROL_CONFIG_PRIV_H

#include "control/config.h"

/* Big enough for any VLAN set formatted by ctl_format_vlan_list(): the
 * worst case, every other id, takes 9,680 bytes. */
#define CTL_VLAN_LIST_SIZE 10240

/* A user-supplied string made fit for a one-line message: at most 64
 * characters, control characters, non-ASCII bytes and quotes replaced by
 * '?'. */
#define CTL_QUOTE_SIZE 72
const char *ctl_quote(const char *s, char buf[CTL_QUOTE_SIZE]);

/* Writes the printf-style message into 'err' (when 'err' is not NULL and
 * 'errsz' > 0) and returns 'ret', so that callers can write
 * "return ctl_err(err, errsz, -EINVAL, ...)". */
int ctl_err(char *err, size_t errsz, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Joins 'prefix' and 'key' into a field name: "vlan" when 'prefix' is "",
 * else "ports[2].vlan".  Returns 'buf'. */
#define CTL_FIELD_SIZE 96
const char *ctl_field(char buf[CTL_FIELD_SIZE], const char *prefix,
		      const char *key);

/* Name -> enum parsers, the inverse of ctl_*_name().  Return 0 or -EINVAL
 * with a message naming 'field' and the accepted values; '*out' is written
 * only on success. */
int ctl_parse_port_type(const char *s, enum ctl_port_type *out,
			const char *field, char *err, size_t errsz);
int ctl_parse_vlan_mode(const char *s, enum ctl_vlan_mode *out,
			const char *field, char *err, size_t errsz);
int ctl_parse_vhost_mode(const char *s, enum ctl_vhost_mode *out,
			 const char *field, char *err, size_t errsz);
int ctl_parse_team_mode(const char *s, enum ctl_team_mode *out,
			const char *field, char *err, size_t errsz);
int ctl_parse_team_lb(const char *s, enum ctl_team_lb *out,
		      const char *field, char *err, size_t errsz);
int ctl_parse_team_hash(const char *s, enum ctl_team_hash *out,
			const char *field, char *err, size_t errsz);
/* "fast" or "slow", the LACP periodic rate, into '*fast'. */
int ctl_parse_lacp_rate(const char *s, bool *fast, const char *field,
			char *err, size_t errsz);
const char *ctl_lacp_rate_name(bool fast);       /* "fast" or "slow" */

/* Validates one port on its own: every field, and the fields that depend on
 * each other (socket or devargs for the type, VLAN fields for the VLAN
 * mode).  Field names in messages are 'prefix' joined with the key (see
 * ctl_field()).  Touches no file system: the socket path is checked for
 * syntax only.  Returns 0 or -EINVAL. */
int ctl_port_validate(const struct ctl_port *port, const char *prefix,
		      char *err, size_t errsz);

/* Whether a port of type 'type' takes the JSON key or parameter 'key':
 * the port policies other than "mirror" are for vm ports only, and
 * "link_speed" for external ports only (docs/config.md "Port policies").
 * Keys that are not policies pass.  Returns 0 or -EINVAL with a message
 * naming 'field'. */
int ctl_check_policy_type(const char *key, enum ctl_port_type type,
			  const char *field, char *err, size_t errsz);

/* Removes port 'index' and every static MAC that names it.  'index' must
 * be < cfg->n_ports. */
void ctl_config_remove_port(struct ctl_config *cfg, unsigned int index);

/* Teams (config_team.c). */

/* Validates one team on its own: name, 1..CTL_MAX_TEAM_MEMBERS members
 * with valid devargs and no device twice, mode, balancing and hash known,
 * LACP settings only with mode lacp and a hash other than the default only
 * with address-hash.  Field names in messages are 'prefix' joined with the
 * JSON key ("teams[t1].members[1]", "lacp_rate").  Returns 0 or -EINVAL. */
int ctl_team_validate(const struct ctl_team *team, const char *prefix,
		      char *err, size_t errsz);

/* The checks of ctl_config_validate() that involve teams: each team valid,
 * names unique, no device in two teams or both in a team and a port's
 * devargs, and every port's team existing and used by that port alone. */
int ctl_config_check_teams(const struct ctl_config *cfg, char *err,
			   size_t errsz);

/* Whether devargs 'a' and 'b' name the same device: the same text, but for
 * a virtual device's instance number (vswitchd numbers them itself) and
 * the short form of a PCI address ("01:00.0" is "0000:01:00.0"). */
bool ctl_same_device(const char *a, const char *b);

/* The team with a member that is the device 'devargs', other than team
 * 'except' (-1 for none), or -1; '*member' is that member's index. */
int ctl_config_member_team(const struct ctl_config *cfg, const char *devargs,
			   int except, unsigned int *member);
/* The port whose devargs are the device 'devargs', or -1. */
int ctl_config_devargs_port(const struct ctl_config *cfg,
			    const char *devargs);

/* Removes team 'index' (< cfg->n_teams); ports that name it are left
 * alone, for validation to refuse. */
void ctl_config_remove_team(struct ctl_config *cfg, unsigned int index);

/* "an object", "a string", ... for messages about a JSON value of the
 * wrong type. */
struct json_t;
const char *ctl_json_type_name(const struct json_t *v);

/* Sets the policy fields of 'port', whose type is known, from the policy
 * keys present in the JSON object 'obj' (a port of the file, or the
 * params of add_port or set_port); absent keys leave them alone.  Field
 * names in messages are 'path' joined with the key.  Returns 0 or -EINVAL
 * ('port' may be half changed then). */
int ctl_decode_port_policies(struct json_t *obj, const char *path,
			     struct ctl_port *port, char *err, size_t errsz);

/* Sets every field of 'team' but its name from the JSON object 'obj' (a
 * team of the file, or the params of add_team): "members", "mode" and "lb"
 * are required; "hash", "lacp_rate" and "lacp_passive" optional, and
 * refused, even at their default, with a mode or balancing that does not
 * use them.  Then validates the team on its own (ctl_team_validate()).
 * Field names in messages are 'path' joined with the key.  Keys that are
 * not team keys are not looked at.  Returns 0 or -EINVAL ('team' may be
 * half changed then). */
int ctl_decode_team(struct json_t *obj, const char *path,
		    struct ctl_team *team, char *err, size_t errsz);

/* Index of the static MAC (vlan, mac), or -1. */
int ctl_config_static_mac_index(const struct ctl_config *cfg,
				const uint8_t mac[6], uint16_t vlan);

#endif
