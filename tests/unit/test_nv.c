/* Unit tests of the NV model (control/nv.h, control/nv_file.h): every
 * field and op checked with a message naming it, transactions all or
 * nothing, replace on add, routing domains, reachability of PAs, the JSON
 * forms, the snapshot and journal (torn last line, compaction), the record
 * table against a reference model, and a million records. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control/nv.h"
#include "control/nv_file.h"

#define ERRSZ 512

/* Helpers. */

static struct ctl_nv_txn
txn_of(const char *json)
{
	json_error_t jerr;
	json_t *v = json_loads(json, 0, &jerr);
	struct ctl_nv_txn txn;
	char err[ERRSZ] = "";

	cr_assert_not_null(v, "bad test JSON %s: %s", json, jerr.text);
	ctl_nv_txn_init(&txn);
	cr_assert_eq(ctl_nv_txn_from_json(v, "ops", &txn, err, sizeof err), 0,
		     "%s: %s", json, err);
	json_decref(v);
	return txn;
}

static void
apply_ok(struct ctl_nv_store *s, const char *json)
{
	struct ctl_nv_txn txn = txn_of(json);
	char err[ERRSZ] = "";

	cr_assert_eq(ctl_nv_store_apply(s, &txn, NULL, NULL, err, sizeof err),
		     0, "refused %s: %s", json, err);
	ctl_nv_txn_free(&txn);
}

/* 'json' decodes, but applying it fails with 'rc' and a message holding
 * 'needle', and the store stays as it was. */
static void
apply_err(struct ctl_nv_store *s, const char *json, int rc, const char *needle)
{
	struct ctl_nv_txn txn = txn_of(json);
	uint64_t digest = ctl_nv_store_digest(s);
	struct nv_counts before, after;
	char err[ERRSZ] = "";
	int got;

	ctl_nv_store_counts(s, &before);
	got = ctl_nv_store_apply(s, &txn, NULL, NULL, err, sizeof err);
	cr_assert_eq(got, rc, "%s: got %d (%s), expected %d", json, got, err,
		     rc);
	cr_assert_not_null(strstr(err, needle), "error '%s' does not say "
			   "'%s' (%s)", err, needle, json);
	ctl_nv_store_counts(s, &after);
	cr_assert_eq(ctl_nv_store_digest(s), digest, "store changed by %s",
		     json);
	cr_assert_eq(memcmp(&before, &after, sizeof before), 0);
	ctl_nv_txn_free(&txn);
}

/* The op 'json' does not decode; the message holds 'needle'. */
static void
decode_err(const char *json, const char *needle)
{
	json_error_t jerr;
	json_t *v = json_loads(json, 0, &jerr);
	struct ctl_nv_op op;
	char err[ERRSZ] = "";

	cr_assert_not_null(v, "bad test JSON %s", json);
	cr_assert_lt(ctl_nv_op_from_json(v, "ops[0]", &op, err, sizeof err), 0,
		     "accepted %s", json);
	cr_assert_not_null(strstr(err, needle), "error '%s' does not say "
			   "'%s' (%s)", err, needle, json);
	json_decref(v);
}

static struct ctl_nv_store *
base_store(void)
{
	struct ctl_nv_store *s = ctl_nv_store_new();

	cr_assert_not_null(s);
	apply_ok(s, "[{\"op\":\"add-pa\",\"port\":\"uplink\","
		 "\"address\":\"192.168.1.10/24\"},"
		 "{\"op\":\"add-pa\",\"port\":\"uplink\","
		 "\"address\":\"2001:db8::10/64\",\"vlan\":100}]");
	return s;
}

static const struct ctl_nv_record *
find(const struct ctl_nv_store *s, uint32_t vsid, const char *ca,
     const char *mac)
{
	struct ctl_nv_record key = { .vsid = vsid };
	char err[ERRSZ];

	cr_assert_eq(ctl_nv_parse_ip(ca, &key.ca, "ca", err, sizeof err), 0);
	if (mac)
		ctl_parse_mac(mac, key.mac, "mac", err, sizeof err);
	return ctl_nv_store_find_record(s, &key);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double) (t1.tv_sec - t0->tv_sec)
	       + (double) (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static char *
temp_dir(void)
{
	char *dir = strdup("/tmp/test_nv.XXXXXX");

	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static void
remove_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Fields. */

Test(nv_fields, record_fields_named)
{
	decode_err("{\"op\":\"add-record\",\"vsid\":4095,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].vsid: 4095 is out of range (4096-16777214)");
	decode_err("{\"op\":\"add-record\",\"vsid\":16777215,\"ca\":\"10.0.0."
		   "5\",\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].vsid: 16777215 is out of range");
	decode_err("{\"op\":\"add-record\",\"vsid\":\"5001\",\"ca\":\"10.0.0."
		   "5\",\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].vsid: expected an integer, got a string");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].ca: '10.0.0' is not an IP address");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"224.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].ca: 224.0.0.5 is a multicast address");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"::\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].ca: :: is not a customer address");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"::ffff:1.2.3."
		   "4\",\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].ca: '::ffff:1.2.3.4': write an IPv4 address");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"01:00:5e:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].mac:");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:05\",\"pa\":\"192.168.1.10\"}",
		   "ops[0].mac:");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"127.0.0.1\"}",
		   "ops[0].pa: 127.0.0.1 is a loopback address");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"0.0.0.0\"}",
		   "ops[0].pa: 0.0.0.0 is unspecified");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"ff02::1\"}",
		   "ops[0].pa: ff02::1 is a multicast address");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\","
		   "\"rule\":\"nat\"}",
		   "ops[0].rule: 'nat' is not one of encap, l2only");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\","
		   "\"rule\":\"encap\"}",
		   "ops[0].rule: a record with CA 0.0.0.0 is L2Only");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"pa\":\"192.168.1.10\"}",
		   "ops[0].mac: required key is missing");
	decode_err("{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\","
		   "\"color\":1}", "ops[0].color: unknown key of add-record");
	decode_err("{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\"}",
		   "ops[0].mac: required with ca 0.0.0.0");
	decode_err("{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"mac\":\"52:54:00:00:00:05\"}", "ops[0].mac: only with ca "
		   "0.0.0.0");
	decode_err("{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		   "\"pa\":\"192.168.1.10\"}", "ops[0].pa: unknown key");
}

