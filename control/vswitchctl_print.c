/* Human-readable output of vswitchctl (see vswitchctl.h).  Tables are
 * collected first and printed with each column as wide as its widest
 * cell. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/config.h"
#include "control/vswitchctl.h"

#define MAX_COLS 8
#define CELL_SIZE 320

struct table {
	unsigned int n_cols;            /* at most MAX_COLS */
	unsigned int n_rows;            /* the header row included */
	char (*cells)[CELL_SIZE];       /* n_rows * n_cols, row-major */
};

static const char *const port_header[] = {
	"NAME", "TYPE", "ATTACHMENT", "VLAN", "MAC", "LINK", "STATUS",
	"POLICIES"
};
static const char *const static_mac_header[] = { "STATIC MAC", "VLAN", "PORT" };
static const char *const team_header[] = {
	"TEAM", "MODE", "BALANCING", "PORT", "MEMBERS"
};
static const char *const mac_table_header[] = {
	"VLAN", "MAC", "PORT", "TYPE", "AGE"
};
static const char *const queue_header[] = {
	"PORT", "QUEUE", "CYCLES", "PACKETS", "CYCLES/PACKET"
};

static void table_init(struct table *t, unsigned int n_cols,
		       const char *const *header);
static void table_row(struct table *t, const char *const *cells);
static void table_print(struct table *t, const char *indent);
static void port_row(struct table *t, json_t *port, json_t *state);
static void format_attachment(json_t *port, char *buf, size_t size);
static void format_vlan(json_t *port, char *buf, size_t size);
static void format_policies(json_t *port, char *buf, size_t size);
static void team_rows(struct table *t, json_t *team, json_t *ports);
static void format_team_mode(json_t *team, char *buf, size_t size);
static void format_team_lb(json_t *team, char *buf, size_t size);
static void print_team_status(json_t *team);
static void print_team_member(json_t *member);
static void print_lacp_actor(const char *who, json_t *actor);
static void join_strings(json_t *array, const char *sep, char *buf,
			 size_t size);
static const char *rate_text(json_t *obj, const char *key, const char *zero,
			     char buf[24]);
static json_t *find_by_name(json_t *array, const char *name);
static const char *str(json_t *obj, const char *key);
static const char *array_str(json_t *array, size_t index);
static long long num(json_t *obj, const char *key);
static const char *num_text(json_t *obj, const char *key, char buf[24]);

void
ctl_print_show(json_t *result)
{
	json_t *config = json_object_get(result, "config");
	json_t *ports = json_object_get(config, "ports");
	json_t *macs = json_object_get(config, "static_macs");
	json_t *teams = json_object_get(config, "teams");
	json_t *states = json_object_get(result, "ports"), *port, *mempool;
	json_t *aging = json_object_get(json_object_get(config, "switch"),
					"mac_aging_s");
	struct table t;
	size_t i;

	printf("dataplane: %s", str(result, "dataplane"));
	if (json_is_integer(json_object_get(result, "dataplane_pid")))
		printf(" (pid %lld)", num(result, "dataplane_pid"));
	mempool = json_object_get(result, "mempool");
	if (json_is_object(mempool))
		printf("\nmbufs: %lld in use, %lld available, of %lld",
		       num(mempool, "in_use"), num(mempool, "available"),
		       num(mempool, "size"));
	printf("\nconfig file: %s\n", str(result, "config_file"));
	printf("MAC aging: %lld s\n", json_is_integer(aging)
	       ? (long long) json_integer_value(aging) : 300LL);
	printf("ports: %zu, teams: %zu, static MACs: %zu\n",
	       json_array_size(ports), json_array_size(teams),
	       json_array_size(macs));
	if (json_array_size(ports)) {
		putchar('\n');
		table_init(&t, 8, port_header);
		json_array_foreach(ports, i, port)
			port_row(&t, port, find_by_name(states,
							str(port, "name")));
		table_print(&t, "");
	}
	json_array_foreach(states, i, port) {
		if (json_is_integer(json_object_get(port, "inner_mtu"))) {
			printf("network virtualization: inner MTU %lld (VMs in "
			       "a VSID: largest IP packet that fits the "
			       "underlay encapsulated)\n",
			       num(port, "inner_mtu"));
			break;
		}
	}
	if (json_array_size(teams)) {
		json_t *team;

		putchar('\n');
		table_init(&t, 5, team_header);
		json_array_foreach(teams, i, team)
			team_rows(&t, team, ports);
		table_print(&t, "");
	}
	if (json_array_size(macs)) {
		char vlan[24];

		putchar('\n');
		table_init(&t, 3, static_mac_header);
		json_array_foreach(macs, i, port)
			table_row(&t, (const char *[]) {
				str(port, "mac"), json_object_get(port, "vlan")
				? num_text(port, "vlan", vlan) : "0",
				str(port, "port") });
		table_print(&t, "");
	}
}

