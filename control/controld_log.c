/* controld's log and the log_level method (docs/protocol.md "Log
 * levels").
 *
 * Every line goes to standard error, which is the journal under systemd.
 * When it is (JOURNAL_STREAM names our standard error), each line starts
 * with "<N>", N its syslog level, which journald takes as the priority.
 * Levels live in memory only: a restart starts from the defaults. */
#define CTLD_LOG_THIS CTLD_LOG_RPC
#include "control/controld.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control/config_priv.h"
#include "control/loglevel.h"

#define DEFAULT_LEVEL LOG_NOTICE
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
	"0123456789._-"
#define ERRSZ 512

static const char *const component_names[CTLD_LOG_N] = {
#define CTLD_LOG_NAME(ID, NAME) "controld." NAME,
	CTLD_FOREACH_LOG(CTLD_LOG_NAME)
#undef CTLD_LOG_NAME
};

/* Each component's level, read and written by the one thread. */
static int levels[CTLD_LOG_N] = {
	[0 ... CTLD_LOG_N - 1] = DEFAULT_LEVEL,
};

static bool to_journal(void);
static int check_pattern(const char *pattern, char *err, size_t errsz);
static void set_levels(const char *pattern, int level);
static json_t *list_levels(const char *pattern, json_t *list);
static void log_change(const struct ctld_client *c, const char *pattern,
		       int level);

void
ctld_log_at(enum ctld_log_component component, int level, const char *fmt,
	    ...)
{
	static int journal = -1;
	char msg[1024];
	va_list args;

	if (!ctld_log_enabled(component, level))
		return;
	if (journal < 0)
		journal = to_journal();
	va_start(args, fmt);
	vsnprintf(msg, sizeof msg, fmt, args);
	va_end(args);
	if (journal)
		fprintf(stderr, "<%d>controld: %s\n", level, msg);
	else
		fprintf(stderr, "controld: %s\n", msg);
}

bool
ctld_log_enabled(enum ctld_log_component component, int level)
{
	return component >= 0 && component < CTLD_LOG_N
	       && level <= levels[component];
}

/* log_level: {} lists every component of both daemons; "component" alone
 * lists those it names; with "level" too, it sets them (a change). */
void
ctld_log_level(struct ctld *d, const struct ctld_req *r)
{
	json_t *jc = json_object_get(r->params, "component");
	json_t *jl = json_object_get(r->params, "level");
	const char *pattern = json_string_value(jc);
	struct ctld_pending p = {
		.kind = CTLD_WAIT_LOG_LEVEL, .client = r->client,
		.client_id = r->id,     /* borrowed until sent to vswitchd */
	};
	char err[ERRSZ];
	json_t *params;
	int level;

	if ((jc && !json_is_string(jc)) || (jl && !json_is_string(jl))) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s: expected a string, got %s",
				 jc && !json_is_string(jc) ? "component"
				 : "level",
				 ctl_json_type_name(jc && !json_is_string(jc)
						    ? jc : jl));
		return;
	}
	if (jl && !jc) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "level: needs a component");
		return;
	}
	if ((pattern && check_pattern(pattern, err, sizeof err) < 0)
	    || ctl_log_check_level(json_string_value(jl), &level, err,
				   sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	if (level >= 0 && !r->client->may_change) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "permission denied: log_level needs root%s%s",
				 d->group_name ? " or group " : "",
				 d->group_name ? d->group_name : "");
		return;
	}
	snprintf(p.log_pattern, sizeof p.log_pattern, "%s",
		 pattern ? pattern : "all");
	p.log_level = level;
	if (!ctl_log_pattern_concerns(p.log_pattern, "vswitchd")) {
		ctld_log_complete(d, &p, NULL, NULL, false);
		return;
	}
	if (!ctld_dp_up(d) && (level >= 0 || pattern)) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "vswitchd is not connected: %s",
				 level >= 0 ? "nothing changed"
				 : "its log levels are not known");
		return;
	}
	if (!ctld_dp_up(d)) {           /* list ours, and say so */
		ctld_log_complete(d, &p, NULL, NULL, true);
		return;
	}
	params = json_pack("{s:s}", "component", p.log_pattern);
	if (params && level >= 0)
		json_object_set_new(params, "level",
				    json_string(ctl_log_level_name(level)));
	p.client_id = r->id ? json_incref(r->id) : NULL;
	snprintf(p.what, sizeof p.what, "log_level %s", p.log_pattern);
	if (ctld_dp_call(d, "log_level", params, &p) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "vswitchd is not connected");
		json_decref(p.client_id);
	}
}

