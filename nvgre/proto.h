/* Wire formats of an NVGRE frame (RFC 7637 section 3.2): outer Ethernet,
 * optional 802.1Q tag, outer IPv4 or IPv6, GRE with the key, then the
 * inner Ethernet frame.
 *
 * Structs are byte-exact (packed, sizes asserted) with no bit-fields, so
 * they read the same on any host; multi-byte fields are in network order,
 * as their types say.  They may sit at any alignment in a frame. */
#ifndef VSWITCH_NVGRE_PROTO_H
#define VSWITCH_NVGRE_PROTO_H

#include <stdint.h>

typedef uint16_t nvgre_be16;
typedef uint32_t nvgre_be32;

#define NVGRE_ETH_HLEN 14
#define NVGRE_VLAN_HLEN 4
#define NVGRE_IPV4_HLEN 20
#define NVGRE_IPV6_HLEN 40
#define NVGRE_GRE_HLEN 8         /* base header + key */

#define NVGRE_ETHERTYPE_IPV4 0x0800
#define NVGRE_ETHERTYPE_IPV6 0x86dd
#define NVGRE_ETHERTYPE_VLAN 0x8100      /* 802.1Q C-tag */
#define NVGRE_ETHERTYPE_QINQ 0x88a8      /* 802.1ad S-tag */
#define NVGRE_ETHERTYPE_QINQ_OLD 0x9100
#define NVGRE_IPPROTO_GRE 47
/* Transparent Ethernet Bridging: the GRE payload is an Ethernet frame. */
#define NVGRE_GRE_PROTO_TEB 0x6558

/* First 16 bits of the GRE header, in RFC 1701's names (bit 0 is the
 * most significant).  RFC 2784 keeps only C and Ver, RFC 2890 adds back
 * K and S; NVGRE sends exactly K (RFC 7637 section 3.2). */
#define NVGRE_GRE_C 0x8000          /* checksum present */
#define NVGRE_GRE_R 0x4000          /* routing present (RFC 1701) */
#define NVGRE_GRE_K 0x2000          /* key present */
#define NVGRE_GRE_S 0x1000          /* sequence number present */
#define NVGRE_GRE_SSR 0x0800        /* strict source route (RFC 1701) */
#define NVGRE_GRE_RECUR 0x0700      /* recursion control (RFC 1701) */
#define NVGRE_GRE_RESERVED 0x00f8   /* bits 8-12 */
#define NVGRE_GRE_VERSION 0x0007

#define NVGRE_IPV4_DF 0x4000
#define NVGRE_IPV4_MF 0x2000
#define NVGRE_IPV4_OFFSET 0x1fff

struct __attribute__((packed)) nvgre_eth {
	uint8_t dst[6];
	uint8_t src[6];
	nvgre_be16 type;
};

struct __attribute__((packed)) nvgre_eth_vlan {
	uint8_t dst[6];
	uint8_t src[6];
	nvgre_be16 tpid;             /* NVGRE_ETHERTYPE_VLAN */
	nvgre_be16 tci;              /* PCP(3) DEI(1) VID(12) */
	nvgre_be16 type;
};

struct __attribute__((packed)) nvgre_ipv4 {
	uint8_t ver_ihl;             /* version 4, IHL in 32-bit words */
	uint8_t tos;                 /* DSCP and ECN */
	nvgre_be16 total_len;        /* header and payload, bytes */
	nvgre_be16 id;
	nvgre_be16 frag;             /* flags(3) offset(13) */
	uint8_t ttl;
	uint8_t proto;
	nvgre_be16 csum;
	uint8_t src[4];
	uint8_t dst[4];
};

struct __attribute__((packed)) nvgre_ipv6 {
	nvgre_be32 ver_tc_flow;      /* version(4) class(8) flow label(20) */
	nvgre_be16 payload_len;      /* bytes after this header */
	uint8_t next;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
};

struct __attribute__((packed)) nvgre_gre {
	nvgre_be16 flags;            /* NVGRE_GRE_* */
	nvgre_be16 proto;            /* NVGRE_GRE_PROTO_TEB */
	nvgre_be32 key;              /* VSID(24) FlowID(8) */
};

_Static_assert(sizeof(struct nvgre_eth) == NVGRE_ETH_HLEN, "eth");
_Static_assert(sizeof(struct nvgre_eth_vlan) ==
	       NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN, "eth+vlan");
_Static_assert(sizeof(struct nvgre_ipv4) == NVGRE_IPV4_HLEN, "ipv4");
_Static_assert(sizeof(struct nvgre_ipv6) == NVGRE_IPV6_HLEN, "ipv6");
_Static_assert(sizeof(struct nvgre_gre) == NVGRE_GRE_HLEN, "gre");

#endif
