/* Unit tests for dataplane/policy.c: each port-security drop rule next to
 * the frame that must pass, truncation at every byte, and the bandwidth
 * and storm limiters on a virtual clock.  Frames go through the real
 * parser first, as on the fast path, and every frame case runs untagged
 * and with one 802.1Q tag. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataplane/policy.h"
#include "tests/unit/frames.h"

#define P_HOPOPTS 0
#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ROUTING 43
#define P_FRAGMENT 44
#define P_ESP 50
#define P_AH 51
#define P_ICMPV6 58
#define P_NONE 59
#define P_DSTOPTS 60

#define NS_PER_S 1000000000ull
#define NS_PER_HOUR (3600 * NS_PER_S)

/* Fragment header offset/M word: 'ofs8' in 8-octet units. */
#define FRAG(ofs8, more) ((uint16_t)((ofs8) << 3 | ((more) ? 1 : 0)))

/* fb_mac_a is the port's own MAC, fb_mac_b a forged one. */
static const uint8_t mac_v6_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

static const char *const tag_names[2] = { "untagged", "tagged" };

static struct dp_policy_port
port(bool spoofing_allowed, bool dhcp_guard, bool router_guard)
{
	struct dp_policy_port p;

	memset(&p, 0, sizeof(p));
	p.has_mac = true;
	memcpy(p.mac, fb_mac_a, 6);
	p.mac_spoofing_allowed = spoofing_allowed;
	p.dhcp_guard = dhcp_guard;
	p.router_guard = router_guard;
	return p;
}

static struct dp_policy_port
all_on(void)
{
	return port(false, true, true);
}

/* ---- frame builders -------------------------------------------------- */

/* A frame and where its headers start. */
struct built {
	struct fb f;
	uint16_t ethertype;  /* after the tag */
	uint32_t l3;         /* offset of the IP or ARP header */
	uint32_t l4;         /* offset of the ICMP/UDP header (or fragment
			      * data after a non-first Fragment header) */
	uint32_t frag_end;   /* end of the first offset-0 Fragment header */
};

/* One IPv6 extension header: 'len' is the raw length field (8-octet
 * units past the first 8; AH: 4-octet units minus 2), 'frag' the
 * offset/M word of a Fragment header. */
struct ext {
	uint8_t type;
	uint8_t len;
	uint16_t frag;
};

static void
eth_start(struct built *b, int tagged, const uint8_t dst[6],
	  const uint8_t src[6], uint16_t ethertype)
{
	memset(b, 0, sizeof(*b));
	fb_eth(&b->f, dst, src);
	if (tagged)
		fb_tag(&b->f, DP_ETHERTYPE_VLAN, 3, 42);
	fb_type(&b->f, ethertype);
	b->ethertype = ethertype;
	b->l3 = b->f.len;
}

/* Sets the IP length field in 'frame' (the first 'len' bytes of b's
 * frame) so that the IP packet ends exactly at 'len'. */
static void
set_ip_len(uint8_t *frame, uint32_t len, const struct built *b)
{
	uint32_t v;

	if (b->ethertype == DP_ETHERTYPE_IPV4 && len >= b->l3 + 4) {
		v = len - b->l3;
		frame[b->l3 + 2] = (uint8_t)(v >> 8);
		frame[b->l3 + 3] = (uint8_t)v;
	} else if (b->ethertype == DP_ETHERTYPE_IPV6 && len >= b->l3 + 40) {
		v = len - b->l3 - 40;
		frame[b->l3 + 4] = (uint8_t)(v >> 8);
		frame[b->l3 + 5] = (uint8_t)v;
	}
}

static void
finish(struct built *b)
{
	cr_assert_lt(b->f.len, FB_MAX, "test frame overflows its buffer");
	set_ip_len(b->f.b, b->f.len, b);
}

static void
put_bytes(struct fb *f, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fb_put8(f, p[i]);
}

static void
put_udp(struct built *b, uint16_t sport, uint16_t dport,
	const uint8_t *payload, uint32_t n)
{
	b->l4 = b->f.len;
	fb_put16(&b->f, sport);
	fb_put16(&b->f, dport);
	fb_put16(&b->f, (uint16_t)(8 + n));
	fb_put16(&b->f, 0);             /* checksum: not checked */
	put_bytes(&b->f, payload, n);
}

/* IPv4 header (IHL 5 + 'opt_words') starting at b->l3, length fixed by
 * finish(). */
static void
put_ipv4(struct built *b, uint8_t proto, uint8_t opt_words)
{
	fb_ipv4_raw(&b->f, 4, (uint8_t)(5 + opt_words), 0, proto, 0);
}

/* IPv4 'frag' word (flags and offset) of a built frame. */
static void
set_ipv4_frag(struct built *b, uint16_t word)
{
	b->f.b[b->l3 + 6] = (uint8_t)(word >> 8);
	b->f.b[b->l3 + 7] = (uint8_t)word;
}

/* BOOTP (RFC 951) start: op, htype, hlen, hops, xid, secs, flags. */
static void
bootp_start(uint8_t *p, uint8_t op)
{
	static const uint8_t tmpl[12] = { 0, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef,
					  0, 0, 0x80, 0 };

	memcpy(p, tmpl, sizeof(tmpl));
	p[0] = op;
}

/* IPv4/UDP 'sport' -> 'dport' carrying a 12-byte BOOTP start with 'op'
 * (no payload when 'op' is 0). */
static void
build_dhcp4(struct built *b, int tagged, uint16_t sport, uint16_t dport,
	    uint8_t op)
{
	uint8_t bootp[12];

	bootp_start(bootp, op);
	eth_start(b, tagged, fb_mac_bcast, fb_mac_a, DP_ETHERTYPE_IPV4);
	put_ipv4(b, P_UDP, 0);
	put_udp(b, sport, dport, bootp, op ? sizeof(bootp) : 0);
	finish(b);
}

/* IPv4 ICMP of 'type' with an 8-byte header and 28 bytes of body (a
 * redirect's gateway is in the header, the body is the original IP
 * header and 8 bytes). */
static void
build_icmp4(struct built *b, int tagged, uint8_t type, uint8_t code)
{
	eth_start(b, tagged, fb_mac_b, fb_mac_a, DP_ETHERTYPE_IPV4);
	put_ipv4(b, P_ICMP, 0);
	b->l4 = b->f.len;
	fb_put8(&b->f, type);
	fb_put8(&b->f, code);
	fb_put16(&b->f, 0);
	fb_put8(&b->f, 192); fb_put8(&b->f, 0);
	fb_put8(&b->f, 2); fb_put8(&b->f, 254);
	fb_zeros(&b->f, 28);
	finish(b);
}

/* IPv6 header and the extension headers 'x' before 'upper'. */
static void
put_ipv6_chain(struct built *b, const struct ext *x, int n, uint8_t upper)
{
	fb_ipv6_raw(&b->f, 6, 0, n ? x[0].type : upper, 0);
	for (int i = 0; i < n; i++) {
		uint8_t next = i + 1 < n ? x[i + 1].type : upper;

		fb_put8(&b->f, next);
		fb_put8(&b->f, x[i].len);
		switch (x[i].type) {
		case P_FRAGMENT:
			fb_put16(&b->f, x[i].frag);
			fb_put16(&b->f, 0xcafe);      /* identification */
			fb_put16(&b->f, 0xf00d);
			if (!(x[i].frag & 0xfff8) && !b->frag_end)
				b->frag_end = b->f.len;
			break;
		case P_AH:
			fb_zeros(&b->f, ((uint32_t)x[i].len + 2) * 4 - 2);
			break;
		default:        /* Pad1 options / routing data: zeros */
			fb_zeros(&b->f, ((uint32_t)x[i].len + 1) * 8 - 2);
			break;
		}
	}
}

/* IPv6 ICMPv6 of 'type' behind 'x': 4-byte header, 12 bytes of message
 * body and a source link-layer address option, 24 bytes in all, like an
 * RA. */
