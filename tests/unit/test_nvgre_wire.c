/* Unit tests for nvgre/wire.c: golden encapsulations (IPv4 and IPv6 PAs,
 * with and without a PA VLAN), decapsulation of the same bytes and of a
 * frame another implementation would send, one frame per drop reason,
 * truncation at every byte, inner tag removal, and the FlowID. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvgre/wire.h"
#include "tests/unit/nvgre_vectors.h"

#define BUF 256

static void
build(const struct nvv_vector *v, struct nvgre_template *t)
{
	cr_assert_eq(nvgre_template_build(t, &v->cfg), 0, "%s", v->name);
}

static void
expect_bytes(const uint8_t *got, const uint8_t *want, uint32_t n,
	     const char *what)
{
	for (uint32_t i = 0; i < n; i++)
		cr_expect_eq(got[i], want[i], "%s: byte %u is %02x, want %02x",
			     what, i, got[i], want[i]);
}

/* ---- encapsulation --------------------------------------------------- */

Test(nvgre_wire, encap_golden)
{
	for (unsigned int i = 0; i < NVV_N; i++) {
		const struct nvv_vector *v = &nvv_vectors[i];
		struct nvgre_template t;
		uint8_t buf[BUF];
		uint32_t hs;

		build(v, &t);
		hs = nvgre_template_size(&t);
		cr_assert_eq(hs, v->outer_size, "%s: size %u", v->name, hs);
		/* The inner frame sits in the buffer; the headers go in the
		 * headroom just in front of it, as in an mbuf. */
		memset(buf, 0xee, sizeof(buf));
		memcpy(buf + NVGRE_HDR_MAX, nvv_inner, sizeof(nvv_inner));
		cr_assert_eq(nvgre_encap(&t, buf + NVGRE_HDR_MAX - hs,
					 sizeof(nvv_inner), NVV_VSID,
					 NVV_FLOWID), 0);
		expect_bytes(buf + NVGRE_HDR_MAX - hs, v->outer, hs, v->name);
		expect_bytes(buf + NVGRE_HDR_MAX, nvv_inner, sizeof(nvv_inner),
			     "inner untouched");
		for (uint32_t b = 0; b < NVGRE_HDR_MAX - hs; b++)
			cr_expect_eq(buf[b], 0xee, "%s: wrote before its "
				     "headroom at %u", v->name, b);
	}
}

/* RFC 1071: a header with a correct checksum sums to ffff. */
static uint16_t
ipv4_sum(const uint8_t *ip)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

Test(nvgre_wire, encap_patches_length_checksum_key_per_packet)
{
	const struct nvv_vector *v4 = &nvv_vectors[0], *v6 = &nvv_vectors[2];
	struct nvgre_template t4, t6;
	uint8_t h[NVGRE_HDR_MAX];

	build(v4, &t4);
	build(v6, &t6);
	for (uint32_t len = 14; len <= 65507; len += 997) {
		uint32_t vsid = NVGRE_VSID_MIN + len * 211 % 0xffe000;
		uint8_t fid = (uint8_t)(len * 7);

		cr_assert_eq(nvgre_encap(&t4, h, len, vsid, fid), 0);
		cr_expect_eq(h[16] << 8 | h[17], 28 + len, "len %u", len);
		cr_expect_eq(ipv4_sum(h + 14), 0xffff, "checksum, len %u", len);
		cr_expect_eq(h[18] << 8 | h[19], 0, "IPv4 ID");
		cr_expect_eq(h[20], 0x40, "DF");
		cr_expect_eq((uint32_t)(h[38] << 16 | h[39] << 8 | h[40]),
			     vsid);
		cr_expect_eq(h[41], fid);

		cr_assert_eq(nvgre_encap(&t6, h, len, vsid, fid), 0);
		cr_expect_eq(h[18] << 8 | h[19], 8 + len, "plen, len %u", len);
		cr_expect_eq((uint32_t)(h[58] << 16 | h[59] << 8 | h[60]),
			     vsid);
		cr_expect_eq(h[61], fid);
	}
}