/* Ends a log_level request: vswitchd's part is done ('result', its
 * answer, or NULL when vswitchd had no part or failed with 'error'), so
 * controld's follows, and the answer lists both.  'lost' without 'error':
 * vswitchd is down and was only to be listed. */
void
ctld_log_complete(struct ctld *d, const struct ctld_pending *p,
		  json_t *result, const char *error, bool lost)
{
	json_t *list, *dp_list = json_object_get(result, "components");

	if (error) {
		ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED,
				 "%s", lost && !ctld_dp_up(d)
				 ? "vswitchd is not connected" : error);
		return;
	}
	if (p->log_level >= 0 && ctl_log_pattern_concerns(p->log_pattern,
							  "controld"))
		set_levels(p->log_pattern, p->log_level);
	if (p->log_level >= 0)
		log_change(p->client, p->log_pattern, p->log_level);
	list = list_levels(p->log_pattern, json_array());
	if (json_is_array(dp_list))
		json_array_extend(list, dp_list);
	ctld_reply(d, p->client, p->client_id,
		   json_pack("{s:o, s:s}", "components", list, "dataplane",
			     lost || !ctld_dp_up(d) ? "down" : "up"));
}

/* Static helpers. */

/* journald sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it gave
 * us; it is ours only while standard error is still that stream. */
static bool
to_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return env && sscanf(env, "%llu:%llu", &dev, &ino) == 2
	       && fstat(2, &st) == 0 && (unsigned long long) st.st_dev == dev
	       && (unsigned long long) st.st_ino == ino;
}

/* 'pattern' must name controld's components, vswitchd's, or both; of
 * controld's, one that exists (vswitchd checks its own). */
static int
check_pattern(const char *pattern, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE], names[256] = "";
	size_t used = 0, length = strspn(pattern, NAME_CHARS);

	if (pattern[length] != '\0' || length >= sizeof
	    ((struct ctld_pending *) 0)->log_pattern)
		return ctl_err(err, errsz, -EINVAL, "component: '%s' is not "
			       "a log component (a name is letters, digits, "
			       "'.', '_' and '-', at most 63)",
			       ctl_quote(pattern, q));
	if (ctl_log_pattern_concerns(pattern, "vswitchd"))
		return 0;
	if (ctl_log_pattern_concerns(pattern, "controld")) {
		for (int i = 0; i < CTLD_LOG_N; i++)
			if (ctl_log_pattern_match(pattern, component_names[i]))
				return 0;
		for (int i = 0; i < CTLD_LOG_N && used < sizeof names; i++)
			used += (size_t) snprintf(names + used,
						  sizeof names - used, "%s%s",
						  i ? ", " : "",
						  component_names[i]
						  + strlen("controld."));
		return ctl_err(err, errsz, -EINVAL, "component: '%s' is not "
			       "a log component of controld (%s)",
			       ctl_quote(pattern, q), names);
	}
	return ctl_err(err, errsz, -EINVAL, "component: '%s' is not a log "
		       "component (give controld.NAME, vswitchd.NAME, "
		       "controld, vswitchd or all; 'vswitchctl log-level' "
		       "lists them)", ctl_quote(pattern, q));
}

static void
set_levels(const char *pattern, int level)
{
	for (int i = 0; i < CTLD_LOG_N; i++)
		if (ctl_log_pattern_match(pattern, component_names[i]))
			levels[i] = level;
}

/* Appends controld's components that 'pattern' names to 'list'. */
static json_t *
list_levels(const char *pattern, json_t *list)
{
	for (int i = 0; list && i < CTLD_LOG_N; i++)
		if (ctl_log_pattern_match(pattern, component_names[i]))
			json_array_append_new(list, json_pack(
				"{s:s, s:s}", "name", component_names[i],
				"level", ctl_log_level_name(levels[i])));
	return list;
}

/* Logged whatever the levels now are: who changed them matters. */
static void
log_change(const struct ctld_client *c, const char *pattern, int level)
{
	int saved = levels[CTLD_LOG_RPC];

	levels[CTLD_LOG_RPC] = LOG_NOTICE > saved ? LOG_NOTICE : saved;
	ctld_log("log level of %s set to %s by uid %ld (pid %ld)", pattern,
		 ctl_log_level_name(level), c ? (long) c->uid : -1L,
		 c ? (long) c->pid : -1L);
	levels[CTLD_LOG_RPC] = saved;
}
