/* Unit tests for dataplane/parse.c: header extraction, VLAN tags, and the
 * promise that a frame is never read past its end. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataplane/parse.h"
#include "tests/unit/frames.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

static const uint8_t mac_v6_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
static const uint8_t mac_lldp[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };

static enum dp_drop
parse_fb(const struct fb *f, struct dp_parsed *pp)
{
	return dp_parse_frame(f->b, f->len, pp);
}

/* Parses the first 'len' bytes of 'f' from a heap block of exactly 'len'
 * bytes, so ASan or valgrind flag any read past the end. */
static enum dp_drop
parse_heap(const struct fb *f, uint32_t len, struct dp_parsed *pp)
{
	uint8_t *h = malloc(len);
	enum dp_drop r;

	cr_assert(h != NULL || len == 0);
	if (len)
		memcpy(h, f->b, len);
	r = dp_parse_frame(h, len, pp);
	free(h);
	return r;
}

/* Parses the first 'len' bytes of 'f' placed right before an inaccessible
 * page, so an overread crashes the test even without sanitizers. */
static enum dp_drop
parse_guarded(const struct fb *f, uint32_t len, struct dp_parsed *pp)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	enum dp_drop r;

	cr_assert(m != MAP_FAILED);
	cr_assert(mprotect(m + pg, pg, PROT_NONE) == 0);
	memcpy(m + pg - len, f->b, len);
	r = dp_parse_frame(m + pg - len, len, pp);
	munmap(m, 2 * pg);
	return r;
}

/* Untagged IPv4/UDP from mac_b to 'dst', 8 bytes of payload. */
static void
build_ipv4(struct fb *f, const uint8_t dst[6])
{
	fb_eth(f, dst, fb_mac_b);
	fb_type(f, DP_ETHERTYPE_IPV4);
	fb_ipv4(f, IPPROTO_UDP_, 8);
}

/* ---- untagged frames ------------------------------------------------- */

Test(parse, untagged_ipv4_unicast)
{
	struct fb f;
	struct dp_parsed pp;

	build_ipv4(&f, fb_mac_a);
	cr_assert_eq(f.len, 42);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 0);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_IPV4);
	cr_expect_eq(pp.l3_ofs, 14);
	cr_expect_eq(pp.l4_ofs, 34);
	cr_expect_eq(pp.ip_proto, IPPROTO_UDP_);
	cr_expect_eq(pp.flags, 0, "unicast destination: no flags");
	cr_expect_eq(pp.vid, 0);
	cr_expect_eq(pp.pcp, 0);
}

Test(parse, ipv4_options_move_l4)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4_raw(&f, 4, 6, 24 + 8, IPPROTO_TCP_, 8);   /* IHL 6: 24 bytes */
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.l3_ofs, 14);
	cr_expect_eq(pp.l4_ofs, 38);
	cr_expect_eq(pp.ip_proto, IPPROTO_TCP_);
}

Test(parse, untagged_ipv6_multicast)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, mac_v6_allnodes, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6(&f, IPPROTO_ICMPV6_, 8);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 0);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_IPV6);
	cr_expect_eq(pp.l3_ofs, 14);
	cr_expect_eq(pp.l4_ofs, 54);
	cr_expect_eq(pp.ip_proto, IPPROTO_ICMPV6_);
	cr_expect_eq(pp.flags, DP_PF_MULTICAST, "multicast, not broadcast");
}

Test(parse, untagged_arp_broadcast)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_bcast, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_ARP);
	fb_arp(&f, fb_mac_b);
	cr_assert_eq(f.len, 42);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_ARP);
	cr_expect_eq(pp.l3_ofs, 14);
	cr_expect_eq(pp.l4_ofs, 0, "ARP has no L4");
	cr_expect_eq(pp.ip_proto, 0);
	cr_expect_eq(pp.flags, DP_PF_MULTICAST | DP_PF_BROADCAST);
}

Test(parse, arp_shorter_than_28_bytes_truncated)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_bcast, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_ARP);
	fb_arp(&f, fb_mac_b);
	cr_expect_eq(parse_heap(&f, 41, &pp), DP_DROP_TRUNCATED);
}

Test(parse, other_ethertype)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, mac_lldp, fb_mac_b);
	fb_type(&f, 0x88cc);                       /* LLDP */
	fb_zeros(&f, 46);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.ethertype, 0x88cc);
	cr_expect_eq(pp.l3_ofs, 14);
	cr_expect_eq(pp.l4_ofs, 0);
	cr_expect_eq(pp.ip_proto, 0);
	cr_expect_eq(pp.flags, DP_PF_MULTICAST | DP_PF_LINK_LOCAL);
	cr_expect_eq(pp.n_tags, 0);
}

