/* Log levels and components by name (see loglevel.h). */
#include "control/loglevel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "control/config_priv.h"

/* Indexed by syslog level (LOG_EMERG 0 .. LOG_DEBUG 7). */
static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

#define N_LEVELS (int) (sizeof level_names / sizeof level_names[0])

int
ctl_log_level_parse(const char *name)
{
	for (int i = 0; i < N_LEVELS; i++)
		if (!strcasecmp(name, level_names[i]))
			return i;
	return -EINVAL;
}

const char *
ctl_log_level_name(int level)
{
	return level >= 0 && level < N_LEVELS ? level_names[level] : "?";
}

bool
ctl_log_pattern_match(const char *pattern, const char *name)
{
	size_t length = strlen(pattern);

	if (!strcmp(pattern, "all") || !strcmp(pattern, name))
		return true;
	/* A daemon's name: the part of 'name' before its dot. */
	return length > 0 && !strchr(pattern, '.')
	       && !strncmp(pattern, name, length) && name[length] == '.';
}

bool
ctl_log_pattern_concerns(const char *pattern, const char *daemon)
{
	size_t length = strlen(daemon);

	if (!strcmp(pattern, "all") || !strcmp(pattern, daemon))
		return true;
	return !strncmp(pattern, daemon, length) && pattern[length] == '.'
	       && pattern[length + 1] != '\0';
}

int
ctl_log_check_level(const char *level, int *out, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];

	*out = -1;
	if (!level)
		return 0;
	*out = ctl_log_level_parse(level);
	if (*out >= 0)
		return 0;
	snprintf(err, errsz, "level: '%s' is not a log level (%s)",
		 ctl_quote(level, q), CTL_LOG_LEVEL_NAMES);
	return -EINVAL;
}
