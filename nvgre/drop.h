/* Reasons an arriving NVGRE frame is dropped.  One list feeds the enum and
 * the names, so that a caller can keep one counter per reason and report it
 * by a stable name.  The first group is found by nvgre_decap_parse() from
 * the bytes alone, in the order listed; the last group by
 * nvgre_decap_check() against the tables.
 *
 * The names are unique among themselves but not against the dataplane's
 * own list (dataplane/drop.h): a caller that reports both keeps them apart,
 * e.g. under an "nvgre" heading. */
#ifndef VSWITCH_NVGRE_DROP_H
#define VSWITCH_NVGRE_DROP_H

#define foreach_nvgre_drop                                                  \
	/* Outer Ethernet */                                                \
	_(TRUNC_ETH, "truncated-eth")       /* < 14 bytes */                \
	_(TRUNC_VLAN, "truncated-vlan")     /* 802.1Q tag cut short */      \
	_(NOT_IP, "not-ip")                 /* EtherType after at most one  \
					     * 802.1Q tag not IPv4/IPv6 */  \
	/* Outer IPv4 (RFC 791 section 3.1) */                              \
	_(TRUNC_IPV4, "truncated-ipv4")     /* header or options cut */     \
	_(IPV4_VERSION, "ipv4-version")     /* version != 4 */              \
	_(IPV4_IHL, "ipv4-ihl")             /* IHL < 5 */                   \
	_(IPV4_CHECKSUM, "ipv4-checksum")   /* header checksum wrong */     \
	_(IPV4_LENGTH, "ipv4-total-length") /* total length ends before the \
					     * GRE header or inner header */\
	_(IPV4_FRAGMENT, "ipv4-fragment")   /* MF set or offset != 0 */     \
	/* Outer IPv6 (RFC 8200 section 3) */                               \
	_(TRUNC_IPV6, "truncated-ipv6")     /* < 40 bytes */                \
	_(IPV6_VERSION, "ipv6-version")     /* version != 6 */              \
	_(IPV6_LENGTH, "ipv6-payload-length") /* 0 (jumbogram), or ends     \
					     * before GRE or inner header */\
	_(IPV6_EXT_HEADER, "ipv6-ext-header") /* extension header before    \
					     * GRE, fragment header too */  \
	_(NOT_GRE, "not-gre")               /* protocol/next header != 47 */\
	/* GRE (RFC 2784 section 2, RFC 2890 section 2, RFC 7637 3.2) */    \
	_(TRUNC_GRE, "truncated-gre")       /* < 4, or < 8 with the key */  \
	_(GRE_CHECKSUM, "gre-checksum")     /* C set */                     \
	_(GRE_ROUTING, "gre-routing")       /* R (RFC 1701) set */          \
	_(GRE_SEQUENCE, "gre-sequence")     /* S set */                     \
	_(GRE_STRICT_ROUTE, "gre-strict-route") /* s (RFC 1701) set */      \
	_(GRE_RECURSION, "gre-recursion")   /* Recur (RFC 1701) != 0 */     \
	_(GRE_RESERVED, "gre-reserved")     /* any of bits 8-12 set */      \
	_(GRE_VERSION, "gre-version")       /* version != 0 */              \
	_(GRE_NO_KEY, "gre-no-key")         /* K clear */                   \
	_(GRE_PROTOCOL, "gre-protocol")     /* protocol != 0x6558 */        \
	_(VSID_RESERVED, "vsid-reserved")   /* < 4096 or 0xffffff */        \
	/* Inner frame (RFC 7637 section 3.2) */                            \
	_(TRUNC_INNER, "truncated-inner")   /* < 14 bytes */                \
	_(INNER_TAGGED, "inner-tagged")     /* inner 802.1Q/802.1ad tag */  \
	_(TRUNC_PAYLOAD, "truncated-payload") /* frame ends before the      \
					     * outer IP length says */      \
	/* Against the tables (nvgre_decap_check) */                        \
	_(DST_PA_NOT_LOCAL, "dst-pa-not-local") /* not one of our PAs */    \
	_(PA_VLAN, "pa-vlan-mismatch")      /* our PA, other VLAN */        \
	_(SRC_PA_LOCAL, "src-pa-local")     /* from one of our own PAs:     \
					     * looped or forged */          \
	_(VSID_UNKNOWN, "vsid-unknown")     /* no record or route */        \
	_(SRC_PA_NOT_IN_VSID, "src-pa-not-in-vsid") /* no record of the     \
					     * VSID names the source PA */

enum nvgre_drop {
	NVGRE_DROP_NONE = 0,
#define _(sym, name) NVGRE_DROP_##sym,
	foreach_nvgre_drop
#undef _
	NVGRE_DROP_N
};

/* Returns the stable name of 'reason', "none" for NVGRE_DROP_NONE,
 * "unknown" out of range. */
const char *nvgre_drop_name(enum nvgre_drop reason);

#endif
