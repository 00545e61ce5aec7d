/* Address resolution for network virtualization: ARP (RFC 826) for IPv4
 * and neighbor discovery (RFC 4861 sections 4.3, 4.4, 7) for IPv6.
 *
 * Two users.  On the underlay, the switch resolves the next hops of remote
 * provider addresses (PA) and answers for its own PAs.  Toward the VMs, it
 * answers ARP requests and neighbor solicitations for customer addresses
 * (CA) and virtual gateways from the lookup records, so that they never
 * cross the underlay.  Both parse a frame with nvgre_neigh_parse() and
 * answer with nvgre_neigh_reply(), or ask with nvgre_arp_build() /
 * nvgre_ns_build().
 *
 * Pure code on byte buffers: no DPDK types, no allocation, no I/O, no
 * global state; every function may run per packet on any thread. */
#ifndef VSWITCH_NVGRE_NEIGH_H
#define VSWITCH_NVGRE_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "nvgre/addr.h"

#define NVGRE_ETHERTYPE_ARP 0x0806
#define NVGRE_ARP_REQUEST 1
#define NVGRE_ARP_REPLY 2
#define NVGRE_ICMPV6_NS 135
#define NVGRE_ICMPV6_NA 136

/* Neighbor advertisement flags (RFC 4861 section 4.4), as in the first
 * byte after the ICMPv6 checksum. */
#define NVGRE_NA_ROUTER 0x80
#define NVGRE_NA_SOLICITED 0x40
#define NVGRE_NA_OVERRIDE 0x20

/* Largest frame the builders write: Ethernet + 802.1Q + IPv6 + NA with a
 * target link-layer address option (14 + 4 + 40 + 24 + 8). */
#define NVGRE_NEIGH_FRAME_MAX 90

enum nvgre_neigh_kind {
	NVGRE_NEIGH_ARP_REQUEST = 1,
	NVGRE_NEIGH_ARP_REPLY,
	NVGRE_NEIGH_NS,
	NVGRE_NEIGH_NA,
};

/* What nvgre_neigh_parse() found. */
enum nvgre_neigh_result {
	NVGRE_NEIGH_NOT,             /* not ARP, NS or NA: other traffic */
	NVGRE_NEIGH_OK,              /* a valid message, 'out' filled */
	NVGRE_NEIGH_BAD,             /* ARP or NS/NA, but malformed: drop */
};

/* One ARP message or neighbor solicitation/advertisement. */
struct nvgre_neigh_msg {
	uint8_t kind;                /* enum nvgre_neigh_kind */
	bool tagged;                 /* one 802.1Q tag before the payload */
	uint16_t vlan;               /* its VID, else 0 */
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	/* ARP: sender protocol address.  NS/NA: the IPv6 source address
	 * (:: for an NS of duplicate address detection). */
	struct nvgre_addr sender;
	/* ARP: sender hardware address.  NS: source link-layer address
	 * option, NA: target link-layer address option, when present. */
	uint8_t sender_mac[6];
	bool has_sender_mac;
	/* ARP: target protocol address.  NS/NA: the target address. */
	struct nvgre_addr target;
	uint8_t target_mac[6];       /* ARP: target hardware address */
	struct nvgre_addr dst;       /* NS/NA: IPv6 destination address */
	uint8_t na_flags;            /* NA: NVGRE_NA_* */
};

