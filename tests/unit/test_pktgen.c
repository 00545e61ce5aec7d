/* Unit tests for bench/pktgen's pure parts: stamps and frame templates
 * (also decoded by scapy from a pcap), stamp lookup on received frames,
 * the latency histogram, the sequence tracker, rates and pacing, the
 * RFC 2544 search (against a fake device), options. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/pktgen/frame.h"
#include "bench/pktgen/opts.h"
#include "bench/pktgen/rate.h"
#include "bench/pktgen/rfc2544.h"
#include "bench/pktgen/stamp.h"
#include "bench/pktgen/stats.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0x01, 0, 0x01 };

static struct pg_frame_spec
spec_of(unsigned size, int vlan, bool nvgre)
{
	struct pg_frame_spec s;

	memset(&s, 0, sizeof(s));
	memcpy(s.dst, mac_b, 6);
	memcpy(s.src, mac_a, 6);
	s.vlan = vlan;
	s.src_ip = 0x0a000001;
	s.dst_ip = 0x0a800001;
	s.sport = 1024;
	s.dport = 5000;
	s.size = size;
	s.nvgre = nvgre;
	memset(s.outer_dst, 0x0a, 6);
	memset(s.outer_src, 0x0b, 6);
	s.pa_src = 0xc0a80001;
	s.pa_dst = 0xc0a80002;
	s.key = 0x123456 << 8 | 0x07;
	s.stamp = pg_stamp_fit(size, vlan >= 0 && !nvgre);
	s.tx_port = 0;
	s.stream = 1;
	return s;
}

/* ---- stamps ---- */

Test(stamp, full_round_trip)
{
	uint8_t b[PG_STAMP_LEN];
	struct pg_stamp s;

	pg_stamp_init(b, PG_STAMP_FULL, 3, 5);
	pg_stamp_patch(b, PG_STAMP_FULL, 0x0102030405060708ull,
		       0x1112131415161718ull, 0xdeadbeef);
	cr_assert_eq(memcmp(b, "VSPG", 4), 0, "magic reads VSPG on the wire");
	cr_assert_eq(pg_stamp_decode(b, PG_STAMP_FULL, &s), 1);
	cr_assert_eq(s.tx_port, 3);
	cr_assert_eq(s.stream, 5);
	cr_assert_eq(s.seq, 0x0102030405060708ull);
	cr_assert_eq(s.tsc, 0x1112131415161718ull);
	cr_assert_eq(s.epoch, 0xdeadbeef);
	cr_assert(pg_stamp_epoch_is(&s, 0xdeadbeef));
	cr_assert_not(pg_stamp_epoch_is(&s, 0xdeadbeee));
	cr_assert_eq(pg_stamp_decode(b, PG_STAMP_COMPACT, &s), 0);
}

Test(stamp, compact_round_trip)
{
	/* Room for a full stamp: the last check decodes it as one. */
	uint8_t b[PG_STAMP_LEN] = { 0 };
	struct pg_stamp s;

	pg_stamp_init(b, PG_STAMP_COMPACT, 1, 2);
	pg_stamp_patch(b, PG_STAMP_COMPACT, 0x100000005ull, 0x7700000010ull,
		       0x12345678);
	cr_assert_eq(pg_stamp_decode(b, PG_STAMP_COMPACT, &s), 1);
	cr_assert_eq(s.tx_port, 1);
	cr_assert_eq(s.stream, 2);
	cr_assert_eq(s.seq, 5, "low 32 bits of the sequence");
	cr_assert_eq(s.tsc, 0x10);
	cr_assert_eq(s.epoch, 0x5678);
	cr_assert(pg_stamp_epoch_is(&s, 0x12345678));
	cr_assert(pg_stamp_epoch_is(&s, 0x99995678), "16-bit epoch match");
	cr_assert_not(pg_stamp_epoch_is(&s, 0x12345679));
	cr_assert_eq(pg_stamp_decode(b, PG_STAMP_FULL, &s), 0);
}

Test(stamp, fit)
{
	cr_assert_eq(pg_stamp_fit(64, false), PG_STAMP_COMPACT);
	cr_assert_eq(pg_stamp_fit(64, true), PG_STAMP_COMPACT);
	cr_assert_eq(pg_stamp_fit(73, false), PG_STAMP_COMPACT);
	cr_assert_eq(pg_stamp_fit(74, false), PG_STAMP_FULL);
	cr_assert_eq(pg_stamp_fit(77, true), PG_STAMP_COMPACT);
	cr_assert_eq(pg_stamp_fit(78, true), PG_STAMP_FULL);
	cr_assert_eq(pg_stamp_fit(59, false), PG_STAMP_NONE);
	cr_assert_eq(pg_stamp_fit(10, false), PG_STAMP_NONE);
}

/* ---- frames ---- */

static void
assert_ip_ok(const uint8_t *ip, unsigned total_len, uint8_t proto)
{
	cr_assert_eq(ip[0], 0x45);
	cr_assert_eq(pg_get16(ip + 2), total_len, "IP total length %u != %u",
		     pg_get16(ip + 2), total_len);
	cr_assert_eq(ip[8], 64, "TTL");
	cr_assert_eq(ip[9], proto);
	cr_assert_eq(pg_ip_cksum(ip, 20), 0, "IPv4 header checksum verifies");
}

