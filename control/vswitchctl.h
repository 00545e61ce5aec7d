/* vswitchctl internals: the human-readable writers of vswitchctl_print.c,
 * kept apart from the command table and the RPC in vswitchctl.c.  Each
 * takes the JSON-RPC result of its method (borrowed) and writes to stdout;
 * missing or mistyped fields print as "-".  Also the connection helpers
 * of vswitchctl.c, for commands that hold a conversation
 * (vswitchctl_capture.c). */
#ifndef VSWITCH_CONTROL_VSWITCHCTL_H
#define VSWITCH_CONTROL_VSWITCHCTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "control/rpc.h"

#define CTL_CLI_TIMEOUT_MS 15000        /* for each answer from controld */
#define CTL_CAPTURE_COUNT_MAX 1000000000000LL
#define CTL_CAPTURE_TIMEOUT_MAX 31536000        /* a year, in seconds */

/* Connects to controld's socket at 'path'.  Returns the socket or -1
 * with the reason in 'err'. */
int ctl_cli_connect(const char *path, char *err, size_t errsz);

/* Writes what 'conn' has queued and reads one line back as '*reply' (a
 * new reference), waiting at most CTL_CLI_TIMEOUT_MS.  Returns 0 or -1
 * with the reason in 'err'. */
int ctl_cli_exchange(struct ctl_rpc_conn *conn, json_t **reply, char *err,
		     size_t errsz);

/* The result of 'reply' in '*result' (new reference), or -1 with its
 * error message in 'err'. */
int ctl_cli_result(json_t *reply, json_t **result, char *err, size_t errsz);

/* Prints "vswitchctl: MESSAGE" to stderr and returns 1 (an exit
 * status). */
int ctl_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes the message into 'err' and returns -1. */
int ctl_cli_errf(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* vswitchctl_capture.c: the "capture" command. */
int ctl_capture_run(const char *socket_path, bool json, json_t *params);

/* vswitchctl_nv.c: the "nv" command, which parses its subcommand and
 * options itself ('argv' starts after "nv"). */
int ctl_nv_main(const char *socket_path, bool json, int argc, char **argv);

/* vswitchctl_log.c: the "log-level" command ('argv' starts after it). */
int ctl_log_level_main(const char *socket_path, bool json, int argc,
		       char **argv);

void ctl_print_show(json_t *result);
void ctl_print_list_ports(json_t *result);
void ctl_print_port_stats(json_t *result);
void ctl_print_mac_table(json_t *result);
void ctl_print_queues(json_t *result);
void ctl_print_team_status(json_t *result);

#endif
