/* Fuzz target: address resolution on both sides of the switch --
 * nvgre_neigh_parse() on any frame, and for a request it accepts,
 * nvgre_neigh_reply() as the switch answers for a CA, a virtual gateway
 * or its own PA.
 *
 * Input: one Ethernet frame without FCS (at most one 802.1Q tag).  Beyond
 * the sanitizers, it checks that every reply the switch writes parses as
 * the matching answer (ARP reply, or NA) for the target asked about, on
 * the request's VLAN. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "nvgre/neigh.h"

#define MAX_FRAME 9216

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0xbb, 0x01 };

static void check_reply(const struct nvgre_neigh_msg *req, uint8_t na_flags);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvgre_neigh_msg msg;
	enum nvgre_neigh_result r;

	if (size > MAX_FRAME)
		return -1;
	r = nvgre_neigh_parse(data, (uint32_t) size, &msg);
	FUZZ_CHECK(r == NVGRE_NEIGH_NOT || r == NVGRE_NEIGH_OK
		   || r == NVGRE_NEIGH_BAD);
	if (r != NVGRE_NEIGH_OK)
		return 0;
	FUZZ_CHECK(msg.kind >= NVGRE_NEIGH_ARP_REQUEST
		   && msg.kind <= NVGRE_NEIGH_NA);
	FUZZ_CHECK(msg.tagged || msg.vlan == 0);
	check_reply(&msg, 0);
	check_reply(&msg, NVGRE_NA_ROUTER);
	return 0;
}

static void
check_reply(const struct nvgre_neigh_msg *req, uint8_t na_flags)
{
	uint8_t buf[NVGRE_NEIGH_FRAME_MAX];
	struct nvgre_neigh_msg ans;
	int n;

	n = nvgre_neigh_reply(buf, sizeof buf, req, our_mac, na_flags);
	if (req->kind != NVGRE_NEIGH_ARP_REQUEST
	    && req->kind != NVGRE_NEIGH_NS) {
		FUZZ_CHECK(n < 0);
		return;
	}
	FUZZ_CHECK(n > 0 && n <= (int) sizeof buf);
	/* Too small a buffer is refused, never overrun. */
	FUZZ_CHECK(nvgre_neigh_reply(buf, (uint32_t) n - 1, req, our_mac,
				     na_flags) < 0);
	n = nvgre_neigh_reply(buf, sizeof buf, req, our_mac, na_flags);
	FUZZ_CHECK(nvgre_neigh_parse(buf, (uint32_t) n, &ans)
		   == NVGRE_NEIGH_OK);
	FUZZ_CHECK(ans.kind == (req->kind == NVGRE_NEIGH_ARP_REQUEST
				? NVGRE_NEIGH_ARP_REPLY : NVGRE_NEIGH_NA));
	FUZZ_CHECK(ans.vlan == req->vlan);
	FUZZ_CHECK(!memcmp(ans.eth_src, our_mac, 6));
	FUZZ_CHECK(ans.has_sender_mac && !memcmp(ans.sender_mac, our_mac, 6));
	if (ans.kind == NVGRE_NEIGH_ARP_REPLY) {
		/* The answer comes from the address asked about. */
		FUZZ_CHECK(nvgre_addr_eq(&ans.sender, &req->target));
		FUZZ_CHECK(nvgre_addr_eq(&ans.target, &req->sender));
		FUZZ_CHECK(!memcmp(ans.eth_dst, req->eth_src, 6));
	} else {
		FUZZ_CHECK(nvgre_addr_eq(&ans.target, &req->target));
		FUZZ_CHECK(nvgre_addr_eq(&ans.sender, &req->target));
	}
}
