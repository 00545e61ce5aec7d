/* Parse once: the first stage of the fast path reads a frame's headers a
 * single time into 'struct dp_parsed', which every later stage uses instead
 * of touching the bytes again.
 *
 * Pure code: no DPDK types, no allocation, no global state.  Every read is
 * bounds-checked against 'size'; a frame whose headers do not fit is
 * reported with a drop reason, never read past its end. */
#ifndef VSWITCH_DP_PARSE_H
#define VSWITCH_DP_PARSE_H

#include <stdint.h>

#include "dataplane/drop.h"

#define DP_ETH_HLEN 14
#define DP_VLAN_HLEN 4
#define DP_ETHERTYPE_IPV4 0x0800
#define DP_ETHERTYPE_ARP 0x0806
#define DP_ETHERTYPE_VLAN 0x8100   /* 802.1Q C-tag */
#define DP_ETHERTYPE_QINQ 0x88a8   /* 802.1ad S-tag */
#define DP_ETHERTYPE_QINQ_OLD 0x9100
#define DP_ETHERTYPE_IPV6 0x86dd

/* dp_parsed.flags */
#define DP_PF_MULTICAST 0x01       /* group bit of the destination set */
#define DP_PF_BROADCAST 0x02       /* ff:ff:ff:ff:ff:ff (also MULTICAST) */
#define DP_PF_LINK_LOCAL 0x04      /* 01:80:c2:00:00:00-0f, the groups an
				    * 802.1Q bridge never forwards (STP,
				    * Slow Protocols, 802.1X, LLDP...) */

struct dp_parsed {
	uint8_t n_tags;      /* VLAN tags in front of the payload (0, 1, 2) */
	uint8_t flags;       /* DP_PF_* */
	uint16_t vid;        /* VID of the outer tag when n_tags >= 1 */
	uint8_t pcp;         /* priority of the outer tag */
	uint8_t ip_proto;    /* IPv4 protocol / IPv6 next header, else 0 */
	uint16_t ethertype;  /* EtherType after the tags, host order */
	uint16_t l3_ofs;     /* offset of the L3 header */
	uint16_t l4_ofs;     /* offset after the fixed IP header, else 0 */
};

/* Parses the 'size' bytes at 'frame' into 'out'.  Returns DP_DROP_NONE, or
 * the reason the frame must be dropped: DP_DROP_TRUNCATED when a header is
 * cut short, DP_DROP_BAD_IPV4 / DP_DROP_BAD_IPV6 for an IP header whose
 * version or lengths disagree with the frame, DP_DROP_BAD_SRC_MAC for a
 * multicast or all-zero source.  Up to two tags are parsed; a third one
 * stops parsing with n_tags == 2 and ethertype and offsets left 0 (every
 * port drops frames with two or more tags). */
enum dp_drop dp_parse_frame(const uint8_t *frame, uint32_t size,
			    struct dp_parsed *out);

#endif
