/* Unit tests for teaming/lacpdu.c: LACPDU and Marker PDU golden frames
 * written by hand from the 802.1AX-2008 layout (5.4.2.2, 5.5.3.2),
 * decoded and encoded both ways; every truncation and every bad TLV
 * field rejected with its reason; the state octet spelled out. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "teaming/lacpdu.h"

static const uint8_t src_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 };

/* Actor: priority 32768, system 02:00:00:00:00:01, key 17, port priority
 * 255, port 2, state activity|short-timeout|aggregation|sync|collecting|
 * distributing.  Partner: priority 0x1234, system 02:11:22:33:44:55,
 * key 0x0abc, port priority 128, port 0x0102, state activity|short-
 * timeout|aggregation|defaulted.  Collector max delay 5. */
static const uint8_t golden_lacpdu[LACPDU_FRAME_SIZE] = {
	/* Ethernet: Slow_Protocols_Multicast, source, 0x8809 */
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x02,
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02,
	0x88, 0x09,
	/* subtype LACP, version 1 */
	0x01, 0x01,
	/* Actor Information TLV, length 20 */
	0x01, 0x14,
	0x80, 0x00,                             /* system priority */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01,     /* system */
	0x00, 0x11,                             /* key */
	0x00, 0xff,                             /* port priority */
	0x00, 0x02,                             /* port */
	0x3f,                                   /* state */
	0x00, 0x00, 0x00,                       /* reserved */
	/* Partner Information TLV, length 20 */
	0x02, 0x14,
	0x12, 0x34,
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
	0x0a, 0xbc,
	0x00, 0x80,
	0x01, 0x02,
	0x47,
	0x00, 0x00, 0x00,
	/* Collector Information TLV, length 16: max delay, 12 reserved */
	0x03, 0x10,
	0x00, 0x05,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* Terminator */
	0x00, 0x00,
	/* 50 reserved octets */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0,
};

/* Marker Information: requester port 0x0007, system 02:aa:bb:cc:dd:ee,
 * transaction 0xdeadbeef. */
static const uint8_t golden_marker[MARKER_FRAME_SIZE] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x02,
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02,
	0x88, 0x09,
	/* subtype Marker, version 1 */
	0x02, 0x01,
	/* Marker Information TLV, length 16 */
	0x01, 0x10,
	0x00, 0x07,                             /* requester port */
	0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,     /* requester system */
	0xde, 0xad, 0xbe, 0xef,                 /* transaction id */
	0x00, 0x00,                             /* pad */
	/* Terminator */
	0x00, 0x00,
	/* 90 reserved octets */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Offsets in the frame of fields the tests corrupt. */
enum {
	OFS_TYPE = 12, OFS_SUBTYPE = 14, OFS_VERSION = 15,
	OFS_ACTOR = 16, OFS_PARTNER = 36, OFS_COLLECTOR = 56,
	OFS_TERMINATOR = 72, OFS_RESERVED = 74,
	OFS_MARKER_TLV = 16, OFS_MARKER_TERMINATOR = 32,
};

static struct lacpdu
golden_fields(void)
{
	struct lacpdu p;

	memset(&p, 0, sizeof(p));
	p.actor = (struct lacp_info){
		.sys_prio = 32768, .sys = { 2, 0, 0, 0, 0, 1 }, .key = 17,
		.port_prio = 255, .port = 2, .state = 0x3f,
	};
	p.partner = (struct lacp_info){
		.sys_prio = 0x1234, .sys = { 2, 0x11, 0x22, 0x33, 0x44, 0x55 },
		.key = 0x0abc, .port_prio = 128, .port = 0x0102,
		.state = 0x47,
	};
	p.collector_max_delay = 5;
	return p;
}

