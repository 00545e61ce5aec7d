/* Fuzz target: a frame from the underlay through NVGRE decapsulation --
 * nvgre_decap_parse(), then nvgre_decap_check() against a small database
 * (two PAs of ours, three remote ones, records in two VSIDs) -- and the
 * inner-frame helpers the encapsulation side runs on what VMs send,
 * nvgre_inner_untag() and nvgre_flowid().
 *
 * Input: one Ethernet frame without FCS.  Beyond the sanitizers, it checks
 * that an accepted frame's inner frame lies inside it and carries no tag,
 * that the table check only accepts a sender of the VSID, and that the
 * FlowID of a tagged frame is that of the frame untagged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "nvgre/tables.h"
#include "nvgre/wire.h"

#define MAX_FRAME 9216          /* a jumbo frame of the underlay */

static struct nvgre_db *db;

static void db_build(void);
static void check_decap(const uint8_t *frame, uint32_t size,
			const struct nvgre_decap *d);
static void check_untag(const uint8_t *frame, uint32_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	db_build();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvgre_decap d;

	if (size > MAX_FRAME)
		return -1;
	if (nvgre_decap_parse(data, (uint32_t) size, &d) == NVGRE_DROP_NONE)
		check_decap(data, (uint32_t) size, &d);
	check_untag(data, (uint32_t) size);
	return 0;
}

static void
check_decap(const uint8_t *frame, uint32_t size, const struct nvgre_decap *d)
{
	const struct nvgre_view *v = nvgre_db_view(db);
	struct nvgre_vsid_info info;
	uint8_t inner[MAX_FRAME];
	int peer;

	FUZZ_CHECK(nvgre_vsid_valid(d->vsid));
	FUZZ_CHECK(d->inner_size >= NVGRE_ETH_HLEN);
	FUZZ_CHECK(d->inner_ofs + d->inner_size <= size);
	FUZZ_CHECK(d->tagged || d->vlan == 0);
	memcpy(inner, frame + d->inner_ofs, d->inner_size);
	FUZZ_CHECK(nvgre_inner_untag(inner, d->inner_size) == 0);
	FUZZ_CHECK(nvgre_flowid(inner, d->inner_size)
		   == nvgre_flowid(frame + d->inner_ofs, d->inner_size));

	if (nvgre_decap_check(v, d) != NVGRE_DROP_NONE)
		return;
	/* Accepted: to one of our PAs on its VLAN, from a remote PA that
	 * hosts the VSID. */
	FUZZ_CHECK(nvgre_local_pa_find(v, &d->dst) >= 0);
	FUZZ_CHECK(nvgre_local_pa_find(v, &d->src) < 0);
	FUZZ_CHECK(nvgre_lookup_vsid(v, d->vsid, &info));
	peer = nvgre_peer_find(v, &d->src);
	FUZZ_CHECK(peer >= 0 && nvgre_vsid_has_peer(&info, (uint32_t) peer));
}

/* What encapsulation does to a VM's frame: remove one tag, hash it. */
static void
check_untag(const uint8_t *frame, uint32_t size)
{
	static uint8_t copy[MAX_FRAME];
	uint8_t before;
	int moved;

	memcpy(copy, frame, size);
	before = nvgre_flowid(copy, size);
	moved = nvgre_inner_untag(copy, size);
	FUZZ_CHECK(moved == 0 || moved == NVGRE_VLAN_HLEN || moved == -EINVAL);
	if (moved < 0) {
		FUZZ_CHECK(!memcmp(copy, frame, size));
		return;
	}
	if (moved == 0) {
		FUZZ_CHECK(!memcmp(copy, frame, size));
		return;
	}
	FUZZ_CHECK(size >= NVGRE_ETH_HLEN + NVGRE_VLAN_HLEN);
	FUZZ_CHECK(!memcmp(copy + moved, frame, 12));
	FUZZ_CHECK(!memcmp(copy + moved + 12, frame + 16, size - 16));
	/* nvgre_flowid() skips an 802.1Q tag: the same flow either way. */
	if (frame[12] == 0x81 && frame[13] == 0x00)
		FUZZ_CHECK(nvgre_flowid(copy + moved, size - (uint32_t) moved)
			   == before);
}

/* ---- the database ---------------------------------------------------- */

static void
must(int rc, const struct nvgre_err *err)
{
	if (rc) {
		fprintf(stderr, "fuzz_nvgre: database: %s\n", err->msg);
		abort();
	}
}

static struct nvgre_addr
addr(const char *s)
{
	struct nvgre_addr a;

	if (nvgre_addr_parse(s, &a)) {
		fprintf(stderr, "fuzz_nvgre: bad address %s\n", s);
		abort();
	}
	return a;
}

static void
record(struct nvgre_txn *tx, uint32_t vsid, const char *ca, uint8_t mac_id,
       const char *pa)
{
	struct nvgre_record_cfg r = {
		.vsid = vsid, .ca = addr(ca), .pa = addr(pa),
		.mac = { 0x00, 0x1d, 0xd8, 0xb7, 0x1c, mac_id },
		.rule = NVGRE_RULE_ENCAP,
	};
	struct nvgre_err err;

	must(nvgre_record_add(tx, &r, &err), &err);
}

/* Ours: 192.0.2.2/24 untagged and 2001:db8::2/64 on VLAN 11.  Remote:
 * 192.0.2.1 and 2001:db8::1 in VSID 5001, 192.0.2.3 in VSID 6001; the
 * seed corpus (fuzz/seeds.py) uses the same addresses. */
static void
db_build(void)
{
	struct nvgre_pa_cfg pa4 = { addr("192.0.2.2"), 24, 0, 0 };
	struct nvgre_pa_cfg pa6 = { addr("2001:db8::2"), 64, 0, 11 };
	struct nvgre_err err;
	struct nvgre_txn *tx;

	db = nvgre_db_create(NULL, 0x5eed);
	if (!db || !(tx = nvgre_txn_begin(db)))
		abort();
	must(nvgre_pa_add(tx, &pa4, &err), &err);
	must(nvgre_pa_add(tx, &pa6, &err), &err);
	record(tx, 5001, "10.0.0.11", 0x0b, "192.0.2.1");
	record(tx, 5001, "10.0.0.12", 0x0c, "192.0.2.2");
	record(tx, 5001, "fd00::11", 0x0b, "192.0.2.1");
	record(tx, 5001, "10.0.0.13", 0x0d, "2001:db8::1");
	record(tx, 6001, "10.0.0.11", 0x1b, "192.0.2.3");
	record(tx, 6001, "10.0.0.12", 0x1c, "2001:db8::2");
	if (nvgre_txn_commit(tx))
		abort();
}