Test(nv_fields, ops_and_envelope)
{
	decode_err("[1]", "ops[0]: expected an object, got an array");
	decode_err("{\"vsid\":5001}", "ops[0].op: required key is missing");
	decode_err("{\"op\":\"add-lookup\"}", "ops[0].op: 'add-lookup' is not "
		   "an op");
	decode_err("{\"op\":5}", "ops[0].op: expected a string");
}

Test(nv_fields, pa_fields_named)
{
	decode_err("{\"op\":\"add-pa\",\"port\":\"uplink\","
		   "\"address\":\"192.168.1.10\"}",
		   "ops[0].address: '192.168.1.10' is not ADDRESS/LENGTH");
	decode_err("{\"op\":\"add-pa\",\"port\":\"uplink\","
		   "\"address\":\"192.168.1.10/33\"}",
		   "ops[0].address: '33' is not a prefix length (1-32)");
	decode_err("{\"op\":\"add-pa\",\"port\":\"uplink\","
		   "\"address\":\"192.168.1.10/0\"}",
		   "ops[0].address: '0' is not a prefix length (1-32)");
	decode_err("{\"op\":\"add-pa\",\"port\":\"uplink\","
		   "\"address\":\"192.168.1.0/24\"}",
		   "ops[0].address: 192.168.1.0 is the network address");
	decode_err("{\"op\":\"add-pa\",\"port\":\"uplink\","
		   "\"address\":\"192.168.1.255/24\"}",
		   "ops[0].address: 192.168.1.255 is the broadcast address");
	decode_err("{\"op\":\"add-pa\",\"port\":\"uplink\","
		   "\"address\":\"192.168.1.10/24\",\"vlan\":4095}",
		   "ops[0].vlan: 4095 is not a VLAN id");
	decode_err("{\"op\":\"add-pa\",\"port\":\"up link\","
		   "\"address\":\"192.168.1.10/24\"}", "ops[0].port: 'up link' "
		   "is not a port name");
	decode_err("{\"op\":\"add-pa\",\"address\":\"192.168.1.10/24\"}",
		   "ops[0].port: required key is missing");
	decode_err("{\"op\":\"del-pa\",\"address\":\"192.168.1.10/24\"}",
		   "ops[0].address: '192.168.1.10/24' is not an IP address");
	decode_err("{\"op\":\"add-pa-route\",\"prefix\":\"10.1.0.1/16\","
		   "\"next_hop\":\"192.168.1.1\"}",
		   "ops[0].prefix: 10.1.0.1/16 "
		   "has bits set past the prefix length (the prefix is "
		   "10.1.0.0/16)");
	decode_err("{\"op\":\"add-pa-route\",\"prefix\":\"10.1.0.0/16\","
		   "\"next_hop\":\"2001:db8::1\"}", "ops[0].next_hop: an IPv6 "
		   "next hop for an IPv4 prefix");
	decode_err("{\"op\":\"add-pa-route\",\"prefix\":\"10.1.0.0/16\","
		   "\"next_hop\":\"192.168.1.1\",\"metric\":-1}",
		   "ops[0].metric: -1 is out of range (0-4294967295)");
	decode_err("{\"op\":\"add-pa-route\",\"prefix\":\"10.1.0.0/16\","
		   "\"next_hop\":\"192.168.1.1\",\"metric\":4294967296}",
		   "ops[0].metric: 4294967296 is out of range");
	decode_err("{\"op\":\"add-pa-route\",\"prefix\":\"10.1.0.0\","
		   "\"next_hop\":\"192.168.1.1\"}", "ops[0].prefix: '10.1.0.0' "
		   "is not ADDRESS/LENGTH");
}

Test(nv_fields, route_fields_named)
{
	decode_err("{\"op\":\"add-route\",\"rdid\":\"{1234}\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\"}",
		   "ops[0].rdid: '{1234}' is not a GUID");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"a b\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\"}",
		   "ops[0].rdid: 'a b' is not a routing domain id");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"a23456789012345678901234"
		   "567890123\",\"vsid\":5001,\"prefix\":\"10.0.0.0/24\","
		   "\"next_hop\":\"0.0.0.0\"}", "ops[0].rdid:");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":1,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\"}",
		   "ops[0].vsid: 1 is out of range");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"::\"}",
		   "ops[0].next_hop: an IPv6 next hop for an IPv4 prefix");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"10.0.0.254\","
		   "\"gateway\":\"10.0.0.1\"}", "ops[0].gateway: only on an "
		   "on-link route");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\","
		   "\"gateway\":\"10.0.1.1\"}",
		   "ops[0].gateway: 10.0.1.1 is not in 10.0.0.0/24");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\","
		   "\"gateway\":\"10.0.0.0\"}",
		   "ops[0].gateway: 10.0.0.0 is the "
		   "network address of 10.0.0.0/24");
	decode_err("{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\","
		   "\"gateway\":\"10.0.0.255\"}", "ops[0].gateway: 10.0.0.255 "
		   "is the broadcast address");
	decode_err("{\"op\":\"del-route\",\"rdid\":\"t1\",\"vsid\":5001}",
		   "ops[0].prefix: required key is missing");
	decode_err("{\"op\":\"del-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		   "\"prefix\":\"10.0.0.0/24\",\"metric\":1}",
		   "ops[0].metric: unknown key of del-route");
}