static void
build_icmp6(struct built *b, int tagged, const struct ext *x, int n,
	    uint8_t type)
{
	eth_start(b, tagged, mac_v6_allnodes, fb_mac_a, DP_ETHERTYPE_IPV6);
	put_ipv6_chain(b, x, n, P_ICMPV6);
	b->l4 = b->f.len;
	fb_put8(&b->f, type);
	fb_put8(&b->f, 0);
	fb_put16(&b->f, 0);
	fb_put8(&b->f, 64);             /* RA: cur hop limit */
	fb_put8(&b->f, 0);
	fb_put16(&b->f, 1800);          /* router lifetime */
	fb_zeros(&b->f, 8);             /* reachable, retrans timers */
	fb_put8(&b->f, 1);              /* SLLA option */
	fb_put8(&b->f, 1);
	put_bytes(&b->f, fb_mac_a, 6);
	finish(b);
}

/* IPv6/UDP 'sport' -> 'dport' behind 'x' with an 8-byte DHCPv6 message
 * of 'msg_type' (RFC 8415 section 8): type, transaction-id, empty option. */
static void
build_dhcp6(struct built *b, int tagged, const struct ext *x, int n,
	    uint16_t sport, uint16_t dport, uint8_t msg_type)
{
	const uint8_t msg[8] = { msg_type, 0x12, 0x34, 0x56, 0, 8, 0, 0 };

	eth_start(b, tagged, fb_mac_b, fb_mac_a, DP_ETHERTYPE_IPV6);
	put_ipv6_chain(b, x, n, P_UDP);
	put_udp(b, sport, dport, msg, sizeof(msg));
	finish(b);
}

/* Ethernet/IPv4 ARP from 'src' (RFC 826) with the given hardware type,
 * hardware address length, opcode and sender hardware address. */
static void
build_arp(struct built *b, int tagged, const uint8_t src[6], uint16_t htype,
	  uint8_t hlen, uint16_t op, const uint8_t sha[6])
{
	eth_start(b, tagged, fb_mac_bcast, src, DP_ETHERTYPE_ARP);
	fb_put16(&b->f, htype);
	fb_put16(&b->f, DP_ETHERTYPE_IPV4);
	fb_put8(&b->f, hlen);
	fb_put8(&b->f, 4);
	fb_put16(&b->f, op);
	put_bytes(&b->f, sha, 6);
	fb_put8(&b->f, 192); fb_put8(&b->f, 0);
	fb_put8(&b->f, 2); fb_put8(&b->f, 1);
	fb_zeros(&b->f, 6);
	fb_put8(&b->f, 192); fb_put8(&b->f, 0);
	fb_put8(&b->f, 2); fb_put8(&b->f, 2);
	finish(b);
}

/* ---- running the classifier ------------------------------------------ */

/* Parses 'len' bytes at 'frame' and, if the parser accepts them, applies
 * the policy: the fast path's order. */
static enum dp_drop
run(const struct dp_policy_port *p, const uint8_t *frame, uint32_t len)
{
	struct dp_parsed pp;
	enum dp_drop r = dp_parse_frame(frame, len, &pp);

	return r != DP_DROP_NONE ? r : dp_policy_ingress(p, frame, len, &pp);
}

/* Runs the first 'len' bytes of 'b' from a heap block of exactly 'len'
 * bytes, so ASan or valgrind flag any read past the end.  With 'fix' the
 * IP length is first set to end at 'len', so the parser accepts the
 * prefix and the policy's own bounds checks are what is tested. */
static enum dp_drop
run_heap(const struct dp_policy_port *p, const struct built *b, uint32_t len,
	 bool fix)
{
	uint8_t *h = malloc(len);
	enum dp_drop r;

	cr_assert(h != NULL || len == 0);
	if (len)
		memcpy(h, b->f.b, len);
	if (fix)
		set_ip_len(h, len, b);
	r = run(p, h, len);
	free(h);
	return r;
}

/* Maps a page with an inaccessible page after it; returns the first. */
static uint8_t *
guard_map(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert(m != MAP_FAILED);
	cr_assert(mprotect(m + pg, pg, PROT_NONE) == 0);
	return m;
}

static void
guard_unmap(uint8_t *m)
{
	munmap(m, 2 * (size_t)sysconf(_SC_PAGESIZE));
}

/* As run_heap() with 'fix', but the prefix ends right before an
 * inaccessible page: an overread crashes even without sanitizers. */
static enum dp_drop
run_guarded(const struct dp_policy_port *p, const struct built *b,
	    uint32_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m = guard_map();
	uint8_t *h = m + pg - len;
	enum dp_drop r;

	memcpy(h, b->f.b, len);
	set_ip_len(h, len, b);
	r = run(p, h, len);
	guard_unmap(m);
	return r;
}

/* Applies the policy alone to the first 'len' bytes of 'b' with the parse
 * of the whole frame: offsets past 'size' must not be trusted either. */
static enum dp_drop
run_stale(const struct dp_policy_port *p, const struct built *b, uint32_t len)
{
	struct dp_parsed pp;
	uint8_t *h = malloc(len);
	enum dp_drop r;

	cr_assert_eq(dp_parse_frame(b->f.b, b->f.len, &pp), DP_DROP_NONE);
	cr_assert(h != NULL || len == 0);
	if (len)
		memcpy(h, b->f.b, len);
	r = dp_policy_ingress(p, h, len, &pp);
	free(h);
	return r;
}

static void
check(const struct dp_policy_port *p, const struct built *b,
      enum dp_drop want, const char *what, int tagged)
{
	enum dp_drop got = run_heap(p, b, b->f.len, false);

	cr_expect_eq(got, want, "%s (%s): got %s, want %s", what,
		     tag_names[tagged], dp_drop_name(got), dp_drop_name(want));
}

/* Cuts 'b' at every length below its own.  Below 'l3 + l3_min' the
 * parser rejects the prefix (TRUNCATED); below 'need', the end of the
 * header that decides, the policy reports the cut (IPV6_HEADER_CHAIN
 * once past the first Fragment header, else TRUNCATED); from 'need' on
 * the verdict is 'verdict', as for the whole frame. */
static void
check_every_cut(const struct dp_policy_port *p, const struct built *b,
		uint32_t l3_min, uint32_t need, enum dp_drop verdict,
		const char *what, int tagged)
{
	cr_assert_leq(need, b->f.len);
	check(p, b, verdict, what, tagged);
	for (uint32_t len = 0; len < b->f.len; len++) {
		enum dp_drop want, got;

		if (len < b->l3 + l3_min)
			want = DP_DROP_TRUNCATED;
		else if (len < need)
			want = b->frag_end && len >= b->frag_end
				       ? DP_DROP_IPV6_HEADER_CHAIN
				       : DP_DROP_TRUNCATED;
		else
			want = verdict;
		got = run_heap(p, b, len, true);
		cr_expect_eq(got, want, "%s (%s) cut at %u of %u: got %s, "
			     "want %s", what, tag_names[tagged], len, b->f.len,
			     dp_drop_name(got), dp_drop_name(want));
		got = run_guarded(p, b, len);
		cr_expect_eq(got, want, "%s (%s) guarded cut at %u: got %s",
			     what, tag_names[tagged], len, dp_drop_name(got));
		got = run_heap(p, b, len, false);
		cr_expect_neq(got, DP_DROP_NONE, "%s (%s) cut at %u, IP "
			      "length unchanged: accepted", what,
			      tag_names[tagged], len);
		got = run_stale(p, b, len);
		cr_expect_eq(got, DP_DROP_TRUNCATED, "%s (%s) cut at %u with "
			     "the whole frame's parse: got %s", what,
			     tag_names[tagged], len, dp_drop_name(got));
	}
}

/* ---- MAC spoofing guard ---------------------------------------------- */

Test(policy, mac_spoofing_guard_drops_foreign_source)
{
	struct dp_policy_port p = port(false, false, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		eth_start(&b, t, fb_mac_a, fb_mac_b, DP_ETHERTYPE_IPV4);
		put_ipv4(&b, P_TCP, 0);
		fb_zeros(&b.f, 20);
		finish(&b);
		check(&p, &b, DP_DROP_MAC_SPOOFING, "forged source", t);
		eth_start(&b, t, fb_mac_b, fb_mac_a, DP_ETHERTYPE_IPV4);
		put_ipv4(&b, P_TCP, 0);
		fb_zeros(&b.f, 20);
		finish(&b);
		check(&p, &b, DP_DROP_NONE, "own source", t);
	}
}

