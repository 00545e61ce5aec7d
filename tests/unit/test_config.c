/* Unit tests of the configuration library (control/config.h): every bad
 * input is rejected with a message naming the field and leaves the output
 * untouched; the JSON form and the file round-trip exactly. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/config.h"
#include "control/config_priv.h"

#define ERRSZ 512

/* A configuration that is not the default, to see that failures leave it
 * alone. */
static struct ctl_config *
sentinel(void)
{
	struct ctl_config *cfg = ctl_config_new();

	cr_assert_not_null(cfg);
	cfg->mac_aging_s = 777;
	cfg->n_ports = 1;
	strcpy(cfg->ports[0].name, "keep");
	cfg->ports[0].type = CTL_PORT_INTERNAL;
	return cfg;
}

/* 'json' must be refused with a message containing 'needle', and the
 * output must stay as it was. */
static void
expect_json_error(const char *json, const char *needle)
{
	struct ctl_config *out = sentinel(), *copy = ctl_config_clone(out);
	char err[ERRSZ] = "";
	int rc = ctl_config_from_json(json, out, err, sizeof err);

	cr_assert_lt(rc, 0, "accepted: %s", json);
	cr_assert_not_null(strstr(err, needle),
			   "error '%s' does not name '%s' (input %s)", err,
			   needle, json);
	cr_assert_eq(memcmp(out, copy, sizeof *out), 0,
		     "output changed on error (input %s)", json);
	ctl_config_free(out);
	ctl_config_free(copy);
}

/* A configuration whose ports[1] is '{' port '}', after a valid
 * ports[0]. */
static char *
with_port(const char *port)
{
	char *json;

	cr_assert_geq(asprintf(&json, "{\"schema_version\": 1, \"ports\": ["
			       "{\"name\": \"ok\", \"type\": \"internal\"}, "
			       "{%s}]}", port), 0);
	return json;
}

static void
expect_port_error(const char *port, const char *needle)
{
	char *json = with_port(port);

	expect_json_error(json, needle);
	free(json);
}

static void
expect_port_ok(const char *port)
{
	struct ctl_config *out = ctl_config_new();
	char *json = with_port(port);
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_config_from_json(json, out, err, sizeof err), 0,
		     "refused %s: %s", json, err);
	cr_assert_eq(out->n_ports, 2);
	free(json);
	ctl_config_free(out);
}

/* Field parsers. */

Test(parse, vlan_id_range)
{
	char err[ERRSZ];

	cr_assert_eq(ctl_parse_vlan_id(1, "--vlan", err, sizeof err), 0);
	cr_assert_eq(ctl_parse_vlan_id(4094, "--vlan", err, sizeof err), 0);
	for (long long v = -1; v <= 4096; v += (v == 0 ? 4095 : 1)) {
		if (v > 0 && v < 4095)
			continue;
		err[0] = '\0';
		cr_assert_eq(ctl_parse_vlan_id(v, "--vlan", err, sizeof err),
			     -EINVAL, "VLAN %lld accepted", v);
		cr_assert_not_null(strstr(err, "--vlan"), "%s", err);
	}
	ctl_parse_vlan_id(4095, "ports[2].vlan", err, sizeof err);
	cr_assert_str_eq(err, "ports[2].vlan: 4095 is not a VLAN id (1-4094)");
}

Test(parse, mac_good)
{
	uint8_t mac[6];
	char text[18];

	cr_assert_eq(ctl_parse_mac("52:54:00:AB:cd:0f", mac, "mac", NULL, 0), 0);
	ctl_format_mac(mac, text);
	cr_assert_str_eq(text, "52:54:00:ab:cd:0f");
}

Test(parse, mac_bad)
{
	static const char *const bad[] = {
		"52:54:00:00:00", "52:54:00:00:00:0g", "52:54:00:00:00:001",
		"52-54-00-00-00-01", "", "01:00:5e:00:00:01",
		"ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "5:54:00:00:00:01",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t mac[6] = { 1, 2, 3, 4, 5, 6 };
		char err[ERRSZ] = "";

		cr_assert_eq(ctl_parse_mac(bad[i], mac, "--mac", err,
					   sizeof err), -EINVAL, "%s", bad[i]);
		cr_assert_not_null(strstr(err, "--mac: "), "%s", err);
		cr_assert_eq(memcmp(mac, (uint8_t[6]) { 1, 2, 3, 4, 5, 6 }, 6),
			     0, "output changed for %s", bad[i]);
	}
}

Test(parse, port_name)
{
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_parse_port_name("vm-1_a.b", "name", err, sizeof err),
		     0);
	cr_assert_eq(ctl_parse_port_name("123456789012345", "name", err,
					 sizeof err), 0);
	cr_assert_lt(ctl_parse_port_name("1234567890123456", "name", err,
					 sizeof err), 0);
	cr_assert_lt(ctl_parse_port_name("", "NAME", err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "NAME"));
	cr_assert_lt(ctl_parse_port_name("vm 1", "name", err, sizeof err), 0);
	cr_assert_lt(ctl_parse_port_name("vm/1", "name", err, sizeof err), 0);
}

Test(parse, devargs)
{
	static const char *const good[] = {
		"net_tap", "net_tap,iface=up0", "net_af_packet0,iface=veth4,qpairs=2",
		"0000:01:00.0", "01:00.0", "0000:af:1f.7,rxq=2",
		"net_pcap,rx_pcap=/tmp/in.pcap,tx_pcap=/tmp/out.pcap",
	};
	static const char *const bad[] = {
		"", ",x=1", "net_tap,=1", "net_tap,a=", "net tap", "net_tap,",
		"net_tap,a", "net_tap,,a=1", "net-tap", "0000:01:00.8",
		"net_tap,a b=1",
	};
	char err[ERRSZ];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert_eq(ctl_check_devargs(good[i], "devargs", err,
					       sizeof err), 0, "%s: %s",
			     good[i], err);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_eq(ctl_check_devargs(bad[i], "--devargs", err,
					       sizeof err), -EINVAL, "'%s'",
			     bad[i]);
		cr_assert_eq(strncmp(err, "--devargs: ", 11), 0, "%s", err);
	}
}

Test(parse, vlan_list_good)
{
	struct ctl_vlan_set set;
	char text[CTL_VLAN_LIST_SIZE];

	cr_assert_eq(ctl_parse_vlan_list("10,20,100-200", &set, "f", NULL, 0),
		     0);
	cr_assert(ctl_vlan_set_has(&set, 10) && ctl_vlan_set_has(&set, 20));
	cr_assert(ctl_vlan_set_has(&set, 100) && ctl_vlan_set_has(&set, 200));
	cr_assert(!ctl_vlan_set_has(&set, 11) && !ctl_vlan_set_has(&set, 201));
	ctl_format_vlan_list(&set, text, sizeof text);
	cr_assert_str_eq(text, "10,20,100-200");

	cr_assert_eq(ctl_parse_vlan_list("1,2,4094,3", &set, "f", NULL, 0), 0);
	ctl_format_vlan_list(&set, text, sizeof text);
	cr_assert_str_eq(text, "1-3,4094");
	cr_assert_eq(ctl_parse_vlan_list("7,8", &set, "f", NULL, 0), 0);
	ctl_format_vlan_list(&set, text, sizeof text);
	cr_assert_str_eq(text, "7,8");
}

Test(parse, vlan_list_worst_case_fits)
{
	struct ctl_vlan_set set = {{0}}, back;
	char text[CTL_VLAN_LIST_SIZE];

	for (uint16_t v = 1; v <= 4094; v += 2)
		ctl_vlan_set_add(&set, v);
	ctl_format_vlan_list(&set, text, sizeof text);
	cr_assert_lt(strlen(text), sizeof text - 1);
	cr_assert_eq(ctl_parse_vlan_list(text, &back, "f", NULL, 0), 0);
	cr_assert_eq(memcmp(&set, &back, sizeof set), 0);
}

Test(parse, vlan_list_bad)
{
	static const char *const bad[] = {
		"10,,20", "a", "20-10", "0", "4095", "10-", "", ",10", "10,",
		"-10", "10-20-30", "1 0", "99999999999999999999", "10-4095",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ctl_vlan_set set = {{0}};
		char err[ERRSZ] = "";

		ctl_vlan_set_add(&set, 7);
		cr_assert_eq(ctl_parse_vlan_list(bad[i], &set, "--allowed-vlans",
						 err, sizeof err), -EINVAL,
			     "'%s' accepted", bad[i]);
		cr_assert_eq(strncmp(err, "--allowed-vlans: ", 17), 0, "%s",
			     err);
		cr_assert(ctl_vlan_set_has(&set, 7) && !ctl_vlan_set_has(&set, 10),
			  "output changed for '%s'", bad[i]);
	}
}

