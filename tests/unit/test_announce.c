/* Unit tests for teaming/announce.c: the RARP and gratuitous ARP frames
 * of a switch-independent failover, written out by hand from RFC 903
 * and RFC 826 / RFC 5227, untagged and tagged; and the whole failover
 * path: the sources a failed member carried, rebound, each announced on
 * its new member. */
#include <criterion/criterion.h>
#include <string.h>

#include "teaming/announce.h"
#include "teaming/balance.h"

static const uint8_t vm_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static const uint8_t golden_rarp[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,     /* broadcast */
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,     /* from the VM's MAC */
	0x80, 0x35,                             /* RARP */
	0x00, 0x01,                             /* hardware: Ethernet */
	0x08, 0x00,                             /* protocol: IPv4 */
	0x06, 0x04,                             /* sizes */
	0x00, 0x03,                             /* request reverse */
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,     /* sender MAC */
	0x00, 0x00, 0x00, 0x00,                 /* sender IP: unknown */
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,     /* target MAC: itself */
	0x00, 0x00, 0x00, 0x00,                 /* target IP: unknown */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* pad */
};

static const uint8_t golden_garp_tagged[64] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x81, 0x00, 0x00, 0x2a,                 /* 802.1Q, VID 42 */
	0x08, 0x06,                             /* ARP */
	0x00, 0x01,
	0x08, 0x00,
	0x06, 0x04,
	0x00, 0x01,                             /* request */
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,     /* sender MAC */
	0xc0, 0xa8, 0x01, 0x0a,                 /* sender IP 192.168.1.10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,     /* target MAC: unknown */
	0xc0, 0xa8, 0x01, 0x0a,                 /* target IP: the same */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

Test(announce, rarp_golden)
{
	uint8_t buf[TEAM_ANNOUNCE_SIZE + 4];

	memset(buf, 0xa5, sizeof(buf));
	cr_assert_eq(team_build_rarp(buf, sizeof(buf), vm_mac, TEAM_NO_VLAN),
		     60);
	cr_expect_arr_eq(buf, golden_rarp, 60);
	cr_expect_eq(buf[60], 0xa5, "wrote past the frame");
}

Test(announce, garp_tagged_golden)
{
	const uint8_t ip[4] = { 192, 168, 1, 10 };
	uint8_t buf[TEAM_ANNOUNCE_SIZE];

	cr_assert_eq(team_build_garp(buf, sizeof(buf), vm_mac, 42, ip), 64);
	cr_expect_arr_eq(buf, golden_garp_tagged, 64);
}

Test(announce, tagged_rarp_and_untagged_garp)
{
	const uint8_t ip[4] = { 192, 168, 1, 10 };
	uint8_t buf[TEAM_ANNOUNCE_SIZE];

	cr_assert_eq(team_build_rarp(buf, sizeof(buf), vm_mac, 4095), 64);
	cr_expect_eq(buf[12], 0x81);
	cr_expect_eq(buf[14], 0x0f);
	cr_expect_eq(buf[15], 0xff);
	cr_expect_arr_eq(buf + 16, golden_rarp + 12, 44);
	cr_assert_eq(team_build_garp(buf, sizeof(buf), vm_mac, TEAM_NO_VLAN,
				     ip), 60);
	cr_expect_arr_eq(buf, golden_garp_tagged, 12);
	cr_expect_arr_eq(buf + 12, golden_garp_tagged + 16, 48);
}

Test(announce, needs_room)
{
	const uint8_t ip[4] = { 10, 0, 0, 1 };
	uint8_t buf[TEAM_ANNOUNCE_SIZE];

	cr_expect_eq(team_build_rarp(buf, 59, vm_mac, TEAM_NO_VLAN), 0);
	cr_expect_eq(team_build_rarp(buf, 63, vm_mac, 1), 0);
	cr_expect_eq(team_build_garp(buf, 0, vm_mac, TEAM_NO_VLAN, ip), 0);
}

/* What vswitchd does on a switch-independent failover: the sources of
 * the failed member are rebound, and each one's MAC is announced on
 * the member it now has. */
Test(announce, failover_announces_the_failed_members_sources)
{
	struct team_balancer_config c = { .lb = TEAM_LB_HYPERV_PORT };
	struct team_balancer *b = team_balancer_create(&c);
	struct team_move moves[16];
	uint16_t carried[16];
	unsigned int n_carried, n;

	cr_assert_not_null(b);
	team_balancer_set_members(b, 0x3, NULL, 0);
	for (unsigned int s = 10; s < 16; s++)
		team_balancer_add_source(b, s);
	n_carried = team_balancer_sources_on(b, 1, carried, 16);
	cr_assert_eq(n_carried, 3);
	n = team_balancer_set_members(b, 0x1, moves, 16);
	cr_assert_eq(n, n_carried);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 0 };
		uint8_t frame[TEAM_ANNOUNCE_SIZE];

		mac[5] = (uint8_t)moves[i].source;    /* the VM port's MAC */
		cr_expect_eq(moves[i].source, carried[i]);
		cr_expect_eq(moves[i].to, 0);
		cr_expect_eq(team_build_rarp(frame, sizeof(frame), mac,
					     TEAM_NO_VLAN), 60);
		cr_expect_arr_eq(frame + 6, mac, 6);
	}
	team_balancer_destroy(b);
}
