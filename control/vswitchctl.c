/* vswitchctl: the command line of vswitch.  It talks only to
 * vswitch-controld, one JSON-RPC request per run (docs/protocol.md).
 *
 * Commands are a declarative table: each names its JSON-RPC method, its
 * positional argument and its options, and each option names the
 * parameter it fills and the parser that checks it locally, so that a
 * typo is caught before anything is sent and the help text comes from the
 * same table.  An option is given once, unless it is repeatable (its
 * values then go as an array, in order), or a flag that takes no value.
 * Human output lives in vswitchctl_print.c. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/config.h"
#include "control/rpc.h"
#include "control/vswitchctl.h"

#define DEFAULT_SOCKET "/run/vswitch/controld.sock"
#define ERRSZ 1024

/* How an option's value is checked and sent. */
enum arg_kind {
	ARG_STRING,             /* as is */
	ARG_NAME,               /* a port name */
	ARG_TEAM,               /* a team name */
	ARG_ENUM,               /* one of 'choices' */
	ARG_MAC,                /* unicast MAC, sent normalized */
	ARG_VLAN,               /* 1-4094, sent as an integer */
	ARG_VLAN0,              /* 0 or 1-4094 */
	ARG_VLAN_LIST,          /* "10,20,100-200" */
	ARG_DEVARGS,            /* DRIVER[,key=value]... */
	ARG_INT,                /* 'min'..'max' */
	ARG_ON_OFF,             /* "on" or "off", sent as a boolean */
	ARG_YES_NO,             /* "yes" or "no", sent as a boolean */
	ARG_BITS,               /* bits/s with k/M/G/T, sent as an integer */
	ARG_PPS,                /* packets/s with k/M, sent as an integer */
	ARG_MIRROR,             /* a mirror mode */
	ARG_FLAG,               /* takes no value; sent as true */
	ARG_VSID,               /* 0 or 4096-16777214, sent as an integer */
};

struct cmd_opt {
	const char *flag;       /* "--vlan" */
	const char *metavar;    /* "ID"; NULL for ARG_FLAG */
	const char *param;      /* JSON-RPC parameter it fills */
	enum arg_kind kind;
	const char *choices;    /* ARG_ENUM: "a|b|c" */
	long long min, max;     /* ARG_INT */
	bool required;
	const char *help;
	unsigned int max_times; /* repeatable up to this many times, the
				 * values sent as an array; 0: once */
};

struct cmd {
	const char *name;       /* "add-port" */
	const char *method;     /* "add_port" */
	const char *arg;        /* positional metavar (param "name"), or NULL */
	bool arg_optional;
	const char *help;
	const struct cmd_opt *opts;     /* ended by a NULL flag */
	int (*check)(json_t *params, char *err, size_t errsz);
	void (*print)(json_t *result);
	/* A command that is more than one request runs itself: it gets the
	 * checked 'params' (stolen) and returns the exit status. */
	int (*run)(const char *socket_path, bool json, json_t *params);
	bool team_arg;          /* 'arg' is a team name, not a port name */
	/* A command with subcommands parses its own arguments (those after
	 * its name) and returns the exit status. */
	int (*main)(const char *socket_path, bool json, int argc, char **argv);
};

static int check_add_port(json_t *params, char *err, size_t errsz);
static int check_set_port(json_t *params, char *err, size_t errsz);

/* The port policies (docs/config.md "Port policies"), options of both
 * add-port and set-port.  controld knows which port types take which. */
