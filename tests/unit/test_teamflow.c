/* Unit tests for dataplane/teamflow.c: the fields team balancing hashes,
 * read from frames as they leave, and never past their end. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/teamflow.h"
#include "tests/unit/frames.h"

#define TCP 6
#define UDP 17
#define ICMP 1

/* Appends the first 4 bytes of a TCP/UDP header: the two ports. */
static void
fb_ports(struct fb *f, uint16_t src, uint16_t dst)
{
	fb_put16(f, src);
	fb_put16(f, dst);
}

/* IPv4 from 192.0.2.1 to 192.0.2.2 carrying 'proto' with ports. */
static void
ipv4_ports(struct fb *f, uint8_t proto, uint16_t sp, uint16_t dp)
{
	fb_eth(f, fb_mac_a, fb_mac_b);
	fb_type(f, 0x0800);
	fb_ipv4(f, proto, 8);
	f->len -= 8;
	fb_ports(f, sp, dp);
	fb_zeros(f, 4);
}

/* Runs dp_team_flow on a heap copy of exactly 'len' bytes, so a read
 * past the end is caught by the sanitizers. */
static void
flow_heap(const struct fb *f, uint32_t len, struct team_flow *out)
{
	uint8_t *h = malloc(len ? len : 1);

	cr_assert(h != NULL);
	memcpy(h, f->b, len);
	dp_team_flow(h, len, out);
	free(h);
}

Test(teamflow, ipv4_udp_ports)
{
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 192, 0, 2, 2 };
	struct team_flow tf;
	struct fb f;

	ipv4_ports(&f, UDP, 4242, 53);
	dp_team_flow(f.b, f.len, &tf);
	cr_expect_eq(tf.l3, 4);
	cr_expect_eq(tf.proto, UDP);
	cr_expect(tf.has_ports);
	cr_expect_eq(tf.src_port, 4242);
	cr_expect_eq(tf.dst_port, 53);
	cr_expect_arr_eq(tf.src_ip, src, 4);
	cr_expect_arr_eq(tf.dst_ip, dst, 4);
	cr_expect_arr_eq(tf.dst_mac, fb_mac_a, 6);
	cr_expect_arr_eq(tf.src_mac, fb_mac_b, 6);
	cr_expect_eq(tf.vlan, 0);
}

Test(teamflow, tagged_tcp_keeps_vid)
{
	struct team_flow tf;
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_tag(&f, 0x8100, 0, 42);
	fb_type(&f, 0x0800);
	fb_ipv4(&f, TCP, 0);
	fb_ports(&f, 1000, 80);
	fb_zeros(&f, 16);
	/* The IPv4 total length must cover the TCP bytes. */
	f.b[18 + 2] = 0;
	f.b[18 + 3] = 40;
	dp_team_flow(f.b, f.len, &tf);
	cr_expect_eq(tf.vlan, 42);
	cr_expect(tf.has_ports);
	cr_expect_eq(tf.src_port, 1000);
	cr_expect_eq(tf.dst_port, 80);
}

Test(teamflow, ipv6_udp)
{
	struct team_flow tf;
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, 0x86dd);
	fb_ipv6(&f, UDP, 8);
	f.len -= 8;
	fb_ports(&f, 5000, 6000);
	fb_zeros(&f, 4);
	dp_team_flow(f.b, f.len, &tf);
	cr_expect_eq(tf.l3, 6);
	cr_expect_eq(tf.src_ip[0], 0x20);
	cr_expect_eq(tf.src_ip[15], 1);
	cr_expect_eq(tf.dst_ip[15], 2);
	cr_expect(tf.has_ports);
	cr_expect_eq(tf.src_port, 5000);
}

Test(teamflow, non_first_fragment_has_no_ports)
{
	struct team_flow tf;
	struct fb f;

	ipv4_ports(&f, UDP, 4242, 53);
	f.b[14 + 6] = 0x00;             /* offset 8 octets, no DF */
	f.b[14 + 7] = 0x01;
	dp_team_flow(f.b, f.len, &tf);
	cr_expect_eq(tf.l3, 4);
	cr_expect_not(tf.has_ports);
}

Test(teamflow, icmp_and_arp)
{
	struct team_flow tf;
	struct fb f;

	fb_eth(&f, fb_mac_a, fb_mac_b);
	fb_type(&f, 0x0800);
	fb_ipv4(&f, ICMP, 8);
	dp_team_flow(f.b, f.len, &tf);
	cr_expect_eq(tf.l3, 4);
	cr_expect_not(tf.has_ports);

	fb_eth(&f, fb_mac_bcast, fb_mac_b);
	fb_type(&f, 0x0806);
	fb_arp(&f, fb_mac_b);
	dp_team_flow(f.b, f.len, &tf);
	cr_expect_eq(tf.l3, 0);
	cr_expect_arr_eq(tf.dst_mac, fb_mac_bcast, 6);
	cr_expect_arr_eq(tf.src_mac, fb_mac_b, 6);
}

/* Every truncation: MACs once 14 bytes are there, never a read past the
 * end, ports only when all four bytes are in. */
Test(teamflow, every_truncation)
{
	struct team_flow tf;
	struct fb f;

	ipv4_ports(&f, TCP, 1, 2);
	for (uint32_t len = 0; len <= f.len; len++) {
		flow_heap(&f, len, &tf);
		if (len < 14)
			cr_expect_eq(tf.dst_mac[0], 0, "len %u", len);
		else
			cr_expect_arr_eq(tf.dst_mac, fb_mac_a, 6, "len %u",
					 len);
		if (tf.has_ports)
			cr_expect_geq(len, 14 + 20 + 4u, "len %u", len);
	}
}
