#include "dataplane/teamflow.h"

#include <string.h>

#include "dataplane/parse.h"

#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_SCTP 132

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void
dp_team_flow(const uint8_t *frame, uint32_t size, struct team_flow *f)
{
	struct dp_parsed pp;
	const uint8_t *ip;

	memset(f, 0, sizeof(*f));
	if (size < DP_ETH_HLEN)
		return;
	memcpy(f->dst_mac, frame, 6);
	memcpy(f->src_mac, frame + 6, 6);
	if (dp_parse_frame(frame, size, &pp) != DP_DROP_NONE)
		return;
	f->vlan = pp.n_tags ? pp.vid : 0;
	ip = frame + pp.l3_ofs;
	/* l4_ofs is set only once the whole fixed IP header was checked. */
	if (pp.ethertype == DP_ETHERTYPE_IPV4 && pp.l4_ofs) {
		f->l3 = 4;
		memcpy(f->src_ip, ip + 12, 4);
		memcpy(f->dst_ip, ip + 16, 4);
		f->proto = pp.ip_proto;
		/* RFC 791: a fragment offset means no transport header. */
		if (rd16(ip + 6) & 0x1fff)
			return;
	} else if (pp.ethertype == DP_ETHERTYPE_IPV6 && pp.l4_ofs) {
		f->l3 = 6;
		memcpy(f->src_ip, ip + 8, 16);
		memcpy(f->dst_ip, ip + 24, 16);
		f->proto = pp.ip_proto;
	} else {
		return;
	}
	if ((pp.ip_proto == PROTO_TCP || pp.ip_proto == PROTO_UDP ||
	     pp.ip_proto == PROTO_SCTP) && pp.l4_ofs + 4u <= size) {
		f->has_ports = true;
		f->src_port = rd16(frame + pp.l4_ofs);
		f->dst_port = rd16(frame + pp.l4_ofs + 2);
	}
}
