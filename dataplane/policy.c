#include "dataplane/policy.h"

#include <string.h>

#define NS_PER_S 1000000000ull

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135
#define IPPROTO_HIP_ 139
#define IPPROTO_SHIM6_ 140
#define IPPROTO_EXP1_ 253
#define IPPROTO_EXP2_ 254

#define UDP_HLEN 8
#define ICMP_HLEN 8        /* RFC 792: every message starts with 8 bytes */
#define ICMPV6_HLEN 4      /* RFC 4443 section 2.1 */
#define ARP_LEN 28         /* Ethernet/IPv4 ARP, RFC 826 */

#define ICMP_REDIRECT 5
#define ICMPV6_RA 134
#define ICMPV6_REDIRECT 137

#define BOOTPS 67
#define BOOTPC 68
#define BOOTREPLY 2
#define DHCPV6_CLIENT 546
#define DHCPV6_SERVER 547

/* Where the walk of an IP header chain ended. */
struct l4_pos {
	uint8_t proto;       /* upper-layer protocol */
	uint32_t ofs;        /* offset of its header in the frame */
	uint32_t end;        /* end of the IP packet in the frame */
	bool first_frag;     /* crossed a Fragment header with offset 0 */
};

static enum dp_drop l2_check(const struct dp_policy_port *,
			     const uint8_t *frame, uint32_t size,
			     const struct dp_parsed *);
static enum dp_drop ipv4_check(const struct dp_policy_port *,
			       const uint8_t *frame, uint32_t size,
			       uint32_t l3);
static enum dp_drop ipv6_check(const struct dp_policy_port *,
			       const uint8_t *frame, uint32_t size,
			       uint32_t l3);
static enum dp_drop ipv6_walk(const uint8_t *frame, uint32_t ofs,
			      uint8_t next, struct l4_pos *);
static enum dp_drop dhcpv4_check(const uint8_t *frame,
				 const struct l4_pos *);
static enum dp_drop dhcpv6_check(const uint8_t *frame,
				 const struct l4_pos *);

enum dp_drop
dp_policy_ingress(const struct dp_policy_port *p, const uint8_t *frame,
		  uint32_t size, const struct dp_parsed *pp)
{
	enum dp_drop r;

	r = l2_check(p, frame, size, pp);
	if (r != DP_DROP_NONE || !(p->dhcp_guard || p->router_guard))
		return r;
	if (pp->l3_ofs > size)
		return DP_DROP_TRUNCATED;
	switch (pp->ethertype) {
	case DP_ETHERTYPE_IPV4:
		return ipv4_check(p, frame, size, pp->l3_ofs);
	case DP_ETHERTYPE_IPV6:
		return ipv6_check(p, frame, size, pp->l3_ofs);
	default:
		return DP_DROP_NONE;
	}
}

void
dp_tbucket_init(struct dp_tbucket *b, uint64_t rate_bps, uint64_t burst_bytes,
		uint64_t now_ns)
{
	memset(b, 0, sizeof(*b));
	if (rate_bps > UINT64_MAX / 2)
		rate_bps = UINT64_MAX / 2;
	if (burst_bytes == 0)
		burst_bytes = dp_tbucket_default_burst(rate_bps);
	if (burst_bytes > DP_TBUCKET_MAX_BURST)
		burst_bytes = DP_TBUCKET_MAX_BURST;
	b->rate_bps = rate_bps;
	b->burst_bytes = burst_bytes;
	b->depth = burst_bytes * DP_TBUCKET_UNITS_PER_BYTE;
	b->credit = b->depth;
	/* rate * fill_ns >= depth, and <= depth + rate < 2^64: a capped gap
	 * fills the bucket without overflowing the product. */
	b->fill_ns = rate_bps ? b->depth / rate_bps + 1 : 0;
	b->last_ns = now_ns;
}