#define POLICY_OPTS \
	{ "--mac-spoofing", "on|off", "mac_spoofing", ARG_ON_OFF, NULL, 0, 0, \
	  false, "vm: may send from other MACs than --mac (default off)" }, \
	{ "--dhcp-guard", "on|off", "dhcp_guard", ARG_ON_OFF, NULL, 0, 0, \
	  false, "vm: drop the DHCP server messages it sends (default off)" }, \
	{ "--router-guard", "on|off", "router_guard", ARG_ON_OFF, NULL, 0, 0, \
	  false, "vm: drop the router advertisements and redirects it sends " \
	  "(default off)" }, \
	{ "--max-bandwidth", "BITS_PER_S", "max_bandwidth", ARG_BITS, NULL, 0, \
	  0, false, "vm: police what it sends, e.g. 100M or 2.5G " \
	  "(0: no limit)" }, \
	{ "--min-weight", "N", "min_weight", ARG_INT, NULL, \
	  CTL_MIN_WEIGHT_MIN, CTL_MIN_WEIGHT_MAX, false, \
	  "vm: its share of a saturated uplink (1-100; unset counts as 1)" }, \
	{ "--storm-limit", "PPS", "storm_limit", ARG_PPS, NULL, 0, 0, false, \
	  "vm: broadcast, multicast and unknown unicast packets/s it may " \
	  "send, e.g. 10k (0: no limit)" }, \
	{ "--mirror", "none|source|destination|both", "mirror", ARG_MIRROR, \
	  NULL, 0, 0, false, "its frames are copied (source), it gets the " \
	  "copies (destination), or both" }, \
	{ "--connected", "yes|no", "connected", ARG_YES_NO, NULL, 0, 0, false, \
	  "vm: no = network cable unplugged (default yes)" }, \
	{ "--link-speed", "BITS_PER_S", "link_speed", ARG_BITS, NULL, 0, 0, \
	  false, "external: the capacity the weights share, e.g. 10G (0: as " \
	  "the device reports)" }, \
	{ "--vsid", "VSID", "vsid", ARG_VSID, NULL, 0, 0, false, \
	  "vm: its virtual subnet, 4096-16777214 (0: none; see 'nv')" }

static const struct cmd_opt no_opts[] = { { NULL } };

static const struct cmd_opt add_port_opts[] = {
	{ "--type", "vm|external|internal", "type", ARG_ENUM,
	  "vm|external|internal", 0, 0, true, "what the port connects" },
	{ "--socket", "PATH", "socket", ARG_STRING, NULL, 0, 0, false,
	  "vm: vhost-user socket (absolute path)" },
	{ "--vhost-mode", "server|client", "vhost_mode", ARG_ENUM,
	  "server|client", 0, 0, false,
	  "with --socket: who creates the socket (default server)" },
	{ "--devargs", "ARGS", "devargs", ARG_DEVARGS, NULL, 0, 0, false,
	  "external, or vm in tests: DPDK device, DRIVER[,key=value]..." },
	{ "--team", "TEAM", "team", ARG_TEAM, NULL, 0, 0, false,
	  "external: the team (add-team) the port is made of, instead of "
	  "--devargs" },
	{ "--mac", "MAC", "mac", ARG_MAC, NULL, 0, 0, false,
	  "the port's own MAC address" },
	POLICY_OPTS,
	{ NULL },
};

static const struct cmd_opt set_port_opts[] = {
	{ "--vlan-mode", "access|trunk|untagged", "vlan_mode", ARG_ENUM,
	  "access|trunk|untagged", 0, 0, false,
	  "802.1Q mode; a new mode clears the old mode's settings" },
	{ "--vlan", "ID", "vlan", ARG_VLAN, NULL, 0, 0, false,
	  "access: the port's VLAN (1-4094)" },
	{ "--allowed-vlans", "LIST", "allowed_vlans", ARG_VLAN_LIST, NULL, 0,
	  0, false, "trunk: VLANs carried tagged, e.g. 10,20,100-200" },
	{ "--native-vlan", "ID", "native_vlan", ARG_VLAN0, NULL, 0, 0, false,
	  "trunk: VLAN of untagged frames (0: none)" },
	{ "--mac", "MAC", "mac", ARG_MAC, NULL, 0, 0, false,
	  "the port's own MAC address" },
	POLICY_OPTS,
	{ NULL },
};

static const struct cmd_opt add_mac_opts[] = {
	{ "--mac", "MAC", "mac", ARG_MAC, NULL, 0, 0, true,
	  "the unicast MAC address" },
	{ "--port", "PORT", "port", ARG_NAME, NULL, 0, 0, true,
	  "the port it is reached through" },
	{ "--vlan", "ID", "vlan", ARG_VLAN0, NULL, 0, 0, false,
	  "its VLAN (default 0: untagged)" },
	{ NULL },
};

static const struct cmd_opt del_mac_opts[] = {
	{ "--mac", "MAC", "mac", ARG_MAC, NULL, 0, 0, true,
	  "the unicast MAC address" },
	{ "--vlan", "ID", "vlan", ARG_VLAN0, NULL, 0, 0, false,
	  "its VLAN (default 0: untagged)" },
	{ NULL },
};

static const struct cmd_opt set_switch_opts[] = {
	{ "--mac-aging", "SECONDS", "mac_aging_s", ARG_INT, NULL,
	  CTL_MAC_AGING_MIN, CTL_MAC_AGING_MAX, true,
	  "learned MAC addresses expire after SECONDS idle" },
	{ NULL },
};

