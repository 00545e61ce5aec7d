/* Frames that make a physical network re-learn where a MAC is, for
 * switch-independent teams: after a failover, each source that
 * team_balancer_set_members() reports as moved has its MAC announced on
 * its new member, so the switch stops sending its traffic to the member
 * that failed (which it may not notice at all, e.g. when the failure
 * is further along the path or on another switch).
 *
 * - team_build_rarp(): a RARP "request reverse" (RFC 903, opcode 3)
 *   with the MAC as sender and target and no IP addresses, the frame
 *   hypervisors send when a VM moves; works whatever the VM's address.
 * - team_build_garp(): a gratuitous ARP request (RFC 5227 section 3,
 *   "ARP Announcement": sender and target IP both the VM's address),
 *   which also refreshes the ARP caches of hosts and routers; use it
 *   when the VM's IPv4 address is known.
 *
 * Both are broadcast, from the MAC announced, tagged with 'vlan' unless
 * it is TEAM_NO_VLAN (the switch learns per VLAN), and padded to the
 * 60-octet Ethernet minimum (without FCS).
 *
 * Pure code: any thread, no state. */
#ifndef VSWITCH_TEAMING_ANNOUNCE_H
#define VSWITCH_TEAMING_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#define TEAM_NO_VLAN 0xffff
#define TEAM_ANNOUNCE_SIZE 64      /* room for either frame, tagged */

/* Writes the RARP frame announcing 'mac' into 'buf'.  Returns its size
 * (60, or 64 tagged), or 0 if 'size' is too small. */
size_t team_build_rarp(uint8_t *buf, size_t size, const uint8_t mac[6],
		       uint16_t vlan);

/* Writes the gratuitous ARP for 'mac' at 'ipv4' (network order) into
 * 'buf'.  Returns its size, or 0 if 'size' is too small. */
size_t team_build_garp(uint8_t *buf, size_t size, const uint8_t mac[6],
		       uint16_t vlan, const uint8_t ipv4[4]);

#endif