void
ctl_print_list_ports(json_t *result)
{
	json_t *ports = json_object_get(result, "ports"), *port;
	struct table t;
	size_t i;

	table_init(&t, 8, port_header);
	json_array_foreach(ports, i, port)
		port_row(&t, port, json_object_get(port, "state"));
	table_print(&t, "");
}

void
ctl_print_port_stats(json_t *result)
{
	json_t *ports = json_object_get(result, "ports"), *port;
	size_t i;

	json_array_foreach(ports, i, port) {
		json_t *stats = json_object_get(port, "stats");
		json_t *drops = json_object_get(stats, "drops"), *v;
		const char *reason;

		printf("%s%s (%s, link %s, status %s)\n", i ? "\n" : "",
		       str(port, "name"), str(port, "type"), str(port, "link"),
		       str(port, "status"));
		printf("  rx: %lld packets, %lld bytes\n",
		       num(stats, "rx_packets"), num(stats, "rx_bytes"));
		printf("  tx: %lld packets, %lld bytes\n",
		       num(stats, "tx_packets"), num(stats, "tx_bytes"));
		json_object_foreach(drops, reason, v)
			if (json_is_integer(v) && json_integer_value(v) != 0)
				printf("  drop %s: %lld\n", reason,
				       (long long) json_integer_value(v));
	}
}

void
ctl_print_mac_table(json_t *result)
{
	json_t *entries = json_object_get(result, "entries"), *e;
	char vlan[24], age[24];
	struct table t;
	size_t i;

	table_init(&t, 5, mac_table_header);
	json_array_foreach(entries, i, e) {
		bool is_static = json_is_true(json_object_get(e, "static"));

		if (json_is_integer(json_object_get(e, "vsid")))
			snprintf(vlan, sizeof vlan, "vsid %lld",
				 num(e, "vsid"));
		else
			num_text(e, "vlan", vlan);
		table_row(&t, (const char *[]) {
			vlan, str(e, "mac"), str(e, "port"),
			is_static ? "static" : "dynamic",
			is_static ? "-" : num_text(e, "age_s", age) });
	}
	table_print(&t, "");
}

void
ctl_print_queues(json_t *result)
{
	json_t *workers = json_object_get(result, "workers"), *w, *q;
	size_t i, j;

	json_array_foreach(workers, i, w) {
		long long busy = num(w, "busy_cycles"), idle = num(w, "idle_cycles");
		json_t *queues = json_object_get(w, "queues");
		struct table t;

		printf("%sworker %lld (lcore %lld): busy %lld cycles, idle %lld "
		       "cycles (%.1f%% busy)\n", i ? "\n" : "", num(w, "worker"),
		       num(w, "lcore"), busy, idle, busy + idle > 0
		       ? 100.0 * (double) busy / (double) (busy + idle) : 0.0);
		if (!json_array_size(queues)) {
			printf("  no queues\n");
			continue;
		}
		table_init(&t, 5, queue_header);
		json_array_foreach(queues, j, q) {
			char queue[24], cycles[24], packets[24], per[32];
			char port[CELL_SIZE];
			long long n = num(q, "packets");

			/* A team's member: "up[1]". */
			if (json_is_integer(json_object_get(q, "member")))
				snprintf(port, sizeof port, "%s[%lld]",
					 str(q, "port"), num(q, "member"));
			else
				snprintf(port, sizeof port, "%s",
					 str(q, "port"));

			if (n > 0)
				snprintf(per, sizeof per, "%.1f",
					 (double) num(q, "cycles") / (double) n);
			else
				snprintf(per, sizeof per, "-");
			table_row(&t, (const char *[]) {
				port, num_text(q, "queue", queue),
				num_text(q, "cycles", cycles),
				num_text(q, "packets", packets), per });
		}
		table_print(&t, "  ");
	}
}

