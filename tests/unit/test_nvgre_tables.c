/* Unit tests for the nvgre tables: lookup records (Encap and L2Only),
 * replication lists, PAs and provider routes, the decapsulation checks
 * against the tables, bad input that changes nothing, transactions, and a
 * model-based run of random changes against a plain reference. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvgre/tables.h"
#include "tests/unit/nvgre_helpers.h"

static void
expect_hit(const struct nvgre_view *v, uint32_t vsid, const char *ca,
	   uint32_t mac, const char *pa, bool local)
{
	struct nvgre_peer_info pi;
	struct nvgre_hit h;
	uint8_t m[6];

	M(m, mac);
	cr_assert(nvgre_lookup_ca(v, vsid, AP(ca), &h),
		  "vsid %u ca %s: no record", vsid, ca);
	cr_expect_arr_eq(h.mac, m, 6, "vsid %u ca %s: MAC", vsid, ca);
	cr_expect_eq(h.rule, NVGRE_RULE_ENCAP);
	cr_expect_eq(h.local, local, "vsid %u ca %s: local", vsid, ca);
	cr_assert(nvgre_peer_get(v, h.peer, &pi));
	cr_expect(nvgre_addr_eq(&pi.addr, AP(pa)),
		  "vsid %u ca %s: PA", vsid, ca);
}

/* ---- records --------------------------------------------------------- */

Test(nvgre_tables, records_ipv4_ipv6_and_mac_lookups)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg r[] = {
		h_rec(5001, "10.0.0.11", 0x11, H_PA4),           /* ours */
		h_rec(5001, "10.0.0.12", 0x12, "198.51.100.2"),
		h_rec(5001, "fd00::12", 0x12, "198.51.100.2"),   /* same NIC */
		h_rec(5001, "10.0.0.13", 0x13, "2001:db8:9::3"), /* v6 PA */
	};
	struct nvgre_err err;
	struct nvgre_stats st;
	struct nvgre_hit h;
	uint8_t m[6];

	for (unsigned int i = 0; i < 4; i++)
		cr_assert_eq(h_add(db, &r[i], &err), 0, "%s", err.msg);
	const struct nvgre_view *v = nvgre_db_view(db);
	expect_hit(v, 5001, "10.0.0.11", 0x11, H_PA4, true);
	expect_hit(v, 5001, "10.0.0.12", 0x12, "198.51.100.2", false);
	expect_hit(v, 5001, "fd00::12", 0x12, "198.51.100.2", false);
	expect_hit(v, 5001, "10.0.0.13", 0x13, "2001:db8:9::3", false);
	M(m, 0x12);
	cr_assert(nvgre_lookup_mac(v, 5001, m, &h));
	cr_expect_eq(h.peer, (uint32_t)nvgre_peer_find(v, &r[1].pa));
	/* Other VSID, other address: nothing. */
	cr_expect_not(nvgre_lookup_mac(v, 5002, m, &h));
	cr_expect_not(nvgre_lookup_ca(v, 5002, &r[1].ca, &h));
	cr_expect_not(nvgre_lookup_ca(v, 5001, AP("10.0.0.99"), &h));
	nvgre_view_stats(v, &st);
	cr_expect_eq(st.records, 4);
	cr_expect_eq(st.macs, 3);
	cr_expect_eq(st.vsids, 1);
	cr_expect_eq(st.peers, 3);
	nvgre_db_destroy(db);
}

Test(nvgre_tables, l2only_records)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg l2 = h_rec(5001, "0.0.0.0", 0x21,
					   "198.51.100.2");
	struct nvgre_record_cfg enc = h_rec(5001, "10.0.0.22", 0x22,
					    "198.51.100.2");
	struct nvgre_txn *tx;
	struct nvgre_err err;
	struct nvgre_hit h;
	uint8_t m[6];

	l2.rule = NVGRE_RULE_L2ONLY;
	cr_assert_eq(h_add(db, &l2, &err), 0, "%s", err.msg);
	M(m, 0x21);
	cr_assert(nvgre_lookup_mac(nvgre_db_view(db), 5001, m, &h));
	cr_expect_eq(h.rule, NVGRE_RULE_L2ONLY);
	/* No IP: never an answer for 0.0.0.0 or any other CA. */
	cr_expect_not(nvgre_lookup_ca(nvgre_db_view(db), 5001, &l2.ca, &h));
	cr_expect_eq(h_add(db, &l2, &err), -EEXIST, "duplicate l2only");
	cr_expect(strstr(err.msg, "mac:"), "%s", err.msg);

	/* An L2Only record names no CA; an Encap record needs one. */
	l2.ca = A("10.0.0.21");
	cr_expect_eq(h_add(db, &l2, &err), -EINVAL);
	cr_expect(strstr(err.msg, "ca:"), "%s", err.msg);
	enc.ca = A("0.0.0.0");
	cr_expect_eq(h_add(db, &enc, &err), -EINVAL);
	cr_expect(strstr(err.msg, "ca:"), "%s", err.msg);
	/* One MAC is either L2Only or Encap. */
	enc = h_rec(5001, "10.0.0.21", 0x21, "198.51.100.2");
	cr_expect_eq(h_add(db, &enc, &err), -EEXIST, "%s", err.msg);
	enc = h_rec(5001, "10.0.0.22", 0x22, "198.51.100.2");
	cr_assert_eq(h_add(db, &enc, &err), 0);
	l2 = enc;
	l2.ca = A("0.0.0.0");
	l2.rule = NVGRE_RULE_L2ONLY;
	cr_expect_eq(h_add(db, &l2, &err), -EEXIST, "%s", err.msg);

	/* Removed by its MAC. */
	cr_assert(tx = nvgre_txn_begin(db));
	cr_expect_eq(nvgre_record_del(tx, 5001, NULL, m, &err), 0, "%s",
		     err.msg);
	cr_expect_eq(nvgre_record_del(tx, 5001, NULL, m, &err), -ENOENT);
	M(m, 0x22);
	cr_expect_eq(nvgre_record_del(tx, 5001, NULL, m, &err), -ENOENT,
		     "an Encap MAC is not an L2Only record");
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	M(m, 0x21);
	cr_expect_not(nvgre_lookup_mac(nvgre_db_view(db), 5001, m, &h));
	nvgre_db_destroy(db);
}

