#include "nvgre/wire.h"

#include <errno.h>
#include <string.h>

#include "nvgre/hash.h"

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static inline bool
is_tag_tpid(uint16_t t)
{
	return t == NVGRE_ETHERTYPE_VLAN || t == NVGRE_ETHERTYPE_QINQ ||
	       t == NVGRE_ETHERTYPE_QINQ_OLD;
}

/* One's complement sum of 16-bit words, unfolded (RFC 1071). */
static uint32_t
csum_add(const uint8_t *p, uint32_t size)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i + 1 < size; i += 2)
		s += rd16(p + i);
	if (size & 1)
		s += (uint32_t)p[size - 1] << 8;
	return s;
}

static inline uint16_t
csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* ---- encapsulation --------------------------------------------------- */

static uint32_t
template_eth(uint8_t *h, const struct nvgre_template_cfg *cfg,
	     uint16_t ethertype)
{
	memcpy(h, cfg->dst_mac, 6);
	memcpy(h + 6, cfg->src_mac, 6);
	if (!cfg->vlan) {
		wr16(h + 12, ethertype);
		return NVGRE_ETH_HLEN;
	}
	wr16(h + 12, NVGRE_ETHERTYPE_VLAN);
	wr16(h + 14, (uint16_t)(cfg->pcp << 13 | cfg->vlan));
	wr16(h + 16, ethertype);
	return NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN;
}

static void
template_ipv4(struct nvgre_template *t, const struct nvgre_template_cfg *cfg)
{
	struct nvgre_ipv4 *ip = (struct nvgre_ipv4 *)(t->hdr + t->ip_ofs);
	uint8_t *b = t->hdr + t->ip_ofs;

	ip->ver_ihl = 0x45;
	ip->tos = cfg->tos;
	wr16(b + 6, NVGRE_IPV4_DF);
	ip->ttl = cfg->ttl ? cfg->ttl : NVGRE_TTL_DEFAULT;
	ip->proto = NVGRE_IPPROTO_GRE;
	memcpy(ip->src, cfg->src.b, 4);
	memcpy(ip->dst, cfg->dst.b, 4);
	/* Length and checksum are still 0: what remains is the sum of the
	 * fields that never change. */
	t->csum_base = csum_add(b, NVGRE_IPV4_HLEN);
}

static void
template_ipv6(struct nvgre_template *t, const struct nvgre_template_cfg *cfg)
{
	struct nvgre_ipv6 *ip = (struct nvgre_ipv6 *)(t->hdr + t->ip_ofs);
	uint8_t *b = t->hdr + t->ip_ofs;

	wr32(b, 6u << 28 | (uint32_t)cfg->tos << 20);
	ip->next = NVGRE_IPPROTO_GRE;
	ip->hop_limit = cfg->ttl ? cfg->ttl : NVGRE_TTL_DEFAULT;
	memcpy(ip->src, cfg->src.b, 16);
	memcpy(ip->dst, cfg->dst.b, 16);
}

int
nvgre_template_build(struct nvgre_template *t,
		     const struct nvgre_template_cfg *cfg)
{
	bool v6 = cfg->src.family == NVGRE_AF_IPV6;

	memset(t, 0, sizeof(*t));
	if (cfg->src.family != cfg->dst.family ||
	    !nvgre_addr_is_unicast(&cfg->src) ||
	    !nvgre_addr_is_unicast(&cfg->dst) || cfg->vlan > 4094 ||
	    cfg->pcp > 7 || cfg->flowid_mode > NVGRE_FLOWID_FIXED)
		return -EINVAL;
	t->family = cfg->src.family;
	t->ip_ofs = (uint8_t)template_eth(t->hdr, cfg,
		v6 ? NVGRE_ETHERTYPE_IPV6 : NVGRE_ETHERTYPE_IPV4);
	t->gre_ofs = (uint8_t)(t->ip_ofs +
			       (v6 ? NVGRE_IPV6_HLEN : NVGRE_IPV4_HLEN));
	t->size = (uint8_t)(t->gre_ofs + NVGRE_GRE_HLEN);
	if (v6)
		template_ipv6(t, cfg);
	else
		template_ipv4(t, cfg);
	wr16(t->hdr + t->gre_ofs, NVGRE_GRE_K);
	wr16(t->hdr + t->gre_ofs + 2, NVGRE_GRE_PROTO_TEB);
	t->flowid_mode = (uint8_t)cfg->flowid_mode;
	t->flowid = cfg->flowid;
	return 0;
}