Test(policy, mac_spoofing_differs_in_last_byte_only)
{
	static const uint8_t near[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	static const uint8_t far[6] = { 0x12, 0, 0, 0, 0, 0x0a };
	struct dp_policy_port p = port(false, false, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		eth_start(&b, t, fb_mac_bcast, near, 0x88b5);
		fb_zeros(&b.f, 46);
		check(&p, &b, DP_DROP_MAC_SPOOFING, "last byte differs", t);
		eth_start(&b, t, fb_mac_bcast, far, 0x88b5);
		fb_zeros(&b.f, 46);
		check(&p, &b, DP_DROP_MAC_SPOOFING, "first byte differs", t);
		eth_start(&b, t, fb_mac_bcast, fb_mac_a, 0x88b5);
		fb_zeros(&b.f, 46);
		check(&p, &b, DP_DROP_NONE, "own MAC, other EtherType", t);
	}
}

Test(policy, mac_spoofing_allowed_passes_any_source)
{
	struct dp_policy_port p = port(true, false, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		eth_start(&b, t, fb_mac_a, fb_mac_b, DP_ETHERTYPE_IPV4);
		put_ipv4(&b, P_TCP, 0);
		fb_zeros(&b.f, 20);
		finish(&b);
		check(&p, &b, DP_DROP_NONE, "forged source, spoofing on", t);
		build_arp(&b, t, fb_mac_b, 1, 6, 2, fb_mac_b);
		check(&p, &b, DP_DROP_NONE, "forged ARP, spoofing on", t);
	}
}

Test(policy, mac_spoofing_guard_needs_port_mac)
{
	struct dp_policy_port p = port(false, false, false);
	struct built b;

	p.has_mac = false;
	for (int t = 0; t < 2; t++) {
		eth_start(&b, t, fb_mac_a, fb_mac_b, DP_ETHERTYPE_IPV4);
		put_ipv4(&b, P_TCP, 0);
		fb_zeros(&b.f, 20);
		finish(&b);
		check(&p, &b, DP_DROP_NONE, "no port MAC: no guard", t);
		build_arp(&b, t, fb_mac_b, 1, 6, 1, fb_mac_b);
		check(&p, &b, DP_DROP_NONE, "no port MAC: ARP passes", t);
	}
}

Test(policy, default_port_is_spoofing_guarded)
{
	struct dp_policy_port p;
	struct built b;

	memset(&p, 0, sizeof(p));          /* Hyper-V defaults */
	p.has_mac = true;
	memcpy(p.mac, fb_mac_a, 6);
	cr_expect(!p.mac_spoofing_allowed && !p.dhcp_guard && !p.router_guard);
	build_arp(&b, 0, fb_mac_b, 1, 6, 1, fb_mac_b);
	check(&p, &b, DP_DROP_MAC_SPOOFING, "zeroed config", 0);
	build_icmp6(&b, 0, NULL, 0, 134);
	check(&p, &b, DP_DROP_NONE, "router guard off by default", 0);
	build_dhcp4(&b, 0, 67, 68, 2);
	check(&p, &b, DP_DROP_NONE, "DHCP guard off by default", 0);
}

Test(policy, arp_spoofing_request_and_reply)
{
	struct dp_policy_port p = port(false, false, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (uint16_t op = 1; op <= 2; op++) {
			build_arp(&b, t, fb_mac_a, 1, 6, op, fb_mac_b);
			check(&p, &b, DP_DROP_ARP_SPOOFING,
			      op == 1 ? "request, forged SHA"
				      : "reply, forged SHA", t);
			build_arp(&b, t, fb_mac_a, 1, 6, op, fb_mac_a);
			check(&p, &b, DP_DROP_NONE,
			      op == 1 ? "request, own SHA" : "reply, own SHA",
			      t);
			build_arp(&b, t, fb_mac_b, 1, 6, op, fb_mac_a);
			check(&p, &b, DP_DROP_MAC_SPOOFING,
			      "forged Ethernet source: MAC guard first", t);
		}
		build_arp(&b, t, fb_mac_a, 1, 6, 8, fb_mac_b);
		check(&p, &b, DP_DROP_ARP_SPOOFING, "InARP, forged SHA", t);
	}
}

Test(policy, arp_that_cannot_be_checked_is_dropped)
{
	struct dp_policy_port p = port(false, false, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_arp(&b, t, fb_mac_a, 6, 6, 1, fb_mac_a);
		check(&p, &b, DP_DROP_ARP_SPOOFING, "HTYPE 6 (IEEE 802)", t);
		build_arp(&b, t, fb_mac_a, 1, 8, 1, fb_mac_a);
		check(&p, &b, DP_DROP_ARP_SPOOFING, "HLEN 8", t);
		p.mac_spoofing_allowed = true;
		check(&p, &b, DP_DROP_NONE, "HLEN 8, spoofing on", t);
		p.mac_spoofing_allowed = false;
	}
}

Test(policy, mac_guard_checked_before_ip_guards)
{
	struct dp_policy_port p = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_icmp6(&b, t, NULL, 0, 134);
		memcpy(b.f.b + 6, fb_mac_b, 6);
		check(&p, &b, DP_DROP_MAC_SPOOFING, "forged RA", t);
		build_dhcp4(&b, t, 67, 68, 2);
		memcpy(b.f.b + 6, fb_mac_b, 6);
		check(&p, &b, DP_DROP_MAC_SPOOFING, "forged DHCP offer", t);
	}
}

/* With every guard off, or the MAC guard without a MAC, no byte of the
 * frame is read: the frame sits in an inaccessible page. */
Test(policy, guards_off_read_nothing)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m = guard_map();
	struct dp_policy_port off = port(true, false, false);
	struct dp_policy_port nomac = port(false, false, false);
	struct dp_parsed pp;
	struct built b;

	nomac.has_mac = false;
	build_icmp6(&b, 0, NULL, 0, 134);
	cr_assert_eq(dp_parse_frame(b.f.b, b.f.len, &pp), DP_DROP_NONE);
	cr_expect_eq(dp_policy_ingress(&off, m + pg, b.f.len, &pp),
		     DP_DROP_NONE);
	cr_expect_eq(dp_policy_ingress(&nomac, m + pg, b.f.len, &pp),
		     DP_DROP_NONE);
	guard_unmap(m);
}

Test(policy, other_ethertypes_pass_ip_guards)
{
	struct dp_policy_port p = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		eth_start(&b, t, fb_mac_bcast, fb_mac_a, 0x88cc);  /* LLDP */
		fb_zeros(&b.f, 46);
		check(&p, &b, DP_DROP_NONE, "LLDP", t);
		eth_start(&b, t, fb_mac_bcast, fb_mac_a, 0x88b5);
		check(&p, &b, DP_DROP_NONE, "header-only frame", t);
	}
}

/* Two tags: the parser reaches L3 and so do the guards (the VLAN stage
 * drops the frame too).  Three tags: the parser stops, only L2 is left. */
Test(policy, stacked_tags)
{
	struct dp_policy_port p = all_on();
	struct built b;

	for (int tags = 2; tags <= 3; tags++) {
		memset(&b, 0, sizeof(b));
		fb_eth(&b.f, mac_v6_allnodes, fb_mac_a);
		fb_tag(&b.f, DP_ETHERTYPE_QINQ, 0, 100);
		for (int i = 1; i < tags; i++)
			fb_tag(&b.f, DP_ETHERTYPE_VLAN, 0, 42);
		fb_type(&b.f, DP_ETHERTYPE_IPV6);
		b.ethertype = DP_ETHERTYPE_IPV6;
		b.l3 = b.f.len;
		fb_ipv6(&b.f, P_ICMPV6, 16);
		b.f.b[b.l3 + 40] = 134;
		check(&p, &b, tags == 2 ? DP_DROP_ROUTER_GUARD : DP_DROP_NONE,
		      tags == 2 ? "RA behind two tags" : "RA behind three",
		      0);
		memcpy(b.f.b + 6, fb_mac_b, 6);
		check(&p, &b, DP_DROP_MAC_SPOOFING, "forged, stacked tags", 0);
	}
}