Test(nvgre_tables, vsid_bounds_name_the_field)
{
	struct nvgre_db *db = h_db();
	static const uint32_t bad[] = { 0, 1, 4095, 16777215, 16777216,
					UINT32_MAX };
	struct nvgre_croute_cfg cr = { "t1", 0, P("10.0.0.0/24") };
	struct nvgre_txn *tx;
	struct nvgre_err err;
	uint8_t m[6];

	M(m, 1);
	cr_assert(tx = nvgre_txn_begin(db));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nvgre_record_cfg r = h_rec(bad[i], "10.0.0.1", 1,
						  "198.51.100.2");
		char want[96];

		snprintf(want, sizeof(want),
			 "vsid: %u is out of range 4096-16777214", bad[i]);
		cr_expect_eq(nvgre_record_add(tx, &r, &err), -EINVAL);
		cr_expect_str_eq(err.msg, want);
		cr_expect_eq(nvgre_record_del(tx, bad[i], &r.ca, m, &err),
			     -EINVAL);
		cr_expect_str_eq(err.msg, want);
		cr_expect_eq(nvgre_record_move(tx, bad[i], m, &r.pa, &err),
			     -EINVAL);
		cr_expect_str_eq(err.msg, want);
		cr.vsid = bad[i];
		cr_expect_eq(nvgre_croute_add(tx, &cr, &err), -EINVAL);
		cr_expect_str_eq(err.msg, want);
	}
	for (uint32_t vsid = 4096; vsid <= 16777214; vsid += 16773118) {
		struct nvgre_record_cfg r = h_rec(vsid, "10.0.0.1", 1,
						  "198.51.100.2");

		cr_expect_eq(nvgre_record_add(tx, &r, &err), 0, "%s", err.msg);
		cr.vsid = vsid;
		cr.rdom = vsid == 4096 ? "low" : "high";
		cr_expect_eq(nvgre_croute_add(tx, &cr, &err), 0, "%s",
			     err.msg);
	}
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	nvgre_db_destroy(db);
}

/* Every refused change leaves the tables as they were: a transaction of
 * refused changes publishes nothing, and a bulk load with one bad line is
 * aborted whole. */
