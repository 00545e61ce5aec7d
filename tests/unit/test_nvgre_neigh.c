/* Unit tests for nvgre/neigh.c: the golden frames of neigh_vectors.h
 * (checked against scapy by neigh_scapy.py), parsing of each kind,
 * truncation at every byte against a guard page, one malformed frame per
 * rule of RFC 826 and RFC 4861 sections 7.1.1 and 7.1.2, frames that are
 * not ours, and request/answer round trips. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nvgre/neigh.h"
#include "tests/unit/neigh_vectors.h"

#define BUF 128

/* Offsets in an untagged IPv6 frame. */
#define IP6 14
#define ICMP (IP6 + 40)
#define TARGET (ICMP + 8)
#define OPT (ICMP + 24)

struct frame {
	uint8_t b[BUF];
	uint32_t size;
};

static struct frame
frame_of(const uint8_t *bytes, uint32_t size)
{
	struct frame f;

	cr_assert_leq(size, BUF);
	memset(&f, 0, sizeof(f));
	memcpy(f.b, bytes, size);
	f.size = size;
	return f;
}

/* Parses the 'size' bytes at 'bytes' placed right before an
 * inaccessible page, so that a read past 'size' crashes the test. */
static enum nvgre_neigh_result
parse_guarded(const uint8_t *bytes, uint32_t size, struct nvgre_neigh_msg *m)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	enum nvgre_neigh_result r;

	cr_assert(map != MAP_FAILED);
	cr_assert(mprotect(map + pg, pg, PROT_NONE) == 0);
	memcpy(map + pg - size, bytes, size);
	r = nvgre_neigh_parse(map + pg - size, size, m);
	munmap(map, 2 * pg);
	return r;
}

static enum nvgre_neigh_result
parse(const struct frame *f, struct nvgre_neigh_msg *m)
{
	return parse_guarded(f->b, f->size, m);
}

static enum nvgre_neigh_result
parse_only(const struct frame *f)
{
	struct nvgre_neigh_msg m;

	return parse(f, &m);
}

/* Recomputes the ICMPv6 checksum of the untagged IPv6 frame 'f' from
 * its payload length: RFC 8200 section 8.1, written out again here
 * rather than borrowed from the code under test. */
