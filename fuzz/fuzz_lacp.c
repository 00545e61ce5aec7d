/* Fuzz target: Slow Protocols frames received on the members of an LACP
 * team -- slowp_subtype(), lacpdu_decode(), marker_decode() and, through
 * team_rx(), the 802.1AX receive machine and everything it drives
 * (selection, mux, churn, transmit, the marker responder), with timers
 * running between frames.
 *
 * Input: a sequence of received frames, each as
 *   1 byte   bit 0: the member (0 or 1); bits 1-7: time to wait before
 *            the frame, in units of 100 ms (team_tick() runs then)
 *   2 bytes  frame length, big-endian (what is left if shorter)
 *   N bytes  the frame (Ethernet header, no FCS)
 * so a corpus file replays an exchange with a partner.  Beyond the
 * sanitizers, it checks that a decoded PDU encodes back to the same
 * fields and that every frame the team sends decodes. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "teaming/lacpdu.h"
#include "teaming/team.h"

#define N_MEMBERS 2
#define STEP_NS 100000000ull    /* 100 ms */

static const uint8_t our_sys[6] = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01 };

static void check_lacpdu(const uint8_t *frame, size_t size);
static void check_marker(const uint8_t *frame, size_t size);
static void sent(void *aux, unsigned int member, const uint8_t *frame,
		 size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct team_config cfg;
	uint64_t now = LACP_NS_PER_S;
	struct team *t;

	team_config_init(&cfg);
	cfg.lacp_fast = true;
	memcpy(cfg.sys_mac, our_sys, 6);
	cfg.send = sent;
	t = team_create(&cfg);
	FUZZ_CHECK(t != NULL);
	for (unsigned int i = 0; i < N_MEMBERS; i++) {
		struct team_member_config mc = {
			.mac = { 0x02, 0x00, 0x00, 0x00, 0xaa, (uint8_t) (2 + i) },
		};

		FUZZ_CHECK(team_add_member(t, i, &mc, now) == 0);
		FUZZ_CHECK(team_set_link(t, i, true, now) == 0);
	}
	team_tick(t, now);

	while (size >= 3) {
		unsigned int member = data[0] & 1;
		size_t len = (size_t) data[1] << 8 | data[2];

		now += (uint64_t) (data[0] >> 1) * STEP_NS;
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		check_lacpdu(data, len);
		check_marker(data, len);
		team_tick(t, now);
		team_rx(t, member, data, len, now);
		data += len;
		size -= len;
	}
	team_tick(t, now + 10 * LACP_NS_PER_S);
	FUZZ_CHECK((team_distributing_mask(t) & ~((1u << N_MEMBERS) - 1)) == 0);
	team_destroy(t);
	return 0;
}

static void
check_lacpdu(const uint8_t *frame, size_t size)
{
	uint8_t buf[LACPDU_FRAME_SIZE];
	struct lacpdu pdu, again;

	if (lacpdu_decode(frame, size, &pdu) != SLOWP_E_OK)
		return;
	FUZZ_CHECK(slowp_subtype(frame, size) == SLOWP_SUBTYPE_LACP);
	FUZZ_CHECK(lacpdu_encode(&pdu, pdu.src, buf, sizeof buf)
		   == LACPDU_FRAME_SIZE);
	FUZZ_CHECK(lacpdu_decode(buf, sizeof buf, &again) == SLOWP_E_OK);
	FUZZ_CHECK(!memcmp(&again.actor, &pdu.actor, sizeof pdu.actor));
	FUZZ_CHECK(!memcmp(&again.partner, &pdu.partner, sizeof pdu.partner));
	FUZZ_CHECK(again.collector_max_delay == pdu.collector_max_delay);
	FUZZ_CHECK(!memcmp(again.src, pdu.src, 6));
}

static void
check_marker(const uint8_t *frame, size_t size)
{
	uint8_t buf[MARKER_FRAME_SIZE];
	struct marker_pdu m, again;

	if (marker_decode(frame, size, &m) != SLOWP_E_OK)
		return;
	FUZZ_CHECK(slowp_subtype(frame, size) == SLOWP_SUBTYPE_MARKER);
	FUZZ_CHECK(marker_encode(&m, m.src, buf, sizeof buf)
		   == MARKER_FRAME_SIZE);
	FUZZ_CHECK(marker_decode(buf, sizeof buf, &again) == SLOWP_E_OK);
	FUZZ_CHECK(again.response == m.response);
	FUZZ_CHECK(again.requester_port == m.requester_port);
	FUZZ_CHECK(!memcmp(again.requester_sys, m.requester_sys, 6));
	FUZZ_CHECK(again.transaction_id == m.transaction_id);
}

/* What the team sends must be a valid PDU of its own. */
static void
sent(void *aux, unsigned int member, const uint8_t *frame, size_t size)
{
	struct marker_pdu m;
	struct lacpdu pdu;

	(void) aux;
	FUZZ_CHECK(member < N_MEMBERS);
	switch (slowp_subtype(frame, size)) {
	case SLOWP_SUBTYPE_LACP:
		FUZZ_CHECK(lacpdu_decode(frame, size, &pdu) == SLOWP_E_OK);
		FUZZ_CHECK(!memcmp(pdu.actor.sys, our_sys, 6));
		break;
	case SLOWP_SUBTYPE_MARKER:
		FUZZ_CHECK(marker_decode(frame, size, &m) == SLOWP_E_OK);
		FUZZ_CHECK(m.response);
		break;
	default:
		FUZZ_CHECK(!"a frame that is no Slow Protocols PDU");
	}
}