Test(parse, other_ethertype_header_only)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, 0x88b5);
	cr_expect_eq(parse_heap(&f, 14, &pp), DP_DROP_NONE,
		     "unknown EtherType: nothing past the header is needed");
	cr_expect_eq(pp.ethertype, 0x88b5);
}

Test(parse, broadcast_needs_all_ones)
{
	static const uint8_t almost[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t local_unicast[6] = { 0xfe, 0xff, 0xff, 0xff,
						  0xff, 0xff };
	struct fb f;
	struct dp_parsed pp;

	build_ipv4(&f, almost);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.flags, DP_PF_MULTICAST);

	build_ipv4(&f, local_unicast);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.flags, 0, "group bit clear: unicast");

	build_ipv4(&f, fb_mac_bcast);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.flags, DP_PF_MULTICAST | DP_PF_BROADCAST);
}

/* ---- tags ------------------------------------------------------------ */

Test(parse, one_8021q_tag)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 5, 100);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_TCP_, 20);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 1);
	cr_expect_eq(pp.vid, 100);
	cr_expect_eq(pp.pcp, 5);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_IPV4);
	cr_expect_eq(pp.l3_ofs, 18);
	cr_expect_eq(pp.l4_ofs, 38);
	cr_expect_eq(pp.ip_proto, IPPROTO_TCP_);
}

Test(parse, tag_dei_bit_not_in_vid)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_put16(&f, DP_ETHERTYPE_VLAN);
	fb_put16(&f, 0xffff);                 /* PCP 7, DEI 1, VID 4095 */
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6(&f, IPPROTO_UDP_, 8);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.vid, 4095);
	cr_expect_eq(pp.pcp, 7);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_IPV6);
	cr_expect_eq(pp.l3_ofs, 18);
	cr_expect_eq(pp.l4_ofs, 58);
}

Test(parse, priority_tag_vid_0)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 6, 0);
	fb_type(&f, DP_ETHERTYPE_ARP);
	fb_arp(&f, fb_mac_b);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 1, "a priority tag is still a tag");
	cr_expect_eq(pp.vid, 0);
	cr_expect_eq(pp.pcp, 6);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_ARP);
	cr_expect_eq(pp.l3_ofs, 18);
}

Test(parse, one_8021ad_tag)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_QINQ, 2, 300);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 1);
	cr_expect_eq(pp.vid, 300);
	cr_expect_eq(pp.pcp, 2);
	cr_expect_eq(pp.ethertype, DP_ETHERTYPE_IPV4);
	cr_expect_eq(pp.l3_ofs, 18);
	cr_expect_eq(pp.l4_ofs, 38);
}

Test(parse, old_qinq_tpid_9100)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_QINQ_OLD, 0, 7);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 1);
	cr_expect_eq(pp.vid, 7);
	cr_expect_eq(pp.l3_ofs, 18);
}

Test(parse, qinq_8021ad_outer_8021q_inner)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_QINQ, 3, 200);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 1, 10);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 2);
	cr_expect_eq(pp.vid, 200, "vid is the outer tag's");
	cr_expect_eq(pp.pcp, 3, "pcp is the outer tag's");
}

Test(parse, two_8021q_tags)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 10);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 20);
	fb_type(&f, DP_ETHERTYPE_ARP);
	fb_arp(&f, fb_mac_b);
	cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 2);
	cr_expect_eq(pp.vid, 10);
}

Test(parse, three_tags_stop_at_two)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_QINQ, 0, 1);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 2);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 3);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_assert_eq(parse_guarded(&f, f.len, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 2);
	cr_expect_eq(pp.vid, 1);
}

/* ---- truncation ------------------------------------------------------ */

/* Parses every proper prefix of 'f' (lengths 0 .. len-1), each from an
 * exactly sized heap block and from a block that ends at an unmapped page.
 * A prefix shorter than 'l3_ofs + l3_min' must be TRUNCATED; a longer one
 * (fixed IP header present, payload cut) must be 'cut_payload'. */
static void
check_every_truncation(const struct fb *f, uint32_t l3_ofs, uint32_t l3_min,
		       enum dp_drop cut_payload)
{
	struct dp_parsed pp;

	cr_assert_eq(parse_heap(f, f->len, &pp), DP_DROP_NONE,
		     "the untruncated frame must parse");
	cr_assert_eq(pp.l3_ofs, l3_ofs);
	for (uint32_t len = 0; len < f->len; len++) {
		enum dp_drop want = len < l3_ofs + l3_min ? DP_DROP_TRUNCATED
							  : cut_payload;
		enum dp_drop got = parse_heap(f, len, &pp);

		cr_expect_eq(got, want, "len %u of %u: got %s, want %s", len,
			     f->len, dp_drop_name(got), dp_drop_name(want));
		cr_expect_neq(got, DP_DROP_NONE, "len %u accepted", len);
		got = parse_guarded(f, len, &pp);
		cr_expect_eq(got, want, "guarded len %u: got %s, want %s", len,
			     dp_drop_name(got), dp_drop_name(want));
	}
}