static const struct cmd_opt add_team_opts[] = {
	{ "--member", "DEVARGS", "members", ARG_DEVARGS, NULL, 0, 0, true,
	  "a member device, DRIVER[,key=value]...; once per member",
	  CTL_MAX_TEAM_MEMBERS },
	{ "--mode", "lacp|static|switch-independent", "mode", ARG_ENUM,
	  "lacp|static|switch-independent", 0, 0, true,
	  "LACP (802.1AX), static (switch dependent, no LACP) or switch "
	  "independent" },
	{ "--lb", "address-hash|hyperv-port|dynamic", "lb", ARG_ENUM,
	  "address-hash|hyperv-port|dynamic", 0, 0, true,
	  "spread outgoing traffic by addresses, by source VM port, or by "
	  "flowlets to the least loaded member" },
	{ "--hash", "transport|ip|mac", "hash", ARG_ENUM, "transport|ip|mac", 0,
	  0, false, "address-hash: hash ports, IPs and MACs (default), IPs and "
	  "MACs, or MACs" },
	{ "--lacp-rate", "fast|slow", "lacp_rate", ARG_ENUM, "fast|slow", 0, 0,
	  false, "lacp: a LACPDU every 1 s or 30 s (default slow)" },
	{ "--lacp-passive", NULL, "lacp_passive", ARG_FLAG, NULL, 0, 0, false,
	  "lacp: speak LACP only to a partner that does (default active)" },
	{ NULL },
};

static const struct cmd_opt capture_opts[] = {
	{ "--out", "FILE", "out", ARG_STRING, NULL, 0, 0, true,
	  "the pcap file, opened (created or replaced) by vswitchctl as you" },
	{ "--count", "N", "count", ARG_INT, NULL, 1, CTL_CAPTURE_COUNT_MAX,
	  false, "stop after N frames (default: when interrupted)" },
	{ "--direction", "rx|tx|both", "direction", ARG_ENUM, "rx|tx|both", 0,
	  0, false, "frames the port receives, sends to it, or both "
	  "(default)" },
	{ "--timeout", "SECONDS", "timeout", ARG_INT, NULL, 1,
	  CTL_CAPTURE_TIMEOUT_MAX, false, "stop after SECONDS" },
	{ NULL },
};