/* ---- DHCP guard, IPv4 ------------------------------------------------ */

Test(policy, dhcpv4_server_messages_dropped)
{
	static const struct {
		uint16_t sport, dport;
		uint8_t op;
		const char *what;
	} cases[] = {
		{ 67, 68, 2, "OFFER/ACK/NAK to a client" },
		{ 67, 67, 2, "reply to a relay" },
		{ 67, 67, 1, "relay to server: any source port 67" },
		{ 67, 68, 0, "source port 67, empty" },
		{ 67, 5000, 1, "source port 67, other port" },
		{ 4000, 68, 2, "BOOTREPLY to a client from port 4000" },
		{ 4000, 67, 2, "BOOTREPLY to a relay from port 4000" },
	};
	struct dp_policy_port on = port(false, true, false);
	struct dp_policy_port off = port(false, false, true);
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			build_dhcp4(&b, t, cases[i].sport, cases[i].dport,
				    cases[i].op);
			check(&on, &b, DP_DROP_DHCP_GUARD, cases[i].what, t);
			check(&off, &b, DP_DROP_NONE, cases[i].what, t);
		}
	}
}

Test(policy, dhcpv4_client_messages_pass)
{
	static const struct {
		uint16_t sport, dport;
		uint8_t op;
		const char *what;
	} cases[] = {
		{ 68, 67, 1, "DISCOVER/REQUEST/RELEASE" },
		{ 4000, 67, 1, "BOOTREQUEST from another port" },
		{ 68, 4000, 2, "op 2 to a non-DHCP port" },
		{ 5353, 53, 2, "DNS" },
		{ 68, 68, 1, "BOOTREQUEST to port 68" },
	};
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			build_dhcp4(&b, t, cases[i].sport, cases[i].dport,
				    cases[i].op);
			check(&on, &b, DP_DROP_NONE, cases[i].what, t);
		}
	}
}

/* IPv4 with 'opt_words' option words, UDP 'sport' -> 68, BOOTP 'op'. */
static void
build_dhcp4_opts(struct built *b, int tagged, uint8_t opt_words,
		 uint16_t sport, uint8_t op)
{
	uint8_t bootp[12];

	bootp_start(bootp, op);
	eth_start(b, tagged, fb_mac_bcast, fb_mac_a, DP_ETHERTYPE_IPV4);
	put_ipv4(b, P_UDP, opt_words);
	put_udp(b, sport, 68, bootp, sizeof(bootp));
	finish(b);
}

Test(policy, dhcpv4_after_ip_options)
{
	struct dp_policy_port on = port(false, true, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (uint8_t words = 1; words <= 10; words++) {
			build_dhcp4_opts(&b, t, words, 67, 2);
			cr_assert_eq(b.l4, b.l3 + 20 + 4u * words);
			check(&on, &b, DP_DROP_DHCP_GUARD, "IPv4 options", t);
			build_dhcp4_opts(&b, t, words, 4000, 2);
			check(&on, &b, DP_DROP_DHCP_GUARD, "options, forged", t);
			build_dhcp4_opts(&b, t, words, 4000, 1);
			check(&on, &b, DP_DROP_NONE, "options, request", t);
		}
	}
}

Test(policy, dhcpv4_fragments)
{
	struct dp_policy_port on = port(false, true, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_dhcp4(&b, t, 67, 68, 2);
		set_ipv4_frag(&b, 0x2000);                 /* MF, offset 0 */
		check(&on, &b, DP_DROP_DHCP_GUARD, "first fragment", t);
		set_ipv4_frag(&b, 0x2000 | 185);           /* offset 1480 */
		check(&on, &b, DP_DROP_NONE, "middle fragment", t);
		set_ipv4_frag(&b, 185);
		check(&on, &b, DP_DROP_NONE, "last fragment", t);

		/* A first fragment with half a UDP header (RFC 1858). */
		eth_start(&b, t, fb_mac_bcast, fb_mac_a, DP_ETHERTYPE_IPV4);
		put_ipv4(&b, P_UDP, 0);
		fb_put16(&b.f, 67);
		fb_put16(&b.f, 68);
		finish(&b);
		set_ipv4_frag(&b, 0x2000);
		check(&on, &b, DP_DROP_TRUNCATED, "tiny first fragment", t);
	}
}

/* The IP total length bounds the datagram; Ethernet padding after it is
 * not read as a BOOTP op. */
Test(policy, dhcpv4_padding_is_not_payload)
{
	struct dp_policy_port on = port(false, true, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_dhcp4(&b, t, 4000, 68, 0);   /* UDP header only */
		fb_put8(&b.f, 2);                  /* padding: 'BOOTREPLY' */
		fb_zeros(&b.f, 60 - b.f.len);
		check(&on, &b, DP_DROP_TRUNCATED, "no op byte in the IP "
		      "datagram", t);
	}
}

Test(policy, truncated_dhcpv4_every_byte)
{
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_dhcp4(&b, t, 67, 68, 2);
		check_every_cut(&on, &b, 20, b.l4 + 8, DP_DROP_DHCP_GUARD,
				"DHCPv4 server", t);
		build_dhcp4(&b, t, 4000, 68, 2);
		check_every_cut(&on, &b, 20, b.l4 + 9, DP_DROP_DHCP_GUARD,
				"DHCPv4 forged port", t);
		build_dhcp4(&b, t, 68, 67, 1);
		check_every_cut(&on, &b, 20, b.l4 + 9, DP_DROP_NONE,
				"DHCPv4 client", t);
	}
}

/* ---- DHCP guard, IPv6 ------------------------------------------------ */

Test(policy, dhcpv6_server_messages_dropped)
{
	static const struct {
		uint8_t type;
		uint16_t dport;
		const char *what;
	} cases[] = {
		{ 2, 546, "ADVERTISE" },
		{ 7, 546, "REPLY" },
		{ 10, 546, "RECONFIGURE" },
		{ 13, 547, "RELAY-REPL" },
		{ 13, 546, "RELAY-REPL to a client port" },
		{ 7, 5000, "REPLY from 547 to another port" },
	};
	struct dp_policy_port on = port(false, true, false);
	struct dp_policy_port off = port(false, false, true);
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			build_dhcp6(&b, t, NULL, 0, 547, cases[i].dport,
				    cases[i].type);
			check(&on, &b, DP_DROP_DHCP_GUARD, cases[i].what, t);
			check(&off, &b, DP_DROP_NONE, cases[i].what, t);
			build_dhcp6(&b, t, NULL, 0, 4000,
				    cases[i].dport == 5000 ? 546
							   : cases[i].dport,
				    cases[i].type);
			check(&on, &b, DP_DROP_DHCP_GUARD, "from port 4000", t);
		}
	}
}

Test(policy, dhcpv6_client_messages_pass)
{
	/* SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE, DECLINE,
	 * INFORMATION-REQUEST (RFC 8415 section 7.3). */
	static const uint8_t client_types[] = { 1, 3, 4, 5, 6, 8, 9, 11 };
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(client_types); i++) {
			build_dhcp6(&b, t, NULL, 0, 546, 547, client_types[i]);
			check(&on, &b, DP_DROP_NONE, "client message", t);
		}
		build_dhcp6(&b, t, NULL, 0, 547, 547, 12);
		check(&on, &b, DP_DROP_NONE, "RELAY-FORW from a relay", t);
		build_dhcp6(&b, t, NULL, 0, 4000, 4001, 7);
		check(&on, &b, DP_DROP_NONE, "type 7, not DHCPv6 ports", t);
		build_dhcp6(&b, t, NULL, 0, 546, 4001, 2);
		check(&on, &b, DP_DROP_NONE, "from the client port", t);
	}
}