Test(nvgre_wire, encap_refuses_bad_vsid_and_oversize)
{
	struct nvgre_template t4, t6;
	uint8_t h[NVGRE_HDR_MAX];

	build(&nvv_vectors[0], &t4);
	build(&nvv_vectors[2], &t6);
	cr_expect_eq(nvgre_encap(&t4, h, 60, 4095, 0), -EINVAL);
	cr_expect_eq(nvgre_encap(&t4, h, 60, 0xffffff, 0), -EINVAL);
	cr_expect_eq(nvgre_encap(&t4, h, 60, 0x1000000, 0), -EINVAL);
	cr_expect_eq(nvgre_encap(&t4, h, 60, NVGRE_VSID_MIN, 0), 0);
	cr_expect_eq(nvgre_encap(&t4, h, 60, NVGRE_VSID_MAX, 0), 0);
	/* IPv4 counts its 20 + 8 header bytes in the 16-bit length. */
	cr_expect_eq(nvgre_encap(&t4, h, 65535 - 28, 5001, 0), 0);
	cr_expect_eq(nvgre_encap(&t4, h, 65535 - 27, 5001, 0), -EMSGSIZE);
	/* IPv6 counts only what follows its fixed header. */
	cr_expect_eq(nvgre_encap(&t6, h, 65535 - 8, 5001, 0), 0);
	cr_expect_eq(nvgre_encap(&t6, h, 65535 - 7, 5001, 0), -EMSGSIZE);
	cr_expect_eq(nvgre_encap(&t6, h, UINT32_MAX, 5001, 0), -EMSGSIZE);
}

Test(nvgre_wire, template_refuses_bad_config)
{
	struct nvgre_template_cfg c = nvv_vectors[0].cfg;
	struct nvgre_template t;
	static const struct nvgre_addr none, v4_bcast = {
		.family = NVGRE_AF_IPV4, .b = { 255, 255, 255, 255 } };

	cr_expect_eq(nvgre_template_build(&t, &c), 0);
	c.dst = (struct nvgre_addr)NVV_PA6_PEER;
	cr_expect_eq(nvgre_template_build(&t, &c), -EINVAL, "mixed families");
	c = nvv_vectors[0].cfg;
	c.dst = none;
	cr_expect_eq(nvgre_template_build(&t, &c), -EINVAL, "no address");
	c.dst = v4_bcast;
	cr_expect_eq(nvgre_template_build(&t, &c), -EINVAL, "broadcast");
	c = nvv_vectors[0].cfg;
	c.vlan = 4095;
	cr_expect_eq(nvgre_template_build(&t, &c), -EINVAL, "VID 4095");
	c.vlan = 4094;
	cr_expect_eq(nvgre_template_build(&t, &c), 0);
	c.pcp = 8;
	cr_expect_eq(nvgre_template_build(&t, &c), -EINVAL, "PCP 8");
}

Test(nvgre_wire, mtu)
{
	struct nvgre_template t4, t6;

	cr_expect_eq(nvgre_inner_mtu(1500, NVGRE_AF_IPV4), 1458);
	cr_expect_eq(nvgre_inner_mtu(1500, NVGRE_AF_IPV6), 1438);
	cr_expect_eq(nvgre_inner_mtu(9000, NVGRE_AF_IPV4), 8958);
	cr_expect_eq(nvgre_inner_mtu(40, NVGRE_AF_IPV4), 0);
	build(&nvv_vectors[1], &t4);   /* the VLAN tag costs no IP MTU */
	build(&nvv_vectors[2], &t6);
	/* A 1458-byte inner IP packet is a 1472-byte inner frame. */
	cr_expect(nvgre_encap_fits(&t4, 1472, 1500));
	cr_expect_not(nvgre_encap_fits(&t4, 1473, 1500));
	cr_expect(nvgre_encap_fits(&t6, 1452, 1500));
	cr_expect_not(nvgre_encap_fits(&t6, 1453, 1500));
}

/* ---- decapsulation --------------------------------------------------- */

static void
expect_decap_ok(const uint8_t *f, uint32_t size, struct nvgre_decap *d,
		const char *what)
{
	enum nvgre_drop r = nvgre_decap_parse(f, size, d);

	cr_assert_eq(r, NVGRE_DROP_NONE, "%s: dropped as %s", what,
		     nvgre_drop_name(r));
}

Test(nvgre_wire, decap_golden)
{
	for (unsigned int i = 0; i < NVV_N; i++) {
		const struct nvv_vector *v = &nvv_vectors[i];
		struct nvgre_decap d;
		uint8_t f[BUF];
		uint32_t n = nvv_frame(v, f);

		expect_decap_ok(f, n, &d, v->name);
		cr_expect_eq(d.vsid, NVV_VSID, "%s", v->name);
		cr_expect_eq(d.flowid, NVV_FLOWID);
		cr_expect_eq(d.tagged, v->cfg.vlan != 0);
		cr_expect_eq(d.vlan, v->cfg.vlan);
		cr_expect(nvgre_addr_eq(&d.src, &v->cfg.src), "%s", v->name);
		cr_expect(nvgre_addr_eq(&d.dst, &v->cfg.dst), "%s", v->name);
		cr_expect_eq(d.inner_ofs, v->outer_size);
		cr_expect_eq(d.inner_size, sizeof(nvv_inner));
		expect_bytes(f + d.inner_ofs, nvv_inner, d.inner_size,
			     v->name);
	}
}

