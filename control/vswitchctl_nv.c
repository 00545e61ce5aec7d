/* vswitchctl nv SUBCOMMAND ...: the network virtualization tables
 * (docs/nv.md), in the words of Hyper-V's NetVirtualization cmdlets.
 *
 * Like the main command table, the subcommands are declarative: each names
 * the op it sends (or runs itself) and its options, each option the JSON
 * key it fills and how its value is checked.  A change is one op, checked
 * here with the same library controld and vswitchd use (control/nv.h) and
 * sent as nv_apply; messages that name a key ("ops[0].gateway: ...") are
 * shown with the option that set it ("--gateway: ...").  Listing records
 * fetches them in pages and prints each page as it comes, so that a
 * million records never sit in memory at once.  'nv import FILE' reads
 * FILE as the user who runs it and sends it as one transaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/nv.h"
#include "control/vswitchctl.h"

#define ERRSZ 1024
#define PAGE 10000                      /* records per nv_list request */
#define MAX_COLS 6

/* How an option's value is checked and sent. */
enum nv_arg {
	NA_PORT,                /* a port name */
	NA_ADDRESS,             /* IP/PREFIX, host bits allowed (a PA) */
	NA_IP,                  /* an address, sent normalized */
	NA_PREFIX,              /* a prefix without host bits */
	NA_VLAN,                /* 1-4094, sent as an integer */
	NA_FLOWID,              /* 0-255, sent as an integer */
	NA_VSID,                /* 4096-16777214, sent as an integer */
	NA_MAC,                 /* unicast, sent normalized */
	NA_RULE,                /* encap or l2only */
	NA_METRIC,              /* 0-4294967295, sent as an integer */
	NA_RDID,                /* a {GUID} or a name */
};

struct nv_opt {
	const char *flag;       /* "--vsid" */
	const char *metavar;    /* "VSID" */
	const char *key;        /* the op's JSON key, or nv_list's param */
	enum nv_arg kind;
	bool required;
	const char *help;
};

struct session;

struct nv_cmd {
	const char *name;           /* "add-record" */
	enum ctl_nv_op_kind op;     /* what it sends; CTL_NV_OP_N: 'run' */
	const char *arg;            /* a positional argument's metavar */
	const char *help;
	const struct nv_opt *opts;      /* ended by a NULL flag */
	int (*run)(struct session *s, json_t *params);
};

/* One connection to controld for all the requests of a subcommand. */
struct session {
	const char *socket_path;
	bool json;
	const struct nv_cmd *cmd;
	const char *arg;                /* the positional argument */
	struct ctl_rpc_conn conn;
	json_int_t next_id;
};

/* Column widths that only grow, for tables printed page by page. */
struct columns {
	unsigned int n;
	int width[MAX_COLS];
};

static int run_list_records(struct session *s, json_t *params);
static int run_list_routes(struct session *s, json_t *params);
static int run_list_pa(struct session *s, json_t *params);
static int run_list_pa_routes(struct session *s, json_t *params);
static int run_import(struct session *s, json_t *params);
static int run_status(struct session *s, json_t *params);

#define VSID_OPT(req, what) \
	{ "--vsid", "VSID", "vsid", NA_VSID, req, what }