/* vswitchd's team_status result (docs/protocol.md): a paragraph per
 * team, then one per member. */
void
ctl_print_team_status(json_t *result)
{
	json_t *teams = json_object_get(result, "teams"), *team;
	size_t i;

	if (!json_array_size(teams))
		printf("no teams\n");
	json_array_foreach(teams, i, team) {
		if (i)
			putchar('\n');
		print_team_status(team);
	}
}

/* Port rows. */

static void
port_row(struct table *t, json_t *port, json_t *state)
{
	char attachment[CELL_SIZE], vlan[CELL_SIZE], policies[CELL_SIZE];

	format_attachment(port, attachment, sizeof attachment);
	format_vlan(port, vlan, sizeof vlan);
	format_policies(port, policies, sizeof policies);
	table_row(t, (const char *[]) {
		str(port, "name"), str(port, "type"), attachment, vlan,
		str(port, "mac"), state ? str(state, "link") : "-",
		state ? str(state, "status") : "-", policies });
}

/* "vhost-user server PATH", the devargs, or "tap NAME". */
static void
format_attachment(json_t *port, char *buf, size_t size)
{
	if (json_object_get(port, "socket"))
		snprintf(buf, size, "vhost-user %s %s",
			 json_object_get(port, "vhost_mode")
			 ? str(port, "vhost_mode") : "server",
			 str(port, "socket"));
	else if (json_object_get(port, "devargs"))
		snprintf(buf, size, "%s", str(port, "devargs"));
	else if (json_object_get(port, "team"))
		snprintf(buf, size, "team %s", str(port, "team"));
	else if (!strcmp(str(port, "type"), "internal"))
		snprintf(buf, size, "tap %s", str(port, "name"));
	else
		snprintf(buf, size, "-");
}

/* "access 10", "trunk 10,20 native 0" or "untagged". */
static void
format_vlan(json_t *port, char *buf, size_t size)
{
	const char *mode = json_object_get(port, "vlan_mode")
			   ? str(port, "vlan_mode") : "untagged";

	if (!strcmp(mode, "access"))
		snprintf(buf, size, "access %lld", num(port, "vlan"));
	else if (!strcmp(mode, "trunk"))
		snprintf(buf, size, "trunk %s native %lld",
			 str(port, "allowed_vlans"), num(port, "native_vlan"));
	else
		snprintf(buf, size, "%s", mode);
}

/* The policies that apply to the port's type, from its "policies" object:
 * "spoof=off dhcp-guard=on router-guard=off max-bw=100M weight=3
 * storm=1k mirror=source cable=connected" for a vm port, "mirror=none
 * link-speed=10G" for an external one, "mirror=none" for an internal one.
 * Off limits print "off", an unset weight "-", an unset link speed "auto". */
