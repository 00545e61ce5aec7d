/* 802.1Q port modes: which VLAN a received frame belongs to, and in which
 * form (untagged or tagged) a frame of a VLAN leaves a port.
 *
 * VLAN 0 stands for the untagged domain: frames of ports in untagged mode
 * and untagged frames of a trunk whose native VLAN is 0.  Inside the switch
 * a frame is either untagged or carries exactly one tag whose VID is its
 * VLAN: a trunk removes a priority tag (VID 0) at ingress; access and
 * untagged ports drop every tagged frame, priority-tagged ones included.
 *
 * Pure code, no DPDK types; 'struct dp_vlan_port' is part of the immutable
 * configuration snapshot the workers read. */
#ifndef VSWITCH_DP_VLAN_H
#define VSWITCH_DP_VLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/drop.h"
#include "dataplane/parse.h"

enum dp_vlan_mode {
	DP_VLAN_UNTAGGED,
	DP_VLAN_ACCESS,
	DP_VLAN_TRUNK,
};

struct dp_vlan_port {
	uint8_t mode;          /* enum dp_vlan_mode */
	uint16_t vlan;         /* access VLAN */
	uint16_t native;       /* trunk native VLAN, 0 = untagged domain */
	uint64_t allowed[64];  /* trunk: VLANs carried tagged, bit per VID */
};

/* What ingress decided about a frame. */
struct dp_vlan_in {
	uint16_t vlan;         /* the frame's VLAN (0 = untagged domain) */
	bool strip_prio_tag;   /* a VID-0 priority tag must be removed */
};

enum dp_vlan_out {
	DP_VLAN_OUT_DROP = -1, /* port is not in the VLAN */
	DP_VLAN_OUT_UNTAGGED = 0,
	DP_VLAN_OUT_TAGGED = 1,
};

/* Classifies a frame parsed into 'pp' received on a port configured as
 * 'port'.  Returns DP_DROP_NONE and fills 'in', or the drop reason:
 * DP_DROP_DOUBLE_TAGGED (two tags on any port: no VLAN hopping),
 * DP_DROP_TAGGED_ON_ACCESS, DP_DROP_TAGGED_ON_UNTAGGED,
 * DP_DROP_BAD_VLAN_ID (VID 4095), DP_DROP_VLAN_NOT_ALLOWED (trunk). */
enum dp_drop dp_vlan_ingress(const struct dp_vlan_port *port,
			     const struct dp_parsed *pp,
			     struct dp_vlan_in *in);

/* Returns how a frame of 'vlan' leaves 'port'. */
enum dp_vlan_out dp_vlan_egress(const struct dp_vlan_port *port,
				uint16_t vlan);

static inline bool
dp_vlan_allowed(const struct dp_vlan_port *port, uint16_t vid)
{
	return (port->allowed[vid >> 6] >> (vid & 63)) & 1;
}

#endif