static void
expect_info_eq(const struct lacp_info *a, const struct lacp_info *b,
	       const char *what)
{
	cr_expect_eq(a->sys_prio, b->sys_prio, "%s system priority", what);
	cr_expect_arr_eq(a->sys, b->sys, 6, "%s system", what);
	cr_expect_eq(a->key, b->key, "%s key", what);
	cr_expect_eq(a->port_prio, b->port_prio, "%s port priority", what);
	cr_expect_eq(a->port, b->port, "%s port", what);
	cr_expect_eq(a->state, b->state, "%s state", what);
}

/* A copy of 'len' bytes of 'frame' ending exactly at an inaccessible
 * page, so that any read past 'len' faults. */
struct guarded {
	uint8_t *map;
	size_t pg;
	uint8_t *data;
};

static struct guarded
guard(const uint8_t *frame, size_t len)
{
	struct guarded g;

	g.pg = (size_t)sysconf(_SC_PAGESIZE);
	g.map = mmap(NULL, 2 * g.pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(g.map != MAP_FAILED);
	cr_assert(mprotect(g.map + g.pg, g.pg, PROT_NONE) == 0);
	g.data = g.map + g.pg - len;
	memcpy(g.data, frame, len);
	return g;
}

static void
unguard(struct guarded *g)
{
	munmap(g->map, 2 * g->pg);
}

static enum slowp_error
decode_bytes(const uint8_t *frame, size_t len)
{
	struct lacpdu p;

	return lacpdu_decode(frame, len, &p);
}

/* Decodes the golden LACPDU with byte 'ofs' set to 'v'. */
static enum slowp_error
decode_patched(size_t ofs, uint8_t v)
{
	uint8_t f[LACPDU_FRAME_SIZE];

	memcpy(f, golden_lacpdu, sizeof(f));
	f[ofs] = v;
	return decode_bytes(f, sizeof(f));
}

static enum slowp_error
marker_patched(size_t ofs, uint8_t v)
{
	uint8_t f[MARKER_FRAME_SIZE];
	struct marker_pdu m;

	memcpy(f, golden_marker, sizeof(f));
	f[ofs] = v;
	return marker_decode(f, sizeof(f), &m);
}

/* ---- LACPDU ----------------------------------------------------------- */

Test(lacpdu, sizes_match_the_standard)
{
	cr_expect_eq(LACPDU_SIZE, 110);
	cr_expect_eq(LACPDU_FRAME_SIZE, 124);
	cr_expect_eq(MARKER_FRAME_SIZE, 124);
	cr_expect_eq(sizeof(golden_lacpdu), 124);
	cr_expect_eq(sizeof(golden_marker), 124);
}

Test(lacpdu, encode_golden)
{
	struct lacpdu p = golden_fields();
	uint8_t buf[200];

	memset(buf, 0xa5, sizeof(buf));
	cr_assert_eq(lacpdu_encode(&p, src_mac, buf, sizeof(buf)),
		     LACPDU_FRAME_SIZE);
	for (size_t i = 0; i < LACPDU_FRAME_SIZE; i++)
		cr_expect_eq(buf[i], golden_lacpdu[i],
			     "byte %zu: got %#04x, want %#04x", i, buf[i],
			     golden_lacpdu[i]);
	cr_expect_eq(buf[LACPDU_FRAME_SIZE], 0xa5, "wrote past the frame");
}

Test(lacpdu, encode_ignores_decode_only_fields)
{
	struct lacpdu p = golden_fields();
	uint8_t buf[LACPDU_FRAME_SIZE];

	p.version = 9;
	memset(p.src, 0xff, 6);
	cr_assert_eq(lacpdu_encode(&p, src_mac, buf, sizeof(buf)),
		     LACPDU_FRAME_SIZE);
	cr_expect_arr_eq(buf, golden_lacpdu, sizeof(buf));
}

Test(lacpdu, encode_needs_room)
{
	struct lacpdu p = golden_fields();
	uint8_t buf[LACPDU_FRAME_SIZE];

	cr_expect_eq(lacpdu_encode(&p, src_mac, buf, sizeof(buf) - 1), 0);
	cr_expect_eq(lacpdu_encode(&p, src_mac, buf, 0), 0);
}

Test(lacpdu, decode_golden)
{
	struct lacpdu want = golden_fields(), got;
	struct guarded g = guard(golden_lacpdu, sizeof(golden_lacpdu));

	cr_assert_eq(lacpdu_decode(g.data, LACPDU_FRAME_SIZE, &got),
		     SLOWP_E_OK);
	cr_expect_arr_eq(got.src, src_mac, 6);
	cr_expect_eq(got.version, 1);
	expect_info_eq(&got.actor, &want.actor, "actor");
	expect_info_eq(&got.partner, &want.partner, "partner");
	cr_expect_eq(got.collector_max_delay, 5);
	unguard(&g);
}

Test(lacpdu, round_trip_varied_fields)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 1000; i++) {
		struct lacpdu p, q;
		uint8_t buf[LACPDU_FRAME_SIZE], raw[32];

		for (size_t j = 0; j < sizeof(raw); j++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			raw[j] = (uint8_t)s;
		}
		memset(&p, 0, sizeof(p));
		p.actor.sys_prio = (uint16_t)(raw[0] << 8 | raw[1]);
		memcpy(p.actor.sys, raw + 2, 6);
		p.actor.key = (uint16_t)(raw[8] << 8 | raw[9]);
		p.actor.port_prio = (uint16_t)(raw[10] << 8 | raw[11]);
		p.actor.port = (uint16_t)(raw[12] << 8 | raw[13]);
		p.actor.state = raw[14];
		p.partner.sys_prio = (uint16_t)(raw[15] << 8 | raw[16]);
		memcpy(p.partner.sys, raw + 17, 6);
		p.partner.key = (uint16_t)(raw[23] << 8 | raw[24]);
		p.partner.port_prio = (uint16_t)(raw[25] << 8 | raw[26]);
		p.partner.port = (uint16_t)(raw[27] << 8 | raw[28]);
		p.partner.state = raw[29];
		p.collector_max_delay = (uint16_t)(raw[30] << 8 | raw[31]);
		cr_assert_eq(lacpdu_encode(&p, src_mac, buf, sizeof(buf)),
			     sizeof(buf));
		cr_assert_eq(lacpdu_decode(buf, sizeof(buf), &q), SLOWP_E_OK);
		expect_info_eq(&q.actor, &p.actor, "actor");
		expect_info_eq(&q.partner, &p.partner, "partner");
		cr_expect_eq(q.collector_max_delay, p.collector_max_delay);
	}
}

