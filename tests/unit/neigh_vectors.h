/* Golden ARP and neighbor discovery frames: what each builder of
 * nvgre/neigh.h writes for a fixed description.  Shared by
 * test_nvgre_neigh (the builders must produce these bytes) and by
 * neigh_vectors, which prints what the builders produce for the
 * independent check in neigh_scapy.py: scapy builds every frame from the
 * same description and must get the same bytes.  The arrays below were
 * written out field by field (RFC 826, RFC 8200, RFC 4861 sections 4.3,
 * 4.4 and 4.6.1); the ICMPv6 checksums are the ones scapy computes.
 * Header-only: everything is static. */
#ifndef VSWITCH_TESTS_NEIGH_VECTORS_H
#define VSWITCH_TESTS_NEIGH_VECTORS_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "nvgre/neigh.h"

/* A asks, B answers. */
#define NNV_MAC_A { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 }
#define NNV_MAC_B { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 }
#define NNV_BCAST { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define NNV_IP4_A { .family = NVGRE_AF_IPV4, .b = { 192, 0, 2, 1 } }
#define NNV_IP4_B { .family = NVGRE_AF_IPV4, .b = { 192, 0, 2, 2 } }
/* 2001:db8::1 and 2001:db8::12:3456, whose solicited-node address is
 * ff02::1:ff12:3456 at 33:33:ff:12:34:56. */
#define NNV_IP6_A { .family = NVGRE_AF_IPV6, \
		    .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 } }
#define NNV_IP6_B { .family = NVGRE_AF_IPV6, \
		    .b = { 0x20, 0x01, 0x0d, 0xb8, [13] = 0x12, 0x34, 0x56 } }
#define NNV_VLAN 11

static const uint8_t nnv_mac_a[6] = NNV_MAC_A;
static const uint8_t nnv_mac_b[6] = NNV_MAC_B;
static const uint8_t nnv_bcast[6] = NNV_BCAST;
static const struct nvgre_addr nnv_ip4_a = NNV_IP4_A;
static const struct nvgre_addr nnv_ip4_b = NNV_IP4_B;
static const struct nvgre_addr nnv_ip6_a = NNV_IP6_A;
static const struct nvgre_addr nnv_ip6_b = NNV_IP6_B;

/* ---- golden frames --------------------------------------------------- */

#define NNV_ETH_ARP(dst, src) dst, src, 0x08, 0x06
#define NNV_ETH_ARP_VLAN(dst, src) dst, src, 0x81, 0x00, 0x00, 0x0b, \
				   0x08, 0x06
#define NNV_ETH_IP6(dst, src) dst, src, 0x86, 0xdd
#define NNV_ETH_IP6_VLAN(dst, src) dst, src, 0x81, 0x00, 0x00, 0x0b, \
				   0x86, 0xdd
#define NNV_B_MAC_A 0x02, 0x00, 0x00, 0x00, 0x01, 0x01
#define NNV_B_MAC_B 0x02, 0x00, 0x00, 0x00, 0x01, 0x02
#define NNV_B_BCAST 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define NNV_B_SNMAC 0x33, 0x33, 0xff, 0x12, 0x34, 0x56
/* Ethernet, IPv4, hlen 6, plen 4 */
#define NNV_ARP_HDR 0x00, 0x01, 0x08, 0x00, 0x06, 0x04
#define NNV_B_IP4_A 192, 0, 2, 1
#define NNV_B_IP4_B 192, 0, 2, 2
#define NNV_B_IP6_A 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, \
		    0, 0, 0, 0, 0, 0, 0, 0x01
#define NNV_B_IP6_B 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, \
		    0, 0, 0, 0, 0, 0x12, 0x34, 0x56
#define NNV_B_IP6_SN 0xff, 0x02, 0, 0, 0, 0, 0, 0, \
		     0, 0, 0, 0x01, 0xff, 0x12, 0x34, 0x56
#define NNV_B_IP6_ALL 0xff, 0x02, 0, 0, 0, 0, 0, 0, \
		      0, 0, 0, 0, 0, 0, 0, 0x01
#define NNV_B_IP6_ANY 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* Version 6, payload 32 bytes (NS/NA 24 + option 8), ICMPv6, hop
 * limit 255. */
#define NNV_IP6_HDR 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff
#define NNV_ZERO18 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* Who has 192.0.2.2?  Tell 192.0.2.1: broadcast, target MAC zero,
 * 42 bytes padded to 60. */