static const struct nv_opt add_pa_opts[] = {
	{ "--port", "PORT", "port", NA_PORT, true,
	  "the external port the address is on" },
	{ "--address", "IP/PREFIX", "address", NA_ADDRESS, true,
	  "the provider address and its subnet, e.g. 192.168.1.10/24" },
	{ "--vlan", "ID", "vlan", NA_VLAN, false,
	  "the underlay VLAN (1-4094; default untagged)" },
	{ "--flowid", "N", "flowid", NA_FLOWID, false,
	  "send FlowID N (0-255) from it; default: a hash of the inner flow" },
	{ NULL },
};
static const struct nv_opt del_pa_opts[] = {
	{ "--address", "IP", "address", NA_IP, true,
	  "the provider address" },
	{ NULL },
};
static const struct nv_opt add_pa_route_opts[] = {
	{ "--prefix", "PREFIX", "prefix", NA_PREFIX, true,
	  "the underlay destination, e.g. 10.2.0.0/16 or 0.0.0.0/0" },
	{ "--next-hop", "IP", "next_hop", NA_IP, true,
	  "the router, on the subnet of a provider address" },
	{ "--metric", "N", "metric", NA_METRIC, false,
	  "lower wins among equal prefixes (default 0)" },
	{ NULL },
};
static const struct nv_opt del_pa_route_opts[] = {
	{ "--prefix", "PREFIX", "prefix", NA_PREFIX, true,
	  "the route's prefix" },
	{ NULL },
};
static const struct nv_opt add_record_opts[] = {
	VSID_OPT(true, "the virtual subnet (4096-16777214)"),
	{ "--ca", "IP", "ca", NA_IP, true,
	  "the customer address; 0.0.0.0 for an L2Only record" },
	{ "--mac", "MAC", "mac", NA_MAC, true, "the CA's MAC address" },
	{ "--pa", "IP", "pa", NA_IP, true,
	  "the provider address of the host the CA is on" },
	{ "--rule", "encap|l2only", "rule", NA_RULE, false,
	  "default encap, l2only for --ca 0.0.0.0" },
	{ NULL },
};
static const struct nv_opt del_record_opts[] = {
	VSID_OPT(true, "the virtual subnet"),
	{ "--ca", "IP", "ca", NA_IP, true, "the customer address" },
	{ "--mac", "MAC", "mac", NA_MAC, false,
	  "with --ca 0.0.0.0: the L2Only record's MAC" },
	{ NULL },
};
static const struct nv_opt add_route_opts[] = {
	{ "--rdid", "ID", "rdid", NA_RDID, true, "the routing domain: a "
	  "{GUID} as Hyper-V writes it, or a name of up to 32 characters" },
	VSID_OPT(true, "the virtual subnet the route belongs to"),
	{ "--prefix", "PREFIX", "prefix", NA_PREFIX, true,
	  "the customer destination, e.g. 10.0.0.0/24" },
	{ "--next-hop", "IP", "next_hop", NA_IP, true,
	  "0.0.0.0 or :: for on-link, else a customer address" },
	{ "--metric", "N", "metric", NA_METRIC, false,
	  "lower wins among equal prefixes (default 0)" },
	{ "--gateway", "IP", "gateway", NA_IP, false, "on-link: the VSID's "
	  "virtual gateway (default the subnet's lowest usable address)" },
	{ NULL },
};
static const struct nv_opt del_route_opts[] = {
	{ "--rdid", "ID", "rdid", NA_RDID, true, "the routing domain" },
	VSID_OPT(true, "the virtual subnet"),
	{ "--prefix", "PREFIX", "prefix", NA_PREFIX, true,
	  "the route's prefix" },
	{ NULL },
};
static const struct nv_opt vsid_filter_opts[] = {
	VSID_OPT(false, "only this virtual subnet"),
	{ NULL },
};
static const struct nv_opt no_opts[] = { { NULL } };