static const struct cmd commands[] = {
	{ "show", "show", NULL, false,
	  "show the switch, the dataplane and every port", no_opts, NULL,
	  ctl_print_show },
	{ "add-port", "add_port", "NAME", false, "add a port", add_port_opts,
	  check_add_port, NULL },
	{ "del-port", "del_port", "NAME", false,
	  "remove a port and its static MACs", no_opts, NULL, NULL },
	{ "set-port", "set_port", "NAME", false,
	  "change a port's VLAN settings, MAC or policies", set_port_opts,
	  check_set_port, NULL },
	{ "list-ports", "list_ports", NULL, false, "list the ports", no_opts,
	  NULL, ctl_print_list_ports },
	{ "port-stats", "port_stats", "NAME", true,
	  "packet, byte and drop counters of one port or all", no_opts, NULL,
	  ctl_print_port_stats },
	{ "mac-table", "mac_table", NULL, false,
	  "the MAC table, learned and static", no_opts, NULL,
	  ctl_print_mac_table },
	{ "queues", "queues", NULL, false,
	  "receive queues per worker, with cycles and packets", no_opts,
	  NULL, ctl_print_queues },
	{ "add-mac", "add_mac", NULL, false, "add a static MAC address",
	  add_mac_opts, NULL, NULL },
	{ "del-mac", "del_mac", NULL, false, "remove a static MAC address",
	  del_mac_opts, NULL, NULL },
	{ "set-switch", "set_switch", NULL, false, "change switch settings",
	  set_switch_opts, NULL, NULL },
	{ "capture", "capture_start", "PORT", false,
	  "write a port's frames to a pcap file while the switch runs",
	  capture_opts, NULL, NULL, ctl_capture_run },
	{ "add-team", "add_team", "NAME", false,
	  "add a NIC team, for an external port (add-port --team)",
	  add_team_opts, NULL, NULL, NULL, true },
	{ "del-team", "del_team", "NAME", false,
	  "remove a team that no port is made of", no_opts, NULL, NULL, NULL,
	  true },
	{ "team-status", "team_status", "NAME", true,
	  "members, LACP state and load of one team or all", no_opts, NULL,
	  ctl_print_team_status, NULL, true },
	{ "nv", NULL, "SUBCOMMAND", false, "network virtualization: provider "
	  "addresses, lookup records, routes (see 'nv --help')", no_opts,
	  NULL, NULL, NULL, false, ctl_nv_main },
	{ "log-level", NULL, "[COMPONENT [LEVEL]]", false, "list the daemons' "
	  "log levels, or set one (see 'log-level --help')", no_opts, NULL,
	  NULL, NULL, false, ctl_log_level_main },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* Options that come before the command. */
struct globals {
	const char *socket_path;        /* controld's socket */
	bool json;                      /* print the raw JSON result */
};

static int parse_globals(int argc, char **argv, struct globals *g);
static const struct cmd *find_command(const char *name);
static int parse_command(const struct cmd *cmd, int argc, char **argv,
			 json_t *params, char *err, size_t errsz);
static const struct cmd_opt *find_opt(const struct cmd *cmd,
				      const char *flag, size_t length);
static int parse_option(const struct cmd_opt *opt, const char *value,
			json_t *params, char *err, size_t errsz);
static int parse_value(const struct cmd_opt *opt, const char *s,
		       json_t *params, char *err, size_t errsz);
static int store_value(const struct cmd_opt *opt, json_t *value,
		       json_t *params, char *err, size_t errsz);
static int parse_number(const char *s, const char *field, long long *out,
			char *err, size_t errsz);
static int parse_choice(const char *s, const char *choices,
			const char *field, char *err, size_t errsz);
static json_t *value_json(enum arg_kind kind, const char *s, long long v,
			  uint64_t rate, bool b);
static int call(const char *path, const struct cmd *cmd, json_t *params,
		json_t **result, char *err, size_t errsz);
static int reply_result(json_t *reply, const struct cmd *cmd,
			json_t **result, char *err, size_t errsz);
static const struct cmd_opt *find_param_opt(const struct cmd *cmd,
					    const char *msg, size_t *length);
static void usage(FILE *out);
static void command_usage(const struct cmd *cmd, FILE *out);
static void opt_head(const struct cmd_opt *o, char *buf, size_t size);
static void command_help(const struct cmd *cmd);

int
main(int argc, char **argv)
{
	struct globals g = { .socket_path = DEFAULT_SOCKET };
	const struct cmd *cmd;
	json_t *params, *result = NULL;
	char err[ERRSZ];
	int i = parse_globals(argc, argv, &g);

	if (i < 0)
		return 1;
	cmd = find_command(argv[i]);
	if (!cmd)
		return ctl_cli_fail("unknown command '%s' (see 'vswitchctl --help')",
			    argv[i]);
	if (cmd->main)
		return cmd->main(g.socket_path, g.json, argc - i - 1, argv + i + 1);
	params = json_object();
	if (!params)
		return ctl_cli_fail("out of memory");
	if (parse_command(cmd, argc - i - 1, argv + i + 1, params, err,
			  sizeof err) < 0) {
		json_decref(params);
		return ctl_cli_fail("%s", err);
	}
	if (cmd->run)
		return cmd->run(g.socket_path, g.json, params);
	if (call(g.socket_path, cmd, params, &result, err, sizeof err) < 0)
		return ctl_cli_fail("%s", err);
	if (g.json) {
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (cmd->print) {
		cmd->print(result);
	}
	json_decref(result);
	return fflush(stdout) == 0 ? 0 : ctl_cli_fail("cannot write the output");
}

/* Command line. */

/* Options before the command.  Returns the index of the command in
 * 'argv', or -1 after printing why there is none.  "--help" exits. */
static int
parse_globals(int argc, char **argv, struct globals *g)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			g->json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			g->socket_path = argv[++i];
		} else if (!strncmp(argv[i], "--socket=", 9)) {
			g->socket_path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--socket")) {
			return ctl_cli_fail("--socket: needs a value (PATH)"), -1;
		} else {
			return ctl_cli_fail("unknown option '%s' (see 'vswitchctl "
				    "--help')", argv[i]), -1;
		}
	}
	if (i == argc) {
		usage(stderr);
		return ctl_cli_fail("no command given"), -1;
	}
	return i;
}

static const struct cmd *
find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Fills 'params' from the command's arguments, checking each value
 * locally.  "--help" prints the command's help and exits. */