Test(parse, socket_path)
{
	char dir[] = "/tmp/vs-test-XXXXXX", path[200], err[ERRSZ] = "";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/vm1.sock", dir);
	cr_assert_eq(ctl_check_socket_path(path, CTL_VHOST_SERVER, "socket",
					   err, sizeof err), 0, "%s", err);
	/* client mode: the VM's socket must exist and be a socket */
	cr_assert_lt(ctl_check_socket_path(path, CTL_VHOST_CLIENT, "socket",
					   err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "socket: "));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	cr_assert_eq(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
	cr_assert_eq(ctl_check_socket_path(path, CTL_VHOST_CLIENT, "socket",
					   err, sizeof err), 0, "%s", err);
	close(fd);
	unlink(path);
	/* a regular file is not a socket */
	fclose(fopen(path, "w"));
	cr_assert_lt(ctl_check_socket_path(path, CTL_VHOST_SERVER, "socket",
					   err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "not a socket"), "%s", err);
	unlink(path);
	rmdir(dir);
}

Test(parse, socket_path_bad)
{
	char long_path[140], err[ERRSZ];
	static const char *const bad[] = {
		"/nonexistent-dir/vm.sock", "vm.sock", "./vm.sock", "", "/tmp/",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_lt(ctl_check_socket_path(bad[i], CTL_VHOST_SERVER,
						   "--socket", err, sizeof err),
			     0, "'%s' accepted", bad[i]);
		cr_assert_eq(strncmp(err, "--socket: ", 10), 0, "%s", err);
	}
	memset(long_path, 'a', sizeof long_path);
	memcpy(long_path, "/tmp/", 5);
	long_path[108] = '\0';
	cr_assert_lt(ctl_check_socket_path(long_path, CTL_VHOST_SERVER,
					   "socket", err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "socket: "), "%s", err);
	long_path[107] = '\0';
	cr_assert_eq(ctl_check_socket_path(long_path, CTL_VHOST_SERVER,
					   "socket", err, sizeof err), 0, "%s", err);
}

Test(parse, enum_names)
{
	cr_assert_str_eq(ctl_port_type_name(CTL_PORT_EXTERNAL), "external");
	cr_assert_str_eq(ctl_vlan_mode_name(CTL_VLAN_TRUNK), "trunk");
	cr_assert_str_eq(ctl_vhost_mode_name(CTL_VHOST_CLIENT), "client");
	cr_assert_str_eq(ctl_port_type_name((enum ctl_port_type) 9), "?");
}

Test(parse, mirror_mode)
{
	enum ctl_mirror_mode m = CTL_MIRROR_NONE;
	char err[ERRSZ] = "";

	for (int i = CTL_MIRROR_NONE; i <= CTL_MIRROR_BOTH; i++) {
		cr_assert_eq(ctl_parse_mirror_mode(ctl_mirror_mode_name(i), &m,
						   "mirror", err, sizeof err),
			     0, "%s", err);
		cr_assert_eq((int) m, i);
	}
	cr_assert_str_eq(ctl_mirror_mode_name(CTL_MIRROR_DESTINATION),
			 "destination");
	cr_assert_str_eq(ctl_mirror_mode_name((enum ctl_mirror_mode) 4), "?");
	cr_assert_eq(ctl_parse_mirror_mode("sideways", &m, "--mirror", err,
					   sizeof err), -EINVAL);
	cr_assert_str_eq(err, "--mirror: 'sideways' is not one of none, "
			 "source, destination, both");
	cr_assert_eq(m, CTL_MIRROR_BOTH, "output changed on error");
	cr_assert_lt(ctl_parse_mirror_mode("", &m, "--mirror", NULL, 0), 0);
	cr_assert_lt(ctl_parse_mirror_mode("Source", &m, "--mirror", NULL, 0),
		     0);
}

Test(parse, team_settings)
{
	enum ctl_team_mode mode = CTL_TEAM_LACP;
	enum ctl_team_lb lb = CTL_TEAM_LB_ADDRESS_HASH;
	enum ctl_team_hash hash = CTL_TEAM_HASH_TRANSPORT;
	char err[ERRSZ] = "";
	bool fast = false;

	for (int i = CTL_TEAM_LACP; i <= CTL_TEAM_SWITCH_INDEPENDENT; i++) {
		cr_assert_eq(ctl_parse_team_mode(ctl_team_mode_name(i), &mode,
						 "mode", err, sizeof err), 0);
		cr_assert_eq((int) mode, i);
	}
	for (int i = CTL_TEAM_LB_ADDRESS_HASH; i <= CTL_TEAM_LB_DYNAMIC; i++) {
		cr_assert_eq(ctl_parse_team_lb(ctl_team_lb_name(i), &lb, "lb",
					       err, sizeof err), 0);
		cr_assert_eq((int) lb, i);
	}
	for (int i = CTL_TEAM_HASH_TRANSPORT; i <= CTL_TEAM_HASH_MAC; i++) {
		cr_assert_eq(ctl_parse_team_hash(ctl_team_hash_name(i), &hash,
						 "hash", err, sizeof err), 0);
		cr_assert_eq((int) hash, i);
	}
	cr_assert_str_eq(ctl_team_mode_name(CTL_TEAM_SWITCH_INDEPENDENT),
			 "switch-independent");
	cr_assert_str_eq(ctl_team_lb_name(CTL_TEAM_LB_HYPERV_PORT),
			 "hyperv-port");
	cr_assert_str_eq(ctl_team_hash_name(CTL_TEAM_HASH_IP), "ip");
	cr_assert_str_eq(ctl_team_mode_name((enum ctl_team_mode) 3), "?");
	cr_assert_str_eq(ctl_team_lb_name((enum ctl_team_lb) 3), "?");
	cr_assert_str_eq(ctl_team_hash_name((enum ctl_team_hash) 3), "?");

	cr_assert_eq(ctl_parse_team_mode("active", &mode, "--mode", err,
					 sizeof err), -EINVAL);
	cr_assert_str_eq(err, "--mode: 'active' is not one of lacp, static, "
			 "switch-independent");
	cr_assert_eq(mode, CTL_TEAM_SWITCH_INDEPENDENT, "output changed");
	cr_assert_eq(ctl_parse_team_lb("round-robin", &lb, "--lb", err,
				       sizeof err), -EINVAL);
	cr_assert_str_eq(err, "--lb: 'round-robin' is not one of address-hash, "
			 "hyperv-port, dynamic");
	cr_assert_eq(ctl_parse_team_hash("l4", &hash, "--hash", err,
					 sizeof err), -EINVAL);
	cr_assert_str_eq(err, "--hash: 'l4' is not one of transport, ip, mac");

	cr_assert_eq(ctl_parse_lacp_rate("fast", &fast, "f", NULL, 0), 0);
	cr_assert(fast);
	cr_assert_eq(ctl_parse_lacp_rate("slow", &fast, "f", NULL, 0), 0);
	cr_assert(!fast);
	cr_assert_eq(ctl_parse_lacp_rate("Fast", &fast, "--lacp-rate", err,
					 sizeof err), -EINVAL);
	cr_assert_str_eq(err, "--lacp-rate: 'Fast' is not one of slow, fast");
	cr_assert_str_eq(ctl_lacp_rate_name(true), "fast");
	cr_assert_str_eq(ctl_lacp_rate_name(false), "slow");
}

Test(parse, team_name)
{
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_parse_team_name("team-1_a.b", "name", err,
					 sizeof err), 0);
	cr_assert_eq(ctl_parse_team_name("t23456789012345", "name", err,
					 sizeof err), 0);
	cr_assert_lt(ctl_parse_team_name("t234567890123456", "--team", err,
					 sizeof err), 0);
	cr_assert_str_eq(err, "--team: 't234567890123456' is longer than 15 "
			 "characters");
	cr_assert_lt(ctl_parse_team_name("t 1", "--team", err, sizeof err), 0);
	cr_assert_str_eq(err, "--team: 't 1' is not a team name (A-Z a-z 0-9 _ "
			 ". -)");
	cr_assert_lt(ctl_parse_team_name("", "NAME", err, sizeof err), 0);
	cr_assert_str_eq(err, "NAME: a team name cannot be empty");
	cr_assert_lt(ctl_parse_port_name("", "NAME", err, sizeof err), 0);
	cr_assert_str_eq(err, "NAME: a port name cannot be empty");
}

/* Same device: the same devargs, but for a vdev's instance number and the
 * short form of a PCI address. */
Test(parse, same_device)
{
	static const char *const same[][2] = {
		{ "net_tap,iface=a", "net_tap,iface=a" },
		{ "net_af_packet0,iface=a", "net_af_packet,iface=a" },
		{ "net_af_packet1,iface=a", "net_af_packet12,iface=a" },
		{ "eth_ring3", "eth_ring" },
		{ "01:00.0", "0000:01:00.0" },
		{ "0000:AF:00.1,rxq=2", "af:00.1,rxq=2" },
	};
	static const char *const different[][2] = {
		{ "net_tap,iface=a", "net_tap,iface=b" },
		{ "net_tap,iface=a", "net_tap" },
		{ "net_tap,iface=a", "net_tun,iface=a" },
		{ "01:00.0", "0001:01:00.0" },
		{ "01:00.0", "01:00.1" },
		{ "mlx5_0", "mlx5_1" },
		{ "0000:01:00.0,rxq=2", "0000:01:00.0" },
	};

	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		cr_assert(ctl_same_device(same[i][0], same[i][1]), "%s, %s",
			  same[i][0], same[i][1]);
		cr_assert(ctl_same_device(same[i][1], same[i][0]));
	}
	for (size_t i = 0; i < sizeof different / sizeof different[0]; i++)
		cr_assert(!ctl_same_device(different[i][0], different[i][1]),
			  "%s, %s", different[i][0], different[i][1]);
}

Test(parse, on_off_and_yes_no)
{
	static const char *const bad[] = {
		"", "On", "ON", "true", "1", "yes", "maybe", "on ", " off",
	};
	char err[ERRSZ];
	bool b = false;

	cr_assert_eq(ctl_parse_on_off("on", &b, "f", NULL, 0), 0);
	cr_assert(b);
	cr_assert_eq(ctl_parse_on_off("off", &b, "f", NULL, 0), 0);
	cr_assert(!b);
	cr_assert_eq(ctl_parse_yes_no("yes", &b, "f", NULL, 0), 0);
	cr_assert(b);
	cr_assert_eq(ctl_parse_yes_no("no", &b, "f", NULL, 0), 0);
	cr_assert(!b);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = true;
		err[0] = '\0';
		cr_assert_eq(ctl_parse_on_off(bad[i], &b, "--dhcp-guard", err,
					      sizeof err), -EINVAL, "'%s'",
			     bad[i]);
		cr_assert_eq(strncmp(err, "--dhcp-guard: ", 14), 0, "%s", err);
		cr_assert(b, "output changed for '%s'", bad[i]);
	}
	cr_assert_eq(ctl_parse_yes_no("on", &b, "--connected", err, sizeof err),
		     -EINVAL);
	cr_assert_str_eq(err, "--connected: 'on' is not one of no, yes");
	cr_assert_lt(ctl_parse_yes_no("Yes", &b, "--connected", NULL, 0), 0);
}

Test(parse, bits_per_s_good)
{
	static const struct {
		const char *text;
		uint64_t value;
	} good[] = {
		{ "0", 0 }, { "0k", 0 }, { "1000", 1000 }, { "1k", 1000 },
		{ "1K", 1000 }, { "1.5k", 1500 }, { "100M", 100000000 },
		{ "2.5G", 2500000000ull }, { "2.125G", 2125000000ull },
		{ "1T", 1000000000000ull }, { "0.001T", 1000000000ull },
		{ "1000000000000", 1000000000000ull }, { "007M", 7000000 },
		{ "0.999999999999T", 999999999999ull },
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint64_t v = 42;
		char err[ERRSZ] = "";

		cr_assert_eq(ctl_parse_bits_per_s(good[i].text, &v,
						  "--max-bandwidth", err,
						  sizeof err), 0, "%s: %s",
			     good[i].text, err);
		cr_assert_eq(v, good[i].value, "%s: %llu", good[i].text,
			     (unsigned long long) v);
	}
}

Test(parse, bits_per_s_bad)
{
	/* Not a rate at all, then a rate out of range. */
	static const char *const garbage[] = {
		"", "-5", "+5", "10x", "x10", "1.5", "k", "1.k", ".5M", "1kk",
		"1 k", " 1", "1 ", "1e6", "1m", "1g", "0x10", "1.0001k",
		"1,000", "1_000", "1.2.3k", "5P",
	};
	static const char *const out_of_range[] = {
		"1", "999", "0.999k", "2T", "1000000000001", "1.000000000001T",
		"18446744073709551616", "99999999999999999999999999T",
		"18446744073709551.615k",
	};
	char err[ERRSZ];

	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		uint64_t v = 42;

		err[0] = '\0';
		cr_assert_eq(ctl_parse_bits_per_s(garbage[i], &v,
						  "--max-bandwidth", err,
						  sizeof err), -EINVAL,
			     "'%s' accepted", garbage[i]);
		cr_assert_eq(strncmp(err, "--max-bandwidth: ", 17), 0, "%s",
			     err);
		cr_assert_not_null(strstr(err, "is not a rate in bits/s"), "%s",
				   err);
		cr_assert_eq(v, 42, "output changed for '%s'", garbage[i]);
	}
	for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0];
	     i++) {
		uint64_t v = 42;

		err[0] = '\0';
		cr_assert_eq(ctl_parse_bits_per_s(out_of_range[i], &v,
						  "--max-bandwidth", err,
						  sizeof err), -EINVAL,
			     "'%s' accepted", out_of_range[i]);
		cr_assert_not_null(strstr(err, "is out of range (0, or 1k-1T "
					  "bits/s)"), "%s", err);
		cr_assert_eq(v, 42, "output changed for '%s'", out_of_range[i]);
	}
	ctl_parse_bits_per_s("2T", &(uint64_t) {0}, "--max-bandwidth", err,
			     sizeof err);
	cr_assert_str_eq(err, "--max-bandwidth: '2T' is out of range (0, or "
			 "1k-1T bits/s)");
}