Test(nvgre_tables, bad_input_changes_nothing)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg ok = h_rec(5001, "10.0.0.11", 0x11,
					   "198.51.100.2");
	struct nvgre_croute_cfg cr = { "t1", 5001, P("10.0.0.0/24") };
	uint64_t version;
	size_t bytes;
	struct nvgre_txn *tx;
	struct nvgre_err err;
	struct nvgre_stats st;
	struct {
		struct nvgre_record_cfg r;
		int want;
		const char *field;
	} cases[] = {
		{ ok, -EEXIST, "ca:" },
		{ h_rec(5001, "10.0.0.12", 0x12, "127.0.0.1"), -EINVAL, "pa:" },
		{ h_rec(5001, "10.0.0.12", 0x12, "224.0.0.5"), -EINVAL, "pa:" },
		{ h_rec(5001, "255.255.255.255", 0x12, "198.51.100.2"),
		  -EINVAL, "ca:" },
		{ h_rec(4095, "10.0.0.12", 0x12, "198.51.100.2"), -EINVAL,
		  "vsid:" },
		/* Same MAC, another PA. */
		{ h_rec(5001, "10.0.0.12", 0x11, "198.51.100.3"), -EEXIST,
		  "pa:" },
	};
	struct nvgre_prefix p;

	cr_assert_eq(h_add(db, &ok, &err), 0, "%s", err.msg);
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_croute_add(tx, &cr, &err), 0);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	nvgre_db_reclaim(db, true);
	version = (nvgre_view_stats(nvgre_db_view(db), &st), st.version);
	bytes = nvgre_db_bytes(db);

	cr_assert(tx = nvgre_txn_begin(db));
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(nvgre_record_add(tx, &cases[i].r, &err),
			     cases[i].want, "case %u: %s", i, err.msg);
		cr_expect(!strncmp(err.msg, cases[i].field,
				   strlen(cases[i].field)),
			  "case %u: '%s' should name %s", i, err.msg,
			  cases[i].field);
	}
	/* A multicast MAC. */
	cases[0].r.mac[0] = 0x01;
	cases[0].r.ca = A("10.0.0.13");
	cr_expect_eq(nvgre_record_add(tx, &cases[0].r, &err), -EINVAL);
	cr_expect(!strncmp(err.msg, "mac:", 4), "%s", err.msg);
	/* Duplicate route, route with host bits, malformed prefixes. */
	cr_expect_eq(nvgre_croute_add(tx, &cr, &err), -EEXIST);
	cr_expect(!strncmp(err.msg, "prefix:", 7), "%s", err.msg);
	cr.prefix.addr.b[3] = 1;       /* 10.0.0.1/24 */
	cr_expect_eq(nvgre_croute_add(tx, &cr, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "prefix: 10.0.0.1/24 has host bits set");
	cr_expect_eq(nvgre_prefix_parse("10.0.0.1/24", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("10.0.0.0/33", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("10.0.0.0/", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("10.0.0.0/-1", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("10.0.0/24", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("10.0.0.0", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("fd00::/129", &p), -EINVAL);
	cr_expect_eq(nvgre_prefix_parse("fd00::/64x", &p), -EINVAL);
	/* Nothing was accepted: commit publishes nothing. */
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	nvgre_view_stats(nvgre_db_view(db), &st);
	cr_expect_eq(st.version, version);
	cr_expect_eq(st.records, 1);
	cr_expect_eq(nvgre_db_bytes(db), bytes);

	/* A bulk load whose last line is bad is aborted: nothing of it. */
	cr_assert(tx = nvgre_txn_begin(db));
	for (uint32_t i = 0; i < 1000; i++) {
		struct nvgre_record_cfg r = h_rec(5001, "10.1.0.0", 0x1000 + i,
						  "198.51.100.2");

		r.ca.b[2] = (uint8_t)(i >> 8);
		r.ca.b[3] = (uint8_t)i;
		cr_assert_eq(nvgre_record_add(tx, &r, &err), 0, "%s", err.msg);
	}
	cr_expect_eq(nvgre_record_add(tx, &ok, &err), -EEXIST);
	nvgre_txn_abort(tx);
	nvgre_view_stats(nvgre_db_view(db), &st);
	cr_expect_eq(st.version, version);
	cr_expect_eq(st.records, 1);
	cr_expect_eq(nvgre_db_bytes(db), bytes);
	nvgre_db_destroy(db);
}

Test(nvgre_tables, unroutable_pa_refused)
{
	struct nvgre_db *db = nvgre_db_create(&norcu, 1);
	struct nvgre_pa_cfg pa = { A(H_PA4), 24, 1, 0 };
	struct nvgre_record_cfg far = h_rec(5001, "10.0.0.12", 0x12,
					    "198.51.100.2");
	struct nvgre_record_cfg near = h_rec(5001, "10.0.0.13", 0x13,
					     "192.0.2.77");
	struct nvgre_proute_cfg other_port = { P("0.0.0.0/0"),
					       A("192.0.2.254"), 2, 0 };
	struct nvgre_txn *tx;
	struct nvgre_err err;

	cr_expect_eq(h_add(db, &far, &err), -EHOSTUNREACH, "no PA at all");
	cr_expect_str_eq(err.msg, "pa: no provider route reaches 198.51.100.2");
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_pa_add(tx, &pa, &err), 0);
	/* A route out of a port where we have no PA cannot be used. */
	cr_assert_eq(nvgre_proute_add(tx, &other_port, &err), 0);
	cr_expect_eq(nvgre_record_add(tx, &far, &err), -EHOSTUNREACH);
	/* In our PA's subnet: on-link, no route needed. */
	cr_expect_eq(nvgre_record_add(tx, &near, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	nvgre_db_destroy(db);
}

Test(nvgre_tables, shared_mac_moves_as_one)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg r4 = h_rec(5001, "10.0.0.12", 0x12,
					   "198.51.100.2");
	struct nvgre_record_cfg r6 = h_rec(5001, "fd00::12", 0x12,
					   "198.51.100.2");
	struct nvgre_record_cfg other = h_rec(5001, "10.0.0.13", 0x13,
					      "198.51.100.3");
	struct nvgre_addr to = A("198.51.100.9");
	struct nvgre_vsid_info vi;
	struct nvgre_txn *tx;
	struct nvgre_err err;
	uint8_t m[6];

	cr_assert_eq(h_add(db, &r4, &err), 0);
	cr_assert_eq(h_add(db, &r6, &err), 0);
	cr_assert_eq(h_add(db, &other, &err), 0);
	/* Moving one address of the NIC alone is refused... */
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_record_del(tx, 5001, &r4.ca, NULL, &err), 0);
	r4.pa = to;
	cr_expect_eq(nvgre_record_add(tx, &r4, &err), -EEXIST);
	cr_expect(!strncmp(err.msg, "pa: mac 02:00:00:00:00:12 in vsid 5001 "
			   "is on PA 198.51.100.2", 39), "%s", err.msg);
	nvgre_txn_abort(tx);
	/* ...moving the NIC moves both. */
	M(m, 0x12);
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_record_move(tx, 5001, m, &to, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	const struct nvgre_view *v = nvgre_db_view(db);
	expect_hit(v, 5001, "10.0.0.12", 0x12, "198.51.100.9", false);
	expect_hit(v, 5001, "fd00::12", 0x12, "198.51.100.9", false);
	expect_hit(v, 5001, "10.0.0.13", 0x13, "198.51.100.3", false);
	/* The old PA hosts nothing of the VSID any more: it left. */
	cr_assert(nvgre_lookup_vsid(v, 5001, &vi));
	cr_expect_eq(vi.n_peers, 2);
	cr_expect_eq(nvgre_peer_find(v, AP("198.51.100.2")), -1);
	cr_assert(tx = nvgre_txn_begin(db));
	cr_expect_eq(nvgre_record_move(tx, 5001, m, &to, &err), 0, "no-op");
	M(m, 0x99);
	cr_expect_eq(nvgre_record_move(tx, 5001, m, &to, &err), -ENOENT);
	cr_expect_eq(nvgre_record_move(tx, 5001, m, AP("0.0.0.0"), &err),
		     -EINVAL);
	nvgre_txn_abort(tx);
	nvgre_db_destroy(db);
}

/* The PAs of a VSID: every PA with a record, ascending, ours included;
 * a PA leaves with its last record of the VSID and its index is freed
 * with its last record anywhere. */
Test(nvgre_tables, replication_list)
{
	struct nvgre_db *db = h_db();
	const char *pas[] = { "198.51.100.3", "198.51.100.1", H_PA4,
			      "2001:db8:7::7" };
	struct nvgre_vsid_info vi;
	struct nvgre_txn *tx;
	struct nvgre_err err;
	int idx[4];

	for (unsigned int i = 0; i < 4; i++) {
		struct nvgre_record_cfg r = h_rec(6001, "10.0.0.1", i + 1,
						  pas[i]);

		r.ca.b[3] = (uint8_t)(i + 1);
		cr_assert_eq(h_add(db, &r, &err), 0, "%s", err.msg);
		r.ca.b[3] += 100;
		M(r.mac, 0x100 + i);
		cr_assert_eq(h_add(db, &r, &err), 0, "%s", err.msg);
		r.vsid = 6002;
		cr_assert_eq(h_add(db, &r, &err), 0, "%s", err.msg);
	}
	const struct nvgre_view *v = nvgre_db_view(db);
	cr_assert(nvgre_lookup_vsid(v, 6001, &vi));
	cr_assert_eq(vi.n_peers, 4);
	for (unsigned int i = 0; i < 4; i++) {
		idx[i] = nvgre_peer_find(v, AP(pas[i]));
		cr_assert_geq(idx[i], 0);
		cr_expect(nvgre_vsid_has_peer(&vi, (uint32_t)idx[i]));
		cr_expect_lt((uint32_t)idx[i], nvgre_peer_limit(v));
	}
	for (unsigned int i = 1; i < vi.n_peers; i++)
		cr_expect_lt(vi.peers[i - 1], vi.peers[i], "ascending");
	cr_expect_eq(vi.rdom, NVGRE_RDOM_NONE);

	/* Both records of 198.51.100.1 in 6001 go: it leaves 6001 only. */
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_record_del(tx, 6001, AP("10.0.0.2"), NULL, &err), 0);
	cr_assert_eq(nvgre_record_del(tx, 6001, AP("10.0.0.102"), NULL, &err),
		     0);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	v = nvgre_db_view(db);
	cr_assert(nvgre_lookup_vsid(v, 6001, &vi));
	cr_expect_eq(vi.n_peers, 3);
	cr_expect_not(nvgre_vsid_has_peer(&vi, (uint32_t)idx[1]));
	cr_assert(nvgre_lookup_vsid(v, 6002, &vi));
	cr_expect(nvgre_vsid_has_peer(&vi, (uint32_t)idx[1]));
	cr_expect_eq(nvgre_peer_find(v, AP(pas[1])),
		     idx[1], "index stable while used");
	/* Its last record anywhere: the index is free. */
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_record_del(tx, 6002, AP("10.0.0.102"), NULL, &err),
		     0);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	v = nvgre_db_view(db);
	cr_expect_eq(nvgre_peer_find(v, AP(pas[1])), -1);
	cr_expect_not(nvgre_peer_get(v, (uint32_t)idx[1],
				     &(struct nvgre_peer_info){ 0 }));
	nvgre_db_destroy(db);
}

Test(nvgre_tables, local_flag_follows_our_pas)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg r = h_rec(5001, "10.0.0.5", 5, "192.0.2.9");
	struct nvgre_pa_cfg pa = { A("192.0.2.9"), 24, 1, 0 };
	struct nvgre_txn *tx;
	struct nvgre_err err;

	cr_assert_eq(h_add(db, &r, &err), 0);
	expect_hit(nvgre_db_view(db), 5001, "10.0.0.5", 5, "192.0.2.9", false);
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_pa_add(tx, &pa, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	expect_hit(nvgre_db_view(db), 5001, "10.0.0.5", 5, "192.0.2.9", true);
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_pa_del(tx, &pa.addr, &err), 0);
	cr_expect_eq(nvgre_pa_del(tx, &pa.addr, &err), -ENOENT);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	expect_hit(nvgre_db_view(db), 5001, "10.0.0.5", 5, "192.0.2.9", false);
	nvgre_db_destroy(db);
}

/* ---- provider routes ------------------------------------------------- */

static void
expect_underlay(const struct nvgre_view *v, const char *pa, const char *nh,
		const char *src, uint16_t vlan)
{
	struct nvgre_underlay_hit u;

	cr_assert(nvgre_lookup_underlay(v, AP(pa), &u),
		  "%s unreachable", pa);
	cr_expect(nvgre_addr_eq(&u.nexthop, AP(nh)),
		  "%s: next hop", pa);
	cr_expect(nvgre_addr_eq(&u.src, AP(src)),
		  "%s: source", pa);
	cr_expect_eq(u.vlan, vlan, "%s: vlan", pa);
}

Test(nvgre_tables, provider_routes)
{
	struct nvgre_db *db = nvgre_db_create(&norcu, 2);
	struct nvgre_pa_cfg pas[] = {
		{ A("192.0.2.1"), 24, 1, 11 },
		{ A("203.0.113.1"), 24, 2, 0 },
		{ A("2001:db8::1"), 64, 1, 11 },
	};
	struct nvgre_proute_cfg routes[] = {
		{ P("0.0.0.0/0"), A("192.0.2.254"), 1, 10 },
		{ P("198.51.100.0/24"), A("192.0.2.253"), 1, 5 },
		{ P("198.51.100.0/24"), A("203.0.113.250"), 2, 1 },
		{ P("198.51.100.128/25"), A("192.0.2.252"), 1, 100 },
		{ P("::/0"), A("2001:db8::fe"), 1, 0 },
		{ P("10.99.0.0/16"), A("10.99.0.1"), 3, 0 },  /* no PA */
	};
	struct nvgre_underlay_hit u;
	struct nvgre_txn *tx;
	struct nvgre_err err;

	cr_assert(tx = nvgre_txn_begin(db));
	for (unsigned int i = 0; i < 3; i++)
		cr_assert_eq(nvgre_pa_add(tx, &pas[i], &err), 0, "%s", err.msg);
	for (unsigned int i = 0; i < 6; i++)
		cr_assert_eq(nvgre_proute_add(tx, &routes[i], &err), 0, "%s",
			     err.msg);
	cr_expect_eq(nvgre_proute_add(tx, &routes[1], &err), -EEXIST);
	cr_expect_eq(nvgre_pa_add(tx, &pas[0], &err), -EEXIST);
	pas[0].vlan = 4095;
	pas[0].addr = A("192.0.2.2");
	cr_expect_eq(nvgre_pa_add(tx, &pas[0], &err), -EINVAL);
	cr_expect(!strncmp(err.msg, "vlan:", 5), "%s", err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	const struct nvgre_view *v = nvgre_db_view(db);

	/* On-link in our subnet: the PA itself is the next hop. */
	expect_underlay(v, "192.0.2.50", "192.0.2.50", "192.0.2.1", 11);
	expect_underlay(v, "203.0.113.9", "203.0.113.9", "203.0.113.1", 0);
	/* Longest prefix, then lowest metric (port 2's route, metric 1). */
	expect_underlay(v, "198.51.100.7", "203.0.113.250", "203.0.113.1", 0);
	expect_underlay(v, "198.51.100.200", "192.0.2.252", "192.0.2.1", 11);
	expect_underlay(v, "8.8.8.8", "192.0.2.254", "192.0.2.1", 11);
	expect_underlay(v, "2001:db8:5::5", "2001:db8::fe", "2001:db8::1", 11);
	/* The /16 leaves by port 3 where we have no PA: the default route
	 * is used instead. */
	expect_underlay(v, "10.99.1.1", "192.0.2.254", "192.0.2.1", 11);

	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_proute_del(tx, &routes[2], &err), 0);
	cr_expect_eq(nvgre_proute_del(tx, &routes[2], &err), -ENOENT);
	cr_assert_eq(nvgre_pa_del(tx, &pas[2].addr, &err), 0);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	v = nvgre_db_view(db);
	expect_underlay(v, "198.51.100.7", "192.0.2.253", "192.0.2.1", 11);
	cr_expect_not(nvgre_lookup_underlay(v, AP("2001:db8:5::5"), &u),
		      "no IPv6 PA left");
	nvgre_db_destroy(db);
}

/* ---- decapsulation against the tables -------------------------------- */

Test(nvgre_tables, decap_check_each_reason)
{
	struct nvgre_db *db = nvgre_db_create(&norcu, 3);
	struct nvgre_pa_cfg pa = { A("192.0.2.1"), 24, 1, 11 };
	struct nvgre_record_cfg r = h_rec(5001, "10.0.0.12", 0x12,
					  "192.0.2.2");
	struct nvgre_record_cfg r2 = h_rec(7001, "10.0.0.12", 0x12,
					   "192.0.2.3");
	struct nvgre_decap ok = { .vsid = 5001, .tagged = true, .vlan = 11,
				  .src = A("192.0.2.2"),
				  .dst = A("192.0.2.1") };
	struct nvgre_decap d;
	struct nvgre_txn *tx;
	struct nvgre_err err;

	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_pa_add(tx, &pa, &err), 0);
	cr_assert_eq(nvgre_record_add(tx, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_record_add(tx, &r2, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	const struct nvgre_view *v = nvgre_db_view(db);

	cr_expect_eq(nvgre_decap_check(v, &ok), NVGRE_DROP_NONE);
	d = ok;
	d.dst = A("192.0.2.99");
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_DST_PA_NOT_LOCAL);
	d = ok;
	d.tagged = false;
	d.vlan = 0;
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_PA_VLAN);
	d = ok;
	d.vlan = 12;
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_PA_VLAN);
	d = ok;
	d.vsid = 5002;
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_VSID_UNKNOWN);
	/* A PA we know, but from another VSID's records. */
	d = ok;
	d.src = A("192.0.2.3");
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_SRC_PA_NOT_IN_VSID);
	d = ok;
	d.src = A("192.0.2.77");
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_SRC_PA_NOT_IN_VSID);
	/* From our own PA, which hosts 5001 here: looped or forged. */
	cr_assert(tx = nvgre_txn_begin(db));
	struct nvgre_record_cfg mine = h_rec(5001, "10.0.0.1", 0x1,
					     "192.0.2.1");
	cr_assert_eq(nvgre_record_add(tx, &mine, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	v = nvgre_db_view(db);
	d = ok;
	d.src = A("192.0.2.1");
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_SRC_PA_LOCAL);
	/* Order: a frame wrong in every way is "not ours" first. */
	d.dst = A("192.0.2.99");
	d.vsid = 5002;
	cr_expect_eq(nvgre_decap_check(v, &d), NVGRE_DROP_DST_PA_NOT_LOCAL);
	nvgre_db_destroy(db);
}