static int
parse_command(const struct cmd *cmd, int argc, char **argv, json_t *params,
	      char *err, size_t errsz)
{
	const char *positional = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		int length = eq ? (int) (eq - a) : (int) strlen(a);
		const struct cmd_opt *opt;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			command_help(cmd);
		if (strncmp(a, "--", 2)) {
			if (!cmd->arg || positional)
				return ctl_cli_errf(err, errsz, "%s: unexpected "
					    "argument '%s'", cmd->name, a);
			positional = a;
			continue;
		}
		opt = find_opt(cmd, a, (size_t) length);
		if (!opt)
			return ctl_cli_errf(err, errsz, "%s: unknown option '%.*s' "
				    "(see 'vswitchctl %s --help')",
				    cmd->name, length, a, cmd->name);
		if (opt->kind != ARG_FLAG && !eq && i + 1 == argc)
			return ctl_cli_errf(err, errsz, "%s: needs a value (%s)",
				    opt->flag, opt->metavar);
		if (parse_option(opt, opt->kind == ARG_FLAG ? eq
				 : eq ? eq + 1 : argv[++i], params, err,
				 errsz) < 0)
			return -1;
	}
	if (cmd->arg && !positional && !cmd->arg_optional)
		return ctl_cli_errf(err, errsz, "%s: missing %s (see 'vswitchctl %s "
			    "--help')", cmd->name, cmd->arg, cmd->name);
	if (positional && ((cmd->team_arg
			    ? ctl_parse_team_name(positional, cmd->arg, err,
						  errsz)
			    : ctl_parse_port_name(positional, cmd->arg, err,
						  errsz)) < 0
			   || json_object_set_new(params, "name",
						  json_string(positional)) < 0))
		return -1;
	for (const struct cmd_opt *o = cmd->opts; o->flag; o++)
		if (o->required && !json_object_get(params, o->param))
			return ctl_cli_errf(err, errsz, "%s: %s is required",
				    cmd->name, o->flag);
	return cmd->check ? cmd->check(params, err, errsz) : 0;
}

static const struct cmd_opt *
find_opt(const struct cmd *cmd, const char *flag, size_t length)
{
	for (const struct cmd_opt *o = cmd->opts; o->flag; o++)
		if (strlen(o->flag) == length && !strncmp(o->flag, flag, length))
			return o;
	return NULL;
}

/* One use of 'opt' with its 'value': the text after the option, or for
 * a flag the "=..." given with it (NULL when none, as it must be). */
static int
parse_option(const struct cmd_opt *opt, const char *value, json_t *params,
	     char *err, size_t errsz)
{
	json_t *given = json_object_get(params, opt->param);

	if (opt->max_times && json_array_size(given) >= opt->max_times)
		return ctl_cli_errf(err, errsz, "%s: given more than %u times",
			    opt->flag, opt->max_times);
	if (!opt->max_times && given)
		return ctl_cli_errf(err, errsz, "%s: given more than once", opt->flag);
	if (opt->kind != ARG_FLAG)
		return parse_value(opt, value, params, err, errsz);
	if (value)
		return ctl_cli_errf(err, errsz, "%s: takes no value", opt->flag);
	return store_value(opt, json_true(), params, err, errsz);
}