Test(parse, packets_per_s)
{
	static const char *const bad[] = {
		"abc", "", "-1", "1G", "1T", "1.5", "10k ", "1e3",
	};
	char err[ERRSZ] = "";
	uint64_t v = 0;

	cr_assert_eq(ctl_parse_packets_per_s("1000", &v, "f", err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(v, 1000);
	cr_assert_eq(ctl_parse_packets_per_s("1", &v, "f", NULL, 0), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(ctl_parse_packets_per_s("0", &v, "f", NULL, 0), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(ctl_parse_packets_per_s("10k", &v, "f", NULL, 0), 0);
	cr_assert_eq(v, 10000);
	cr_assert_eq(ctl_parse_packets_per_s("2.5K", &v, "f", NULL, 0), 0);
	cr_assert_eq(v, 2500);
	cr_assert_eq(ctl_parse_packets_per_s("100M", &v, "f", NULL, 0), 0);
	cr_assert_eq(v, CTL_STORM_LIMIT_MAX);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t skip = strlen("--storm-limit: '") + strlen(bad[i]);

		v = 42;
		err[0] = '\0';

		cr_assert_eq(ctl_parse_packets_per_s(bad[i], &v,
						     "--storm-limit", err,
						     sizeof err), -EINVAL,
			     "'%s' accepted", bad[i]);
		cr_assert_str_eq(err + skip, "' is not a rate in packets/s "
				 "(e.g. 1000 or 10k)", "%s", err);
		cr_assert_eq(v, 42);
	}
	cr_assert_eq(ctl_parse_packets_per_s("100000001", &v, "--storm-limit",
					     err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "--storm-limit: '100000001' is out of range "
			 "(0-100M packets/s)");
}

Test(parse, policy_numbers)
{
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_check_bits_per_s(0, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_bits_per_s(1000, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_bits_per_s(1000000000000LL, "f", NULL, 0), 0);
	cr_assert_lt(ctl_check_bits_per_s(999, "f", NULL, 0), 0);
	cr_assert_lt(ctl_check_bits_per_s(1000000000001LL, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_bits_per_s(-5, "max_bandwidth", err,
					  sizeof err), -EINVAL);
	cr_assert_str_eq(err, "max_bandwidth: -5 is out of range (0, or 1k-1T "
			 "bits/s)");
	cr_assert_eq(ctl_check_packets_per_s(0, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_packets_per_s(1, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_packets_per_s(100000000, "f", NULL, 0), 0);
	cr_assert_lt(ctl_check_packets_per_s(100000001, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_packets_per_s(-1, "storm_limit", err,
					     sizeof err), -EINVAL);
	cr_assert_str_eq(err, "storm_limit: -1 is out of range (0-100M "
			 "packets/s)");
	cr_assert_eq(ctl_check_min_weight(0, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_min_weight(1, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_min_weight(100, "f", NULL, 0), 0);
	cr_assert_lt(ctl_check_min_weight(-1, "f", NULL, 0), 0);
	cr_assert_eq(ctl_check_min_weight(101, "min_weight", err, sizeof err),
		     -EINVAL);
	cr_assert_str_eq(err, "min_weight: 101 is out of range (1-100, or 0 "
			 "for not set)");
}

Test(parse, format_rate)
{
	static const struct {
		uint64_t value;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1k" }, { 1001, "1001" },
		{ 1500, "1500" }, { 100000000, "100M" },
		{ 2500000000ull, "2500M" }, { 1000000000000ull, "1T" },
		{ 1000000000000000ull, "1000T" },
	};
	char buf[24];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t back = 0;

		ctl_format_rate(cases[i].value, buf);
		cr_assert_str_eq(buf, cases[i].text);
		if (cases[i].value > CTL_BANDWIDTH_MAX
		    || (cases[i].value && cases[i].value < CTL_BANDWIDTH_MIN))
			continue;
		cr_assert_eq(ctl_parse_bits_per_s(buf, &back, "f", NULL, 0), 0);
		cr_assert_eq(back, cases[i].value, "%s read back", buf);
	}
}

/* JSON decoding: bad input. */

Test(json, port_fields)
{
	expect_port_ok("\"name\": \"vm1\", \"type\": \"vm\", "
		       "\"devargs\": \"net_tap,iface=t0\"");
	expect_port_error("\"name\": \"ok\", \"type\": \"internal\"",
			  "ports[1].name: duplicate port name 'ok'");
	expect_port_error("\"name\": \"a b\", \"type\": \"internal\"",
			  "ports[1].name");
	expect_port_error("\"name\": \"vm1\", \"type\": \"virtual\"",
			  "ports[1].type");
	expect_port_error("\"type\": \"internal\"",
			  "ports[1].name: required key is missing");
	expect_port_error("\"name\": \"vm1\"", "ports[1].type");
}

Test(json, vlan_ids)
{
	static const char *const ids[] = { "0", "4095", "4096", "-1" };
	char port[200];

	for (size_t i = 0; i < 4; i++) {
		snprintf(port, sizeof port, "\"name\": \"h\", \"type\": "
			 "\"internal\", \"vlan_mode\": \"access\", \"vlan\": %s",
			 ids[i]);
		expect_port_error(port, "ports[1].vlan: ");
		snprintf(port, sizeof port, "\"name\": \"h\", \"type\": "
			 "\"internal\", \"vlan_mode\": \"trunk\", "
			 "\"allowed_vlans\": \"10\", \"native_vlan\": %s", ids[i]);
		if (strcmp(ids[i], "0"))
			expect_port_error(port, "ports[1].native_vlan: ");
		else
			expect_port_ok(port);
	}
	expect_port_error("\"name\": \"h\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"access\", \"vlan\": \"10\"",
			  "ports[1].vlan: expected an integer, got a string");
	expect_port_error("\"name\": \"h\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"access\", \"vlan\": 10.0",
			  "ports[1].vlan: expected an integer");
}

Test(json, macs)
{
	static const char *const bad[] = {
		"52:54:00:00:00", "52:54:00:00:00:zz", "01:00:5e:00:00:01",
		"00:00:00:00:00:00",
	};
	char port[200];

	for (size_t i = 0; i < 4; i++) {
		snprintf(port, sizeof port, "\"name\": \"h\", \"type\": "
			 "\"internal\", \"mac\": \"%s\"", bad[i]);
		expect_port_error(port, "ports[1].mac: ");
	}
	expect_port_ok("\"name\": \"h\", \"type\": \"internal\", "
		       "\"mac\": \"52:54:00:00:00:01\"");
}

Test(json, devargs)
{
	static const char *const bad[] = {
		"", ",x=1", "net_tap,=1", "net_tap,a=", "net tap",
	};
	char port[200];

	for (size_t i = 0; i < 5; i++) {
		snprintf(port, sizeof port, "\"name\": \"e\", \"type\": "
			 "\"external\", \"devargs\": \"%s\"", bad[i]);
		expect_port_error(port, "ports[1].devargs: ");
	}
}

Test(json, allowed_vlans)
{
	static const char *const bad[] = {
		"10,,20", "a", "20-10", "0", "4095", "10-", "",
	};
	char port[200];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(port, sizeof port, "\"name\": \"t\", \"type\": "
			 "\"internal\", \"vlan_mode\": \"trunk\", "
			 "\"allowed_vlans\": \"%s\"", bad[i]);
		expect_port_error(port, "ports[1].allowed_vlans: ");
	}
	expect_port_error("\"name\": \"t\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"trunk\", \"allowed_vlans\": [10]",
			  "ports[1].allowed_vlans: expected a string");
}

Test(json, attachment_rules)
{
	expect_port_error("\"name\": \"v\", \"type\": \"vm\", \"socket\": "
			  "\"/tmp/v.sock\", \"devargs\": \"net_tap\"",
			  "ports[1].devargs: a vm port takes socket or devargs");
	expect_port_error("\"name\": \"v\", \"type\": \"vm\"",
			  "ports[1].socket: a vm port needs");
	expect_port_error("\"name\": \"e\", \"type\": \"external\"",
			  "ports[1].devargs: required for an external port");
	expect_port_error("\"name\": \"e\", \"type\": \"external\", "
			  "\"devargs\": \"net_tap\", \"socket\": \"/tmp/e\"",
			  "ports[1].socket: not allowed");
	expect_port_error("\"name\": \"i\", \"type\": \"internal\", "
			  "\"devargs\": \"net_tap\"", "ports[1].devargs");
	expect_port_error("\"name\": \"v\", \"type\": \"vm\", \"socket\": "
			  "\"v.sock\"", "ports[1].socket: 'v.sock' is not an "
			  "absolute path");
	expect_port_error("\"name\": \"v\", \"type\": \"vm\", \"devargs\": "
			  "\"net_tap\", \"vhost_mode\": \"client\"",
			  "ports[1].vhost_mode: only with socket");
	expect_port_error("\"name\": \"v\", \"type\": \"vm\", \"socket\": "
			  "\"/tmp/v.sock\", \"vhost_mode\": \"both\"",
			  "ports[1].vhost_mode");
	/* replay: a socket directory that does not exist is not checked */
	expect_port_ok("\"name\": \"v\", \"type\": \"vm\", \"socket\": "
		       "\"/nonexistent/v.sock\", \"vhost_mode\": \"client\"");
}

Test(json, vlan_mode_rules)
{
	expect_port_error("\"name\": \"a\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"access\"",
			  "ports[1].vlan: required with vlan_mode access");
	expect_port_error("\"name\": \"t\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"trunk\", \"allowed_vlans\": \"10\", "
			  "\"vlan\": 10", "ports[1].vlan: not allowed with "
			  "vlan_mode trunk");
	expect_port_error("\"name\": \"t\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"trunk\"",
			  "ports[1].allowed_vlans: required with vlan_mode trunk");
	expect_port_error("\"name\": \"u\", \"type\": \"internal\", "
			  "\"vlan\": 10", "ports[1].vlan: not allowed with "
			  "vlan_mode untagged");
	expect_port_error("\"name\": \"a\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"access\", \"vlan\": 10, "
			  "\"native_vlan\": 0", "ports[1].native_vlan");
	expect_port_error("\"name\": \"a\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"access\", \"vlan\": 10, "
			  "\"allowed_vlans\": \"10\"", "ports[1].allowed_vlans");
	expect_port_error("\"name\": \"a\", \"type\": \"internal\", "
			  "\"vlan_mode\": \"tagged\"", "ports[1].vlan_mode");
}

Test(json, static_macs)
{
	expect_json_error("{\"schema_version\": 1, \"ports\": [{\"name\": "
			  "\"h\", \"type\": \"internal\"}], \"static_macs\": "
			  "[{\"mac\": \"52:54:00:00:00:09\", \"port\": \"vm9\"}]}",
			  "static_macs[0].port: port 'vm9' does not exist");
	expect_json_error("{\"schema_version\": 1, \"ports\": [{\"name\": "
			  "\"h\", \"type\": \"internal\"}], \"static_macs\": ["
			  "{\"mac\": \"52:54:00:00:00:09\", \"port\": \"h\"}, "
			  "{\"mac\": \"52:54:00:00:00:09\", \"port\": \"h\"}]}",
			  "static_macs[1].mac");
	expect_json_error("{\"schema_version\": 1, \"ports\": [{\"name\": "
			  "\"h\", \"type\": \"internal\"}], \"static_macs\": ["
			  "{\"mac\": \"52:54:00:00:00:09\", \"port\": \"h\", "
			  "\"vlan\": 4095}]}", "static_macs[0].vlan");
	expect_json_error("{\"schema_version\": 1, \"ports\": [{\"name\": "
			  "\"h\", \"type\": \"internal\"}], \"static_macs\": ["
			  "{\"mac\": \"01:54:00:00:00:09\", \"port\": \"h\"}]}",
			  "static_macs[0].mac: ");
	expect_json_error("{\"schema_version\": 1, \"static_macs\": {}}",
			  "static_macs: expected an array");
}

Test(json, schema_version)
{
	expect_json_error("{\"schema_version\": 2, \"ports\": []}",
			  "schema_version: 2 is not supported");
	expect_json_error("{\"ports\": []}",
			  "schema_version: required key is missing");
	expect_json_error("{\"schema_version\": \"1\"}",
			  "schema_version: expected an integer");
}

Test(json, unknown_keys_at_every_level)
{
	expect_json_error("{\"schema_version\": 1, \"portz\": []}",
			  "portz: unknown key");
	expect_json_error("{\"schema_version\": 1, \"switch\": "
			  "{\"mac_aging\": 300}}",
			  "switch.mac_aging: unknown key");
	expect_port_error("\"name\": \"h\", \"type\": \"internal\", "
			  "\"vlanx\": 1", "ports[1].vlanx: unknown key");
	expect_json_error("{\"schema_version\": 1, \"ports\": [{\"name\": "
			  "\"h\", \"type\": \"internal\"}], \"static_macs\": ["
			  "{\"mac\": \"52:54:00:00:00:09\", \"port\": \"h\", "
			  "\"prt\": \"h\"}]}", "static_macs[0].prt: unknown key");
}

Test(json, duplicate_keys)
{
	expect_json_error("{\"schema_version\": 1, \"schema_version\": 1}",
			  "duplicate object key");
	expect_port_error("\"name\": \"h\", \"type\": \"internal\", "
			  "\"name\": \"h2\"", "duplicate object key");
}

Test(json, syntax_error_has_line_and_column)
{
	expect_json_error("{\n  \"schema_version\": 1,\n  \"ports\": [ }\n}\n",
			  "line 3, column");
	expect_json_error("", "line 1, column 0");
	expect_json_error("[1]", "must be an object");
}

Test(json, switch_settings)
{
	expect_json_error("{\"schema_version\": 1, \"switch\": "
			  "{\"mac_aging_s\": 5}}", "switch.mac_aging_s: 5");
	expect_json_error("{\"schema_version\": 1, \"switch\": "
			  "{\"mac_aging_s\": 1000001}}", "switch.mac_aging_s");
	expect_json_error("{\"schema_version\": 1, \"switch\": []}",
			  "switch: expected an object");
	expect_json_error("{\"schema_version\": 1, \"ports\": {}}",
			  "ports: expected an array");
	expect_json_error("{\"schema_version\": 1, \"ports\": [1]}",
			  "ports[0]: expected an object");
}

/* JSON decoding: port policies. */

/* ports[1] of 'port' decoded, with the 'ok' port in front. */
static struct ctl_config *
decode_port(const char *port)
{
	struct ctl_config *out = ctl_config_new();
	char *json = with_port(port);
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_config_from_json(json, out, err, sizeof err), 0,
		     "refused %s: %s", json, err);
	free(json);
	return out;
}

#define VM_PORT "\"name\": \"v\", \"type\": \"vm\", \"devargs\": \"net_tap\""
#define EXT_PORT "\"name\": \"e\", \"type\": \"external\", " \
		 "\"devargs\": \"net_tap\""
#define INT_PORT "\"name\": \"i\", \"type\": \"internal\""

Test(json, policies_decoded)
{
	struct ctl_config *cfg = decode_port(VM_PORT ", "
		"\"mac_spoofing\": true, "
		"\"dhcp_guard\": true, \"router_guard\": true, "
		"\"max_bandwidth\": 100000000, \"min_weight\": 3, "
		"\"storm_limit\": 1000, \"mirror\": \"source\", "
		"\"connected\": false");
	const struct ctl_port *p = &cfg->ports[1];

	cr_assert(p->mac_spoofing && p->dhcp_guard && p->router_guard);
	cr_assert_eq(p->max_bandwidth, 100000000);
	cr_assert_eq(p->min_weight, 3);
	cr_assert_eq(p->storm_limit, 1000);
	cr_assert_eq(p->mirror, CTL_MIRROR_SOURCE);
	cr_assert(p->disconnected);
	cr_assert_eq(p->link_speed, 0);
	ctl_config_free(cfg);

	cfg = decode_port(EXT_PORT ", \"link_speed\": 10000000000, "
			  "\"mirror\": \"destination\"");
	cr_assert_eq(cfg->ports[1].link_speed, 10000000000ull);
	cr_assert_eq(cfg->ports[1].mirror, CTL_MIRROR_DESTINATION);
	ctl_config_free(cfg);

	cfg = decode_port(INT_PORT ", \"mirror\": \"both\"");
	cr_assert_eq(cfg->ports[1].mirror, CTL_MIRROR_BOTH);
	ctl_config_free(cfg);

	/* The limits of each range. */
	cfg = decode_port(VM_PORT ", \"max_bandwidth\": 1000000000000, "
			  "\"min_weight\": 100, \"storm_limit\": 100000000");
	cr_assert_eq(cfg->ports[1].max_bandwidth, CTL_BANDWIDTH_MAX);
	cr_assert_eq(cfg->ports[1].min_weight, 100);
	cr_assert_eq(cfg->ports[1].storm_limit, CTL_STORM_LIMIT_MAX);
	ctl_config_free(cfg);
	cfg = decode_port(VM_PORT ", \"max_bandwidth\": 1000, "
			  "\"min_weight\": 1, \"storm_limit\": 1");
	cr_assert_eq(cfg->ports[1].max_bandwidth, CTL_BANDWIDTH_MIN);
	cr_assert_eq(cfg->ports[1].min_weight, 1);
	cr_assert_eq(cfg->ports[1].storm_limit, 1);
	ctl_config_free(cfg);
}

/* Defaults given explicitly are accepted and give the zeroed port. */
Test(json, policies_at_default)
{
	struct ctl_config *a = decode_port(VM_PORT ", \"mac_spoofing\": false, "
		"\"dhcp_guard\": false, \"router_guard\": false, "
		"\"max_bandwidth\": 0, \"min_weight\": 0, \"storm_limit\": 0, "
		"\"mirror\": \"none\", \"connected\": true");
	struct ctl_config *b = decode_port(VM_PORT);
	struct ctl_config *c = decode_port(EXT_PORT ", \"link_speed\": 0");
	char *json = ctl_config_to_json(a);

	cr_assert_eq(memcmp(a, b, sizeof *a), 0);
	cr_assert_eq(c->ports[1].link_speed, 0);
	cr_assert_null(strstr(json, "mac_spoofing"), "%s", json);
	cr_assert_null(strstr(json, "connected"), "%s", json);
	cr_assert_null(strstr(json, "mirror"), "%s", json);
	cr_assert_null(strstr(json, "max_bandwidth"), "%s", json);
	free(json);
	ctl_config_free(a);
	ctl_config_free(b);
	ctl_config_free(c);
}

Test(json, policies_wrong_type)
{
	static const struct {
		const char *key, *value, *expected;
	} cases[] = {
		{ "mac_spoofing", "\"on\"", "a boolean, got a string" },
		{ "dhcp_guard", "1", "a boolean, got an integer" },
		{ "router_guard", "null", "a boolean, got null" },
		{ "connected", "\"yes\"", "a boolean, got a string" },
		{ "max_bandwidth", "\"100M\"", "an integer, got a string" },
		{ "max_bandwidth", "1e6", "an integer, got a real number" },
		{ "min_weight", "true", "an integer, got a boolean" },
		{ "storm_limit", "[1000]", "an integer, got an array" },
		{ "mirror", "1", "a string, got an integer" },
		{ "mirror", "true", "a string, got a boolean" },
	};
	char port[200], needle[120];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(port, sizeof port, VM_PORT ", \"%s\": %s",
			 cases[i].key, cases[i].value);
		snprintf(needle, sizeof needle, "ports[1].%s: expected %s",
			 cases[i].key, cases[i].expected);
		expect_port_error(port, needle);
	}
	expect_port_error(EXT_PORT ", \"link_speed\": \"10G\"",
			  "ports[1].link_speed: expected an integer, got a "
			  "string");
}

Test(json, policies_out_of_range)
{
	static const struct {
		const char *key, *value;
	} cases[] = {
		{ "max_bandwidth", "-5" }, { "max_bandwidth", "1" },
		{ "max_bandwidth", "999" },
		{ "max_bandwidth", "1000000000001" },
		{ "max_bandwidth", "9223372036854775807" },
		{ "min_weight", "-1" }, { "min_weight", "101" },
		{ "min_weight", "256" }, { "storm_limit", "-1" },
		{ "storm_limit", "100000001" }, { "mirror", "\"sideways\"" },
		{ "mirror", "\"\"" }, { "mirror", "\"Source\"" },
	};
	char port[200], needle[120];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(port, sizeof port, VM_PORT ", \"%s\": %s",
			 cases[i].key, cases[i].value);
		snprintf(needle, sizeof needle, "ports[1].%s: ", cases[i].key);
		expect_port_error(port, needle);
	}
	expect_port_error(VM_PORT ", \"max_bandwidth\": 999",
			  "ports[1].max_bandwidth: 999 is out of range (0, or "
			  "1k-1T bits/s)");
	expect_port_error(VM_PORT ", \"min_weight\": 101",
			  "ports[1].min_weight: 101 is out of range");
	expect_port_error(VM_PORT ", \"mirror\": \"sideways\"",
			  "ports[1].mirror: 'sideways' is not one of none, "
			  "source, destination, both");
	expect_port_error(EXT_PORT ", \"link_speed\": 999",
			  "ports[1].link_speed: 999 is out of range");
	expect_port_error(EXT_PORT ", \"link_speed\": 2000000000000",
			  "ports[1].link_speed: 2000000000000 is out of range");
}

/* The vm-only keys on external and internal ports, link_speed on vm and
 * internal ports: refused even at their default value. */
Test(json, policies_on_the_wrong_port_type)
{
	static const char *const vm_only[][2] = {
		{ "mac_spoofing", "true" }, { "mac_spoofing", "false" },
		{ "dhcp_guard", "true" }, { "router_guard", "true" },
		{ "max_bandwidth", "1000000" }, { "min_weight", "5" },
		{ "storm_limit", "100" }, { "connected", "false" },
		{ "connected", "true" }, { "dhcp_guard", "false" },
	};
	static const char *const others[][2] = {
		{ EXT_PORT, "external" }, { INT_PORT, "internal" },
	};
	const size_t n_vm_only = sizeof vm_only / sizeof vm_only[0];
	char port[200], needle[120];

	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; i < n_vm_only; i++) {
			snprintf(port, sizeof port, "%s, \"%s\": %s",
				 others[t][0], vm_only[i][0], vm_only[i][1]);
			snprintf(needle, sizeof needle, "ports[1].%s: only for "
				 "vm ports, not %s ports", vm_only[i][0],
				 others[t][1]);
			expect_port_error(port, needle);
		}
	expect_port_error(VM_PORT ", \"link_speed\": 1000000000",
			  "ports[1].link_speed: only for external ports, not "
			  "vm ports");
	expect_port_error(INT_PORT ", \"link_speed\": 0",
			  "ports[1].link_speed: only for external ports, not "
			  "internal ports");
	/* mirror goes anywhere */
	expect_port_ok(EXT_PORT ", \"mirror\": \"source\"");
	expect_port_ok(VM_PORT ", \"mirror\": \"destination\"");
}

/* JSON decoding: teams. */

/* A configuration of 'teams' (the inside of the array) and, after the
 * port 'ok', 'ports' (may be empty). */
static char *
with_teams(const char *teams, const char *ports)
{
	char *json;

	cr_assert_geq(asprintf(&json, "{\"schema_version\": 1, \"teams\": "
			       "[%s], \"ports\": [{\"name\": \"ok\", "
			       "\"type\": \"internal\"}%s%s]}", teams,
			       *ports ? ", " : "", ports), 0);
	return json;
}

static void
expect_teams_error(const char *teams, const char *ports, const char *needle)
{
	char *json = with_teams(teams, ports);

	expect_json_error(json, needle);
	free(json);
}

static struct ctl_config *
decode_teams(const char *teams, const char *ports)
{
	struct ctl_config *out = ctl_config_new();
	char *json = with_teams(teams, ports);
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_config_from_json(json, out, err, sizeof err), 0,
		     "refused %s: %s", json, err);
	free(json);
	return out;
}

#define T1 "{\"name\": \"t1\", \"members\": [\"net_tap,iface=a\", " \
	   "\"net_tap,iface=b\"], \"mode\": \"lacp\", \"lb\": " \
	   "\"address-hash\""
#define T2_HEAD "{\"name\": \"t2\", \"mode\": \"static\", \"lb\": " \
		"\"dynamic\", \"members\": "
#define TEAM_PORT(name, team) "{\"name\": \"" name "\", \"type\": " \
			      "\"external\", \"team\": \"" team "\"}"

Test(json, teams_decoded)
{
	struct ctl_config *cfg = decode_teams(T1 ", \"hash\": \"ip\", "
		"\"lacp_rate\": \"fast\", \"lacp_passive\": true}, "
		T2_HEAD "[\"0000:01:00.0\"]}, {\"name\": \"t3\", \"members\": "
		"[\"net_tap,iface=c\"], \"mode\": \"switch-independent\", "
		"\"lb\": \"hyperv-port\"}", TEAM_PORT("up1", "t1") ", "
		TEAM_PORT("up2", "t2"));
	const struct ctl_team *t = &cfg->teams[0];

	cr_assert_eq(cfg->n_teams, 3);
	cr_assert_str_eq(t->name, "t1");
	cr_assert_eq(t->n_members, 2);
	cr_assert_str_eq(t->members[0], "net_tap,iface=a");
	cr_assert_str_eq(t->members[1], "net_tap,iface=b");
	cr_assert_eq(t->mode, CTL_TEAM_LACP);
	cr_assert_eq(t->lb, CTL_TEAM_LB_ADDRESS_HASH);
	cr_assert_eq(t->hash, CTL_TEAM_HASH_IP);
	cr_assert(t->lacp_fast && t->lacp_passive);
	t = &cfg->teams[1];
	cr_assert_eq(t->mode, CTL_TEAM_STATIC);
	cr_assert_eq(t->lb, CTL_TEAM_LB_DYNAMIC);
	cr_assert_eq(t->hash, CTL_TEAM_HASH_TRANSPORT);
	cr_assert(!t->lacp_fast && !t->lacp_passive);
	cr_assert_eq(cfg->teams[2].mode, CTL_TEAM_SWITCH_INDEPENDENT);
	cr_assert_eq(cfg->teams[2].lb, CTL_TEAM_LB_HYPERV_PORT);
	cr_assert_str_eq(cfg->ports[1].team, "t1");
	cr_assert_str_eq(cfg->ports[1].devargs, "");
	cr_assert_str_eq(cfg->ports[2].team, "t2");
	cr_assert_eq(ctl_config_team_port(cfg, "t1"), 1);
	cr_assert_eq(ctl_config_team_port(cfg, "t3"), -1);
	ctl_config_free(cfg);

	/* The defaults, given explicitly, are accepted. */
	cfg = decode_teams(T1 ", \"hash\": \"transport\", \"lacp_rate\": "
			   "\"slow\", \"lacp_passive\": false}", "");
	cr_assert_eq(cfg->teams[0].hash, CTL_TEAM_HASH_TRANSPORT);
	cr_assert(!cfg->teams[0].lacp_fast && !cfg->teams[0].lacp_passive);
	ctl_config_free(cfg);

	/* Eight members. */
	cfg = decode_teams(T2_HEAD "[\"net_tap,iface=1\", \"net_tap,iface=2\", "
			   "\"net_tap,iface=3\", \"net_tap,iface=4\", "
			   "\"net_tap,iface=5\", \"net_tap,iface=6\", "
			   "\"net_tap,iface=7\", \"net_tap,iface=8\"]}", "");
	cr_assert_eq(cfg->teams[0].n_members, CTL_MAX_TEAM_MEMBERS);
	cr_assert_str_eq(cfg->teams[0].members[7], "net_tap,iface=8");
	ctl_config_free(cfg);
}

Test(json, team_structure)
{
	expect_json_error("{\"schema_version\": 1, \"teams\": {}}",
			  "teams: expected an array, got an object");
	expect_teams_error("1", "", "teams[0]: expected an object, got an "
			   "integer");
	expect_teams_error(T1 ", \"membrs\": []}", "",
			   "teams[0].membrs: unknown key");
	expect_teams_error(T1 ", \"lacp_rate\": \"fast\", "
			   "\"lacp_rate\": \"slow\"}", "",
			   "duplicate object key");
	expect_teams_error("{\"members\": [\"net_tap\"], \"mode\": \"static\", "
			   "\"lb\": \"dynamic\"}", "",
			   "teams[0].name: required key is missing");
	expect_teams_error("{\"name\": \"t 1\"}", "",
			   "teams[0].name: 't 1' is not a team name");
	expect_teams_error("{\"name\": 1}", "",
			   "teams[0].name: expected a string, got an integer");
	expect_teams_error(T1 "}, " T1 "}", "",
			   "teams[1].name: duplicate team name 't1' (also "
			   "teams[0])");
	expect_teams_error("{\"name\": \"t1\", \"mode\": \"static\", "
			   "\"lb\": \"dynamic\"}", "",
			   "teams[t1].members: required key is missing");
	expect_teams_error("{\"name\": \"t1\", \"members\": [\"net_tap\"], "
			   "\"lb\": \"dynamic\"}", "",
			   "teams[t1].mode: required key is missing");
	expect_teams_error("{\"name\": \"t1\", \"members\": [\"net_tap\"], "
			   "\"mode\": \"static\"}", "",
			   "teams[t1].lb: required key is missing");
	expect_teams_error("{\"name\": \"t1\", \"members\": [\"net_tap\"], "
			   "\"mode\": 1, \"lb\": \"dynamic\"}", "",
			   "teams[t1].mode: expected a string, got an integer");
	expect_teams_error("{\"name\": \"t1\", \"members\": [\"net_tap\"], "
			   "\"mode\": \"active\", \"lb\": \"dynamic\"}", "",
			   "teams[t1].mode: 'active' is not one of lacp, "
			   "static, switch-independent");
	expect_teams_error("{\"name\": \"t1\", \"members\": [\"net_tap\"], "
			   "\"mode\": \"static\", \"lb\": \"round-robin\"}", "",
			   "teams[t1].lb: 'round-robin' is not one of "
			   "address-hash, hyperv-port, dynamic");
	expect_teams_error("{\"name\": \"t1\", \"members\": [\"net_tap\"], "
			   "\"mode\": \"static\", \"lb\": [\"dynamic\"]}", "",
			   "teams[t1].lb: expected a string, got an array");
}

Test(json, team_members)
{
	char teams[2048] = T2_HEAD "[";

	expect_teams_error(T2_HEAD "\"net_tap\"}", "",
			   "teams[t2].members: expected an array, got a "
			   "string");
	expect_teams_error(T2_HEAD "[]}", "", "teams[t2].members: a team needs "
			   "at least one member");
	for (int i = 1; i <= 9; i++)
		snprintf(teams + strlen(teams), sizeof teams - strlen(teams),
			 "%s\"net_tap,iface=%d\"", i > 1 ? ", " : "", i);
	strcat(teams, "]}");
	expect_teams_error(teams, "", "teams[t2].members: 9 members, at "
			   "most 8");
	expect_teams_error(T2_HEAD "[\"net_tap\", 1]}", "",
			   "teams[t2].members[1]: expected a string, got an "
			   "integer");
	expect_teams_error(T2_HEAD "[\"\"]}", "",
			   "teams[t2].members[0]: cannot be empty");
	expect_teams_error(T2_HEAD "[\"net_tap\", \"net tap\"]}", "",
			   "teams[t2].members[1]: 'net tap' does not start "
			   "with a driver name");
	expect_teams_error(T2_HEAD "[\"net_tap,iface\"]}", "",
			   "teams[t2].members[0]: 'net_tap,iface': 'iface' is "
			   "not key=value");
	expect_teams_error(T2_HEAD "[\"net_tap,iface=a\", \"net_tap,iface=b\", "
			   "\"net_tap,iface=a\"]}", "",
			   "teams[t2].members[2]: net_tap,iface=a is already a "
			   "member of this team (members[0])");
	expect_teams_error(T2_HEAD "[\"net_af_packet0,iface=a\", "
			   "\"net_af_packet1,iface=a\"]}", "",
			   "teams[t2].members[1]: net_af_packet1,iface=a is "
			   "already a member of this team (members[0])");
	/* A device in two teams is named in the second. */
	expect_teams_error(T1 "}, " T2_HEAD "[\"net_tap,iface=c\", "
			   "\"net_tap,iface=b\"]}", "",
			   "teams[t2].members[1]: net_tap,iface=b is already a "
			   "member of team t1");
	expect_teams_error(T2_HEAD "[\"01:00.0\"]}, {\"name\": \"t3\", "
			   "\"members\": [\"0000:01:00.0\"], "
			   "\"mode\": \"static\", \"lb\": \"dynamic\"}", "",
			   "teams[t3].members[0]: 0000:01:00.0 is already a "
			   "member of team t2");
	/* ... and a device that is a port's own. */
	expect_teams_error(T1 "}", "{\"name\": \"vm4\", \"type\": \"vm\", "
			   "\"devargs\": \"net_tap,iface=b\"}",
			   "teams[t1].members[1]: net_tap,iface=b is already "
			   "the devargs of port vm4");
	expect_teams_error(T1 "}", "{\"name\": \"e\", \"type\": "
			   "\"external\", \"devargs\": \"net_tap0,iface=a\"}",
			   "teams[t1].members[0]: net_tap,iface=a is already "
			   "the devargs of port e");
}

/* hash, lacp_rate and lacp_passive are refused, even at their default,
 * with a balancing or mode that does not use them. */
Test(json, team_options_by_mode)
{
	static const char *const lacp_keys[][2] = {
		{ "lacp_rate", "\"fast\"" }, { "lacp_rate", "\"slow\"" },
		{ "lacp_passive", "true" }, { "lacp_passive", "false" },
	};
	static const char *const other_modes[] = {
		"static", "switch-independent",
	};
	static const char *const other_lbs[] = { "hyperv-port", "dynamic" };
	char teams[400], needle[80];

	for (size_t m = 0; m < 2; m++)
		for (size_t k = 0; k < 4; k++) {
			snprintf(teams, sizeof teams, "{\"name\": \"t1\", "
				 "\"members\": [\"net_tap\"], "
				 "\"mode\": \"%s\", \"lb\": \"dynamic\", "
				 "\"%s\": %s}",
				 other_modes[m], lacp_keys[k][0],
				 lacp_keys[k][1]);
			snprintf(needle, sizeof needle, "teams[t1].%s: only "
				 "with mode lacp", lacp_keys[k][0]);
			expect_teams_error(teams, "", needle);
		}
	for (size_t l = 0; l < 2; l++) {
		snprintf(teams, sizeof teams, "{\"name\": \"t1\", \"members\": "
			 "[\"net_tap\"], \"mode\": \"lacp\", \"lb\": \"%s\", "
			 "\"hash\": \"transport\"}", other_lbs[l]);
		expect_teams_error(teams, "", "teams[t1].hash: only with lb "
				   "address-hash");
	}
	expect_teams_error(T1 ", \"hash\": \"l4\"}", "",
			   "teams[t1].hash: 'l4' is not one of transport, ip, "
			   "mac");
	expect_teams_error(T1 ", \"hash\": 4}", "",
			   "teams[t1].hash: expected a string, got an integer");
	expect_teams_error(T1 ", \"lacp_rate\": \"medium\"}", "",
			   "teams[t1].lacp_rate: 'medium' is not one of slow, "
			   "fast");
	expect_teams_error(T1 ", \"lacp_rate\": 1}", "",
			   "teams[t1].lacp_rate: expected a string, got an "
			   "integer");
	expect_teams_error(T1 ", \"lacp_passive\": \"yes\"}", "",
			   "teams[t1].lacp_passive: expected a boolean, got a "
			   "string");
}

Test(json, too_many_teams)
{
	char teams[4096] = "";

	for (int i = 0; i <= CTL_MAX_TEAMS; i++)
		snprintf(teams + strlen(teams), sizeof teams - strlen(teams),
			 "%s{\"name\": \"t%d\", \"members\": [\"net_tap,"
			 "iface=%d\"], \"mode\": \"static\", \"lb\": "
			 "\"dynamic\"}", i ? ", " : "", i, i);
	expect_teams_error(teams, "", "teams: 17 teams, at most 16");
}

Test(json, port_team)
{
	expect_teams_error(T1 "}", TEAM_PORT("up", "t9"),
			   "ports[1].team: team 't9' does not exist");
	expect_teams_error(T1 "}", TEAM_PORT("up", "t1") ", "
			   TEAM_PORT("up2", "t1"),
			   "ports[2].team: team t1 is already used by port up");
	expect_teams_error(T1 "}", "{\"name\": \"up\", \"type\": "
			   "\"external\", "
			   "\"devargs\": \"net_tap,iface=z\", "
			   "\"team\": \"t1\"}",
			   "ports[1].team: an external port takes devargs or "
			   "team, not both");
	expect_teams_error(T1 "}", "{\"name\": \"v\", \"type\": \"vm\", "
			   "\"devargs\": \"net_tap,iface=z\", "
			   "\"team\": \"t1\"}",
			   "ports[1].team: only for external ports, not vm "
			   "ports");
	expect_teams_error(T1 "}", "{\"name\": \"h\", \"type\": "
			   "\"internal\", \"team\": \"t1\"}",
			   "ports[1].team: only for external ports, not "
			   "internal ports");
	expect_teams_error(T1 "}", "{\"name\": \"up\", \"type\": "
			   "\"external\", \"team\": \"t 1\"}",
			   "ports[1].team: 't 1' is not a team name");
	expect_teams_error(T1 "}", "{\"name\": \"up\", \"type\": "
			   "\"external\", \"team\": 1}",
			   "ports[1].team: expected a string, got an integer");
	expect_port_error("\"name\": \"up\", \"type\": \"external\", "
			  "\"team\": \"t1\"",
			  "ports[1].team: team 't1' does not exist");
	expect_port_error("\"name\": \"up\", \"type\": \"external\"",
			  "ports[1].devargs: required for an external port "
			  "(or team)");
}

/* Validation of a configuration built in C. */

Test(validate, cross_field_rules)
{
	struct ctl_config *cfg = ctl_config_new();
	char err[ERRSZ];

	cfg->n_ports = 2;
	strcpy(cfg->ports[0].name, "vm1");
	strcpy(cfg->ports[0].devargs, "net_tap");
	strcpy(cfg->ports[1].name, "vm1");
	strcpy(cfg->ports[1].devargs, "net_tap");
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "ports[1].name: duplicate"), "%s", err);
	strcpy(cfg->ports[1].name, "vm2");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	cfg->ports[1].vlan_mode = CTL_VLAN_ACCESS;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "ports[1].vlan: required"), "%s", err);
	cfg->ports[1].vlan = 4095;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "ports[1].vlan: 4095"), "%s", err);
	cfg->ports[1].vlan = 10;
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	cfg->n_static_macs = 1;
	memcpy(cfg->static_macs[0].mac, "\x52\x54\0\0\0\x09", 6);
	strcpy(cfg->static_macs[0].port, "vm3");
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "static_macs[0].port"), "%s", err);
	strcpy(cfg->static_macs[0].port, "vm2");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);
	ctl_config_free(cfg);
}