Test(nv_fields, rdid_forms)
{
	char out[CTL_NV_RDID_SIZE], err[ERRSZ];

	cr_assert_eq(ctl_nv_parse_rdid("{0F5A3C2B-1D4E-4F60-8A9B-0C1D2E3F4A5B}",
				   out, "rdid", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(out, "{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}");
	cr_assert_eq(ctl_nv_parse_rdid("tenant-1.blue_x", out, "rdid", err,
				   sizeof err), 0);
	cr_assert_lt(ctl_nv_parse_rdid("", out, "rdid", err, sizeof err), 0);
	cr_assert_lt(ctl_nv_parse_rdid("{0F5A3C2B-1D4E-4F60-8A9B-0C1D2E3F4A5B}"
				       "x",
				       out, "rdid", err, sizeof err),
		     0);
	cr_assert_lt(ctl_nv_parse_rdid("{0F5A3C2B-1D4E-4F60-8A9B-0C1D2E3F4A5G}",
				   out, "rdid", err, sizeof err), 0);
}

Test(nv_fields, gateway_default)
{
	struct ctl_nv_route r = { .vsid = 5001 };
	char text[CTL_NV_IP_TEXT_SIZE], err[ERRSZ];
	struct ctl_nv_ip gw;
	static const struct {
		const char *prefix, *gateway;
	} cases[] = {
		{ "10.0.0.0/24", "10.0.0.1" },
		{ "10.0.0.0/30", "10.0.0.1" },
		{ "10.0.0.4/31", "10.0.0.4" },
		{ "10.0.0.7/32", "10.0.0.7" },
		{ "0.0.0.0/0", "0.0.0.1" },
		{ "fd00:1::/64", "fd00:1::1" },
		{ "fd00:1::/127", "fd00:1::" },
		{ "fd00:1::9/128", "fd00:1::9" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(ctl_nv_parse_prefix(cases[i].prefix, &r.prefix,
					     "prefix", err, sizeof err), 0,
			     "%s", err);
		ctl_nv_route_gateway(&r, &gw);
		ctl_nv_format_ip(&gw, text);
		cr_assert_str_eq(text, cases[i].gateway, "%s", cases[i].prefix);
	}
	r.has_gateway = true;
	cr_assert_eq(ctl_nv_parse_ip("fd00:1::fe", &r.gateway, "g", err,
				 sizeof err), 0);
	ctl_nv_route_gateway(&r, &gw);
	ctl_nv_format_ip(&gw, text);
	cr_assert_str_eq(text, "fd00:1::fe");
}

Test(nv_fields, ip_text)
{
	char text[CTL_NV_IP_TEXT_SIZE], want[CTL_NV_IP_TEXT_SIZE];
	struct ctl_nv_ip ip;

	for (uint32_t v = 0; v < 256; v++) {
		uint32_t addr =
			v << 24 | (255 - v) << 16 | (v / 10) << 8 | v % 100;

		ctl_nv_ip_from_v4(&ip, addr);
		ctl_nv_format_ip(&ip, text);
		snprintf(want, sizeof want, "%u.%u.%u.%u", addr >> 24,
			 addr >> 16 & 255, addr >> 8 & 255, addr & 255);
		cr_assert_str_eq(text, want);
	}
}

/* Transactions against the store. */

Test(nv_txn, delete_missing_is_an_error)
{
	struct ctl_nv_store *s = base_store();

	apply_err(s,
		  "[{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\"}]",
		  -ENOENT,
		  "ops[0].ca: record (vsid 5001, ca 10.0.0.5) does not exist");
	apply_err(s, "[{\"op\":\"del-pa\",\"address\":\"192.168.1.11\"}]",
		  -ENOENT, "ops[0].address: provider address 192.168.1.11 does "
		  "not exist");
	apply_err(s, "[{\"op\":\"del-pa-route\",\"prefix\":\"10.9.0.0/16\"}]",
		  -ENOENT, "ops[0].prefix: provider route 10.9.0.0/16 does not "
		  "exist");
	apply_err(s,
		  "[{\"op\":\"del-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		  "\"prefix\":\"10.0.0.0/24\"}]",
		  -ENOENT,
		  "ops[0].prefix: "
		  "customer route 10.0.0.0/24 of VSID 5001 in routing domain "
		  "t1 does not exist");
	apply_err(s,
		  "[{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		  "\"mac\":\"52:54:00:00:00:05\"}]",
		  -ENOENT,
		  "record (vsid 5001, "
		  "ca 0.0.0.0, mac 52:54:00:00:00:05) does not exist");
	ctl_nv_store_free(s);
}

Test(nv_txn, all_or_nothing)
{
	struct ctl_nv_store *s = base_store();
	struct nv_counts c;

	apply_ok(s, "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.9\","
		 "\"mac\":\"52:54:00:00:00:09\",\"pa\":\"192.168.1.20\"}]");
	/* ops 0-2 and 4 are fine; op 3 deletes what is not there. */
	apply_err(s,
		  "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		  "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"},"
		  "{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"10.0.0.9\"},"
		  "{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		  "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\"},"
		  "{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"10.0.0.7\"},"
		  "{\"op\":\"add-pa-route\",\"prefix\":\"10.8.0.0/16\","
		  "\"next_hop\":\"192.168.1.1\"}]",
		  -ENOENT, "ops[3].ca");
	ctl_nv_store_counts(s, &c);
	cr_assert_eq(c.records, 1);
	cr_assert_eq(c.routes, 0);
	cr_assert_eq(c.pa_routes, 0);
	cr_assert_not_null(find(s, 5001, "10.0.0.9", NULL));
	cr_assert_null(find(s, 5001, "10.0.0.5", NULL));
	/* A bad field in the last op: nothing either. */
	apply_err(s,
		  "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		  "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"},"
		  "{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.6\","
		  "\"mac\":\"52:54:00:00:00:06\",\"pa\":\"192.168.7.20\"}]",
		  -EINVAL,
		  "ops[1].pa: 192.168.7.20 is neither on the subnet of "
		  "a provider address nor behind a provider route");
	ctl_nv_store_free(s);
}

Test(nv_txn, add_replaces)
{
	struct ctl_nv_store *s = base_store();
	struct ctl_nv_txn txn = txn_of("[{\"op\":\"add-record\",\"vsid\":5001,"
				   "\"ca\":\"10.0.0.5\",\"mac\":"
				   "\"52:54:00:00:00:05\",\"pa\":"
				   "\"192.168.1.30\"}]");
	struct ctl_nv_txn_stats st;
	const struct ctl_nv_record *r;
	struct nv_counts c;
	char err[ERRSZ], text[CTL_NV_IP_TEXT_SIZE];

	apply_ok(s, "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		 "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"}]");
	cr_assert_eq(ctl_nv_store_apply(s, &txn, NULL, &st, err, sizeof err),
		     0);
	cr_assert_eq(st.replaced, 1);
	cr_assert_eq(st.added, 0);
	ctl_nv_store_counts(s, &c);
	cr_assert_eq(c.records, 1);
	r = find(s, 5001, "10.0.0.5", NULL);
	cr_assert_not_null(r);
	ctl_nv_format_ip(&r->pa, text);
	cr_assert_str_eq(text, "192.168.1.30", "the VM moved");
	/* PAs and routes are replaced the same way. */
	apply_ok(s, "[{\"op\":\"add-pa\",\"port\":\"uplink2\","
		 "\"address\":\"192.168.1.10/16\"}]");
	ctl_nv_store_counts(s, &c);
	cr_assert_eq(c.pas, 2);
	ctl_nv_txn_free(&txn);
	ctl_nv_store_free(s);
}

Test(nv_txn, one_key_twice_is_an_error)
{
	struct ctl_nv_store *s = base_store();

	apply_err(s,
		  "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		  "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"},"
		  "{\"op\":\"add-record\",\"vsid\":5002,\"ca\":\"10.0.0.5\","
		  "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"},"
		  "{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\"}]",
		  -EEXIST,
		  "ops[2].ca: record (vsid 5001, ca 10.0.0.5) is "
		  "already changed by ops[0] of this transaction");
	apply_err(s, "[{\"op\":\"add-pa-route\",\"prefix\":\"10.8.0.0/16\","
		  "\"next_hop\":\"192.168.1.1\"},{\"op\":\"add-pa-route\","
		  "\"prefix\":\"10.8.0.0/16\",\"next_hop\":\"192.168.1.2\"}]",
		  -EEXIST, "ops[1].prefix");
	ctl_nv_store_free(s);
}

Test(nv_txn, l2only_records_by_mac)
{
	struct ctl_nv_store *s = base_store();
	struct nv_counts c;

	apply_ok(s, "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		 "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"},"
		 "{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		 "\"mac\":\"52:54:00:00:00:06\",\"pa\":\"192.168.1.21\"}]");
	ctl_nv_store_counts(s, &c);
	cr_assert_eq(c.records, 2);
	cr_assert_eq(find(s, 5001, "0.0.0.0", "52:54:00:00:00:06")->rule,
		     CTL_NV_RULE_L2ONLY, "the rule defaults to l2only");
	apply_ok(s, "[{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		 "\"mac\":\"52:54:00:00:00:05\"}]");
	cr_assert_null(find(s, 5001, "0.0.0.0", "52:54:00:00:00:05"));
	cr_assert_not_null(find(s, 5001, "0.0.0.0", "52:54:00:00:00:06"));
	ctl_nv_store_free(s);
}

Test(nv_txn, routing_domains)
{
	struct ctl_nv_store *s = base_store();
	static const char guid[] = "{11111111-2222-3333-4444-555555555555}";
	char *json;

	cr_assert_geq(asprintf(&json,
			       "[{\"op\":\"add-route\",\"rdid\":\"%s\","
			       "\"vsid\":5001,\"prefix\":\"10.0.0.0/24\","
			       "\"next_hop\":\"0.0.0.0\"},{\"op\":\"add-"
			       "route\","
			       "\"rdid\":\"%s\",\"vsid\":5002,\"prefix\":"
			       "\"10.0.1.0/24\",\"next_hop\":\"0.0.0.0\","
			       "\"gateway\":\"10.0.1.254\"}]",
			       guid, guid),
		      0);
	apply_ok(s, json);
	free(json);
	/* The same CA space in another domain and VSID is fine. */
	apply_ok(s, "[{\"op\":\"add-route\",\"rdid\":\"tenant2\",\"vsid\":6001,"
		 "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\"}]");
	apply_err(s,
		  "[{\"op\":\"add-route\",\"rdid\":\"tenant2\",\"vsid\":5001,"
		  "\"prefix\":\"10.0.9.0/24\",\"next_hop\":\"0.0.0.0\"}]",
		  -EINVAL,
		  "ops[0].rdid: VSID 5001 belongs to routing domain "
		  "{11111111-2222-3333-4444-555555555555} (route 10.0.0.0/24), "
		  "not tenant2");
	/* Within one transaction, too. */
	apply_err(s,
		  "[{\"op\":\"add-route\",\"rdid\":\"a\",\"vsid\":7001,"
		  "\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\"},"
		  "{\"op\":\"add-route\",\"rdid\":\"b\",\"vsid\":7001,"
		  "\"prefix\":\"10.0.1.0/24\",\"next_hop\":\"0.0.0.0\"}]",
		  -EINVAL,
		  "ops[1].rdid: VSID 7001 belongs to routing domain a");
	/* Once its routes are gone, a VSID may join another domain. */
	apply_ok(s,
		 "[{\"op\":\"del-route\",\"rdid\":\"tenant2\",\"vsid\":6001,"
		 "\"prefix\":\"10.0.0.0/24\"},{\"op\":\"add-route\","
		 "\"rdid\":\"tenant3\",\"vsid\":6001,\"prefix\":\"10.0.0.0/"
		 "24\",\"next_hop\":\"0.0.0.0\",\"metric\":10}]");
	ctl_nv_store_free(s);
}

Test(nv_txn, pa_reachability)
{
	struct ctl_nv_store *s = base_store();

	apply_err(s, "[{\"op\":\"add-pa-route\",\"prefix\":\"10.8.0.0/16\","
		  "\"next_hop\":\"192.168.2.1\"}]", -EINVAL, "ops[0].next_hop: "
		  "192.168.2.1 is not on the subnet of a provider address");
	apply_ok(s,
		 "[{\"op\":\"add-pa-route\",\"prefix\":\"10.8.0.0/16\","
		 "\"next_hop\":\"192.168.1.1\"},{\"op\":\"add-record\","
		 "\"vsid\":5001,\"ca\":\"10.0.0.5\",\"mac\":\"52:54:00:00:00:"
		 "05\","
		 "\"pa\":\"10.8.3.4\"},{\"op\":\"add-record\",\"vsid\":5001,"
		 "\"ca\":\"fd00::5\",\"mac\":\"52:54:00:00:00:05\","
		 "\"pa\":\"2001:db8::77\"}]");
	/* A record that depends on the route keeps it. */
	apply_err(s, "[{\"op\":\"del-pa-route\",\"prefix\":\"10.8.0.0/16\"}]",
		  -EINVAL, "ops[0]: record (vsid 5001, ca 10.0.0.5) would have "
		  "no way to its PA 10.8.3.4");
	/* The PA the route's next hop needs stays too. */
	apply_err(s, "[{\"op\":\"del-pa\",\"address\":\"192.168.1.10\"}]",
		  -EINVAL, "ops[0]: provider route 10.8.0.0/16 would lose its "
		  "next hop 192.168.1.1");
	apply_err(s, "[{\"op\":\"del-pa\",\"address\":\"2001:db8::10\"}]",
		  -EINVAL,
		  "record (vsid 5001, ca fd00::5) would have no way to "
		  "its PA 2001:db8::77");
	/* A default route covers everything of its family. */
	apply_ok(s, "[{\"op\":\"add-pa-route\",\"prefix\":\"0.0.0.0/0\","
		 "\"next_hop\":\"192.168.1.254\"},{\"op\":\"del-pa-route\","
		 "\"prefix\":\"10.8.0.0/16\"}]");
	/* Deleting the dependents and what they depended on together. */
	apply_ok(s, "[{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"fd00::5\"},"
		 "{\"op\":\"del-pa\",\"address\":\"2001:db8::10\"}]");
	ctl_nv_store_free(s);
}

Test(nv_txn, rollback_after_success)
{
	struct ctl_nv_store *s = base_store();
	struct ctl_nv_txn txn = txn_of("[{\"op\":\"add-record\",\"vsid\":5001,"
				   "\"ca\":\"10.0.0.5\",\"mac\":"
				   "\"52:54:00:00:00:05\",\"pa\":"
				   "\"192.168.1.30\"},{\"op\":\"del-record\","
				   "\"vsid\":5001,\"ca\":\"10.0.0.6\"},"
				   "{\"op\":\"add-record\",\"vsid\":5001,"
				   "\"ca\":\"10.0.0.7\",\"mac\":"
				   "\"52:54:00:00:00:07\",\"pa\":"
				   "\"192.168.1.30\"},{\"op\":\"del-pa\","
				   "\"address\":\"2001:db8::10\"}]");
	struct ctl_nv_undo *undo;
	uint64_t digest;
	char err[ERRSZ];

	apply_ok(s, "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		 "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"192.168.1.20\"},"
		 "{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.6\","
		 "\"mac\":\"52:54:00:00:00:06\",\"pa\":\"192.168.1.20\"}]");
	digest = ctl_nv_store_digest(s);
	cr_assert_eq(ctl_nv_store_apply(s, &txn, &undo, NULL, err, sizeof err),
		     0, "%s", err);
	cr_assert_neq(ctl_nv_store_digest(s), digest);
	ctl_nv_store_rollback(s, undo);
	cr_assert_eq(ctl_nv_store_digest(s), digest);
	cr_assert_not_null(find(s, 5001, "10.0.0.6", NULL));
	cr_assert_null(find(s, 5001, "10.0.0.7", NULL));
	ctl_nv_txn_free(&txn);
	ctl_nv_store_free(s);
}

/* The record table against a reference: random adds and deletes in a
 * small key space (so that keys collide, move and come back), some
 * transactions failing on purpose, checked after each. */
Test(nv_txn, model_based)
{
	enum { KEYS = 700, ROUNDS = 400 };
	struct ctl_nv_store *s = base_store();
	static int model[KEYS];        /* 0: absent, else the PA's last byte */
	char err[ERRSZ];

	srand(7);
	for (int round = 0; round < ROUNDS; round++) {
		struct ctl_nv_txn txn;
		int next[KEYS];
		bool used[KEYS] = { false }, fail = rand() % 8 == 0;
		int n = 1 + rand() % 40, rc;

		memcpy(next, model, sizeof next);
		ctl_nv_txn_init(&txn);
		for (int k = 0; k < n; k++) {
			int key = rand() % KEYS;
			struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_RECORD };
			struct ctl_nv_record *r = &op.u.record;

			if (used[key])
				continue;
			used[key] = true;
			r->vsid = 5000 + (uint32_t) (key % 3);
			ctl_nv_ip_from_v4(&r->ca, 0x0a000000u + (uint32_t) key);
			r->mac[0] = 0x52;
			r->mac[5] = (uint8_t) key;
			if (next[key] && rand() % 2) {
				op.kind = CTL_NV_OP_DEL_RECORD;
				next[key] = 0;
			} else {
				next[key] = 20 + rand() % 200;
				ctl_nv_ip_from_v4(&r->pa, 0xc0a80100u
					      + (uint32_t) next[key]);
			}
			cr_assert_eq(ctl_nv_txn_add(&txn, &op), 0);
		}
		if (fail) {             /* a missing record, at the end */
			struct ctl_nv_op op = { .kind = CTL_NV_OP_DEL_RECORD };

			op.u.record.vsid = 9999;
			ctl_nv_ip_from_v4(&op.u.record.ca, 0x0b000001u);
			cr_assert_eq(ctl_nv_txn_add(&txn, &op), 0);
		}
		rc = ctl_nv_store_apply(s, &txn, NULL, NULL, err, sizeof err);
		cr_assert_eq(rc, fail ? -ENOENT : 0, "round %d: %s", round,
			     err);
		if (!fail)
			memcpy(model, next, sizeof model);
		ctl_nv_txn_free(&txn);
		for (int key = 0; key < KEYS; key++) {
			struct ctl_nv_record k = {
				.vsid = 5000 + (uint32_t) (key % 3)};
			const struct ctl_nv_record *r;

			ctl_nv_ip_from_v4(&k.ca, 0x0a000000u + (uint32_t) key);
			r = ctl_nv_store_find_record(s, &k);
			cr_assert_eq(r != NULL, model[key] != 0,
				     "round %d key %d", round, key);
			if (r)
				cr_assert_eq(r->pa.b[15], model[key]);
		}
	}
	ctl_nv_store_free(s);
}

/* JSON. */

Test(nv_json, ops_round_trip)
{
	static const char *const ops[] = {
		"{\"op\":\"add-pa\",\"port\":\"uplink\",\"address\":"
		"\"192.168.1.10/24\",\"vlan\":7}",
		"{\"op\":\"del-pa\",\"address\":\"2001:db8::10\"}",
		"{\"op\":\"add-pa-route\",\"prefix\":\"0.0.0.0/"
		"0\",\"next_hop\":\"192.168.1.1\",\"metric\":5}",
		"{\"op\":\"del-pa-route\",\"prefix\":\"2001:db8:1::/48\"}",
		"{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.5\","
		"\"mac\":"
		"\"52:54:00:00:00:05\",\"pa\":\"192.168.1.10\",\"rule\":"
		"\"encap\"}",
		"{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		"\"mac\":\"52:54:00:00:00:05\",\"pa\":\"2001:db8::1\",\"rule\":"
		"\"l2only\"}",
		"{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"fd00::5\"}",
		"{\"op\":\"del-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		"\"mac\":\"52:54:00:00:00:05\"}",
		"{\"op\":\"add-route\",\"rdid\":"
		"\"{11111111-2222-3333-4444-555555555555}\",\"vsid\":5001,"
		"\"prefix\":\"10.0.0.0/"
		"24\",\"next_hop\":\"0.0.0.0\",\"metric\":0,"
		"\"gateway\":\"10.0.0.254\"}",
		"{\"op\":\"del-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		"\"prefix\":\"fd00::/64\"}",
	};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		json_t *v = json_loads(ops[i], 0, NULL);
		struct ctl_nv_op op, again;
		char err[ERRSZ], *text;
		json_t *w;

		memset(&op, 0, sizeof op);
		memset(&again, 0, sizeof again);
		cr_assert_eq(ctl_nv_op_from_json(v, "op", &op, err, sizeof err),
			     0, "%s", err);
		w = ctl_nv_op_to_json(&op);
		text = json_dumps(w, JSON_COMPACT | JSON_PRESERVE_ORDER);
		cr_assert_str_eq(text, ops[i], "canonical form");
		cr_assert_eq(
			ctl_nv_op_from_json(w, "op", &again, err, sizeof err),
			0);
		cr_assert_eq(memcmp(&op, &again, sizeof op), 0);
		free(text);
		json_decref(v);
		json_decref(w);
	}
}

