/* Unit tests for customer routes: longest prefix then lowest metric,
 * overlapping prefixes, IPv4 and IPv6, two routing domains with the same
 * CA space that never mix, VSID-to-domain binding, and the virtual
 * gateway of each subnet. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "nvgre/tables.h"
#include "tests/unit/nvgre_helpers.h"

#define RD1 "{11111111-2222-3333-4444-555555555555}"
#define RD2 "tenant-two"

static struct nvgre_croute_cfg
route(const char *rdom, uint32_t vsid, const char *prefix, const char *nh,
      uint32_t metric)
{
	struct nvgre_croute_cfg c;

	memset(&c, 0, sizeof(c));
	c.rdom = rdom;
	c.vsid = vsid;
	c.prefix = P(prefix);
	if (nh)
		c.nexthop = A(nh);
	c.metric = metric;
	return c;
}

static void
add_routes(struct nvgre_db *db, const struct nvgre_croute_cfg *r, int n)
{
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	struct nvgre_err err;

	cr_assert(tx);
	for (int i = 0; i < n; i++)
		cr_assert_eq(nvgre_croute_add(tx, &r[i], &err), 0, "route %d: "
			     "%s", i, err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
}

static void
expect_route(const struct nvgre_view *v, uint32_t from, const char *dst,
	     uint32_t vsid, const char *nexthop, const char *prefix)
{
	struct nvgre_route_hit h;
	char p[NVGRE_PREFIX_STRLEN];

	cr_assert(nvgre_lookup_route(v, from, AP(dst), &h),
		  "from %u to %s: no route", from, dst);
	cr_expect_eq(h.vsid, vsid, "from %u to %s: vsid %u", from, dst, h.vsid);
	cr_expect(nvgre_addr_eq(&h.nexthop, AP(nexthop)),
		  "from %u to %s: next hop", from, dst);
	cr_expect_str_eq(nvgre_prefix_format(&h.prefix, p, sizeof(p)), prefix,
			 "from %u to %s", from, dst);
}

Test(nvgre_routes, longest_prefix_then_lowest_metric)
{
	struct nvgre_db *db = h_db();
	struct nvgre_croute_cfg r[] = {
		route(RD1, 5001, "10.0.0.0/24", NULL, 0),
		route(RD1, 5002, "10.0.1.0/24", NULL, 0),
		route(RD1, 5001, "10.0.0.0/16", "10.0.0.254", 10),
		route(RD1, 5002, "10.0.0.0/16", "10.0.1.254", 5),
		route(RD1, 5001, "0.0.0.0/0", "10.0.0.1", 100),
		route(RD1, 5001, "10.0.0.128/25", "10.0.0.253", 7),
		route(RD1, 5001, "fd00:0:0:1::/64", NULL, 0),
		route(RD1, 5002, "fd00:0:0:2::/64", NULL, 0),
		route(RD1, 5002, "fd00::/48", "fd00:0:0:2::fe", 3),
		route(RD1, 5001, "::/0", "fd00:0:0:1::1", 1),
	};
	struct nvgre_route_hit h;
	struct nvgre_txn *tx;
	struct nvgre_err err;

	add_routes(db, r, 10);
	const struct nvgre_view *v = nvgre_db_view(db);
	/* On-link: the next hop is the destination itself. */
	expect_route(v, 5001, "10.0.0.7", 5001, "10.0.0.7", "10.0.0.0/24");
	expect_route(v, 5001, "10.0.1.9", 5002, "10.0.1.9", "10.0.1.0/24");
	expect_route(v, 5002, "10.0.0.7", 5001, "10.0.0.7", "10.0.0.0/24");
	/* A /25 inside the on-link /24 is longer: it wins. */
	expect_route(v, 5001, "10.0.0.200", 5001, "10.0.0.253",
		     "10.0.0.128/25");
	/* Equal /16s: metric 5 beats 10. */
	expect_route(v, 5001, "10.0.2.3", 5002, "10.0.1.254", "10.0.0.0/16");
	expect_route(v, 5001, "8.8.8.8", 5001, "10.0.0.1", "0.0.0.0/0");
	expect_route(v, 5002, "fd00:0:0:1::5", 5001, "fd00:0:0:1::5",
		     "fd00:0:0:1::/64");
	expect_route(v, 5002, "fd00:0:0:3::5", 5002, "fd00:0:0:2::fe",
		     "fd00::/48");
	expect_route(v, 5002, "2001:db8::5", 5001, "fd00:0:0:1::1", "::/0");
	/* A VSID without routes routes nothing. */
	cr_expect_not(nvgre_lookup_route(v, 5003, AP("10.0.0.7"), &h));

	/* Take the metric-5 route away: the metric-10 one takes over. */
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_croute_del(tx, &r[3], &err), 0, "%s", err.msg);
	cr_expect_eq(nvgre_croute_del(tx, &r[3], &err), -ENOENT);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	expect_route(nvgre_db_view(db), 5001, "10.0.2.3", 5001, "10.0.0.254",
		     "10.0.0.0/16");
	nvgre_db_destroy(db);
}