/* Checks 's' as 'opt' says and stores it in 'params'. */
static int
parse_value(const struct cmd_opt *opt, const char *s, json_t *params,
	    char *err, size_t errsz)
{
	const char *f = opt->flag;
	enum ctl_mirror_mode mirror;
	struct ctl_vlan_set set;
	uint64_t rate = 0;
	uint8_t mac[6];
	char text[18];
	long long v = 0;
	bool b = false;
	int rc = 0;

	switch (opt->kind) {
	case ARG_STRING:
		break;
	case ARG_NAME:
		rc = ctl_parse_port_name(s, f, err, errsz);
		break;
	case ARG_TEAM:
		rc = ctl_parse_team_name(s, f, err, errsz);
		break;
	case ARG_ENUM:
		rc = parse_choice(s, opt->choices, f, err, errsz);
		break;
	case ARG_MAC:
		rc = ctl_parse_mac(s, mac, f, err, errsz);
		ctl_format_mac(mac, text);
		s = text;
		break;
	case ARG_VLAN:
		rc = parse_number(s, f, &v, err, errsz);
		if (rc == 0)
			rc = ctl_parse_vlan_id(v, f, err, errsz);
		break;
	case ARG_VLAN0:
		rc = parse_number(s, f, &v, err, errsz);
		if (rc == 0 && (v < 0 || v > CTL_VLAN_MAX))
			rc = ctl_cli_errf(err, errsz, "%s: %lld is not a VLAN id "
				  "(1-%d, or 0 for untagged)", f, v,
				  CTL_VLAN_MAX);
		break;
	case ARG_VLAN_LIST:
		rc = ctl_parse_vlan_list(s, &set, f, err, errsz);
		break;
	case ARG_DEVARGS:
		rc = ctl_check_devargs(s, f, err, errsz);
		break;
	case ARG_INT:
		rc = parse_number(s, f, &v, err, errsz);
		if (rc == 0 && (v < opt->min || v > opt->max))
			rc = ctl_cli_errf(err, errsz, "%s: %lld is out of range "
				  "(%lld-%lld)", f, v, opt->min, opt->max);
		break;
	case ARG_ON_OFF:
		rc = ctl_parse_on_off(s, &b, f, err, errsz);
		break;
	case ARG_YES_NO:
		rc = ctl_parse_yes_no(s, &b, f, err, errsz);
		break;
	case ARG_BITS:
		rc = ctl_parse_bits_per_s(s, &rate, f, err, errsz);
		break;
	case ARG_PPS:
		rc = ctl_parse_packets_per_s(s, &rate, f, err, errsz);
		break;
	case ARG_MIRROR:
		rc = ctl_parse_mirror_mode(s, &mirror, f, err, errsz);
		break;
	case ARG_FLAG:          /* parse_option() stores it */
		break;
	case ARG_VSID:
		rc = parse_number(s, f, &v, err, errsz);
		if (rc == 0)
			rc = ctl_check_vsid(v, f, err, errsz);
		break;
	}
	if (rc < 0)
		return -1;
	return store_value(opt, value_json(opt->kind, s, v, rate, b), params,
			   err, errsz);
}

/* Sets 'value' (stolen; NULL when it was not valid UTF-8) as the
 * parameter of 'opt', or appends it to the array of a repeatable one. */
static int
store_value(const struct cmd_opt *opt, json_t *value, json_t *params,
	    char *err, size_t errsz)
{
	json_t *array = json_object_get(params, opt->param);

	if (!value)
		return ctl_cli_errf(err, errsz, "%s: not valid UTF-8", opt->flag);
	if (!opt->max_times)
		return json_object_set_new(params, opt->param, value) < 0
		       ? ctl_cli_errf(err, errsz, "out of memory") : 0;
	if (!array) {
		array = json_array();
		if (json_object_set_new(params, opt->param, array) < 0) {
			json_decref(value);
			return ctl_cli_errf(err, errsz, "out of memory");
		}
	}
	return json_array_append_new(array, value) < 0
	       ? ctl_cli_errf(err, errsz, "out of memory") : 0;
}

/* The parameter for a checked value: numbers and booleans typed, the rest
 * as the (normalized) text 's'. */
static json_t *
value_json(enum arg_kind kind, const char *s, long long v, uint64_t rate,
	   bool b)
{
	switch (kind) {
	case ARG_VLAN:
	case ARG_VLAN0:
	case ARG_INT:
	case ARG_VSID:
		return json_integer(v);
	case ARG_BITS:
	case ARG_PPS:
		return json_integer((json_int_t) rate);
	case ARG_ON_OFF:
	case ARG_YES_NO:
		return json_boolean(b);
	default:
		return json_string(s);
	}
}

static int
parse_number(const char *s, const char *field, long long *out, char *err,
	     size_t errsz)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if ((s[0] != '-' && (s[0] < '0' || s[0] > '9')) || *end || end == s
	    || errno == ERANGE)
		return ctl_cli_errf(err, errsz, "%s: '%s' is not a number", field, s);
	*out = v;
	return 0;
}

static int
parse_choice(const char *s, const char *choices, const char *field,
	     char *err, size_t errsz)
{
	size_t length = strlen(s);

	for (const char *c = choices; c; c = strchr(c, '|') ? strchr(c, '|') + 1
						 : NULL)
		if (!strncmp(c, s, length) && (c[length] == '|'
					       || c[length] == '\0') && length)
			return 0;
	return ctl_cli_errf(err, errsz, "%s: '%s' is not one of %s", field, s,
		    choices);
}

static int
check_add_port(json_t *params, char *err, size_t errsz)
{
	if (json_object_get(params, "vhost_mode")
	    && !json_object_get(params, "socket"))
		return ctl_cli_errf(err, errsz, "--vhost-mode: only with --socket");
	return 0;
}

