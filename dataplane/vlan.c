#include "dataplane/vlan.h"

static enum dp_drop
trunk_ingress(const struct dp_vlan_port *port, const struct dp_parsed *pp,
	      struct dp_vlan_in *in)
{
	if (pp->n_tags == 0 || pp->vid == 0) {
		/* Untagged or priority-tagged: the native VLAN. */
		in->vlan = port->native;
		in->strip_prio_tag = pp->n_tags == 1;
		return DP_DROP_NONE;
	}
	if (pp->vid == 4095)
		return DP_DROP_BAD_VLAN_ID;
	if (pp->vid != port->native && !dp_vlan_allowed(port, pp->vid))
		return DP_DROP_VLAN_NOT_ALLOWED;
	in->vlan = pp->vid;
	return DP_DROP_NONE;
}

enum dp_drop
dp_vlan_ingress(const struct dp_vlan_port *port, const struct dp_parsed *pp,
		struct dp_vlan_in *in)
{
	in->vlan = 0;
	in->strip_prio_tag = false;
	if (pp->n_tags > 1)
		return DP_DROP_DOUBLE_TAGGED;

	switch (port->mode) {
	case DP_VLAN_ACCESS:
		if (pp->n_tags)
			return DP_DROP_TAGGED_ON_ACCESS;
		in->vlan = port->vlan;
		return DP_DROP_NONE;
	case DP_VLAN_TRUNK:
		return trunk_ingress(port, pp, in);
	default:
		return pp->n_tags ? DP_DROP_TAGGED_ON_UNTAGGED : DP_DROP_NONE;
	}
}

enum dp_vlan_out
dp_vlan_egress(const struct dp_vlan_port *port, uint16_t vlan)
{
	switch (port->mode) {
	case DP_VLAN_ACCESS:
		return vlan == port->vlan ? DP_VLAN_OUT_UNTAGGED
					  : DP_VLAN_OUT_DROP;
	case DP_VLAN_TRUNK:
		if (vlan == port->native)
			return DP_VLAN_OUT_UNTAGGED;
		if (vlan != 0 && dp_vlan_allowed(port, vlan))
			return DP_VLAN_OUT_TAGGED;
		return DP_VLAN_OUT_DROP;
	default:
		return vlan == 0 ? DP_VLAN_OUT_UNTAGGED : DP_VLAN_OUT_DROP;
	}
}