/* A frame built by the encapsulation of one host passes parse and check
 * on the other. */
Test(nvgre_tables, encap_on_one_host_decap_on_the_other)
{
	struct nvgre_db *a = nvgre_db_create(&norcu, 4);
	struct nvgre_db *b = nvgre_db_create(&norcu, 5);
	struct nvgre_pa_cfg pa_a = { A("192.0.2.1"), 24, 1, 0 };
	struct nvgre_pa_cfg pa_b = { A("192.0.2.2"), 24, 1, 0 };
	struct nvgre_record_cfg ra = h_rec(5001, "10.0.0.11", 0x11,
					   "192.0.2.1");
	struct nvgre_record_cfg rb = h_rec(5001, "10.0.0.12", 0x12,
					   "192.0.2.2");
	struct nvgre_template_cfg tc = { .dst_mac = { 2, 0, 0, 0, 0, 2 },
					 .src_mac = { 2, 0, 0, 0, 0, 1 } };
	struct nvgre_underlay_hit u;
	struct nvgre_template t;
	struct nvgre_decap d;
	struct nvgre_hit h;
	struct nvgre_err err;
	uint8_t f[128] = { 0 };
	struct nvgre_txn *tx;

	for (int i = 0; i < 2; i++) {
		cr_assert(tx = nvgre_txn_begin(i ? b : a));
		cr_assert_eq(nvgre_pa_add(tx, i ? &pa_b : &pa_a, &err), 0);
		cr_assert_eq(nvgre_record_add(tx, &ra, &err), 0, "%s", err.msg);
		cr_assert_eq(nvgre_record_add(tx, &rb, &err), 0, "%s", err.msg);
		cr_assert_eq(nvgre_txn_commit(tx), 0);
	}
	/* Host A: the CA 10.0.0.12 lives behind PA 192.0.2.2. */
	cr_assert(nvgre_lookup_ca(nvgre_db_view(a), 5001, &rb.ca, &h));
	cr_assert_not(h.local);
	cr_assert(nvgre_lookup_underlay(nvgre_db_view(a), &rb.pa, &u));
	tc.src = u.src;
	tc.dst = rb.pa;
	tc.vlan = u.vlan;
	cr_assert_eq(nvgre_template_build(&t, &tc), 0);
	memcpy(f + nvgre_template_size(&t), h.mac, 6);
	memcpy(f + nvgre_template_size(&t) + 6, ra.mac, 6);
	cr_assert_eq(nvgre_encap(&t, f, 60, 5001, 7), 0);
	/* Host B. */
	cr_assert_eq(nvgre_decap_parse(f, nvgre_template_size(&t) + 60, &d),
		     NVGRE_DROP_NONE);
	cr_expect_eq(nvgre_decap_check(nvgre_db_view(b), &d), NVGRE_DROP_NONE);
	cr_assert(nvgre_lookup_mac(nvgre_db_view(b), d.vsid, f + d.inner_ofs,
				   &h));
	cr_expect(h.local, "delivered to the VM on host B");
	cr_expect_eq(nvgre_decap_check(nvgre_db_view(a), &d),
		     NVGRE_DROP_DST_PA_NOT_LOCAL, "host A does not take it");
	nvgre_db_destroy(a);
	nvgre_db_destroy(b);
}