static int
check_set_port(json_t *params, char *err, size_t errsz)
{
	if (json_object_size(params) < 2)
		return ctl_cli_errf(err, errsz, "set-port: nothing to change (see "
			    "'vswitchctl set-port --help')");
	return 0;
}

/* JSON-RPC. */

/* Sends one request and waits for its answer, at most CTL_CLI_TIMEOUT_MS.
 * Steals 'params'; '*result' is a new reference on success. */
static int
call(const char *path, const struct cmd *cmd, json_t *params,
     json_t **result, char *err, size_t errsz)
{
	json_t *request = ctl_rpc_request(cmd->method, params, 1);
	json_t *reply = NULL;
	struct ctl_rpc_conn conn;
	int fd, rc;

	if (!request)
		return ctl_cli_errf(err, errsz, "out of memory");
	fd = ctl_cli_connect(path, err, errsz);
	if (fd < 0) {
		json_decref(request);
		return -1;
	}
	ctl_rpc_conn_init(&conn, fd);
	rc = ctl_rpc_conn_send(&conn, request);
	json_decref(request);
	if (rc < 0)
		ctl_cli_errf(err, errsz, "cannot send the request: %s", strerror(-rc));
	else
		rc = ctl_cli_exchange(&conn, &reply, err, errsz);
	ctl_rpc_conn_close(&conn);
	if (rc < 0)
		return -1;
	rc = reply_result(reply, cmd, result, err, errsz);
	json_decref(reply);
	return rc;
}

