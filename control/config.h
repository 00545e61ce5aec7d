/* The switch configuration model: one plain C struct, its validation and
 * its JSON form.
 *
 * This library is shared by vswitch-controld (which owns, validates and
 * persists the desired configuration) and vswitchd (which decodes the
 * configuration controld pushes and validates it again before applying it).
 * It has no DPDK dependency and no global state; every function is
 * re-entrant.  No json_t escapes this library: callers see only the structs
 * below and strings.
 *
 * Errors: functions that can fail write one human-readable message into
 * 'err' (at most 'errsz' bytes, always NUL-terminated) that names the
 * offending field, e.g. "ports[2].vlan: 4095 is not a VLAN id (1-4094)" or
 * "--vlan: 0 is not a VLAN id (1-4094)", and return a negative errno
 * (-EINVAL for bad values, -ENOENT for unknown names, -EEXIST for
 * duplicates, -ENOSPC for full tables, -EIO for file errors).  On failure
 * the output struct is left unchanged unless said otherwise. */
#ifndef VSWITCH_CONTROL_CONFIG_H
#define VSWITCH_CONTROL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_SCHEMA_VERSION 1
#define CTL_MAX_PORTS 256          /* ports per switch */
#define CTL_NAME_SIZE 16           /* port names: 1..15 chars + NUL */
#define CTL_PATH_SIZE 108          /* sizeof(sun_path) */
#define CTL_DEVARGS_SIZE 256
#define CTL_MAX_STATIC_MACS 4096
#define CTL_MAC_AGING_DEFAULT 300  /* seconds */
#define CTL_MAC_AGING_MIN 10
#define CTL_MAC_AGING_MAX 1000000
#define CTL_VLAN_MIN 1
#define CTL_VLAN_MAX 4094
#define CTL_MAX_TEAMS 16
#define CTL_MAX_TEAM_MEMBERS 8
#define CTL_VSID_MIN 4096          /* a VM port's virtual subnet (nv.h) */
#define CTL_VSID_MAX 16777214

enum ctl_port_type {
	CTL_PORT_VM,        /* a VM's adapter: vhost-user, or devargs in tests */
	CTL_PORT_EXTERNAL,  /* uplink: any DPDK device (devargs) or a team */
	CTL_PORT_INTERNAL,  /* TAP into the host kernel, named after the port */
};

enum ctl_vhost_mode {
	CTL_VHOST_SERVER,   /* vswitchd creates the socket, the VM connects */
	CTL_VHOST_CLIENT,   /* the VM owns the socket; vswitchd (re)connects */
};

enum ctl_vlan_mode {
	CTL_VLAN_UNTAGGED,  /* untagged frames only, in the untagged domain */
	CTL_VLAN_ACCESS,    /* untagged frames only, all in 'vlan' */
	CTL_VLAN_TRUNK,     /* tagged frames of 'allowed'; untagged = native */
};

/* Port mirroring (Hyper-V PortMirroring): a source port's frames, both
 * directions, are copied to every destination port.  'both' is a source
 * and a destination at once. */
enum ctl_mirror_mode {
	CTL_MIRROR_NONE,
	CTL_MIRROR_SOURCE,
	CTL_MIRROR_DESTINATION,
	CTL_MIRROR_BOTH,
};

/* NIC teams (docs/config.md "Teams"), as on Hyper-V: how the team agrees
 * with the physical switch, and how it spreads outgoing traffic over its
 * members. */
enum ctl_team_mode {
	CTL_TEAM_LACP,               /* IEEE 802.1AX link aggregation */
	CTL_TEAM_STATIC,             /* switch dependent, no LACP */
	CTL_TEAM_SWITCH_INDEPENDENT, /* no help from the physical switch */
};

enum ctl_team_lb {
	CTL_TEAM_LB_ADDRESS_HASH,    /* by a hash of 'hash' fields */
	CTL_TEAM_LB_HYPERV_PORT,     /* by the VM port a frame comes from */
	CTL_TEAM_LB_DYNAMIC,         /* flowlets moved to the least loaded */
};

/* The fields address-hash balancing hashes. */
enum ctl_team_hash {
	CTL_TEAM_HASH_TRANSPORT,     /* TCP/UDP ports, IPs and MACs */
	CTL_TEAM_HASH_IP,            /* IP addresses and MACs */
	CTL_TEAM_HASH_MAC,           /* MAC addresses */
};

struct ctl_team {
	char name[CTL_NAME_SIZE];          /* as port names; unique */
	unsigned int n_members;            /* 1..CTL_MAX_TEAM_MEMBERS */
	char members[CTL_MAX_TEAM_MEMBERS][CTL_DEVARGS_SIZE];
					   /* each member's DPDK devargs */
	enum ctl_team_mode mode;
	enum ctl_team_lb lb;
	enum ctl_team_hash hash;           /* address-hash only */
	bool lacp_fast;                    /* lacp only: 1 s periodic rate
					    * instead of 30 s (802.1AX
					    * fast/slow; default slow) */
	bool lacp_passive;                 /* lacp only: speak only when
					    * spoken to */
};

