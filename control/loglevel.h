/* Log levels and log components by name, for the log_level method
 * (docs/protocol.md "Log levels") of vswitch-controld and vswitchd and
 * for vswitchctl log-level.  Pure: no I/O, no state.
 *
 * Levels are syslog's, by syslog's names: emerg (0), alert, crit, err,
 * warning, notice, info, debug (7); a message is written when its level
 * is at most its component's level.
 *
 * A component is named "DAEMON.PART" ("controld.rpc", "vswitchd.port").
 * A pattern names components: a component's full name, a daemon's name
 * ("vswitchd": all of its components), or "all". */
#ifndef VSWITCH_CONTROL_LOGLEVEL_H
#define VSWITCH_CONTROL_LOGLEVEL_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_LOG_LEVEL_NAMES "emerg, alert, crit, err, warning, notice, " \
	"info, debug"

/* The level 'name' stands for (case-insensitive), or -EINVAL. */
int ctl_log_level_parse(const char *name);

/* The name of 'level' (0-7), or "?" when out of range. */
const char *ctl_log_level_name(int level);

/* Whether 'pattern' names component 'name' ("vswitchd.port"). */
bool ctl_log_pattern_match(const char *pattern, const char *name);

/* Whether 'pattern' may name some component of daemon 'daemon'
 * ("controld", "vswitchd"): "all", 'daemon' itself, or "'daemon'.PART"
 * for any PART.  It does not check that PART exists. */
bool ctl_log_pattern_concerns(const char *pattern, const char *daemon);

/* Checks 'level' (a level name, or NULL for none) and fills '*out' with
 * it, -1 when NULL.  Returns 0, or -EINVAL with a message naming it in
 * 'err'. */
int ctl_log_check_level(const char *level, int *out, char *err,
			size_t errsz);

#endif