int
ctl_cli_connect(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_CLI_TIMEOUT_MS / 1000 };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return ctl_cli_errf(err, errsz, "--socket: longer than %zu bytes",
			    sizeof sa.sun_path - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ctl_cli_errf(err, errsz, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
		snprintf(err, errsz, "cannot connect to %s: %s%s", path,
			 strerror(errno), errno == ENOENT || errno == ECONNREFUSED
			 ? " (is vswitch-controld running?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

int
ctl_cli_exchange(struct ctl_rpc_conn *conn, json_t **reply, char *err,
		 size_t errsz)
{
	struct timespec now;
	long long deadline;
	json_error_t jerr;
	char *line;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000LL + now.tv_nsec / 1000000
		   + CTL_CLI_TIMEOUT_MS;
	for (;;) {
		struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
		long long left;

		if (ctl_rpc_conn_has_output(conn))
			pfd.events |= POLLOUT;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = deadline - (now.tv_sec * 1000LL + now.tv_nsec / 1000000);
		if (left <= 0)
			return ctl_cli_errf(err, errsz, "no answer from "
				    "vswitch-controld within %d s",
				    CTL_CLI_TIMEOUT_MS / 1000);
		rc = poll(&pfd, 1, (int) left);
		if (rc < 0 && errno != EINTR)
			return ctl_cli_errf(err, errsz, "poll: %s", strerror(errno));
		if (rc <= 0)
			continue;
		if (pfd.revents & POLLOUT) {
			rc = ctl_rpc_conn_flush(conn);
			if (rc == -EPIPE || rc == -ECONNRESET) {
				/* controld closed, maybe saying why first
				 * ("too many clients"): read that. */
				conn->out_start = conn->out_len = 0;
				pfd.revents |= POLLIN;
			} else if (rc < 0 && rc != -EAGAIN) {
				return ctl_cli_errf(err, errsz, "cannot send the "
					    "request: %s", strerror(-rc));
			}
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		rc = ctl_rpc_conn_read(conn);
		if (rc <= 0 && rc != -EAGAIN)
			return ctl_cli_errf(err, errsz, "vswitch-controld closed the "
				    "connection without answering");
		rc = ctl_rpc_conn_next(conn, &line);
		if (rc < 0)
			return ctl_cli_errf(err, errsz, "the answer is longer than "
				    "16 MiB");
		if (rc == 0)
			continue;
		*reply = json_loads(line, 0, &jerr);
		if (!*reply)
			return ctl_cli_errf(err, errsz, "invalid answer from "
				    "vswitch-controld: %s", jerr.text);
		return 0;
	}
}

/* The result of 'reply', or its error message in 'err'.  controld's
 * messages name parameters ("dhcp_guard: only for vm ports, ..."), and
 * the user typed options: a message that starts with a parameter of 'cmd'
 * is shown with the option instead ("--dhcp-guard: ...", and "--member:
 * ..." for "members[1]: ..."). */
static int
reply_result(json_t *reply, const struct cmd *cmd, json_t **result,
	     char *err, size_t errsz)
{
	const struct cmd_opt *opt;
	size_t length;
	char msg[512];
	int rc = ctl_cli_result(reply, result, err, errsz);

	if (rc < 0 && (opt = find_param_opt(cmd, err, &length)) != NULL) {
		snprintf(msg, sizeof(msg), "%s", err + length);
		return ctl_cli_errf(err, errsz, "%s%s", opt->flag, msg);
	}
	return rc;
}

int
ctl_cli_result(json_t *reply, json_t **result, char *err, size_t errsz)
{
	json_t *res = json_object_get(reply, "result");
	json_t *error = json_object_get(reply, "error");
	const char *msg = json_string_value(json_object_get(error, "message"));

	if (res) {
		*result = json_incref(res);
		return 0;
	}
	if (msg)
		return ctl_cli_errf(err, errsz, "%s", msg);
	return ctl_cli_errf(err, errsz, "invalid answer from vswitch-controld");
}

/* The option of 'cmd' whose parameter 'msg' starts with, as in
 * "vlan: ..." or, for a repeatable option, "members[1]: ...", or NULL;
 * '*length' is the length of that name, up to the ':'. */
static const struct cmd_opt *
find_param_opt(const struct cmd *cmd, const char *msg, size_t *length)
{
	for (const struct cmd_opt *o = cmd->opts; o->flag; o++) {
		size_t n = strlen(o->param);

		if (strncmp(msg, o->param, n))
			continue;
		if (o->max_times && msg[n] == '[' && strchr(msg + n, ']'))
			n = (size_t) (strchr(msg + n, ']') - msg) + 1;
		if (msg[n] == ':') {
			*length = n;
			return o;
		}
	}
	return NULL;
}

/* Help. */

static void
usage(FILE *out)
{
	fprintf(out, "usage: vswitchctl [--socket PATH] [--json] COMMAND "
		"[ARGS...]\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char head[40];

		snprintf(head, sizeof head, "%s%s%s%s%s", commands[i].name,
			 commands[i].arg ? " " : "",
			 commands[i].arg_optional ? "[" : "",
			 commands[i].arg ? commands[i].arg : "",
			 commands[i].arg_optional ? "]" : "");
		fprintf(out, "  %-18s %s\n", head, commands[i].help);
	}
	fprintf(out, "\nOptions:\n"
		"  --socket PATH      controld's socket (default %s)\n"
		"  --json             print the JSON result instead of text\n"
		"  --help             this help\n"
		"\nRun 'vswitchctl COMMAND --help' for a command's options.\n",
		DEFAULT_SOCKET);
}

static void
command_usage(const struct cmd *cmd, FILE *out)
{
	fprintf(out, "usage: vswitchctl [--socket PATH] [--json] %s", cmd->name);
	if (cmd->arg)
		fprintf(out, cmd->arg_optional ? " [%s]" : " %s", cmd->arg);
	for (const struct cmd_opt *o = cmd->opts; o->flag; o++) {
		char head[64];

		opt_head(o, head, sizeof head);
		fprintf(out, o->required ? " %s" : " [%s]", head);
		if (o->max_times)
			fprintf(out, " [%s ...]", head);
	}
	fputc('\n', out);
}

/* "--vlan ID", or "--lacp-passive" for a flag. */
static void
opt_head(const struct cmd_opt *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", o->flag, o->metavar ? " " : "",
		 o->metavar ? o->metavar : "");
}

static void
command_help(const struct cmd *cmd)
{
	command_usage(cmd, stdout);
	printf("\n%c%s.\n", cmd->help[0] - 'a' + 'A', cmd->help + 1);
	if (cmd->opts->flag)
		printf("\nOptions:\n");
	for (const struct cmd_opt *o = cmd->opts; o->flag; o++) {
		char head[64];

		opt_head(o, head, sizeof head);
		printf("  %-38s %s%s\n", head, o->help,
		       o->required && o->max_times ? " (required, repeatable)"
		       : o->required ? " (required)"
		       : o->max_times ? " (repeatable)" : "");
	}
	exit(0);
}

int
ctl_cli_fail(const char *fmt, ...)
{
	va_list args;

	fputs("vswitchctl: ", stderr);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	return 1;
}

int
ctl_cli_errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(err, errsz, fmt, args);
	va_end(args);
	return -1;
}