Test(policy, dhcpv6_behind_extension_headers)
{
	static const struct ext hbh_dst[] = {
		{ P_HOPOPTS, 0, 0 }, { P_DSTOPTS, 1, 0 },
	};
	static const struct ext first[] = {
		{ P_FRAGMENT, 0, FRAG(0, 1) },
	};
	static const struct ext later[] = {
		{ P_HOPOPTS, 0, 0 }, { P_FRAGMENT, 0, FRAG(3, 1) },
	};
	struct dp_policy_port on = port(false, true, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_dhcp6(&b, t, hbh_dst, 2, 547, 546, 7);
		check(&on, &b, DP_DROP_DHCP_GUARD, "REPLY behind HBH+DST", t);
		build_dhcp6(&b, t, hbh_dst, 2, 546, 547, 1);
		check(&on, &b, DP_DROP_NONE, "SOLICIT behind HBH+DST", t);
		build_dhcp6(&b, t, first, 1, 547, 546, 2);
		check(&on, &b, DP_DROP_DHCP_GUARD, "ADVERTISE, 1st frag", t);
		build_dhcp6(&b, t, later, 2, 547, 546, 2);
		check(&on, &b, DP_DROP_NONE, "non-first fragment", t);
	}
}

Test(policy, truncated_dhcpv6_every_byte)
{
	static const struct ext chain[] = {
		{ P_HOPOPTS, 0, 0 }, { P_FRAGMENT, 0, FRAG(0, 1) },
		{ P_DSTOPTS, 2, 0 },
	};
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_dhcp6(&b, t, NULL, 0, 547, 546, 7);
		check_every_cut(&on, &b, 40, b.l4 + 9, DP_DROP_DHCP_GUARD,
				"DHCPv6 REPLY", t);
		build_dhcp6(&b, t, NULL, 0, 546, 547, 1);
		check_every_cut(&on, &b, 40, b.l4 + 9, DP_DROP_NONE,
				"DHCPv6 SOLICIT", t);
		build_dhcp6(&b, t, chain, 3, 547, 546, 10);
		check_every_cut(&on, &b, 40, b.l4 + 9, DP_DROP_DHCP_GUARD,
				"DHCPv6 RECONFIGURE, first fragment", t);
	}
}

/* ---- router guard ---------------------------------------------------- */

Test(policy, router_guard_drops_ra_and_redirects)
{
	struct dp_policy_port on = port(false, false, true);
	struct dp_policy_port off = port(false, true, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_icmp6(&b, t, NULL, 0, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "RA", t);
		check(&off, &b, DP_DROP_NONE, "RA, guard off", t);
		build_icmp6(&b, t, NULL, 0, 137);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "ICMPv6 redirect", t);
		check(&off, &b, DP_DROP_NONE, "ICMPv6 redirect, off", t);
		for (uint8_t code = 0; code <= 3; code++) {
			build_icmp4(&b, t, 5, code);
			check(&on, &b, DP_DROP_ROUTER_GUARD, "ICMP redirect",
			      t);
			check(&off, &b, DP_DROP_NONE, "ICMP redirect, off", t);
		}
	}
}

Test(policy, router_guard_passes_other_icmp)
{
	/* Echo, RS, NS, NA, MLD query/report, errors. */
	static const uint8_t v6[] = { 1, 2, 3, 4, 128, 129, 130, 131, 133,
				      135, 136, 143 };
	/* Echo reply, unreachable, echo, IRDP advertisement and
	 * solicitation, time exceeded. */
	static const uint8_t v4[] = { 0, 3, 8, 9, 10, 11 };
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(v6); i++) {
			build_icmp6(&b, t, NULL, 0, v6[i]);
			check(&on, &b, DP_DROP_NONE, "other ICMPv6", t);
		}
		for (size_t i = 0; i < sizeof(v4); i++) {
			build_icmp4(&b, t, v4[i], 0);
			check(&on, &b, DP_DROP_NONE, "other ICMPv4", t);
		}
	}
}

Test(policy, guards_are_independent)
{
	struct dp_policy_port dhcp_only = port(false, true, false);
	struct dp_policy_port router_only = port(false, false, true);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_icmp6(&b, t, NULL, 0, 134);
		check(&dhcp_only, &b, DP_DROP_NONE, "RA, DHCP guard only", t);
		build_icmp4(&b, t, 5, 1);
		check(&dhcp_only, &b, DP_DROP_NONE, "redirect, DHCP only", t);
		build_dhcp6(&b, t, NULL, 0, 547, 546, 7);
		check(&router_only, &b, DP_DROP_NONE, "DHCPv6, router only",
		      t);
		build_dhcp4(&b, t, 67, 68, 2);
		check(&router_only, &b, DP_DROP_NONE, "DHCPv4, router only",
		      t);
	}
}

static const struct ext one_hdr[] = {
	{ P_HOPOPTS, 0, 0 },
};

static const struct ext two_hdrs[] = {
	{ P_HOPOPTS, 0, 0 }, { P_DSTOPTS, 1, 0 },
};

static const struct ext eight_hdrs[] = {
	{ P_HOPOPTS, 0, 0 }, { P_DSTOPTS, 1, 0 }, { P_ROUTING, 0, 0 },
	{ P_DSTOPTS, 0, 0 }, { P_ROUTING, 2, 0 }, { P_DSTOPTS, 0, 0 },
	{ P_ROUTING, 0, 0 }, { P_DSTOPTS, 1, 0 },
};

Test(policy, ra_behind_1_2_and_8_extension_headers)
{
	static const struct {
		const struct ext *x;
		int n;
	} chains[] = { { one_hdr, 1 }, { two_hdrs, 2 }, { eight_hdrs, 8 } };
	struct dp_policy_port on = port(false, false, true);
	struct dp_policy_port off = port(false, true, false);
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < 3; i++) {
			const struct ext *x = chains[i].x;
			int n = chains[i].n;

			build_icmp6(&b, t, x, n, 134);
			check(&on, &b, DP_DROP_ROUTER_GUARD, "RA", t);
			check(&off, &b, DP_DROP_NONE, "RA, guard off", t);
			build_icmp6(&b, t, x, n, 137);
			check(&on, &b, DP_DROP_ROUTER_GUARD, "redirect", t);
			build_icmp6(&b, t, x, n, 128);
			check(&on, &b, DP_DROP_NONE, "echo request", t);
			build_icmp6(&b, t, x, n, 133);
			check(&on, &b, DP_DROP_NONE, "RS", t);
		}
	}
}

Test(policy, ra_behind_ah_and_long_chains)
{
	static const struct ext ah[] = {
		{ P_DSTOPTS, 0, 0 }, { P_AH, 4, 0 }, { P_DSTOPTS, 0, 0 },
	};
	static const struct ext big[] = {
		{ P_HOPOPTS, 15, 0 }, { P_DSTOPTS, 1, 0 },
	};
	struct ext many[20];
	struct dp_policy_port on = port(false, false, true);
	struct built b;

	for (int i = 0; i < 20; i++)
		many[i] = (struct ext){ i % 2 ? P_ROUTING : P_DSTOPTS, 0, 0 };
	for (int t = 0; t < 2; t++) {
		build_icmp6(&b, t, ah, 3, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "RA behind AH", t);
		build_icmp6(&b, t, big, 2, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "RA behind 128-byte HBH",
		      t);
		build_icmp6(&b, t, many, 20, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "RA behind 20 headers",
		      t);
		build_icmp6(&b, t, many, 20, 129);
		check(&on, &b, DP_DROP_NONE, "echo reply behind 20", t);
	}
}

