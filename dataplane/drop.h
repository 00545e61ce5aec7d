/* Reasons the dataplane drops a frame.  One list feeds the enum, the names
 * reported by port-stats and the per-port counters, so a new reason is one
 * line here.  Names are stable: tools and tests key on them. */
#ifndef VSWITCH_DP_DROP_H
#define VSWITCH_DP_DROP_H

#define foreach_dp_drop                                                      \
	_(TRUNCATED, "truncated")         /* header runs past the frame */   \
	_(BAD_IPV4, "bad-ipv4")           /* version, IHL or total length */ \
	_(BAD_IPV6, "bad-ipv6")           /* version or payload length */    \
	_(BAD_SRC_MAC, "bad-src-mac")     /* multicast or zero source */     \
	_(TAGGED_ON_ACCESS, "tagged-on-access")                              \
	_(TAGGED_ON_UNTAGGED, "tagged-on-untagged")                          \
	_(DOUBLE_TAGGED, "double-tagged") /* more than one 802.1Q tag */     \
	_(BAD_VLAN_ID, "bad-vlan-id")     /* VID 4095 */                     \
	_(VLAN_NOT_ALLOWED, "vlan-not-allowed") /* trunk: not in the list */ \
	_(SAME_PORT, "dst-on-input-port") /* learned behind the input port */\
	_(EGRESS_VLAN, "egress-vlan")     /* output port not in the VLAN */  \
	_(NO_PORT, "no-port")             /* output port went away */        \
	_(NO_MBUF, "no-mbuf")             /* flood copy: pool empty */       \
	_(HANDOFF_FULL, "handoff-full")   /* tx ring to the owning worker */ \
	_(TX_FAILED, "tx-failed")         /* device refused the frame */     \
	_(MAC_SPOOFING, "mac-spoofing")   /* source MAC is not the port's */ \
	_(ARP_SPOOFING, "arp-spoofing")   /* ARP sender MAC not the port's */\
	_(DHCP_GUARD, "dhcp-guard")       /* DHCPv4/v6 server message */     \
	_(ROUTER_GUARD, "router-guard")   /* RA, ICMPv6/ICMPv4 redirect */   \
	_(IPV6_HEADER_CHAIN, "ipv6-header-chain") /* RFC 7112 first frag */  \
	_(MAX_BANDWIDTH, "max-bandwidth") /* token bucket empty */           \
	_(STORM_LIMIT, "storm-limit")     /* flood packets/s exceeded */     \
	_(DISCONNECTED, "disconnected")   /* cable unplugged (--connected) */\
	_(MIN_WEIGHT, "min-weight-share") /* over its share of a saturated \
					   * external port */                 \
	_(TEAM_INACTIVE, "team-member-inactive") /* LACP: member not      \
					   * collecting */                    \
	_(TEAM_NO_MEMBER, "team-no-member") /* no member distributes */      \
	_(TEAM_SLOWP_FULL, "team-slowp-full") /* LACPDU ring to control */ \
	_(TEAM_REFLECTED, "team-reflected") /* switch-independent: our own \
					     * frame coming back */            \
	_(LINK_LOCAL, "link-local")       /* to 01:80:c2:00:00:0x: never   \
					   * forwarded by a bridge (802.1Q   \
					   * 8.6.3); a team's LACPDUs are    \
					   * taken before */                  \
	/* Network virtualization (nv_dp.h) */                               \
	_(NV_NO_TABLES, "nv-no-tables")   /* VSID port, no NV tables yet */  \
	_(NV_NEIGH_UNANSWERED, "nv-neigh-unanswered") /* ARP/NS for an    \
					   * address without a record, or   \
					   * its own; ARP reply, NA */        \
	_(NV_NEIGH_MALFORMED, "nv-neigh-malformed") /* bad ARP/NS/NA */    \
	_(NV_NO_ROUTE, "nv-no-route")     /* to the gateway: no customer   \
					   * route or record for it */        \
	_(NV_TTL, "nv-ttl-exceeded")      /* routed with TTL/hop limit 1 */  \
	_(NV_PA_UNREACHABLE, "nv-pa-unreachable") /* no provider route */  \
	_(NV_PA_UNRESOLVED, "nv-pa-unresolved") /* next hop MAC unknown */ \
	_(NV_MTU, "nv-mtu-exceeded")      /* too big once encapsulated */    \
	_(NV_DECAP, "nvgre-decap")        /* refused NVGRE: by reason in    \
					   * port-stats "nvgre" */            \
	_(NV_VSID_NOT_HERE, "nv-vsid-not-here") /* no local port in it */  \
	_(NV_INNER_SRC, "nv-inner-src")   /* inner source MAC not a record  \
					   * of the sending PA */             \
	_(NV_CONTROL_FULL, "nv-control-full") /* ARP/ND ring to control */ \
	_(NV_HOST, "nv-host-traffic")     /* to the underlay port's own MAC, \
					   * neither NVGRE nor ARP/ND: the  \
					   * switch has no host stack */

enum dp_drop {
	DP_DROP_NONE = 0,
#define _(sym, name) DP_DROP_##sym,
	foreach_dp_drop
#undef _
	DP_DROP_N
};

/* Returns the stable name of 'reason' ("truncated", ...), "none" for
 * DP_DROP_NONE. */
const char *dp_drop_name(enum dp_drop reason);

#endif
