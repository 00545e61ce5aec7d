/* Unit tests for control/loglevel.c (level names, component patterns)
 * and the input state of control/rpc.c that controld's client timeout
 * reads (ctl_rpc_conn_has_input, ctl_rpc_conn_has_line). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "control/loglevel.h"
#include "control/rpc.h"

Test(loglevel, names_round_trip)
{
	for (int i = LOG_EMERG; i <= LOG_DEBUG; i++)
		cr_assert_eq(ctl_log_level_parse(ctl_log_level_name(i)), i);
	cr_assert_str_eq(ctl_log_level_name(LOG_WARNING), "warning");
	cr_assert_str_eq(ctl_log_level_name(LOG_ERR), "err");
	cr_assert_eq(ctl_log_level_parse("DEBUG"), LOG_DEBUG);
	cr_assert_eq(ctl_log_level_parse("Notice"), LOG_NOTICE);
}

Test(loglevel, bad_names)
{
	const char *bad[] = { "", "warn", "error", "debug ", "7", "loud",
			      "information" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(ctl_log_level_parse(bad[i]), -EINVAL, "%s",
			     bad[i]);
	cr_assert_str_eq(ctl_log_level_name(-1), "?");
	cr_assert_str_eq(ctl_log_level_name(8), "?");
}

Test(loglevel, check_level)
{
	char err[256] = "";
	int level = 99;

	cr_assert_eq(ctl_log_check_level(NULL, &level, err, sizeof err), 0);
	cr_assert_eq(level, -1);
	cr_assert_eq(ctl_log_check_level("info", &level, err, sizeof err), 0);
	cr_assert_eq(level, LOG_INFO);
	cr_assert_eq(ctl_log_check_level("loud", &level, err, sizeof err),
		     -EINVAL);
	cr_assert_str_eq(err, "level: 'loud' is not a log level (emerg, "
			 "alert, crit, err, warning, notice, info, debug)");
	/* A user's string is quoted safely. */
	cr_assert_eq(ctl_log_check_level("a'\nb", &level, err, sizeof err),
		     -EINVAL);
	cr_assert_null(strchr(err, '\n'));
}

Test(loglevel, pattern_match)
{
	cr_assert(ctl_log_pattern_match("all", "vswitchd.port"));
	cr_assert(ctl_log_pattern_match("vswitchd", "vswitchd.port"));
	cr_assert(ctl_log_pattern_match("vswitchd.port", "vswitchd.port"));
	cr_assert(ctl_log_pattern_match("controld", "controld.rpc"));
	cr_assert_not(ctl_log_pattern_match("controld", "vswitchd.port"));
	cr_assert_not(ctl_log_pattern_match("vswitch", "vswitchd.port"));
	cr_assert_not(ctl_log_pattern_match("vswitchd.po", "vswitchd.port"));
	cr_assert_not(ctl_log_pattern_match("vswitchd.port.x",
					    "vswitchd.port"));
	cr_assert_not(ctl_log_pattern_match("port", "vswitchd.port"));
	cr_assert_not(ctl_log_pattern_match("", "vswitchd.port"));
	cr_assert_not(ctl_log_pattern_match("vswitchd.", "vswitchd.port"));
}

Test(loglevel, pattern_concerns)
{
	cr_assert(ctl_log_pattern_concerns("all", "controld"));
	cr_assert(ctl_log_pattern_concerns("all", "vswitchd"));
	cr_assert(ctl_log_pattern_concerns("vswitchd", "vswitchd"));
	cr_assert(ctl_log_pattern_concerns("vswitchd.bogus", "vswitchd"));
	cr_assert_not(ctl_log_pattern_concerns("vswitchd", "controld"));
	cr_assert_not(ctl_log_pattern_concerns("vswitchd.", "vswitchd"));
	cr_assert_not(ctl_log_pattern_concerns("vswitchdx.a", "vswitchd"));
	cr_assert_not(ctl_log_pattern_concerns("rpc", "controld"));
	cr_assert_not(ctl_log_pattern_concerns("", "controld"));
}

/* What controld's client timeout sees of a connection's input. */
Test(rpc_input, partial_and_whole_lines)
{
	struct ctl_rpc_conn rx;
	char *line;
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
		     0);
	ctl_rpc_conn_init(&rx, sv[1]);
	cr_assert_not(ctl_rpc_conn_has_input(&rx));
	cr_assert_not(ctl_rpc_conn_has_line(&rx));
	cr_assert_eq(ctl_rpc_conn_read(&rx), -EAGAIN);

	/* One byte at a time: input, but never a line. */
	for (const char *p = "{\"a\":"; *p; p++) {
		cr_assert_eq(write(sv[0], p, 1), 1);
		cr_assert_eq(ctl_rpc_conn_read(&rx), 1);
		cr_assert(ctl_rpc_conn_has_input(&rx));
		cr_assert_not(ctl_rpc_conn_has_line(&rx));
	}
	cr_assert_eq(ctl_rpc_conn_next(&rx, &line), 0);

	/* The line ends, and a second one starts in the same read. */
	cr_assert_eq(write(sv[0], "1}\n{", 4), 4);
	cr_assert_eq(ctl_rpc_conn_read(&rx), 4);
	cr_assert(ctl_rpc_conn_has_line(&rx));
	cr_assert_eq(ctl_rpc_conn_next(&rx, &line), 1);
	cr_assert_str_eq(line, "{\"a\":1}");
	cr_assert(ctl_rpc_conn_has_input(&rx));
	cr_assert_not(ctl_rpc_conn_has_line(&rx));
	cr_assert_eq(write(sv[0], "}\n", 2), 2);
	cr_assert_eq(ctl_rpc_conn_read(&rx), 2);
	cr_assert(ctl_rpc_conn_has_line(&rx));
	cr_assert_eq(ctl_rpc_conn_next(&rx, &line), 1);
	cr_assert_str_eq(line, "{}");
	cr_assert_not(ctl_rpc_conn_has_input(&rx));
	cr_assert_not(ctl_rpc_conn_has_line(&rx));
	close(sv[0]);
	ctl_rpc_conn_close(&rx);
}

/* A line past CTL_RPC_MAX_LINE counts as one to hand out: next() then
 * fails, and the caller closes the connection. */
Test(rpc_input, oversized_line)
{
	static char chunk[1 << 20];
	struct ctl_rpc_conn rx;
	size_t sent = 0;
	char *line;
	int sv[2], size = 4 << 20;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
		     0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	ctl_rpc_conn_init(&rx, sv[1]);
	memset(chunk, 'x', sizeof chunk);
	while (sent <= CTL_RPC_MAX_LINE) {
		ssize_t n = write(sv[0], chunk, sizeof chunk);

		if (n > 0)
			sent += (size_t) n;
		while (ctl_rpc_conn_read(&rx) > 0)
			continue;
		if (sent <= CTL_RPC_MAX_LINE)
			cr_assert_not(ctl_rpc_conn_has_line(&rx));
	}
	while (ctl_rpc_conn_read(&rx) > 0)
		continue;
	cr_assert(ctl_rpc_conn_has_line(&rx));
	cr_assert_eq(ctl_rpc_conn_next(&rx, &line), -EMSGSIZE);
	close(sv[0]);
	ctl_rpc_conn_close(&rx);
}