/* Parses the 'size' bytes at 'frame', an Ethernet frame with at most one
 * 802.1Q tag (not VID 4095, reserved: a message behind it is
 * NVGRE_NEIGH_BAD).  ARP: Ethernet/IPv4 only (htype 1, ptype 0x0800, hlen 6,
 * plen 4), opcode request or reply.  NS/NA: IPv6 next header 58 directly
 * (no extension headers), hop limit 255, ICMPv6 code 0 and a correct
 * checksum, payload length within the frame, a unicast target (not
 * multicast, RFC 4861 section 7.1.1; nor :: or ::1, which no node owns
 * and nvgre_neigh_reply() does not answer for), a source that is neither
 * multicast nor ::1 (RFC 4291 sections 2.7 and 2.5.3: an answer would go
 * there), every option with a non-zero length inside the message (RFC
 * 4861 sections 7.1.1 and 7.1.2); an NS from :: must be to a
 * solicited-node address and carry no source link-layer option; an NA to
 * a multicast address must not have the solicited flag (7.1.2).  The
 * first link-layer address option of the message's kind (source in an
 * NS, target in an NA) fills 'sender_mac' and must be 8 bytes long
 * (Ethernet, RFC 2464 section 8); other options are skipped.  An ARP frame that is not an Ethernet/IPv4
 * request or reply, or shorter than 28 bytes, is NVGRE_NEIGH_BAD.  Other
 * ICMPv6 and IPv6 is NVGRE_NEIGH_NOT.  Every read is checked against 'size'; trailing
 * Ethernet padding is ignored. */
enum nvgre_neigh_result nvgre_neigh_parse(const uint8_t *frame, uint32_t size,
					  struct nvgre_neigh_msg *out);

/* Writes an ARP message (Ethernet/IPv4) into 'buf' of 'size' bytes:
 * Ethernet 'eth_dst' <- 'eth_src', an 802.1Q tag when 'vlan' is 1-4094,
 * opcode 'op' (NVGRE_ARP_REQUEST or _REPLY), sender 'sha'/'spa', target
 * 'tha'/'tpa' (IPv4 addresses).  Padded with zeros to the 60-byte
 * Ethernet minimum (64 tagged).  'tha' may be NULL for zeros, as in a
 * request.  Returns the frame's length, -ENOSPC when 'size' is too small,
 * -EINVAL for a non-IPv4 address, bad VLAN or another 'op'. */
int nvgre_arp_build(uint8_t *buf, uint32_t size, uint16_t op, uint16_t vlan,
		    const uint8_t eth_dst[6], const uint8_t eth_src[6],
		    const uint8_t sha[6], const struct nvgre_addr *spa,
		    const uint8_t tha[6], const struct nvgre_addr *tpa);

/* Writes a neighbor solicitation for 'target' from 'src' (an IPv6
 * address of ours) and 'src_mac', to the target's solicited-node
 * multicast address and its 33:33:ff:xx:xx:xx MAC, hop limit 255, with a
 * source link-layer address option; 802.1Q tag when 'vlan' is 1-4094.
 * Returns the frame's length, -ENOSPC or -EINVAL ('src' not an IPv6
 * unicast or link-local address: :: for duplicate address detection is
 * not supported; 'target' not IPv6 unicast; bad VLAN). */
int nvgre_ns_build(uint8_t *buf, uint32_t size, uint16_t vlan,
		   const uint8_t src_mac[6], const struct nvgre_addr *src,
		   const struct nvgre_addr *target);

/* Writes the answer to 'req' (an ARP request or an NS that
 * nvgre_neigh_parse() accepted) saying that req->target is at 'mac':
 *  - ARP: a reply from 'mac'/req->target to req->sender_mac/req->sender,
 *    Ethernet destination req->eth_src;
 *  - NS: an NA with the target link-layer address option, flags
 *    NVGRE_NA_OVERRIDE | NVGRE_NA_SOLICITED (| 'na_flags' extra, e.g.
 *    NVGRE_NA_ROUTER for a gateway, the only bit it can add), from
 *    req->target to req->sender;
 *    to an NS from :: (duplicate address detection) the NA goes to
 *    ff02::1 without the solicited flag (RFC 4861 section 7.2.4).
 *    Ethernet destination: the source link-layer option, else
 *    req->eth_src.  Hop limit 255.
 * Ethernet source 'mac'; the request's 802.1Q tag, if any, is kept.
 * Returns the frame's length, -ENOSPC, or -EINVAL when 'req' is not a
 * request. */
int nvgre_neigh_reply(uint8_t *buf, uint32_t size,
		      const struct nvgre_neigh_msg *req, const uint8_t mac[6],
		      uint8_t na_flags);

#endif