static void
fix_csum(struct frame *f)
{
	uint32_t plen = (uint32_t)f->b[IP6 + 4] << 8 | f->b[IP6 + 5];
	uint32_t s = 0;

	f->b[ICMP + 2] = f->b[ICMP + 3] = 0;
	for (int i = 0; i < 32; i += 2)           /* source, destination */
		s += (uint32_t)f->b[IP6 + 8 + i] << 8 | f->b[IP6 + 9 + i];
	s += plen + 58;
	for (uint32_t i = 0; i < plen; i++)
		s += (i & 1) ? f->b[ICMP + i] : (uint32_t)f->b[ICMP + i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	f->b[ICMP + 2] = (uint8_t)(~s >> 8);
	f->b[ICMP + 3] = (uint8_t)~s;
}

/* Sets the IPv6 payload length of 'f' and its frame size to match. */
static void
set_plen(struct frame *f, uint32_t plen)
{
	f->b[IP6 + 4] = (uint8_t)(plen >> 8);
	f->b[IP6 + 5] = (uint8_t)plen;
	f->size = ICMP + plen;
}

static void
expect_addr(const struct nvgre_addr *got, const struct nvgre_addr *want,
	    const char *what)
{
	char g[NVGRE_ADDR_STRLEN], w[NVGRE_ADDR_STRLEN];

	cr_expect(nvgre_addr_eq(got, want), "%s: %s, want %s", what,
		  nvgre_addr_format(got, g, sizeof(g)),
		  nvgre_addr_format(want, w, sizeof(w)));
}

static const struct nvgre_addr ip6_all = {
	.family = NVGRE_AF_IPV6, .b = { 0xff, 0x02, [15] = 1 } };
static const struct nvgre_addr ip6_sn = {
	.family = NVGRE_AF_IPV6,
	.b = { 0xff, 0x02, [11] = 1, 0xff, 0x12, 0x34, 0x56 } };
static const struct nvgre_addr ip6_any = { .family = NVGRE_AF_IPV6 };

/* ---- builders: golden frames ----------------------------------------- */

Test(nvgre_neigh, builders_write_the_golden_frames)
{
	for (unsigned int i = 0; i < NNV_N; i++) {
		const struct nnv_vector *v = &nnv_vectors[i];
		uint8_t buf[BUF];
		int n;

		memset(buf, 0xee, sizeof(buf));
		n = nnv_build(v, buf, sizeof(buf));
		cr_assert_eq(n, (int)v->golden_size, "%s: size %d", v->name,
			     n);
		for (uint32_t b = 0; b < v->golden_size; b++)
			cr_expect_eq(buf[b], v->golden[b],
				     "%s: byte %u is %02x, want %02x", v->name,
				     b, buf[b], v->golden[b]);
		for (uint32_t b = v->golden_size; b < sizeof(buf); b++)
			cr_expect_eq(buf[b], 0xee, "%s: wrote past the frame "
				     "at %u", v->name, b);
		cr_expect_leq(v->golden_size, NVGRE_NEIGH_FRAME_MAX);
	}
}

/* A buffer one byte short is refused whole: nothing written. */
Test(nvgre_neigh, builders_refuse_a_short_buffer)
{
	for (unsigned int i = 0; i < NNV_N; i++) {
		const struct nnv_vector *v = &nnv_vectors[i];
		uint8_t buf[BUF];

		if (v->how == NNV_INPUT)
			continue;
		for (uint32_t size = 0; size < v->golden_size; size++) {
			memset(buf, 0xee, sizeof(buf));
			cr_expect_eq(nnv_build(v, buf, size), -ENOSPC,
				     "%s: size %u", v->name, size);
			for (uint32_t b = 0; b < sizeof(buf); b++)
				cr_assert_eq(buf[b], 0xee, "%s: size %u wrote "
					     "at %u", v->name, size, b);
		}
	}
}

Test(nvgre_neigh, arp_build_refuses_bad_arguments)
{
	struct nvgre_addr mc = { .family = NVGRE_AF_IPV4, .b = { 224, 0, 0, 1 } };
	uint8_t buf[BUF];

	cr_expect_eq(nvgre_arp_build(buf, sizeof(buf), 3, 0, nnv_bcast,
				     nnv_mac_a, nnv_mac_a, &nnv_ip4_a, NULL,
				     &nnv_ip4_b), -EINVAL, "opcode 3");
	cr_expect_eq(nvgre_arp_build(buf, sizeof(buf), 0, 0, nnv_bcast,
				     nnv_mac_a, nnv_mac_a, &nnv_ip4_a, NULL,
				     &nnv_ip4_b), -EINVAL, "opcode 0");
	cr_expect_eq(nvgre_arp_build(buf, sizeof(buf), NVGRE_ARP_REQUEST, 4095,
				     nnv_bcast, nnv_mac_a, nnv_mac_a,
				     &nnv_ip4_a, NULL, &nnv_ip4_b), -EINVAL,
		     "VLAN 4095");
	cr_expect_eq(nvgre_arp_build(buf, sizeof(buf), NVGRE_ARP_REQUEST, 0,
				     nnv_bcast, nnv_mac_a, nnv_mac_a,
				     &nnv_ip6_a, NULL, &nnv_ip4_b), -EINVAL,
		     "IPv6 sender");
	cr_expect_eq(nvgre_arp_build(buf, sizeof(buf), NVGRE_ARP_REQUEST, 0,
				     nnv_bcast, nnv_mac_a, nnv_mac_a,
				     &nnv_ip4_a, NULL, &ip6_any), -EINVAL,
		     "IPv6 target");
	/* Any IPv4 address goes: ARP probes come from 0.0.0.0. */
	cr_expect_eq(nvgre_arp_build(buf, sizeof(buf), NVGRE_ARP_REQUEST, 4094,
				     nnv_bcast, nnv_mac_a, nnv_mac_a, &mc,
				     NULL, &nnv_ip4_b), 64);
}

Test(nvgre_neigh, ns_build_refuses_bad_arguments)
{
	struct nvgre_addr loop = { .family = NVGRE_AF_IPV6, .b = { [15] = 1 } };
	uint8_t buf[BUF];

	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 4095, nnv_mac_a,
				    &nnv_ip6_a, &nnv_ip6_b), -EINVAL, "VLAN");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &nnv_ip4_a, &nnv_ip6_b), -EINVAL,
		     "IPv4 source");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &nnv_ip6_a, &nnv_ip4_b), -EINVAL,
		     "IPv4 target");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &ip6_any, &nnv_ip6_b), -EINVAL,
		     "source ::");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &ip6_all, &nnv_ip6_b), -EINVAL,
		     "multicast source");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &nnv_ip6_a, &ip6_sn), -EINVAL,
		     "multicast target");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &nnv_ip6_a, &loop), -EINVAL,
		     "loopback target");
	cr_expect_eq(nvgre_ns_build(buf, sizeof(buf), 0, nnv_mac_a,
				    &nnv_ip6_a, &ip6_any), -EINVAL,
		     "target ::");
}