/* Each policy set away from its default on a port type that does not take
 * it, and each out of range, is named. */
Test(validate, policies)
{
	static const char *const vm_keys[] = {
		"mac_spoofing", "dhcp_guard", "router_guard", "max_bandwidth",
		"min_weight", "storm_limit", "connected",
	};
	struct ctl_config *cfg = ctl_config_new();
	struct ctl_port *vm, *ext;
	char err[ERRSZ], needle[96];

	cfg->n_ports = 2;
	vm = &cfg->ports[0];
	ext = &cfg->ports[1];
	strcpy(vm->name, "vm1");
	strcpy(vm->devargs, "net_tap");
	strcpy(ext->name, "up");
	ext->type = CTL_PORT_EXTERNAL;
	strcpy(ext->devargs, "net_tap");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	for (size_t i = 0; i < sizeof vm_keys / sizeof vm_keys[0]; i++) {
		struct ctl_port saved = *ext;

		switch (i) {
		case 0: ext->mac_spoofing = true; break;
		case 1: ext->dhcp_guard = true; break;
		case 2: ext->router_guard = true; break;
		case 3: ext->max_bandwidth = 1000000; break;
		case 4: ext->min_weight = 2; break;
		case 5: ext->storm_limit = 10; break;
		case 6: ext->disconnected = true; break;
		}
		err[0] = '\0';
		cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0,
			     "%s accepted on an external port", vm_keys[i]);
		snprintf(needle, sizeof needle, "ports[1].%s: only for vm "
			 "ports", vm_keys[i]);
		cr_assert_not_null(strstr(err, needle), "%s", err);
		*ext = saved;
	}
	vm->link_speed = 1000000000;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_str_eq(err, "ports[0].link_speed: only for external ports, "
			 "not vm ports");
	vm->link_speed = 0;

	ext->link_speed = 999;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "ports[1].link_speed: 999"), "%s", err);
	ext->link_speed = CTL_BANDWIDTH_MAX;
	ext->mirror = CTL_MIRROR_BOTH;
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	vm->max_bandwidth = CTL_BANDWIDTH_MAX + 1;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_str_eq(err, "ports[0].max_bandwidth: 1000000000001 is out of "
			 "range (0, or 1k-1T bits/s)");
	vm->max_bandwidth = UINT64_MAX;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "18446744073709551615"), "%s", err);
	vm->max_bandwidth = CTL_BANDWIDTH_MIN;
	vm->storm_limit = CTL_STORM_LIMIT_MAX + 1;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "ports[0].storm_limit: "), "%s", err);
	vm->storm_limit = CTL_STORM_LIMIT_MAX;
	vm->min_weight = 101;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "ports[0].min_weight: 101"), "%s", err);
	vm->min_weight = 100;
	vm->mirror = (enum ctl_mirror_mode) 4;
	cr_assert_lt(ctl_config_validate(cfg, err, sizeof err), 0);
	cr_assert_str_eq(err, "ports[0].mirror: invalid mode 4");
	vm->mirror = CTL_MIRROR_SOURCE;
	vm->mac_spoofing = vm->dhcp_guard = vm->router_guard = true;
	vm->disconnected = true;
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);
	ctl_config_free(cfg);
}

