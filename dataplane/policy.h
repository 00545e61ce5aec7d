/* Port policies on what a VM sends: the Hyper-V port-security guards (MAC
 * spoofing, DHCP guard, router guard), the maximum-bandwidth token bucket
 * and the broadcast/multicast/unknown-unicast storm limit.
 *
 * Concurrency.  'struct dp_policy_port' is part of the immutable
 * configuration snapshot: any number of workers read it, nobody writes it
 * after publication.  A 'struct dp_tbucket' or 'struct dp_storm' has a
 * single writer, the worker that polls the port it belongs to, and no
 * reader on the fast path; so neither needs atomics or locks.  A worker
 * that takes over a port (or sees a new rate in a new snapshot) starts
 * with a fresh init rather than sharing the old state.
 *
 * Pure code: no DPDK types, no allocation, no I/O, no clock.  Time is
 * passed in as 'now_ns', nanoseconds on any monotonic clock that all calls
 * for one bucket share. */
#ifndef VSWITCH_DP_POLICY_H
#define VSWITCH_DP_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/drop.h"
#include "dataplane/parse.h"

/* The guards of one port, copied from its configuration.  The defaults of
 * a zeroed struct match Hyper-V: spoofing not allowed (guard on, but it
 * only applies once the port has a MAC), DHCP and router guard off. */
struct dp_policy_port {
	bool has_mac;              /* 'mac' is known (VM ports) */
	uint8_t mac[6];            /* the port's own MAC */
	bool mac_spoofing_allowed; /* false: only 'mac' may send */
	bool dhcp_guard;           /* drop DHCPv4/DHCPv6 server messages */
	bool router_guard;         /* drop RAs and redirects */
};

/* Classifies a frame the VM behind 'p' sends: the 'size' bytes at 'frame',
 * already accepted by dp_parse_frame() into 'pp'.  Any headers the parser
 * found are checked, also behind two tags (the VLAN stage drops those
 * anyway); with three tags the parser leaves no EtherType and only the
 * source MAC is checked.  Returns
 * DP_DROP_NONE or the reason, the L2 checks coming first:
 *
 * - DP_DROP_MAC_SPOOFING: spoofing not allowed, the port has a MAC and
 *   the Ethernet source differs from it.
 * - DP_DROP_ARP_SPOOFING: same condition, for an ARP packet (any opcode)
 *   whose sender hardware address differs, or whose hardware type/length
 *   is not Ethernet/6 so that the sender address cannot be checked.
 * - DP_DROP_DHCP_GUARD (dhcp_guard): IPv4 UDP from source port 67 (any
 *   BOOTP/DHCP server or relay message), or to port 67/68 with BOOTP op 2
 *   (BOOTREPLY sent from a forged source port); IPv6 UDP from source port
 *   547 or to port 546/547 whose msg-type is ADVERTISE (2), REPLY (7),
 *   RECONFIGURE (10) or RELAY-REPL (13), the server messages of RFC 7610
 *   section 3, found behind any IPv6 extension headers.
 * - DP_DROP_ROUTER_GUARD (router_guard): ICMPv6 Router Advertisement (134)
 *   or Redirect (137) behind any IPv6 extension headers, ICMPv4 Redirect
 *   (5).
 * - DP_DROP_IPV6_HEADER_CHAIN (either IP guard on): a first fragment
 *   (Fragment header with offset 0) whose extension headers run past the
 *   packet, or that ends before the ICMPv6 header (router guard) or before
 *   the UDP header or DHCPv6 msg-type (DHCP guard) that follow them
 *   (RFC 7112 section 5, RFC 7113 section 5, RFC 7610 section 5).
 * - DP_DROP_TRUNCATED (either IP guard on): the same for a packet that is
 *   not a first IPv6 fragment (headers run past the IP payload length,
 *   an IPv4 first fragment too short for its ICMP or UDP header), a
 *   DHCP-port datagram without the first byte of its message, and IP
 *   lengths that disagree with 'size' (dp_parse_frame() already rejects
 *   those).
 *
 * Non-first fragments (IPv4 offset != 0, IPv6 Fragment header with offset
 * != 0) pass: they carry no upper-layer header to classify, and a host
 * cannot reassemble the datagram once its first fragment was dropped
 * (RFC 7113 section 5, rule 6).  The walk knows hop-by-hop (0), routing
 * (43), fragment (44), destination options (60), AH (51) and the other
 * generic-format headers of RFC 7045 (135, 139, 140, 253, 254).  ESP (50)
 * counts as the upper layer (RFC 7113 section 5), and it, No Next Header
 * (59) and any other value end the walk and pass: unlike RFC 7113 rule 5
 * an unrecognized Next Header is not dropped, since that would drop every
 * protocol the guard does not know, and a host discards a packet with a
 * header it does not recognize (RFC 8200 section 4) before reaching an
 * RA behind it.  RAs are dropped whatever their source address and hop
 * limit (RFC 7113 rules 1 and 2 are not used as shortcuts).
 *
 * With every guard off the frame's bytes are not read at all; otherwise
 * headers are read only as far as a guard needs, each read checked
 * against 'size' and the IP length. */
enum dp_drop dp_policy_ingress(const struct dp_policy_port *p,
			       const uint8_t *frame, uint32_t size,
			       const struct dp_parsed *pp);

/* Credit units: one bit is 10^9 units, so 'rate_bps' bits/s earn exactly
 * 'rate_bps' units per nanosecond and no fraction is ever lost. */
