/* Unit tests for dataplane/vlan.c: ingress classification and egress form
 * for untagged, access and trunk ports.  Frames go through the real parser
 * so the tag fields are the ones the fast path sees. */
#include <criterion/criterion.h>
#include <string.h>

#include "dataplane/vlan.h"
#include "tests/unit/frames.h"

#define ACCESS_VLAN 10
#define TRUNK_NATIVE 5
#define IN_LIST 20          /* allowed on the trunk */
#define NOT_IN_LIST 40

static void
allow(struct dp_vlan_port *p, uint16_t vid)
{
	p->allowed[vid / 64] |= 1ull << (vid % 64);
}

static struct dp_vlan_port
untagged_port(void)
{
	struct dp_vlan_port p;

	memset(&p, 0, sizeof(p));
	p.mode = DP_VLAN_UNTAGGED;
	return p;
}

static struct dp_vlan_port
access_port(uint16_t vlan)
{
	struct dp_vlan_port p;

	memset(&p, 0, sizeof(p));
	p.mode = DP_VLAN_ACCESS;
	p.vlan = vlan;
	return p;
}

/* Trunk with native 'native' carrying IN_LIST and 30 tagged.  The native
 * VLAN is deliberately not in the allowed list. */
static struct dp_vlan_port
trunk_port(uint16_t native)
{
	struct dp_vlan_port p;

	memset(&p, 0, sizeof(p));
	p.mode = DP_VLAN_TRUNK;
	p.native = native;
	allow(&p, IN_LIST);
	allow(&p, 30);
	return p;
}

enum frame_kind {
	F_UNTAGGED,
	F_IN_LIST,      /* one tag, VID IN_LIST */
	F_NOT_IN_LIST,  /* one tag, VID NOT_IN_LIST */
	F_PRIO,         /* priority tag: VID 0, PCP 5 */
	F_VID_4095,
	F_DOUBLE,       /* 802.1ad IN_LIST + 802.1Q IN_LIST */
	F_NATIVE,       /* one tag, VID TRUNK_NATIVE */
	F_ACCESS_VID,   /* one tag, VID ACCESS_VLAN */
	F_N
};

static const char *const kind_names[F_N] = {
	"untagged", "in-list", "not-in-list", "priority", "vid-4095",
	"double", "native-tagged", "access-vid-tagged",
};

/* Parses an IPv4 frame of 'kind' into 'pp'. */
static void
parse_kind(enum frame_kind kind, struct dp_parsed *pp)
{
	static const uint16_t vids[F_N] = {
		[F_IN_LIST] = IN_LIST, [F_NOT_IN_LIST] = NOT_IN_LIST,
		[F_PRIO] = 0, [F_VID_4095] = 4095, [F_DOUBLE] = IN_LIST,
		[F_NATIVE] = TRUNK_NATIVE, [F_ACCESS_VID] = ACCESS_VLAN,
	};
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	if (kind == F_DOUBLE)
		fb_tag(&f, DP_ETHERTYPE_QINQ, 0, IN_LIST);
	if (kind != F_UNTAGGED)
		fb_tag(&f, DP_ETHERTYPE_VLAN, 5, vids[kind]);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, 17, 8);
	cr_assert_eq(dp_parse_frame(f.b, f.len, pp), DP_DROP_NONE, "%s",
		     kind_names[kind]);
	cr_assert_eq(pp->n_tags, kind == F_UNTAGGED ? 0 :
				 kind == F_DOUBLE ? 2 : 1);
}

struct in_case {
	enum frame_kind kind;
	enum dp_drop reason;
	uint16_t vlan;          /* when accepted */
	bool strip;
};

static void
check_ingress(const char *mode, const struct dp_vlan_port *port,
	      const struct in_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct in_case *c = &cases[i];
		struct dp_parsed pp;
		struct dp_vlan_in in;
		enum dp_drop got;

		parse_kind(c->kind, &pp);
		memset(&in, 0xa5, sizeof(in));
		got = dp_vlan_ingress(port, &pp, &in);
		cr_expect_eq(got, c->reason,
			     "%s port, %s frame: got %s, want %s", mode,
			     kind_names[c->kind], dp_drop_name(got),
			     dp_drop_name(c->reason));
		if (got != DP_DROP_NONE || c->reason != DP_DROP_NONE)
			continue;
		cr_expect_eq(in.vlan, c->vlan, "%s port, %s frame: vlan %u",
			     mode, kind_names[c->kind], in.vlan);
		cr_expect_eq(in.strip_prio_tag, c->strip,
			     "%s port, %s frame: strip_prio_tag", mode,
			     kind_names[c->kind]);
	}
}