static const struct nv_cmd commands[] = {
	{"add-pa", CTL_NV_OP_ADD_PA, NULL,
	 "add a provider address of this host (or change it)", add_pa_opts},
	{"del-pa", CTL_NV_OP_DEL_PA, NULL, "remove a provider address",
	 del_pa_opts},
	{"add-pa-route", CTL_NV_OP_ADD_PA_ROUTE, NULL,
	 "add a provider (underlay) route (or change it)", add_pa_route_opts},
	{"del-pa-route", CTL_NV_OP_DEL_PA_ROUTE, NULL,
	 "remove a provider route", del_pa_route_opts},
	{"add-record", CTL_NV_OP_ADD_RECORD, NULL,
	 "add a lookup record, CA -> PA; an existing one moves to the new PA",
	 add_record_opts},
	{"del-record", CTL_NV_OP_DEL_RECORD, NULL, "remove a lookup record",
	 del_record_opts},
	{"add-route", CTL_NV_OP_ADD_ROUTE, NULL,
	 "add a customer route (or change it)", add_route_opts},
	{"del-route", CTL_NV_OP_DEL_ROUTE, NULL, "remove a customer route",
	 del_route_opts},
	{"list-records", CTL_NV_OP_N, NULL,
	 "list the lookup records by VSID and CA",
	 vsid_filter_opts, run_list_records},
	{"list-routes", CTL_NV_OP_N, NULL,
	 "list the customer routes, with their virtual gateways",
	 vsid_filter_opts, run_list_routes},
	{"list-pa", CTL_NV_OP_N, NULL, "list the provider addresses", no_opts,
	 run_list_pa},
	{"list-pa-routes", CTL_NV_OP_N, NULL, "list the provider routes",
	 no_opts, run_list_pa_routes},
	{"import", CTL_NV_OP_N, "FILE",
	 "apply FILE in one transaction: "
	 "{\"records\": [...]} (and \"pas\", \"pa_routes\", \"routes\") or a "
	 "list of ops",
	 no_opts, run_import},
	{"status", CTL_NV_OP_N, NULL,
	 "what controld holds and stores, and what vswitchd has",
	 no_opts, run_status},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const struct nv_cmd *find_command(const char *name);
static int parse_args(struct session *s, int argc, char **argv,
		      json_t *params, char *err, size_t errsz);
static const struct nv_opt *find_opt(const struct nv_cmd *cmd,
				     const char *flag, size_t length);
static int parse_value(const struct nv_opt *opt, const char *s,
		       json_t *params, char *err, size_t errsz);
static int parse_number(const char *s, const char *field, long long *out,
			char *err, size_t errsz);
static int run_op(struct session *s, json_t *params);
static int list_small(struct session *s, json_t *params, const char *what,
		      const char *key, json_t **list);
static void print_records_json(json_t *page, bool first, json_int_t total,
			       size_t *shown);
static void print_records_text(json_t *page, struct columns *cols,
			       const char *const *header, size_t *shown);
static int request(struct session *s, const char *method, json_t *params,
		   json_t **result, char *err, size_t errsz);
static void name_option(const struct nv_cmd *cmd, char *err, size_t errsz);
static int import_read(const char *path, struct ctl_nv_txn *txn, char ***labels,
		       char *err, size_t errsz);
static int import_table(json_t *list, const char *key, enum ctl_nv_op_kind add,
			struct ctl_nv_txn *txn, char ***labels, char *err,
			size_t errsz);
static int import_label(char ***labels, size_t n, const char *label);
static void import_name_element(char **labels, size_t n, char *err,
				size_t errsz);
static void columns_fit(struct columns *c, const char *const *cells);
static void columns_print(const struct columns *c,
			  const char *const *cells);
static void print_small_table(json_t *list, unsigned int n_cols,
			      const char *const *header,
			      void (*row)(json_t *item, char cells[][64]));
static void pa_row(json_t *item, char cells[][64]);
static void pa_route_row(json_t *item, char cells[][64]);
static void route_row(json_t *item, char cells[][64]);
static void print_counts(const char *who, json_t *c);
static const char *str(json_t *obj, const char *key);
static long long num(json_t *obj, const char *key);
static void usage(FILE *out);
static void command_help(const struct nv_cmd *cmd);

int
ctl_nv_main(const char *socket_path, bool json, int argc, char **argv)
{
	struct session s = {
		.socket_path = socket_path, .json = json, .next_id = 1,
	};
	json_t *params;
	char err[ERRSZ];
	int rc;

	ctl_rpc_conn_init(&s.conn, -1);
	if (argc == 0) {
		usage(stderr);
		return ctl_cli_fail("nv: no subcommand given");
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		usage(stdout);
		return 0;
	}
	s.cmd = find_command(argv[0]);
	if (!s.cmd)
		return ctl_cli_fail("nv: unknown subcommand '%s' (see 'vswitchctl nv "
			    "--help')", argv[0]);
	params = json_object();
	if (!params)
		return ctl_cli_fail("out of memory");
	if (parse_args(&s, argc - 1, argv + 1, params, err, sizeof err) < 0) {
		json_decref(params);
		return ctl_cli_fail("%s", err);
	}
	rc = s.cmd->run ? s.cmd->run(&s, params) : run_op(&s, params);
	ctl_rpc_conn_close(&s.conn);
	if (rc == 0 && fflush(stdout) != 0)
		return ctl_cli_fail("cannot write the output");
	return rc;
}

/* Command line. */

static const struct nv_cmd *
find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Fills 'params' from the options, each value checked.  "--help" prints
 * the subcommand's help and exits. */
static int
parse_args(struct session *s, int argc, char **argv, json_t *params,
	   char *err, size_t errsz)
{
	const struct nv_cmd *cmd = s->cmd;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		int length = eq ? (int) (eq - a) : (int) strlen(a);
		const struct nv_opt *opt;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			command_help(cmd);
		if (strncmp(a, "--", 2)) {
			if (!cmd->arg || s->arg)
				return ctl_cli_errf(err, errsz, "nv %s: unexpected "
					    "argument '%s'", cmd->name, a);
			s->arg = a;
			continue;
		}
		opt = find_opt(cmd, a, (size_t) length);
		if (!opt)
			return ctl_cli_errf(err, errsz, "nv %s: unknown option '%.*s' "
				    "(see 'vswitchctl nv %s --help')",
				    cmd->name, length, a, cmd->name);
		if (json_object_get(params, opt->key))
			return ctl_cli_errf(err, errsz, "%s: given more than once",
				    opt->flag);
		if (!eq && i + 1 == argc)
			return ctl_cli_errf(err, errsz, "%s: needs a value (%s)",
				    opt->flag, opt->metavar);
		if (parse_value(opt, eq ? eq + 1 : argv[++i], params, err,
				errsz) < 0)
			return -1;
	}
	if (cmd->arg && !s->arg)
		return ctl_cli_errf(err, errsz, "nv %s: missing %s (see 'vswitchctl nv "
			    "%s --help')", cmd->name, cmd->arg, cmd->name);
	for (const struct nv_opt *o = cmd->opts; o->flag; o++)
		if (o->required && !json_object_get(params, o->key))
			return ctl_cli_errf(err, errsz, "nv %s: %s is required",
				    cmd->name, o->flag);
	return 0;
}

static const struct nv_opt *
find_opt(const struct nv_cmd *cmd, const char *flag, size_t length)
{
	for (const struct nv_opt *o = cmd->opts; o->flag; o++)
		if (strlen(o->flag) == length
		    && !strncmp(o->flag, flag, length))
			return o;
	return NULL;
}

