/* NIC teams in the configuration model: one team on its own, the rules
 * that tie teams to each other and to the ports, and lookups.  The names
 * and parsers of the team settings sit with the others in config.c, the
 * JSON form in config_json.c.  See docs/config.md "Teams". */
#include "control/config_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A PCI address written in full, "0000:01:00.0", is 12 characters; its
 * short form, "01:00.0", 7. */
#define PCI_SHORT_LENGTH 7

static int team_check_members(const struct ctl_team *t, const char *prefix,
			      char *err, size_t errsz);
static int team_check_settings(const struct ctl_team *t, const char *prefix,
			       char *err, size_t errsz);
static int config_check_team(const struct ctl_config *cfg, unsigned int i,
			     char *err, size_t errsz);
static int config_check_port_teams(const struct ctl_config *cfg, char *err,
				   size_t errsz);
static void device_key(const char *devargs, char *buf, size_t size);

int
ctl_team_validate(const struct ctl_team *t, const char *prefix, char *err,
		  size_t errsz)
{
	char field[CTL_FIELD_SIZE];

	if (!memchr(t->name, '\0', sizeof t->name))
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d "
			       "characters", ctl_field(field, prefix, "name"),
			       CTL_NAME_SIZE - 1);
	if (ctl_parse_team_name(t->name, ctl_field(field, prefix, "name"),
				err, errsz) < 0
	    || team_check_members(t, prefix, err, errsz) < 0)
		return -EINVAL;
	return team_check_settings(t, prefix, err, errsz);
}

int
ctl_config_check_teams(const struct ctl_config *cfg, char *err, size_t errsz)
{
	if (cfg->n_teams > CTL_MAX_TEAMS)
		return ctl_err(err, errsz, -EINVAL, "teams: %u teams, at "
			       "most %d", cfg->n_teams, CTL_MAX_TEAMS);
	for (unsigned int i = 0; i < cfg->n_teams; i++)
		if (config_check_team(cfg, i, err, errsz) < 0)
			return -EINVAL;
	return config_check_port_teams(cfg, err, errsz);
}

bool
ctl_same_device(const char *a, const char *b)
{
	char ka[CTL_DEVARGS_SIZE + 8], kb[CTL_DEVARGS_SIZE + 8];

	device_key(a, ka, sizeof ka);
	device_key(b, kb, sizeof kb);
	return !strcmp(ka, kb);
}

int
ctl_config_member_team(const struct ctl_config *cfg, const char *devargs,
		       int except, unsigned int *member)
{
	for (unsigned int i = 0; i < cfg->n_teams && i < CTL_MAX_TEAMS; i++) {
		const struct ctl_team *t = &cfg->teams[i];

		if ((int) i == except)
			continue;
		for (unsigned int m = 0; m < t->n_members
		     && m < CTL_MAX_TEAM_MEMBERS; m++)
			if (ctl_same_device(t->members[m], devargs)) {
				*member = m;
				return (int) i;
			}
	}
	return -1;
}

int
ctl_config_devargs_port(const struct ctl_config *cfg, const char *devargs)
{
	for (unsigned int i = 0; i < cfg->n_ports && i < CTL_MAX_PORTS; i++)
		if (cfg->ports[i].devargs[0]
		    && ctl_same_device(cfg->ports[i].devargs, devargs))
			return (int) i;
	return -1;
}

struct ctl_team *
ctl_config_find_team(struct ctl_config *cfg, const char *name)
{
	int i = ctl_config_team_index(cfg, name);

	return i < 0 ? NULL : &cfg->teams[i];
}

int
ctl_config_team_index(const struct ctl_config *cfg, const char *name)
{
	if (strlen(name) >= CTL_NAME_SIZE)
		return -1;
	for (unsigned int i = 0; i < cfg->n_teams && i < CTL_MAX_TEAMS; i++)
		if (!strncmp(cfg->teams[i].name, name, CTL_NAME_SIZE))
			return (int) i;
	return -1;
}

int
ctl_config_team_port(const struct ctl_config *cfg, const char *name)
{
	if (!name[0] || strlen(name) >= CTL_NAME_SIZE)
		return -1;
	for (unsigned int i = 0; i < cfg->n_ports && i < CTL_MAX_PORTS; i++)
		if (!strncmp(cfg->ports[i].team, name, CTL_NAME_SIZE))
			return (int) i;
	return -1;
}

void
ctl_config_remove_team(struct ctl_config *cfg, unsigned int index)
{
	memmove(&cfg->teams[index], &cfg->teams[index + 1],
		(cfg->n_teams - index - 1) * sizeof cfg->teams[0]);
	cfg->n_teams--;
	memset(&cfg->teams[cfg->n_teams], 0, sizeof cfg->teams[0]);
}

/* Static helpers. */

/* 1..CTL_MAX_TEAM_MEMBERS valid devargs, each device once. */
static int
team_check_members(const struct ctl_team *t, const char *prefix, char *err,
		   size_t errsz)
{
	char field[CTL_FIELD_SIZE], key[32];

	if (t->n_members == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: a team needs at "
			       "least one member",
			       ctl_field(field, prefix, "members"));
	if (t->n_members > CTL_MAX_TEAM_MEMBERS)
		return ctl_err(err, errsz, -EINVAL, "%s: %u members, at "
			       "most %d", ctl_field(field, prefix, "members"),
			       t->n_members, CTL_MAX_TEAM_MEMBERS);
	for (unsigned int i = 0; i < t->n_members; i++) {
		const char *m = t->members[i];

		snprintf(key, sizeof key, "members[%u]", i);
		ctl_field(field, prefix, key);
		if (!memchr(m, '\0', sizeof t->members[i]))
			return ctl_err(err, errsz, -EINVAL, "%s: longer than "
				       "%d bytes", field, CTL_DEVARGS_SIZE - 1);
		if (ctl_check_devargs(m, field, err, errsz) < 0)
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (ctl_same_device(t->members[j], m))
				return ctl_err(err, errsz, -EINVAL, "%s: %s is "
					       "already a member of this team "
					       "(members[%u])", field, m, j);
	}
	return 0;
}