static void
format_policies(json_t *port, char *buf, size_t size)
{
	json_t *p = json_object_get(port, "policies");
	const char *type = str(port, "type");
	char max_bw[24], weight[24], storm[24], speed[24];

	if (!json_is_object(p)) {
		snprintf(buf, size, "-");
		return;
	}
	if (!strcmp(type, "vm"))
		snprintf(buf, size, "spoof=%s dhcp-guard=%s router-guard=%s "
			 "max-bw=%s weight=%s storm=%s mirror=%s cable=%s",
			 json_is_true(json_object_get(p, "mac_spoofing"))
			 ? "on" : "off",
			 json_is_true(json_object_get(p, "dhcp_guard"))
			 ? "on" : "off",
			 json_is_true(json_object_get(p, "router_guard"))
			 ? "on" : "off",
			 rate_text(p, "max_bandwidth", "off", max_bw),
			 num(p, "min_weight")
			 ? num_text(p, "min_weight", weight) : "-",
			 rate_text(p, "storm_limit", "off", storm),
			 str(p, "mirror"),
			 json_is_false(json_object_get(p, "connected"))
			 ? "unplugged" : "connected");
	else if (!strcmp(type, "external"))
		snprintf(buf, size, "mirror=%s link-speed=%s", str(p, "mirror"),
			 rate_text(p, "link_speed", "auto", speed));
	else
		snprintf(buf, size, "mirror=%s", str(p, "mirror"));
}

/* Teams: the first member on the team's row, each other on a row of its
 * own under it. */

static void
team_rows(struct table *t, json_t *team, json_t *ports)
{
	json_t *members = json_object_get(team, "members"), *port;
	char mode[64], lb[64];
	const char *user = "-";
	size_t i;

	json_array_foreach(ports, i, port)
		if (!strcmp(str(port, "team"), str(team, "name")))
			user = str(port, "name");
	format_team_mode(team, mode, sizeof mode);
	format_team_lb(team, lb, sizeof lb);
	table_row(t, (const char *[]) {
		str(team, "name"), mode, lb, user, array_str(members, 0) });
	for (i = 1; i < json_array_size(members); i++)
		table_row(t, (const char *[]) {
			"", "", "", "", array_str(members, i) });
}

/* "lacp active slow", "lacp passive fast", "static". */
static void
format_team_mode(json_t *team, char *buf, size_t size)
{
	const char *mode = str(team, "mode");

	if (strcmp(mode, "lacp"))
		snprintf(buf, size, "%s", mode);
	else
		snprintf(buf, size, "lacp %s %s",
			 json_is_true(json_object_get(team, "lacp_passive"))
			 ? "passive" : "active",
			 json_object_get(team, "lacp_rate")
			 ? str(team, "lacp_rate") : "slow");
}

/* "address-hash transport", "hyperv-port", "dynamic". */
static void
format_team_lb(json_t *team, char *buf, size_t size)
{
	const char *lb = str(team, "lb");

	if (strcmp(lb, "address-hash"))
		snprintf(buf, size, "%s", lb);
	else
		snprintf(buf, size, "address-hash %s",
			 json_object_get(team, "hash") ? str(team, "hash")
			 : "transport");
}

static void
print_team_status(json_t *team)
{
	json_t *members = json_object_get(team, "members"), *m;
	size_t i;

	printf("team %s: port %s, mode %s, lb %s, status %s\n",
	       str(team, "name"), str(team, "port"), str(team, "mode"),
	       str(team, "lb"), str(team, "status"));
	json_array_foreach(members, i, m)
		print_team_member(m);
}

static void
print_team_member(json_t *m)
{
	const char *const flags[] = { "selected", "collecting",
				      "distributing" };
	json_t *share = json_object_get(m, "load_share");
	char tx[24], rx[24], changed[24];

	printf("  member %s: link %s", str(m, "devargs"), str(m, "link"));
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (json_is_true(json_object_get(m, flags[i])))
			printf(", %s", flags[i]);
	putchar('\n');
	print_lacp_actor("actor", json_object_get(m, "actor"));
	print_lacp_actor("partner", json_object_get(m, "partner"));
	printf("    tx %s frames, rx %s frames", num_text(m, "tx_frames", tx),
	       num_text(m, "rx_frames", rx));
	if (json_is_number(share))
		printf(", %.1f%% of the load",
		       100.0 * json_number_value(share));
	if (json_is_integer(json_object_get(m, "last_change_s")))
		printf(", last change %s s ago",
		       num_text(m, "last_change_s", changed));
	putchar('\n');
}