#define CTL_BANDWIDTH_MIN 1000ull              /* bits/s, when not 0 */
#define CTL_BANDWIDTH_MAX 1000000000000ull     /* 1 Tbit/s */
#define CTL_STORM_LIMIT_MAX 100000000ull       /* packets/s */
#define CTL_MIN_WEIGHT_MIN 1
#define CTL_MIN_WEIGHT_MAX 100

/* A set of VLAN ids, bit i set when VLAN i is in the set (0 and 4095 never
 * are). */
struct ctl_vlan_set {
	uint64_t bits[64];
};

struct ctl_port {
	char name[CTL_NAME_SIZE];          /* [A-Za-z0-9_.-], 1..15 chars */
	enum ctl_port_type type;
	char socket[CTL_PATH_SIZE];        /* vm over vhost-user; else "" */
	enum ctl_vhost_mode vhost_mode;    /* with 'socket' only */
	char devargs[CTL_DEVARGS_SIZE];    /* vm (test attach) or external */
	char team[CTL_NAME_SIZE];          /* external: the team it is made
					    * of, instead of devargs; else "" */
	bool has_mac;                      /* 'mac' was configured */
	uint8_t mac[6];                    /* vm: the VM's own MAC */
	enum ctl_vlan_mode vlan_mode;
	uint16_t vlan;                     /* access: the VLAN; else 0 */
	uint16_t native_vlan;              /* trunk: 0 = untagged domain */
	struct ctl_vlan_set allowed;       /* trunk: VLANs carried tagged */

	/* Port policies (docs/config.md "Port policies").  A zeroed struct
	 * holds the defaults, as on Hyper-V.  All but 'mirror' apply to vm
	 * ports only, 'link_speed' to external ports only. */
	bool mac_spoofing;                 /* true: may send from any MAC */
	bool dhcp_guard;                   /* drop DHCP server messages */
	bool router_guard;                 /* drop RAs and redirects */
	uint64_t max_bandwidth;            /* bits/s the VM may send; 0 = off */
	uint8_t min_weight;                /* 1..100; 0 = not set (counts 1) */
	uint64_t storm_limit;              /* bcast+mcast+unknown pkt/s; 0 off */
	enum ctl_mirror_mode mirror;
	bool disconnected;                 /* cable unplugged ("connected") */
	uint64_t link_speed;               /* external: bits/s the min_weight
					    * shares divide; 0 = as reported */
	uint32_t vsid;                     /* vm: its virtual subnet (NV,
					    * docs/nv.md); 0 = none */
};

struct ctl_static_mac {
	uint8_t mac[6];                    /* unicast */
	uint16_t vlan;                     /* 0 = untagged domain */
	char port[CTL_NAME_SIZE];          /* an existing port */
};

struct ctl_config {
	uint32_t mac_aging_s;              /* MAC table aging time */
	unsigned int n_ports;
	struct ctl_port ports[CTL_MAX_PORTS];
	unsigned int n_teams;
	struct ctl_team teams[CTL_MAX_TEAMS];
	unsigned int n_static_macs;
	struct ctl_static_mac static_macs[CTL_MAX_STATIC_MACS];
};

/* Life cycle.  ctl_config_new() returns an empty configuration with default
 * settings, or NULL when out of memory. */
struct ctl_config *ctl_config_new(void);
struct ctl_config *ctl_config_clone(const struct ctl_config *cfg);
void ctl_config_free(struct ctl_config *cfg);

/* Checks everything that involves more than one field: unique port names,
 * a socket, devargs or team as the port type requires (and only one), VLAN
 * fields that match the VLAN mode, port policies in range and set only on
 * the port types they apply to, teams (unique names, 1..8 members that
 * belong to no other team and are no port's devargs, LACP and hash
 * settings only with the mode and balancing that use them, each team used
 * by one external port at most), static MACs naming existing ports and
 * unique per (VLAN, MAC).  Returns 0 or -EINVAL with 'err' naming the
 * field, e.g. "teams[t2].members[0]: net_af_packet,iface=x is already a
 * member of team t1". */
int ctl_config_validate(const struct ctl_config *cfg, char *err, size_t errsz);

/* Decodes the JSON form (see docs/config.md) strictly: duplicate keys,
 * unknown keys, wrong types and invalid values are rejected with a message
 * naming the key path and, for syntax errors, the line and column; then
 * runs ctl_config_validate().  Fills 'out' only on success. */
int ctl_config_from_json(const char *text, struct ctl_config *out,
			 char *err, size_t errsz);

/* Encodes 'cfg' in the canonical JSON form (keys at their defaults are left
 * out).  Returns a malloc'd NUL-terminated string, or NULL when out of
 * memory.  ctl_config_from_json(ctl_config_to_json(c)) == c. */
char *ctl_config_to_json(const struct ctl_config *cfg);

/* Reads 'path'.  A file that does not exist yields an empty configuration
 * and returns 1; a readable valid file returns 0. */
int ctl_config_load_file(const char *path, struct ctl_config *out,
			 char *err, size_t errsz);