Test(frame, plain_64)
{
	struct pg_frame_spec s = spec_of(64, -1, false);
	struct pg_frame_layout l;
	uint8_t b[2048];

	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	cr_assert_eq(l.len, 60);
	cr_assert_eq(memcmp(b, mac_b, 6), 0);
	cr_assert_eq(memcmp(b + 6, mac_a, 6), 0);
	cr_assert_eq(pg_get16(b + 12), 0x0800);
	cr_assert_eq(l.ip_off, 14);
	assert_ip_ok(b + 14, 46, 17);
	cr_assert_eq(pg_get32(b + 26), 0x0a000001);
	cr_assert_eq(pg_get32(b + 30), 0x0a800001);
	cr_assert_eq(l.udp_off, 34);
	cr_assert_eq(pg_get16(b + 34), 1024);
	cr_assert_eq(pg_get16(b + 36), 5000);
	cr_assert_eq(pg_get16(b + 38), 26, "UDP length");
	cr_assert_eq(pg_get16(b + 40), 0, "no UDP checksum");
	cr_assert_eq(l.stamp_off, 42);
	cr_assert_eq(l.stamp, PG_STAMP_COMPACT);
	cr_assert_eq(l.hdr_len, 56);
	for (unsigned i = l.hdr_len; i < l.len; i++)
		cr_assert_eq(b[i], 0, "padding is zero");
	cr_assert_eq(l.outer_ip_off, -1);
}

Test(frame, vlan_full_stamp)
{
	struct pg_frame_spec s = spec_of(128, 100, false);
	struct pg_frame_layout l;
	uint8_t b[2048];

	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	cr_assert_eq(l.len, 124);
	cr_assert_eq(pg_get16(b + 12), 0x8100);
	cr_assert_eq(pg_get16(b + 14), 100);
	cr_assert_eq(pg_get16(b + 16), 0x0800);
	assert_ip_ok(b + 18, 124 - 18, 17);
	cr_assert_eq(l.stamp, PG_STAMP_FULL);
	cr_assert_eq(l.stamp_off, 18 + 20 + 8);
	cr_assert_eq(memcmp(b + l.stamp_off, "VSPG", 4), 0);
}

Test(frame, nvgre)
{
	struct pg_frame_spec s = spec_of(64, 7, true);
	struct pg_frame_layout l;
	uint8_t b[2048];
	const uint8_t *ip;

	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	cr_assert_eq(l.len, 60 + 42 + 4, "outer Eth+tag, IPv4, GRE with key");
	cr_assert_eq(pg_get16(b + 12), 0x8100, "the tag is on the outer frame");
	cr_assert_eq(pg_get16(b + 14), 7);
	cr_assert_eq(l.outer_ip_off, 18);
	ip = b + 18;
	assert_ip_ok(ip, 20 + 8 + 60, 47);
	cr_assert_eq(pg_get16(ip + 6), 0x4000, "DF");
	cr_assert_eq(pg_get32(ip + 12), 0xc0a80001);
	cr_assert_eq(pg_get32(ip + 16), 0xc0a80002);
	cr_assert_eq(pg_get16(ip + 20), 0x2000, "GRE: K bit only");
	cr_assert_eq(pg_get16(ip + 22), 0x6558);
	cr_assert_eq(pg_get32(ip + 24), 0x12345607, "key = VSID << 8 | FlowID");
	cr_assert_eq(memcmp(ip + 28, mac_b, 6), 0, "inner frame follows");
	cr_assert_eq(pg_get16(ip + 28 + 12), 0x0800, "inner frame untagged");
	cr_assert_eq(l.ip_off, 18 + 28 + 14);
	assert_ip_ok(b + l.ip_off, 46, 17);
	cr_assert_eq(l.stamp, PG_STAMP_COMPACT);
}

Test(frame, bad_sizes)
{
	struct pg_frame_spec s = spec_of(64, -1, false);
	struct pg_frame_layout l;
	uint8_t b[2048];

	s.size = 63;
	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), -1);
	s.size = 1519;
	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), -1);
	s.size = 64;
	s.stamp = PG_STAMP_FULL;
	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), -1,
		     "a full stamp does not fit a 64-byte frame");
	s.stamp = PG_STAMP_COMPACT;
	cr_assert_eq(pg_frame_build(&s, b, 59, &l), -1, "buffer too small");
	s.size = 1518;
	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	cr_assert_eq(l.len, 1514);
}

/* Resizing a 64-byte template to every IMIX size gives the same header
 * bytes as building that size directly (same stamp kind). */
Test(frame, resize_matches_build)
{
	for (int variant = 0; variant < 3; variant++) {
		int vlan = variant == 0 ? -1 : 9;
		bool nvgre = variant == 2;
		struct pg_frame_spec s = spec_of(64, vlan, nvgre);
		struct pg_frame_layout l, l2;
		uint8_t tmpl[2048], b[2048], want[2048];

		cr_assert_eq(pg_frame_build(&s, tmpl, sizeof(tmpl), &l), 0);
		for (unsigned i = 0; i < PG_IMIX_LEN; i++) {
			unsigned size = pg_imix_sizes[i];
			uint16_t len;

			memcpy(b, tmpl, l.hdr_len);
			len = pg_frame_resize(b, &l, size);
			s.size = size;
			cr_assert_eq(pg_frame_build(&s, want, sizeof(want),
						    &l2), 0);
			s.size = 64;
			cr_assert_eq(len, l2.len);
			cr_assert_eq(memcmp(b, want, l.hdr_len), 0,
				     "variant %d size %u", variant, size);
			cr_assert_eq(pg_ip_cksum(b + l.ip_off, 20), 0);
		}
	}
}

Test(frame, cksum_update)
{
	uint8_t h[20];

	srand(7);
	for (int n = 0; n < 2000; n++) {
		uint16_t old, nw, c;

		for (int i = 0; i < 20; i++)
			h[i] = (uint8_t)rand();
		h[10] = h[11] = 0;
		pg_put16(h + 10, pg_ip_cksum(h, 20));
		old = pg_get16(h + 2);
		nw = (uint16_t)rand();
		c = pg_cksum_update16(pg_get16(h + 10), old, nw);
		pg_put16(h + 2, nw);
		pg_put16(h + 10, c);
		cr_assert_eq(pg_ip_cksum(h, 20), 0, "round %d", n);
	}
}