Test(policy, fragmented_ra)
{
	static const struct ext first_m[] = {
		{ P_FRAGMENT, 0, FRAG(0, 1) },
	};
	static const struct ext atomic[] = {
		{ P_FRAGMENT, 0, FRAG(0, 0) },
	};
	static const struct ext dst_first[] = {
		{ P_HOPOPTS, 0, 0 }, { P_FRAGMENT, 0, FRAG(0, 1) },
		{ P_DSTOPTS, 1, 0 },
	};
	static const struct ext second[] = {
		{ P_FRAGMENT, 0, FRAG(1, 1) },
	};
	static const struct ext last[] = {
		{ P_HOPOPTS, 0, 0 }, { P_FRAGMENT, 0, FRAG(100, 0) },
	};
	struct dp_policy_port on = port(false, false, true);
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_icmp6(&b, t, first_m, 1, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "first fragment", t);
		build_icmp6(&b, t, atomic, 1, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "atomic fragment", t);
		build_icmp6(&b, t, dst_first, 3, 134);
		check(&on, &b, DP_DROP_ROUTER_GUARD, "HBH, frag, DST", t);
		build_icmp6(&b, t, dst_first, 3, 128);
		check(&on, &b, DP_DROP_NONE, "echo, HBH, frag, DST", t);
		/* What follows a non-first Fragment header is data, even if
		 * it looks like an RA. */
		build_icmp6(&b, t, second, 1, 134);
		check(&on, &b, DP_DROP_NONE, "second fragment", t);
		build_icmp6(&b, t, last, 2, 134);
		check(&on, &b, DP_DROP_NONE, "last fragment", t);
	}
}

/* RFC 7112: a first fragment must hold the whole chain up to and
 * including the upper-layer header. */
Test(policy, first_fragment_without_upper_layer_header)
{
	static const struct ext chain[] = {
		{ P_FRAGMENT, 0, FRAG(0, 1) }, { P_DSTOPTS, 3, 0 },
	};
	struct dp_policy_port on = port(false, false, true);
	struct built b;

	for (int t = 0; t < 2; t++) {
		/* The chain ends with next header 58 and 0-3 ICMPv6 bytes. */
		for (uint32_t keep = 0; keep < 4; keep++) {
			build_icmp6(&b, t, chain, 2, 134);
			b.f.len = b.l4 + keep;
			finish(&b);
			check(&on, &b, DP_DROP_IPV6_HEADER_CHAIN,
			      "chain ends before ICMPv6", t);
		}
		/* The destination options header runs past the fragment. */
		build_icmp6(&b, t, chain, 2, 134);
		b.f.len = b.frag_end + 16;
		finish(&b);
		check(&on, &b, DP_DROP_IPV6_HEADER_CHAIN,
		      "DST header cut by the fragment end", t);
		/* Unfragmented, the same cut is a truncated packet. */
		build_icmp6(&b, t, chain + 1, 1, 134);
		b.f.len = b.l3 + 40 + 16;
		finish(&b);
		check(&on, &b, DP_DROP_TRUNCATED, "DST header cut", t);
	}
}

Test(policy, chain_ends_esp_none_unknown_pass)
{
	static const struct ext dst[] = { { P_DSTOPTS, 0, 0 } };
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		static const uint8_t ends[] = { P_ESP, P_NONE, P_TCP, 150 };

		for (size_t i = 0; i < sizeof(ends); i++) {
			eth_start(&b, t, mac_v6_allnodes, fb_mac_a,
				  DP_ETHERTYPE_IPV6);
			put_ipv6_chain(&b, dst, 1, ends[i]);
			b.l4 = b.f.len;
			fb_put8(&b.f, 134);     /* looks like an RA */
			fb_zeros(&b.f, 23);
			finish(&b);
			check(&on, &b, DP_DROP_NONE, "chain end", t);
		}
	}
}

Test(policy, truncated_ra_every_byte)
{
	static const struct ext frag_chain[] = {
		{ P_DSTOPTS, 0, 0 }, { P_FRAGMENT, 0, FRAG(0, 1) },
		{ P_HOPOPTS, 1, 0 }, { P_AH, 4, 0 }, { P_ROUTING, 0, 0 },
	};
	static const struct {
		const struct ext *x;
		int n;
		const char *what;
	} chains[] = {
		{ NULL, 0, "RA" },
		{ one_hdr, 1, "RA behind 1" },
		{ two_hdrs, 2, "RA behind 2" },
		{ eight_hdrs, 8, "RA behind 8" },
		{ frag_chain, 5, "RA in a first fragment" },
	};
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]);
		     i++) {
			build_icmp6(&b, t, chains[i].x, chains[i].n, 134);
			check_every_cut(&on, &b, 40, b.l4 + 4,
					DP_DROP_ROUTER_GUARD, chains[i].what,
					t);
			build_icmp6(&b, t, chains[i].x, chains[i].n, 128);
			check_every_cut(&on, &b, 40, b.l4 + 4, DP_DROP_NONE,
					"echo behind the same", t);
		}
	}
}

Test(policy, truncated_icmpv4_redirect_every_byte)
{
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_icmp4(&b, t, 5, 1);
		check_every_cut(&on, &b, 20, b.l4 + 8, DP_DROP_ROUTER_GUARD,
				"ICMP redirect", t);
		build_icmp4(&b, t, 8, 0);
		check_every_cut(&on, &b, 20, b.l4 + 8, DP_DROP_NONE,
				"ICMP echo", t);
	}
}

Test(policy, truncated_arp_every_byte)
{
	struct dp_policy_port on = all_on();
	struct built b;

	for (int t = 0; t < 2; t++) {
		build_arp(&b, t, fb_mac_a, 1, 6, 1, fb_mac_b);
		check_every_cut(&on, &b, 28, b.l3 + 28, DP_DROP_ARP_SPOOFING,
				"forged ARP", t);
		build_arp(&b, t, fb_mac_a, 1, 6, 2, fb_mac_a);
		check_every_cut(&on, &b, 28, b.l3 + 28, DP_DROP_NONE,
				"own ARP", t);
	}
}

/* ---- maximum bandwidth ----------------------------------------------- */

Test(policy, tbucket_rate_0_is_unlimited)
{
	struct dp_tbucket tb;

	dp_tbucket_init(&tb, 0, 0, 0);
	for (int i = 0; i < 100000; i++)
		cr_assert(dp_tbucket_take(&tb, 0, UINT32_MAX));
}

Test(policy, tbucket_default_burst)
{
	cr_expect_eq(dp_tbucket_default_burst(1), 131072);
	cr_expect_eq(dp_tbucket_default_burst(100000000ull), 131072,
		     "100 Mbit/s: 10 ms is 125000 bytes, below the floor");
	cr_expect_eq(dp_tbucket_default_burst(1000000000ull), 1250000);
	cr_expect_eq(dp_tbucket_default_burst(400000000000ull), 500000000);
}

/* Takes 'frame' bytes at 'now' until refused, at most 'max' times;
 * returns how many were taken. */
static uint64_t
drain(struct dp_tbucket *tb, uint64_t now, uint32_t frame, uint64_t max)
{
	uint64_t n = 0;

	while (n < max && dp_tbucket_take(tb, now, frame))
		n++;
	return n;
}

/* Offers 'frame' bytes every 'gap_ns' for 'dur_ns' from 't0'; returns the
 * bytes accepted. */
static uint64_t
offer(struct dp_tbucket *tb, uint64_t t0, uint64_t dur_ns, uint64_t gap_ns,
      uint32_t frame)
{
	uint64_t ok = 0;

	for (uint64_t t = t0; t < t0 + dur_ns; t += gap_ns)
		if (dp_tbucket_take(tb, t, frame))
			ok += frame;
	return ok;
}

Test(policy, tbucket_conformance_over_simulated_time)
{
	static const struct {
		uint64_t rate;
		uint32_t frame;
		uint64_t dur_ns;
	} cases[] = {
		{ 1000000000ull, 1500, 10 * NS_PER_S },
		{ 100000000ull, 64, 10 * NS_PER_S },
		{ 10000000000ull, 9000, 10 * NS_PER_S },
		{ 400000000000ull, 9000, NS_PER_S / 10 },
		{ 1000000ull, 1500, 100 * NS_PER_S },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t rate = cases[i].rate, dur = cases[i].dur_ns;
		uint32_t frame = cases[i].frame;
		/* Offered at twice the rate. */
		uint64_t gap = (uint64_t)frame * 8 * NS_PER_S / (2 * rate);
		uint64_t t0 = 123456789ull;
		struct dp_tbucket tb;
		uint64_t ok, ideal;
		double err;

		dp_tbucket_init(&tb, rate, 0, t0);
		ok = offer(&tb, t0, dur, gap, frame);
		/* Credit earned up to the last offer plus the burst. */
		ideal = rate / 8 * (dur / NS_PER_S) +
			rate / 8 * (dur % NS_PER_S) / NS_PER_S +
			tb.burst_bytes;
		err = ((double)ok - (double)ideal) / (double)ideal;
		cr_expect(err < 0.001 && err > -0.001,
			  "%" PRIu64 " bit/s, %u B: accepted %" PRIu64
			  ", ideal %" PRIu64 " (%.5f %%)", rate, frame, ok,
			  ideal, err * 100);
		cr_expect_leq(ok, ideal, "never above rate * time + burst");
		cr_expect_geq(ok + frame + (uint64_t)gap * rate / 8 / NS_PER_S,
			      ideal, "integer credit loses no fraction");
	}
}