int
nvgre_encap(const struct nvgre_template *t, uint8_t *hdr, uint32_t inner_size,
	    uint32_t vsid, uint8_t flowid)
{
	uint8_t *ip = hdr + t->ip_ofs;
	uint64_t ip_size = (uint64_t)t->size - t->ip_ofs + inner_size;
	/* IPv4 counts its header in the length field, IPv6 does not. */
	uint64_t max = t->family == NVGRE_AF_IPV6 ? 0xffff + NVGRE_IPV6_HLEN
						  : 0xffff;

	if (!nvgre_vsid_valid(vsid))
		return -EINVAL;
	if (ip_size > max)
		return -EMSGSIZE;
	memcpy(hdr, t->hdr, t->size);
	if (t->family == NVGRE_AF_IPV4) {
		wr16(ip + 2, (uint16_t)ip_size);
		wr16(ip + 10, (uint16_t)~csum_fold(t->csum_base +
						   (uint32_t)ip_size));
	} else {
		wr16(ip + 4, (uint16_t)(ip_size - NVGRE_IPV6_HLEN));
	}
	wr32(hdr + t->gre_ofs + 4, vsid << 8 | flowid);
	return 0;
}

static uint32_t
ip_gre_size(uint8_t family)
{
	return (family == NVGRE_AF_IPV6 ? NVGRE_IPV6_HLEN : NVGRE_IPV4_HLEN) +
	       NVGRE_GRE_HLEN;
}

bool
nvgre_encap_fits(const struct nvgre_template *t, uint32_t inner_size,
		 uint32_t mtu)
{
	return (uint64_t)inner_size + ip_gre_size(t->family) <= mtu;
}

uint32_t
nvgre_inner_mtu(uint32_t outer_mtu, uint8_t family)
{
	uint32_t cost = ip_gre_size(family) + NVGRE_ETH_HLEN;

	return outer_mtu > cost ? outer_mtu - cost : 0;
}

uint8_t
nvgre_template_flowid(const struct nvgre_template *t, const uint8_t *inner,
		      uint32_t size)
{
	if (t->flowid_mode == NVGRE_FLOWID_FIXED)
		return t->flowid;
	return nvgre_flowid(inner, size);
}

/* ---- FlowID ---------------------------------------------------------- */

#define FLOWID_SEED 0x4e56475245464c4full   /* the same on every host */