/* ---- ingress --------------------------------------------------------- */

Test(vlan_ingress, untagged_mode)
{
	static const struct in_case cases[] = {
		{ F_UNTAGGED, DP_DROP_NONE, 0, false },
		{ F_IN_LIST, DP_DROP_TAGGED_ON_UNTAGGED, 0, false },
		{ F_NOT_IN_LIST, DP_DROP_TAGGED_ON_UNTAGGED, 0, false },
		{ F_PRIO, DP_DROP_TAGGED_ON_UNTAGGED, 0, false },
		{ F_VID_4095, DP_DROP_TAGGED_ON_UNTAGGED, 0, false },
		{ F_DOUBLE, DP_DROP_DOUBLE_TAGGED, 0, false },
	};
	struct dp_vlan_port p = untagged_port();

	check_ingress("untagged", &p, cases, sizeof(cases) / sizeof(*cases));
}

Test(vlan_ingress, access_mode)
{
	static const struct in_case cases[] = {
		{ F_UNTAGGED, DP_DROP_NONE, ACCESS_VLAN, false },
		{ F_ACCESS_VID, DP_DROP_TAGGED_ON_ACCESS, 0, false },
		{ F_IN_LIST, DP_DROP_TAGGED_ON_ACCESS, 0, false },
		{ F_NOT_IN_LIST, DP_DROP_TAGGED_ON_ACCESS, 0, false },
		{ F_PRIO, DP_DROP_TAGGED_ON_ACCESS, 0, false },
		{ F_VID_4095, DP_DROP_TAGGED_ON_ACCESS, 0, false },
		{ F_DOUBLE, DP_DROP_DOUBLE_TAGGED, 0, false },
	};
	struct dp_vlan_port p = access_port(ACCESS_VLAN);

	/* The access VLAN in the allowed bitmap must change nothing. */
	allow(&p, ACCESS_VLAN);
	allow(&p, IN_LIST);
	check_ingress("access", &p, cases, sizeof(cases) / sizeof(*cases));
}

Test(vlan_ingress, trunk_mode)
{
	static const struct in_case cases[] = {
		{ F_UNTAGGED, DP_DROP_NONE, TRUNK_NATIVE, false },
		{ F_IN_LIST, DP_DROP_NONE, IN_LIST, false },
		{ F_NOT_IN_LIST, DP_DROP_VLAN_NOT_ALLOWED, 0, false },
		{ F_PRIO, DP_DROP_NONE, TRUNK_NATIVE, true },
		{ F_VID_4095, DP_DROP_BAD_VLAN_ID, 0, false },
		{ F_DOUBLE, DP_DROP_DOUBLE_TAGGED, 0, false },
		{ F_NATIVE, DP_DROP_NONE, TRUNK_NATIVE, false },
		{ F_ACCESS_VID, DP_DROP_VLAN_NOT_ALLOWED, 0, false },
	};
	struct dp_vlan_port p = trunk_port(TRUNK_NATIVE);

	cr_assert(!dp_vlan_allowed(&p, TRUNK_NATIVE),
		  "the native VLAN must be accepted without being listed");
	check_ingress("trunk", &p, cases, sizeof(cases) / sizeof(*cases));
}

Test(vlan_ingress, trunk_native_0_is_untagged_domain)
{
	static const struct in_case cases[] = {
		{ F_UNTAGGED, DP_DROP_NONE, 0, false },
		{ F_PRIO, DP_DROP_NONE, 0, true },
		{ F_IN_LIST, DP_DROP_NONE, IN_LIST, false },
		{ F_NATIVE, DP_DROP_VLAN_NOT_ALLOWED, 0, false },
	};
	struct dp_vlan_port p = trunk_port(0);

	check_ingress("trunk native 0", &p, cases,
		      sizeof(cases) / sizeof(*cases));
}

