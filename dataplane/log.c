/* vswitchd's log types and the log_level method (see log.h). */
#include "dataplane/log.h"

#include <stdio.h>
#include <string.h>

#include "control/loglevel.h"

#define DEFAULT_LEVEL RTE_LOG_NOTICE

/* RTE_LOG_EMERG is 1, LOG_EMERG 0: DPDK counts syslog's levels from 1. */
#define RTE_FROM_SYSLOG(level) ((uint32_t) (level) + 1)
#define SYSLOG_FROM_RTE(level) ((int) (level) - 1)

int dp_logtypes[DP_LOG_N];

static const char *const names[DP_LOG_N] = {
#define DP_LOG_NAME(ID, NAME) "vswitchd." NAME,
	DP_FOREACH_LOG(DP_LOG_NAME)
#undef DP_LOG_NAME
};

/* Before EAL parses --log-level, which then applies to these types, as
 * RTE_LOG_REGISTER() does for one. */
RTE_INIT(dp_log_register)
{
	for (int i = 0; i < DP_LOG_N; i++) {
		dp_logtypes[i] = rte_log_register_type_and_pick_level(
			names[i], DEFAULT_LEVEL);
		if (dp_logtypes[i] < 0)
			dp_logtypes[i] = RTE_LOGTYPE_USER1;
	}
}

json_t *
dp_log_level(json_t *params, char *err, size_t errsz)
{
	json_t *jc = json_object_get(params, "component");
	json_t *jl = json_object_get(params, "level");
	const char *pattern = json_is_string(jc) ? json_string_value(jc)
						 : "all";
	json_t *list;
	int level, n = 0;

	if ((jc && !json_is_string(jc)) || (jl && !json_is_string(jl))) {
		snprintf(err, errsz, "%s: expected a string",
			 jc && !json_is_string(jc) ? "component" : "level");
		return NULL;
	}
	if (ctl_log_check_level(json_string_value(jl), &level, err, errsz) < 0)
		return NULL;
	for (int i = 0; i < DP_LOG_N; i++)
		n += ctl_log_pattern_match(pattern, names[i]);
	if (n == 0) {
		char known[256] = "";
		size_t used = 0;

		for (int i = 0; i < DP_LOG_N && used < sizeof known; i++)
			used += (size_t) snprintf(
				known + used, sizeof known - used, "%s%s",
				i ? ", " : "", names[i] + strlen("vswitchd."));
		snprintf(err, errsz, "component: '%.64s' is not a log "
			 "component of vswitchd (%s)", pattern, known);
		return NULL;
	}
	list = json_array();
	for (int i = 0; list && i < DP_LOG_N; i++) {
		if (!ctl_log_pattern_match(pattern, names[i]))
			continue;
		if (level >= 0)
			rte_log_set_level((uint32_t) dp_logtypes[i],
					  RTE_FROM_SYSLOG(level));
		json_array_append_new(list, json_pack("{s:s, s:s}",
			"name", names[i], "level", ctl_log_level_name(
				SYSLOG_FROM_RTE(rte_log_get_level(
					(uint32_t) dp_logtypes[i])))));
	}
	if (level >= 0)
		DP_LOG(NOTICE, "log level of %s set to %s", pattern,
		       ctl_log_level_name(level));
	return list ? json_pack("{s:o}", "components", list) : NULL;
}
