/* Golden NVGRE frames, written out byte by byte from RFC 7637 section 3.2,
 * RFC 2784/2890 (GRE), RFC 791 (IPv4) and RFC 8200 (IPv6), with the
 * checksums worked out by hand in the comments.  Shared by test_nvgre_wire
 * (encap must produce them, decap must accept them) and by nvgre_vectors,
 * which prints them for the independent check in nvgre_scapy.py.
 * Header-only: everything is static. */
#ifndef VSWITCH_TESTS_NVGRE_VECTORS_H
#define VSWITCH_TESTS_NVGRE_VECTORS_H

#include <stdint.h>

#include "nvgre/wire.h"

/* The tenant frame: VM 10.0.0.11 (00:1d:d8:b7:1c:0b) pings 10.0.0.12
 * (00:1d:d8:b7:1c:0c), ICMP echo request id 1 seq 1, no payload. */
static const uint8_t nvv_inner[42] = {
	0x00, 0x1d, 0xd8, 0xb7, 0x1c, 0x0c,     /* destination MAC */
	0x00, 0x1d, 0xd8, 0xb7, 0x1c, 0x0b,     /* source MAC */
	0x08, 0x00,                             /* IPv4 */
	/* 4500 + 001c + 0001 + 0000 + 4001 + 0000 + 0a00 + 000b + 0a00 +
	 * 000c = 9935, checksum ~9935 = 66ca */
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x01, 0x66, 0xca,
	0x0a, 0x00, 0x00, 0x0b, 0x0a, 0x00, 0x00, 0x0c,
	/* ICMP: 0800 + 0000 + 0001 + 0001 = 0802, checksum f7fd */
	0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, 0x01,
};

#define NVV_VSID 5001u                  /* 0x001389 */
#define NVV_FLOWID 0x2a

#define NVV_MAC_HOP { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 }
#define NVV_MAC_US { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 }
#define NVV_PA4_US { .family = NVGRE_AF_IPV4, .b = { 192, 0, 2, 1 } }
#define NVV_PA4_PEER { .family = NVGRE_AF_IPV4, .b = { 192, 0, 2, 2 } }
#define NVV_PA6_US { .family = NVGRE_AF_IPV6, \
		     .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }
#define NVV_PA6_PEER { .family = NVGRE_AF_IPV6, \
		       .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }

/* GRE: K only (2000), Transparent Ethernet Bridging (6558), key
 * 0x001389 << 8 | 0x2a. */
#define NVV_GRE 0x20, 0x00, 0x65, 0x58, 0x00, 0x13, 0x89, 0x2a

/* IPv4 PAs, untagged, TTL 64.  Total length 20 + 8 + 42 = 70 (0046).
 * 4500 + 0046 + 0000 + 4000 + 402f + 0000 + c000 + 0201 + c000 + 0202
 * = 24978, folded 497a, checksum b685. */
static const uint8_t nvv_outer_v4[] = {
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x46, 0x00, 0x00, 0x40, 0x00,  /* ID 0, DF */
	0x40, 0x2f, 0xb6, 0x85,                          /* TTL 64, GRE */
	0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
	NVV_GRE,
};

/* IPv4 PAs on VLAN 11 (TCI 000b), TTL 32: the TTL word drops from 402f
 * to 202f, so the sum is 2978 less, folded 297a, checksum d685. */
static const uint8_t nvv_outer_v4_vlan[] = {
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
	0x81, 0x00, 0x00, 0x0b, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x46, 0x00, 0x00, 0x40, 0x00,
	0x20, 0x2f, 0xd6, 0x85,
	0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
	NVV_GRE,
};

/* IPv6 PAs 2001:db8::1 -> ::2, untagged, hop limit 64.  Payload length
 * 8 + 42 = 50 (0032), next header 47 (2f). */
static const uint8_t nvv_outer_v6[] = {
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
	0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x32, 0x2f, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	NVV_GRE,
};

/* IPv6 PAs on VLAN 11 with PCP 5 (TCI a00b), traffic class b8 (DSCP EF),
 * hop limit 255: 6 << 28 | b8 << 20 = 6b800000. */
static const uint8_t nvv_outer_v6_vlan[] = {
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
	0x81, 0x00, 0xa0, 0x0b, 0x86, 0xdd,
	0x6b, 0x80, 0x00, 0x00, 0x00, 0x32, 0x2f, 0xff,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	NVV_GRE,
};

struct nvv_vector {
	const char *name;
	struct nvgre_template_cfg cfg;
	const uint8_t *outer;
	uint32_t outer_size;
};

static const struct nvv_vector nvv_vectors[] = {
	{ "ipv4", { .dst_mac = NVV_MAC_HOP, .src_mac = NVV_MAC_US,
		    .src = NVV_PA4_US, .dst = NVV_PA4_PEER },
	  nvv_outer_v4, sizeof(nvv_outer_v4) },
	{ "ipv4-vlan", { .dst_mac = NVV_MAC_HOP, .src_mac = NVV_MAC_US,
			 .vlan = 11, .src = NVV_PA4_US, .dst = NVV_PA4_PEER,
			 .ttl = 32 },
	  nvv_outer_v4_vlan, sizeof(nvv_outer_v4_vlan) },
	{ "ipv6", { .dst_mac = NVV_MAC_HOP, .src_mac = NVV_MAC_US,
		    .src = NVV_PA6_US, .dst = NVV_PA6_PEER },
	  nvv_outer_v6, sizeof(nvv_outer_v6) },
	{ "ipv6-vlan", { .dst_mac = NVV_MAC_HOP, .src_mac = NVV_MAC_US,
			 .vlan = 11, .pcp = 5, .src = NVV_PA6_US,
			 .dst = NVV_PA6_PEER, .ttl = 255, .tos = 0xb8 },
	  nvv_outer_v6_vlan, sizeof(nvv_outer_v6_vlan) },
};

#define NVV_N (sizeof(nvv_vectors) / sizeof(nvv_vectors[0]))

/* Builds vector 'v' as a whole frame into 'buf' (room for
 * NVGRE_HDR_MAX + 42 bytes); returns its size. */
static inline uint32_t
nvv_frame(const struct nvv_vector *v, uint8_t *buf)
{
	for (uint32_t i = 0; i < v->outer_size; i++)
		buf[i] = v->outer[i];
	for (uint32_t i = 0; i < sizeof(nvv_inner); i++)
		buf[v->outer_size + i] = nvv_inner[i];
	return v->outer_size + (uint32_t)sizeof(nvv_inner);
}

#endif