Test(lacpdu, every_truncation_is_short)
{
	for (size_t len = 0; len < LACPDU_FRAME_SIZE; len++) {
		struct guarded g = guard(golden_lacpdu, len);

		cr_expect_eq(decode_bytes(g.data, len), SLOWP_E_SHORT,
			     "length %zu", len);
		unguard(&g);
	}
}

Test(lacpdu, padding_after_the_pdu_is_accepted)
{
	uint8_t f[LACPDU_FRAME_SIZE + 4];

	memcpy(f, golden_lacpdu, LACPDU_FRAME_SIZE);
	memset(f + LACPDU_FRAME_SIZE, 0x77, 4);      /* e.g. a kept FCS */
	cr_expect_eq(decode_bytes(f, sizeof(f)), SLOWP_E_OK);
}

Test(lacpdu, ethernet_checks)
{
	cr_expect_eq(decode_patched(OFS_TYPE, 0x81), SLOWP_E_NOT_SLOW,
		     "a tagged frame is not a Slow Protocols frame");
	cr_expect_eq(decode_patched(OFS_TYPE + 1, 0x08), SLOWP_E_NOT_SLOW);
	cr_expect_eq(decode_patched(5, 0x03), SLOWP_E_DST);
	cr_expect_eq(decode_patched(0, 0xff), SLOWP_E_DST);
	cr_expect_eq(decode_patched(6, 0x03), SLOWP_E_SRC);
}

