/* Frame templates and stamp lookup (see frame.h). */
#include <string.h>

#include "bench/pktgen/frame.h"

const uint16_t pg_imix_sizes[PG_IMIX_LEN] = {
	64, 570, 64, 1518, 64, 570, 64, 64, 570, 64, 570, 64,
};

double
pg_imix_mean(void)
{
	unsigned sum = 0;

	for (unsigned i = 0; i < PG_IMIX_LEN; i++)
		sum += pg_imix_sizes[i];
	return (double)sum / PG_IMIX_LEN;
}

void
pg_mac_add(uint8_t out[6], const uint8_t base[6], uint32_t n)
{
	uint32_t low = (uint32_t)base[3] << 16 | (uint32_t)base[4] << 8 |
		       base[5];

	low = (low + n) & 0xffffff;
	memcpy(out, base, 3);
	out[3] = (uint8_t)(low >> 16);
	out[4] = (uint8_t)(low >> 8);
	out[5] = (uint8_t)low;
}

uint16_t
pg_ip_cksum(const uint8_t *hdr, unsigned len)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)hdr[i] << 8 | hdr[i + 1];
	if (len & 1)
		sum += (uint32_t)hdr[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t
pg_cksum_update16(uint16_t cksum, uint16_t old, uint16_t new_)
{
	/* HC' = ~(~HC + ~m + m') */
	uint32_t sum = (uint16_t)~cksum + (uint32_t)(uint16_t)~old + new_;

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

enum pg_stamp_kind
pg_stamp_fit(unsigned size, bool vlan)
{
	unsigned hdr = PG_FCS_LEN + PG_ETH_HLEN + PG_IP_HLEN + PG_UDP_HLEN +
		       (vlan ? PG_VLAN_HLEN : 0), room;

	if (size < hdr)
		return PG_STAMP_NONE;
	room = size - hdr;
	if (room >= PG_STAMP_LEN)
		return PG_STAMP_FULL;
	return room >= PG_CSTAMP_LEN ? PG_STAMP_COMPACT : PG_STAMP_NONE;
}

static uint8_t *
put_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], int vlan,
	uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p += 12;
	if (vlan >= 0) {
		pg_put16(p, 0x8100);
		pg_put16(p + 2, (uint16_t)(vlan & 0xfff));
		p += 4;
	}
	pg_put16(p, type);
	return p + 2;
}

static void
put_ipv4(uint8_t *p, uint16_t total_len, uint8_t proto, uint16_t frag,
	 uint32_t src, uint32_t dst)
{
	p[0] = 0x45;
	p[1] = 0;
	pg_put16(p + 2, total_len);
	pg_put16(p + 4, 0);           /* identification */
	pg_put16(p + 6, frag);
	p[8] = 64;                    /* TTL */
	p[9] = proto;
	pg_put16(p + 10, 0);
	pg_put32(p + 12, src);
	pg_put32(p + 16, dst);
	pg_put16(p + 10, pg_ip_cksum(p, PG_IP_HLEN));
}

int
pg_frame_build(const struct pg_frame_spec *s, uint8_t *buf, size_t cap,
	       struct pg_frame_layout *l)
{
	bool inner_vlan = s->vlan >= 0 && !s->nvgre;
	unsigned inner_len = s->size - PG_FCS_LEN, len = inner_len;
	unsigned stamp_len = pg_stamp_len(s->stamp);
	uint8_t *p = buf;
	uint16_t ip_len;