static bool
has_ports(uint8_t proto)
{
	/* TCP, UDP, SCTP, UDP-Lite: ports in the first 4 bytes. */
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

/* Appends 'n' bytes to the key being built. */
static void
key_put(uint8_t *key, uint32_t *len, const uint8_t *p, uint32_t n)
{
	memcpy(key + *len, p, n);
	*len += n;
}

uint8_t
nvgre_flowid(const uint8_t *f, uint32_t size)
{
	uint8_t key[2 + 32 + 1 + 4];
	uint32_t len = 0, l3 = NVGRE_ETH_HLEN;
	uint16_t type;
	uint8_t type_be[2];

	if (size < NVGRE_ETH_HLEN)
		return 0;
	type = rd16(f + 12);
	if (is_tag_tpid(type) && size >= NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN) {
		type = rd16(f + 16);
		l3 += NVGRE_VLAN_HLEN;
	}
	wr16(type_be, type);
	key_put(key, &len, type_be, 2);
	if (type == NVGRE_ETHERTYPE_IPV4 && size >= l3 + NVGRE_IPV4_HLEN &&
	    f[l3] >> 4 == 4) {
		const uint8_t *ip = f + l3;
		uint32_t l4 = l3 + (uint32_t)(ip[0] & 0x0f) * 4;

		key_put(key, &len, ip + 12, 8);
		key_put(key, &len, ip + 9, 1);
		if (!(rd16(ip + 6) & (NVGRE_IPV4_MF | NVGRE_IPV4_OFFSET)) &&
		    has_ports(ip[9]) && size >= l4 + 4)
			key_put(key, &len, f + l4, 4);
	} else if (type == NVGRE_ETHERTYPE_IPV6 &&
		   size >= l3 + NVGRE_IPV6_HLEN && f[l3] >> 4 == 6) {
		const uint8_t *ip = f + l3;
		uint32_t l4 = l3 + NVGRE_IPV6_HLEN;

		/* A fragment header (44) is not a port protocol: every
		 * fragment hashes on the addresses alone. */
		key_put(key, &len, ip + 8, 32);
		key_put(key, &len, ip + 6, 1);
		if (has_ports(ip[6]) && size >= l4 + 4)
			key_put(key, &len, f + l4, 4);
	} else {
		key_put(key, &len, f, 12);
	}
	return (uint8_t)(nv_hash_bytes(key, len, FLOWID_SEED) >> 56);
}

int
nvgre_inner_untag(uint8_t *frame, uint32_t size)
{
	if (size < NVGRE_ETH_HLEN)
		return -EINVAL;
	if (!is_tag_tpid(rd16(frame + 12)))
		return 0;
	if (size < NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN ||
	    is_tag_tpid(rd16(frame + 16)))
		return -EINVAL;
	memmove(frame + NVGRE_VLAN_HLEN, frame, 12);
	return NVGRE_VLAN_HLEN;
}

/* ---- decapsulation --------------------------------------------------- */

struct cursor {
	const uint8_t *f;
	uint32_t size;               /* bytes in the frame */
	uint32_t ip_end;             /* where the outer IP length ends it */
	uint32_t limit;              /* min(size, ip_end): readable bytes */
	enum nvgre_drop len_reason;  /* blame for a too-small IP length */
};

/* The bytes ran out inside 'layer': if the frame is shorter than its IP
 * length says, it was cut there; otherwise the IP length itself ends the
 * packet before this layer. */
static enum nvgre_drop
cursor_short(const struct cursor *c, enum nvgre_drop layer)
{
	return c->ip_end > c->size ? layer : c->len_reason;
}

static void
cursor_set_ip_end(struct cursor *c, uint32_t end, enum nvgre_drop reason)
{
	c->ip_end = end;
	c->limit = end < c->size ? end : c->size;
	c->len_reason = reason;
}

/* RFC 791 section 3.1; fragments are refused: NVGRE is sent with DF and
 * reassembly is not ours to do. */
static enum nvgre_drop
decap_ipv4(struct cursor *c, uint32_t *ofs, struct nvgre_decap *out)
{
	const uint8_t *ip = c->f + *ofs;
	uint32_t ihl, total;

	if (c->size < *ofs + NVGRE_IPV4_HLEN)
		return NVGRE_DROP_TRUNC_IPV4;
	if (ip[0] >> 4 != 4)
		return NVGRE_DROP_IPV4_VERSION;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < NVGRE_IPV4_HLEN)
		return NVGRE_DROP_IPV4_IHL;
	if (c->size < *ofs + ihl)
		return NVGRE_DROP_TRUNC_IPV4;
	if (csum_fold(csum_add(ip, ihl)) != 0xffff)
		return NVGRE_DROP_IPV4_CHECKSUM;
	total = rd16(ip + 2);
	if (total < ihl)
		return NVGRE_DROP_IPV4_LENGTH;
	cursor_set_ip_end(c, *ofs + total, NVGRE_DROP_IPV4_LENGTH);
	if (rd16(ip + 6) & (NVGRE_IPV4_MF | NVGRE_IPV4_OFFSET))
		return NVGRE_DROP_IPV4_FRAGMENT;
	if (ip[9] != NVGRE_IPPROTO_GRE)
		return NVGRE_DROP_NOT_GRE;
	out->src = nvgre_addr_ipv4(ip + 12);
	out->dst = nvgre_addr_ipv4(ip + 16);
	*ofs += ihl;
	return NVGRE_DROP_NONE;
}

/* IPv6 extension headers (RFC 8200 section 4, RFC 7045 section 3). */
static bool
is_ipv6_ext(uint8_t next)
{
	switch (next) {
	case 0: case 43: case 44: case 50: case 51: case 60:
	case 135: case 139: case 140: case 253: case 254:
		return true;
	default:
		return false;
	}
}

/* RFC 8200 section 3.  GRE must follow the fixed header directly: our
 * encapsulation adds no extension header, and a fragment header would
 * mean reassembly. */
static enum nvgre_drop
decap_ipv6(struct cursor *c, uint32_t *ofs, struct nvgre_decap *out)
{
	const uint8_t *ip = c->f + *ofs;
	uint32_t plen;

	if (c->size < *ofs + NVGRE_IPV6_HLEN)
		return NVGRE_DROP_TRUNC_IPV6;
	if (ip[0] >> 4 != 6)
		return NVGRE_DROP_IPV6_VERSION;
	plen = rd16(ip + 4);
	if (plen == 0)
		return NVGRE_DROP_IPV6_LENGTH;
	cursor_set_ip_end(c, *ofs + NVGRE_IPV6_HLEN + plen,
			  NVGRE_DROP_IPV6_LENGTH);
	if (ip[6] != NVGRE_IPPROTO_GRE)
		return is_ipv6_ext(ip[6]) ? NVGRE_DROP_IPV6_EXT_HEADER
					  : NVGRE_DROP_NOT_GRE;
	out->src = nvgre_addr_ipv6(ip + 8);
	out->dst = nvgre_addr_ipv6(ip + 24);
	*ofs += NVGRE_IPV6_HLEN;
	return NVGRE_DROP_NONE;
}