Test(lacpdu, subtype_and_version)
{
	cr_expect_eq(decode_patched(OFS_SUBTYPE, 0), SLOWP_E_SUBTYPE);
	cr_expect_eq(decode_patched(OFS_SUBTYPE, 2), SLOWP_E_SUBTYPE,
		     "a Marker PDU is not an LACPDU");
	cr_expect_eq(decode_patched(OFS_SUBTYPE, 3), SLOWP_E_SUBTYPE);
	cr_expect_eq(decode_patched(OFS_VERSION, 0), SLOWP_E_VERSION);
}

Test(lacpdu, tlv_types_and_lengths)
{
	static const struct {
		size_t ofs;
		uint8_t v;
		enum slowp_error want;
	} cases[] = {
		{ OFS_ACTOR, 0, SLOWP_E_ACTOR_TLV },
		{ OFS_ACTOR, 2, SLOWP_E_ACTOR_TLV },
		{ OFS_ACTOR + 1, 0, SLOWP_E_ACTOR_LEN },
		{ OFS_ACTOR + 1, 19, SLOWP_E_ACTOR_LEN },
		{ OFS_ACTOR + 1, 21, SLOWP_E_ACTOR_LEN },
		{ OFS_ACTOR + 1, 0xff, SLOWP_E_ACTOR_LEN },
		{ OFS_PARTNER, 1, SLOWP_E_PARTNER_TLV },
		{ OFS_PARTNER, 3, SLOWP_E_PARTNER_TLV },
		{ OFS_PARTNER + 1, 16, SLOWP_E_PARTNER_LEN },
		{ OFS_PARTNER + 1, 22, SLOWP_E_PARTNER_LEN },
		{ OFS_COLLECTOR, 0, SLOWP_E_COLLECTOR_TLV },
		{ OFS_COLLECTOR, 4, SLOWP_E_COLLECTOR_TLV },
		{ OFS_COLLECTOR + 1, 20, SLOWP_E_COLLECTOR_LEN },
		{ OFS_COLLECTOR + 1, 15, SLOWP_E_COLLECTOR_LEN },
		{ OFS_TERMINATOR, 1, SLOWP_E_TERMINATOR },
		{ OFS_TERMINATOR + 1, 2, SLOWP_E_TERMINATOR },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum slowp_error got = decode_patched(cases[i].ofs,
						      cases[i].v);

		cr_expect_eq(got, cases[i].want,
			     "byte %zu = %u: got '%s', want '%s'",
			     cases[i].ofs, cases[i].v, slowp_error_str(got),
			     slowp_error_str(cases[i].want));
	}
}

Test(lacpdu, reserved_octets_are_ignored)
{
	uint8_t f[LACPDU_FRAME_SIZE];
	struct lacpdu p;

	memcpy(f, golden_lacpdu, sizeof(f));
	f[OFS_ACTOR + 17] = 0xff;
	f[OFS_PARTNER + 19] = 0xff;
	f[OFS_COLLECTOR + 4] = 0xff;
	memset(f + OFS_RESERVED, 0xee, 50);
	cr_expect_eq(lacpdu_decode(f, sizeof(f), &p), SLOWP_E_OK);
	cr_expect_eq(p.actor.state, 0x3f);
}

/* A version 2 PDU may carry further TLVs before its Terminator. */
static size_t
v2_frame(uint8_t *f, const uint8_t *tlvs, size_t n, size_t size)
{
	memset(f, 0, size);
	memcpy(f, golden_lacpdu, OFS_TERMINATOR);
	f[OFS_VERSION] = 2;
	memcpy(f + OFS_TERMINATOR, tlvs, n);
	return size;
}