Test(nvgre_neigh, reply_refuses_what_is_not_a_request)
{
	static const enum nvgre_neigh_kind kinds[] = {
		0, NVGRE_NEIGH_ARP_REPLY, NVGRE_NEIGH_NA, 99 };
	struct nvgre_neigh_msg m;
	uint8_t buf[BUF];

	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cr_assert_eq(parse_guarded(nnv_ns, sizeof(nnv_ns), &m),
			     NVGRE_NEIGH_OK);
		m.kind = (uint8_t)kinds[i];
		cr_expect_eq(nvgre_neigh_reply(buf, sizeof(buf), &m, nnv_mac_b,
					       0), -EINVAL, "kind %d",
			     kinds[i]);
	}
	/* A request whose addresses do not fit its kind. */
	cr_assert_eq(parse_guarded(nnv_arp_request, 60, &m), NVGRE_NEIGH_OK);
	m.target = nnv_ip6_b;
	cr_expect_eq(nvgre_neigh_reply(buf, sizeof(buf), &m, nnv_mac_b, 0),
		     -EINVAL);
	cr_assert_eq(parse_guarded(nnv_ns, sizeof(nnv_ns), &m), NVGRE_NEIGH_OK);
	m.target = nnv_ip4_b;
	cr_expect_eq(nvgre_neigh_reply(buf, sizeof(buf), &m, nnv_mac_b, 0),
		     -EINVAL);
	cr_assert_eq(parse_guarded(nnv_ns, sizeof(nnv_ns), &m), NVGRE_NEIGH_OK);
	m.tagged = true;
	m.vlan = 4095;
	cr_expect_eq(nvgre_neigh_reply(buf, sizeof(buf), &m, nnv_mac_b, 0),
		     -EINVAL);
}

/* ---- parsing valid frames -------------------------------------------- */

Test(nvgre_neigh, parse_arp_request)
{
	static const uint8_t zero[6];
	struct nvgre_neigh_msg m;

	cr_assert_eq(parse_guarded(nnv_arp_request, 60, &m), NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_ARP_REQUEST);
	cr_expect(!m.tagged);
	cr_expect_eq(m.vlan, 0);
	cr_expect_arr_eq(m.eth_dst, nnv_bcast, 6);
	cr_expect_arr_eq(m.eth_src, nnv_mac_a, 6);
	cr_expect(m.has_sender_mac);
	cr_expect_arr_eq(m.sender_mac, nnv_mac_a, 6);
	expect_addr(&m.sender, &nnv_ip4_a, "sender");
	expect_addr(&m.target, &nnv_ip4_b, "target");
	cr_expect_arr_eq(m.target_mac, zero, 6);
	/* Without the Ethernet padding too. */
	cr_expect_eq(parse_guarded(nnv_arp_request, 42, &m), NVGRE_NEIGH_OK);
}

Test(nvgre_neigh, parse_arp_reply_tagged)
{
	struct nvgre_neigh_msg m;

	cr_assert_eq(parse_guarded(nnv_arp_reply_vlan, 64, &m),
		     NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_ARP_REPLY);
	cr_expect(m.tagged);
	cr_expect_eq(m.vlan, NNV_VLAN);
	cr_expect_arr_eq(m.eth_dst, nnv_mac_a, 6);
	cr_expect_arr_eq(m.eth_src, nnv_mac_b, 6);
	cr_expect_arr_eq(m.sender_mac, nnv_mac_b, 6);
	expect_addr(&m.sender, &nnv_ip4_b, "sender");
	cr_expect_arr_eq(m.target_mac, nnv_mac_a, 6);
	expect_addr(&m.target, &nnv_ip4_a, "target");
}

/* The VID is taken from the TCI without its priority and DEI bits. */
Test(nvgre_neigh, parse_tag_keeps_only_the_vid)
{
	struct frame f = frame_of(nnv_arp_request_vlan, 64);
	struct nvgre_neigh_msg m;

	f.b[14] = 0xb0 | 0x0f;      /* PCP 5, DEI 1, VID 0xf0b */
	cr_assert_eq(parse(&f, &m), NVGRE_NEIGH_OK);
	cr_expect_eq(m.vlan, 0xf0b);
}

Test(nvgre_neigh, parse_ns)
{
	struct nvgre_neigh_msg m;

	cr_assert_eq(parse_guarded(nnv_ns_vlan, sizeof(nnv_ns_vlan), &m),
		     NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_NS);
	cr_expect(m.tagged);
	cr_expect_eq(m.vlan, NNV_VLAN);
	cr_expect_eq(m.eth_dst[0], 0x33);
	cr_expect_arr_eq(m.eth_src, nnv_mac_a, 6);
	expect_addr(&m.sender, &nnv_ip6_a, "sender");
	expect_addr(&m.dst, &ip6_sn, "dst");
	expect_addr(&m.target, &nnv_ip6_b, "target");
	cr_expect(m.has_sender_mac);
	cr_expect_arr_eq(m.sender_mac, nnv_mac_a, 6);
	cr_expect_eq(m.na_flags, 0);
}

Test(nvgre_neigh, parse_dad_ns)
{
	struct nvgre_neigh_msg m;

	cr_assert_eq(parse_guarded(nnv_dad_ns, sizeof(nnv_dad_ns), &m),
		     NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_NS);
	expect_addr(&m.sender, &ip6_any, "sender");
	expect_addr(&m.dst, &ip6_sn, "dst");
	expect_addr(&m.target, &nnv_ip6_b, "target");
	cr_expect(!m.has_sender_mac);
}