Test(policy, tbucket_burst_allowance)
{
	struct dp_tbucket tb;
	uint64_t t = 1000;

	/* 1 Gbit/s, explicit 30000-byte burst: 20 frames back to back. */
	dp_tbucket_init(&tb, 1000000000ull, 30000, t);
	cr_expect_eq(tb.burst_bytes, 30000);
	cr_expect_eq(drain(&tb, t, 1500, 1000), 20);
	/* 1500 B at 1 Gbit/s take 12 us. */
	cr_expect_not(dp_tbucket_take(&tb, t + 11999, 1500));
	cr_expect(dp_tbucket_take(&tb, t + 12000, 1500));
	cr_expect_not(dp_tbucket_take(&tb, t + 12000, 1));
	/* An idle second refills only up to the burst. */
	t += 12000 + NS_PER_S;
	cr_expect_eq(drain(&tb, t, 1500, 1000), 20);
	/* A frame larger than the burst never conforms, also where
	 * bytes * 8e9 would wrap to less than one byte of credit. */
	cr_expect_not(dp_tbucket_take(&tb, t + NS_PER_S, 30001));
	cr_expect_not(dp_tbucket_take(&tb, t + NS_PER_S, 2305843010u));
	cr_expect_not(dp_tbucket_take(&tb, t + NS_PER_S, UINT32_MAX));
	cr_expect(dp_tbucket_take(&tb, t + NS_PER_S, 30000));
}

Test(policy, tbucket_exact_at_one_byte_per_second)
{
	struct dp_tbucket tb;

	dp_tbucket_init(&tb, 8, 1, 0);           /* 1 byte/s, 1-byte burst */
	cr_expect(dp_tbucket_take(&tb, 0, 1));
	cr_expect_not(dp_tbucket_take(&tb, 0, 1));
	cr_expect_not(dp_tbucket_take(&tb, NS_PER_S - 1, 1));
	cr_expect(dp_tbucket_take(&tb, NS_PER_S, 1));
	/* Credit earned by failed attempts is kept. */
	for (uint64_t t = NS_PER_S + 1; t < 2 * NS_PER_S; t += 1000003)
		cr_expect_not(dp_tbucket_take(&tb, t, 1));
	cr_expect(dp_tbucket_take(&tb, 2 * NS_PER_S, 1));
}

Test(policy, tbucket_no_overflow_at_400g_after_10_hours)
{
	const uint64_t rate = 400000000000ull;
	uint64_t starts[] = { 0, 1ull << 62, UINT64_MAX - 11 * NS_PER_HOUR };

	for (size_t i = 0; i < 3; i++) {
		uint64_t t = starts[i];
		struct dp_tbucket tb;
		uint64_t got;

		dp_tbucket_init(&tb, rate, 0, t);
		cr_expect_eq(tb.burst_bytes, 500000000);
		cr_expect_eq(drain(&tb, t, 9000, 10000000), 55555);
		t += 10 * NS_PER_HOUR;
		got = drain(&tb, t, 9000, 10000000) * 9000;
		cr_expect_eq(got, 55555 * 9000, "refill after 10 hours: %"
			     PRIu64 " bytes", got);
		/* And still exact afterwards: 1 ms at 400 Gbit/s is 50 MB,
		 * offered at twice that. */
		got = offer(&tb, t + 1, NS_PER_S / 1000, 90, 9000);
		cr_expect_leq(got, 50000000 + 9000, "%" PRIu64, got);
		cr_expect_geq(got, 50000000 - 2 * 9000, "%" PRIu64, got);
	}
}

/* Gaps from 10 ms (one burst's worth at 400 Gbit/s) to 10 hours: each
 * refills the bucket exactly to the burst, never more, never a wrapped
 * product less. */
Test(policy, tbucket_every_gap_refills_exactly_to_burst)
{
	const uint64_t rate = 400000000000ull;
	struct dp_tbucket tb;
	uint64_t t = 7;

	dp_tbucket_init(&tb, rate, 0, t);
	for (uint64_t k = 0; k < 1000; k++) {
		cr_assert(dp_tbucket_take(&tb, t, 500000000),
			  "gap %" PRIu64 ": burst not available", k);
		cr_assert_not(dp_tbucket_take(&tb, t, 1),
			      "gap %" PRIu64 ": more than the burst", k);
		t += NS_PER_S / 100 + k * 36000000123ull;
	}
}

Test(policy, tbucket_extremes_do_not_overflow)
{
	struct dp_tbucket tb;

	dp_tbucket_init(&tb, UINT64_MAX, UINT64_MAX, 0);
	cr_expect_eq(tb.burst_bytes, DP_TBUCKET_MAX_BURST);
	cr_expect_leq(tb.rate_bps, UINT64_MAX / 2);
	cr_expect_not(dp_tbucket_take(&tb, 0, UINT32_MAX), "above burst");
	cr_expect(dp_tbucket_take(&tb, 0, 1000000000), "full at start");
	cr_expect(dp_tbucket_take(&tb, 0, 152921504));
	cr_expect_not(dp_tbucket_take(&tb, 0, 1));
	cr_expect(dp_tbucket_take(&tb, UINT64_MAX, 1000000000));
	cr_expect_leq(tb.credit, tb.depth);

	dp_tbucket_init(&tb, 1, 0, 0);            /* 1 bit/s */
	cr_expect(dp_tbucket_take(&tb, 0, 131072));
	cr_expect_not(dp_tbucket_take(&tb, UINT64_MAX, UINT32_MAX));
	cr_expect(dp_tbucket_take(&tb, UINT64_MAX, 131072), "refilled");
	cr_expect_leq(tb.credit, tb.depth);
}

Test(policy, tbucket_clock_going_back_adds_nothing)
{
	struct dp_tbucket tb;

	dp_tbucket_init(&tb, 8000, 1000, 10 * NS_PER_S);   /* 1000 B/s */
	cr_expect(dp_tbucket_take(&tb, 10 * NS_PER_S, 1000));
	cr_expect_not(dp_tbucket_take(&tb, 5 * NS_PER_S, 1));
	cr_expect_not(dp_tbucket_take(&tb, 10 * NS_PER_S, 1));
	cr_expect(dp_tbucket_take(&tb, 10 * NS_PER_S + 1000000, 1));
}

/* ---- storm limit ----------------------------------------------------- */

Test(policy, storm_0_is_unlimited)
{
	struct dp_storm s;

	dp_storm_init(&s, 0);
	for (int i = 0; i < 100000; i++)
		cr_assert(dp_storm_take(&s, 0));
}

Test(policy, storm_exact_per_second_window)
{
	static const uint64_t limits[] = { 1, 7, 1000, 9999 };

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const uint64_t t0 = 3 * NS_PER_S + 12345;
		uint64_t per_window[10] = { 0 };
		struct dp_storm s;

		dp_storm_init(&s, limits[i]);
		/* 10000 packets/s, evenly spaced, for 10 s. */
		for (uint64_t k = 0; k < 100000; k++) {
			uint64_t t = t0 + k * (NS_PER_S / 10000);

			if (dp_storm_take(&s, t))
				per_window[(t - t0) / NS_PER_S]++;
		}
		for (int w = 0; w < 10; w++)
			cr_expect_eq(per_window[w], limits[i],
				     "limit %" PRIu64 ", window %d: %" PRIu64,
				     limits[i], w, per_window[w]);
	}
}