Test(parse, truncated_untagged_ipv4)
{
	struct fb f;

	build_ipv4(&f, fb_mac_a);
	check_every_truncation(&f, 14, 20, DP_DROP_BAD_IPV4);
}

Test(parse, truncated_untagged_ipv6)
{
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6(&f, IPPROTO_UDP_, 8);
	check_every_truncation(&f, 14, 40, DP_DROP_BAD_IPV6);
}

Test(parse, truncated_untagged_arp)
{
	struct fb f;

	fb_eth(&f, fb_mac_bcast, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_ARP);
	fb_arp(&f, fb_mac_b);
	check_every_truncation(&f, 14, 28, DP_DROP_TRUNCATED);
}

Test(parse, truncated_tagged_ipv4)
{
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 3, 42);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	check_every_truncation(&f, 18, 20, DP_DROP_BAD_IPV4);
}

Test(parse, truncated_tagged_ipv6)
{
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 3, 42);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6(&f, IPPROTO_UDP_, 8);
	check_every_truncation(&f, 18, 40, DP_DROP_BAD_IPV6);
}

Test(parse, truncated_tagged_arp)
{
	struct fb f;

	fb_eth(&f, fb_mac_bcast, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 42);
	fb_type(&f, DP_ETHERTYPE_ARP);
	fb_arp(&f, fb_mac_b);
	check_every_truncation(&f, 18, 28, DP_DROP_TRUNCATED);
}

Test(parse, truncated_double_tagged_ipv4)
{
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_QINQ, 0, 100);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 42);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	check_every_truncation(&f, 22, 20, DP_DROP_BAD_IPV4);
}

Test(parse, truncated_double_tagged_ipv6)
{
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 100);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 42);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6(&f, IPPROTO_UDP_, 8);
	check_every_truncation(&f, 22, 40, DP_DROP_BAD_IPV6);
}

Test(parse, truncated_tags_other_ethertype)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, DP_ETHERTYPE_QINQ, 0, 100);
	fb_tag(&f, DP_ETHERTYPE_VLAN, 0, 42);
	fb_type(&f, 0x88b5);
	/* The EtherType after the tags is the last byte that is needed. */
	for (uint32_t len = 0; len < 22; len++) {
		cr_expect_eq(parse_heap(&f, len, &pp), DP_DROP_TRUNCATED,
			     "len %u", len);
		cr_expect_eq(parse_guarded(&f, len, &pp), DP_DROP_TRUNCATED,
			     "guarded len %u", len);
	}
	cr_expect_eq(parse_guarded(&f, 22, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.n_tags, 2);
}

/* ---- bad IP headers -------------------------------------------------- */

static void
build_ipv4_raw(struct fb *f, uint8_t version, uint8_t ihl, uint16_t total,
	       uint32_t payload)
{
	fb_eth(f, fb_mac_a, fb_mac_b);
	fb_type(f, DP_ETHERTYPE_IPV4);
	fb_ipv4_raw(f, version, 5, total, IPPROTO_UDP_, payload);
	f->b[14] = (uint8_t)(version << 4 | ihl);       /* forge the IHL */
}

Test(parse, ipv4_ihl_below_5)
{
	struct fb f;
	struct dp_parsed pp;

	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		build_ipv4_raw(&f, 4, ihl, 28, 8);
		cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4,
			     "IHL %u", ihl);
	}
	build_ipv4_raw(&f, 4, 5, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_NONE, "IHL 5");
}

