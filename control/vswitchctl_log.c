/* vswitchctl log-level [COMPONENT [LEVEL]]: lists the log levels of both
 * daemons' components, or those COMPONENT names, or sets them to LEVEL
 * (docs/protocol.md "Log levels"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/loglevel.h"
#include "control/vswitchctl.h"

#define ERRSZ 1024

static void usage(FILE *out);
static int call(const char *socket_path, json_t *params, json_t **result,
		char *err, size_t errsz);
static void print_levels(json_t *result);

int
ctl_log_level_main(const char *socket_path, bool json, int argc, char **argv)
{
	json_t *params, *result = NULL;
	char err[ERRSZ];
	int level;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			exit(0);
		}
		if (argv[i][0] == '-')
			return ctl_cli_fail("log-level: unknown option '%s' "
					    "(see 'vswitchctl log-level "
					    "--help')", argv[i]);
	}
	if (argc > 2)
		return ctl_cli_fail("log-level: unexpected argument '%s'",
			    argv[2]);
	if (argc == 2 && ctl_log_check_level(argv[1], &level, err,
					     sizeof err) < 0)
		return ctl_cli_fail("%s", err);
	params = json_object();
	if (!params || (argc >= 1 && json_object_set_new(params, "component",
						 json_string(argv[0])) < 0)
	    || (argc == 2 && json_object_set_new(params, "level",
				 json_string(ctl_log_level_name(level))) < 0)) {
		json_decref(params);
		return ctl_cli_fail("out of memory");
	}
	if (call(socket_path, params, &result, err, sizeof err) < 0)
		return ctl_cli_fail("%s", err);
	if (json) {
		json_dumpf(result, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (argc < 2) {
		print_levels(result);
	}
	json_decref(result);
	if (fflush(stdout) != 0)
		return ctl_cli_fail("cannot write the output");
	return 0;
}

/* Static helpers. */

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: vswitchctl [--socket PATH] [--json] log-level "
		"[COMPONENT [LEVEL]]\n"
		"\n"
		"Without arguments, lists every log component of\n"
		"vswitch-controld and vswitchd with its level; with COMPONENT,\n"
		"those it names; with LEVEL too, sets them (root or controld's\n"
		"--group).\n"
		"\n"
		"  COMPONENT  controld.NAME or vswitchd.NAME as listed, a\n"
		"             daemon's name (all of its components) or all\n"
		"  LEVEL      %s\n"
		"\n"
		"Levels are not saved: a daemon starts with notice.\n",
		CTL_LOG_LEVEL_NAMES);
}

/* Sends log_level with 'params' (stolen). */
static int
call(const char *socket_path, json_t *params, json_t **result, char *err,
     size_t errsz)
{
	json_t *msg = ctl_rpc_request("log_level", params, 1), *reply = NULL;
	struct ctl_rpc_conn conn;
	int fd, rc;

	if (!msg)
		return ctl_cli_errf(err, errsz, "out of memory");
	fd = ctl_cli_connect(socket_path, err, errsz);
	if (fd < 0) {
		json_decref(msg);
		return -1;
	}
	ctl_rpc_conn_init(&conn, fd);
	rc = ctl_rpc_conn_send(&conn, msg);
	json_decref(msg);
	if (rc < 0)
		rc = ctl_cli_errf(err, errsz, "cannot send the request: %s",
				  strerror(-rc));
	else if (ctl_cli_exchange(&conn, &reply, err, errsz) < 0)
		rc = -1;
	else
		rc = ctl_cli_result(reply, result, err, errsz);
	json_decref(reply);
	ctl_rpc_conn_close(&conn);
	return rc;
}

static void
print_levels(json_t *result)
{
	json_t *list = json_object_get(result, "components"), *c;
	const char *dataplane = json_string_value(json_object_get(result,
								  "dataplane"));
	size_t i;

	json_array_foreach(list, i, c) {
		const char *name, *level;

		name = json_string_value(json_object_get(c, "name"));
		level = json_string_value(json_object_get(c, "level"));

		printf("%-18s %s\n", name ? name : "-", level ? level : "-");
	}
	if (dataplane && !strcmp(dataplane, "down"))
		printf("(vswitchd is not connected: its components are not "
		       "listed)\n");
}
