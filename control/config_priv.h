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

/* Index of the static MAC (vlan, mac), or -1. */
int ctl_config_static_mac_index(const struct ctl_config *cfg,
				const uint8_t mac[6], uint16_t vlan);

#endif