/* Mode, balancing and hash known; the LACP settings only with mode lacp,
 * a hash other than the default only with address-hash balancing. */
static int
team_check_settings(const struct ctl_team *t, const char *prefix,
		    char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];

	if (!strcmp(ctl_team_mode_name(t->mode), "?"))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid mode %d",
			       ctl_field(field, prefix, "mode"), (int) t->mode);
	if (!strcmp(ctl_team_lb_name(t->lb), "?"))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid balancing %d",
			       ctl_field(field, prefix, "lb"), (int) t->lb);
	if (!strcmp(ctl_team_hash_name(t->hash), "?"))
		return ctl_err(err, errsz, -EINVAL, "%s: invalid hash %d",
			       ctl_field(field, prefix, "hash"), (int) t->hash);
	if (t->mode != CTL_TEAM_LACP && (t->lacp_fast || t->lacp_passive))
		return ctl_err(err, errsz, -EINVAL, "%s: only with mode lacp",
			       ctl_field(field, prefix, t->lacp_fast
					 ? "lacp_rate" : "lacp_passive"));
	if (t->lb != CTL_TEAM_LB_ADDRESS_HASH
	    && t->hash != CTL_TEAM_HASH_TRANSPORT)
		return ctl_err(err, errsz, -EINVAL, "%s: only with lb "
			       "address-hash",
			       ctl_field(field, prefix, "hash"));
	return 0;
}

/* Team 'i' on its own, then against the teams before it and the ports.
 * Messages name it by index until its name is known good, then by name. */
static int
config_check_team(const struct ctl_config *cfg, unsigned int i, char *err,
		  size_t errsz)
{
	const struct ctl_team *t = &cfg->teams[i];
	char field[CTL_FIELD_SIZE], prefix[32];

	snprintf(field, sizeof field, "teams[%u].name", i);
	if (!memchr(t->name, '\0', sizeof t->name))
		return ctl_err(err, errsz, -EINVAL, "%s: longer than %d "
			       "characters", field, CTL_NAME_SIZE - 1);
	if (ctl_parse_team_name(t->name, field, err, errsz) < 0)
		return -EINVAL;
	for (unsigned int j = 0; j < i; j++)
		if (!strcmp(cfg->teams[j].name, t->name))
			return ctl_err(err, errsz, -EINVAL, "%s: duplicate "
				       "team name '%s' (also teams[%u])",
				       field, t->name, j);
	snprintf(prefix, sizeof prefix, "teams[%s]", t->name);
	if (ctl_team_validate(t, prefix, err, errsz) < 0)
		return -EINVAL;
	for (unsigned int m = 0; m < t->n_members; m++) {
		unsigned int other;
		int j = ctl_config_member_team(cfg, t->members[m], (int) i,
					       &other);
		int port = ctl_config_devargs_port(cfg, t->members[m]);

		snprintf(field, sizeof field, "%s.members[%u]", prefix, m);
		if (j >= 0 && (unsigned int) j < i)
			return ctl_err(err, errsz, -EINVAL, "%s: %s is "
				       "already a member of team %s", field,
				       t->members[m], cfg->teams[j].name);
		if (port >= 0)
			return ctl_err(err, errsz, -EINVAL, "%s: %s is already "
				       "the devargs of port %s", field,
				       t->members[m], cfg->ports[port].name);
	}
	return 0;
}

/* A port's team exists and makes no other port. */
static int
config_check_port_teams(const struct ctl_config *cfg, char *err,
			size_t errsz)
{
	char q[CTL_QUOTE_SIZE];

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const char *team = cfg->ports[i].team;
		int user;

		if (!team[0])
			continue;
		if (ctl_config_team_index(cfg, team) < 0)
			return ctl_err(err, errsz, -EINVAL, "ports[%u].team: "
				       "team '%s' does not exist", i,
				       ctl_quote(team, q));
		user = ctl_config_team_port(cfg, team);
		if (user >= 0 && (unsigned int) user < i)
			return ctl_err(err, errsz, -EINVAL, "ports[%u].team: "
				       "team %s is already used by port %s", i,
				       team, cfg->ports[user].name);
	}
	return 0;
}

/* The form of 'devargs' that ctl_same_device() compares: a virtual
 * device's driver without its instance number ("net_af_packet0" ->
 * "net_af_packet"), a PCI address in full and in lower case, then the
 * arguments as they are. */
static void
device_key(const char *devargs, char *buf, size_t size)
{
	const char *comma = strchr(devargs, ',');
	size_t driver = comma ? (size_t) (comma - devargs) : strlen(devargs);
	const char *args = devargs + driver;
	size_t used = 0;

	if (memchr(devargs, ':', driver)) {
		if (driver == PCI_SHORT_LENGTH)
			used = (size_t) snprintf(buf, size, "0000:");
		for (size_t i = 0; i < driver && used + 1 < size; i++)
			buf[used++] = (char) tolower((unsigned char)
						     devargs[i]);
		buf[used < size ? used : size - 1] = '\0';
	} else {
		if (!strncmp(devargs, "net_", 4)
		    || !strncmp(devargs, "eth_", 4))
			while (driver > 4 && isdigit((unsigned char)
						     devargs[driver - 1]))
				driver--;
		used = (size_t) snprintf(buf, size, "%.*s", (int) driver,
					 devargs);
	}
	if (used < size)
		snprintf(buf + used, size - used, "%s", args);
}
