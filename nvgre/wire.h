/* NVGRE on the wire (RFC 7637 section 3.2): encapsulation from a header
 * template, decapsulation with every field checked, and the FlowID.
 *
 * Encapsulation.  The outer headers toward one destination -- Ethernet
 * (next-hop MAC, our MAC, optional 802.1Q tag for the PA VLAN), IPv4 or
 * IPv6 between the two PAs, GRE with only the K bit -- are the same for
 * every packet but for three fields.  nvgre_template_build() lays them out
 * once, when the destination is configured and its next hop resolved;
 * per packet nvgre_encap() copies the template in front of the inner frame
 * and patches the IP length (and the IPv4 checksum, from a sum precomputed
 * over the fixed fields) and the GRE key.
 *
 * The inner frame never carries an 802.1Q tag (RFC 7637 section 3.2):
 * nvgre_inner_untag() removes one before encapsulation, and decapsulation
 * drops a tagged inner frame.
 *
 * Pure code on byte buffers: no DPDK types, no allocation, no I/O, no
 * global state; every function may run on any thread at any rate. */
#ifndef VSWITCH_NVGRE_WIRE_H
#define VSWITCH_NVGRE_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "nvgre/addr.h"
#include "nvgre/drop.h"
#include "nvgre/proto.h"

/* VSIDs 0-0xfff are reserved and 0xffffff is vendor-specific (RFC 7637
 * section 3.2): neither is ever configured nor accepted. */
#define NVGRE_VSID_MIN 0x1000u       /* 4096 */
#define NVGRE_VSID_MAX 0xfffffeu     /* 16777214 */

static inline bool
nvgre_vsid_valid(uint32_t vsid)
{
	return vsid >= NVGRE_VSID_MIN && vsid <= NVGRE_VSID_MAX;
}

/* Largest template: Ethernet + 802.1Q + IPv6 + GRE with key. */
#define NVGRE_HDR_MAX (NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN + NVGRE_IPV6_HLEN + \
		       NVGRE_GRE_HLEN)

#define NVGRE_TTL_DEFAULT 64

/* How the FlowID of a destination is chosen. */
enum nvgre_flowid_mode {
	NVGRE_FLOWID_HASH,           /* nvgre_flowid() of the inner frame */
	NVGRE_FLOWID_FIXED,          /* always 'flowid' (0 for peers that
				      * need it) */
};

/* One destination, as configured. */
struct nvgre_template_cfg {
	uint8_t dst_mac[6];          /* the underlay next hop's MAC */
	uint8_t src_mac[6];          /* our external port's MAC */
	uint16_t vlan;               /* PA VLAN 1-4094, 0 = untagged */
	uint8_t pcp;                 /* priority of that tag, 0-7 */
	struct nvgre_addr src;       /* our PA */
	struct nvgre_addr dst;       /* the remote PA */
	uint8_t ttl;                 /* IPv4 TTL / IPv6 hop limit, 0 = 64 */
	uint8_t tos;                 /* IPv4 TOS / IPv6 traffic class */
	enum nvgre_flowid_mode flowid_mode;
	uint8_t flowid;              /* NVGRE_FLOWID_FIXED: the value */
};

/* Built by nvgre_template_build(), read-only afterwards; members are
 * private to wire.c (the struct is public for its size only). */
struct nvgre_template {
	uint8_t hdr[NVGRE_HDR_MAX];  /* outer headers, lengths and key 0 */
	uint8_t size;                /* bytes of 'hdr' in use */
	uint8_t ip_ofs;              /* offset of the IP header */
	uint8_t gre_ofs;             /* offset of the GRE header */
	uint8_t family;              /* NVGRE_AF_IPV4 or NVGRE_AF_IPV6 */
	uint8_t flowid_mode;         /* enum nvgre_flowid_mode */
	uint8_t flowid;              /* NVGRE_FLOWID_FIXED value */
	uint32_t csum_base;          /* IPv4: unfolded one's complement sum
				      * of the header with length and
				      * checksum 0 */
};

/* Builds 't' from 'cfg'.  Returns 0, or -EINVAL when the PAs are not
 * unicast addresses of one family, 'vlan' is above 4094 or 'pcp' above
 * 7.  IPv4 gets DF set and identification 0: with DF the datagram is
 * atomic and its ID may be any value (RFC 6864 section 4.1), so no
 * per-packet counter is shared between workers. */