Test(frame, imix_mix)
{
	unsigned c64 = 0, c570 = 0, c1518 = 0;

	for (unsigned i = 0; i < PG_IMIX_LEN; i++) {
		c64 += pg_imix_sizes[i] == 64;
		c570 += pg_imix_sizes[i] == 570;
		c1518 += pg_imix_sizes[i] == 1518;
	}
	cr_assert(c64 == 7 && c570 == 4 && c1518 == 1);
	cr_assert_float_eq(pg_imix_mean(), 4246.0 / 12, 1e-9);
}

/* ---- stamp lookup on received frames ---- */

static void
stamp_frame(uint8_t *b, const struct pg_frame_layout *l, uint64_t seq)
{
	pg_stamp_patch(b + l->stamp_off, l->stamp, seq, 1000 + seq, 42);
}

Test(find, generated_frames)
{
	for (int variant = 0; variant < 4; variant++) {
		unsigned size = variant & 1 ? 200 : 64;
		bool nvgre = variant >= 2;
		struct pg_frame_spec s = spec_of(size, nvgre ? 5 : 3, nvgre);
		struct pg_frame_layout l;
		struct pg_stamp st;
		uint8_t b[2048];

		cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
		stamp_frame(b, &l, 77);
		cr_assert_eq(pg_stamp_find(b, l.len, false, &st), l.stamp);
		cr_assert_eq(st.seq, 77);
		cr_assert_eq(st.tsc, 1077);
		cr_assert_eq(st.tx_port, 0);
		cr_assert_eq(st.stream, 1);
		cr_assert(pg_stamp_epoch_is(&st, 42));
	}
}

/* A switch may push a second tag or strip the one we sent. */
Test(find, through_tag_changes)
{
	struct pg_frame_spec s = spec_of(64, -1, false);
	struct pg_frame_layout l;
	struct pg_stamp st;
	uint8_t b[2048], t[2048];

	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	stamp_frame(b, &l, 5);
	memcpy(t, b, 12);
	pg_put16(t + 12, 0x88a8);
	pg_put16(t + 14, 10);
	pg_put16(t + 16, 0x8100);
	pg_put16(t + 18, 20);
	memcpy(t + 20, b + 12, l.len - 12);
	cr_assert_eq(pg_stamp_find(t, l.len + 8u, false, &st),
		     PG_STAMP_COMPACT);
	cr_assert_eq(st.seq, 5);
	/* Ethernet minimum padding after the frame changes nothing */
	memset(b + l.len, 0xee, 8);
	cr_assert_eq(pg_stamp_find(b, l.len + 8u, false, &st),
		     PG_STAMP_COMPACT);
}

Test(find, pcap_tail_stamp)
{
	uint8_t b[100];
	struct pg_stamp st;

	memset(b, 0x33, sizeof(b));
	pg_put16(b + 12, 0x0806);          /* ARP: no UDP */
	pg_stamp_init(b + 100 - 28, PG_STAMP_FULL, 2, 3);
	pg_stamp_patch(b + 100 - 28, PG_STAMP_FULL, 9, 10, 11);
	cr_assert_eq(pg_stamp_find(b, 100, false, &st), PG_STAMP_FULL);
	cr_assert_eq(st.seq, 9);
	cr_assert_eq(st.stream, 3);
}

/* A capture of pktgen's own frames, replayed: the new stamp is at the
 * end, the old one after the UDP header. */
Test(find, pcap_of_pktgen_frames)
{
	struct pg_frame_spec s = spec_of(200, -1, false);
	struct pg_frame_layout l;
	struct pg_stamp st;
	uint8_t b[2048];

	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	stamp_frame(b, &l, 1);                        /* old: seq 1 */
	pg_stamp_init(b + l.len - 28, PG_STAMP_FULL, 0, 1);
	pg_stamp_patch(b + l.len - 28, PG_STAMP_FULL, 500, 0, 43);
	cr_assert_eq(pg_stamp_find(b, l.len, true, &st), PG_STAMP_FULL);
	cr_assert_eq(st.seq, 500);
	cr_assert_eq(pg_stamp_find(b, l.len, false, &st), PG_STAMP_FULL);
	cr_assert_eq(st.seq, 1);
	/* tail first, but no stamp at the tail: the UDP one */
	memset(b + l.len - 28, 0, 28);
	cr_assert_eq(pg_stamp_find(b, l.len, true, &st), PG_STAMP_FULL);
	cr_assert_eq(st.seq, 1);
}

Test(find, foreign_and_truncated)
{
	struct pg_frame_spec s = spec_of(300, 3, true);
	struct pg_frame_layout l;
	struct pg_stamp st;
	uint8_t b[2048];

	memset(b, 0, sizeof(b));
	cr_assert_eq(pg_stamp_find(b, 60, false, &st), PG_STAMP_NONE);
	cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
	stamp_frame(b, &l, 1);
	/* every truncation, from a heap block of exactly that size */
	for (unsigned len = 0; len < l.hdr_len; len++) {
		uint8_t *h = malloc(len ? len : 1);

		memcpy(h, b, len);
		cr_assert_eq(pg_stamp_find(h, len, false, &st), PG_STAMP_NONE,
			     "len %u", len);
		free(h);
	}
	/* wrong GRE protocol */
	pg_put16(b + l.outer_ip_off + 22, 0x0800);
	cr_assert_eq(pg_stamp_find(b, l.len, false, &st), PG_STAMP_NONE);
}