/* ---- transactions ---------------------------------------------------- */

Test(nvgre_tables, one_transaction_at_a_time_and_abort)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg r = h_rec(5001, "10.0.0.11", 0x11,
					  "198.51.100.2");
	struct nvgre_txn *tx, *tx2;
	struct nvgre_err err;
	struct nvgre_hit h;
	size_t bytes = nvgre_db_bytes(db);

	cr_assert(tx = nvgre_txn_begin(db));
	errno = 0;
	cr_expect_null(tx2 = nvgre_txn_begin(db));
	cr_expect_eq(errno, EBUSY);
	cr_assert_eq(nvgre_record_add(tx, &r, &err), 0);
	/* Seen inside the transaction, not outside. */
	cr_expect(nvgre_lookup_ca(nvgre_txn_view(tx), 5001, &r.ca, &h));
	cr_expect_not(nvgre_lookup_ca(nvgre_db_view(db), 5001, &r.ca, &h));
	nvgre_txn_abort(tx);
	cr_expect_not(nvgre_lookup_ca(nvgre_db_view(db), 5001, &r.ca, &h));
	cr_expect_eq(nvgre_db_bytes(db), bytes, "abort frees its copies");
	cr_assert(tx = nvgre_txn_begin(db));
	nvgre_txn_abort(tx);
	nvgre_db_destroy(db);
}