	if (s->size < PG_MIN_SIZE || s->size > PG_MAX_SIZE ||
	    s->stamp == PG_STAMP_NONE)
		return -1;
	if (s->stamp == PG_STAMP_FULL &&
	    pg_stamp_fit(s->size, inner_vlan) != PG_STAMP_FULL)
		return -1;
	if (s->stamp == PG_STAMP_COMPACT &&
	    pg_stamp_fit(s->size, inner_vlan) == PG_STAMP_NONE)
		return -1;
	if (s->nvgre)
		len += PG_NVGRE_OVERHEAD + (s->vlan >= 0 ? PG_VLAN_HLEN : 0);
	if (cap < len)
		return -1;
	memset(buf, 0, len);
	l->outer_ip_off = -1;
	if (s->nvgre) {
		p = put_eth(p, s->outer_dst, s->outer_src, s->vlan, 0x0800);
		l->outer_ip_off = (int16_t)(p - buf);
		put_ipv4(p, (uint16_t)(PG_IP_HLEN + PG_GRE_HLEN + inner_len),
			 47, 0x4000, s->pa_src, s->pa_dst);
		p += PG_IP_HLEN;
		pg_put16(p, 0x2000);          /* K bit, version 0 */
		pg_put16(p + 2, 0x6558);      /* Ethernet bridging */
		pg_put32(p + 4, s->key);
		p += PG_GRE_HLEN;
	}
	p = put_eth(p, s->dst, s->src, inner_vlan ? s->vlan : -1, 0x0800);
	ip_len = (uint16_t)(inner_len - PG_ETH_HLEN -
			    (inner_vlan ? PG_VLAN_HLEN : 0));
	l->ip_off = (uint16_t)(p - buf);
	put_ipv4(p, ip_len, 17, 0, s->src_ip, s->dst_ip);
	p += PG_IP_HLEN;
	l->udp_off = (uint16_t)(p - buf);
	pg_put16(p, s->sport);
	pg_put16(p + 2, s->dport);
	pg_put16(p + 4, (uint16_t)(ip_len - PG_IP_HLEN));
	pg_put16(p + 6, 0);                   /* no UDP checksum */
	p += PG_UDP_HLEN;
	l->stamp_off = (uint16_t)(p - buf);
	pg_stamp_init(p, s->stamp, s->tx_port, s->stream);
	l->hdr_len = (uint16_t)(l->stamp_off + stamp_len);
	l->len = (uint16_t)len;
	l->stamp = s->stamp;
	return 0;
}

int
pg_arp_request_build(uint8_t *buf, size_t cap, const uint8_t sha[6],
		     uint32_t spa, uint32_t tpa, int vlan)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned len = PG_MIN_SIZE - PG_FCS_LEN + (vlan >= 0 ? PG_VLAN_HLEN
							     : 0);
	uint8_t *p;

	if (cap < len || vlan > 4095)
		return -1;
	memset(buf, 0, len);
	p = put_eth(buf, bcast, sha, vlan, 0x0806);
	pg_put16(p, 1);                 /* htype: Ethernet */
	pg_put16(p + 2, 0x0800);        /* ptype: IPv4 */
	p[4] = 6;
	p[5] = 4;
	pg_put16(p + 6, 1);             /* request */
	memcpy(p + 8, sha, 6);
	pg_put32(p + 14, spa);
	pg_put32(p + 24, tpa);          /* tha (p + 18) stays zero */
	return (int)len;
}

/* Sets the 16-bit length at 'field' to 'v', updating the checksum of the
 * IPv4 header at 'ip' when 'ip' is not NULL. */
static void
set_len(uint8_t *field, uint16_t v, uint8_t *ip)
{
	uint16_t old = pg_get16(field);

	pg_put16(field, v);
	if (ip)
		pg_put16(ip + 10, pg_cksum_update16(pg_get16(ip + 10), old, v));
}

uint16_t
pg_frame_resize(uint8_t *buf, const struct pg_frame_layout *l, unsigned size)
{
	uint8_t *ip = buf + l->ip_off;
	unsigned inner_start = l->outer_ip_off < 0 ? 0
			     : (unsigned)l->outer_ip_off + PG_IP_HLEN +
			       PG_GRE_HLEN;
	uint16_t inner_len = (uint16_t)(size - PG_FCS_LEN);
	uint16_t ip_len = (uint16_t)(inner_len - (l->ip_off - inner_start));

	set_len(ip + 2, ip_len, ip);
	set_len(buf + l->udp_off + 4, (uint16_t)(ip_len - PG_IP_HLEN), NULL);
	if (l->outer_ip_off >= 0) {
		uint8_t *oip = buf + l->outer_ip_off;

		set_len(oip + 2,
			(uint16_t)(PG_IP_HLEN + PG_GRE_HLEN + inner_len), oip);
	}
	return (uint16_t)(inner_start + inner_len);
}

