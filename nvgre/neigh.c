#include "nvgre/neigh.h"

#include <errno.h>
#include <string.h>

#include "nvgre/proto.h"

/* ARP for Ethernet and IPv4 (RFC 826, "Packet format"). */
struct __attribute__((packed)) neigh_arp {
	nvgre_be16 htype;            /* ar$hrd: 1, Ethernet */
	nvgre_be16 ptype;            /* ar$pro: 0x0800, IPv4 */
	uint8_t hlen;                /* ar$hln: 6 */
	uint8_t plen;                /* ar$pln: 4 */
	nvgre_be16 op;               /* ar$op: NVGRE_ARP_* */
	uint8_t sha[6];
	uint8_t spa[4];
	uint8_t tha[6];
	uint8_t tpa[4];
};

/* Neighbor solicitation and advertisement (RFC 4861 sections 4.3, 4.4):
 * the same layout, 'flags' reserved (zero) in a solicitation. */
struct __attribute__((packed)) neigh_nd {
	uint8_t type;                /* NVGRE_ICMPV6_NS or _NA */
	uint8_t code;                /* 0 */
	nvgre_be16 csum;             /* over the pseudo-header too */
	uint8_t flags;               /* NA: NVGRE_NA_* */
	uint8_t reserved[3];
	uint8_t target[16];
};

/* Source or target link-layer address option for Ethernet (RFC 4861
 * section 4.6.1, RFC 2464 section 8). */
struct __attribute__((packed)) neigh_lla_opt {
	uint8_t type;                /* ND_OPT_SLLA or ND_OPT_TLLA */
	uint8_t len;                 /* in units of 8 bytes: 1 */
	uint8_t mac[6];
};

#define ARP_SIZE 28
#define ND_SIZE 24
#define LLA_OPT_SIZE 8
#define ND_OPT_SLLA 1                /* source link-layer address */
#define ND_OPT_TLLA 2                /* target link-layer address */
#define ARP_HTYPE_ETHER 1
#define IPPROTO_ICMPV6_ 58
#define ND_HOP_LIMIT 255             /* RFC 4861 sections 7.1.1, 7.1.2 */
#define ETH_MIN 60                   /* without the FCS */

_Static_assert(sizeof(struct neigh_arp) == ARP_SIZE, "arp");
_Static_assert(sizeof(struct neigh_nd) == ND_SIZE, "nd");
_Static_assert(sizeof(struct neigh_lla_opt) == LLA_OPT_SIZE, "lla option");
_Static_assert(NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN + NVGRE_IPV6_HLEN + ND_SIZE +
	       LLA_OPT_SIZE == NVGRE_NEIGH_FRAME_MAX, "largest frame");

/* The Ethernet, 802.1Q and IPv6 header of a frame. */
struct neigh_l2 {
	const uint8_t *dst;
	const uint8_t *src;
	bool tagged;
	uint16_t vlan;
};

static enum nvgre_neigh_result parse_arp(const uint8_t *p, uint32_t size,
					 struct nvgre_neigh_msg *out);
static enum nvgre_neigh_result parse_ipv6(const uint8_t *p, uint32_t size,
					  struct nvgre_neigh_msg *out);
static enum nvgre_neigh_result parse_nd_options(const uint8_t *opt,
						uint32_t size,
						struct nvgre_neigh_msg *out);
static uint32_t write_eth(uint8_t *buf, const struct neigh_l2 *l2,
			  uint16_t type);
static int write_nd(uint8_t *buf, uint32_t size, const struct neigh_l2 *l2,
		    const struct nvgre_addr *src, const struct nvgre_addr *dst,
		    uint8_t type, uint8_t flags,
		    const struct nvgre_addr *target, uint8_t opt_type,
		    const uint8_t opt_mac[6]);
static uint16_t icmpv6_sum(const uint8_t *ip, const uint8_t *msg,
			   uint32_t msg_size);

/* ---- helpers --------------------------------------------------------- */

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline bool
ipv6_is_multicast(const uint8_t b[16])
{
	return b[0] == 0xff;
}

/* ff02::1:ffXX:XXXX (RFC 4291 section 2.7.1), the first 104 bits. */
static const uint8_t solicited_node[13] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
};

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

static inline bool
ipv6_is_solicited_node(const uint8_t b[16])
{
	return memcmp(b, solicited_node, sizeof(solicited_node)) == 0;
}