struct seen_arg {
	const struct nvgre_record_cfg *recs;
	int seen;
	int routes;
};

static int
seen_record(const struct nvgre_record_cfg *c, void *arg)
{
	struct seen_arg *a = arg;

	for (int i = 0; i < 3; i++)
		if (c->vsid == a->recs[i].vsid &&
		    nvgre_addr_eq(&c->ca, &a->recs[i].ca) &&
		    !memcmp(c->mac, a->recs[i].mac, 6) &&
		    nvgre_addr_eq(&c->pa, &a->recs[i].pa) &&
		    c->rule == a->recs[i].rule)
			a->seen |= 1 << i;
	return 0;
}

static int
seen_proute(const struct nvgre_proute_cfg *c, void *arg)
{
	(void)c;
	((struct seen_arg *)arg)->routes++;
	return 0;
}

/* Without concurrent readers (rcu NULL) nothing waits: a commit frees
 * what it replaced. */
Test(nvgre_tables, no_readers_frees_at_commit)
{
	struct nvgre_db *db = nvgre_db_create(NULL, 9);
	struct nvgre_txn *tx;
	struct nvgre_err err;
	size_t bytes;

	cr_assert(db);
	cr_assert(tx = nvgre_txn_begin(db));
	h_underlay(tx);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	bytes = nvgre_db_bytes(db);
	for (uint32_t i = 1; i <= 100; i++) {
		struct nvgre_record_cfg r = h_rec(5001, "10.0.0.0", i,
						  "198.51.100.2");

		r.ca.b[3] = (uint8_t)i;
		cr_assert_eq(h_add(db, &r, &err), 0, "%s", err.msg);
		cr_assert(tx = nvgre_txn_begin(db));
		cr_assert_eq(nvgre_record_del(tx, 5001, &r.ca, NULL, &err), 0);
		cr_assert_eq(nvgre_txn_commit(tx), 0);
	}
	cr_expect_eq(nvgre_db_reclaim(db, false), 0);
	cr_expect_leq(nvgre_db_bytes(db), bytes + 4096);
	nvgre_db_destroy(db);
}