/* Tenants 1 and 2 both use 10.0.0.0/24 and the same CAs, in VSIDs 5001
 * and 6001 of two routing domains: each lookup stays in its own. */
Test(nvgre_routes, two_domains_same_ca_space_never_mix)
{
	struct nvgre_db *db = h_db();
	struct nvgre_croute_cfg r[] = {
		route(RD1, 5001, "10.0.0.0/24", NULL, 0),
		route(RD1, 5002, "10.0.1.0/24", NULL, 0),
		route(RD2, 6001, "10.0.0.0/24", NULL, 0),
		route(RD2, 6001, "0.0.0.0/0", "10.0.0.254", 0),
	};
	struct nvgre_record_cfg rec[] = {
		h_rec(5001, "10.0.0.12", 0x5012, "198.51.100.2"),
		h_rec(5002, "10.0.1.12", 0x5112, "198.51.100.2"),
		h_rec(6001, "10.0.0.12", 0x6012, "198.51.100.3"),
	};
	struct nvgre_vsid_info a, b;
	struct nvgre_route_hit h;
	struct nvgre_hit hit;
	struct nvgre_err err;

	add_routes(db, r, 4);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(h_add(db, &rec[i], &err), 0, "%s", err.msg);
	const struct nvgre_view *v = nvgre_db_view(db);
	cr_assert(nvgre_lookup_vsid(v, 5001, &a));
	cr_assert(nvgre_lookup_vsid(v, 6001, &b));
	cr_expect_neq(a.rdom, b.rdom);

	/* Same destination, two tenants, two answers. */
	cr_assert(nvgre_lookup_route(v, 5001, AP("10.0.0.12"), &h));
	cr_expect_eq(h.vsid, 5001);
	cr_assert(nvgre_lookup_ca(v, h.vsid, &h.nexthop, &hit));
	cr_expect_eq(hit.mac[4] << 8 | hit.mac[5], 0x5012);
	cr_assert(nvgre_lookup_route(v, 6001, AP("10.0.0.12"), &h));
	cr_expect_eq(h.vsid, 6001);
	cr_assert(nvgre_lookup_ca(v, h.vsid, &h.nexthop, &hit));
	cr_expect_eq(hit.mac[4] << 8 | hit.mac[5], 0x6012);
	/* Tenant 1 routes between its subnets; tenant 2 cannot reach them
	 * (its default route points at its own appliance, in 6001). */
	expect_route(v, 5001, "10.0.1.12", 5002, "10.0.1.12", "10.0.1.0/24");
	expect_route(v, 6001, "10.0.1.12", 6001, "10.0.0.254", "0.0.0.0/0");
	cr_expect_not(nvgre_lookup_route(v, 5001, AP("192.168.1.1"), &h),
		      "tenant 1 has no default route of tenant 2");

	/* A VSID is in one domain; a prefix is on-link in one VSID of it. */
	struct nvgre_croute_cfg bad = route(RD2, 5001, "10.9.0.0/24", NULL, 0);
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), -EEXIST);
	cr_expect_str_eq(err.msg, "vsid: 5001 belongs to routing domain " RD1);
	bad = route(RD1, 5002, "10.0.0.0/24", NULL, 0);
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), -EEXIST);
	cr_expect_str_eq(err.msg, "prefix: 10.0.0.0/24 is already on-link in "
			 "vsid 5001 of routing domain " RD1);
	/* Through a next hop, the same prefix may be routed again. */
	bad = route(RD1, 5002, "10.0.0.0/24", "10.0.1.1", 9);
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), 0, "%s", err.msg);
	nvgre_txn_abort(tx);

	/* Once a VSID's last route is gone it may join another domain. */
	tx = nvgre_txn_begin(db);
	cr_assert_eq(nvgre_croute_del(tx, &r[1], &err), 0);
	bad = route(RD2, 5002, "10.0.1.0/24", NULL, 0);
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	expect_route(nvgre_db_view(db), 6001, "10.0.1.12", 5002, "10.0.1.12",
		     "10.0.1.0/24");
	cr_expect_not(nvgre_lookup_route(nvgre_db_view(db), 5001,
					 AP("10.0.1.12"), &h));
	nvgre_db_destroy(db);
}