static const uint8_t nnv_arp_request[60] = {
	NNV_ETH_ARP(NNV_B_BCAST, NNV_B_MAC_A),
	NNV_ARP_HDR, 0x00, 0x01,
	NNV_B_MAC_A, NNV_B_IP4_A,
	0, 0, 0, 0, 0, 0, NNV_B_IP4_B,
	NNV_ZERO18,
};

/* The same on VLAN 11: 46 bytes padded to 64. */
static const uint8_t nnv_arp_request_vlan[64] = {
	NNV_ETH_ARP_VLAN(NNV_B_BCAST, NNV_B_MAC_A),
	NNV_ARP_HDR, 0x00, 0x01,
	NNV_B_MAC_A, NNV_B_IP4_A,
	0, 0, 0, 0, 0, 0, NNV_B_IP4_B,
	NNV_ZERO18,
};

/* 192.0.2.2 is at 02:00:00:00:01:02, to A: what nvgre_arp_build()
 * writes for a reply, and nvgre_neigh_reply() for the request above. */
static const uint8_t nnv_arp_reply[60] = {
	NNV_ETH_ARP(NNV_B_MAC_A, NNV_B_MAC_B),
	NNV_ARP_HDR, 0x00, 0x02,
	NNV_B_MAC_B, NNV_B_IP4_B,
	NNV_B_MAC_A, NNV_B_IP4_A,
	NNV_ZERO18,
};

static const uint8_t nnv_arp_reply_vlan[64] = {
	NNV_ETH_ARP_VLAN(NNV_B_MAC_A, NNV_B_MAC_B),
	NNV_ARP_HDR, 0x00, 0x02,
	NNV_B_MAC_B, NNV_B_IP4_B,
	NNV_B_MAC_A, NNV_B_IP4_A,
	NNV_ZERO18,
};

/* A solicits 2001:db8::12:3456 from 2001:db8::1, to the solicited-node
 * address, with its source link-layer address option (type 1, 8 bytes). */
#define NNV_NS_BODY(csum_hi, csum_lo)                                  \
	NNV_IP6_HDR, NNV_B_IP6_A, NNV_B_IP6_SN,                        \
	135, 0, csum_hi, csum_lo, 0, 0, 0, 0, NNV_B_IP6_B,             \
	0x01, 0x01, NNV_B_MAC_A

static const uint8_t nnv_ns[86] = {
	NNV_ETH_IP6(NNV_B_SNMAC, NNV_B_MAC_A),
	NNV_NS_BODY(0xb2, 0x5a),
};

static const uint8_t nnv_ns_vlan[90] = {
	NNV_ETH_IP6_VLAN(NNV_B_SNMAC, NNV_B_MAC_A),
	NNV_NS_BODY(0xb2, 0x5a),
};

/* B's answer to that NS: from the target to A, solicited and override
 * (0x60), target link-layer address option (type 2). */
static const uint8_t nnv_na[86] = {
	NNV_ETH_IP6(NNV_B_MAC_A, NNV_B_MAC_B),
	NNV_IP6_HDR, NNV_B_IP6_B, NNV_B_IP6_A,
	136, 0, 0x20, 0xa5, 0x60, 0, 0, 0, NNV_B_IP6_B,
	0x02, 0x01, NNV_B_MAC_B,
};

/* The same on VLAN 11 from a router (0xe0). */
static const uint8_t nnv_na_router_vlan[90] = {
	NNV_ETH_IP6_VLAN(NNV_B_MAC_A, NNV_B_MAC_B),
	NNV_IP6_HDR, NNV_B_IP6_B, NNV_B_IP6_A,
	136, 0, 0xa0, 0xa4, 0xe0, 0, 0, 0, NNV_B_IP6_B,
	0x02, 0x01, NNV_B_MAC_B,
};

/* Duplicate address detection by A for 2001:db8::12:3456 (RFC 4862
 * section 5.4.2): from ::, no option, payload 24 bytes.  An input, not
 * a builder's output: scapy checks it too. */
static const uint8_t nnv_dad_ns[78] = {
	NNV_ETH_IP6(NNV_B_SNMAC, NNV_B_MAC_A),
	0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3a, 0xff,
	NNV_B_IP6_ANY, NNV_B_IP6_SN,
	135, 0, 0xe4, 0x1e, 0, 0, 0, 0, NNV_B_IP6_B,
};

/* B defends it: to all nodes, override only (0x20), Ethernet
 * destination the solicitor's source MAC. */
static const uint8_t nnv_na_dad[86] = {
	NNV_ETH_IP6(NNV_B_MAC_A, NNV_B_MAC_B),
	NNV_IP6_HDR, NNV_B_IP6_B, NNV_B_IP6_ALL,
	136, 0, 0x8f, 0x5b, 0x20, 0, 0, 0, NNV_B_IP6_B,
	0x02, 0x01, NNV_B_MAC_B,
};