Test(nvgre_neigh, parse_na)
{
	struct nvgre_neigh_msg m;

	cr_assert_eq(parse_guarded(nnv_na_router_vlan,
				   sizeof(nnv_na_router_vlan), &m),
		     NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_NA);
	cr_expect(m.tagged && m.vlan == NNV_VLAN);
	expect_addr(&m.sender, &nnv_ip6_b, "sender");
	expect_addr(&m.dst, &nnv_ip6_a, "dst");
	expect_addr(&m.target, &nnv_ip6_b, "target");
	cr_expect_eq(m.na_flags, NVGRE_NA_ROUTER | NVGRE_NA_SOLICITED |
				 NVGRE_NA_OVERRIDE);
	cr_expect(m.has_sender_mac);
	cr_expect_arr_eq(m.sender_mac, nnv_mac_b, 6);

	cr_assert_eq(parse_guarded(nnv_na_dad, sizeof(nnv_na_dad), &m),
		     NVGRE_NEIGH_OK);
	expect_addr(&m.dst, &ip6_all, "dst");
	cr_expect_eq(m.na_flags, NVGRE_NA_OVERRIDE);
}

/* Reserved bits after the flags are not reported. */
Test(nvgre_neigh, parse_na_ignores_reserved_bits)
{
	struct frame f = frame_of(nnv_na, sizeof(nnv_na));
	struct nvgre_neigh_msg m;

	f.b[ICMP + 4] |= 0x1f;
	f.b[ICMP + 7] = 0xff;
	fix_csum(&f);
	cr_assert_eq(parse(&f, &m), NVGRE_NEIGH_OK);
	cr_expect_eq(m.na_flags, NVGRE_NA_SOLICITED | NVGRE_NA_OVERRIDE);
}

/* An NA without the target link-layer option, and an NS without the
 * source link-layer option, are valid (RFC 4861 sections 4.3, 4.4). */
Test(nvgre_neigh, parse_without_options)
{
	struct frame f = frame_of(nnv_na, sizeof(nnv_na));
	struct frame g = frame_of(nnv_ns, sizeof(nnv_ns));
	struct nvgre_neigh_msg m;

	set_plen(&f, 24);
	fix_csum(&f);
	cr_assert_eq(parse(&f, &m), NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_NA);
	cr_expect(!m.has_sender_mac);
	set_plen(&g, 24);
	fix_csum(&g);
	cr_assert_eq(parse(&g, &m), NVGRE_NEIGH_OK);
	cr_expect_eq(m.kind, NVGRE_NEIGH_NS);
	cr_expect(!m.has_sender_mac);
}

/* Options unknown or of the other kind are skipped; the first
 * link-layer option of the message's kind counts. */
Test(nvgre_neigh, parse_skips_other_options)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	static const uint8_t opts[] = {
		14, 1, 1, 2, 3, 4, 5, 6,                /* nonce (RFC 3971) */
		2, 1, 0x02, 0, 0, 0, 0, 0x77,           /* target LLA */
		1, 1, 0x02, 0, 0, 0, 0, 0x99,           /* source LLA */
		1, 1, 0x02, 0, 0, 0, 0, 0x88,           /* a second one */
	};
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));
	struct nvgre_neigh_msg m;

	memcpy(f.b + OPT, opts, sizeof(opts));
	set_plen(&f, 24 + sizeof(opts));
	fix_csum(&f);
	cr_assert_eq(parse(&f, &m), NVGRE_NEIGH_OK);
	cr_expect(m.has_sender_mac);
	cr_expect_arr_eq(m.sender_mac, other, 6);
}

/* Bytes after the IPv6 payload (Ethernet padding) are not part of the
 * message, whatever they hold. */
Test(nvgre_neigh, parse_ignores_padding)
{
	struct frame f = frame_of(nnv_na, sizeof(nnv_na));
	struct nvgre_neigh_msg m;

	memset(f.b + f.size, 0xa5, 10);
	f.size += 10;
	cr_expect_eq(parse(&f, &m), NVGRE_NEIGH_OK);
	f = frame_of(nnv_arp_reply, 60);
	memset(f.b + 42, 0xa5, 18);
	cr_expect_eq(parse(&f, &m), NVGRE_NEIGH_OK);
}

/* ---- truncation ------------------------------------------------------ */

/* Every golden frame cut at every length is NOT or BAD, never OK, and
 * never read past its end (the guard page). */