bool
dp_tbucket_take(struct dp_tbucket *b, uint64_t now_ns, uint32_t bytes)
{
	uint64_t cost;

	if (b->rate_bps == 0)
		return true;
	if (now_ns > b->last_ns) {
		uint64_t dt = now_ns - b->last_ns;
		uint64_t add;

		if (dt > b->fill_ns)
			dt = b->fill_ns;
		add = dt * b->rate_bps;
		b->credit = add >= b->depth - b->credit ? b->depth
							: b->credit + add;
		b->last_ns = now_ns;
	}
	if (bytes > b->burst_bytes)
		return false;
	cost = bytes * DP_TBUCKET_UNITS_PER_BYTE;
	if (cost > b->credit)
		return false;
	b->credit -= cost;
	return true;
}

uint32_t
dp_tbucket_frames(struct dp_tbucket *b, uint64_t now_ns, uint32_t frame_bytes,
		  uint32_t max)
{
	uint64_t per, n;

	if (b->rate_bps == 0)
		return max;
	dp_tbucket_take(b, now_ns, 0);
	per = (uint64_t)(frame_bytes ? frame_bytes : 1) *
	      DP_TBUCKET_UNITS_PER_BYTE;
	n = b->credit / per;
	return n < max ? (uint32_t)n : max;
}

void
dp_tbucket_set_rate(struct dp_tbucket *b, uint64_t rate_bps, uint64_t now_ns)
{
	uint64_t credit;

	if (rate_bps > UINT64_MAX / 2)
		rate_bps = UINT64_MAX / 2;
	if (rate_bps == b->rate_bps)
		return;
	dp_tbucket_take(b, now_ns, 0);
	credit = b->rate_bps ? b->credit : UINT64_MAX;
	dp_tbucket_init(b, rate_bps, 0, now_ns);
	if (credit < b->credit)
		b->credit = credit;
}

uint64_t
dp_tbucket_default_burst(uint64_t rate_bps)
{
	uint64_t ten_ms = rate_bps / 8 / 100;

	return ten_ms > DP_TBUCKET_MIN_DEFAULT_BURST
		       ? ten_ms : DP_TBUCKET_MIN_DEFAULT_BURST;
}

void
dp_storm_init(struct dp_storm *s, uint64_t pps_limit)
{
	memset(s, 0, sizeof(*s));
	s->limit = pps_limit;
}

bool
dp_storm_take(struct dp_storm *s, uint64_t now_ns)
{
	if (s->limit == 0)
		return true;
	if (!s->open) {
		s->open = true;
		s->start_ns = now_ns;
		s->count = 0;
	} else if (now_ns > s->start_ns && now_ns - s->start_ns >= NS_PER_S) {
		/* A division once per window, not per packet. */
		s->start_ns += (now_ns - s->start_ns) / NS_PER_S * NS_PER_S;
		s->count = 0;
	}
	if (s->count >= s->limit)
		return false;
	s->count++;
	return true;
}