Test(validate, lookup_and_remove)
{
	struct ctl_config *cfg = ctl_config_new();

	cfg->n_ports = 2;
	strcpy(cfg->ports[0].name, "a");
	cfg->ports[0].type = CTL_PORT_INTERNAL;
	strcpy(cfg->ports[1].name, "b");
	cfg->ports[1].type = CTL_PORT_INTERNAL;
	cfg->n_static_macs = 1;
	memcpy(cfg->static_macs[0].mac, "\x52\x54\0\0\0\x09", 6);
	strcpy(cfg->static_macs[0].port, "a");
	cr_assert_eq(ctl_config_port_index(cfg, "b"), 1);
	cr_assert_eq(ctl_config_find_port(cfg, "a"), &cfg->ports[0]);
	cr_assert_null(ctl_config_find_port(cfg, "c"));
	cr_assert_eq(ctl_config_port_index(cfg, "c"), -1);
	ctl_config_remove_port(cfg, 0);
	cr_assert_eq(cfg->n_ports, 1);
	cr_assert_str_eq(cfg->ports[0].name, "b");
	cr_assert_eq(cfg->n_static_macs, 0, "static MAC of 'a' left behind");
	cr_assert_eq(ctl_config_validate(cfg, NULL, 0), 0);
	ctl_config_free(cfg);
}