Test(nvgre_neigh, truncated_at_every_byte)
{
	for (unsigned int i = 0; i < NNV_N; i++) {
		const struct nnv_vector *v = &nnv_vectors[i];
		bool arp = v->golden[12] == 0x08 || v->golden[16] == 0x08;
		uint32_t hs = v->golden[12] == 0x81 ? 18 : 14;
		/* ARP ends after 28 bytes, then padding; ND at its
		 * payload length. */
		uint32_t end = arp ? hs + 28 : v->golden_size;

		for (uint32_t len = 0; len < v->golden_size; len++) {
			struct nvgre_neigh_msg m;
			enum nvgre_neigh_result r, want;

			r = parse_guarded(v->golden, len, &m);
			if (len >= end)
				want = NVGRE_NEIGH_OK;
			else if (len < hs || (!arp && len <= hs + 40))
				want = NVGRE_NEIGH_NOT;
			else
				want = NVGRE_NEIGH_BAD;
			cr_expect_eq(r, want, "%s cut to %u: %d, want %d",
				     v->name, len, r, want);
		}
	}
}

/* ---- malformed: BAD -------------------------------------------------- */

Test(nvgre_neigh, arp_wrong_fields_are_bad)
{
	static const struct { uint32_t ofs; uint8_t v; const char *what; }
	cases[] = {
		{ 14, 0x01, "htype 0x0101" }, { 15, 0x06, "htype 6" },
		{ 16, 0x86, "ptype 0x86dd" }, { 17, 0x06, "ptype 0x0806" },
		{ 18, 8, "hlen 8" }, { 19, 16, "plen 16" },
		{ 21, 0, "opcode 0" }, { 21, 3, "opcode 3 (RARP)" },
		{ 21, 8, "opcode 8 (InARP)" }, { 20, 1, "opcode 0x0101" },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame f = frame_of(nnv_arp_request, 60);

		f.b[cases[i].ofs] = cases[i].v;
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "%s",
			     cases[i].what);
	}
}

Test(nvgre_neigh, nd_bad_hop_limit)
{
	static const uint8_t hops[] = { 0, 1, 64, 254 };

	for (unsigned int i = 0; i < sizeof(hops); i++) {
		struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));
		struct frame g = frame_of(nnv_na, sizeof(nnv_na));

		/* Not in the pseudo-header: the checksum stays right. */
		f.b[IP6 + 7] = g.b[IP6 + 7] = hops[i];
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "NS %u", hops[i]);
		cr_expect_eq(parse_only(&g), NVGRE_NEIGH_BAD, "NA %u", hops[i]);
	}
}

Test(nvgre_neigh, nd_bad_checksum)
{
	for (unsigned int bit = 0; bit < 16; bit++) {
		struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

		f.b[ICMP + 2 + bit / 8] ^= (uint8_t)(1 << (bit % 8));
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "bit %u", bit);
	}
	/* A changed address in the pseudo-header, or in the message. */
	struct frame f = frame_of(nnv_na, sizeof(nnv_na));

	f.b[IP6 + 39] ^= 1;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "destination");
	f = frame_of(nnv_na, sizeof(nnv_na));
	f.b[OPT + 7] ^= 1;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "option");
	/* The same frame with a checksum of zero. */
	f = frame_of(nnv_na, sizeof(nnv_na));
	f.b[ICMP + 2] = f.b[ICMP + 3] = 0;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "zero");
}

Test(nvgre_neigh, nd_code_not_zero)
{
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));
	struct frame g = frame_of(nnv_na, sizeof(nnv_na));

	f.b[ICMP + 1] = g.b[ICMP + 1] = 1;
	fix_csum(&f);
	fix_csum(&g);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD);
	cr_expect_eq(parse_only(&g), NVGRE_NEIGH_BAD);
}

Test(nvgre_neigh, nd_zero_length_option)
{
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

	/* After the source LLA option, one of type 14 and length 0. */
	f.b[OPT + 8] = 14;
	set_plen(&f, 40);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "second option");
	/* The source LLA option itself with length 0. */
	f = frame_of(nnv_ns, sizeof(nnv_ns));
	f.b[OPT + 1] = 0;
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "first option");
}

Test(nvgre_neigh, nd_option_past_the_end)
{
	struct frame f = frame_of(nnv_na, sizeof(nnv_na));

	/* Length 2 (16 bytes) where 8 remain, the frame longer still. */
	f.b[OPT + 1] = 2;
	fix_csum(&f);
	f.size += 8;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "length 2");
	/* One byte after the last option: no room for a type and length. */
	f = frame_of(nnv_na, sizeof(nnv_na));
	set_plen(&f, 33);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "one stray byte");
	/* An option header with nothing after it. */
	f = frame_of(nnv_na, sizeof(nnv_na));
	f.b[OPT + 8] = 14;
	f.b[OPT + 9] = 1;
	set_plen(&f, 34);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "header only");
}

/* A link-layer address option other than 8 bytes is not Ethernet's. */
Test(nvgre_neigh, nd_long_link_layer_option)
{
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

	f.b[OPT + 1] = 2;
	set_plen(&f, 40);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD);
}