Test(vlan_ingress, trunk_vid_4095_never_allowed)
{
	static const struct in_case cases[] = {
		{ F_VID_4095, DP_DROP_BAD_VLAN_ID, 0, false },
	};
	struct dp_vlan_port p = trunk_port(TRUNK_NATIVE);

	memset(p.allowed, 0xff, sizeof(p.allowed));
	cr_assert(dp_vlan_allowed(&p, 4095));
	check_ingress("trunk allowing all", &p, cases, 1);
	p.native = 4095;
	check_ingress("trunk native 4095", &p, cases, 1);
}

Test(vlan_ingress, trunk_double_tag_even_if_both_allowed)
{
	static const struct in_case cases[] = {
		{ F_DOUBLE, DP_DROP_DOUBLE_TAGGED, 0, false },
	};
	struct dp_vlan_port p = trunk_port(IN_LIST);

	memset(p.allowed, 0xff, sizeof(p.allowed));
	check_ingress("trunk allowing all", &p, cases, 1);
}

Test(vlan_ingress, hand_built_parse_results)
{
	struct dp_vlan_port t = trunk_port(TRUNK_NATIVE);
	struct dp_vlan_port a = access_port(ACCESS_VLAN);
	struct dp_parsed pp;
	struct dp_vlan_in in;

	memset(&pp, 0, sizeof(pp));
	pp.n_tags = 1;
	pp.vid = 30;
	cr_expect_eq(dp_vlan_ingress(&t, &pp, &in), DP_DROP_NONE);
	cr_expect_eq(in.vlan, 30);
	cr_expect(!in.strip_prio_tag);
	pp.vid = 31;
	cr_expect_eq(dp_vlan_ingress(&t, &pp, &in), DP_DROP_VLAN_NOT_ALLOWED);
	pp.n_tags = 2;
	pp.vid = 30;
	cr_expect_eq(dp_vlan_ingress(&t, &pp, &in), DP_DROP_DOUBLE_TAGGED);
	cr_expect_eq(dp_vlan_ingress(&a, &pp, &in), DP_DROP_DOUBLE_TAGGED,
		     "double tag is reported before tagged-on-access");
}

/* ---- egress ---------------------------------------------------------- */

Test(vlan_egress, access_only_its_vlan_untagged)
{
	struct dp_vlan_port p = access_port(ACCESS_VLAN);

	allow(&p, IN_LIST);             /* ignored on access ports */
	cr_expect_eq(dp_vlan_egress(&p, ACCESS_VLAN), DP_VLAN_OUT_UNTAGGED);
	cr_expect_eq(dp_vlan_egress(&p, 0), DP_VLAN_OUT_DROP);
	cr_expect_eq(dp_vlan_egress(&p, IN_LIST), DP_VLAN_OUT_DROP);
	cr_expect_eq(dp_vlan_egress(&p, ACCESS_VLAN + 1), DP_VLAN_OUT_DROP);
	cr_expect_eq(dp_vlan_egress(&p, 4095), DP_VLAN_OUT_DROP);
}

Test(vlan_egress, trunk)
{
	struct dp_vlan_port p = trunk_port(TRUNK_NATIVE);

	cr_expect_eq(dp_vlan_egress(&p, TRUNK_NATIVE), DP_VLAN_OUT_UNTAGGED,
		     "native leaves untagged");
	cr_expect_eq(dp_vlan_egress(&p, IN_LIST), DP_VLAN_OUT_TAGGED);
	cr_expect_eq(dp_vlan_egress(&p, 30), DP_VLAN_OUT_TAGGED);
	cr_expect_eq(dp_vlan_egress(&p, NOT_IN_LIST), DP_VLAN_OUT_DROP);
	cr_expect_eq(dp_vlan_egress(&p, 0), DP_VLAN_OUT_DROP,
		     "untagged domain is not the native VLAN");
	cr_expect_eq(dp_vlan_egress(&p, ACCESS_VLAN), DP_VLAN_OUT_DROP);

	/* Native also listed: still untagged. */
	allow(&p, TRUNK_NATIVE);
	cr_expect_eq(dp_vlan_egress(&p, TRUNK_NATIVE), DP_VLAN_OUT_UNTAGGED);
	/* Bit 0 set by mistake must not make VLAN 0 leave tagged. */
	allow(&p, 0);
	cr_expect_eq(dp_vlan_egress(&p, 0), DP_VLAN_OUT_DROP);
}