Test(nv_json, record_text_is_the_json_form)
{
	struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_RECORD };
	char buf[CTL_NV_RECORD_TEXT_SIZE], err[ERRSZ], *text;
	json_t *v;

	op.u.record.vsid = CTL_NV_VSID_MAX;
	ctl_nv_parse_ip("fd00:1234:5678:9abc:def0:1234:5678:9abc",
			&op.u.record.ca, "ca", err, sizeof err);
	ctl_nv_parse_ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
			&op.u.record.pa, "pa", err, sizeof err);
	ctl_parse_mac("52:54:00:ab:cd:ef", op.u.record.mac, "mac", err,
		      sizeof err);
	op.u.record.rule = CTL_NV_RULE_L2ONLY;
	v = ctl_nv_elem_to_json(CTL_NV_OP_ADD_RECORD, &op);
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_eq(ctl_nv_record_format_json(&op.u.record, buf),
		     strlen(text));
	cr_assert_str_eq(buf, text);
	free(text);
	json_decref(v);
}

Test(nv_json, snapshot_round_trip)
{
	struct ctl_nv_store *s = base_store(), *t = ctl_nv_store_new();
	char *dir = temp_dir(), path[256], err[ERRSZ];
	struct nv_counts a, b;
	uint64_t seq = 0;

	apply_ok(s, "[{\"op\":\"add-pa-route\",\"prefix\":\"10.8.0.0/16\","
		 "\"next_hop\":\"192.168.1.1\",\"metric\":3},"
		 "{\"op\":\"add-record\",\"vsid\":5002,\"ca\":\"10.0.0.5\","
		 "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"10.8.3.4\"},"
		 "{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"fd00::5\","
		 "\"mac\":\"52:54:00:00:00:05\",\"pa\":\"2001:db8::77\"},"
		 "{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"0.0.0.0\","
		 "\"mac\":\"52:54:00:00:00:07\",\"pa\":\"192.168.1.7\"},"
		 "{\"op\":\"add-route\",\"rdid\":\"t1\",\"vsid\":5001,"
		 "\"prefix\":\"fd00::/64\",\"next_hop\":\"::\","
		 "\"gateway\":\"fd00::fe\"}]");
	snprintf(path, sizeof path, "%s/x.nv.json", dir);
	cr_assert_eq(ctl_nv_snapshot_save(path, s, 42, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(ctl_nv_snapshot_load(path, t, &seq, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(seq, 42);
	ctl_nv_store_counts(s, &a);
	ctl_nv_store_counts(t, &b);
	cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
	cr_assert_eq(ctl_nv_store_digest(s), ctl_nv_store_digest(t));
	ctl_nv_store_free(t);
	/* Unknown keys, duplicates and bad elements are named with the
	 * line. */
	t = ctl_nv_store_new();
	FILE *f = fopen(path, "w");
	fputs("{\"schema_version\":1,\n\"records\":[\n{\"vsid\":1,\"ca\":"
	      "\"10.0.0.1\",\"mac\":\"52:54:00:00:00:01\",\"pa\":\"1.2.3.4\"}]"
	      "}",
	      f);
	fclose(f);
	cr_assert_lt(ctl_nv_snapshot_load(path, t, &seq, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "line 3: records[0].vsid: 1 is out of "
				  "range"), "%s", err);
	f = fopen(path, "w");
	fputs("{\"schema_version\":1,\"pas\":[],\"pas\":[]}", f);
	fclose(f);
	cr_assert_lt(ctl_nv_snapshot_load(path, t, &seq, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "pas: duplicate key"), "%s", err);
	f = fopen(path, "w");
	fputs("{\"schema_version\":1,\"colors\":[]}", f);
	fclose(f);
	cr_assert_lt(ctl_nv_snapshot_load(path, t, &seq, err, sizeof err), 0);
	cr_assert_not_null(strstr(err, "colors: unknown key"), "%s", err);
	ctl_nv_store_free(t);
	ctl_nv_store_free(s);
	remove_dir(dir);
	free(dir);
}

/* Files. */

static void
append_ok(struct ctl_nv_file *f, struct ctl_nv_store *s, const char *json)
{
	struct ctl_nv_txn txn = txn_of(json);
	char err[ERRSZ];

	cr_assert_eq(ctl_nv_store_apply(s, &txn, NULL, NULL, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(ctl_nv_file_append(f, &txn, err, sizeof err), 0, "%s",
		     err);
	ctl_nv_txn_free(&txn);
}

static struct ctl_nv_store *
reopen(const char *config, struct ctl_nv_file_info *info)
{
	struct ctl_nv_store *s = ctl_nv_store_new();
	struct ctl_nv_file *f;
	char err[ERRSZ];

	cr_assert_eq(ctl_nv_file_open(config, s, &f, info, err, sizeof err), 0,
		     "%s", err);
	ctl_nv_file_close(f);
	return s;
}

Test(nv_file, journal_replay_and_torn_line)
{
	char *dir = temp_dir(), config[256], journal[300], err[ERRSZ];
	struct ctl_nv_store *s = ctl_nv_store_new(), *t;
	struct ctl_nv_file_info info;
	struct ctl_nv_file *f;
	uint64_t digest;
	int fd;

	snprintf(config, sizeof config, "%s/config.json", dir);
	snprintf(journal, sizeof journal, "%s/config.nv.journal", dir);
	cr_assert_eq(ctl_nv_file_open(config, s, &f, &info, err, sizeof err), 0,
		     "%s", err);
	cr_assert_str_eq(ctl_nv_file_snapshot_path(f), strcat(strcpy((char[300])
			 {0}, dir), "/config.nv.json"));
	append_ok(f, s, "[{\"op\":\"add-pa\",\"port\":\"uplink\","
		  "\"address\":\"192.168.1.10/24\"}]");
	append_ok(f, s, "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":"
		  "\"10.0.0.5\",\"mac\":\"52:54:00:00:00:05\",\"pa\":"
		  "\"192.168.1.20\"}]");
	append_ok(f, s,
		  "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":"
		  "\"10.0.0.5\",\"mac\":\"52:54:00:00:00:05\",\"pa\":"
		  "\"192.168.1.21\"},{\"op\":\"add-record\",\"vsid\":5001,"
		  "\"ca\":\"10.0.0.6\",\"mac\":\"52:54:00:00:00:06\",\"pa\":"
		  "\"192.168.1.21\"}]");
	cr_assert_eq(ctl_nv_file_seq(f), 3);
	cr_assert_eq(ctl_nv_file_journal_ops(f), 4);
	digest = ctl_nv_store_digest(s);
	ctl_nv_file_close(f);
	/* A crash in the middle of the fourth line. */
	fd = open(journal, O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "{\"seq\":4,\"ops\":[{\"op\":\"del-re", 29),
		     29);
	close(fd);
	t = reopen(config, &info);
	cr_assert_eq(info.replayed_txns, 3);
	cr_assert_eq(info.torn_line, 4);
	cr_assert(info.compacted);
	cr_assert_eq(ctl_nv_store_digest(t), digest, "the store is what was "
		     "acknowledged");
	ctl_nv_store_free(t);
	/* Compaction made a snapshot and emptied the journal. */
	struct stat st;
	cr_assert_eq(stat(journal, &st), 0);
	cr_assert_eq(st.st_size, 0);
	t = reopen(config, &info);
	cr_assert(info.snapshot);
	cr_assert_eq(info.snapshot_seq, 3);
	cr_assert_eq(info.replayed_txns, 0);
	cr_assert_eq(ctl_nv_store_digest(t), digest);
	ctl_nv_store_free(t);
	ctl_nv_store_free(s);
	remove_dir(dir);
	free(dir);
}

Test(nv_file, garbage_last_line_is_torn_but_not_in_the_middle)
{
	char *dir = temp_dir(), config[256], journal[300], err[ERRSZ];
	struct ctl_nv_store *s = ctl_nv_store_new(), *t;
	struct ctl_nv_file_info info;
	struct ctl_nv_file *f;
	FILE *j;

	snprintf(config, sizeof config, "%s/config", dir);
	snprintf(journal, sizeof journal, "%s/config.nv.journal", dir);
	cr_assert_eq(ctl_nv_file_open(config, s, &f, &info, err, sizeof err),
		     0);
	append_ok(f, s, "[{\"op\":\"add-pa\",\"port\":\"uplink\","
		  "\"address\":\"192.168.1.10/24\"}]");
	ctl_nv_file_close(f);
	/* Zeros where a crash left the end of a line. */
	j = fopen(journal, "a");
	fwrite("\0\0\0\0\n", 1, 5, j);
	fclose(j);
	t = reopen(config, &info);
	cr_assert_eq(info.torn_line, 2);
	ctl_nv_store_free(t);
	/* The same garbage followed by a good line is corruption. */
	j = fopen(journal, "w");
	fputs("{\"seq\":2,\"ops\":[{\"op\":\"add-pa\",\"port\":\"uplink\","
	      "\"address\":\"192.168.2.10/"
	      "24\"}]}\n{bad\n{\"seq\":3,\"ops\":[]}\n",
	      j);
	fclose(j);
	t = ctl_nv_store_new();
	cr_assert_lt(ctl_nv_file_open(config, t, &f, &info, err, sizeof err),
		     0);
	cr_assert_not_null(strstr(err, "config.nv.journal: line 2:"), "%s",
			   err);
	ctl_nv_store_free(t);
	/* A line that does not apply is corruption even when last. */
	j = fopen(journal, "w");
	fputs("{\"seq\":2,\"ops\":[{\"op\":\"del-pa\",\"address\":"
	      "\"192.168.9.9\"}]}\n", j);
	fclose(j);
	t = ctl_nv_store_new();
	cr_assert_lt(ctl_nv_file_open(config, t, &f, &info, err, sizeof err),
		     0);
	cr_assert_not_null(strstr(err, "line 1: ops[0].address: provider "
				  "address 192.168.9.9 does not exist"), "%s",
			   err);
	ctl_nv_store_free(t);
	ctl_nv_store_free(s);
	remove_dir(dir);
	free(dir);
}

Test(nv_file, lines_the_snapshot_has_are_skipped)
{
	char *dir = temp_dir(), config[256], journal[300], copy[300];
	char err[ERRSZ], cmd[700];
	struct ctl_nv_store *s = ctl_nv_store_new(), *t;
	struct ctl_nv_file_info info;
	struct ctl_nv_file *f;

	snprintf(config, sizeof config, "%s/c.json", dir);
	snprintf(journal, sizeof journal, "%s/c.nv.journal", dir);
	snprintf(copy, sizeof copy, "%s/saved", dir);
	cr_assert_eq(ctl_nv_file_open(config, s, &f, &info, err, sizeof err),
		     0);
	append_ok(f, s, "[{\"op\":\"add-pa\",\"port\":\"uplink\","
		  "\"address\":\"192.168.1.10/24\"}]");
	append_ok(f, s, "[{\"op\":\"add-record\",\"vsid\":5001,\"ca\":"
		  "\"10.0.0.5\",\"mac\":\"52:54:00:00:00:05\",\"pa\":"
		  "\"192.168.1.20\"}]");
	/* A crash after the snapshot, before the journal was emptied. */
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", journal, copy);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(ctl_nv_file_compact(f, s, err, sizeof err), 0, "%s", err);
	ctl_nv_file_close(f);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", copy, journal);
	cr_assert_eq(system(cmd), 0);
	t = reopen(config, &info);
	cr_assert_eq(info.skipped_txns, 2);
	cr_assert_eq(info.replayed_txns, 0);
	cr_assert_eq(ctl_nv_store_digest(t), ctl_nv_store_digest(s));
	ctl_nv_store_free(t);
	ctl_nv_store_free(s);
	remove_dir(dir);
	free(dir);
}

Test(nv_file, compaction_threshold)
{
	char *dir = temp_dir(), config[256], err[ERRSZ];
	struct ctl_nv_store *s = ctl_nv_store_new();
	struct ctl_nv_file_info info;
	struct ctl_nv_file *f;
	struct ctl_nv_txn txn;

	snprintf(config, sizeof config, "%s/c.json", dir);
	cr_assert_eq(ctl_nv_file_open(config, s, &f, &info, err, sizeof err),
		     0);
	append_ok(f, s, "[{\"op\":\"add-pa\",\"port\":\"uplink\","
		  "\"address\":\"10.200.0.10/8\"}]");
	ctl_nv_txn_init(&txn);
	for (uint32_t i = 0; i < CTL_NV_JOURNAL_COMPACT_MIN; i++) {
		struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_RECORD };

		op.u.record.vsid = 5001;
		ctl_nv_ip_from_v4(&op.u.record.ca, 0x0b000000u + i);
		ctl_nv_ip_from_v4(&op.u.record.pa, 0x0a000001u + i % 100);
		op.u.record.mac[0] = 0x52;
		op.u.record.mac[5] = 1;
		cr_assert_eq(ctl_nv_txn_add(&txn, &op), 0);
	}
	cr_assert_eq(ctl_nv_store_apply(s, &txn, NULL, NULL, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(ctl_nv_file_append(f, &txn, err, sizeof err), 0);
	cr_assert(ctl_nv_file_wants_compact(f, s), "%zu ops in the journal",
		  ctl_nv_file_journal_ops(f));
	cr_assert_eq(ctl_nv_file_compact(f, s, err, sizeof err), 0);
	cr_assert_not(ctl_nv_file_wants_compact(f, s));
	ctl_nv_txn_free(&txn);
	ctl_nv_file_close(f);
	ctl_nv_store_free(s);
	remove_dir(dir);
	free(dir);
}

/* Scale. */

Test(nv_scale, a_million_records, .timeout = 120)
{
	enum { N = 1000000, BATCH = 100000 };
	struct ctl_nv_store *s = base_store();
	struct timespec t0;
	char err[ERRSZ];
	double insert_s, lookup_s;
	size_t found = 0;

	apply_ok(s, "[{\"op\":\"add-pa\",\"port\":\"uplink\","
		 "\"address\":\"10.200.0.10/16\"}]");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t base = 0; base < N; base += BATCH) {
		struct ctl_nv_txn txn;

		ctl_nv_txn_init(&txn);
		for (uint32_t i = base; i < base + BATCH; i++) {
			struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_RECORD };
			struct ctl_nv_record *r = &op.u.record;

			r->vsid = 5000 + i % 1000;
			ctl_nv_ip_from_v4(&r->ca, 0x0a000000u + i);
			ctl_nv_ip_from_v4(&r->pa, 0x0ac80000u + 1 + i % 4000);
			r->mac[0] = 0x52;
			memcpy(r->mac + 2, &i, 4);
			cr_assert_eq(ctl_nv_txn_add(&txn, &op), 0);
		}
		cr_assert_eq(ctl_nv_store_apply(s, &txn, NULL, NULL, err,
					    sizeof err), 0, "%s", err);
		ctl_nv_txn_free(&txn);
	}
	insert_s = seconds_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t i = 0; i < N; i++) {
		struct ctl_nv_record key = { .vsid = 5000 + i % 1000 };

		ctl_nv_ip_from_v4(&key.ca, 0x0a000000u + i);
		found += ctl_nv_store_find_record(s, &key) != NULL;
	}
	lookup_s = seconds_since(&t0);
	cr_assert_eq(found, N);
	printf("nv: %d records: insert %.2f s (%.0f ns each, transactions of "
	       "%d), lookup %.0f ns each, %.1f bytes per record (%zu bytes)\n",
	       N, insert_s, insert_s * 1e9 / N, BATCH, lookup_s * 1e9 / N,
	       (double) ctl_nv_store_memory(s) / N, ctl_nv_store_memory(s));
	cr_assert_lt(ctl_nv_store_memory(s) / N, 64, "bytes per record");
	ctl_nv_store_free(s);
}