/* What another NVGRE implementation may send and we must take: FlowID 0,
 * DF clear, a non-zero ID, TTL 63, an IPv4 option (IHL 6, a NOP and
 * three End of Option List bytes), and Ethernet padding after the IP
 * packet.  IPv4 192.0.2.2 -> 192.0.2.1, total 24 + 8 + 42 = 74 (004a):
 * 4600 + 004a = 464a, + 1c46 = 6290, + 3f2f = a1bf, + c000 = 161bf,
 * + 0202 = 163c1, + c000 = 223c1, + 0201 = 225c2, + 0100 (option word)
 * = 226c2, folded 26c4, checksum d93b. */
static const uint8_t foreign_v4[] = {
	0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02,
	0x08, 0x00,
	0x46, 0x00, 0x00, 0x4a, 0x1c, 0x46, 0x00, 0x00,
	0x3f, 0x2f, 0xd9, 0x3b,
	0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
	0x01, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x65, 0x58, 0x00, 0x17, 0x71, 0x00,  /* VSID 6001 */
};

Test(nvgre_wire, decap_foreign_sender_options_padding)
{
	uint8_t f[BUF];
	uint32_t n = sizeof(foreign_v4);
	struct nvgre_decap d;

	memcpy(f, foreign_v4, n);
	memcpy(f + n, nvv_inner, sizeof(nvv_inner));
	n += sizeof(nvv_inner);
	memset(f + n, 0, 10);          /* padding: not part of the packet */
	expect_decap_ok(f, n + 10, &d, "foreign");
	cr_expect_eq(d.vsid, 6001);
	cr_expect_eq(d.flowid, 0);
	cr_expect_eq(d.inner_ofs, sizeof(foreign_v4));
	cr_expect_eq(d.inner_size, sizeof(nvv_inner));
	cr_expect_eq(d.src.b[3], 2);
	cr_expect_eq(d.dst.b[3], 1);
}

Test(nvgre_wire, roundtrip_sizes_and_keys)
{
	static uint8_t f[NVGRE_HDR_MAX + 9000];

	for (unsigned int i = 0; i < NVV_N; i++) {
		struct nvgre_template t;

		build(&nvv_vectors[i], &t);
		for (uint32_t len = 14; len <= 9000; len += 331) {
			uint32_t hs = nvgre_template_size(&t);
			uint32_t vsid = NVGRE_VSID_MAX - len;
			struct nvgre_decap d;

			memset(f + NVGRE_HDR_MAX, 0x5a, len);
			memset(f + NVGRE_HDR_MAX, 0x02, 12);   /* untagged */
			cr_assert_eq(nvgre_encap(&t, f + NVGRE_HDR_MAX - hs,
						 len, vsid, (uint8_t)len), 0);
			expect_decap_ok(f + NVGRE_HDR_MAX - hs, hs + len, &d,
					nvv_vectors[i].name);
			cr_expect_eq(d.vsid, vsid);
			cr_expect_eq(d.flowid, (uint8_t)len);
			cr_expect_eq(d.inner_ofs, hs);
			cr_expect_eq(d.inner_size, len);
		}
	}
}

/* ---- one frame per drop reason --------------------------------------- */

/* A frame from a golden vector, and where its layers start. */
struct fr {
	uint8_t b[BUF];
	uint32_t len;
	uint32_t ip;
	uint32_t gre;
	uint32_t inner;
	bool v6;
};