Test(nvgre_neigh, nd_multicast_target)
{
	static const uint8_t sn[16] = { 0xff, 0x02, [11] = 1, 0xff, 0x12,
					0x34, 0x56 };
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));
	struct frame g = frame_of(nnv_na, sizeof(nnv_na));

	memcpy(f.b + TARGET, sn, 16);
	memcpy(g.b + TARGET, sn, 16);
	fix_csum(&f);
	fix_csum(&g);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD);
	cr_expect_eq(parse_only(&g), NVGRE_NEIGH_BAD);
}

/* RFC 4861 section 7.1.1: an NS from :: carries no source LLA option
 * and goes to a solicited-node address. */
Test(nvgre_neigh, nd_dad_rules)
{
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

	memset(f.b + IP6 + 8, 0, 16);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "with source LLA");
	f = frame_of(nnv_dad_ns, sizeof(nnv_dad_ns));
	memcpy(f.b + IP6 + 24, nnv_ip6_b.b, 16);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "to unicast");
	f = frame_of(nnv_dad_ns, sizeof(nnv_dad_ns));
	memcpy(f.b + IP6 + 24, ip6_all.b, 16);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "to all nodes");
}

/* RFC 4861 section 7.1.2: a multicast NA has the solicited flag clear. */
Test(nvgre_neigh, nd_multicast_na_solicited)
{
	struct frame f = frame_of(nnv_na_dad, sizeof(nnv_na_dad));

	f.b[ICMP + 4] |= NVGRE_NA_SOLICITED;
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD);
}

Test(nvgre_neigh, nd_payload_length)
{
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

	/* Shorter than an NS or NA. */
	set_plen(&f, 23);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "23");
	/* Longer than the frame. */
	f = frame_of(nnv_ns, sizeof(nnv_ns));
	f.b[IP6 + 5] = 33;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "past the frame");
	f.b[IP6 + 4] = 0xff;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "0xff21");
}

/* ---- not ours: NOT --------------------------------------------------- */

Test(nvgre_neigh, icmpv6_other_types_are_not)
{
	static const uint8_t types[] = { 1, 128, 129, 133, 134, 137, 143 };

	for (unsigned int i = 0; i < sizeof(types); i++) {
		struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

		f.b[ICMP] = types[i];
		fix_csum(&f);
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "type %u",
			     types[i]);
		/* Even with a bad hop limit or checksum. */
		f.b[IP6 + 7] = 64;
		f.b[ICMP + 2] ^= 1;
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "type %u",
			     types[i]);
	}
}

/* Hop-by-hop options (next header 0, 8 bytes) in front of an NS: the
 * parser only takes ICMPv6 right after the IPv6 header. */
Test(nvgre_neigh, extension_header_before_icmpv6_is_not)
{
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));

	memmove(f.b + ICMP + 8, f.b + ICMP, 32);
	memset(f.b + ICMP, 0, 8);
	f.b[ICMP] = 58;             /* next header after hop-by-hop */
	f.b[ICMP + 2] = 1;          /* PadN of 4 */
	f.b[ICMP + 3] = 4;
	f.b[IP6 + 6] = 0;
	f.b[IP6 + 5] = 40;
	f.size += 8;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "hop-by-hop");
	f.b[IP6 + 6] = 60;          /* destination options */
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "destination options");
	f.b[IP6 + 6] = 44;          /* fragment */
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "fragment");
}

Test(nvgre_neigh, other_frames_are_not)
{
	struct frame f;

	f = frame_of(nnv_ns, sizeof(nnv_ns));
	f.b[IP6 + 6] = 17;          /* UDP */
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "UDP");
	f = frame_of(nnv_ns, sizeof(nnv_ns));
	f.b[IP6] = 0x40;            /* version 4 under EtherType IPv6 */
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "version");
	f = frame_of(nnv_ns, sizeof(nnv_ns));
	f.b[12] = 0x08;             /* EtherType IPv4 */
	f.b[13] = 0x00;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "IPv4");
	f = frame_of(nnv_arp_request, 60);
	f.b[13] = 0x35;             /* RARP's own EtherType */
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "RARP");
	/* Two tags, or an 802.1ad tag: not what we answer. */
	f = frame_of(nnv_arp_request_vlan, 64);
	f.b[12] = 0x88;
	f.b[13] = 0xa8;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "802.1ad");
	f = frame_of(nnv_arp_request_vlan, 64);
	memmove(f.b + 16, f.b + 12, 48);
	f.size = 68;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_NOT, "two 802.1Q tags");
}

/* ---- answers --------------------------------------------------------- */