static inline bool
ipv6_is_unspecified(const uint8_t b[16])
{
	for (int i = 0; i < 16; i++)
		if (b[i])
			return false;
	return true;
}

/* An address a packet from the wire may come from: not multicast (RFC
 * 4291 section 2.7) nor ::1 (section 2.5.3); :: is (RFC 4861 section
 * 7.1.1: duplicate address detection). */
static inline bool
ipv6_is_source(const uint8_t b[16])
{
	static const uint8_t loopback[16] = { [15] = 1 };

	return !ipv6_is_multicast(b) && memcmp(b, loopback, 16) != 0;
}

/* Not multicast, not :: and not ::1: an address a node may own. */
static inline bool
ipv6_is_unicast(const uint8_t b[16])
{
	static const uint8_t loopback[16] = { [15] = 1 };

	return !ipv6_is_multicast(b) && !ipv6_is_unspecified(b) &&
	       memcmp(b, loopback, 16) != 0;
}

/* ---- parsing --------------------------------------------------------- */

enum nvgre_neigh_result
nvgre_neigh_parse(const uint8_t *frame, uint32_t size,
		  struct nvgre_neigh_msg *out)
{
	enum nvgre_neigh_result r = NVGRE_NEIGH_NOT;
	uint32_t ofs = NVGRE_ETH_HLEN;
	uint16_t type;

	memset(out, 0, sizeof(*out));
	if (size < NVGRE_ETH_HLEN)
		return NVGRE_NEIGH_NOT;
	memcpy(out->eth_dst, frame, 6);
	memcpy(out->eth_src, frame + 6, 6);
	type = rd16(frame + 12);
	if (type == NVGRE_ETHERTYPE_VLAN) {
		if (size < NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN)
			return NVGRE_NEIGH_NOT;
		out->tagged = true;
		out->vlan = rd16(frame + 14) & 0x0fff;
		type = rd16(frame + 16);
		ofs += NVGRE_VLAN_HLEN;
	}
	if (type == NVGRE_ETHERTYPE_ARP)
		r = parse_arp(frame + ofs, size - ofs, out);
	else if (type == NVGRE_ETHERTYPE_IPV6)
		r = parse_ipv6(frame + ofs, size - ofs, out);
	/* VID 4095 is reserved (IEEE 802.1Q table 9-2): no frame carries
	 * it, and no answer could. */
	if (r == NVGRE_NEIGH_OK && out->vlan == 4095)
		return NVGRE_NEIGH_BAD;
	return r;
}

/* Parses the ARP message in the 'size' bytes at 'p' (RFC 826). */
static enum nvgre_neigh_result
parse_arp(const uint8_t *p, uint32_t size, struct nvgre_neigh_msg *out)
{
	const struct neigh_arp *a = (const struct neigh_arp *)p;
	uint16_t op;

	if (size < ARP_SIZE)
		return NVGRE_NEIGH_BAD;
	op = rd16(p + 6);
	if (rd16(p) != ARP_HTYPE_ETHER || rd16(p + 2) != NVGRE_ETHERTYPE_IPV4 ||
	    a->hlen != 6 || a->plen != 4 ||
	    (op != NVGRE_ARP_REQUEST && op != NVGRE_ARP_REPLY))
		return NVGRE_NEIGH_BAD;
	out->kind = op == NVGRE_ARP_REQUEST ? NVGRE_NEIGH_ARP_REQUEST
					    : NVGRE_NEIGH_ARP_REPLY;
	memcpy(out->sender_mac, a->sha, 6);
	out->has_sender_mac = true;
	out->sender = nvgre_addr_ipv4(a->spa);
	memcpy(out->target_mac, a->tha, 6);
	out->target = nvgre_addr_ipv4(a->tpa);
	return NVGRE_NEIGH_OK;
}

/* Parses the IPv6 packet in the 'size' bytes at 'p': NVGRE_NEIGH_NOT
 * unless it is ICMPv6 right after the header with type NS or NA; then
 * the checks of RFC 4861 sections 7.1.1 and 7.1.2. */