Test(lacpdu, later_versions_skip_unknown_tlvs)
{
	static const uint8_t algo_then_end[] = {
		0x04, 0x06, 0x00, 0x80, 0xc2, 0x01,   /* a 6-octet TLV */
		0x00, 0x00,
	};
	static const uint8_t zero_len[] = { 0x04, 0x00, 0x00, 0x00 };
	static const uint8_t one_len[] = { 0x04, 0x01, 0x00, 0x00 };
	static const uint8_t bad_end[] = { 0x00, 0x03 };
	uint8_t f[200];
	struct lacpdu p;

	cr_expect_eq(lacpdu_decode(f, v2_frame(f, algo_then_end,
					       sizeof(algo_then_end), 124),
				   &p), SLOWP_E_OK);
	cr_expect_eq(p.version, 2);
	cr_expect_eq(p.actor.key, 17);
	cr_expect_eq(decode_bytes(f, v2_frame(f, zero_len, sizeof(zero_len),
					      124)), SLOWP_E_TLV_LEN);
	cr_expect_eq(decode_bytes(f, v2_frame(f, one_len, sizeof(one_len),
					      124)), SLOWP_E_TLV_LEN);
	cr_expect_eq(decode_bytes(f, v2_frame(f, bad_end, sizeof(bad_end),
					      124)), SLOWP_E_TERMINATOR);

	/* A TLV running past the end of the frame, and a frame that ends
	 * right after a TLV without a Terminator. */
	v2_frame(f, algo_then_end, sizeof(algo_then_end), sizeof(f));
	f[OFS_TERMINATOR + 1] = 0x40;
	cr_expect_eq(decode_bytes(f, 124), SLOWP_E_TLV_LEN);
	v2_frame(f, algo_then_end, sizeof(algo_then_end), sizeof(f));
	memset(f + OFS_TERMINATOR, 0x05, sizeof(f) - OFS_TERMINATOR);
	{
		/* type 5, length 5, repeated: the last one ends at 127. */
		struct guarded g = guard(f, 124 + 3);

		cr_expect_eq(decode_bytes(g.data, 124 + 3),
			     SLOWP_E_TERMINATOR);
		unguard(&g);
	}
}

Test(lacpdu, error_strings)
{
	for (int e = 0; e < SLOWP_E_COUNT; e++)
		cr_expect(slowp_error_str(e) != NULL &&
			  strlen(slowp_error_str(e)) > 0, "error %d", e);
	cr_expect_str_eq(slowp_error_str(SLOWP_E_OK), "ok");
	cr_expect_str_eq(slowp_error_str(SLOWP_E_COUNT), "unknown");
}

Test(lacpdu, slowp_subtype)
{
	uint8_t f[LACPDU_FRAME_SIZE];

	cr_expect_eq(slowp_subtype(golden_lacpdu, LACPDU_FRAME_SIZE), 1);
	cr_expect_eq(slowp_subtype(golden_marker, MARKER_FRAME_SIZE), 2);
	cr_expect_eq(slowp_subtype(golden_lacpdu, 15), 1);
	cr_expect_eq(slowp_subtype(golden_lacpdu, 14), -1);
	memcpy(f, golden_lacpdu, sizeof(f));
	f[OFS_TYPE] = 0x08;
	f[OFS_TYPE + 1] = 0x00;
	cr_expect_eq(slowp_subtype(f, sizeof(f)), -1);
}

/* ---- Marker ----------------------------------------------------------- */

Test(marker, encode_golden)
{
	struct marker_pdu m = {
		.requester_port = 7,
		.requester_sys = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
		.transaction_id = 0xdeadbeef,
	};
	uint8_t buf[MARKER_FRAME_SIZE];

	cr_assert_eq(marker_encode(&m, src_mac, buf, sizeof(buf)),
		     MARKER_FRAME_SIZE);
	cr_expect_arr_eq(buf, golden_marker, sizeof(buf));
	cr_expect_eq(marker_encode(&m, src_mac, buf, sizeof(buf) - 1), 0);
}

Test(marker, response_differs_only_in_tlv_type)
{
	struct marker_pdu m = {
		.response = true,
		.requester_port = 7,
		.requester_sys = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
		.transaction_id = 0xdeadbeef,
	};
	uint8_t want[MARKER_FRAME_SIZE], buf[MARKER_FRAME_SIZE];

	memcpy(want, golden_marker, sizeof(want));
	want[OFS_MARKER_TLV] = 0x02;
	cr_assert_eq(marker_encode(&m, src_mac, buf, sizeof(buf)),
		     MARKER_FRAME_SIZE);
	cr_expect_arr_eq(buf, want, sizeof(buf));
}