Test(frame, arp_request)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t b[128], zero[6] = { 0 };

	memset(b, 0xee, sizeof(b));
	cr_assert_eq(pg_arp_request_build(b, sizeof(b), mac_a, 0xc0a83c02,
					  0xc0a83c01, -1), 60);
	cr_assert_eq(memcmp(b, bcast, 6), 0, "broadcast");
	cr_assert_eq(memcmp(b + 6, mac_a, 6), 0);
	cr_assert_eq(pg_get16(b + 12), 0x0806);
	cr_assert_eq(pg_get16(b + 14), 1, "htype Ethernet");
	cr_assert_eq(pg_get16(b + 16), 0x0800, "ptype IPv4");
	cr_assert(b[18] == 6 && b[19] == 4);
	cr_assert_eq(pg_get16(b + 20), 1, "request");
	cr_assert_eq(memcmp(b + 22, mac_a, 6), 0, "sender MAC");
	cr_assert_eq(pg_get32(b + 28), 0xc0a83c02, "sender IP");
	cr_assert_eq(memcmp(b + 32, zero, 6), 0, "target MAC unknown");
	cr_assert_eq(pg_get32(b + 38), 0xc0a83c01, "target IP");
	for (int i = 42; i < 60; i++)
		cr_assert_eq(b[i], 0, "padding byte %d", i);
	cr_assert_eq(b[60], 0xee, "nothing written past the frame");

	cr_assert_eq(pg_arp_request_build(b, sizeof(b), mac_a, 1, 2, 100), 64);
	cr_assert_eq(pg_get16(b + 12), 0x8100);
	cr_assert_eq(pg_get16(b + 14), 100);
	cr_assert_eq(pg_get16(b + 16), 0x0806);
	cr_assert_eq(pg_get32(b + 18 + 24), 2, "target IP after the tag");

	cr_assert_eq(pg_arp_request_build(b, 59, mac_a, 1, 2, -1), -1);
	cr_assert_eq(pg_arp_request_build(b, 63, mac_a, 1, 2, 5), -1);
	cr_assert_eq(pg_arp_request_build(b, sizeof(b), mac_a, 1, 2, 4096),
		     -1);
}

/* ---- scapy decodes what we build ---- */

static void
pcap_write(FILE *f, const uint8_t *b, unsigned len)
{
	uint32_t rec[4] = { 0, 0, len, len };

	fwrite(rec, sizeof(rec), 1, f);
	fwrite(b, 1, len, f);
}

static const char scapy_check[] =
"import sys\n"
"from scapy.all import rdpcap, Ether, IP, UDP, GRE, Dot1Q, raw\n"
"n = 0\n"
"for p in rdpcap(sys.argv[1]):\n"
"    q = Ether(raw(p))\n"
"    ips = [l for l in q.iterpayloads() if isinstance(l, IP)]\n"
"    for ip in ips:\n"
"        c = ip.chksum\n"
"        ip2 = IP(raw(ip)[:20]); del ip2.chksum\n"
"        assert IP(raw(ip2))[IP].chksum == c, 'checksum'\n"
"        assert ip.ttl == 64\n"
"    inner = ips[-1]\n"
"    assert inner.proto == 17 and UDP in inner\n"
"    u = inner[UDP]\n"
"    assert u.chksum == 0 and u.len == inner.len - 20, 'udp len'\n"
"    pay = bytes(u.payload)\n"
"    assert pay[:4] == b'VSPG' or pay[:2] == b'Vp', pay[:4]\n"
"    assert len(p) + 4 in (64, 128, 570, 1518, 110, 616, 1564), len(p)\n"
"    if GRE in q:\n"
"        g = q[GRE]\n"
"        assert ips[0].proto == 47 and ips[0].flags == 'DF'\n"
"        assert g.key_present == 1 and g.chksum_present == 0\n"
"        assert g.proto == 0x6558 and g.key == 0x12345607, hex(g.key)\n"
"        assert Dot1Q not in g.payload\n"
"    n += 1\n"
"print(n)\n";

Test(scapy, decodes_generated_frames)
{
	char path[] = "/tmp/test_pktgen_XXXXXX";
	char cmd[2048], out[64] = "";
	uint32_t ghdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	unsigned n = 0;
	FILE *f, *p;
	int fd;

	if (access("/usr/bin/python3", X_OK) != 0 ||
	    system("/usr/bin/python3 -c 'import scapy.all' 2>/dev/null") != 0)
		cr_skip_test("python3 with scapy not available");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	f = fdopen(fd, "wb");
	fwrite(ghdr, sizeof(ghdr), 1, f);
	for (int variant = 0; variant < 4; variant++) {
		bool nvgre = variant == 3;
		struct pg_frame_spec s = spec_of(64, variant >= 1 ? 100 : -1,
						 nvgre);
		struct pg_frame_layout l;
		uint8_t b[2048];

		if (variant == 1)
			s = spec_of(128, 100, false);
		cr_assert_eq(pg_frame_build(&s, b, sizeof(b), &l), 0);
		for (unsigned i = 0; i < PG_IMIX_LEN; i++) {
			uint8_t c[2048];
			unsigned len = l.len;

			memset(c, 0, sizeof(c));
			memcpy(c, b, l.hdr_len);
			if (variant >= 2)
				len = pg_frame_resize(c, &l, pg_imix_sizes[i]);
			stamp_frame(c, &l, i);
			pcap_write(f, c, len);
			n++;
		}
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c \"$(cat <<'EOF'\n%s"
		 "EOF\n)\" %s 2>&1", scapy_check, path);
	p = popen(cmd, "r");
	cr_assert(p != NULL);
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	unlink(path);
	cr_assert_eq((unsigned)atoi(out), n, "scapy: %s", out);
}

/* ---- histogram ---- */

Test(hist, buckets)
{
	for (unsigned i = 0; i < PG_HIST_BUCKETS; i++) {
		uint64_t lo = pg_hist_bucket_low(i);
		uint64_t w = pg_hist_bucket_width(i);

		cr_assert_eq(pg_hist_bucket(lo), i, "bucket %u", i);
		cr_assert_eq(pg_hist_bucket(lo + w - 1), i, "bucket %u end", i);
		if (i + 1 < PG_HIST_BUCKETS)
			cr_assert_eq(pg_hist_bucket_low(i + 1), lo + w);
		if (lo >= 32)
			cr_assert_leq(w * 32, lo, "width <= 1/32 of the value");
	}
	cr_assert_eq(pg_hist_bucket(UINT64_MAX), PG_HIST_BUCKETS - 1);
}