/* Maps the first set flag to its reason, most significant bit first. */
static enum nvgre_drop
gre_flags_reason(uint16_t flags)
{
	static const struct {
		uint16_t bits;
		enum nvgre_drop reason;
	} checks[] = {
		{ NVGRE_GRE_C, NVGRE_DROP_GRE_CHECKSUM },
		{ NVGRE_GRE_R, NVGRE_DROP_GRE_ROUTING },
		{ NVGRE_GRE_S, NVGRE_DROP_GRE_SEQUENCE },
		{ NVGRE_GRE_SSR, NVGRE_DROP_GRE_STRICT_ROUTE },
		{ NVGRE_GRE_RECUR, NVGRE_DROP_GRE_RECURSION },
		/* RFC 2784 section 2.3 has receivers ignore bits 6-12;
		 * NVGRE leaves nothing to extend there, so a frame that
		 * sets them was not built for us: stricter on purpose. */
		{ NVGRE_GRE_RESERVED, NVGRE_DROP_GRE_RESERVED },
		{ NVGRE_GRE_VERSION, NVGRE_DROP_GRE_VERSION },
	};

	for (unsigned int i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (flags & checks[i].bits)
			return checks[i].reason;
	return (flags & NVGRE_GRE_K) ? NVGRE_DROP_NONE : NVGRE_DROP_GRE_NO_KEY;
}

/* RFC 2784 section 2, RFC 2890 section 2.1, RFC 7637 section 3.2: K set,
 * every other flag clear, version 0, protocol 0x6558. */
static enum nvgre_drop
decap_gre(const struct cursor *c, uint32_t *ofs, struct nvgre_decap *out)
{
	const uint8_t *g = c->f + *ofs;
	enum nvgre_drop r;
	uint32_t key;

	if (c->limit < *ofs + 4)
		return cursor_short(c, NVGRE_DROP_TRUNC_GRE);
	if ((r = gre_flags_reason(rd16(g))) != NVGRE_DROP_NONE)
		return r;
	if (rd16(g + 2) != NVGRE_GRE_PROTO_TEB)
		return NVGRE_DROP_GRE_PROTOCOL;
	if (c->limit < *ofs + NVGRE_GRE_HLEN)
		return cursor_short(c, NVGRE_DROP_TRUNC_GRE);
	key = rd32(g + 4);
	out->vsid = key >> 8;
	out->flowid = (uint8_t)key;
	if (!nvgre_vsid_valid(out->vsid))
		return NVGRE_DROP_VSID_RESERVED;
	*ofs += NVGRE_GRE_HLEN;
	return NVGRE_DROP_NONE;
}

static enum nvgre_drop
decap_outer(struct cursor *c, uint32_t *ofs, struct nvgre_decap *out)
{
	uint16_t type;

	if (c->size < NVGRE_ETH_HLEN)
		return NVGRE_DROP_TRUNC_ETH;
	type = rd16(c->f + 12);
	*ofs = NVGRE_ETH_HLEN;
	if (type == NVGRE_ETHERTYPE_VLAN) {
		if (c->size < NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN)
			return NVGRE_DROP_TRUNC_VLAN;
		out->tagged = true;
		out->vlan = rd16(c->f + 14) & 0x0fff;
		type = rd16(c->f + 16);
		*ofs += NVGRE_VLAN_HLEN;
	}
	switch (type) {
	case NVGRE_ETHERTYPE_IPV4:
		return decap_ipv4(c, ofs, out);
	case NVGRE_ETHERTYPE_IPV6:
		return decap_ipv6(c, ofs, out);
	default:
		return NVGRE_DROP_NOT_IP;
	}
}

enum nvgre_drop
nvgre_decap_parse(const uint8_t *frame, uint32_t size, struct nvgre_decap *out)
{
	struct cursor c = { frame, size, size, size, NVGRE_DROP_NONE };
	enum nvgre_drop r;
	uint32_t ofs;

	memset(out, 0, sizeof(*out));
	if ((r = decap_outer(&c, &ofs, out)) != NVGRE_DROP_NONE ||
	    (r = decap_gre(&c, &ofs, out)) != NVGRE_DROP_NONE)
		return r;
	if (c.limit < ofs + NVGRE_ETH_HLEN)
		return cursor_short(&c, NVGRE_DROP_TRUNC_INNER);
	if (is_tag_tpid(rd16(frame + ofs + 12)))
		return NVGRE_DROP_INNER_TAGGED;
	if (c.ip_end > size)
		return NVGRE_DROP_TRUNC_PAYLOAD;
	out->inner_ofs = ofs;
	out->inner_size = c.limit - ofs;
	return NVGRE_DROP_NONE;
}