Test(nvgre_tables, foreach_lists_what_was_added)
{
	struct nvgre_db *db = h_db();
	struct nvgre_record_cfg recs[] = {
		h_rec(5001, "10.0.0.11", 0x11, "198.51.100.2"),
		h_rec(5001, "fd00::11", 0x11, "198.51.100.2"),
		h_rec(5002, "0.0.0.0", 0x22, "2001:db8:3::3"),
	};
	struct seen_arg a = { recs, 0, 0 };
	struct nvgre_err err;

	recs[2].rule = NVGRE_RULE_L2ONLY;
	for (int i = 0; i < 3; i++)
		cr_assert_eq(h_add(db, &recs[i], &err), 0, "%s", err.msg);
	cr_expect_eq(nvgre_view_foreach_record(nvgre_db_view(db), seen_record,
					       &a), 0);
	cr_expect_eq(a.seen, 7);
	nvgre_view_foreach_proute(nvgre_db_view(db), seen_proute, &a);
	cr_expect_eq(a.routes, 2, "configured routes only");
	nvgre_db_destroy(db);
}

/* ---- model-based: random changes against a plain reference ----------- */

#define MOD_VSIDS 3
#define MOD_CAS 400
#define MOD_PAS 6

struct model {
	bool present[MOD_VSIDS][MOD_CAS];
	uint8_t pa_of_mac[MOD_VSIDS][MOD_CAS / 2];  /* two CAs per MAC */
	uint32_t n;
};

static uint32_t
mod_vsid(int v)
{
	return 10000 + (uint32_t)v;
}

/* CA i of a VSID: 10.0.x.y for even i, fd00::i for odd; MAC i / 2. */
static struct nvgre_addr
mod_ca(int i)
{
	char s[32];

	if (i % 2)
		snprintf(s, sizeof(s), "fd00::%x", i);
	else
		snprintf(s, sizeof(s), "10.0.%d.%d", i / 256, i % 256);
	return A(s);
}

static struct nvgre_addr
mod_pa(int p)
{
	char s[32];

	snprintf(s, sizeof(s), p % 2 ? "198.51.100.%d" : "2001:db8:1::%d",
		 p + 1);
	return A(s);
}