static enum nvgre_neigh_result
parse_ipv6(const uint8_t *p, uint32_t size, struct nvgre_neigh_msg *out)
{
	const struct nvgre_ipv6 *ip = (const struct nvgre_ipv6 *)p;
	const uint8_t *m = p + NVGRE_IPV6_HLEN;
	const struct neigh_nd *nd = (const struct neigh_nd *)m;
	uint32_t avail, msg_size;

	if (size < NVGRE_IPV6_HLEN + 1 || p[0] >> 4 != 6 ||
	    ip->next != IPPROTO_ICMPV6_)
		return NVGRE_NEIGH_NOT;
	avail = size - NVGRE_IPV6_HLEN;
	msg_size = rd16(p + 4);
	if (msg_size == 0 ||
	    (m[0] != NVGRE_ICMPV6_NS && m[0] != NVGRE_ICMPV6_NA))
		return NVGRE_NEIGH_NOT;
	/* From here on it is NS or NA: anything wrong is BAD. */
	if (msg_size > avail || msg_size < ND_SIZE ||
	    ip->hop_limit != ND_HOP_LIMIT || nd->code != 0 ||
	    icmpv6_sum(p, m, msg_size) != 0xffff ||
	    !ipv6_is_unicast(nd->target) || !ipv6_is_source(ip->src))
		return NVGRE_NEIGH_BAD;
	out->kind = m[0] == NVGRE_ICMPV6_NS ? NVGRE_NEIGH_NS : NVGRE_NEIGH_NA;
	out->sender = nvgre_addr_ipv6(ip->src);
	out->dst = nvgre_addr_ipv6(ip->dst);
	out->target = nvgre_addr_ipv6(nd->target);
	if (out->kind == NVGRE_NEIGH_NA) {
		out->na_flags = nd->flags & (NVGRE_NA_ROUTER |
					     NVGRE_NA_SOLICITED |
					     NVGRE_NA_OVERRIDE);
		/* Section 7.1.2: a multicast NA is never solicited. */
		if (ipv6_is_multicast(ip->dst) &&
		    (out->na_flags & NVGRE_NA_SOLICITED))
			return NVGRE_NEIGH_BAD;
	}
	if (parse_nd_options(m + ND_SIZE, msg_size - ND_SIZE, out) !=
	    NVGRE_NEIGH_OK)
		return NVGRE_NEIGH_BAD;
	/* Section 7.1.1: duplicate address detection. */
	if (out->kind == NVGRE_NEIGH_NS && ipv6_is_unspecified(ip->src) &&
	    (!ipv6_is_solicited_node(ip->dst) || out->has_sender_mac))
		return NVGRE_NEIGH_BAD;
	return NVGRE_NEIGH_OK;
}

/* Walks the 'size' bytes of options at 'opt' (RFC 4861 section 4.6):
 * each must have a non-zero length and end inside the message.  Takes
 * the first link-layer address option of the message's kind (source for
 * an NS, target for an NA), which must be 8 bytes long for Ethernet;
 * ignores the other options, as section 4.6 says. */
static enum nvgre_neigh_result
parse_nd_options(const uint8_t *opt, uint32_t size,
		 struct nvgre_neigh_msg *out)
{
	uint8_t want = out->kind == NVGRE_NEIGH_NS ? ND_OPT_SLLA : ND_OPT_TLLA;

	while (size > 0) {
		uint32_t len;

		if (size < 2)
			return NVGRE_NEIGH_BAD;
		len = (uint32_t)opt[1] * 8;
		if (len == 0 || len > size)
			return NVGRE_NEIGH_BAD;
		if (opt[0] == want && !out->has_sender_mac) {
			if (len != LLA_OPT_SIZE)
				return NVGRE_NEIGH_BAD;
			memcpy(out->sender_mac, opt + 2, 6);
			out->has_sender_mac = true;
		}
		opt += len;
		size -= len;
	}
	return NVGRE_NEIGH_OK;
}

/* One's complement sum, folded, of the IPv6 pseudo-header of the IPv6
 * header at 'ip' (RFC 8200 section 8.1: source, destination, upper-layer
 * length, next header 58) and of the 'msg_size' bytes at 'msg'.  0xffff
 * when the checksum in 'msg' is right. */