/* ---- the vectors ----------------------------------------------------- */

enum nnv_how {
	NNV_ARP,                     /* nvgre_arp_build() */
	NNV_NS,                      /* nvgre_ns_build() */
	NNV_REPLY,                   /* nvgre_neigh_reply() to 'request' */
	NNV_INPUT,                   /* no builder: 'golden' as it is */
};

struct nnv_vector {
	const char *name;
	enum nnv_how how;
	uint16_t op;                 /* NNV_ARP */
	uint16_t vlan;               /* NNV_ARP, NNV_NS */
	const uint8_t *request;      /* NNV_REPLY: a golden frame */
	uint32_t request_size;
	uint8_t na_flags;            /* NNV_REPLY */
	const uint8_t *golden;
	uint32_t golden_size;
};

#define NNV_G(a) a, sizeof(a)

static const struct nnv_vector nnv_vectors[] = {
	{ "arp-request", NNV_ARP, NVGRE_ARP_REQUEST, 0, NULL, 0, 0,
	  NNV_G(nnv_arp_request) },
	{ "arp-request-vlan", NNV_ARP, NVGRE_ARP_REQUEST, NNV_VLAN, NULL, 0,
	  0, NNV_G(nnv_arp_request_vlan) },
	{ "arp-reply", NNV_ARP, NVGRE_ARP_REPLY, 0, NULL, 0, 0,
	  NNV_G(nnv_arp_reply) },
	{ "arp-reply-vlan", NNV_ARP, NVGRE_ARP_REPLY, NNV_VLAN, NULL, 0, 0,
	  NNV_G(nnv_arp_reply_vlan) },
	{ "arp-answer", NNV_REPLY, 0, 0, NNV_G(nnv_arp_request), 0,
	  NNV_G(nnv_arp_reply) },
	{ "arp-answer-vlan", NNV_REPLY, 0, 0, NNV_G(nnv_arp_request_vlan), 0,
	  NNV_G(nnv_arp_reply_vlan) },
	{ "ns", NNV_NS, 0, 0, NULL, 0, 0, NNV_G(nnv_ns) },
	{ "ns-vlan", NNV_NS, 0, NNV_VLAN, NULL, 0, 0, NNV_G(nnv_ns_vlan) },
	{ "na", NNV_REPLY, 0, 0, NNV_G(nnv_ns), 0, NNV_G(nnv_na) },
	{ "na-router-vlan", NNV_REPLY, 0, 0, NNV_G(nnv_ns_vlan),
	  NVGRE_NA_ROUTER, NNV_G(nnv_na_router_vlan) },
	{ "dad-ns", NNV_INPUT, 0, 0, NULL, 0, 0, NNV_G(nnv_dad_ns) },
	{ "na-dad", NNV_REPLY, 0, 0, NNV_G(nnv_dad_ns), 0, NNV_G(nnv_na_dad) },
};

#define NNV_N (sizeof(nnv_vectors) / sizeof(nnv_vectors[0]))

/* Builds vector 'v' with the library into 'buf' of 'size' bytes.
 * Returns the builder's result: the frame's size or a negative errno
 * (-EBADMSG when the request does not parse). */
static inline int
nnv_build(const struct nnv_vector *v, uint8_t *buf, uint32_t size)
{
	struct nvgre_neigh_msg req;

	switch (v->how) {
	case NNV_ARP:
		if (v->op == NVGRE_ARP_REQUEST)
			return nvgre_arp_build(buf, size, v->op, v->vlan,
					       nnv_bcast, nnv_mac_a, nnv_mac_a,
					       &nnv_ip4_a, NULL, &nnv_ip4_b);
		return nvgre_arp_build(buf, size, v->op, v->vlan, nnv_mac_a,
				       nnv_mac_b, nnv_mac_b, &nnv_ip4_b,
				       nnv_mac_a, &nnv_ip4_a);
	case NNV_NS:
		return nvgre_ns_build(buf, size, v->vlan, nnv_mac_a,
				      &nnv_ip6_a, &nnv_ip6_b);
	case NNV_REPLY:
		if (nvgre_neigh_parse(v->request, v->request_size, &req) !=
		    NVGRE_NEIGH_OK)
			return -EBADMSG;
		return nvgre_neigh_reply(buf, size, &req, nnv_mac_b,
					 v->na_flags);
	case NNV_INPUT:
	default:
		if (size < v->golden_size)
			return -ENOSPC;
		memcpy(buf, v->golden, v->golden_size);
		return (int)v->golden_size;
	}
}

#endif