static bool
mac_used(const struct model *m, int v, int mac)
{
	return m->present[v][2 * mac] || m->present[v][2 * mac + 1];
}

static void
model_check(const struct model *m, const struct nvgre_view *v)
{
	struct nvgre_stats st;

	nvgre_view_stats(v, &st);
	cr_assert_eq(st.records, m->n);
	for (int s = 0; s < MOD_VSIDS; s++) {
		struct nvgre_vsid_info vi;
		int pa_used[MOD_PAS] = { 0 };
		uint32_t n_pas = 0;
		bool any = false;

		for (int i = 0; i < MOD_CAS; i++) {
			struct nvgre_addr ca = mod_ca(i);
			struct nvgre_peer_info pi;
			struct nvgre_hit h;
			bool got = nvgre_lookup_ca(v, mod_vsid(s), &ca, &h);

			cr_assert_eq(got, m->present[s][i], "vsid %d ca %d", s,
				     i);
			if (!got)
				continue;
			any = true;
			cr_assert_eq(h.mac[5], (uint8_t)(i / 2));
			cr_assert(nvgre_peer_get(v, h.peer, &pi));
			struct nvgre_addr want = mod_pa(m->pa_of_mac[s][i / 2]);
			cr_assert(nvgre_addr_eq(&pi.addr, &want),
				  "vsid %d ca %d: PA", s, i);
			if (!pa_used[m->pa_of_mac[s][i / 2]]++)
				n_pas++;
		}
		cr_assert_eq(nvgre_lookup_vsid(v, mod_vsid(s), &vi), any);
		if (any)
			cr_assert_eq(vi.n_peers, n_pas, "vsid %d PA set", s);
	}
}

Test(nvgre_tables, model_random_changes, .timeout = 120)
{
	struct nvgre_db *db = h_db();
	struct model *m = calloc(1, sizeof(*m));
	size_t base;
	unsigned int seed = 12345;

	nvgre_db_reclaim(db, true);
	base = nvgre_db_bytes(db);
	for (int round = 0; round < 300; round++) {
		struct nvgre_txn *tx = nvgre_txn_begin(db);
		struct model next = *m;
		int ops = 1 + rand_r(&seed) % (round % 10 == 0 ? 400 : 8);
		struct nvgre_err err;

		cr_assert(tx);
		for (int o = 0; o < ops; o++) {
			int s = rand_r(&seed) % MOD_VSIDS;
			int i = rand_r(&seed) % MOD_CAS;
			int pa = rand_r(&seed) % MOD_PAS;
			struct nvgre_addr ca = mod_ca(i);
			uint8_t mac[6];

			M(mac, (uint32_t)i / 2);
			switch (rand_r(&seed) % 3) {
			case 0: {
				struct nvgre_record_cfg r = {
					mod_vsid(s), ca, { 0 }, mod_pa(pa),
					NVGRE_RULE_ENCAP };
				int want = next.present[s][i] ? -EEXIST
					   : mac_used(&next, s, i / 2) &&
					     next.pa_of_mac[s][i / 2] != pa
					   ? -EEXIST : 0;

				memcpy(r.mac, mac, 6);
				cr_assert_eq(nvgre_record_add(tx, &r, &err),
					     want, "%s", err.msg);
				if (!want) {
					next.present[s][i] = true;
					next.pa_of_mac[s][i / 2] = (uint8_t)pa;
					next.n++;
				}
				break;
			}
			case 1:
				cr_assert_eq(nvgre_record_del(tx, mod_vsid(s),
							      &ca, NULL, &err),
					     next.present[s][i] ? 0 : -ENOENT);
				if (next.present[s][i]) {
					next.present[s][i] = false;
					next.n--;
				}
				break;
			default: {
				struct nvgre_addr to = mod_pa(pa);

				cr_assert_eq(nvgre_record_move(tx, mod_vsid(s),
							       mac, &to, &err),
					     mac_used(&next, s, i / 2) ? 0
					     : -ENOENT);
				if (mac_used(&next, s, i / 2))
					next.pa_of_mac[s][i / 2] = (uint8_t)pa;
			}
			}
		}
		model_check(&next, nvgre_txn_view(tx));
		if (rand_r(&seed) % 4 == 0) {
			nvgre_txn_abort(tx);
		} else {
			cr_assert_eq(nvgre_txn_commit(tx), 0);
			*m = next;
		}
		model_check(m, nvgre_db_view(db));
	}
	/* Remove everything: memory returns to the empty tables'. */
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	for (int s = 0; s < MOD_VSIDS; s++)
		for (int i = 0; i < MOD_CAS; i++)
			if (m->present[s][i]) {
				struct nvgre_addr ca = mod_ca(i);

				cr_assert_eq(nvgre_record_del(tx, mod_vsid(s),
							      &ca, NULL, NULL),
					     0);
			}
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	memset(m, 0, sizeof(*m));
	model_check(m, nvgre_db_view(db));
	nvgre_db_reclaim(db, true);
	cr_expect_leq(nvgre_db_bytes(db), base + 64 * 1024,
		      "%zu bytes left of %zu", nvgre_db_bytes(db), base);
	free(m);
	nvgre_db_destroy(db);
}