int nvgre_template_build(struct nvgre_template *t,
			 const struct nvgre_template_cfg *cfg);

/* Bytes nvgre_encap() writes in front of the inner frame. */
static inline uint32_t
nvgre_template_size(const struct nvgre_template *t)
{
	return t->size;
}

/* Writes the outer headers of 't' into the nvgre_template_size(t) bytes
 * at 'hdr', which end where the inner frame of 'inner_size' bytes (inner
 * Ethernet header included, no FCS) begins, with the key 'vsid' << 8 |
 * 'flowid'.  Returns 0, -EINVAL for a VSID out of range, or -EMSGSIZE
 * when the outer IP length field cannot hold the packet.  Checking the
 * underlay MTU is the caller's (nvgre_encap_fits()). */
int nvgre_encap(const struct nvgre_template *t, uint8_t *hdr,
		uint32_t inner_size, uint32_t vsid, uint8_t flowid);

/* True when an inner frame of 'inner_size' bytes, encapsulated with 't',
 * fits an underlay link of IP MTU 'mtu'. */
bool nvgre_encap_fits(const struct nvgre_template *t, uint32_t inner_size,
		      uint32_t mtu);

/* The FlowID 't' asks for: its fixed value, or nvgre_flowid(). */
uint8_t nvgre_template_flowid(const struct nvgre_template *t,
			      const uint8_t *inner, uint32_t size);

/* Largest IP MTU a VM may use so that its frames, encapsulated over an
 * underlay of IP MTU 'outer_mtu' with PAs of 'family', still fit: the
 * outer IP and GRE headers and the inner Ethernet header come off (1458
 * for IPv4 at 1500, 1438 for IPv6).  0 when nothing fits. */
uint32_t nvgre_inner_mtu(uint32_t outer_mtu, uint8_t family);

/* Entropy of the inner flow for ECMP in the underlay (RFC 7637 sections
 * 3.2 and 4.1): a hash of the IP addresses, protocol and, for TCP, UDP,
 * SCTP and UDP-Lite, the ports -- of the IP addresses and protocol only for
 * fragments, so that all fragments of a datagram agree; of the MAC
 * addresses and EtherType for non-IP frames.  The same flow always gets
 * the same value, on every host.  Reads only the headers it hashes, each
 * checked against 'size' (a header cut short is left out of the hash);
 * one 802.1Q tag is skipped. */
uint8_t nvgre_flowid(const uint8_t *inner, uint32_t size);

/* Removes an 802.1Q tag from the frame of 'size' bytes at 'frame' by
 * moving the MAC addresses 4 bytes toward the payload.  Returns the number
 * of bytes by which the frame's start moved (4, or 0 for an untagged
 * frame), or -EINVAL when the frame is too short or carries two tags
 * (nothing is changed then). */
int nvgre_inner_untag(uint8_t *frame, uint32_t size);

/* What nvgre_decap_parse() found in a valid frame. */
struct nvgre_decap {
	uint32_t vsid;               /* 4096-16777214 */
	uint8_t flowid;
	bool tagged;                 /* outer 802.1Q tag present */
	uint16_t vlan;               /* its VID, else 0 */
	struct nvgre_addr src;       /* outer source: the sender's PA */
	struct nvgre_addr dst;       /* outer destination: should be ours */
	uint32_t inner_ofs;          /* offset of the inner Ethernet header */
	uint32_t inner_size;         /* inner frame bytes, per the outer IP
				      * length (trailing padding excluded) */
};

/* Parses the 'size' bytes at 'frame', an Ethernet frame from the
 * underlay, as NVGRE.  Returns NVGRE_DROP_NONE and fills 'out', or the
 * first reason of the outer-to-inner order of foreach_nvgre_drop that
 * applies.  Every read is checked against 'size'.  Running out of bytes
 * is reported as truncation at the layer where they ran out when the
 * frame is shorter than its outer IP length says, and as the IP length
 * field's own reason when that length ends the packet early.  Bytes past
 * the outer IP length are Ethernet padding and are ignored.  Table checks
 * (our PA, known VSID, sender in the VSID) are nvgre_decap_check()'s. */
enum nvgre_drop nvgre_decap_parse(const uint8_t *frame, uint32_t size,
				  struct nvgre_decap *out);

#endif