static uint16_t
icmpv6_sum(const uint8_t *ip, const uint8_t *msg, uint32_t msg_size)
{
	uint32_t s = msg_size + IPPROTO_ICMPV6_;

	s = (s & 0xffff) + (s >> 16);
	for (uint32_t i = 8; i < NVGRE_IPV6_HLEN; i += 2)
		s += rd16(ip + i);
	for (uint32_t i = 0; i + 1 < msg_size; i += 2)
		s += rd16(msg + i);
	if (msg_size & 1)
		s += (uint32_t)msg[msg_size - 1] << 8;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* ---- building -------------------------------------------------------- */

static bool
is_ipv4(const struct nvgre_addr *a)
{
	return a && a->family == NVGRE_AF_IPV4;
}

/* Writes an ARP frame; 'l2->vlan' must be valid when 'l2->tagged'. */
static int
write_arp(uint8_t *buf, uint32_t size, const struct neigh_l2 *l2,
	  uint16_t op, const uint8_t sha[6], const struct nvgre_addr *spa,
	  const uint8_t tha[6], const struct nvgre_addr *tpa)
{
	uint32_t hs = NVGRE_ETH_HLEN + (l2->tagged ? NVGRE_VLAN_HLEN : 0);
	uint32_t total = ETH_MIN + (l2->tagged ? NVGRE_VLAN_HLEN : 0);
	struct neigh_arp *a = (struct neigh_arp *)(buf + hs);

	if (size < total)
		return -ENOSPC;
	memset(buf, 0, total);
	write_eth(buf, l2, NVGRE_ETHERTYPE_ARP);
	wr16(buf + hs, ARP_HTYPE_ETHER);
	wr16(buf + hs + 2, NVGRE_ETHERTYPE_IPV4);
	a->hlen = 6;
	a->plen = 4;
	wr16(buf + hs + 6, op);
	memcpy(a->sha, sha, 6);
	memcpy(a->spa, spa->b, 4);
	if (tha)
		memcpy(a->tha, tha, 6);
	memcpy(a->tpa, tpa->b, 4);
	return (int)total;
}

int
nvgre_arp_build(uint8_t *buf, uint32_t size, uint16_t op, uint16_t vlan,
		const uint8_t eth_dst[6], const uint8_t eth_src[6],
		const uint8_t sha[6], const struct nvgre_addr *spa,
		const uint8_t tha[6], const struct nvgre_addr *tpa)
{
	struct neigh_l2 l2 = { eth_dst, eth_src, vlan != 0, vlan };

	if ((op != NVGRE_ARP_REQUEST && op != NVGRE_ARP_REPLY) ||
	    vlan > 4094 || !is_ipv4(spa) || !is_ipv4(tpa))
		return -EINVAL;
	return write_arp(buf, size, &l2, op, sha, spa, tha, tpa);
}

int
nvgre_ns_build(uint8_t *buf, uint32_t size, uint16_t vlan,
	       const uint8_t src_mac[6], const struct nvgre_addr *src,
	       const struct nvgre_addr *target)
{
	uint8_t mcast_mac[6] = { 0x33, 0x33, 0xff };
	struct neigh_l2 l2 = { mcast_mac, src_mac, vlan != 0, vlan };
	struct nvgre_addr dst = { .family = NVGRE_AF_IPV6 };

	if (vlan > 4094 || !src || src->family != NVGRE_AF_IPV6 ||
	    ipv6_is_multicast(src->b) || ipv6_is_unspecified(src->b) ||
	    !target || target->family != NVGRE_AF_IPV6 ||
	    !nvgre_addr_is_unicast(target))
		return -EINVAL;
	/* RFC 4291 section 2.7.1 and RFC 2464 section 7. */
	memcpy(dst.b, solicited_node, sizeof(solicited_node));
	memcpy(dst.b + 13, target->b + 13, 3);
	memcpy(mcast_mac + 3, target->b + 13, 3);
	return write_nd(buf, size, &l2, src, &dst, NVGRE_ICMPV6_NS, 0, target,
			ND_OPT_SLLA, src_mac);
}

/* Answers the NS 'req' with an NA (RFC 4861 section 7.2.4). */
static int
reply_ns(uint8_t *buf, uint32_t size, const struct nvgre_neigh_msg *req,
	 const struct neigh_l2 *l2, const uint8_t mac[6], uint8_t na_flags)
{
	struct nvgre_addr dst = req->sender;
	uint8_t flags = (uint8_t)(NVGRE_NA_OVERRIDE | NVGRE_NA_SOLICITED |
				  (na_flags & NVGRE_NA_ROUTER));

	if (req->sender.family != NVGRE_AF_IPV6 ||
	    req->target.family != NVGRE_AF_IPV6 ||
	    !nvgre_addr_is_unicast(&req->target))
		return -EINVAL;
	if (ipv6_is_unspecified(req->sender.b)) {
		memcpy(dst.b, all_nodes, 16);
		flags &= (uint8_t)~NVGRE_NA_SOLICITED;
	}
	return write_nd(buf, size, l2, &req->target, &dst, NVGRE_ICMPV6_NA,
			flags, &req->target, ND_OPT_TLLA, mac);
}

int
nvgre_neigh_reply(uint8_t *buf, uint32_t size,
		  const struct nvgre_neigh_msg *req, const uint8_t mac[6],
		  uint8_t na_flags)
{
	struct neigh_l2 l2 = { req->eth_src, mac, req->tagged, req->vlan };

	if (req->tagged && req->vlan > 4094)
		return -EINVAL;
	switch (req->kind) {
	case NVGRE_NEIGH_ARP_REQUEST:
		if (!is_ipv4(&req->sender) || !is_ipv4(&req->target))
			return -EINVAL;
		return write_arp(buf, size, &l2, NVGRE_ARP_REPLY, mac,
				 &req->target, req->sender_mac, &req->sender);
	case NVGRE_NEIGH_NS:
		if (req->has_sender_mac)
			l2.dst = req->sender_mac;
		return reply_ns(buf, size, req, &l2, mac, na_flags);
	default:
		return -EINVAL;
	}
}

/* Writes the Ethernet header and tag of 'l2' with EtherType 'type' at
 * 'buf'; returns its size. */
static uint32_t
write_eth(uint8_t *buf, const struct neigh_l2 *l2, uint16_t type)
{
	memcpy(buf, l2->dst, 6);
	memcpy(buf + 6, l2->src, 6);
	if (!l2->tagged) {
		wr16(buf + 12, type);
		return NVGRE_ETH_HLEN;
	}
	wr16(buf + 12, NVGRE_ETHERTYPE_VLAN);
	wr16(buf + 14, l2->vlan);
	wr16(buf + 16, type);
	return NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN;
}

/* Writes an NS or NA frame: IPv6 'src' -> 'dst', hop limit 255, message
 * 'type' with 'flags' about 'target', one link-layer address option
 * 'opt_type' with 'opt_mac'. */
static int
write_nd(uint8_t *buf, uint32_t size, const struct neigh_l2 *l2,
	 const struct nvgre_addr *src, const struct nvgre_addr *dst,
	 uint8_t type, uint8_t flags, const struct nvgre_addr *target,
	 uint8_t opt_type, const uint8_t opt_mac[6])
{
	uint32_t hs = NVGRE_ETH_HLEN + (l2->tagged ? NVGRE_VLAN_HLEN : 0);
	uint32_t msg_size = ND_SIZE + LLA_OPT_SIZE;
	uint32_t total = hs + NVGRE_IPV6_HLEN + msg_size;
	struct nvgre_ipv6 *ip = (struct nvgre_ipv6 *)(buf + hs);
	uint8_t *m = buf + hs + NVGRE_IPV6_HLEN;
	struct neigh_nd *nd = (struct neigh_nd *)m;
	struct neigh_lla_opt *o = (struct neigh_lla_opt *)(m + ND_SIZE);

	if (size < total)
		return -ENOSPC;
	memset(buf, 0, total);
	write_eth(buf, l2, NVGRE_ETHERTYPE_IPV6);
	buf[hs] = 0x60;
	wr16(buf + hs + 4, (uint16_t)msg_size);
	ip->next = IPPROTO_ICMPV6_;
	ip->hop_limit = ND_HOP_LIMIT;
	memcpy(ip->src, src->b, 16);
	memcpy(ip->dst, dst->b, 16);
	nd->type = type;
	nd->flags = flags;
	memcpy(nd->target, target->b, 16);
	o->type = opt_type;
	o->len = LLA_OPT_SIZE / 8;
	memcpy(o->mac, opt_mac, 6);
	wr16(m + 2, (uint16_t)~icmpv6_sum(buf + hs, m, msg_size));
	return (int)total;
}