Test(vlan_egress, trunk_native_0)
{
	struct dp_vlan_port p = trunk_port(0);

	cr_expect_eq(dp_vlan_egress(&p, 0), DP_VLAN_OUT_UNTAGGED);
	cr_expect_eq(dp_vlan_egress(&p, IN_LIST), DP_VLAN_OUT_TAGGED);
	cr_expect_eq(dp_vlan_egress(&p, TRUNK_NATIVE), DP_VLAN_OUT_DROP);
}

Test(vlan_egress, untagged_mode_only_vlan_0)
{
	struct dp_vlan_port p = untagged_port();

	allow(&p, IN_LIST);             /* ignored on untagged ports */
	p.vlan = ACCESS_VLAN;
	cr_expect_eq(dp_vlan_egress(&p, 0), DP_VLAN_OUT_UNTAGGED);
	cr_expect_eq(dp_vlan_egress(&p, ACCESS_VLAN), DP_VLAN_OUT_DROP);
	cr_expect_eq(dp_vlan_egress(&p, IN_LIST), DP_VLAN_OUT_DROP);
	cr_expect_eq(dp_vlan_egress(&p, 1), DP_VLAN_OUT_DROP);
}

Test(vlan_egress, ingress_egress_round_trip)
{
	/* Whatever a trunk accepts tagged it must also send tagged, except
	 * its native VLAN which it sends untagged. */
	struct dp_vlan_port p = trunk_port(TRUNK_NATIVE);

	for (uint16_t vid = 1; vid < 4095; vid++) {
		struct dp_parsed pp;
		struct dp_vlan_in in;
		enum dp_drop r;

		memset(&pp, 0, sizeof(pp));
		pp.n_tags = 1;
		pp.vid = vid;
		r = dp_vlan_ingress(&p, &pp, &in);
		if (vid == TRUNK_NATIVE) {
			cr_expect_eq(r, DP_DROP_NONE);
			cr_expect_eq(dp_vlan_egress(&p, vid),
				     DP_VLAN_OUT_UNTAGGED);
		} else if (dp_vlan_allowed(&p, vid)) {
			cr_expect_eq(r, DP_DROP_NONE, "vid %u", vid);
			cr_expect_eq(dp_vlan_egress(&p, vid),
				     DP_VLAN_OUT_TAGGED, "vid %u", vid);
		} else {
			cr_expect_eq(r, DP_DROP_VLAN_NOT_ALLOWED, "vid %u",
				     vid);
			cr_expect_eq(dp_vlan_egress(&p, vid), DP_VLAN_OUT_DROP,
				     "vid %u", vid);
		}
	}
}

/* ---- allowed bitmap -------------------------------------------------- */

Test(vlan_allowed, bit_per_vid)
{
	static const uint16_t probe[] = { 0, 1, 62, 63, 64, 65, 127, 128,
					  1000, 4031, 4032, 4094, 4095 };
	const size_t n = sizeof(probe) / sizeof(*probe);

	for (size_t i = 0; i < n; i++) {
		struct dp_vlan_port p;

		memset(&p, 0, sizeof(p));
		p.allowed[probe[i] / 64] = 1ull << (probe[i] % 64);
		for (size_t j = 0; j < n; j++)
			cr_expect_eq(dp_vlan_allowed(&p, probe[j]), i == j,
				     "bit %u set, probing %u", probe[i],
				     probe[j]);
	}
}

Test(vlan_allowed, empty_and_full)
{
	struct dp_vlan_port p;

	memset(&p, 0, sizeof(p));
	for (uint16_t vid = 0; vid < 4096; vid++)
		cr_expect(!dp_vlan_allowed(&p, vid), "vid %u", vid);
	memset(p.allowed, 0xff, sizeof(p.allowed));
	for (uint16_t vid = 0; vid < 4096; vid++)
		cr_expect(dp_vlan_allowed(&p, vid), "vid %u", vid);
}