Test(nvgre_routes, domains_come_and_go_with_their_routes)
{
	struct nvgre_db *db = h_db();
	struct nvgre_croute_cfg r = route(RD2, 6001, "10.0.0.0/24", NULL, 0);
	struct nvgre_vsid_info vi;
	struct nvgre_stats st;
	struct nvgre_txn *tx;
	struct nvgre_err err;

	add_routes(db, &r, 1);
	nvgre_view_stats(nvgre_db_view(db), &st);
	cr_expect_eq(st.rdoms, 1);
	cr_expect_eq(st.croutes, 1);
	cr_expect(nvgre_lookup_vsid(nvgre_db_view(db), 6001, &vi),
		  "routes make a VSID known");
	cr_assert(tx = nvgre_txn_begin(db));
	cr_assert_eq(nvgre_croute_del(tx, &r, &err), 0);
	r.rdom = "nobody";
	cr_expect_eq(nvgre_croute_del(tx, &r, &err), -ENOENT);
	cr_expect_str_eq(err.msg, "rdom: no routing domain nobody");
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	nvgre_view_stats(nvgre_db_view(db), &st);
	cr_expect_eq(st.rdoms, 0);
	cr_expect_eq(st.vsids, 0);
	cr_expect_not(nvgre_lookup_vsid(nvgre_db_view(db), 6001, &vi));
	nvgre_db_destroy(db);
}