Test(parse, ipv4_ihl_beyond_frame)
{
	struct fb f;
	struct dp_parsed pp;

	/* 28 bytes of IP: IHL 7 (28) fits, IHL 8 (32) and 15 (60) do not. */
	build_ipv4_raw(&f, 4, 7, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.l4_ofs, 14 + 28);
	build_ipv4_raw(&f, 4, 8, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
	build_ipv4_raw(&f, 4, 15, 60, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4,
		     "IHL 15 with a 28-byte IP packet");
}

Test(parse, ipv4_total_below_ihl)
{
	struct fb f;
	struct dp_parsed pp;

	build_ipv4_raw(&f, 4, 6, 20, 8);       /* 24-byte header, total 20 */
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
	build_ipv4_raw(&f, 4, 5, 19, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
}

Test(parse, ipv4_total_length_beyond_frame)
{
	struct fb f;
	struct dp_parsed pp;

	build_ipv4_raw(&f, 4, 5, 29, 8);       /* 28 bytes present */
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
	build_ipv4_raw(&f, 4, 5, 0xffff, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
	build_ipv4_raw(&f, 4, 5, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_NONE,
		     "total length == what is present");
}

Test(parse, ipv4_version_mismatch)
{
	struct fb f;
	struct dp_parsed pp;

	build_ipv4_raw(&f, 6, 5, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
	build_ipv4_raw(&f, 0, 5, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
	build_ipv4_raw(&f, 5, 5, 28, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV4);
}

Test(parse, ipv6_version_mismatch)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6_raw(&f, 4, 8, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV6);
}

Test(parse, ipv6_payload_length_beyond_frame)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6_raw(&f, 6, 9, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV6);

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6_raw(&f, 6, 0xffff, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_BAD_IPV6);

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6_raw(&f, 6, 8, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_NONE,
		     "payload length == what is present");
}

/* ---- source MAC ------------------------------------------------------ */

Test(parse, multicast_source_mac)
{
	static const uint8_t group_src[6] = { 0x03, 0, 0, 0, 0, 0x0b };
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_mcast);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_fb(&f, &pp), DP_DROP_BAD_SRC_MAC);

	fb_eth(&f, fb_mac_a, fb_mac_bcast);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_fb(&f, &pp), DP_DROP_BAD_SRC_MAC);

	fb_eth(&f, fb_mac_a, group_src);
	fb_type(&f, 0x88b5);
	cr_expect_eq(parse_fb(&f, &pp), DP_DROP_BAD_SRC_MAC);
}

Test(parse, zero_source_mac)
{
	static const uint8_t zero[6];
	static const uint8_t last_bit[6] = { 0, 0, 0, 0, 0, 1 };
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, zero);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_fb(&f, &pp), DP_DROP_BAD_SRC_MAC);

	fb_eth(&f, fb_mac_a, last_bit);
	fb_type(&f, DP_ETHERTYPE_IPV4);
	fb_ipv4(&f, IPPROTO_UDP_, 8);
	cr_expect_eq(parse_fb(&f, &pp), DP_DROP_NONE,
		     "00:00:00:00:00:01 is a valid source");
}

/* ---- padding --------------------------------------------------------- */

Test(parse, padded_short_ipv4_frame)
{
	struct fb f;
	struct dp_parsed pp;

	build_ipv4(&f, fb_mac_a);          /* total length 28 */
	fb_zeros(&f, 60 - f.len);          /* Ethernet minimum, no FCS */
	cr_assert_eq(f.len, 60);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.l4_ofs, 34);
	cr_expect_eq(pp.ip_proto, IPPROTO_UDP_);
}

Test(parse, padded_short_ipv6_frame)
{
	struct fb f;
	struct dp_parsed pp;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, DP_ETHERTYPE_IPV6);
	fb_ipv6(&f, 59, 0);                /* no next header, no payload */
	fb_zeros(&f, 64 - f.len);
	cr_expect_eq(parse_heap(&f, f.len, &pp), DP_DROP_NONE);
	cr_expect_eq(pp.l4_ofs, 54);
}

Test(parse, drop_names_are_stable)
{
	cr_expect_str_eq(dp_drop_name(DP_DROP_NONE), "none");
	cr_expect_str_eq(dp_drop_name(DP_DROP_TRUNCATED), "truncated");
	cr_expect_str_eq(dp_drop_name(DP_DROP_BAD_IPV4), "bad-ipv4");
	cr_expect_str_eq(dp_drop_name(DP_DROP_BAD_IPV6), "bad-ipv6");
	cr_expect_str_eq(dp_drop_name(DP_DROP_BAD_SRC_MAC), "bad-src-mac");
	cr_expect_str_eq(dp_drop_name(DP_DROP_N), "unknown");
}

/* 802.1Q 8.6.3: the link-local groups are marked, the next group and
 * ordinary multicast are not. */
Test(parse, link_local_groups_marked)
{
	static const uint8_t groups[][6] = {
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 },   /* STP */
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 },   /* Slow Protocols */
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e },   /* LLDP */
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0f },
	};
	static const uint8_t others[][6] = {
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x10 },
		{ 0x01, 0x80, 0xc2, 0x00, 0x01, 0x00 },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
	};
	struct fb f;
	struct dp_parsed pp;

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		fb_eth(&f, groups[i], fb_mac_b);
		fb_type(&f, 0x8809);
		cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
		cr_expect_eq(pp.flags, DP_PF_MULTICAST | DP_PF_LINK_LOCAL,
			     "group %zu", i);
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		fb_eth(&f, others[i], fb_mac_b);
		fb_type(&f, 0x88b5);
		cr_assert_eq(parse_fb(&f, &pp), DP_DROP_NONE);
		cr_expect_eq(pp.flags, DP_PF_MULTICAST, "other %zu", i);
	}
}