static struct ctl_port *
add_port(struct ctl_config *cfg, const char *name, enum ctl_port_type type)
{
	struct ctl_port *p = &cfg->ports[cfg->n_ports++];

	strcpy(p->name, name);
	p->type = type;
	return p;
}

static struct ctl_team *
add_team(struct ctl_config *cfg, const char *name, enum ctl_team_mode mode,
	 enum ctl_team_lb lb)
{
	struct ctl_team *t = &cfg->teams[cfg->n_teams++];

	strcpy(t->name, name);
	t->mode = mode;
	t->lb = lb;
	return t;
}

static void
add_member(struct ctl_team *t, const char *devargs)
{
	strcpy(t->members[t->n_members++], devargs);
}

static void
expect_invalid(const struct ctl_config *cfg, const char *message)
{
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), -EINVAL,
		     "accepted, expected '%s'", message);
	cr_assert_str_eq(err, message);
}

Test(validate, teams)
{
	struct ctl_config *cfg = ctl_config_new();
	struct ctl_team *t1, *t2;
	struct ctl_port *up;
	char err[ERRSZ] = "";

	t1 = add_team(cfg, "t1", CTL_TEAM_LACP, CTL_TEAM_LB_ADDRESS_HASH);
	add_member(t1, "net_tap,iface=a");
	add_member(t1, "net_tap,iface=b");
	t2 = add_team(cfg, "t2", CTL_TEAM_STATIC, CTL_TEAM_LB_DYNAMIC);
	add_member(t2, "net_tap,iface=c");
	cfg->n_ports = 1;
	up = &cfg->ports[0];
	strcpy(up->name, "up");
	up->type = CTL_PORT_EXTERNAL;
	strcpy(up->team, "t1");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	t2->lacp_fast = true;
	expect_invalid(cfg, "teams[t2].lacp_rate: only with mode lacp");
	t2->lacp_fast = false;
	t2->lacp_passive = true;
	expect_invalid(cfg, "teams[t2].lacp_passive: only with mode lacp");
	t2->mode = CTL_TEAM_LACP;
	t2->lacp_fast = true;
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);
	t2->hash = CTL_TEAM_HASH_MAC;
	expect_invalid(cfg, "teams[t2].hash: only with lb address-hash");
	t2->lb = CTL_TEAM_LB_ADDRESS_HASH;
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);
	t2->mode = (enum ctl_team_mode) 3;
	expect_invalid(cfg, "teams[t2].mode: invalid mode 3");
	t2->mode = CTL_TEAM_STATIC;
	t2->lacp_fast = t2->lacp_passive = false;
	t2->lb = (enum ctl_team_lb) 7;
	expect_invalid(cfg, "teams[t2].lb: invalid balancing 7");
	t2->lb = CTL_TEAM_LB_ADDRESS_HASH;
	t2->hash = (enum ctl_team_hash) 3;
	expect_invalid(cfg, "teams[t2].hash: invalid hash 3");
	t2->hash = CTL_TEAM_HASH_IP;
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	/* Members. */
	t2->n_members = 0;
	expect_invalid(cfg, "teams[t2].members: a team needs at least one "
		       "member");
	t2->n_members = CTL_MAX_TEAM_MEMBERS + 1;
	expect_invalid(cfg, "teams[t2].members: 9 members, at most 8");
	t2->n_members = 1;
	add_member(t2, "net_tap,iface=a");
	expect_invalid(cfg, "teams[t2].members[1]: net_tap,iface=a is already "
		       "a member of team t1");
	strcpy(t2->members[1], "net_tap0,iface=c");
	expect_invalid(cfg, "teams[t2].members[1]: net_tap0,iface=c is "
		       "already a member of this team (members[0])");
	memset(t2->members[1], 'x', sizeof t2->members[1]);
	expect_invalid(cfg, "teams[t2].members[1]: longer than 255 bytes");
	strcpy(t2->members[1], "net tap");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), -EINVAL);
	cr_assert_eq(strncmp(err, "teams[t2].members[1]: 'net tap'", 31), 0,
		     "%s", err);
	strcpy(t2->members[1], "net_tap,iface=d");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);

	/* Names. */
	strcpy(t2->name, "t1");
	expect_invalid(cfg, "teams[1].name: duplicate team name 't1' (also "
		       "teams[0])");
	strcpy(t2->name, "t/2");
	expect_invalid(cfg, "teams[1].name: 't/2' is not a team name (A-Z a-z "
		       "0-9 _ . -)");
	memset(t2->name, 'x', sizeof t2->name);
	expect_invalid(cfg, "teams[1].name: longer than 15 characters");
	strcpy(t2->name, "t2");
	cfg->n_teams = CTL_MAX_TEAMS + 1;
	expect_invalid(cfg, "teams: 17 teams, at most 16");
	cfg->n_teams = 2;

	/* Ports. */
	cfg->n_ports = 2;
	strcpy(cfg->ports[1].name, "vm1");
	strcpy(cfg->ports[1].devargs, "net_tap,iface=d");
	expect_invalid(cfg, "teams[t2].members[1]: net_tap,iface=d is already "
		       "the devargs of port vm1");
	strcpy(cfg->ports[1].devargs, "net_tap,iface=v");
	strcpy(cfg->ports[1].team, "t2");
	expect_invalid(cfg, "ports[1].team: only for external ports, not vm "
		       "ports");
	cfg->ports[1].type = CTL_PORT_EXTERNAL;
	expect_invalid(cfg, "ports[1].team: an external port takes devargs or "
		       "team, not both");
	cfg->ports[1].devargs[0] = '\0';
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);
	strcpy(cfg->ports[1].team, "t1");
	expect_invalid(cfg, "ports[1].team: team t1 is already used by "
		       "port up");
	strcpy(cfg->ports[1].team, "t3");
	expect_invalid(cfg, "ports[1].team: team 't3' does not exist");
	memset(cfg->ports[1].team, 't', sizeof cfg->ports[1].team);
	expect_invalid(cfg, "ports[1].team: longer than 15 characters");
	strcpy(cfg->ports[1].team, "t2");
	cr_assert_eq(ctl_config_validate(cfg, err, sizeof err), 0, "%s", err);
	ctl_config_free(cfg);
}