/* ARP: request -> parse -> reply -> parse. */
Test(nvgre_neigh, arp_round_trip)
{
	struct nvgre_neigh_msg req, rep;
	uint8_t buf[BUF], out[BUF];
	int n;

	n = nvgre_arp_build(buf, sizeof(buf), NVGRE_ARP_REQUEST, 7, nnv_bcast,
			    nnv_mac_a, nnv_mac_a, &nnv_ip4_a, NULL,
			    &nnv_ip4_b);
	cr_assert_eq(n, 64);
	cr_assert_eq(parse_guarded(buf, (uint32_t)n, &req), NVGRE_NEIGH_OK);
	cr_expect(req.tagged && req.vlan == 7);
	n = nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b, 0);
	cr_assert_eq(n, 64);
	cr_assert_eq(parse_guarded(out, (uint32_t)n, &rep), NVGRE_NEIGH_OK);
	cr_expect_eq(rep.kind, NVGRE_NEIGH_ARP_REPLY);
	cr_expect(rep.tagged && rep.vlan == 7);
	cr_expect_arr_eq(rep.eth_dst, nnv_mac_a, 6);
	cr_expect_arr_eq(rep.eth_src, nnv_mac_b, 6);
	cr_expect_arr_eq(rep.sender_mac, nnv_mac_b, 6);
	expect_addr(&rep.sender, &nnv_ip4_b, "sender");
	cr_expect_arr_eq(rep.target_mac, nnv_mac_a, 6);
	expect_addr(&rep.target, &nnv_ip4_a, "target");
}

/* NS: build -> parse -> reply -> parse the NA. */
Test(nvgre_neigh, ns_round_trip)
{
	struct nvgre_neigh_msg req, rep;
	uint8_t buf[BUF], out[BUF];
	int n;

	n = nvgre_ns_build(buf, sizeof(buf), 100, nnv_mac_a, &nnv_ip6_a,
			   &nnv_ip6_b);
	cr_assert_eq(n, 90);
	cr_assert_eq(parse_guarded(buf, (uint32_t)n, &req), NVGRE_NEIGH_OK);
	cr_expect_eq(req.kind, NVGRE_NEIGH_NS);
	cr_expect(req.tagged && req.vlan == 100);
	expect_addr(&req.dst, &ip6_sn, "solicited-node");
	n = nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b,
			      NVGRE_NA_ROUTER);
	cr_assert_eq(n, 90);
	cr_assert_eq(parse_guarded(out, (uint32_t)n, &rep), NVGRE_NEIGH_OK);
	cr_expect_eq(rep.kind, NVGRE_NEIGH_NA);
	cr_expect(rep.tagged && rep.vlan == 100);
	cr_expect_arr_eq(rep.eth_dst, nnv_mac_a, 6);
	cr_expect_arr_eq(rep.eth_src, nnv_mac_b, 6);
	expect_addr(&rep.sender, &nnv_ip6_b, "sender");
	expect_addr(&rep.dst, &nnv_ip6_a, "dst");
	expect_addr(&rep.target, &nnv_ip6_b, "target");
	cr_expect_eq(rep.na_flags, NVGRE_NA_ROUTER | NVGRE_NA_SOLICITED |
				   NVGRE_NA_OVERRIDE);
	cr_expect(rep.has_sender_mac);
	cr_expect_arr_eq(rep.sender_mac, nnv_mac_b, 6);
	/* An NA is not a request. */
	cr_expect_eq(nvgre_neigh_reply(buf, sizeof(buf), &rep, nnv_mac_a, 0),
		     -EINVAL);
}

Test(nvgre_neigh, dad_answer)
{
	struct nvgre_neigh_msg req, rep;
	uint8_t out[BUF];
	int n;

	cr_assert_eq(parse_guarded(nnv_dad_ns, sizeof(nnv_dad_ns), &req),
		     NVGRE_NEIGH_OK);
	/* The solicited flag stays clear even when asked for. */
	n = nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b,
			      NVGRE_NA_SOLICITED);
	cr_assert_eq(n, 86);
	cr_assert_eq(parse_guarded(out, (uint32_t)n, &rep), NVGRE_NEIGH_OK);
	expect_addr(&rep.dst, &ip6_all, "dst");
	expect_addr(&rep.sender, &nnv_ip6_b, "sender");
	cr_expect_eq(rep.na_flags, NVGRE_NA_OVERRIDE);
	cr_expect_arr_eq(rep.eth_dst, nnv_mac_a, 6);
}

/* Without a source link-layer option the NA goes to the Ethernet
 * source; with one, to the option's address. */
Test(nvgre_neigh, na_ethernet_destination)
{
	static const uint8_t opt_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct frame f = frame_of(nnv_ns, sizeof(nnv_ns));
	struct nvgre_neigh_msg req;
	uint8_t out[BUF];

	memcpy(f.b + OPT + 2, opt_mac, 6);
	fix_csum(&f);
	cr_assert_eq(parse(&f, &req), NVGRE_NEIGH_OK);
	cr_assert_eq(nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b, 0),
		     86);
	cr_expect_arr_eq(out, opt_mac, 6);
	set_plen(&f, 24);
	fix_csum(&f);
	cr_assert_eq(parse(&f, &req), NVGRE_NEIGH_OK);
	cr_assert_eq(nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b, 0),
		     86);
	cr_expect_arr_eq(out, nnv_mac_a, 6);
}