Test(marker, decode_golden_and_response)
{
	struct marker_pdu m;
	struct guarded g = guard(golden_marker, sizeof(golden_marker));

	cr_assert_eq(marker_decode(g.data, MARKER_FRAME_SIZE, &m),
		     SLOWP_E_OK);
	cr_expect_not(m.response);
	cr_expect_eq(m.requester_port, 7);
	cr_expect_arr_eq(m.requester_sys,
			 ((uint8_t[]){ 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee }),
			 6);
	cr_expect_eq(m.transaction_id, 0xdeadbeef);
	cr_expect_arr_eq(m.src, src_mac, 6);
	unguard(&g);
	cr_expect_eq(marker_patched(OFS_MARKER_TLV, 2), SLOWP_E_OK);
}

Test(marker, rejects)
{
	for (size_t len = 0; len < MARKER_FRAME_SIZE; len++) {
		struct guarded g = guard(golden_marker, len);
		struct marker_pdu m;

		cr_expect_eq(marker_decode(g.data, len, &m), SLOWP_E_SHORT,
			     "length %zu", len);
		unguard(&g);
	}
	cr_expect_eq(marker_patched(OFS_SUBTYPE, 1), SLOWP_E_SUBTYPE);
	cr_expect_eq(marker_patched(OFS_VERSION, 0), SLOWP_E_VERSION);
	cr_expect_eq(marker_patched(OFS_MARKER_TLV, 0), SLOWP_E_MARKER_TLV);
	cr_expect_eq(marker_patched(OFS_MARKER_TLV, 3), SLOWP_E_MARKER_TLV);
	cr_expect_eq(marker_patched(OFS_MARKER_TLV + 1, 14),
		     SLOWP_E_MARKER_LEN);
	cr_expect_eq(marker_patched(OFS_MARKER_TERMINATOR, 1),
		     SLOWP_E_TERMINATOR);
	cr_expect_eq(marker_patched(OFS_MARKER_TERMINATOR + 1, 1),
		     SLOWP_E_TERMINATOR);
	cr_expect_eq(marker_patched(0, 0x00), SLOWP_E_DST);
	cr_expect_eq(marker_patched(OFS_TYPE, 0x08), SLOWP_E_NOT_SLOW);
}

/* ---- state octet ------------------------------------------------------ */

Test(lacp_state, spelled_out)
{
	char buf[LACP_STATE_STR_MAX];

	lacp_state_format(0x3f, buf, sizeof(buf));
	cr_expect_str_eq(buf, "activity,short-timeout,aggregation,sync,"
			      "collecting,distributing");
	lacp_state_format(0, buf, sizeof(buf));
	cr_expect_str_eq(buf, "none");
	lacp_state_format(LACP_STATE_DEFAULTED | LACP_STATE_AGGREGATION, buf,
			  sizeof(buf));
	cr_expect_str_eq(buf, "aggregation,defaulted");
	lacp_state_format(LACP_STATE_EXPIRED, buf, sizeof(buf));
	cr_expect_str_eq(buf, "expired");
}

Test(lacp_state, longest_fits_and_truncation_is_safe)
{
	char buf[LACP_STATE_STR_MAX], small[10];
	int n = lacp_state_format(0xff, buf, sizeof(buf));

	cr_expect_str_eq(buf, "activity,short-timeout,aggregation,sync,"
			      "collecting,distributing,defaulted,expired");
	cr_expect_eq(n, (int)strlen(buf));
	cr_expect_lt(n, LACP_STATE_STR_MAX);
	cr_expect_eq(lacp_state_format(0xff, small, sizeof(small)), n);
	cr_expect_str_eq(small, "activity,");
	cr_expect_eq(lacp_state_format(0xff, NULL, 0), n);
}