Test(hist, quantiles)
{
	static struct pg_hist h, h2;
	uint64_t sum = 0;

	pg_hist_reset(&h);
	cr_assert_eq(pg_hist_quantile(&h, 0.5), 0);
	cr_assert_eq(pg_hist_mean(&h), 0);
	cr_assert_eq(pg_hist_min(&h), 0);
	for (uint64_t v = 1000; v <= 100000; v++) {
		pg_hist_add(&h, v);
		sum += v;
	}
	cr_assert_eq(h.min, 1000);
	cr_assert_eq(h.max, 100000);
	cr_assert_eq(pg_hist_mean(&h), sum / 99001);
	struct { double q, want; } qs[] = {
		{ 0.5, 50500 }, { 0.99, 99010 }, { 0.999, 99901 },
		{ 0.01, 1990 },
	};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double got = (double)pg_hist_quantile(&h, qs[i].q);

		cr_assert(fabs(got - qs[i].want) / qs[i].want < 0.032,
			  "q %g: %g vs %g", qs[i].q, got, qs[i].want);
	}
	cr_assert_eq(pg_hist_quantile(&h, 1.0), 100000);
	/* quantiles stay within [min, max] */
	pg_hist_reset(&h2);
	for (int i = 0; i < 10; i++)
		pg_hist_add(&h2, 2000123);
	cr_assert_eq(pg_hist_quantile(&h2, 0.5), 2000123);
	cr_assert_eq(pg_hist_quantile(&h2, 0.999), 2000123);
	pg_hist_merge(&h2, &h);
	cr_assert_eq(h2.count, 99011);
	cr_assert_eq(h2.min, 1000);
	cr_assert_eq(h2.max, 2000123);
}

/* ---- sequence tracker ---- */

Test(seq, in_order_reorder_duplicates)
{
	static struct pg_seq s;

	pg_seq_reset(&s);
	for (uint64_t i = 100; i < 200; i++)
		cr_assert_eq(pg_seq_add(&s, i), PG_SEQ_NEW);
	cr_assert_eq(pg_seq_add(&s, 199), PG_SEQ_DUPLICATE);
	cr_assert_eq(pg_seq_add(&s, 150), PG_SEQ_DUPLICATE);
	cr_assert_eq(pg_seq_add(&s, 202), PG_SEQ_NEW);    /* 200, 201 lost */
	cr_assert_eq(pg_seq_add(&s, 200), PG_SEQ_REORDERED);
	cr_assert_eq(pg_seq_add(&s, 200), PG_SEQ_DUPLICATE);
	cr_assert_eq(s.unique, 102);
	cr_assert_eq(s.reordered, 1);
	cr_assert_eq(s.duplicates, 3);
	cr_assert_eq(s.highest, 202);
}

/* Swap every Nth frame with the next: N/N reordered, none lost. */
Test(seq, swapped_pairs)
{
	static struct pg_seq s;

	pg_seq_reset(&s);
	for (uint64_t i = 0; i < 1000; i += 2) {
		pg_seq_add(&s, i + 1);
		pg_seq_add(&s, i);
	}
	cr_assert_eq(s.unique, 1000);
	cr_assert_eq(s.reordered, 500);
	cr_assert_eq(s.duplicates, 0);
}

Test(seq, window)
{
	static struct pg_seq s;

	pg_seq_reset(&s);
	pg_seq_add(&s, 0);
	cr_assert_eq(pg_seq_add(&s, PG_SEQ_WINDOW + 10), PG_SEQ_NEW);
	cr_assert_eq(pg_seq_add(&s, 5), PG_SEQ_REORDERED, "too old: late");
	cr_assert_eq(s.late, 1);
	cr_assert_eq(pg_seq_add(&s, 11), PG_SEQ_REORDERED, "in the window");
	cr_assert_eq(pg_seq_add(&s, 11), PG_SEQ_DUPLICATE);
	cr_assert_eq(pg_seq_add(&s, PG_SEQ_WINDOW + 10), PG_SEQ_DUPLICATE);
	/* a big jump forgets the old bits: 11 + W is not a duplicate */
	cr_assert_eq(pg_seq_add(&s, 3 * PG_SEQ_WINDOW), PG_SEQ_NEW);
	cr_assert_eq(pg_seq_add(&s, 2 * PG_SEQ_WINDOW + 11), PG_SEQ_REORDERED);
	/* a jump of 100 clears exactly the skipped numbers */
	cr_assert_eq(pg_seq_add(&s, 3 * PG_SEQ_WINDOW + 100), PG_SEQ_NEW);
	for (uint64_t i = 1; i < 100; i++)
		cr_assert_eq(pg_seq_add(&s, 3 * PG_SEQ_WINDOW + i),
			     PG_SEQ_REORDERED, "%llu", (unsigned long long)i);
}

Test(seq, extend32)
{
	static struct pg_seq s;

	pg_seq_reset(&s);
	cr_assert_eq(pg_seq_extend32(&s, 7), 7);
	pg_seq_add(&s, 0xfffffff0ull);
	cr_assert_eq(pg_seq_extend32(&s, 0xfffffff5u), 0xfffffff5ull);
	cr_assert_eq(pg_seq_extend32(&s, 3), 0x100000003ull, "wraps up");
	pg_seq_add(&s, 0x100000003ull);
	cr_assert_eq(pg_seq_extend32(&s, 0xfffffff1u), 0xfffffff1ull,
		     "late frame from before the wrap");
}

/* ---- rates and pacing ---- */