/* "    actor:   system 02:00:00:00:00:01, key 1, port 2, state
 * activity,timeout,...": the LACP view of one end, when there is one. */
static void
print_lacp_actor(const char *who, json_t *actor)
{
	char key[24], port[24], state[CELL_SIZE];

	if (!json_is_object(actor))
		return;
	join_strings(json_object_get(actor, "state"), ",", state,
		     sizeof state);
	printf("    %s:%*s system %s, key %s, port %s, state %s\n", who,
	       (int) (strlen("partner") - strlen(who)), "",
	       str(actor, "system"), num_text(actor, "key", key),
	       num_text(actor, "port", port), state);
}

/* The strings of 'array' joined with 'sep', "-" when there are none. */
static void
join_strings(json_t *array, const char *sep, char *buf, size_t size)
{
	json_t *v;
	size_t i, used = 0;

	snprintf(buf, size, "-");
	json_array_foreach(array, i, v) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 i ? sep : "", json_is_string(v)
				 ? json_string_value(v) : "?");

		if (n < 0 || (size_t) n >= size - used)
			return;
		used += (size_t) n;
	}
}

/* The integer at 'key' with a suffix ("100M"), 'zero' for 0, "-" when
 * missing. */
static const char *
rate_text(json_t *obj, const char *key, const char *zero, char buf[24])
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return "-";
	if (json_integer_value(v) == 0)
		return zero;
	ctl_format_rate((uint64_t) json_integer_value(v), buf);
	return buf;
}

static json_t *
find_by_name(json_t *array, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(array, i, v)
		if (!strcmp(str(v, "name"), name))
			return v;
	return NULL;
}

/* Field access: "-" / 0 when missing or of another type. */

static const char *
str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "-";
}

static const char *
array_str(json_t *array, size_t index)
{
	const char *s = json_string_value(json_array_get(array, index));

	return s ? s : "-";
}

static long long
num(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static const char *
num_text(json_t *obj, const char *key, char buf[24])
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		return "-";
	snprintf(buf, 24, "%lld", (long long) json_integer_value(v));
	return buf;
}

/* Tables. */

static void
table_init(struct table *t, unsigned int n_cols, const char *const *header)
{
	t->n_cols = n_cols < MAX_COLS ? n_cols : MAX_COLS;
	t->n_rows = 0;
	t->cells = NULL;
	table_row(t, header);
}

/* Adds a row of 'n_cols' cells. */
static void
table_row(struct table *t, const char *const *cells)
{
	char (*row)[CELL_SIZE];

	row = realloc(t->cells, (size_t) (t->n_rows + 1) * t->n_cols
		      * sizeof *row);
	if (!row)
		return;
	t->cells = row;
	row += (size_t) t->n_rows * t->n_cols;
	for (unsigned int c = 0; c < t->n_cols; c++)
		snprintf(row[c], CELL_SIZE, "%s", cells[c]);
	t->n_rows++;
}

/* Prints and frees 't'. */
static void
table_print(struct table *t, const char *indent)
{
	size_t width[MAX_COLS] = {0};

	for (unsigned int r = 0; r < t->n_rows; r++)
		for (unsigned int c = 0; c < t->n_cols; c++) {
			size_t w = strlen(t->cells[r * t->n_cols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (unsigned int r = 0; r < t->n_rows; r++) {
		fputs(indent, stdout);
		for (unsigned int c = 0; c < t->n_cols; c++) {
			const char *cell = t->cells[r * t->n_cols + c];

			if (c + 1 == t->n_cols)
				printf("%s\n", cell);
			else
				printf("%-*s  ", (int) width[c], cell);
		}
	}
	free(t->cells);
	t->cells = NULL;
}