Test(policy, storm_window_edges)
{
	const uint64_t t0 = 500000000ull;
	struct dp_storm s;

	dp_storm_init(&s, 3);
	cr_expect(dp_storm_take(&s, t0));
	cr_expect(dp_storm_take(&s, t0 + 1));
	cr_expect(dp_storm_take(&s, t0 + 2));
	cr_expect_not(dp_storm_take(&s, t0 + 3));
	cr_expect_not(dp_storm_take(&s, t0 + NS_PER_S - 1));
	cr_expect(dp_storm_take(&s, t0 + NS_PER_S), "new window at t0 + 1 s");
	/* After a quiet gap the windows stay on the t0 + k s grid: a packet
	 * at t0 + 3.7 s opens [t0 + 3 s, t0 + 4 s). */
	cr_expect(dp_storm_take(&s, t0 + 3 * NS_PER_S + 700000000ull));
	cr_expect(dp_storm_take(&s, t0 + 3 * NS_PER_S + 800000000ull));
	cr_expect(dp_storm_take(&s, t0 + 4 * NS_PER_S - 1));
	cr_expect_not(dp_storm_take(&s, t0 + 4 * NS_PER_S - 1));
	cr_expect(dp_storm_take(&s, t0 + 4 * NS_PER_S));
	/* A time before the window start counts in the current window. */
	cr_expect(dp_storm_take(&s, t0));
	cr_expect(dp_storm_take(&s, t0));
	cr_expect_not(dp_storm_take(&s, t0));
	/* Hours later, near the end of the clock. */
	cr_expect(dp_storm_take(&s, UINT64_MAX - 5));
	cr_expect(dp_storm_take(&s, UINT64_MAX));
}

/* ---- rate changes keep the credit ------------------------------------- */

Test(policy, tbucket_set_rate_keeps_credit)
{
	struct dp_tbucket tb;
	uint64_t t = 5 * NS_PER_S;
	uint64_t burst = dp_tbucket_default_burst(100000000);

	dp_tbucket_init(&tb, 100000000, 0, t);
	cr_assert(dp_tbucket_take(&tb, t, (uint32_t)burst), "full at start");
	cr_expect_not(dp_tbucket_take(&tb, t, 1000));
	/* Adjusting the rate must not refill the bucket. */
	for (int i = 0; i < 10; i++) {
		dp_tbucket_set_rate(&tb, i % 2 ? 100000000 : 200000000, t);
		cr_expect_not(dp_tbucket_take(&tb, t, 1000),
			      "set_rate %d handed out credit", i);
	}
	/* The new rate applies from now: 200 Mbit/s earn 25,000 B in 1 ms. */
	dp_tbucket_set_rate(&tb, 200000000, t);
	cr_expect(dp_tbucket_take(&tb, t + 1000000, 25000));
	cr_expect_not(dp_tbucket_take(&tb, t + 1000000, 1));
	cr_expect_eq(tb.rate_bps, 200000000);
}

Test(policy, tbucket_set_rate_from_and_to_unlimited)
{
	struct dp_tbucket tb;

	dp_tbucket_init(&tb, 0, 0, 0);
	cr_expect(dp_tbucket_take(&tb, 0, 1000000));
	dp_tbucket_set_rate(&tb, 8000000, 0);   /* 1 MB/s, burst 128 KiB */
	cr_expect(dp_tbucket_take(&tb, 0, DP_TBUCKET_MIN_DEFAULT_BURST),
		  "limited after unlimited starts full");
	cr_expect_not(dp_tbucket_take(&tb, 0, 1));
	dp_tbucket_set_rate(&tb, 0, 0);
	cr_expect(dp_tbucket_take(&tb, 0, 1000000));
}

/* ---- minimum-bandwidth weights ---------------------------------------- */

Test(policy, share_not_saturated_no_limits)
{
	uint8_t w[3] = { 1, 3, 0 };
	uint64_t d[3] = { 10, 20, 30 }, lim[3] = { 9, 9, 9 };

	dp_share_allocate(3, w, d, 60, lim);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(lim[i], 0, "source %d limited", i);
}

Test(policy, share_by_weights_when_all_want_more)
{
	uint8_t w[2] = { 1, 3 };
	uint64_t d[2] = { 150000000, 150000000 }, lim[2];

	dp_share_allocate(2, w, d, 100000000, lim);
	cr_expect_eq(lim[0], 25000000);
	cr_expect_eq(lim[1], 75000000);
}

Test(policy, share_unused_goes_to_others)
{
	uint8_t w[3] = { 1, 1, 2 };
	uint64_t d[3] = { 10, 500, 500 }, lim[3];

	/* Shares of 100 would be 25/25/50; source 0 uses 10, so 90 are
	 * left for weights 1:2 -> 30 and 60. */
	dp_share_allocate(3, w, d, 100, lim);
	cr_expect_eq(lim[0], 25, "met source keeps its entitled share");
	cr_expect_eq(lim[1], 30);
	cr_expect_eq(lim[2], 60);
}

Test(policy, share_cascade_and_unset_weight_counts_one)
{
	uint8_t w[4] = { 0, 1, 1, 1 };
	uint64_t d[4] = { 40, 5, 100, 1000 }, lim[4];

	/* 120 over weights 1,1,1,1 = 30 each: source 1 (5) met; 115 over 3
	 * = 38: none of 40/100/1000 fits; source 0 gets 38 not 40. */
	dp_share_allocate(4, w, d, 120, lim);
	cr_expect_eq(lim[1], 30);
	cr_expect_eq(lim[0], 38);
	cr_expect_eq(lim[2], 38);
	cr_expect_eq(lim[3], 38);
}

Test(policy, share_large_values_no_overflow)
{
	uint8_t w[2] = { 100, 1 };
	uint64_t d[2] = { UINT64_MAX / 4, UINT64_MAX / 4 }, lim[2];
	uint64_t cap = UINT64_MAX / 4;

	dp_share_allocate(2, w, d, cap, lim);
	cr_expect_eq(lim[0], (uint64_t)((unsigned __int128)cap * 100 / 101));
	cr_expect_eq(lim[1], (uint64_t)((unsigned __int128)cap / 101));
	cr_expect_gt(lim[0], 0);
}

Test(policy, share_zero_capacity_limits_everyone)
{
	uint8_t w[2] = { 1, 1 };
	uint64_t d[2] = { 10, 0 }, lim[2];

	dp_share_allocate(2, w, d, 0, lim);
	cr_expect_eq(lim[0], 1, "1 bit/s, never 0 which means unlimited");
	cr_expect_eq(lim[1], 1);
}

Test(policy, tbucket_frames_budget)
{
	struct dp_tbucket tb;
	uint64_t t = NS_PER_S;

	dp_tbucket_init(&tb, 0, 0, t);
	cr_expect_eq(dp_tbucket_frames(&tb, t, 1518, 32), 32, "unlimited");
	/* 12,144,000 bit/s = 1,518,000 B/s: one 1518-B frame per ms. */
	dp_tbucket_init(&tb, 12144000, 15180, t);
	cr_expect_eq(dp_tbucket_frames(&tb, t, 1518, 32), 10, "full burst");
	cr_expect_eq(dp_tbucket_frames(&tb, t, 1518, 4), 4, "capped by max");
	cr_assert(dp_tbucket_take(&tb, t, 15180));
	cr_expect_eq(dp_tbucket_frames(&tb, t, 1518, 32), 0, "empty");
	cr_expect_eq(dp_tbucket_frames(&tb, t + 999999, 1518, 32), 0);
	cr_expect_eq(dp_tbucket_frames(&tb, t + 1000000, 1518, 32), 1,
		     "one frame earned after 1 ms");
	cr_expect_eq(dp_tbucket_frames(&tb, t + 1000000, 64, 32), 23,
		     "the budget took nothing: 1518 B are 23 small frames");
	cr_expect_eq(dp_tbucket_frames(&tb, t + 1000000, 0, 32), 32);
}