/* Checks 's' as 'opt' says and stores it in 'params', normalized. */
static int
parse_value(const struct nv_opt *opt, const char *s, json_t *params,
	    char *err, size_t errsz)
{
	char text[CTL_NV_PREFIX_TEXT_SIZE], rdid[CTL_NV_RDID_SIZE];
	const char *f = opt->flag;
	struct ctl_nv_prefix prefix;
	enum ctl_nv_rule rule;
	struct ctl_nv_ip ip;
	uint8_t mac[6], length;
	json_t *v = NULL;
	long long n = 0;
	int rc = 0;

	switch (opt->kind) {
	case NA_PORT:
		rc = ctl_parse_port_name(s, f, err, errsz);
		break;
	case NA_ADDRESS:
		rc = ctl_nv_parse_address(s, &ip, &length, f, err, errsz);
		if (rc == 0) {
			ctl_nv_format_ip(&ip, text);
			snprintf(text + strlen(text),
				 sizeof text - strlen(text), "/%u", length);
			s = text;
		}
		break;
	case NA_IP:
		rc = ctl_nv_parse_ip(s, &ip, f, err, errsz);
		if (rc == 0)
			ctl_nv_format_ip(&ip, text);
		s = text;
		break;
	case NA_PREFIX:
		rc = ctl_nv_parse_prefix(s, &prefix, f, err, errsz);
		if (rc == 0)
			ctl_nv_format_prefix(&prefix, text);
		s = text;
		break;
	case NA_VLAN:
		rc = parse_number(s, f, &n, err, errsz);
		if (rc == 0)
			rc = ctl_parse_vlan_id(n, f, err, errsz);
		v = json_integer(n);
		break;
	case NA_VSID:
		rc = parse_number(s, f, &n, err, errsz);
		if (rc == 0)
			rc = ctl_nv_check_vsid(n, f, err, errsz);
		v = json_integer(n);
		break;
	case NA_FLOWID:
		rc = parse_number(s, f, &n, err, errsz);
		if (rc == 0 && (n < 0 || n > 255)) {
			snprintf(err, errsz, "%s: %lld is not a FlowID (0-255)",
				 f, n);
			rc = -EINVAL;
		}
		v = json_integer(n);
		break;
	case NA_METRIC:
		rc = parse_number(s, f, &n, err, errsz);
		if (rc == 0)
			rc = ctl_nv_check_metric(n, f, err, errsz);
		v = json_integer(n);
		break;
	case NA_MAC:
		rc = ctl_parse_mac(s, mac, f, err, errsz);
		if (rc == 0)
			ctl_format_mac(mac, text);
		s = text;
		break;
	case NA_RULE:
		rc = ctl_nv_parse_rule(s, &rule, f, err, errsz);
		break;
	case NA_RDID:
		rc = ctl_nv_parse_rdid(s, rdid, f, err, errsz);
		s = rdid;
		break;
	}
	if (rc < 0) {
		json_decref(v);
		return -1;
	}
	if (json_object_set_new(params, opt->key, v ? v : json_string(s)) < 0)
		return ctl_cli_errf(err, errsz, "%s: not valid UTF-8", f);
	return 0;
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

/* Changes: one op, checked whole here, then nv_apply. */

static int
run_op(struct session *s, json_t *params)
{
	char err[ERRSZ];
	json_t *result = NULL, *ops;
	struct ctl_nv_op op;

	json_object_set_new(params, "op",
			    json_string(ctl_nv_op_name(s->cmd->op)));
	if (ctl_nv_op_from_json(params, "", &op, err, sizeof err) < 0) {
		json_decref(params);
		name_option(s->cmd, err, sizeof err);
		return ctl_cli_fail("%s", err);
	}
	json_decref(params);
	ops = json_array();
	if (!ops || json_array_append_new(ops, ctl_nv_op_to_json(&op)) < 0) {
		json_decref(ops);
		return ctl_cli_fail("out of memory");
	}
	if (request(s, "nv_apply", json_pack("{s:o}", "ops", ops), &result,
		    err, sizeof err) < 0) {
		name_option(s->cmd, err, sizeof err);
		return ctl_cli_fail("%s", err);
	}
	if (s->json) {
		json_dumpf(result, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	json_decref(result);
	return 0;
}

/* Sends one request on the session's connection (opened on first use)
 * and waits for its answer.  Steals 'params'. */
static int
request(struct session *s, const char *method, json_t *params,
	json_t **result, char *err, size_t errsz)
{
	json_t *msg = params ? ctl_rpc_request(method, params, s->next_id++)
			     : NULL;
	json_t *reply = NULL;
	int rc;

	if (!msg)
		return ctl_cli_errf(err, errsz, "out of memory");
	if (s->conn.fd < 0) {
		int fd = ctl_cli_connect(s->socket_path, err, errsz);

		if (fd < 0) {
			json_decref(msg);
			return -1;
		}
		ctl_rpc_conn_init(&s->conn, fd);
	}
	rc = ctl_rpc_conn_send(&s->conn, msg);
	json_decref(msg);
	if (rc == -EMSGSIZE)
		return ctl_cli_errf(err, errsz, "the request is longer than %u MiB",
			    CTL_RPC_MAX_LINE >> 20);
	if (rc < 0)
		return ctl_cli_errf(err, errsz, "cannot send the request: %s",
			    strerror(-rc));
	if (ctl_cli_exchange(&s->conn, &reply, err, errsz) < 0)
		return -1;
	rc = ctl_cli_result(reply, result, err, errsz);
	json_decref(reply);
	return rc;
}

/* "ops[0].gateway: ..." or "gateway: ..." becomes "--gateway: ...", and
 * "ops[0]: ..." loses its prefix: there is one op. */
static void
name_option(const struct nv_cmd *cmd, char *err, size_t errsz)
{
	const char *msg = err;
	char rest[ERRSZ];

	if (!strncmp(err, "ops[0].", 7))
		msg = err + 7;
	else if (!strncmp(err, "ops[0]: ", 8))
		msg = err + 8;
	for (const struct nv_opt *o = cmd->opts; o->flag; o++) {
		size_t length = strlen(o->key);

		if (strncmp(msg, o->key, length) || msg[length] != ':')
			continue;
		snprintf(rest, sizeof rest, "%s", msg + length);
		snprintf(err, errsz, "%s%s", o->flag, rest);
		return;
	}
	if (msg != err) {
		snprintf(rest, sizeof rest, "%s", msg);
		snprintf(err, errsz, "%s", rest);
	}
}

/* Lists. */

/* Page by page; each page's rows widen the columns before it is
 * printed, so the columns of a listing line up unless a later page holds
 * longer addresses. */
static int
run_list_records(struct session *s, json_t *params)
{
	static const char *const header[] = { "VSID", "CA", "MAC", "PA",
					      "RULE" };
	struct columns cols = { .n = 5 };
	json_int_t offset = 0, total = 0, generation = -1;
	char err[ERRSZ];
	size_t shown = 0, got;

	columns_fit(&cols, header);
	json_object_set_new(params, "what", json_string("records"));
	json_object_set_new(params, "limit", json_integer(PAGE));
	do {
		json_t *result, *page;

		json_object_set_new(params, "offset", json_integer(offset));
		if (request(s, "nv_list", json_incref(params), &result, err,
			    sizeof err) < 0) {
			json_decref(params);
			return ctl_cli_fail("%s", err);
		}
		if (generation >= 0
		    && num(result, "generation") != generation) {
			json_decref(result);
			json_decref(params);
			return ctl_cli_fail("the records changed while they were being "
				    "listed: run the command again");
		}
		generation = num(result, "generation");
		total = num(result, "total");
		page = json_object_get(result, "records");
		got = json_array_size(page);
		if (s->json)
			print_records_json(page, offset == 0, total, &shown);
		else
			print_records_text(page, &cols, header, &shown);
		offset += (json_int_t) got;
		json_decref(result);
	} while (got && offset < total);
	json_decref(params);
	if (s->json)
		printf("%s]\n}\n", shown ? "\n  " : "");
	else
		printf("%s%zu record%s\n", shown ? "\n" : "", shown,
		       shown == 1 ? "" : "s");
	return 0;
}

static void
print_records_json(json_t *page, bool first, json_int_t total,
		   size_t *shown)
{
	json_t *item;
	size_t i;

	if (first)
		printf("{\n  \"total\": %lld,\n  \"records\": [",
		       (long long) total);
	json_array_foreach(page, i, item) {
		char *text =
			json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);

		printf("%s\n    %s", *shown ? "," : "", text ? text : "null");
		free(text);
		(*shown)++;
	}
}

static void
print_records_text(json_t *page, struct columns *cols,
		   const char *const *header, size_t *shown)
{
	const char *cells[5];
	char vsid[16];
	json_t *item;

	for (int pass = 0; pass < 2; pass++) {
		size_t i;

		if (pass == 1 && *shown == 0 && json_array_size(page))
			columns_print(cols, header);
		json_array_foreach(page, i, item) {
			snprintf(vsid, sizeof vsid, "%lld", num(item, "vsid"));
			cells[0] = vsid;
			cells[1] = str(item, "ca");
			cells[2] = str(item, "mac");
			cells[3] = str(item, "pa");
			cells[4] = str(item, "rule");
			if (pass == 0)
				columns_fit(cols, cells);
			else
				columns_print(cols, cells);
		}
	}
	*shown += json_array_size(page);
}

static int
list_small(struct session *s, json_t *params, const char *what,
	   const char *key, json_t **list)
{
	char err[ERRSZ];
	json_t *result;

	json_object_set_new(params, "what", json_string(what));
	if (request(s, "nv_list", params, &result, err, sizeof err) < 0)
		return ctl_cli_fail("%s", err);
	if (s->json) {
		json_dumpf(result, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(result);
		*list = NULL;
		return 0;
	}
	*list = json_incref(json_object_get(result, key));
	json_decref(result);
	return 0;
}

static int
run_list_routes(struct session *s, json_t *params)
{
	static const char *const header[] = {
		"RDID", "VSID", "PREFIX", "NEXT HOP", "METRIC", "GATEWAY"
	};
	json_t *list;

	if (list_small(s, params, "routes", "routes", &list) != 0)
		return 1;
	print_small_table(list, 6, header, route_row);
	json_decref(list);
	return 0;
}

static int
run_list_pa(struct session *s, json_t *params)
{
	static const char *const header[] = { "ADDRESS", "PORT", "VLAN",
					      "FLOWID" };
	json_t *list;

	if (list_small(s, params, "pa", "pas", &list) != 0)
		return 1;
	print_small_table(list, 4, header, pa_row);
	json_decref(list);
	return 0;
}

static int
run_list_pa_routes(struct session *s, json_t *params)
{
	static const char *const header[] = { "PREFIX", "NEXT HOP", "METRIC" };
	json_t *list;

	if (list_small(s, params, "pa_routes", "pa_routes", &list) != 0)
		return 1;
	print_small_table(list, 3, header, pa_route_row);
	json_decref(list);
	return 0;
}

/* What vswitchd's data path does with the tables. */
static void
print_dataplane(json_t *dp)
{
	json_t *peers = json_object_get(dp, "peers");
	json_t *u = json_object_get(dp, "underlay");
	json_t *nh, *drops, *v;
	const char *key;
	size_t i;

	if (!json_is_true(json_object_get(dp, "active"))) {
		printf("data path: no tables yet\n");
		return;
	}
	printf("data path: %lld records in %lld VSIDs, %lld bytes of tables, "
	       "version %lld\n", num(dp, "records"), num(dp, "vsids"),
	       num(dp, "table_bytes"), num(dp, "version"));
	printf("  inner MTU %lld, virtual gateway MAC %s\n",
	       num(dp, "inner_mtu"), str(dp, "gateway_mac"));
	printf("  remote PAs: %lld ready, %lld resolving, %lld unreachable\n",
	       num(peers, "ready"), num(peers, "unresolved"),
	       num(peers, "unreachable"));
	json_array_foreach(json_object_get(dp, "next_hops"), i, nh) {
		printf("  next hop %s on %s", str(nh, "address"),
		       str(nh, "port"));
		if (num(nh, "vlan"))
			printf(" vlan %lld", num(nh, "vlan"));
		if (json_is_string(json_object_get(nh, "mac")))
			printf(": %s at %s (%lld s left)\n", str(nh, "state"),
			       str(nh, "mac"), num(nh, "expires_ms") / 1000);
		else
			printf(": %s\n", str(nh, "state"));
	}
	printf("  underlay ARP/ND: %lld received, %lld answered, %lld asked\n",
	       num(u, "neigh_rx"), num(u, "answered"), num(u, "requests"));
	drops = json_object_get(dp, "decap_drops");
	json_object_foreach(drops, key, v)
		printf("  NVGRE refused: %s %lld\n", key,
		       (long long) json_integer_value(v));
}

static int
run_status(struct session *s, json_t *params)
{
	json_t *result, *own;
	char err[ERRSZ];

	if (request(s, "nv_status", params, &result, err, sizeof err) < 0)
		return ctl_cli_fail("%s", err);
	if (s->json) {
		json_dumpf(result, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(result);
		return 0;
	}
	own = json_object_get(result, "controld");
	print_counts("controld", own);
	printf("  snapshot %s\n  journal %s (%lld ops since the snapshot, "
	       "last seq %lld)\n", str(own, "snapshot"), str(own, "journal"),
	       num(own, "journal_ops"), num(own, "seq"));
	if (json_object_get(result, "vswitchd")) {
		print_counts("vswitchd", json_object_get(result, "vswitchd"));
		printf("%s\n", json_is_true(json_object_get(result, "in_sync"))
		       ? "in sync" : "NOT in sync");
		print_dataplane(json_object_get(json_object_get(result,
			"vswitchd"), "dataplane"));
	} else {
		printf("vswitchd: not connected\n");
	}
	json_decref(result);
	return 0;
}

/* Import. */

/* Reads FILE, checks it whole, sends it as nv_import and reports what it
 * did.  A message about one op names the element of the file it came
 * from. */
static int
run_import(struct session *s, json_t *params)
{
	char err[ERRSZ], **labels = NULL;
	json_t *result = NULL, *ops;
	size_t n_records = 0;
	struct ctl_nv_txn txn;
	int rc;

	json_decref(params);
	ctl_nv_txn_init(&txn);
	rc = import_read(s->arg, &txn, &labels, err, sizeof err);
	for (size_t i = 0; rc == 0 && i < txn.n_ops; i++)
		n_records += txn.ops[i].kind == CTL_NV_OP_ADD_RECORD
			     || txn.ops[i].kind == CTL_NV_OP_DEL_RECORD;
	ops = rc == 0 ? ctl_nv_txn_to_json(&txn) : NULL;
	if (rc == 0 && !ops)
		rc = ctl_cli_errf(err, sizeof err, "out of memory");
	if (rc == 0)
		rc = request(s, "nv_import", json_pack("{s:o}", "ops", ops),
			     &result, err, sizeof err);
	if (rc < 0 && labels)
		import_name_element(labels, txn.n_ops, err, sizeof err);
	if (rc < 0 && !strncmp(err, "the request is longer", 21))
		snprintf(err + strlen(err), sizeof err - strlen(err), " (%zu "
			 "ops): split the file; about 140000 records fit in one "
			 "transaction", txn.n_ops);
	for (size_t i = 0; labels && i < txn.n_ops; i++)
		free(labels[i]);
	free(labels);
	if (rc < 0) {
		ctl_nv_txn_free(&txn);
		return ctl_cli_fail("%s: %s", s->arg, err);
	}
	if (s->json) {
		json_dumpf(result, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("%zu records imported (%lld new, %lld replaced, %lld "
		       "deleted)", n_records, num(result, "added"),
		       num(result, "replaced"), num(result, "deleted"));
		if (txn.n_ops > n_records)
			printf(", %zu other operations", txn.n_ops - n_records);
		printf("; %lld records in all\n", num(result, "records"));
	}
	ctl_nv_txn_free(&txn);
	json_decref(result);
	return 0;
}

/* FILE is a list of ops, or an object of tables ("pas", "pa_routes",
 * "routes", "records", in that order; a snapshot is one) or {"ops":
 * [...]}.  '*labels' gets each op's place in the file. */
static int
import_read(const char *path, struct ctl_nv_txn *txn, char ***labels, char *err,
	    size_t errsz)
{
	static const struct {
		const char *key;
		enum ctl_nv_op_kind add;
	} tables[] = {
		{"pas", CTL_NV_OP_ADD_PA},
		{"pa_routes", CTL_NV_OP_ADD_PA_ROUTE},
		{"routes", CTL_NV_OP_ADD_ROUTE},
		{"records", CTL_NV_OP_ADD_RECORD},
		{"ops", CTL_NV_OP_N},
	};
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	json_t *version;
	const char *key;
	json_t *v;
	int rc = 0;

	if (!root)
		return ctl_cli_errf(err, errsz, "line %d, column %d: %s", jerr.line,
			    jerr.column, jerr.text);
	if (json_is_array(root)) {
		rc = import_table(root, "", CTL_NV_OP_N, txn, labels, err,
				  errsz);
		json_decref(root);
		return rc;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return ctl_cli_errf(err, errsz,
			    "expected a list of ops or an object of tables");
	}
	json_object_foreach(root, key, v) {
		bool known =
			!strcmp(key, "schema_version") || !strcmp(key, "seq");

		for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
			known |= !strcmp(key, tables[t].key);
		if (!known) {
			json_decref(root);
			return ctl_cli_errf(err, errsz,
				    "%s: unknown key (pas, pa_routes, "
				    "routes, records, ops)",
				    key);
		}
	}
	version = json_object_get(root, "schema_version");
	if (version
	    && (!json_is_integer(version)
		|| json_integer_value(version) != CTL_NV_SCHEMA_VERSION))
		rc = ctl_cli_errf(err, errsz, "schema_version: expected %d",
			  CTL_NV_SCHEMA_VERSION);
	for (size_t t = 0; rc == 0 && t < sizeof tables / sizeof tables[0]; t++)
		if ((v = json_object_get(root, tables[t].key)))
			rc = import_table(v, tables[t].key, tables[t].add, txn,
					  labels, err, errsz);
	json_decref(root);
	if (rc == 0 && txn->n_ops == 0)
		rc = ctl_cli_errf(err, errsz, "nothing to import");
	return rc;
}

/* The elements of 'list' as ops: table elements when 'add' is an add op,
 * else ops. */
static int
import_table(json_t *list, const char *key, enum ctl_nv_op_kind add,
	     struct ctl_nv_txn *txn, char ***labels, char *err, size_t errsz)
{
	char label[64];
	json_t *v;
	size_t i;

	if (!json_is_array(list))
		return ctl_cli_errf(err, errsz, "%s: expected an array", key[0] ? key
			    : "the file");
	json_array_foreach(list, i, v) {
		struct ctl_nv_op op;
		int rc;

		snprintf(label, sizeof label, "%s[%zu]", key, i);
		rc = add == CTL_NV_OP_N
			? ctl_nv_op_from_json(v, label, &op, err, errsz)
			: ctl_nv_elem_from_json(v, add, label, &op, err, errsz);
		if (rc < 0)
			return -1;
		if (ctl_nv_txn_add(txn, &op) < 0
		    || import_label(labels, txn->n_ops, label) < 0)
			return ctl_cli_errf(err, errsz, "out of memory");
	}
	return 0;
}

static int
import_label(char ***labels, size_t n, const char *label)
{
	char **l = *labels;

	if ((n & (n - 1)) == 0) {       /* n - 1 was a power of two */
		l = realloc(l, 2 * n * sizeof *l);
		if (!l)
			return -1;
		*labels = l;
	}
	l[n - 1] = strdup(label);
	return l[n - 1] ? 0 : -1;
}

/* controld's "ops[K]..." as the element of the file op K came from. */
static void
import_name_element(char **labels, size_t n, char *err, size_t errsz)
{
	char rest[ERRSZ], *end;
	unsigned long k;

	if (strncmp(err, "ops[", 4))
		return;
	k = strtoul(err + 4, &end, 10);
	if (*end != ']' || k >= n)
		return;
	snprintf(rest, sizeof rest, "%s", end + 1);
	snprintf(err, errsz, "%s%s", labels[k], rest);
}

/* Printing. */

static void
columns_fit(struct columns *c, const char *const *cells)
{
	for (unsigned int i = 0; i < c->n; i++)
		if ((int) strlen(cells[i]) > c->width[i])
			c->width[i] = (int) strlen(cells[i]);
}

static void
columns_print(const struct columns *c, const char *const *cells)
{
	for (unsigned int i = 0; i < c->n; i++)
		if (i + 1 < c->n)
			printf("%-*s  ", c->width[i], cells[i]);
		else
			printf("%s\n", cells[i]);
}

/* A table small enough to size before printing. */
static void
print_small_table(json_t *list, unsigned int n_cols,
		  const char *const *header,
		  void (*row)(json_t *item, char cells[][64]))
{
	struct columns cols = { .n = n_cols };
	char (*cells)[MAX_COLS][64];
	const char *p[MAX_COLS];
	size_t n = json_array_size(list), i;
	json_t *item;

	if (!list)
		return;
	cells = calloc(n ? n : 1, sizeof *cells);
	if (!cells) {
		ctl_cli_fail("out of memory");
		return;
	}
	columns_fit(&cols, header);
	json_array_foreach(list, i, item) {
		row(item, cells[i]);
		for (unsigned int c = 0; c < n_cols; c++)
			p[c] = cells[i][c];
		columns_fit(&cols, p);
	}
	if (n)
		columns_print(&cols, header);
	for (i = 0; i < n; i++) {
		for (unsigned int c = 0; c < n_cols; c++)
			p[c] = cells[i][c];
		columns_print(&cols, p);
	}
	free(cells);
}

static void
pa_row(json_t *item, char cells[][64])
{
	snprintf(cells[0], 64, "%s", str(item, "address"));
	snprintf(cells[1], 64, "%s", str(item, "port"));
	if (json_object_get(item, "vlan"))
		snprintf(cells[2], 64, "%lld", num(item, "vlan"));
	else
		snprintf(cells[2], 64, "untagged");
	if (json_object_get(item, "flowid"))
		snprintf(cells[3], 64, "%lld", num(item, "flowid"));
	else
		snprintf(cells[3], 64, "hash");
}

static void
pa_route_row(json_t *item, char cells[][64])
{
	snprintf(cells[0], 64, "%s", str(item, "prefix"));
	snprintf(cells[1], 64, "%s", str(item, "next_hop"));
	snprintf(cells[2], 64, "%lld", num(item, "metric"));
}

/* GATEWAY: the virtual gateway of an on-link route, "(default)" when it
 * was not given. */
static void
route_row(json_t *item, char cells[][64])
{
	const char *hop = str(item, "next_hop");

	snprintf(cells[0], 64, "%s", str(item, "rdid"));
	snprintf(cells[1], 64, "%lld", num(item, "vsid"));
	snprintf(cells[2], 64, "%s", str(item, "prefix"));
	snprintf(cells[3], 64, "%s", !strcmp(hop, "0.0.0.0")
		 || !strcmp(hop, "::") ? "on-link" : hop);
	snprintf(cells[4], 64, "%lld", num(item, "metric"));
	if (!json_object_get(item, "virtual_gateway"))
		snprintf(cells[5], 64, "-");
	else
		snprintf(cells[5], 64, "%s%s", str(item, "virtual_gateway"),
			 json_object_get(item, "gateway") ? "" : " (default)");
}

static void
print_counts(const char *who, json_t *c)
{
	printf("%s: %lld provider addresses, %lld provider routes, %lld "
	       "records, %lld customer routes (digest %s, %.1f MB)\n", who,
	       num(c, "pas"), num(c, "pa_routes"), num(c, "records"),
	       num(c, "routes"), str(c, "digest"),
	       (double) num(c, "memory_bytes") / 1e6);
}

static const char *
str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "-";
}

static long long
num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long long) json_integer_value(v) : -1;
}

/* Help. */

static void
usage(FILE *out)
{
	fprintf(out, "usage: vswitchctl [--socket PATH] [--json] nv SUBCOMMAND "
		"[OPTIONS]\n\nSubcommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char head[32];

		snprintf(head, sizeof head, "%s%s%s", commands[i].name,
			 commands[i].arg ? " " : "",
			 commands[i].arg ? commands[i].arg : "");
		fprintf(out, "  %-16s %s\n", head, commands[i].help);
	}
	fprintf(out, "\nRun 'vswitchctl nv SUBCOMMAND --help' for its "
		"options.\n");
}

static void
command_help(const struct nv_cmd *cmd)
{
	printf("usage: vswitchctl [--socket PATH] [--json] nv %s", cmd->name);
	if (cmd->arg)
		printf(" %s", cmd->arg);
	for (const struct nv_opt *o = cmd->opts; o->flag; o++)
		printf(o->required ? " %s %s" : " [%s %s]", o->flag,
		       o->metavar);
	printf("\n\n%c%s.\n", cmd->help[0] - 'a' + 'A', cmd->help + 1);
	if (cmd->opts->flag)
		printf("\nOptions:\n");
	for (const struct nv_opt *o = cmd->opts; o->flag; o++) {
		char head[40];

		snprintf(head, sizeof head, "%s %s", o->flag, o->metavar);
		printf("  %-24s %s%s\n", head, o->help,
		       o->required ? " (required)" : "");
	}
	exit(0);
}