Test(nvgre_routes, routing_domain_ids)
{
	struct nvgre_db *db = h_db();
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	struct nvgre_croute_cfg r = route("x", 5001, "10.0.0.0/24", NULL, 0);
	static const char long_id[] = "0123456789012345678901234567890123456789"
				      "012345678901234567890123";
	struct nvgre_err err;

	r.rdom = "";
	cr_expect_eq(nvgre_croute_add(tx, &r, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "rdom: empty routing domain id");
	r.rdom = NULL;
	cr_expect_eq(nvgre_croute_add(tx, &r, &err), -EINVAL);
	r.rdom = "two words";
	cr_expect_eq(nvgre_croute_add(tx, &r, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "rdom: character 4 is not printable ASCII");
	r.rdom = long_id;              /* 64 characters */
	cr_expect_eq(nvgre_croute_add(tx, &r, &err), -EINVAL);
	r.rdom = long_id + 1;          /* 63 */
	cr_expect_eq(nvgre_croute_add(tx, &r, &err), 0, "%s", err.msg);
	nvgre_txn_abort(tx);
	nvgre_db_destroy(db);
}

static void
expect_gateway(const struct nvgre_view *v, uint32_t vsid, uint8_t family,
	       const char *want)
{
	struct nvgre_addr gw;

	if (!want) {
		cr_expect_not(nvgre_vsid_gateway(v, vsid, family, &gw),
			      "vsid %u: no gateway expected", vsid);
		return;
	}
	cr_assert(nvgre_vsid_gateway(v, vsid, family, &gw), "vsid %u", vsid);
	cr_expect(nvgre_addr_eq(&gw, AP(want)), "vsid %u: gateway", vsid);
	cr_expect(nvgre_is_gateway(v, vsid, &gw));
}

Test(nvgre_routes, virtual_gateways)
{
	struct nvgre_db *db = h_db();
	struct nvgre_croute_cfg r[] = {
		route(RD1, 5001, "10.0.0.0/24", NULL, 0),
		route(RD1, 5002, "10.0.1.0/24", NULL, 0),
		route(RD1, 5001, "fd00:0:0:1::/64", NULL, 0),
		route(RD1, 5003, "10.0.3.0/31", NULL, 0),
		route(RD1, 5004, "10.0.4.4/32", NULL, 0),
		route(RD1, 5001, "0.0.0.0/0", "10.0.0.9", 0),
	};
	struct nvgre_txn *tx;
	struct nvgre_err err;

	r[1].gateway = A("10.0.1.254");
	add_routes(db, r, 6);
	const struct nvgre_view *v = nvgre_db_view(db);
	expect_gateway(v, 5001, NVGRE_AF_IPV4, "10.0.0.1");  /* lowest */
	expect_gateway(v, 5001, NVGRE_AF_IPV6, "fd00:0:0:1::1");
	expect_gateway(v, 5002, NVGRE_AF_IPV4, "10.0.1.254"); /* configured */
	expect_gateway(v, 5002, NVGRE_AF_IPV6, NULL);
	expect_gateway(v, 5003, NVGRE_AF_IPV4, "10.0.3.0");  /* RFC 3021 */
	expect_gateway(v, 5004, NVGRE_AF_IPV4, NULL);        /* a /32 */
	cr_expect_not(nvgre_is_gateway(v, 5002, AP("10.0.1.1")));
	cr_expect_not(nvgre_is_gateway(v, 5002, AP("10.0.0.1")),
		      "another VSID's gateway");

	cr_assert(tx = nvgre_txn_begin(db));
	struct nvgre_croute_cfg bad = route(RD1, 5005, "10.0.5.0/24", NULL, 0);
	bad.gateway = A("10.0.6.1");
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "gateway: 10.0.6.1 is not a host address in "
			 "10.0.5.0/24");
	bad = route(RD1, 5005, "10.0.9.0/24", "10.0.5.1", 0);
	bad.gateway = A("10.0.9.1");
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), -EINVAL);
	cr_expect(!strncmp(err.msg, "gateway:", 8), "%s", err.msg);
	bad = route(RD1, 5005, "10.0.9.0/24", "fd00::1", 0);
	cr_expect_eq(nvgre_croute_add(tx, &bad, &err), -EINVAL);
	cr_expect(!strncmp(err.msg, "nexthop:", 8), "%s", err.msg);
	nvgre_txn_abort(tx);
	nvgre_db_destroy(db);
}

static int
count_route(const struct nvgre_croute_cfg *c, void *arg)
{
	int *n = arg;

	cr_expect(!strcmp(c->rdom, RD1) || !strcmp(c->rdom, RD2));
	(*n)++;
	return 0;
}

Test(nvgre_routes, foreach_croute)
{
	struct nvgre_db *db = h_db();
	struct nvgre_croute_cfg r[] = {
		route(RD1, 5001, "10.0.0.0/24", NULL, 0),
		route(RD2, 6001, "10.0.0.0/24", NULL, 0),
		route(RD2, 6001, "0.0.0.0/0", "10.0.0.254", 3),
	};
	int n = 0;

	add_routes(db, r, 3);
	nvgre_view_foreach_croute(nvgre_db_view(db), count_route, &n);
	cr_expect_eq(n, 3);
	nvgre_db_destroy(db);
}
