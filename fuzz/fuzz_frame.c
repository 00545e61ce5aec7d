/* Fuzz target: what a port does with a frame from a VM or the wire before
 * switching it -- dp_parse_frame(), the 802.1Q ingress classification of
 * an access, an untagged and a trunk port (dp_vlan_ingress()), the port
 * guards with every guard on (dp_policy_ingress()) and the team hash
 * fields (dp_team_flow()).
 *
 * Input: one Ethernet frame without FCS.  Beyond the sanitizers, it checks
 * that the parser's offsets lie inside the frame and that no port ever
 * puts a frame in a VLAN it does not carry. */
#include <string.h>

#include "dataplane/parse.h"
#include "dataplane/policy.h"
#include "dataplane/teamflow.h"
#include "dataplane/vlan.h"
#include "fuzz/fuzz.h"

#define ACCESS_VLAN 10
#define TRUNK_NATIVE 1

static struct dp_vlan_port access_port = {
	.mode = DP_VLAN_ACCESS, .vlan = ACCESS_VLAN,
};
static struct dp_vlan_port untagged_port = { .mode = DP_VLAN_UNTAGGED };
static struct dp_vlan_port trunk_port = {
	.mode = DP_VLAN_TRUNK, .native = TRUNK_NATIVE,
};

static void check_parsed(const struct dp_parsed *pp, uint32_t size);
static void check_vlan(const struct dp_vlan_port *port,
		       const struct dp_parsed *pp);
static void check_policy(const uint8_t *frame, uint32_t size,
			 const struct dp_parsed *pp);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	/* The trunk carries VLANs 10-20 and 4094 tagged. */
	for (uint16_t vid = 10; vid <= 20; vid++)
		trunk_port.allowed[vid >> 6] |= 1ull << (vid & 63);
	trunk_port.allowed[4094 >> 6] |= 1ull << (4094 & 63);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct team_flow flow;
	struct dp_parsed pp;
	uint32_t n;

	if (size > UINT16_MAX)          /* no port receives more */
		return -1;
	n = (uint32_t) size;
	dp_team_flow(data, n, &flow);
	memset(&pp, 0xa5, sizeof pp);   /* the parser must set what it uses */
	if (dp_parse_frame(data, n, &pp) != DP_DROP_NONE)
		return 0;
	check_parsed(&pp, n);
	check_vlan(&access_port, &pp);
	check_vlan(&untagged_port, &pp);
	check_vlan(&trunk_port, &pp);
	check_policy(data, n, &pp);
	return 0;
}

static void
check_parsed(const struct dp_parsed *pp, uint32_t size)
{
	FUZZ_CHECK(size >= DP_ETH_HLEN);
	FUZZ_CHECK(pp->n_tags <= 2);
	FUZZ_CHECK(pp->l3_ofs <= size);
	FUZZ_CHECK(pp->l4_ofs <= size);
	if (pp->n_tags < 2) {
		FUZZ_CHECK(pp->l3_ofs == DP_ETH_HLEN
					 + DP_VLAN_HLEN * pp->n_tags);
		FUZZ_CHECK(pp->ethertype != DP_ETHERTYPE_VLAN);
	}
	if (pp->l4_ofs)
		FUZZ_CHECK(pp->l4_ofs > pp->l3_ofs);
	if (pp->n_tags)
		FUZZ_CHECK(pp->vid <= 4095 && pp->pcp <= 7);
}

/* Tenant isolation: an accepted frame is in a VLAN the port carries. */
static void
check_vlan(const struct dp_vlan_port *port, const struct dp_parsed *pp)
{
	struct dp_vlan_in in;

	if (dp_vlan_ingress(port, pp, &in) != DP_DROP_NONE)
		return;
	FUZZ_CHECK(pp->n_tags <= 1);
	switch (port->mode) {
	case DP_VLAN_ACCESS:
		FUZZ_CHECK(pp->n_tags == 0 && in.vlan == port->vlan);
		break;
	case DP_VLAN_UNTAGGED:
		FUZZ_CHECK(pp->n_tags == 0 && in.vlan == 0);
		break;
	case DP_VLAN_TRUNK:
		FUZZ_CHECK(in.vlan == port->native
			   || dp_vlan_allowed(port, in.vlan));
		FUZZ_CHECK(in.vlan != 4095);
		FUZZ_CHECK(!in.strip_prio_tag || pp->vid == 0);
		FUZZ_CHECK(dp_vlan_egress(port, in.vlan) != DP_VLAN_OUT_DROP);
		break;
	}
}

/* Every guard on: once with the port's MAC being the frame's source (so
 * the ARP and IP guards are reached), once with another MAC. */
static void
check_policy(const uint8_t *frame, uint32_t size, const struct dp_parsed *pp)
{
	static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct dp_policy_port p = {
		.has_mac = true,
		.dhcp_guard = true,
		.router_guard = true,
	};
	enum dp_drop r;

	memcpy(p.mac, frame + 6, 6);
	r = dp_policy_ingress(&p, frame, size, pp);
	FUZZ_CHECK(r != DP_DROP_MAC_SPOOFING);
	memcpy(p.mac, other_mac, 6);
	r = dp_policy_ingress(&p, frame, size, pp);
	FUZZ_CHECK(r == DP_DROP_MAC_SPOOFING || !memcmp(frame + 6, other_mac, 6));
	p.mac_spoofing_allowed = true;
	r = dp_policy_ingress(&p, frame, size, pp);
	FUZZ_CHECK(r != DP_DROP_MAC_SPOOFING && r != DP_DROP_ARP_SPOOFING);
}