/* Writes 'cfg' to 'path' atomically: a temporary file in the same
 * directory, fsync, rename over 'path', fsync of the directory.  A crash at
 * any point leaves either the old or the new file. */
/* Removes the temporary files an interrupted ctl_config_save_file() (or
 * snapshot save) of 'path' left next to it: ".NAME.XXXXXX" in its
 * directory.  Returns how many it removed.  For the one process that
 * writes 'path', at start. */
unsigned int ctl_remove_stale_temps(const char *path);
int ctl_config_save_file(const char *path, const struct ctl_config *cfg,
			 char *err, size_t errsz);

/* Lookup helpers; return NULL / -1 when absent. */
struct ctl_port *ctl_config_find_port(struct ctl_config *cfg,
				      const char *name);
int ctl_config_port_index(const struct ctl_config *cfg, const char *name);
struct ctl_team *ctl_config_find_team(struct ctl_config *cfg,
				      const char *name);
int ctl_config_team_index(const struct ctl_config *cfg, const char *name);
/* The index of the port made of team 'name', or -1. */
int ctl_config_team_port(const struct ctl_config *cfg, const char *name);

/* Field parsers and formatters shared by vswitchctl, controld and vswitchd.
 * Each returns 0 or -EINVAL and, on error, writes a message that names
 * 'field' (e.g. "--vlan" or "ports[1].vlan"). */
int ctl_parse_port_name(const char *s, const char *field,
			char *err, size_t errsz);
int ctl_parse_team_name(const char *s, const char *field,
			char *err, size_t errsz);        /* as port names */
int ctl_parse_mac(const char *s, uint8_t mac[6], const char *field,
		  char *err, size_t errsz);              /* unicast, not 0 */
int ctl_parse_vlan_id(long long v, const char *field,
		      char *err, size_t errsz);          /* 1..4094 */
int ctl_parse_vlan_list(const char *s, struct ctl_vlan_set *out,
			const char *field, char *err, size_t errsz);
						 /* "10,20,100-200" */
int ctl_check_devargs(const char *s, const char *field,
		      char *err, size_t errsz);
int ctl_check_socket_path(const char *s, enum ctl_vhost_mode mode,
			  const char *field, char *err, size_t errsz);

/* Port policy values (docs/config.md "Port policies").  A rate is a plain
 * integer or a decimal number with a suffix, powers of 1000: "100M" is
 * 100000000, "2.5G" 2500000000 (k or K, M, G, T for bits/s; k or K, M for
 * packets/s).  It must come out a whole number; no sign, no spaces. */
int ctl_parse_bits_per_s(const char *s, uint64_t *out, const char *field,
			 char *err, size_t errsz);       /* 0, 1k..1T */
int ctl_parse_packets_per_s(const char *s, uint64_t *out, const char *field,
			    char *err, size_t errsz);    /* 0..100M */
int ctl_parse_on_off(const char *s, bool *out, const char *field,
		     char *err, size_t errsz);           /* "on", "off" */
int ctl_parse_yes_no(const char *s, bool *out, const char *field,
		     char *err, size_t errsz);           /* "yes", "no" */
int ctl_parse_mirror_mode(const char *s, enum ctl_mirror_mode *out,
			  const char *field, char *err, size_t errsz);
/* The same ranges for numbers that arrive as JSON integers. */
int ctl_check_bits_per_s(long long v, const char *field,
			 char *err, size_t errsz);       /* 0, 1000..10^12 */
int ctl_check_packets_per_s(long long v, const char *field,
			    char *err, size_t errsz);    /* 0..10^8 */
int ctl_check_min_weight(long long v, const char *field,
			 char *err, size_t errsz);       /* 0 (unset), 1..100 */
int ctl_check_vsid(long long v, const char *field,
		   char *err, size_t errsz);             /* 0, 4096..16777214 */

void ctl_format_mac(const uint8_t mac[6], char buf[18]);
/* The shortest exact form with a suffix: 100000000 -> "100M", 2500000000
 * -> "2500M", 999 -> "999"; ctl_parse_bits_per_s() reads it back. */
void ctl_format_rate(uint64_t v, char buf[24]);
void ctl_format_vlan_list(const struct ctl_vlan_set *set, char *buf,
			  size_t bufsz);                 /* "10,20,100-200" */
bool ctl_vlan_set_has(const struct ctl_vlan_set *set, uint16_t vid);
void ctl_vlan_set_add(struct ctl_vlan_set *set, uint16_t vid);
bool ctl_vlan_set_empty(const struct ctl_vlan_set *set);

const char *ctl_port_type_name(enum ctl_port_type t);  /* "vm", ... */
const char *ctl_vlan_mode_name(enum ctl_vlan_mode m);  /* "access", ... */
const char *ctl_vhost_mode_name(enum ctl_vhost_mode m);
const char *ctl_mirror_mode_name(enum ctl_mirror_mode m); /* "none", ... */
const char *ctl_team_mode_name(enum ctl_team_mode m);  /* "lacp", ... */
const char *ctl_team_lb_name(enum ctl_team_lb lb);     /* "address-hash"... */
const char *ctl_team_hash_name(enum ctl_team_hash h);  /* "transport", ... */

#endif