static void
fr_init(struct fr *f, unsigned int vec)
{
	const struct nvv_vector *v = &nvv_vectors[vec];

	memset(f, 0, sizeof(*f));
	f->len = nvv_frame(v, f->b);
	f->ip = v->cfg.vlan ? 18 : 14;
	f->v6 = v->cfg.src.family == NVGRE_AF_IPV6;
	f->gre = f->ip + (f->v6 ? 40 : 20);
	f->inner = f->gre + 8;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Recomputes the IPv4 header checksum after a change to the header. */
static void
fr_fix_csum(struct fr *f)
{
	uint8_t *ip = f->b + f->ip;
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4, s = 0;

	if (f->v6 || ihl < 20 || f->ip + ihl > f->len)
		return;
	put16(ip + 10, 0);
	for (uint32_t i = 0; i < ihl; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(ip + 10, ~s & 0xffff);
}

enum where { ETH, IP, GRE, INNER, LEN };

/* A change to a valid frame: at layer 'where' + 'ofs', write 'bytes'
 * (big-endian, 1, 2 or 4 of them) of 'val'; LEN sets the frame length. */
struct mutation {
	const char *name;
	int vec;                 /* -1: both IPv4 and IPv6 base frames */
	enum where where;
	uint32_t ofs;
	uint32_t bytes;
	uint32_t val;
	enum nvgre_drop want;
	uint32_t cut;            /* then cut the frame to this, if not 0 */
};

#define V4 0
#define V4T 1
#define V6 2
#define ANY -1

static const struct mutation mutations[] = {
	{ "13 bytes", ANY, LEN, 0, 0, 13, NVGRE_DROP_TRUNC_ETH },
	{ "tag cut", V4T, LEN, 0, 0, 17, NVGRE_DROP_TRUNC_VLAN },
	{ "ARP", V4, ETH, 12, 2, 0x0806, NVGRE_DROP_NOT_IP },
	{ "ARP after tag", V4T, ETH, 16, 2, 0x0806, NVGRE_DROP_NOT_IP },
	{ "S-tag outside", V4T, ETH, 12, 2, 0x88a8, NVGRE_DROP_NOT_IP },
	{ "two C-tags", V4T, ETH, 16, 2, 0x8100, NVGRE_DROP_NOT_IP },
	{ "IPv4 19 bytes", V4, LEN, 0, 0, 14 + 19, NVGRE_DROP_TRUNC_IPV4 },
	{ "IPv4 options cut", V4, IP, 0, 1, 0x4f, NVGRE_DROP_TRUNC_IPV4,
	  14 + 40 },
	{ "IPv4 version 6", V4, IP, 0, 1, 0x65, NVGRE_DROP_IPV4_VERSION },
	{ "IPv4 IHL 4", V4, IP, 0, 1, 0x44, NVGRE_DROP_IPV4_IHL },
	{ "IPv4 checksum", V4, IP, 10, 2, 0x1234, NVGRE_DROP_IPV4_CHECKSUM },
	{ "total < IHL", V4, IP, 2, 2, 19, NVGRE_DROP_IPV4_LENGTH },
	{ "total ends in GRE", V4, IP, 2, 2, 24, NVGRE_DROP_IPV4_LENGTH },
	{ "total ends in GRE key", V4, IP, 2, 2, 27, NVGRE_DROP_IPV4_LENGTH },
	{ "total ends in inner", V4, IP, 2, 2, 41, NVGRE_DROP_IPV4_LENGTH },
	{ "MF", V4, IP, 6, 2, 0x2000, NVGRE_DROP_IPV4_FRAGMENT },
	{ "offset", V4, IP, 6, 2, 0x0001, NVGRE_DROP_IPV4_FRAGMENT },
	{ "IPv4 UDP", V4, IP, 9, 1, 17, NVGRE_DROP_NOT_GRE },
	{ "IPv6 39 bytes", V6, LEN, 0, 0, 14 + 39, NVGRE_DROP_TRUNC_IPV6 },
	{ "IPv6 version 4", V6, IP, 0, 1, 0x40, NVGRE_DROP_IPV6_VERSION },
	{ "payload 0", V6, IP, 4, 2, 0, NVGRE_DROP_IPV6_LENGTH },
	{ "payload ends in GRE", V6, IP, 4, 2, 6, NVGRE_DROP_IPV6_LENGTH },
	{ "payload ends in inner", V6, IP, 4, 2, 21, NVGRE_DROP_IPV6_LENGTH },
	{ "fragment header", V6, IP, 6, 1, 44, NVGRE_DROP_IPV6_EXT_HEADER },
	{ "hop-by-hop", V6, IP, 6, 1, 0, NVGRE_DROP_IPV6_EXT_HEADER },
	{ "destination opts", V6, IP, 6, 1, 60, NVGRE_DROP_IPV6_EXT_HEADER },
	{ "IPv6 ICMPv6", V6, IP, 6, 1, 58, NVGRE_DROP_NOT_GRE },
	{ "C", ANY, GRE, 0, 2, 0xa000, NVGRE_DROP_GRE_CHECKSUM },
	{ "R", ANY, GRE, 0, 2, 0x6000, NVGRE_DROP_GRE_ROUTING },
	{ "S", ANY, GRE, 0, 2, 0x3000, NVGRE_DROP_GRE_SEQUENCE },
	{ "s", ANY, GRE, 0, 2, 0x2800, NVGRE_DROP_GRE_STRICT_ROUTE },
	{ "Recur 1", ANY, GRE, 0, 2, 0x2100, NVGRE_DROP_GRE_RECURSION },
	{ "Recur 4", ANY, GRE, 0, 2, 0x2400, NVGRE_DROP_GRE_RECURSION },
	{ "bit 8", ANY, GRE, 0, 2, 0x2080, NVGRE_DROP_GRE_RESERVED },
	{ "bit 12", ANY, GRE, 0, 2, 0x2008, NVGRE_DROP_GRE_RESERVED },
	{ "version 1", ANY, GRE, 0, 2, 0x2001, NVGRE_DROP_GRE_VERSION },
	{ "version 7", ANY, GRE, 0, 2, 0x2007, NVGRE_DROP_GRE_VERSION },
	{ "no K", ANY, GRE, 0, 2, 0x0000, NVGRE_DROP_GRE_NO_KEY },
	{ "C and protocol", ANY, GRE, 0, 4, 0xa0000800,
	  NVGRE_DROP_GRE_CHECKSUM },
	{ "protocol IPv4", ANY, GRE, 2, 2, 0x0800, NVGRE_DROP_GRE_PROTOCOL },
	{ "protocol ERSPAN", ANY, GRE, 2, 2, 0x88be, NVGRE_DROP_GRE_PROTOCOL },
	{ "key cut", V4, LEN, 0, 0, 14 + 20 + 6, NVGRE_DROP_TRUNC_GRE },
	{ "VSID 0", ANY, GRE, 4, 4, 0x0000002a, NVGRE_DROP_VSID_RESERVED },
	{ "VSID 4095", ANY, GRE, 4, 4, 0x000fff2a, NVGRE_DROP_VSID_RESERVED },
	{ "VSID ffffff", ANY, GRE, 4, 4, 0xffffff2a,
	  NVGRE_DROP_VSID_RESERVED },
	{ "inner 13 bytes", V4, LEN, 0, 0, 14 + 28 + 13,
	  NVGRE_DROP_TRUNC_INNER },
	{ "inner C-tag", ANY, INNER, 12, 2, 0x8100, NVGRE_DROP_INNER_TAGGED },
	{ "inner S-tag", ANY, INNER, 12, 2, 0x88a8, NVGRE_DROP_INNER_TAGGED },
	{ "inner 9100", ANY, INNER, 12, 2, 0x9100, NVGRE_DROP_INNER_TAGGED },
	{ "payload cut", ANY, LEN, 0, 0, 0, NVGRE_DROP_TRUNC_PAYLOAD },
	/* Edges that must pass. */
	{ "VSID 4096", ANY, GRE, 4, 4, 0x00100000, NVGRE_DROP_NONE },
	{ "VSID fffffe", ANY, GRE, 4, 4, 0xfffffeff, NVGRE_DROP_NONE },
	{ "DF clear", V4, IP, 6, 2, 0x0000, NVGRE_DROP_NONE },
	{ "reserved IPv4 flag", V4, IP, 6, 2, 0x8000, NVGRE_DROP_NONE },
	{ "TTL 1", V4, IP, 8, 1, 1, NVGRE_DROP_NONE },
	{ "priority tag", V4T, ETH, 14, 2, 0x0000, NVGRE_DROP_NONE },
};

static void
apply(struct fr *f, const struct mutation *m)
{
	uint32_t base = m->where == ETH ? 0 : m->where == IP ? f->ip
			: m->where == GRE ? f->gre : f->inner;
	uint8_t *p = f->b + base + m->ofs;

	if (m->where == LEN) {
		/* 0: one byte short of the whole frame. */
		f->len = m->val ? m->val : f->len - 1;
		return;
	}
	for (uint32_t i = 0; i < m->bytes; i++)
		p[i] = (uint8_t)(m->val >> (8 * (m->bytes - 1 - i)));
	if (m->where == IP && !(m->ofs == 10 && m->bytes == 2))
		fr_fix_csum(f);
	if (m->cut)
		f->len = m->cut;
}

Test(nvgre_wire, each_drop_reason)
{
	bool seen[NVGRE_DROP_N] = { false };

	for (unsigned int i = 0; i < sizeof(mutations) / sizeof(*mutations);
	     i++) {
		const struct mutation *m = &mutations[i];
		static const int both[] = { V4, V6 };

		for (int j = 0; j < 2; j++) {
			int vec = m->vec == ANY ? both[j] : m->vec;
			struct nvgre_decap d;
			enum nvgre_drop r;
			struct fr f;

			if (m->vec != ANY && j)
				break;
			fr_init(&f, (unsigned int)vec);
			apply(&f, m);
			r = nvgre_decap_parse(f.b, f.len, &d);
			cr_expect_eq(r, m->want, "%s (%s): got %s, want %s",
				     m->name, nvv_vectors[vec].name,
				     nvgre_drop_name(r),
				     nvgre_drop_name(m->want));
			seen[r] = true;
		}
	}
	/* Every reason the parser can give has a frame above. */
	for (int r = NVGRE_DROP_TRUNC_ETH; r <= NVGRE_DROP_TRUNC_PAYLOAD; r++)
		cr_expect(seen[r], "no frame triggers %s",
			  nvgre_drop_name((enum nvgre_drop)r));
}

/* Cutting a valid frame anywhere must drop it as truncated at the layer
 * where the bytes ran out -- never read past the end (run under ASan to
 * see it), never accept it. */
Test(nvgre_wire, truncated_at_every_byte)
{
	for (unsigned int i = 0; i < NVV_N; i++) {
		struct fr f;

		fr_init(&f, i);
		for (uint32_t n = 0; n < f.len; n++) {
			static uint8_t cut[BUF];
			struct nvgre_decap d;
			enum nvgre_drop want, r;

			/* A heap-free copy of exactly 'n' bytes at the end of
			 * a buffer, so an overread runs off the array. */
			memcpy(cut + BUF - n, f.b, n);
			want = n < 14 ? NVGRE_DROP_TRUNC_ETH
			       : n < f.ip ? NVGRE_DROP_TRUNC_VLAN
			       : n < f.gre ? (f.v6 ? NVGRE_DROP_TRUNC_IPV6
						   : NVGRE_DROP_TRUNC_IPV4)
			       : n < f.inner ? NVGRE_DROP_TRUNC_GRE
			       : n < f.inner + 14 ? NVGRE_DROP_TRUNC_INNER
			       : NVGRE_DROP_TRUNC_PAYLOAD;
			r = nvgre_decap_parse(cut + BUF - n, n, &d);
			cr_expect_eq(r, want, "%s cut at %u: %s, want %s",
				     nvv_vectors[i].name, n,
				     nvgre_drop_name(r), nvgre_drop_name(want));
		}
	}
}

Test(nvgre_wire, drop_names)
{
	cr_expect_str_eq(nvgre_drop_name(NVGRE_DROP_NONE), "none");
	cr_expect_str_eq(nvgre_drop_name(NVGRE_DROP_N), "unknown");
	for (int i = 1; i < NVGRE_DROP_N; i++) {
		const char *a = nvgre_drop_name((enum nvgre_drop)i);

		cr_expect(a && *a && strcmp(a, "unknown"), "reason %d", i);
		for (int j = 1; j < i; j++)
			cr_expect_str_neq(a,
					  nvgre_drop_name((enum nvgre_drop)j));
	}
}

/* ---- inner tag ------------------------------------------------------- */

Test(nvgre_wire, inner_untag)
{
	uint8_t f[64];
	uint8_t want[60];

	/* Tagged copy of the golden inner frame: tag after the MACs. */
	memcpy(f, nvv_inner, 12);
	f[12] = 0x81; f[13] = 0x00; f[14] = 0x20; f[15] = 0x2a;
	memcpy(f + 16, nvv_inner + 12, sizeof(nvv_inner) - 12);
	cr_assert_eq(nvgre_inner_untag(f, sizeof(nvv_inner) + 4), 4);
	expect_bytes(f + 4, nvv_inner, sizeof(nvv_inner), "untagged");

	memcpy(want, nvv_inner, sizeof(nvv_inner));
	cr_expect_eq(nvgre_inner_untag(want, sizeof(nvv_inner)), 0);
	expect_bytes(want, nvv_inner, sizeof(nvv_inner), "left alone");

	f[12] = 0x88; f[13] = 0xa8; f[16] = 0x81; f[17] = 0x00;
	memcpy(want, f, 18);
	cr_expect_eq(nvgre_inner_untag(f, 60), -EINVAL, "QinQ");
	expect_bytes(f, want, 18, "QinQ unchanged");
	cr_expect_eq(nvgre_inner_untag(f, 13), -EINVAL);
	f[16] = 0x08; f[17] = 0x00;
	cr_expect_eq(nvgre_inner_untag(f, 17), -EINVAL, "tag cut");
}

/* ---- FlowID ---------------------------------------------------------- */

/* An untagged inner IPv4 or IPv6 frame of one flow. */
static uint32_t
flow_frame(uint8_t *f, bool v6, uint32_t host, uint8_t proto,
	   uint16_t sport, uint16_t dport)
{
	uint32_t ip = 14, l4;

	memset(f, 0, 128);
	memcpy(f, nvv_inner, 12);
	if (!v6) {
		put16(f + 12, 0x0800);
		f[ip] = 0x45;
		put16(f + ip + 2, 40);
		f[ip + 8] = 64;
		f[ip + 9] = proto;
		f[ip + 12] = 10; f[ip + 13] = (uint8_t)(host >> 16);
		f[ip + 14] = (uint8_t)(host >> 8); f[ip + 15] = (uint8_t)host;
		f[ip + 16] = 10; f[ip + 19] = 1;
		l4 = ip + 20;
	} else {
		put16(f + 12, 0x86dd);
		f[ip] = 0x60;
		put16(f + ip + 4, 20);
		f[ip + 6] = proto;
		f[ip + 7] = 64;
		f[ip + 8] = 0xfd;
		f[ip + 21] = (uint8_t)(host >> 16);
		f[ip + 22] = (uint8_t)(host >> 8); f[ip + 23] = (uint8_t)host;
		f[ip + 24] = 0xfd; f[ip + 39] = 1;
		l4 = ip + 40;
	}
	put16(f + l4, sport);
	put16(f + l4 + 2, dport);
	return l4 + 20;
}

Test(nvgre_wire, flowid_stable_per_flow)
{
	uint8_t a[128], b[128];

	for (int v6 = 0; v6 < 2; v6++) {
		uint32_t n = flow_frame(a, v6, 7, 6, 40000, 443);
		uint32_t ttl_at = v6 ? 14 + 7 : 14 + 8;

		/* Same 5-tuple, other TTL, payload and length: same ID. */
		flow_frame(b, v6, 7, 6, 40000, 443);
		b[ttl_at] = 3;
		memset(b + n - 8, 0x77, 8);
		cr_expect_eq(nvgre_flowid(a, n), nvgre_flowid(b, n + 0));
		cr_expect_eq(nvgre_flowid(a, n), nvgre_flowid(b, n - 8));
		/* Copies of the function give the same answer every time. */
		for (int i = 0; i < 100; i++)
			cr_assert_eq(nvgre_flowid(a, n), nvgre_flowid(a, n));
		/* A tag in front changes nothing. */
		memcpy(b, a, 12);
		b[12] = 0x81; b[13] = 0; b[14] = 0; b[15] = 5;
		memcpy(b + 16, a + 12, n - 12);
		cr_expect_eq(nvgre_flowid(a, n), nvgre_flowid(b, n + 4));
	}
}

Test(nvgre_wire, flowid_fragments_hash_addresses_only)
{
	uint8_t a[128], b[128];
	uint32_t n = flow_frame(a, false, 9, 17, 5000, 53);

	/* First fragment (MF) and a later one (offset) agree although the
	 * later one carries no ports. */
	memcpy(b, a, n);
	put16(a + 14 + 6, 0x2000);
	put16(b + 14 + 6, 0x00b9);
	memset(b + 34, 0xab, 4);
	cr_expect_eq(nvgre_flowid(a, n), nvgre_flowid(b, n));
}

Test(nvgre_wire, flowid_spreads_flows)
{
	enum { FLOWS = 65536 };
	unsigned int buckets[256] = { 0 };
	uint8_t f[128];
	double chi2 = 0, expect = FLOWS / 256.0;
	int ports_differ = 0;

	for (uint32_t i = 0; i < FLOWS; i++) {
		uint32_t n = flow_frame(f, i & 1, i >> 9, 6,
					(uint16_t)(1024 + (i & 511)), 80);
		buckets[nvgre_flowid(f, n)]++;
	}
	for (int i = 0; i < 256; i++)
		chi2 += (buckets[i] - expect) * (buckets[i] - expect) / expect;
	/* 255 degrees of freedom: the 99.9th percentile is about 330. */
	cr_expect_lt(chi2, 330.0, "chi-square %.1f over 256 FlowIDs", chi2);

	/* Flows of one host pair differing only in the source port mostly
	 * get different FlowIDs: ECMP can split them. */
	for (uint16_t p = 0; p < 256; p++) {
		uint32_t n = flow_frame(f, false, 1, 17, 1000, 53);
		uint8_t a = nvgre_flowid(f, n);

		flow_frame(f, false, 1, 17, (uint16_t)(1001 + p), 53);
		ports_differ += nvgre_flowid(f, n) != a;
	}
	cr_expect_gt(ports_differ, 240, "%d of 256 differ", ports_differ);
}

Test(nvgre_wire, flowid_non_ip_and_short)
{
	uint8_t f[64];

	memcpy(f, nvv_inner, 12);
	put16(f + 12, 0x0806);
	memset(f + 14, 0, 28);
	/* ARP: the MACs and EtherType decide, not the ARP body. */
	uint8_t a = nvgre_flowid(f, 42);
	f[20] = 0x99;
	cr_expect_eq(nvgre_flowid(f, 42), a);
	cr_expect_eq(nvgre_flowid(f, 13), 0);
	/* An IPv4 header cut short is hashed as non-IP, not read past. */
	put16(f + 12, 0x0800);
	f[14] = 0x45;
	(void)nvgre_flowid(f, 20);
}

Test(nvgre_wire, template_flowid_fixed_or_hash)
{
	struct nvgre_template_cfg c = nvv_vectors[0].cfg;
	struct nvgre_template t;

	cr_assert_eq(nvgre_template_build(&t, &c), 0);
	cr_expect_eq(nvgre_template_flowid(&t, nvv_inner, sizeof(nvv_inner)),
		     nvgre_flowid(nvv_inner, sizeof(nvv_inner)));
	c.flowid_mode = NVGRE_FLOWID_FIXED;
	c.flowid = 0;
	cr_assert_eq(nvgre_template_build(&t, &c), 0);
	cr_expect_eq(nvgre_template_flowid(&t, nvv_inner, sizeof(nvv_inner)),
		     0);
	c.flowid = 0x99;
	cr_assert_eq(nvgre_template_build(&t, &c), 0);
	cr_expect_eq(nvgre_template_flowid(&t, nvv_inner, sizeof(nvv_inner)),
		     0x99);
}

/* ---- robustness ------------------------------------------------------ */

/* Random damage to the golden frames -- flipped bytes, random lengths,
 * random garbage -- never makes the parser read past the end (ASan), and
 * what it accepts is consistent: the inner frame lies inside the buffer,
 * the VSID is in range, the same bytes give the same answer. */
Test(nvgre_wire, decap_random_damage)
{
	static uint8_t buf[BUF];
	unsigned int seed = 7637;
	uint32_t accepted = 0;

	for (int iter = 0; iter < 200000; iter++) {
		struct nvgre_decap d, d2;
		enum nvgre_drop r;
		uint32_t n;
		struct fr f;

		fr_init(&f, (unsigned int)rand_r(&seed) % NVV_N);
		n = f.len;
		switch (rand_r(&seed) % 4) {
		case 0:       /* a few flipped bits anywhere */
			for (int k = rand_r(&seed) % 4; k >= 0; k--)
				f.b[rand_r(&seed) % f.len] ^=
					(uint8_t)(1 << rand_r(&seed) % 8);
			break;
		case 1:       /* flipped bits in the headers, any length */
			f.b[rand_r(&seed) % f.inner] ^= (uint8_t)rand_r(&seed);
			n = (uint32_t)rand_r(&seed) % (f.len + 8);
			break;
		case 2:       /* garbage after a valid Ethernet header */
			for (uint32_t i = 14; i < f.len; i++)
				f.b[i] = (uint8_t)rand_r(&seed);
			break;
		default:      /* valid headers, random padding or cut */
			n = f.len - 20 + (uint32_t)rand_r(&seed) % 40;
		}
		/* Exactly 'n' bytes at the end of the buffer. */
		memcpy(buf + BUF - n, f.b, n);
		r = nvgre_decap_parse(buf + BUF - n, n, &d);
		cr_assert_lt(r, NVGRE_DROP_DST_PA_NOT_LOCAL,
			     "table reasons are not the parser's");
		cr_assert_eq(nvgre_decap_parse(buf + BUF - n, n, &d2), r);
		if (r != NVGRE_DROP_NONE)
			continue;
		accepted++;
		cr_assert(nvgre_vsid_valid(d.vsid));
		cr_assert_geq(d.inner_size, 14u);
		cr_assert_leq(d.inner_ofs + d.inner_size, n);
		cr_assert(d.src.family == NVGRE_AF_IPV4 ||
			  d.src.family == NVGRE_AF_IPV6);
		cr_assert_eq(d.src.family, d.dst.family);
	}
	cr_expect_gt(accepted, 1000, "the damage left some frames valid");
}