Test(validate, team_lookup_and_remove)
{
	struct ctl_config *cfg = ctl_config_new();
	struct ctl_team *t;
	unsigned int member = 99;

	t = add_team(cfg, "t1", CTL_TEAM_STATIC, CTL_TEAM_LB_DYNAMIC);
	add_member(t, "net_tap,iface=a");
	t = add_team(cfg, "t2", CTL_TEAM_STATIC, CTL_TEAM_LB_DYNAMIC);
	add_member(t, "net_tap,iface=b");
	add_member(t, "01:00.0");
	add_port(cfg, "up", CTL_PORT_EXTERNAL);
	strcpy(cfg->ports[0].team, "t2");
	add_port(cfg, "vm1", CTL_PORT_VM);
	strcpy(cfg->ports[1].devargs, "net_tap,iface=v");
	cr_assert_eq(ctl_config_validate(cfg, NULL, 0), 0);

	cr_assert_eq(ctl_config_team_index(cfg, "t2"), 1);
	cr_assert_eq(ctl_config_find_team(cfg, "t1"), &cfg->teams[0]);
	cr_assert_null(ctl_config_find_team(cfg, "t3"));
	cr_assert_eq(ctl_config_team_index(cfg, "t1234567890123456"), -1);
	cr_assert_eq(ctl_config_team_port(cfg, "t2"), 0);
	cr_assert_eq(ctl_config_team_port(cfg, "t1"), -1);
	cr_assert_eq(ctl_config_team_port(cfg, ""), -1);
	cr_assert_eq(ctl_config_member_team(cfg, "0000:01:00.0", -1, &member),
		     1);
	cr_assert_eq(member, 1);
	cr_assert_eq(ctl_config_member_team(cfg, "0000:01:00.0", 1, &member),
		     -1);
	cr_assert_eq(ctl_config_member_team(cfg, "net_tap3,iface=a", -1,
					    &member), 0);
	cr_assert_eq(member, 0);
	cr_assert_eq(ctl_config_devargs_port(cfg, "net_tap1,iface=v"), 1);
	cr_assert_eq(ctl_config_devargs_port(cfg, "net_tap,iface=a"), -1);

	ctl_config_remove_team(cfg, 0);
	cr_assert_eq(cfg->n_teams, 1);
	cr_assert_str_eq(cfg->teams[0].name, "t2");
	cr_assert_eq(cfg->teams[1].n_members, 0, "removed slot not cleared");
	cr_assert_eq(ctl_config_validate(cfg, NULL, 0), 0);
	/* A team a port names cannot go: validation refuses. */
	ctl_config_remove_team(cfg, 0);
	expect_invalid(cfg, "ports[0].team: team 't2' does not exist");
	ctl_config_free(cfg);
}

/* Round trips. */

static void
add_static_mac(struct ctl_config *cfg, uint8_t last, uint16_t vlan,
	       const char *port)
{
	struct ctl_static_mac *m = &cfg->static_macs[cfg->n_static_macs++];

	memcpy(m->mac, (uint8_t[6]) { 0x52, 0x54, 0, 0, 0, last }, 6);
	m->vlan = vlan;
	strcpy(m->port, port);
}

/* Every port type, vhost mode and VLAN mode, with and without MAC; every
 * port policy set away from its default on some port; teams of every mode
 * and balancing, one with every setting away from its default. */
static struct ctl_config *
full_config(void)
{
	struct ctl_config *cfg = ctl_config_new();
	struct ctl_team *t;
	struct ctl_port *p;

	cfg->mac_aging_s = 600;
	p = add_port(cfg, "vm1", CTL_PORT_VM);
	strcpy(p->socket, "/run/vswitch/vm1.sock");
	p->has_mac = true;
	memcpy(p->mac, (uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 1 }, 6);
	p->vlan_mode = CTL_VLAN_ACCESS;
	p->vlan = 10;
	p = add_port(cfg, "vm2", CTL_PORT_VM);
	strcpy(p->socket, "/var/lib/vm2/vhost.sock");
	p->vhost_mode = CTL_VHOST_CLIENT;
	p->vlan_mode = CTL_VLAN_TRUNK;
	ctl_parse_vlan_list("10,20,100-200,4094", &p->allowed, "f", NULL, 0);
	p->native_vlan = 5;
	p = add_port(cfg, "vm4", CTL_PORT_VM);
	strcpy(p->devargs, "net_af_packet,iface=veth4");
	p->vlan_mode = CTL_VLAN_TRUNK;
	ctl_parse_vlan_list("1", &p->allowed, "f", NULL, 0);
	p->mac_spoofing = true;
	p->max_bandwidth = 2500000000ull;
	p->min_weight = 7;
	p->mirror = CTL_MIRROR_BOTH;
	p = add_port(cfg, "vm5", CTL_PORT_VM);
	strcpy(p->devargs, "net_tap,iface=t5");
	p->dhcp_guard = true;
	p->router_guard = true;
	p->storm_limit = 1000;
	p->disconnected = true;
	p = add_port(cfg, "uplink", CTL_PORT_EXTERNAL);
	strcpy(p->devargs, "0000:01:00.0,rxq=2");
	p->link_speed = CTL_BANDWIDTH_MAX;
	p->mirror = CTL_MIRROR_DESTINATION;
	p = add_port(cfg, "uplink2", CTL_PORT_EXTERNAL);
	strcpy(p->team, "team1");
	p->link_speed = 20000000000ull;
	t = add_team(cfg, "team1", CTL_TEAM_LACP, CTL_TEAM_LB_ADDRESS_HASH);
	add_member(t, "0000:02:00.0");
	add_member(t, "0000:02:00.1");
	t->hash = CTL_TEAM_HASH_IP;
	t->lacp_fast = true;
	t->lacp_passive = true;
	t = add_team(cfg, "team2", CTL_TEAM_LACP, CTL_TEAM_LB_DYNAMIC);
	add_member(t, "net_af_packet,iface=veth8");
	t = add_team(cfg, "team3", CTL_TEAM_SWITCH_INDEPENDENT,
		     CTL_TEAM_LB_HYPERV_PORT);
	add_member(t, "net_af_packet,iface=veth9");
	add_member(t, "net_tap,iface=t9");
	p = add_port(cfg, "host0", CTL_PORT_INTERNAL);
	p->has_mac = true;
	memcpy(p->mac, (uint8_t[6]) { 0x02, 0, 0, 0, 0, 0xfe }, 6);
	p->mirror = CTL_MIRROR_SOURCE;
	add_static_mac(cfg, 9, 10, "vm1");
	add_static_mac(cfg, 9, 0, "uplink");
	add_static_mac(cfg, 10, 4094, "vm2");
	cr_assert_eq(ctl_config_validate(cfg, NULL, 0), 0);
	return cfg;
}