/* Only the router flag can be added; the reserved bits stay zero. */
Test(nvgre_neigh, na_flags_masked)
{
	struct nvgre_neigh_msg req;
	uint8_t out[BUF];

	cr_assert_eq(parse_guarded(nnv_ns, sizeof(nnv_ns), &req),
		     NVGRE_NEIGH_OK);
	cr_assert_eq(nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b,
				       0xff), 86);
	cr_expect_eq(out[ICMP + 4], 0xe0);
	cr_expect_eq(out[ICMP + 5] | out[ICMP + 6] | out[ICMP + 7], 0);
}

/* A priority-tagged request (VID 0) is answered with a tag of VID 0. */
Test(nvgre_neigh, priority_tag_kept)
{
	struct frame f = frame_of(nnv_arp_request_vlan, 64);
	struct nvgre_neigh_msg req;
	uint8_t out[BUF];

	f.b[15] = 0;
	cr_assert_eq(parse(&f, &req), NVGRE_NEIGH_OK);
	cr_expect(req.tagged && req.vlan == 0);
	cr_assert_eq(nvgre_neigh_reply(out, sizeof(out), &req, nnv_mac_b, 0),
		     64);
	cr_expect(out[12] == 0x81 && out[13] == 0 && out[14] == 0 &&
		  out[15] == 0 && out[16] == 0x08 && out[17] == 0x06);
}

/* Found by fuzz/fuzz_neigh.c: a duplicate address detection NS for ::1
 * (to its solicited-node address ff02::1:ff00:1) was accepted, and
 * nvgre_neigh_reply() then refused to answer it.  Neither :: nor ::1 is a
 * target any node owns: both kinds are malformed with either. */
Test(nvgre_neigh, nd_target_unspecified_or_loopback)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	static const uint8_t sn_loopback[16] = { 0xff, 0x02, [11] = 1, 0xff,
						 [15] = 1 };
	const uint8_t *targets[] = { ip6_any.b, loopback };
	struct frame f;

	for (unsigned int i = 0; i < 2; i++) {
		f = frame_of(nnv_ns, sizeof(nnv_ns));
		memcpy(f.b + TARGET, targets[i], 16);
		fix_csum(&f);
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "NS, target %u",
			     i);
		f = frame_of(nnv_na, sizeof(nnv_na));
		memcpy(f.b + TARGET, targets[i], 16);
		fix_csum(&f);
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "NA, target %u",
			     i);
	}
	f = frame_of(nnv_dad_ns, sizeof(nnv_dad_ns));
	memcpy(f.b + IP6 + 24, sn_loopback, 16);
	memcpy(f.b + TARGET, loopback, 16);
	fix_csum(&f);
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "DAD NS for ::1");
}

/* Found by fuzz/fuzz_neigh.c: an NS from a multicast source was
 * accepted, and its answer, an NA to that multicast address with the
 * solicited flag, was one nvgre_neigh_parse() itself refuses (section
 * 7.1.2).  No packet comes from a multicast address or from ::1. */
Test(nvgre_neigh, nd_source_multicast_or_loopback)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	const uint8_t *sources[] = { ip6_all.b, ip6_sn.b, loopback };
	struct frame f;

	for (unsigned int i = 0; i < 3; i++) {
		f = frame_of(nnv_ns, sizeof(nnv_ns));
		memcpy(f.b + IP6 + 8, sources[i], 16);
		fix_csum(&f);
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "NS, source %u",
			     i);
		f = frame_of(nnv_na, sizeof(nnv_na));
		memcpy(f.b + IP6 + 8, sources[i], 16);
		fix_csum(&f);
		cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "NA, source %u",
			     i);
	}
}

/* Found by fuzz/fuzz_neigh.c: an ARP request (or NS) tagged with the
 * reserved VID 4095 was accepted, and nvgre_neigh_reply() then refused
 * to answer it.  It is malformed; the other VIDs keep their tag. */
Test(nvgre_neigh, vid_4095_is_malformed)
{
	struct frame f = frame_of(nnv_arp_request_vlan,
				  sizeof(nnv_arp_request_vlan));
	struct frame g = frame_of(nnv_ns_vlan, sizeof(nnv_ns_vlan));
	struct nvgre_neigh_msg m;

	f.b[14] |= 0x0f;
	f.b[15] = 0xff;
	g.b[14] = 0xef;                 /* priority 7 */
	g.b[15] = 0xff;
	cr_expect_eq(parse_only(&f), NVGRE_NEIGH_BAD, "ARP");
	cr_expect_eq(parse_only(&g), NVGRE_NEIGH_BAD, "NS");
	f.b[15] = 0xfe;
	cr_expect_eq(parse(&f, &m), NVGRE_NEIGH_OK, "VID 4094");
	cr_expect_eq(m.vlan, 4094);
}
