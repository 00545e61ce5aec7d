/* Builders for test frames: Ethernet header, VLAN tags, IPv4, IPv6 and ARP
 * headers appended to a fixed buffer.  Multi-byte fields are written in
 * network order.  Header-only: every function is static inline. */
#ifndef VSWITCH_TESTS_FRAMES_H
#define VSWITCH_TESTS_FRAMES_H

#include <stdint.h>
#include <string.h>

#define FB_MAX 256

struct fb {
	uint8_t b[FB_MAX];
	uint32_t len;
};

static const uint8_t fb_mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t fb_mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t fb_mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t fb_mac_mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static inline void
fb_put8(struct fb *f, uint8_t v)
{
	if (f->len < FB_MAX)
		f->b[f->len++] = v;
}

static inline void
fb_put16(struct fb *f, uint16_t v)
{
	fb_put8(f, (uint8_t)(v >> 8));
	fb_put8(f, (uint8_t)v);
}

static inline void
fb_zeros(struct fb *f, uint32_t n)
{
	while (n--)
		fb_put8(f, 0);
}

/* Starts 'f' with destination and source MACs (no EtherType yet). */
static inline void
fb_eth(struct fb *f, const uint8_t dst[6], const uint8_t src[6])
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 6; i++)
		fb_put8(f, dst[i]);
	for (int i = 0; i < 6; i++)
		fb_put8(f, src[i]);
}

/* Appends a tag: TPID, then PCP/DEI/VID. */
static inline void
fb_tag(struct fb *f, uint16_t tpid, uint8_t pcp, uint16_t vid)
{
	fb_put16(f, tpid);
	fb_put16(f, (uint16_t)((pcp & 7) << 13 | (vid & 0x0fff)));
}

static inline void
fb_type(struct fb *f, uint16_t ethertype)
{
	fb_put16(f, ethertype);
}

/* Appends an IPv4 header with 'ihl_words' 32-bit words (options zeroed),
 * the given total length, then 'payload' zero bytes.  Version 4 unless
 * 'version' says otherwise. */
static inline void
fb_ipv4_raw(struct fb *f, uint8_t version, uint8_t ihl_words, uint16_t total,
	    uint8_t proto, uint32_t payload)
{
	uint32_t start = f->len;

	fb_put8(f, (uint8_t)(version << 4 | (ihl_words & 0x0f)));
	fb_put8(f, 0);                  /* DSCP/ECN */
	fb_put16(f, total);
	fb_put16(f, 0x1234);            /* identification */
	fb_put16(f, 0x4000);            /* DF */
	fb_put8(f, 64);                 /* TTL */
	fb_put8(f, proto);
	fb_put16(f, 0);                 /* checksum: not checked */
	fb_put8(f, 192); fb_put8(f, 0); fb_put8(f, 2); fb_put8(f, 1);
	fb_put8(f, 192); fb_put8(f, 0); fb_put8(f, 2); fb_put8(f, 2);
	while (f->len - start < (uint32_t)(ihl_words & 0x0f) * 4u &&
	       f->len < FB_MAX)
		fb_put8(f, 0);          /* options */
	fb_zeros(f, payload);
}

/* A well-formed IPv4 header (IHL 5) followed by 'payload' bytes. */
static inline void
fb_ipv4(struct fb *f, uint8_t proto, uint16_t payload)
{
	fb_ipv4_raw(f, 4, 5, (uint16_t)(20 + payload), proto, payload);
}

/* Appends an IPv6 fixed header declaring 'plen' payload bytes, then
 * 'payload' zero bytes. */
static inline void
fb_ipv6_raw(struct fb *f, uint8_t version, uint16_t plen, uint8_t next,
	    uint32_t payload)
{
	fb_put8(f, (uint8_t)(version << 4));
	fb_put8(f, 0);
	fb_put16(f, 0);                 /* flow label */
	fb_put16(f, plen);
	fb_put8(f, next);
	fb_put8(f, 64);                 /* hop limit */
	for (uint8_t host = 1; host <= 2; host++) {  /* 2001:db8::1, ::2 */
		fb_put16(f, 0x2001);
		fb_put16(f, 0x0db8);
		fb_zeros(f, 11);
		fb_put8(f, host);
	}
	fb_zeros(f, payload);
}

static inline void
fb_ipv6(struct fb *f, uint8_t next, uint16_t payload)
{
	fb_ipv6_raw(f, 6, payload, next, payload);
}

/* Appends an Ethernet/IPv4 ARP request (28 bytes, RFC 826). */
static inline void
fb_arp(struct fb *f, const uint8_t sha[6])
{
	fb_put16(f, 1);                 /* HTYPE Ethernet */
	fb_put16(f, 0x0800);            /* PTYPE IPv4 */
	fb_put8(f, 6);
	fb_put8(f, 4);
	fb_put16(f, 1);                 /* request */
	for (int i = 0; i < 6; i++)
		fb_put8(f, sha[i]);
	fb_put8(f, 192); fb_put8(f, 0); fb_put8(f, 2); fb_put8(f, 1);
	fb_zeros(f, 6);
	fb_put8(f, 192); fb_put8(f, 0); fb_put8(f, 2); fb_put8(f, 2);
}

#endif