static void
expect_round_trip(const struct ctl_config *cfg)
{
	struct ctl_config *back = sentinel();
	char *json = ctl_config_to_json(cfg), *again;
	char err[ERRSZ] = "";

	cr_assert_not_null(json);
	cr_assert_eq(ctl_config_from_json(json, back, err, sizeof err), 0,
		     "%s\n%s", err, json);
	cr_assert_eq(memcmp(cfg, back, sizeof *cfg), 0,
		     "decoded configuration differs:\n%s", json);
	again = ctl_config_to_json(back);
	cr_assert_str_eq(json, again);
	free(json);
	free(again);
	ctl_config_free(back);
}

Test(round_trip, full_config)
{
	struct ctl_config *cfg = full_config();

	expect_round_trip(cfg);
	ctl_config_free(cfg);
}

Test(round_trip, empty_config)
{
	struct ctl_config *cfg = ctl_config_new();
	char *json = ctl_config_to_json(cfg);

	expect_round_trip(cfg);
	cr_assert_not_null(strstr(json, "\"schema_version\": 1"));
	cr_assert_null(strstr(json, "switch"), "default left in: %s", json);
	cr_assert_null(strstr(json, "static_macs"), "default left in: %s", json);
	free(json);
	ctl_config_free(cfg);
}

Test(round_trip, defaults_are_left_out)
{
	struct ctl_config *cfg = full_config();
	char *json = ctl_config_to_json(cfg);

	/* vm1 is a server: no vhost_mode; vm4 has native 0: no native_vlan */
	cr_assert_eq(strstr(json, "\"vhost_mode\": \"server\""), NULL);
	cr_assert_not_null(strstr(json, "\"vhost_mode\": \"client\""));
	cr_assert_not_null(strstr(json, "\"native_vlan\": 5"));
	cr_assert_null(strstr(json, "\"native_vlan\": 0"));
	cr_assert_not_null(strstr(json, "\"allowed_vlans\": \"10,20,100-200,4094\""));
	/* policies: only those set, "connected" only when false */
	cr_assert_not_null(strstr(json, "\"max_bandwidth\": 2500000000"));
	cr_assert_not_null(strstr(json, "\"connected\": false"));
	cr_assert_not_null(strstr(json, "\"link_speed\": 1000000000000"));
	cr_assert_not_null(strstr(json, "\"mirror\": \"both\""));
	cr_assert_null(strstr(json, "\"connected\": true"));
	cr_assert_null(strstr(json, "\"mirror\": \"none\""));
	cr_assert_not_null(strstr(json, "\"name\": \"vm5\",\n"
		"      \"type\": \"vm\",\n"
		"      \"devargs\": \"net_tap,iface=t5\",\n"
		"      \"dhcp_guard\": true,\n"
		"      \"router_guard\": true,\n"
		"      \"storm_limit\": 1000,\n"
		"      \"connected\": false\n    }"), "%s", json);
	free(json);
	ctl_config_free(cfg);
}

Test(round_trip, team_defaults_are_left_out)
{
	struct ctl_config *cfg = full_config();
	char *json = ctl_config_to_json(cfg);

	cr_assert_not_null(strstr(json, "\"teams\": [\n"
		"    {\n"
		"      \"name\": \"team1\",\n"
		"      \"members\": [\n"
		"        \"0000:02:00.0\",\n"
		"        \"0000:02:00.1\"\n"
		"      ],\n"
		"      \"mode\": \"lacp\",\n"
		"      \"lb\": \"address-hash\",\n"
		"      \"hash\": \"ip\",\n"
		"      \"lacp_rate\": \"fast\",\n"
		"      \"lacp_passive\": true\n"
		"    },\n"
		"    {\n"
		"      \"name\": \"team2\",\n"
		"      \"members\": [\n"
		"        \"net_af_packet,iface=veth8\"\n"
		"      ],\n"
		"      \"mode\": \"lacp\",\n"
		"      \"lb\": \"dynamic\"\n"
		"    },"), "%s", json);
	cr_assert_not_null(strstr(json, "\"name\": \"uplink2\",\n"
		"      \"type\": \"external\",\n"
		"      \"team\": \"team1\",\n"), "%s", json);
	/* teams come before the ports that use them */
	cr_assert_lt(strstr(json, "\"teams\""), strstr(json, "\"ports\""));
	cr_assert_null(strstr(json, "\"lacp_rate\": \"slow\""));
	cr_assert_null(strstr(json, "\"lacp_passive\": false"));
	cr_assert_null(strstr(json, "\"hash\": \"transport\""));
	free(json);
	ctl_config_free(cfg);

	cfg = ctl_config_new();
	json = ctl_config_to_json(cfg);
	cr_assert_null(strstr(json, "teams"), "default left in: %s", json);
	free(json);
	ctl_config_free(cfg);
}

/* Files. */

struct tmp_dir {
	char path[64];
	char file[96];
};

static void
tmp_dir_init(struct tmp_dir *t)
{
	strcpy(t->path, "/tmp/vs-config-XXXXXX");
	cr_assert_not_null(mkdtemp(t->path));
	snprintf(t->file, sizeof t->file, "%s/config.json", t->path);
}

/* Entries of the directory other than config.json. */
static int
tmp_dir_others(const struct tmp_dir *t)
{
	DIR *dir = opendir(t->path);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(dir)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")
		    && strcmp(e->d_name, "config.json"))
			n++;
	closedir(dir);
	return n;
}

static void
tmp_dir_remove(const struct tmp_dir *t)
{
	unlink(t->file);
	rmdir(t->path);
}

Test(file, missing_file_is_empty)
{
	struct tmp_dir t;
	struct ctl_config *out = sentinel(), *empty = ctl_config_new();
	char err[ERRSZ];

	tmp_dir_init(&t);
	cr_assert_eq(ctl_config_load_file(t.file, out, err, sizeof err), 1);
	cr_assert_eq(memcmp(out, empty, sizeof *out), 0);
	tmp_dir_remove(&t);
	ctl_config_free(out);
	ctl_config_free(empty);
}

Test(file, save_load_round_trip_and_atomic)
{
	struct ctl_config *cfg = full_config(), *back = sentinel();
	struct stat before, after;
	char err[ERRSZ] = "";
	struct tmp_dir t;

	tmp_dir_init(&t);
	cr_assert_eq(ctl_config_save_file(t.file, cfg, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(ctl_config_load_file(t.file, back, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(memcmp(cfg, back, sizeof *cfg), 0);
	cr_assert_eq(stat(t.file, &before), 0);
	cr_assert_eq(before.st_mode & 0777, 0644);

	cfg->mac_aging_s = 42;
	cr_assert_eq(ctl_config_save_file(t.file, cfg, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(stat(t.file, &after), 0);
	cr_assert_neq(before.st_ino, after.st_ino,
		      "file rewritten in place, not replaced by rename");
	cr_assert_eq(tmp_dir_others(&t), 0, "temporary file left behind");
	cr_assert_eq(ctl_config_load_file(t.file, back, err, sizeof err), 0);
	cr_assert_eq(back->mac_aging_s, 42);
	tmp_dir_remove(&t);
	ctl_config_free(cfg);
	ctl_config_free(back);
}

Test(file, invalid_config_is_not_saved)
{
	struct ctl_config *cfg = full_config();
	char err[ERRSZ] = "";
	struct tmp_dir t;

	tmp_dir_init(&t);
	cfg->ports[0].vlan = 4095;
	cr_assert_eq(ctl_config_save_file(t.file, cfg, err, sizeof err),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "ports[0].vlan"), "%s", err);
	cr_assert_eq(access(t.file, F_OK), -1, "invalid config written");
	cr_assert_eq(tmp_dir_others(&t), 0);
	tmp_dir_remove(&t);
	ctl_config_free(cfg);
}

Test(file, errors_name_file_and_field)
{
	struct ctl_config *out = sentinel(), *copy = ctl_config_clone(out);
	char err[ERRSZ] = "";
	struct tmp_dir t;
	FILE *f;

	tmp_dir_init(&t);
	f = fopen(t.file, "w");
	fputs("{\"schema_version\": 1,\n \"ports\": [{\"name\": \"h\", "
	      "\"type\": \"internal\", \"vlanx\": 1}]}\n", f);
	fclose(f);
	cr_assert_lt(ctl_config_load_file(t.file, out, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, t.file), "%s", err);
	cr_assert_not_null(strstr(err, "ports[0].vlanx: unknown key"), "%s",
			   err);
	cr_assert_eq(memcmp(out, copy, sizeof *out), 0);

	f = fopen(t.file, "w");
	fputs("{\"schema_version\": 1,\n \"ports\": [\n", f);
	fclose(f);
	cr_assert_lt(ctl_config_load_file(t.file, out, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "line 3"), "%s", err);
	cr_assert_eq(memcmp(out, copy, sizeof *out), 0);

	cr_assert_lt(ctl_config_load_file(t.path, out, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);
	tmp_dir_remove(&t);
	ctl_config_free(out);
	ctl_config_free(copy);
}

/* A VM port's VSID (docs/nv.md): vm ports only, 0 or 4096-16777214,
 * left out of the file when 0. */
Test(json, vsid)
{
	struct ctl_config *cfg = decode_port(VM_PORT ", \"vsid\": 5001");
	char *json = ctl_config_to_json(cfg);

	cr_assert_eq(cfg->ports[1].vsid, 5001);
	cr_assert_not_null(strstr(json, "\"vsid\": 5001"), "%s", json);
	free(json);
	ctl_config_free(cfg);
	cfg = decode_port(VM_PORT ", \"vsid\": 0");
	json = ctl_config_to_json(cfg);
	cr_assert_null(strstr(json, "vsid"), "%s", json);
	free(json);
	ctl_config_free(cfg);
	cfg = decode_port(VM_PORT ", \"vsid\": 16777214");
	ctl_config_free(cfg);
	expect_port_error(VM_PORT ", \"vsid\": 4095", "ports[1].vsid: 4095 is "
			  "out of range (4096-16777214, or 0 for none)");
	expect_port_error(VM_PORT ", \"vsid\": 16777215", "ports[1].vsid: "
			  "16777215 is out of range");
	expect_port_error(VM_PORT ", \"vsid\": \"5001\"", "ports[1].vsid: "
			  "expected an integer, got a string");
	expect_port_error(EXT_PORT ", \"vsid\": 5001", "ports[1].vsid: only "
			  "for vm ports, not external ports");
	expect_port_error(INT_PORT ", \"vsid\": 0", "ports[1].vsid: only for "
			  "vm ports, not internal ports");
}
