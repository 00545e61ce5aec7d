/* The team methods of controld (docs/protocol.md, add_team, del_team,
 * team_status).  add_team and del_team are changes like the others: built
 * on a clone of the configuration, checked with the parameters' names,
 * then validated whole and applied by ctld_change() (controld_apply.c).
 * team_status is vswitchd's to answer; controld only checks that the team
 * exists and forwards the question. */
#define CTLD_LOG_THIS CTLD_LOG_APPLY
#include "control/controld.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/config_priv.h"

#define ERRSZ 1024

static int add_team_build(const struct ctld_req *r, struct ctl_config *cand,
			  int *code, char *err, size_t errsz);
static int team_check_members(const struct ctl_config *cand,
			      const struct ctl_team *t, char *err,
			      size_t errsz);
static int team_param(const struct ctld_req *r, bool required,
		      const char **name, char *err, size_t errsz);
static void reply_oom(struct ctld *d, const struct ctld_req *r);

void
ctld_add_team(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand = ctl_config_clone(d->cfg);
	char err[ERRSZ], what[96];
	int code = CTL_RPC_FAILED;

	if (!cand) {
		reply_oom(d, r);
		return;
	}
	if (add_team_build(r, cand, &code, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, code, "%s", err);
		ctl_config_free(cand);
		return;
	}
	snprintf(what, sizeof what, "add_team %s (uid %ld, pid %ld)",
		 cand->teams[cand->n_teams - 1].name, (long) r->client->uid,
		 (long) r->client->pid);
	ctld_change(d, r->client, r->id, cand, what);
}

/* A team goes only once no port is made of it: del-port first. */
void
ctld_del_team(struct ctld *d, const struct ctld_req *r)
{
	struct ctl_config *cand;
	char err[ERRSZ], what[96];
	const char *name;
	int i, port;

	if (team_param(r, true, &name, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	i = ctl_config_team_index(d->cfg, name);
	if (i < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "team %s does not exist", name);
		return;
	}
	port = ctl_config_team_port(d->cfg, name);
	if (port >= 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "team %s is used by port %s", name,
				 d->cfg->ports[port].name);
		return;
	}
	cand = ctl_config_clone(d->cfg);
	if (!cand) {
		reply_oom(d, r);
		return;
	}
	ctl_config_remove_team(cand, (unsigned int) i);
	snprintf(what, sizeof what, "del_team %s (uid %ld, pid %ld)", name,
		 (long) r->client->uid, (long) r->client->pid);
	ctld_change(d, r->client, r->id, cand, what);
}

void
ctld_team_status(struct ctld *d, const struct ctld_req *r)
{
	char err[ERRSZ];
	const char *name;

	if (team_param(r, false, &name, err, sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	if (name && ctl_config_team_index(d->cfg, name) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "team %s does not exist", name);
		return;
	}
	ctld_ask(d, r->client, r->id, CTLD_WAIT_FORWARD, "team_status", name
		 ? json_pack("{s:s}", "name", name) : json_object());
}

/* Static helpers. */

/* Appends the team that add_team's parameters describe to 'cand'.  On
 * error, '*code' is the JSON-RPC error code to answer with. */
static int
add_team_build(const struct ctld_req *r, struct ctl_config *cand, int *code,
	       char *err, size_t errsz)
{
	struct ctl_team *t = &cand->teams[cand->n_teams];
	const char *name;

	*code = CTL_RPC_INVALID_PARAMS;
	if (team_param(r, true, &name, err, errsz) < 0)
		return -EINVAL;
	*code = CTL_RPC_FAILED;
	if (ctl_config_team_index(cand, name) >= 0)
		return ctl_err(err, errsz, -EEXIST, "team %s already exists",
			       name);
	if (cand->n_teams >= CTL_MAX_TEAMS)
		return ctl_err(err, errsz, -ENOSPC, "the switch has %d teams, "
			       "the most it can", CTL_MAX_TEAMS);
	*code = CTL_RPC_INVALID_PARAMS;
	memset(t, 0, sizeof *t);
	memcpy(t->name, name, strlen(name) + 1);
	if (ctl_decode_team(r->params, "", t, err, errsz) < 0
	    || team_check_members(cand, t, err, errsz) < 0)
		return -EINVAL;
	cand->n_teams++;
	return 0;
}

/* No member of 't' (not yet in 'cand') is another team's or a port's
 * device.  Messages name the parameter: "members[1]: ...". */
static int
team_check_members(const struct ctl_config *cand, const struct ctl_team *t,
		   char *err, size_t errsz)
{
	for (unsigned int m = 0; m < t->n_members; m++) {
		const char *devargs = t->members[m];
		unsigned int other;
		int team = ctl_config_member_team(cand, devargs, -1, &other);
		int port = ctl_config_devargs_port(cand, devargs);

		if (team >= 0)
			return ctl_err(err, errsz, -EEXIST, "members[%u]: %s "
				       "is already a member of team %s", m,
				       devargs, cand->teams[team].name);
		if (port >= 0)
			return ctl_err(err, errsz, -EEXIST, "members[%u]: %s "
				       "is already the devargs of port %s", m,
				       devargs, cand->ports[port].name);
	}
	return 0;
}

/* The "name" parameter, a team name; '*name' is NULL when it is absent
 * and not 'required'. */
static int
team_param(const struct ctld_req *r, bool required, const char **name,
	   char *err, size_t errsz)
{
	json_t *v = json_object_get(r->params, "name");

	*name = NULL;
	if (!v && !required)
		return 0;
	if (!v)
		return ctl_err(err, errsz, -EINVAL, "name: required parameter "
			       "is missing");
	if (!json_is_string(v))
		return ctl_err(err, errsz, -EINVAL, "name: expected a string, "
			       "got %s", ctl_json_type_name(v));
	*name = json_string_value(v);
	return ctl_parse_team_name(*name, "name", err, errsz);
}

static void
reply_oom(struct ctld *d, const struct ctld_req *r)
{
	ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED, "out of memory");
}