Test(rate, parse)
{
	struct pg_rate r;
	double v;

	cr_assert_eq(pg_rate_parse("unlimited", &r), 0);
	cr_assert_eq(r.kind, PG_RATE_UNLIMITED);
	cr_assert_eq(pg_rate_parse("2.5M", &r), 0);
	cr_assert(r.kind == PG_RATE_PPS && r.value == 2.5e6);
	cr_assert_eq(pg_rate_parse("100k", &r), 0);
	cr_assert(r.kind == PG_RATE_PPS && r.value == 1e5);
	cr_assert_eq(pg_rate_parse("20000", &r), 0);
	cr_assert(r.value == 20000);
	cr_assert_eq(pg_rate_parse("50%", &r), 0);
	cr_assert(r.kind == PG_RATE_PCT && r.value == 50);
	cr_assert_eq(pg_rate_parse("12.5%", &r), 0);
	const char *bad[] = { "", "abc", "-5", "0", "50k%", "101%", "0%",
			      "5x", "1M%", " 5", "nan", "inf" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(pg_rate_parse(bad[i], &r), -1, "'%s'", bad[i]);
	cr_assert_eq(pg_si_parse("10G", &v), 0);
	cr_assert_eq(v, 10e9);
	cr_assert_eq(pg_si_parse("25e9", &v), 0);
	cr_assert_eq(pg_si_parse("10Gx", &v), -1);
}

Test(rate, line_rate)
{
	cr_assert_float_eq(pg_pct_to_pps(100, 10e9, 64), 14880952.38, 0.01);
	cr_assert_float_eq(pg_pct_to_pps(50, 10e9, 1518), 406371.91, 0.01);
}

Test(rate, pacer_average)
{
	const uint64_t hz = 2000000000;
	struct pg_pacer p;
	uint64_t now = 1000, sent = 0;

	pg_pacer_init(&p, 1e6, hz, now, 32);
	/* one second of calls every 7 us, each asking for a burst */
	while (now < 1000 + hz) {
		now += 14000;
		sent += pg_pacer_take(&p, now, 32);
	}
	/* exactly what the elapsed cycles earned, give or take one */
	cr_assert(llabs((long long)sent -
		        (long long)((now - 1000) / 2000)) <= 1,
		  "sent %llu", (unsigned long long)sent);
}

Test(rate, pacer_cap_and_refund)
{
	const uint64_t hz = 1000000000;
	struct pg_pacer p;
	unsigned n;

	pg_pacer_init(&p, 1e5, hz, 0, 32);
	cr_assert_eq(pg_pacer_take(&p, 0, 32), 0, "starts empty");
	cr_assert_eq(pg_pacer_take(&p, 10000, 32), 1, "1 frame per 10 us");
	/* a 1 s stall earns at most 10 ms worth (1000) */
	n = 0;
	for (int i = 0; i < 100; i++)
		n += pg_pacer_take(&p, 1000000000 + 10000, 32);
	cr_assert_eq(n, 1000);
	pg_pacer_refund(&p, 5);
	cr_assert_eq(pg_pacer_take(&p, 1000000000 + 10000, 32), 5);
	/* low rates: the cap is never below two bursts */
	pg_pacer_init(&p, 10, hz, 0, 32);
	cr_assert_eq(pg_pacer_take(&p, 100ull * hz, 100), 64);
}

/* ---- RFC 2544 search ---- */

struct fake_dut {
	double capacity;     /* pps forwarded without loss */
	double gen_max;      /* what an unlimited trial reaches */
	int calls;
	int fail_at;
};

static int
fake_trial(void *ctx, int index, double rate, struct pg_rfc_trial *t)
{
	struct fake_dut *d = ctx;
	double tx = rate > 0 ? rate : d->gen_max;

	cr_assert_eq(index, d->calls);
	if (d->calls++ == d->fail_at)
		return -1;
	t->tx_pps = tx;
	t->rx_pps = tx < d->capacity ? tx : d->capacity;
	t->loss_pct = 100.0 * (tx - t->rx_pps) / tx;
	return 0;
}

Test(rfc2544, unlimited_first_then_search)
{
	struct fake_dut d = { 3.3e6, 10e6, 0, -1 };
	struct pg_rfc_params p = { 0, 0, 1, 0, 40 };
	static struct pg_rfc_result r;

	cr_assert_eq(pg_rfc2544_search(&p, fake_trial, &d, &r), 0);
	cr_assert_eq(r.trials[0].rate_pps, 0, "first trial unlimited");
	cr_assert_not(r.trials[0].pass);
	cr_assert(r.throughput_pps <= 3.3e6 && r.throughput_pps >= 3.3e6 - 1e5,
		  "throughput %g", r.throughput_pps);
	cr_assert(r.best > 0 && r.trials[r.best].pass);
	cr_assert_leq(r.n_trials, 9, "log2(100) + 2 trials");
	for (int i = 0; i < r.n_trials; i++)
		cr_assert_eq(r.trials[i].pass,
			     r.trials[i].tx_pps <= 3.3e6);
}

Test(rfc2544, first_trial_passes)
{
	struct fake_dut d = { 20e6, 10e6, 0, -1 };
	struct pg_rfc_params p = { 0, 0, 1, 0, 40 };
	static struct pg_rfc_result r;

	pg_rfc2544_search(&p, fake_trial, &d, &r);
	cr_assert_eq(r.n_trials, 1);
	cr_assert_eq(r.best, 0);
	cr_assert_eq(r.throughput_pps, 10e6);
}

Test(rfc2544, loss_tolerance_and_line_rate)
{
	/* 5 % tolerance: rates up to capacity / 0.95 pass */
	struct fake_dut d = { 5e6, 0, 0, -1 };
	struct pg_rfc_params p = { 14880952, 14880952, 0.5, 5, 40 };
	static struct pg_rfc_result r;

	pg_rfc2544_search(&p, fake_trial, &d, &r);
	cr_assert_eq(r.trials[0].rate_pps, 14880952, "starts at the bound");
	cr_assert(r.throughput_pps <= 5e6 / 0.95 &&
		  r.throughput_pps >= 5e6 / 0.95 - 14880952 * 0.005,
		  "%g", r.throughput_pps);
}

Test(rfc2544, nothing_passes_and_abort)
{
	struct fake_dut d = { 0, 1e6, 0, -1 };
	struct pg_rfc_params p = { 0, 0, 10, 0, 40 };
	static struct pg_rfc_result r;

	pg_rfc2544_search(&p, fake_trial, &d, &r);
	cr_assert_eq(r.best, -1);
	cr_assert_eq(r.throughput_pps, 0);
	cr_assert_leq(r.n_trials, 6);

	struct fake_dut d2 = { 1e6, 2e6, 0, 2 };
	cr_assert_eq(pg_rfc2544_search(&p, fake_trial, &d2, &r), -1);
	cr_assert_eq(r.n_trials, 2, "results before the abort are kept");
}

/* ---- options ---- */

static int
parse(struct pg_opts *o, const char *line)
{
	static char buf[1024];
	static char *argv[64];
	char err[256];
	int argc = 0;

	snprintf(buf, sizeof(buf), "pktgen %s", line);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return pg_opts_parse(argc, argv, o, err, sizeof(err));
}

Test(opts, defaults)
{
	struct pg_opts o;

	cr_assert_eq(parse(&o, "--port net_ring0 --port net_ring1"), 0);
	cr_assert_eq(o.n_ports, 2);
	cr_assert(o.n_tx == 1 && o.tx[0] == 0);
	cr_assert(o.n_rx == 1 && o.rx[0] == 1);
	cr_assert_eq(o.size, 64);
	cr_assert_eq(o.flows, 1);
	cr_assert_eq(o.rate.kind, PG_RATE_UNLIMITED);
	cr_assert_eq(o.line_rate_bps, 10e9);
	cr_assert_eq(o.duration_s, 10);
	cr_assert_eq(o.warmup_s, 1);
	cr_assert_eq(o.drain_ms, 200);
	cr_assert_eq(o.resolution_pct, 1);
	cr_assert_eq(o.loss_tolerance_pct, 0);
	cr_assert_eq(o.vlan, -1);
	cr_assert_eq(o.eal_argc, 0);
	cr_assert_eq(pg_opts_stamp(&o), PG_STAMP_COMPACT);
}

Test(opts, everything)
{
	struct pg_opts o;

	cr_assert_eq(parse(&o, "--port a --port b --port c --tx 0,1 --rx 1-2 "
			   "--size imix --flows 1000 --src-macs 4 --dst-macs 8 "
			   "--learn --vlan 10 "
			   "--nvgre 0x1234,10.0.0.1,10.0.0.2,3 "
			   "--vsids 5 --outer-dst-mac 02:aa:00:00:00:01 "
			   "--rate 50% --line-rate 25G --duration 2.5 "
			   "--warmup 0 --drain-ms 50 --json x.json --progress "
			   "--rfc2544 --loss-tolerance 0.1 --trial 1 "
			   "--resolution 0.5 -- -l 3 --no-huge"), 0);
	cr_assert(o.n_tx == 2 && o.n_rx == 2 && o.rx[1] == 2);
	cr_assert(o.imix && o.flows == 1000 && o.src_macs == 4);
	cr_assert(o.learn && o.vlan == 10 && o.nvgre);
	cr_assert(o.vsid == 0x1234 && o.flowid == 3 && o.vsids == 5);
	cr_assert(o.pa_src == 0x0a000001 && o.pa_dst == 0x0a000002);
	cr_assert_eq(o.outer_dst_mac[1], 0xaa);
	cr_assert(o.rate.kind == PG_RATE_PCT && o.rate.value == 50);
	cr_assert_eq(o.line_rate_bps, 25e9);
	cr_assert(o.duration_s == 2.5 && o.warmup_s == 0 && o.drain_ms == 50);
	cr_assert(o.rfc2544 && o.trial_s == 1 && o.resolution_pct == 0.5);
	cr_assert_eq(o.progress, 1);
	cr_assert_eq(o.eal_argc, 3);
	cr_assert_str_eq(o.eal_argv[0], "-l");
	cr_assert_eq(pg_opts_stamp(&o), PG_STAMP_COMPACT,
		     "NVGRE: the 64-byte inner frame has no tag");
}

Test(opts, bad)
{
	struct pg_opts o;
	const char *bad[] = {
		"",                                   /* no port */
		"--port a",                           /* rx 1 does not exist */
		"--port a --port b --size 63",
		"--port a --port b --size 1519",
		"--port a --port b --size big",
		"--port a --port b --flows 0",
		"--port a --port b --vlan 4096",
		"--port a --port b --tx 2",
		"--port a --port b --rx 0,0",
		"--port a --port b --tx 1-0",
		"--port a --port b --rate fast",
		"--port a --port b --duration 0",
		"--port a --port b --warmup -1",
		"--port a --port b --nvgre 1,2",
		"--port a --port b --nvgre 16777216,1.1.1.1,2.2.2.2",
		"--port a --port b --nvgre 1,1.1.1.1,2.2.2.2,256",
		"--port a --port b --vsids 2",
		"--port a --port b --outer-dst-mac 1:2:3",
		"--port a --port b --bogus",
		"--port a --port b --json",
		"--port a --port b stray",
		"--port a --port b --loss-tolerance 101",
		"--port a --port b --resolution 0",
		"--port a --port b --learn-arp 10.0.0.1",
		"--port a --port b --learn-arp 10.0.0.1,10.0.0.300",
		"--port a --port b --learn-arp 10.0.0.1,10.0.0.2,0",
		"--port a --port b --learn-arp 10.0.0.1,10.0.0.2,65537",
		"--port a --port b --learn-arp 10.0.0.1,10.0.0.2,3,4",
		"--port a --port b --hold=1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(&o, bad[i]), -1, "'%s' accepted", bad[i]);
	cr_assert_eq(parse(&o, "--dump-pcap x.pcap"), 0,
		     "--dump-pcap needs no port");
}

Test(opts, lists)
{
	uint16_t l[PG_MAX_PORTS];

	cr_assert_eq(pg_list_parse("0,2-4,7", l, 8), 5);
	cr_assert(l[0] == 0 && l[1] == 2 && l[3] == 4 && l[4] == 7);
	cr_assert_eq(pg_list_parse("3", l, 4), 1);
	cr_assert_eq(pg_list_parse("4", l, 4), -1);
	cr_assert_eq(pg_list_parse("1,", l, 4), -1);
	cr_assert_eq(pg_list_parse("a", l, 4), -1);
	cr_assert_eq(pg_list_parse("", l, 4), -1);
}

Test(opts, targets_and_macs)
{
	struct pg_opts o;
	struct pg_frame_spec s;
	uint16_t t[PG_MAX_PORTS];

	cr_assert_eq(parse(&o, "--port a --port b --tx 0,1 --rx 0,1 "
			   "--src-macs 2 --dst-macs 3 --flows 7"), 0);
	cr_assert_eq(pg_targets(&o, 0, t), 1);
	cr_assert_eq(o.rx[t[0]], 1, "port 0 sends to port 1");
	cr_assert_eq(pg_targets(&o, 1, t), 1);
	cr_assert_eq(o.rx[t[0]], 0);
	pg_flow_spec(&o, 0, 1, 4, 64, &s);
	cr_assert_eq(memcmp(s.src, (uint8_t[]){ 2, 0, 0, 0, 0, 1 }, 6), 0,
		     "flow 4 -> source MAC 4 %% 2 = 0");
	cr_assert_eq(memcmp(s.dst, (uint8_t[]){ 2, 0, 0, 1, 0, 5 }, 6), 0,
		     "rx index 1: MACs 3..5, flow 4 -> 3 + 1");
	cr_assert_eq(s.src_ip, 0x0a000005);
	cr_assert_eq(s.dst_ip, 0x0a900005);
	cr_assert_eq(s.tx_port, 0);
	cr_assert_eq(s.stream, 1);
	pg_flow_spec(&o, 1, 0, 0, 64, &s);
	cr_assert_eq(memcmp(s.src, (uint8_t[]){ 2, 0, 0, 0, 0, 3 }, 6), 0,
		     "tx index 1 has its own source MACs");
	cr_assert_eq(parse(&o, "--port a --tx 0 --rx 0"), 0);
	cr_assert_eq(pg_targets(&o, 0, t), 1, "loopback");
}

Test(opts, learn_frames)
{
	struct pg_opts o;
	uint8_t b[128];
	int len;

	cr_assert_eq(parse(&o, "--port a --port b --dst-macs 3"), 0);
	cr_assert(!o.learn && !o.learn_arp && !o.hold);
	cr_assert_eq(pg_learn_count(&o), 3, "one broadcast per MAC");
	len = pg_learn_frame(&o, 0, 2, b, sizeof(b));
	cr_assert_eq(len, 60);
	cr_assert_eq(b[0], 0xff, "broadcast");
	cr_assert_eq(memcmp(b + 6, (uint8_t[]){ 2, 0, 0, 1, 0, 3 }, 6), 0,
		     "from destination MAC 2 of rx index 0");
	cr_assert_eq(pg_get16(b + 12), 0x0800);
	cr_assert_eq(pg_stamp_find(b, (size_t)len, false,
				   &(struct pg_stamp){ 0 }), PG_STAMP_NONE,
		     "learning frames carry no stamp");

	cr_assert_eq(parse(&o, "--port a --port b --dst-macs 3 --hold "
			   "--outer-src-mac 02:aa:00:00:00:fe "
			   "--learn-arp 192.168.60.2,192.168.60.1,4"), 0);
	cr_assert(o.learn && o.learn_arp && o.hold, "--learn-arp implies learn");
	cr_assert(o.arp_spa == 0xc0a83c02 && o.arp_tpa == 0xc0a83c01);
	cr_assert_eq(pg_learn_count(&o), 4, "one request per sender");
	len = pg_learn_frame(&o, 0, 3, b, sizeof(b));
	cr_assert_eq(len, 60);
	cr_assert_eq(pg_get16(b + 12), 0x0806);
	cr_assert_eq(memcmp(b + 6, (uint8_t[]){ 2, 0xaa, 0, 0, 1, 1 }, 6), 0,
		     "sender 3: --outer-src-mac + 3");
	cr_assert_eq(memcmp(b + 22, b + 6, 6), 0);
	cr_assert_eq(pg_get32(b + 28), 0xc0a83c05, "SPA + 3");
	cr_assert_eq(pg_get32(b + 38), 0xc0a83c01);

	cr_assert_eq(parse(&o, "--port a --port b --vlan 7 "
			   "--learn-arp 10.0.0.2,10.0.0.1"), 0);
	cr_assert_eq(pg_learn_count(&o), 1);
	cr_assert_eq(pg_learn_frame(&o, 0, 0, b, sizeof(b)), 64,
		     "tagged like the traffic");
	cr_assert_eq(pg_get16(b + 14), 7);
	cr_assert_eq(pg_learn_frame(&o, 0, 0, b, 40), -1);
}

Test(opts, devargs_rename)
{
	char out[256], name[64];

	cr_assert_eq(pg_devargs_rename("net_virtio_user0,path=/x.sock", "pg",
				       3, out, sizeof(out), name,
				       sizeof(name)), 0);
	cr_assert_str_eq(out, "net_virtio_user_pg3,path=/x.sock");
	cr_assert_str_eq(name, "net_virtio_user_pg3");
	pg_devargs_rename("net_ring", "im", 0, out, sizeof(out), name,
			  sizeof(name));
	cr_assert_str_eq(out, "net_ring_im0");
	pg_devargs_rename("eth_af_packet12,iface=v", "pg", 1, out,
			  sizeof(out), name, sizeof(name));
	cr_assert_str_eq(out, "eth_af_packet_pg1,iface=v");
	pg_devargs_rename("0000:01:00.0,x=1", "pg", 1, out, sizeof(out),
			  name, sizeof(name));
	cr_assert_str_eq(out, "0000:01:00.0,x=1");
	cr_assert_str_eq(name, "0000:01:00.0");
	cr_assert_eq(pg_devargs_rename("net_ring0,a=b", "pg", 1, out, 8, name,
				       sizeof(name)), -1);
}