#define DP_TBUCKET_UNITS_PER_BYTE 8000000000ull
/* Largest bucket depth, so that credit never overflows 63 bits. */
#define DP_TBUCKET_MAX_BURST (UINT64_MAX / 2 / DP_TBUCKET_UNITS_PER_BYTE)
/* Smallest default depth: two 64 KiB TSO/GSO frames. */
#define DP_TBUCKET_MIN_DEFAULT_BURST 131072u

/* Maximum bandwidth: a token bucket filled at 'rate_bps' up to a depth of
 * 'burst_bytes'. */
struct dp_tbucket {
	uint64_t rate_bps;         /* fill rate, bits/s; 0 = unlimited */
	uint64_t burst_bytes;      /* depth in bytes */
	uint64_t depth;            /* depth in credit units */
	uint64_t credit;           /* available credit units, <= depth */
	uint64_t fill_ns;          /* empty to full: longer gaps are capped */
	uint64_t last_ns;          /* time credit was last added */
};

/* Initialises 'b' to send at most 'rate_bps' bits/s (0 = unlimited) with
 * a full bucket of 'burst_bytes' at 'now_ns'.  'burst_bytes' 0 selects
 * the default, dp_tbucket_default_burst(); a larger value is capped at
 * DP_TBUCKET_MAX_BURST, as is 'rate_bps' at UINT64_MAX / 2.  A frame
 * larger than the burst never conforms. */
void dp_tbucket_init(struct dp_tbucket *b, uint64_t rate_bps,
		     uint64_t burst_bytes, uint64_t now_ns);

/* Returns true, and takes 'bytes' from 'b', if the bucket holds them at
 * 'now_ns'; false (and the frame is to be dropped as
 * DP_DROP_MAX_BANDWIDTH) otherwise.  A 'now_ns' earlier than the previous
 * call's adds nothing.  Integer only: no division, no overflow for any
 * rate up to UINT64_MAX / 2 and any gap. */
bool dp_tbucket_take(struct dp_tbucket *b, uint64_t now_ns, uint32_t bytes);

/* Returns how many frames of 'frame_bytes' the bucket holds at 'now_ns'
 * (after adding the credit earned since the last call), at most 'max';
 * 'max' when the bucket is unlimited.  Takes nothing.  The worker reads
 * no more frames than this from a rate-limited VM queue, so that frames
 * beyond the rate wait in the VM's own queue -- which TCP handles as a
 * slower link -- rather than being dropped by the policer. */
uint32_t dp_tbucket_frames(struct dp_tbucket *b, uint64_t now_ns,
			   uint32_t frame_bytes, uint32_t max);

/* Changes the rate of 'b' to 'rate_bps' (0 = unlimited) with the default
 * depth for it, keeping the credit it holds (capped at the new depth): a
 * rate that is adjusted often must not hand out a fresh full burst each
 * time, or the bucket would pass more than the rate.  Credit earned up to
 * 'now_ns' at the old rate is added first. */
void dp_tbucket_set_rate(struct dp_tbucket *b, uint64_t rate_bps,
			 uint64_t now_ns);

/* Returns the default depth for 'rate_bps': 10 ms at that rate, but at
 * least DP_TBUCKET_MIN_DEFAULT_BURST bytes.  This is a policer (excess is
 * dropped, not queued), and TCP through a policer needs a burst of about
 * a window to reach the rate; the floor also lets a VM that hands over
 * 64 KiB segmentation-offload frames send at all.  Over a 10 s transfer
 * the burst adds at most 0.1 % to the rate. */
uint64_t dp_tbucket_default_burst(uint64_t rate_bps);

/* Storm limit: at most 'limit' packets per one-second window.  The caller
 * offers the packets that are flooded (broadcast, multicast and unknown
 * unicast, i.e. DP_PF_MULTICAST or a MAC-table miss) and drops those
 * refused as DP_DROP_STORM_LIMIT.  The first packet opens a window at its
 * time t0; window k is [t0 + k s, t0 + (k + 1) s), so windows do not drift
 * with arrival times. */
struct dp_storm {
	uint64_t limit;            /* packets per window; 0 = unlimited */
	uint64_t start_ns;         /* start of the current window */
	uint64_t count;            /* packets accepted in it */
	bool open;                 /* a window has started */
};

/* Initialises 's' to accept at most 'pps_limit' packets per second, 0 for
 * no limit. */
void dp_storm_init(struct dp_storm *s, uint64_t pps_limit);

/* Returns true, and counts the packet, if the window holding 'now_ns' has
 * room; false otherwise.  A 'now_ns' earlier than the window start counts
 * in the current window. */
bool dp_storm_take(struct dp_storm *s, uint64_t now_ns);

/* Minimum-bandwidth weights: divides 'capacity' (bits/s of one saturated
 * external port) among 'n' sources with weights 'weight[i]' (0 counts as
 * 1) and measured demands 'demand[i]' (bits/s they offered), by weighted
 * max-min fairness: a source that wants less than its weighted share of
 * what is left keeps all it wants, and what it leaves is divided among the
 * others by their weights.  Writes each source's limit to 'limit[i]':
 *
 * - 0 (no limit) for every source when the total demand fits within
 *   'capacity': the port is not saturated and nobody is held back;
 * - otherwise the share a source may use: for one whose demand was met,
 *   the share it was entitled to in the round it was met (so it may grow
 *   up to it at once); for the others their final share, which add up to
 *   what the met ones left of 'capacity'.  A source with no demand gets
 *   its entitled share too.
 *
 * At most DP_SHARE_MAX sources.  Pure integer arithmetic on 128-bit
 * intermediates: no overflow for capacities and demands below 2^63. */
#define DP_SHARE_MAX 256
void dp_share_allocate(unsigned int n, const uint8_t *weight,
		       const uint64_t *demand, uint64_t capacity,
		       uint64_t *limit);

#endif