void
dp_share_allocate(unsigned int n, const uint8_t *weight,
		  const uint64_t *demand, uint64_t capacity, uint64_t *limit)
{
	bool met[DP_SHARE_MAX] = { false };
	unsigned __int128 total = 0, left = capacity;
	uint64_t wsum = 0;
	bool progress = true;

	if (n > DP_SHARE_MAX)
		n = DP_SHARE_MAX;
	for (unsigned int i = 0; i < n; i++) {
		total += demand[i];
		wsum += weight[i] ? weight[i] : 1;
		limit[i] = 0;
	}
	if (total <= capacity)
		return;
	/* Each round meets every source whose demand is within its share of
	 * what is left; at most n rounds. */
	while (progress && wsum) {
		progress = false;
		for (unsigned int i = 0; i < n; i++) {
			uint64_t w = weight[i] ? weight[i] : 1;
			uint64_t share = (uint64_t)(left * w / wsum);

			if (met[i] || demand[i] > share)
				continue;
			met[i] = true;
			limit[i] = share ? share : 1;
			left -= demand[i];
			wsum -= w;
			progress = true;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t w = weight[i] ? weight[i] : 1;

		if (!met[i])
			limit[i] = wsum ? (uint64_t)(left * w / wsum) : 1;
		if (limit[i] == 0)
			limit[i] = 1;
	}
}

/* Static helpers. */

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The MAC spoofing guard: Ethernet source and ARP sender hardware address
 * (RFC 826) must be the port's own MAC. */
static enum dp_drop
l2_check(const struct dp_policy_port *p, const uint8_t *frame, uint32_t size,
	 const struct dp_parsed *pp)
{
	const uint8_t *arp;

	if (p->mac_spoofing_allowed || !p->has_mac)
		return DP_DROP_NONE;
	if (size < DP_ETH_HLEN)
		return DP_DROP_TRUNCATED;
	if (memcmp(frame + 6, p->mac, 6))
		return DP_DROP_MAC_SPOOFING;
	if (pp->ethertype != DP_ETHERTYPE_ARP)
		return DP_DROP_NONE;
	if (pp->l3_ofs > size || size - pp->l3_ofs < ARP_LEN)
		return DP_DROP_TRUNCATED;
	arp = frame + pp->l3_ofs;
	/* HTYPE 1 (Ethernet), HLEN 6: only then is SHA the 6 bytes at 8. */
	if (rd16(arp) != 1 || arp[4] != 6 || memcmp(arp + 8, p->mac, 6))
		return DP_DROP_ARP_SPOOFING;
	return DP_DROP_NONE;
}

/* The IPv4 side of both guards (RFC 791 section 3.1).  Only the upper
 * layer a guard reads has to be present. */
static enum dp_drop
ipv4_check(const struct dp_policy_port *p, const uint8_t *frame,
	   uint32_t size, uint32_t l3)
{
	const uint8_t *ip = frame + l3;
	struct l4_pos l4;
	uint32_t ihl, total;

	if (size - l3 < 20)
		return DP_DROP_TRUNCATED;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	total = rd16(ip + 2);
	if (ihl < 20 || total < ihl || total > size - l3)
		return DP_DROP_TRUNCATED;
	if (rd16(ip + 6) & 0x1fff)
		return DP_DROP_NONE;    /* not the first fragment: no L4 */
	l4.proto = ip[9];
	l4.ofs = l3 + ihl;
	l4.end = l3 + total;
	l4.first_frag = false;
	if (l4.proto == IPPROTO_UDP_ && p->dhcp_guard)
		return dhcpv4_check(frame, &l4);
	if (l4.proto == IPPROTO_ICMP_ && p->router_guard) {
		if (l4.end - l4.ofs < ICMP_HLEN)
			return DP_DROP_TRUNCATED;
		if (frame[l4.ofs] == ICMP_REDIRECT)
			return DP_DROP_ROUTER_GUARD;
	}
	return DP_DROP_NONE;
}

/* The IPv6 side of both guards: walk the extension headers to the upper
 * layer (RFC 8200 section 4), then look at ICMPv6 or UDP. */
static enum dp_drop
ipv6_check(const struct dp_policy_port *p, const uint8_t *frame,
	   uint32_t size, uint32_t l3)
{
	const uint8_t *ip = frame + l3;
	struct l4_pos l4;
	enum dp_drop r, cut;

	if (size - l3 < 40)
		return DP_DROP_TRUNCATED;
	if (rd16(ip + 4) > size - l3 - 40)
		return DP_DROP_TRUNCATED;
	l4.end = l3 + 40 + rd16(ip + 4);
	l4.first_frag = false;
	r = ipv6_walk(frame, l3 + 40, ip[6], &l4);
	if (r != DP_DROP_NONE || l4.proto == IPPROTO_FRAGMENT_)
		return r;       /* a broken chain, or non-first fragment data */
	/* A header the first fragment lacks is a broken chain (RFC 7112). */
	cut = l4.first_frag ? DP_DROP_IPV6_HEADER_CHAIN : DP_DROP_TRUNCATED;
	if (l4.proto == IPPROTO_ICMPV6_ && p->router_guard) {
		if (l4.end - l4.ofs < ICMPV6_HLEN)
			return cut;
		if (frame[l4.ofs] == ICMPV6_RA ||
		    frame[l4.ofs] == ICMPV6_REDIRECT)
			return DP_DROP_ROUTER_GUARD;
	}
	if (l4.proto == IPPROTO_UDP_ && p->dhcp_guard) {
		if (l4.end - l4.ofs < UDP_HLEN)
			return cut;
		return dhcpv6_check(frame, &l4);
	}
	return DP_DROP_NONE;
}

/* Follows the chain from 'next' at 'ofs' to the first header that is not
 * an IPv6 extension header, filling l4->proto and l4->ofs.  A non-first
 * fragment stops the walk with l4->proto IPPROTO_FRAGMENT_: what follows
 * is fragment data.  Returns DP_DROP_NONE, or DP_DROP_IPV6_HEADER_CHAIN /
 * DP_DROP_TRUNCATED (after / before a first Fragment header) when a
 * header runs past l4->end.  Each header is at least 8 bytes, so the walk
 * ends within (end - ofs) / 8 steps. */
static enum dp_drop
ipv6_walk(const uint8_t *frame, uint32_t ofs, uint8_t next,
	  struct l4_pos *l4)
{
	for (;;) {
		const uint8_t *h = frame + ofs;
		uint32_t room = l4->end - ofs;
		uint32_t len;

		switch (next) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MH_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_:
		case IPPROTO_EXP1_:
		case IPPROTO_EXP2_:
			/* Generic format, length in 8-octet units not counting
			 * the first 8 (RFC 8200 section 4.3; RFC 7045). */
			if (room < 2)
				goto cut;
			len = ((uint32_t)h[1] + 1) * 8;
			break;
		case IPPROTO_AH_:
			/* Length in 4-octet units minus 2 (RFC 4302 2.2). */
			if (room < 2)
				goto cut;
			len = ((uint32_t)h[1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_:
			/* RFC 8200 section 4.5: offset in bits 3..15. */
			if (room < 8)
				goto cut;
			if (rd16(h + 2) & 0xfff8) {
				l4->proto = IPPROTO_FRAGMENT_;
				l4->ofs = ofs;
				return DP_DROP_NONE;
			}
			l4->first_frag = true;
			len = 8;
			break;
		default:
			l4->proto = next;
			l4->ofs = ofs;
			return DP_DROP_NONE;
		}
		if (room < len)
			goto cut;
		next = h[0];
		ofs += len;
	}
cut:
	return l4->first_frag ? DP_DROP_IPV6_HEADER_CHAIN : DP_DROP_TRUNCATED;
}

/* DHCPv4 server messages (RFC 2131 section 4.1): anything from port 67,
 * and a BOOTREPLY to a client or relay port from any port. */
static enum dp_drop
dhcpv4_check(const uint8_t *frame, const struct l4_pos *l4)
{
	const uint8_t *udp = frame + l4->ofs;
	uint16_t dport;

	if (l4->end - l4->ofs < UDP_HLEN)
		return DP_DROP_TRUNCATED;
	if (rd16(udp) == BOOTPS)
		return DP_DROP_DHCP_GUARD;
	dport = rd16(udp + 2);
	if (dport != BOOTPS && dport != BOOTPC)
		return DP_DROP_NONE;
	if (l4->end - l4->ofs < UDP_HLEN + 1)
		return DP_DROP_TRUNCATED;
	return udp[UDP_HLEN] == BOOTREPLY ? DP_DROP_DHCP_GUARD : DP_DROP_NONE;
}

/* DHCPv6 server messages (RFC 8415 section 7.3, RFC 7610 section 3) on
 * the DHCPv6 ports: the caller checked the 8-byte UDP header. */
static enum dp_drop
dhcpv6_check(const uint8_t *frame, const struct l4_pos *l4)
{
	const uint8_t *udp = frame + l4->ofs;
	uint16_t sport = rd16(udp), dport = rd16(udp + 2);

	if (sport != DHCPV6_SERVER && dport != DHCPV6_CLIENT &&
	    dport != DHCPV6_SERVER)
		return DP_DROP_NONE;
	if (l4->end - l4->ofs < UDP_HLEN + 1)
		return l4->first_frag ? DP_DROP_IPV6_HEADER_CHAIN
				      : DP_DROP_TRUNCATED;
	switch (udp[UDP_HLEN]) {
	case 2:         /* ADVERTISE */
	case 7:         /* REPLY */
	case 10:        /* RECONFIGURE */
	case 13:        /* RELAY-REPL */
		return DP_DROP_DHCP_GUARD;
	default:
		return DP_DROP_NONE;
	}
}