/* Skips Ethernet and up to two VLAN tags; returns the L3 offset or 0. */
static size_t
skip_eth(const uint8_t *f, size_t len, size_t off, uint16_t *type)
{
	if (off + PG_ETH_HLEN > len)
		return 0;
	*type = pg_get16(f + off + 12);
	off += PG_ETH_HLEN;
	for (int i = 0; i < 2 && (*type == 0x8100 || *type == 0x88a8 ||
				  *type == 0x9100); i++) {
		if (off + PG_VLAN_HLEN > len)
			return 0;
		*type = pg_get16(f + off + 2);
		off += PG_VLAN_HLEN;
	}
	return off;
}

static enum pg_stamp_kind
find_udp_stamp(const uint8_t *f, size_t len, struct pg_stamp *out)
{
	size_t off = 0, ihl, ip_total, end;
	uint16_t type;

	for (int depth = 0; depth < 2; depth++) {
		off = skip_eth(f, len, off, &type);
		if (!off || type != 0x0800 || off + PG_IP_HLEN > len)
			return PG_STAMP_NONE;
		if ((f[off] >> 4) != 4)
			return PG_STAMP_NONE;
		ihl = (size_t)(f[off] & 0xf) * 4;
		ip_total = pg_get16(f + off + 2);
		if (ihl < PG_IP_HLEN || ip_total < ihl)
			return PG_STAMP_NONE;
		end = off + ip_total < len ? off + ip_total : len;
		if (f[off + 9] == 17) {
			size_t u = off + ihl, ulen, pay_end;

			if (u + PG_UDP_HLEN > end)
				return PG_STAMP_NONE;
			ulen = pg_get16(f + u + 4);
			pay_end = u + ulen < end ? u + ulen : end;
			u += PG_UDP_HLEN;
			if (pay_end >= u + PG_STAMP_LEN &&
			    pg_stamp_decode(f + u, PG_STAMP_FULL, out))
				return PG_STAMP_FULL;
			if (pay_end >= u + PG_CSTAMP_LEN &&
			    pg_stamp_decode(f + u, PG_STAMP_COMPACT, out))
				return PG_STAMP_COMPACT;
			return PG_STAMP_NONE;
		}
		if (f[off + 9] != 47 || depth > 0)
			return PG_STAMP_NONE;
		/* GRE: flags/version, protocol, then checksum, key, seq. */
		off += ihl;
		if (off + 4 > end)
			return PG_STAMP_NONE;
		{
			uint16_t flags = pg_get16(f + off);
			size_t glen = 4;

			if ((flags & 0x0007) != 0 ||
			    pg_get16(f + off + 2) != 0x6558)
				return PG_STAMP_NONE;
			glen += (flags & 0x8000) ? 4 : 0;
			glen += (flags & 0x2000) ? 4 : 0;
			glen += (flags & 0x1000) ? 4 : 0;
			off += glen;
			len = end;
		}
	}
	return PG_STAMP_NONE;
}

static enum pg_stamp_kind
find_tail_stamp(const uint8_t *frame, size_t len, struct pg_stamp *out)
{
	if (len >= 60 && pg_stamp_decode(frame + len - PG_STAMP_LEN,
					 PG_STAMP_FULL, out))
		return PG_STAMP_FULL;
	return PG_STAMP_NONE;
}

enum pg_stamp_kind
pg_stamp_find(const uint8_t *frame, size_t len, bool tail_first,
	      struct pg_stamp *out)
{
	enum pg_stamp_kind k;

	if (tail_first) {
		k = find_tail_stamp(frame, len, out);
		return k != PG_STAMP_NONE ? k : find_udp_stamp(frame, len, out);
	}
	k = find_udp_stamp(frame, len, out);
	return k != PG_STAMP_NONE ? k : find_tail_stamp(frame, len, out);
}
