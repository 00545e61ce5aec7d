#include "dataplane/parse.h"

#include <string.h>

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline int
is_tag_tpid(uint16_t t)
{
	return t == DP_ETHERTYPE_VLAN || t == DP_ETHERTYPE_QINQ ||
	       t == DP_ETHERTYPE_QINQ_OLD;
}

/* Checks the IPv4 header at 'ofs' (RFC 791 section 3.1). */
static enum dp_drop
parse_ipv4(const uint8_t *frame, uint32_t size, struct dp_parsed *out)
{
	const uint8_t *ip = frame + out->l3_ofs;
	uint32_t room = size - out->l3_ofs;
	uint32_t ihl, total;

	if (room < 20)
		return DP_DROP_TRUNCATED;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	total = rd16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || ihl > room || total < ihl ||
	    total > room)
		return DP_DROP_BAD_IPV4;
	out->ip_proto = ip[9];
	out->l4_ofs = (uint16_t)(out->l3_ofs + ihl);
	return DP_DROP_NONE;
}

/* Checks the IPv6 fixed header at 'ofs' (RFC 8200 section 3). */
static enum dp_drop
parse_ipv6(const uint8_t *frame, uint32_t size, struct dp_parsed *out)
{
	const uint8_t *ip = frame + out->l3_ofs;
	uint32_t room = size - out->l3_ofs;

	if (room < 40)
		return DP_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 6 || 40u + rd16(ip + 4) > room)
		return DP_DROP_BAD_IPV6;
	out->ip_proto = ip[6];
	out->l4_ofs = (uint16_t)(out->l3_ofs + 40);
	return DP_DROP_NONE;
}

enum dp_drop
dp_parse_frame(const uint8_t *frame, uint32_t size, struct dp_parsed *out)
{
	static const uint8_t zero_mac[6];
	uint32_t ofs = 12;
	uint16_t type;

	memset(out, 0, sizeof(*out));
	if (size < DP_ETH_HLEN)
		return DP_DROP_TRUNCATED;
	if (frame[6] & 0x01 || !memcmp(frame + 6, zero_mac, 6))
		return DP_DROP_BAD_SRC_MAC;
	if (frame[0] & 0x01) {
		out->flags |= DP_PF_MULTICAST;
		if ((frame[0] & frame[1] & frame[2] & frame[3] & frame[4] &
		     frame[5]) == 0xff)
			out->flags |= DP_PF_BROADCAST;
		else if (frame[0] == 0x01 && frame[1] == 0x80 &&
			 frame[2] == 0xc2 && !frame[3] && !frame[4] &&
			 frame[5] <= 0x0f)
			out->flags |= DP_PF_LINK_LOCAL;
	}

	type = rd16(frame + ofs);
	while (is_tag_tpid(type)) {
		if (out->n_tags == 2)
			return DP_DROP_NONE;  /* QinQ payload is not ours */
		if (size < ofs + DP_VLAN_HLEN + 2)
			return DP_DROP_TRUNCATED;
		if (out->n_tags == 0) {
			out->vid = rd16(frame + ofs + 2) & 0x0fff;
			out->pcp = frame[ofs + 2] >> 5;
		}
		out->n_tags++;
		ofs += DP_VLAN_HLEN;
		type = rd16(frame + ofs);
	}
	out->ethertype = type;
	out->l3_ofs = (uint16_t)(ofs + 2);

	switch (type) {
	case DP_ETHERTYPE_IPV4:
		return parse_ipv4(frame, size, out);
	case DP_ETHERTYPE_IPV6:
		return parse_ipv6(frame, size, out);
	case DP_ETHERTYPE_ARP:
		/* Ethernet/IPv4 ARP is 28 bytes (RFC 826). */
		return size < out->l3_ofs + 28u ? DP_DROP_TRUNCATED
						: DP_DROP_NONE;
	default:
		return DP_DROP_NONE;
	}
}
