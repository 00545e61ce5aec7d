#include "teaming/announce.h"

#include <stdbool.h>
#include <string.h>

#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_RARP 0x8035
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV4 0x0800
#define ARP_HTYPE_ETHERNET 1
#define ARP_OP_REQUEST 1
#define RARP_OP_REQUEST_REVERSE 3
#define ETH_MIN_SIZE 60            /* without FCS */

static size_t build(uint8_t *buf, size_t size, uint16_t ethertype,
		    uint16_t op, const uint8_t mac[6], uint16_t vlan,
		    const uint8_t ipv4[4]);
static uint8_t *put16(uint8_t *p, uint16_t v);

size_t
team_build_rarp(uint8_t *buf, size_t size, const uint8_t mac[6],
		uint16_t vlan)
{
	static const uint8_t no_ip[4];

	return build(buf, size, ETHERTYPE_RARP, RARP_OP_REQUEST_REVERSE, mac,
		     vlan, no_ip);
}

size_t
team_build_garp(uint8_t *buf, size_t size, const uint8_t mac[6],
		uint16_t vlan, const uint8_t ipv4[4])
{
	return build(buf, size, ETHERTYPE_ARP, ARP_OP_REQUEST, mac, vlan,
		     ipv4);
}

/* Static helpers. */

/* Both frames share the ARP layout (RFC 826); they differ in EtherType,
 * opcode, and whether the target hardware address is the MAC itself
 * (RARP: the MAC whose address is asked for) or unknown (ARP). */
static size_t
build(uint8_t *buf, size_t size, uint16_t ethertype, uint16_t op,
      const uint8_t mac[6], uint16_t vlan, const uint8_t ipv4[4])
{
	bool tagged = vlan != TEAM_NO_VLAN;
	size_t need = ETH_MIN_SIZE + (tagged ? 4 : 0);
	uint8_t *p = buf;

	if (size < need)
		return 0;
	memset(buf, 0, need);
	memset(p, 0xff, 6);
	memcpy(p + 6, mac, 6);
	p += 12;
	if (tagged) {
		p = put16(p, ETHERTYPE_VLAN);
		p = put16(p, vlan & 0x0fff);
	}
	p = put16(p, ethertype);
	p = put16(p, ARP_HTYPE_ETHERNET);
	p = put16(p, ETHERTYPE_IPV4);
	*p++ = 6;
	*p++ = 4;
	p = put16(p, op);
	memcpy(p, mac, 6);
	memcpy(p + 6, ipv4, 4);
	if (op == RARP_OP_REQUEST_REVERSE)
		memcpy(p + 10, mac, 6);
	memcpy(p + 16, ipv4, 4);
	return need;
}

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}
