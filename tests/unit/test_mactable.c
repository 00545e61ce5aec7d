/* Unit tests for dataplane/mactable.c: learning, statics, aging, flushing,
 * a model-based test against a reference array, and a concurrency test of
 * the lock-free fast path against a control thread. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/mactable.h"

/* Key of VLAN 'vlan' and the locally administered MAC 02:00:<n>. */
static uint64_t
key_of(uint16_t vlan, uint32_t n)
{
	const uint8_t mac[6] = { 0x02, 0x00, (uint8_t)(n >> 24),
				 (uint8_t)(n >> 16), (uint8_t)(n >> 8),
				 (uint8_t)n };

	return dp_mac_key(vlan, mac);
}

/* xorshift64*: deterministic, seedable. */
static uint64_t
rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static struct dp_mactable *
make_table(uint32_t capacity)
{
	struct dp_mactable *t = dp_mactable_create(capacity);

	cr_assert_not_null(t);
	return t;
}

/* ---- keys ------------------------------------------------------------ */

Test(mactable, key_layout)
{
	const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	cr_expect_eq(dp_mac_key(0, mac), 0x8000021122334455ull);
	cr_expect_eq(dp_mac_key(4095, mac), 0x8fff021122334455ull);
	cr_expect_eq(dp_mac_key(0x1005, mac), dp_mac_key(5, mac),
		     "only 12 VID bits");
	cr_expect_neq(dp_mac_key(0, (const uint8_t[6]){ 0 }), 0,
		      "a key is never 0");
}

/* ---- learn and lookup ------------------------------------------------ */

Test(mactable, learn_new_then_lookup)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);

	cr_expect_eq(dp_mactable_lookup(t, k), DP_MAC_NO_PORT);
	cr_expect_eq(dp_mactable_count(t), 0);
	cr_expect_eq(dp_mactable_learn(t, k, 3, 100), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_lookup(t, k), 3);
	cr_expect_eq(dp_mactable_count(t), 1);
	cr_expect_eq(dp_mactable_lookup(t, key_of(1, 2)), DP_MAC_NO_PORT);
	dp_mactable_destroy(t);
}

Test(mactable, learn_same_port_refreshes)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);

	cr_expect_eq(dp_mactable_learn(t, k, 3, 100), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_learn(t, k, 3, 100), DP_LEARN_REFRESHED);
	cr_expect_eq(dp_mactable_learn(t, k, 3, 200), DP_LEARN_REFRESHED);
	cr_expect_eq(dp_mactable_count(t), 1, "no second entry");
	/* The refresh at 200 keeps it alive at 350 with aging 200. */
	cr_expect_eq(dp_mactable_age(t, 350, 200), 0);
	cr_expect_eq(dp_mactable_lookup(t, k), 3);
	cr_expect_eq(dp_mactable_age(t, 400, 200), 1);
	cr_expect_eq(dp_mactable_lookup(t, k), DP_MAC_NO_PORT);
	dp_mactable_destroy(t);
}

Test(mactable, learn_other_port_moves)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);

	cr_expect_eq(dp_mactable_learn(t, k, 3, 100), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_learn(t, k, 4, 100), DP_LEARN_MOVED);
	cr_expect_eq(dp_mactable_lookup(t, k), 4);
	cr_expect_eq(dp_mactable_count(t), 1);
	cr_expect_eq(dp_mactable_learn(t, k, 4, 101), DP_LEARN_REFRESHED);
	cr_expect_eq(dp_mactable_learn(t, k, 3, 101), DP_LEARN_MOVED);
	cr_expect_eq(dp_mactable_lookup(t, k), 3);
	dp_mactable_destroy(t);
}

Test(mactable, vlan_separates_identical_macs)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k1 = key_of(1, 7), k2 = key_of(2, 7);

	cr_expect_eq(dp_mactable_learn(t, k1, 1, 100), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_learn(t, k2, 2, 100), DP_LEARN_NEW,
		     "same MAC in another VLAN is another entry");
	cr_expect_eq(dp_mactable_lookup(t, k1), 1);
	cr_expect_eq(dp_mactable_lookup(t, k2), 2);
	cr_expect_eq(dp_mactable_lookup(t, key_of(3, 7)), DP_MAC_NO_PORT);
	cr_expect(dp_mactable_del(t, k1));
	cr_expect_eq(dp_mactable_lookup(t, k2), 2);
	dp_mactable_destroy(t);
}

/* ---- statics --------------------------------------------------------- */

Test(mactable, static_entry_does_not_move)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);

	cr_expect_eq(dp_mactable_add_static(t, k, 5), 0);
	cr_expect_eq(dp_mactable_lookup(t, k), 5);
	cr_expect_eq(dp_mactable_learn(t, k, 6, 100), DP_LEARN_STATIC);
	cr_expect_eq(dp_mactable_lookup(t, k), 5, "static entry moved");
	cr_expect_eq(dp_mactable_learn(t, k, 5, 100), DP_LEARN_REFRESHED);
	cr_expect_eq(dp_mactable_lookup(t, k), 5);
	cr_expect_eq(dp_mactable_count(t), 1);
	dp_mactable_destroy(t);
}

Test(mactable, static_overrides_dynamic)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);
	struct dp_mac_entry e;

	cr_expect_eq(dp_mactable_learn(t, k, 3, 100), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_add_static(t, k, 5), 0);
	cr_expect_eq(dp_mactable_count(t), 1, "converted, not duplicated");
	cr_expect_eq(dp_mactable_lookup(t, k), 5);
	cr_expect_eq(dp_mactable_learn(t, k, 3, 101), DP_LEARN_STATIC);
	cr_expect_eq(dp_mactable_dump(t, &e, 1), 1);
	cr_expect(e.is_static);
	cr_expect_eq(e.port, 5);
	/* Re-adding with another port changes the port. */
	cr_expect_eq(dp_mactable_add_static(t, k, 7), 0);
	cr_expect_eq(dp_mactable_lookup(t, k), 7);
	dp_mactable_destroy(t);
}

/* ---- aging ----------------------------------------------------------- */

Test(mactable, age_removes_old_keeps_young_and_static)
{
	struct dp_mactable *t = make_table(64);
	uint64_t old = key_of(1, 1), edge = key_of(1, 2);
	uint64_t young = key_of(1, 3), stat = key_of(1, 4);

	dp_mactable_learn(t, old, 1, 100);
	dp_mactable_learn(t, edge, 1, 200);
	dp_mactable_learn(t, young, 1, 250);
	cr_assert_eq(dp_mactable_add_static(t, stat, 1), 0);

	cr_expect_eq(dp_mactable_age(t, 300, 100), 2);
	cr_expect_eq(dp_mactable_lookup(t, old), DP_MAC_NO_PORT);
	cr_expect_eq(dp_mactable_lookup(t, edge), DP_MAC_NO_PORT,
		     "seen exactly 'aging' seconds ago: expired");
	cr_expect_eq(dp_mactable_lookup(t, young), 1);
	cr_expect_eq(dp_mactable_lookup(t, stat), 1);

	cr_expect_eq(dp_mactable_age(t, 1000000, 1), 1);
	cr_expect_eq(dp_mactable_lookup(t, young), DP_MAC_NO_PORT);
	cr_expect_eq(dp_mactable_lookup(t, stat), 1, "statics never age");
	cr_expect_eq(dp_mactable_count(t), 1);
	dp_mactable_destroy(t);
}

Test(mactable, age_entry_stamped_after_now_is_kept)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);

	/* A worker's clock ticked before the control thread's did. */
	cr_expect_eq(dp_mactable_learn(t, k, 2, 1001), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_age(t, 1000, 300), 0,
		     "stamped 1 s after 'now' must not look 2^32-1 s old");
	cr_expect_eq(dp_mactable_lookup(t, k), 2);
	cr_expect_eq(dp_mactable_age(t, 1000, 0), 0);
	cr_expect_eq(dp_mactable_lookup(t, k), 2);
	cr_expect_eq(dp_mactable_age(t, 1301, 300), 1);
	dp_mactable_destroy(t);
}

Test(mactable, age_across_clock_wrap)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1);

	dp_mactable_learn(t, k, 2, 0xfffffff0u);
	cr_expect_eq(dp_mactable_age(t, 0x10, 300), 0, "32 s old");
	cr_expect_eq(dp_mactable_lookup(t, k), 2);
	cr_expect_eq(dp_mactable_age(t, 0x10, 32), 1);
	dp_mactable_destroy(t);
}

/* ---- flush and delete ------------------------------------------------ */

Test(mactable, flush_port)
{
	struct dp_mactable *t = make_table(256);

	for (uint32_t i = 0; i < 10; i++)
		dp_mactable_learn(t, key_of(1, i), 1, 100);
	for (uint32_t i = 10; i < 15; i++)
		dp_mactable_learn(t, key_of(1, i), 2, 100);
	cr_assert_eq(dp_mactable_add_static(t, key_of(1, 20), 1), 0);
	cr_assert_eq(dp_mactable_add_static(t, key_of(1, 21), 2), 0);

	cr_expect_eq(dp_mactable_flush_port(t, 1, false), 10);
	for (uint32_t i = 0; i < 10; i++)
		cr_expect_eq(dp_mactable_lookup(t, key_of(1, i)),
			     DP_MAC_NO_PORT);
	for (uint32_t i = 10; i < 15; i++)
		cr_expect_eq(dp_mactable_lookup(t, key_of(1, i)), 2,
			     "other port's entry flushed");
	cr_expect_eq(dp_mactable_lookup(t, key_of(1, 20)), 1,
		     "static flushed without 'statics'");
	cr_expect_eq(dp_mactable_count(t), 7);

	cr_expect_eq(dp_mactable_flush_port(t, 1, true), 1);
	cr_expect_eq(dp_mactable_lookup(t, key_of(1, 20)), DP_MAC_NO_PORT);
	cr_expect_eq(dp_mactable_lookup(t, key_of(1, 21)), 2);
	cr_expect_eq(dp_mactable_flush_port(t, 3, true), 0);
	cr_expect_eq(dp_mactable_flush_port(t, 2, true), 6);
	cr_expect_eq(dp_mactable_count(t), 0);
	dp_mactable_destroy(t);
}

Test(mactable, del)
{
	struct dp_mactable *t = make_table(64);
	uint64_t k = key_of(1, 1), s = key_of(1, 2);

	dp_mactable_learn(t, k, 1, 100);
	cr_assert_eq(dp_mactable_add_static(t, s, 1), 0);
	cr_expect(!dp_mactable_del(t, key_of(1, 3)));
	cr_expect(!dp_mactable_del(t, key_of(2, 1)), "wrong VLAN");
	cr_expect(dp_mactable_del(t, k));
	cr_expect_eq(dp_mactable_lookup(t, k), DP_MAC_NO_PORT);
	cr_expect(!dp_mactable_del(t, k), "deleted twice");
	cr_expect(dp_mactable_del(t, s), "statics can be deleted");
	cr_expect_eq(dp_mactable_lookup(t, s), DP_MAC_NO_PORT);
	cr_expect_eq(dp_mactable_count(t), 0);
	cr_expect_eq(dp_mactable_learn(t, k, 2, 101), DP_LEARN_NEW,
		     "relearned after delete");
	cr_expect_eq(dp_mactable_lookup(t, k), 2);
	dp_mactable_destroy(t);
}

/* ---- capacity -------------------------------------------------------- */

Test(mactable, tiny_table_full)
{
	/* Capacity 1 rounds up to two 8-slot buckets: every key may use both
	 * buckets, so exactly 16 entries fit. */
	struct dp_mactable *t = make_table(1);
	uint64_t extra = key_of(1, 1000);

	for (uint32_t i = 0; i < 16; i++)
		cr_assert_eq(dp_mactable_learn(t, key_of(1, i), 1, 100),
			     DP_LEARN_NEW, "entry %u", i);
	cr_expect_eq(dp_mactable_learn(t, extra, 1, 100), DP_LEARN_FULL);
	cr_expect_eq(dp_mactable_lookup(t, extra), DP_MAC_NO_PORT);
	cr_expect_eq(dp_mactable_add_static(t, extra, 1), -ENOSPC);
	cr_expect_eq(dp_mactable_count(t), 16);
	/* Known keys still refresh and move when full. */
	cr_expect_eq(dp_mactable_learn(t, key_of(1, 3), 2, 101),
		     DP_LEARN_MOVED);
	cr_expect_eq(dp_mactable_add_static(t, key_of(1, 4), 3), 0);
	cr_expect(dp_mactable_del(t, key_of(1, 0)));
	cr_expect_eq(dp_mactable_learn(t, extra, 1, 102), DP_LEARN_NEW);
	cr_expect_eq(dp_mactable_lookup(t, extra), 1);
	dp_mactable_destroy(t);
}

Test(mactable, capacity_rounds_up)
{
	/* 100 promised entries: 3 x 100 slots round up to 64 buckets of 8,
	 * 512 slots, never more. */
	struct dp_mactable *t = make_table(100);
	unsigned int added = 0;

	for (uint32_t i = 0; i < 4000; i++) {
		uint64_t k = key_of(1, i);
		enum dp_learn r = dp_mactable_learn(t, k, 1, 1);

		cr_assert(r == DP_LEARN_NEW || r == DP_LEARN_FULL);
		added += r == DP_LEARN_NEW;
		cr_expect_eq(dp_mactable_lookup(t, k),
			     r == DP_LEARN_NEW ? 1 : DP_MAC_NO_PORT,
			     "key %u", i);
	}
	cr_expect_eq(added, 512);
	cr_expect_eq(dp_mactable_count(t), 512);
	dp_mactable_destroy(t);
}

Test(mactable, promised_capacity_fits)
{
	/* Every promised entry can be learned, for several sizes, even with
	 * two-choice buckets filling unevenly. */
	static const uint32_t caps[] = { 1000, 4096, 65536, 262144 };

	for (unsigned int c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct dp_mactable *t = make_table(caps[c]);
		for (uint32_t i = 0; i < caps[c]; i++)
			cr_assert_eq(dp_mactable_learn(t, key_of(1 + i % 7, i),
						       2, 1), DP_LEARN_NEW,
				     "capacity %u: key %u did not fit",
				     caps[c], i);
		cr_expect_eq(dp_mactable_count(t), caps[c]);
		dp_mactable_destroy(t);
	}
}

/* ---- dump ------------------------------------------------------------ */

Test(mactable, dump)
{
	struct dp_mactable *t = make_table(64);
	const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct dp_mac_entry e[8];
	bool seen_dyn = false, seen_static = false;
	unsigned int n;

	dp_mactable_learn(t, dp_mac_key(4094, mac), 9, 12345);
	cr_assert_eq(dp_mactable_add_static(t, dp_mac_key(7, mac), 3), 0);
	memset(e, 0, sizeof(e));
	n = dp_mactable_dump(t, e, 8);
	cr_assert_eq(n, 2);
	for (unsigned int i = 0; i < n; i++) {
		cr_expect_arr_eq(e[i].mac, mac, 6);
		if (e[i].vlan == 4094) {
			seen_dyn = true;
			cr_expect_eq(e[i].port, 9);
			cr_expect(!e[i].is_static);
			cr_expect_eq(e[i].seen, 12345);
		} else {
			seen_static = true;
			cr_expect_eq(e[i].vlan, 7);
			cr_expect_eq(e[i].port, 3);
			cr_expect(e[i].is_static);
		}
	}
	cr_expect(seen_dyn && seen_static);
	dp_mactable_destroy(t);
}

Test(mactable, dump_respects_max)
{
	struct dp_mactable *t = make_table(64);
	struct dp_mac_entry e[4];

	for (uint32_t i = 0; i < 10; i++)
		dp_mactable_learn(t, key_of(1, i), 1, 1);
	memset(e, 0x5a, sizeof(e));
	cr_expect_eq(dp_mactable_dump(t, e, 3), 10, "returns the total");
	for (size_t b = 0; b < sizeof(e[3]); b++)
		cr_expect_eq(((const uint8_t *)&e[3])[b], 0x5a,
			     "wrote past 'max'");
	cr_expect_eq(dp_mactable_dump(t, NULL, 0), 10);
	dp_mactable_destroy(t);
}

/* ---- model-based ----------------------------------------------------- */

#define M_KEYS 1024          /* 1/4 of the table: never full in practice */
#define M_OPS 100000
#define M_PORTS 8
#define M_CLOCK_BASE (0xffffffffu - 20000u)   /* wraps during the run */

struct ref_entry {
	bool present;
	bool is_static;
	uint16_t port;
	int64_t seen;        /* unwrapped seconds */
};

struct model {
	struct dp_mactable *t;
	uint64_t keys[M_KEYS];
	struct ref_entry ref[M_KEYS];
	int64_t now;         /* unwrapped seconds */
	uint64_t rng;
	unsigned int op;     /* for messages */
	unsigned int full;   /* DP_LEARN_FULL / -ENOSPC seen */
};

static uint32_t
clock32(int64_t t)
{
	return (uint32_t)(M_CLOCK_BASE + (uint64_t)t);
}

static void
model_check_key(const struct model *m, unsigned int i)
{
	uint16_t want = m->ref[i].present ? m->ref[i].port : DP_MAC_NO_PORT;
	uint16_t got = dp_mactable_lookup(m->t, m->keys[i]);

	cr_assert_eq(got, want, "op %u key %u: lookup %u, reference %u",
		     m->op, i, got, want);
}

static void
model_check_all(const struct model *m)
{
	unsigned int present = 0;

	for (unsigned int i = 0; i < M_KEYS; i++) {
		model_check_key(m, i);
		present += m->ref[i].present;
	}
	cr_assert_eq(dp_mactable_count(m->t), present, "op %u", m->op);
}

static void
model_check_dump(const struct model *m)
{
	static struct dp_mac_entry e[M_KEYS + 1];
	unsigned int n = dp_mactable_dump(m->t, e, M_KEYS + 1);
	bool listed[M_KEYS] = { false };

	cr_assert_leq(n, M_KEYS);
	for (unsigned int j = 0; j < n; j++) {
		uint64_t k = dp_mac_key(e[j].vlan, e[j].mac);
		unsigned int i = 0;

		while (i < M_KEYS && m->keys[i] != k)
			i++;
		cr_assert_lt(i, M_KEYS, "dump lists an unknown key");
		cr_assert(!listed[i], "key %u listed twice", i);
		listed[i] = true;
		cr_assert(m->ref[i].present, "key %u should be gone", i);
		cr_assert_eq(e[j].port, m->ref[i].port);
		cr_assert_eq(e[j].is_static, m->ref[i].is_static);
		if (!e[j].is_static)
			cr_assert_eq(e[j].seen, clock32(m->ref[i].seen),
				     "key %u seen", i);
	}
}

static void
model_learn(struct model *m, unsigned int i, uint16_t port, int64_t stamp)
{
	struct ref_entry *r = &m->ref[i];
	enum dp_learn got = dp_mactable_learn(m->t, m->keys[i], port,
					      clock32(stamp));
	enum dp_learn want;

	if (!r->present)
		want = DP_LEARN_NEW;
	else if (r->is_static)
		want = r->port == port ? DP_LEARN_REFRESHED : DP_LEARN_STATIC;
	else
		want = r->port == port ? DP_LEARN_REFRESHED : DP_LEARN_MOVED;

	if (got == DP_LEARN_FULL && want == DP_LEARN_NEW) {
		m->full++;
		return;
	}
	cr_assert_eq(got, want, "op %u learn key %u port %u: got %d want %d",
		     m->op, i, port, got, want);
	if (!r->present || !r->is_static)
		*r = (struct ref_entry){ .present = true, .is_static = false,
					 .port = port, .seen = stamp };
}

static void
model_static(struct model *m, unsigned int i, uint16_t port)
{
	int rc = dp_mactable_add_static(m->t, m->keys[i], port);

	if (rc == -ENOSPC && !m->ref[i].present) {
		m->full++;
		return;
	}
	cr_assert_eq(rc, 0, "op %u static key %u", m->op, i);
	m->ref[i] = (struct ref_entry){ .present = true, .is_static = true,
					.port = port, .seen = 0 };
}

static void
model_age(struct model *m, uint32_t aging)
{
	unsigned int want = 0;

	for (unsigned int i = 0; i < M_KEYS; i++) {
		struct ref_entry *r = &m->ref[i];
		if (r->present && !r->is_static && m->now - r->seen >= aging) {
			r->present = false;
			want++;
		}
	}
	cr_assert_eq(dp_mactable_age(m->t, clock32(m->now), aging), want,
		     "op %u age %u", m->op, aging);
}

static void
model_flush(struct model *m, uint16_t port, bool statics)
{
	unsigned int want = 0;

	for (unsigned int i = 0; i < M_KEYS; i++) {
		struct ref_entry *r = &m->ref[i];
		if (r->present && r->port == port &&
		    (statics || !r->is_static)) {
			r->present = false;
			want++;
		}
	}
	cr_assert_eq(dp_mactable_flush_port(m->t, port, statics), want,
		     "op %u flush port %u", m->op, port);
}

Test(mactable, model_random_ops, .timeout = 600)
{
	static const uint32_t agings[] = { 0, 1, 10, 60, 300, 1000 };
	static struct model m;
	unsigned int window = 0;

	memset(&m, 0, sizeof(m));
	m.t = make_table(4096);
	m.rng = 0x9e3779b97f4a7c15ull;
	/* Four VLANs with the same 256 MACs. */
	for (unsigned int i = 0; i < M_KEYS; i++)
		m.keys[i] = key_of((uint16_t)(i % 4), (i / 4) * 2654435761u);

	for (m.op = 0; m.op < M_OPS; m.op++) {
		uint64_t r = rnd_next(&m.rng);
		unsigned int i = (unsigned int)(r >> 8) % M_KEYS;
		uint16_t port = (uint16_t)((r >> 24) % M_PORTS);
		unsigned int what = (unsigned int)(r % 100);
		bool many = false;

		if (what < 60) {
			/* A worker's clock may run a second ahead. */
			model_learn(&m, i, port, m.now + ((r >> 40) % 4 == 0));
		} else if (what < 75) {
			bool got = dp_mactable_del(m.t, m.keys[i]);
			cr_assert_eq(got, m.ref[i].present, "op %u del %u",
				     m.op, i);
			m.ref[i].present = false;
		} else if (what < 80) {
			model_static(&m, i, port);
		} else if (what < 85) {
			model_age(&m, agings[(r >> 40) % 6]);
			many = true;
		} else if (what < 87) {
			model_flush(&m, port, (r >> 40) & 1);
			many = true;
		} else {
			m.now += (int64_t)((r >> 40) % 8);
		}
		if ((r >> 50) % 3 == 0)
			m.now++;

		model_check_key(&m, i);
		for (unsigned int j = 0; j < 32; j++)
			model_check_key(&m, window++ % M_KEYS);
		if (many || m.op % 1000 == 0)
			model_check_all(&m);
		if (m.op % 10000 == 0)
			model_check_dump(&m);
	}
	model_check_all(&m);
	model_check_dump(&m);
	cr_expect_gt(m.now, 20000, "the 32-bit clock never wrapped");
	cr_expect_eq(m.full, 0, "table at 1/4 load reported full");
	dp_mactable_destroy(m.t);
}

/* ---- concurrency ----------------------------------------------------- */

/* Sleeps in 10 ms steps until 'seconds' have passed or '*bad' is non-zero;
 * returns the seconds elapsed. */
static double
run_for(double seconds, _Atomic unsigned long *bad)
{
	struct timespec t0, t1;
	double elapsed;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		elapsed = (double)(t1.tv_sec - t0.tv_sec) +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (atomic_load(bad) == 0 && elapsed < seconds);
	return elapsed;
}

#define C_LEARNERS 3
#define C_KEYS 256           /* per key set */
#define C_PORTS 8            /* per learner: ports l*8 .. l*8+7 */

struct conc {
	struct dp_mactable *t;
	bool shared;         /* all learners use key set 0, nobody deletes */
	unsigned int n_sets; /* key sets in use */
	uint64_t keys[C_LEARNERS][C_KEYS];
	/* Bit p: port p was ever associated with the key, set before the
	 * table call that associates them. */
	_Atomic uint64_t assoc[C_LEARNERS][C_KEYS];
	_Atomic uint32_t now;
	_Atomic bool stop;
	_Atomic unsigned long violations, learns, lookups, hits;
	_Atomic bool first_set;
	char first[160];     /* the first violation, written once */
	pthread_barrier_t start;
};

struct learner_arg {
	struct conc *c;
	unsigned int id;
};

static void *
conc_learner(void *arg_)
{
	struct learner_arg *a = arg_;
	struct conc *c = a->c;
	unsigned int set = c->shared ? 0 : a->id;
	uint64_t rng = 0x1234567ull + a->id * 0x9e3779b97f4a7c15ull;

	pthread_barrier_wait(&c->start);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		uint64_t r = rnd_next(&rng);
		unsigned int k = (unsigned int)(r % C_KEYS);
		uint16_t port = (uint16_t)(a->id * C_PORTS +
					   (r >> 32) % C_PORTS);

		atomic_fetch_or(&c->assoc[set][k], 1ull << port);
		dp_mactable_learn(c->t, c->keys[set][k], port,
				  atomic_load_explicit(&c->now,
						       memory_order_relaxed));
		atomic_fetch_add_explicit(&c->learns, 1, memory_order_relaxed);
	}
	return NULL;
}

static void
conc_violation(struct conc *c, unsigned int set, unsigned int k, uint16_t p)
{
	bool no = false;

	if (atomic_compare_exchange_strong(&c->first_set, &no, true))
		snprintf(c->first, sizeof(c->first),
			 "key set %u key %u -> port %u, never associated "
			 "(ports 0x%016llx)", set, k, p,
			 (unsigned long long)atomic_load(&c->assoc[set][k]));
	atomic_fetch_add(&c->violations, 1);
}

static void *
conc_lookup(void *arg)
{
	struct conc *c = arg;

	pthread_barrier_wait(&c->start);
	while (!atomic_load(&c->stop)) {
		for (unsigned int set = 0; set < c->n_sets; set++)
			for (unsigned int k = 0; k < C_KEYS; k++) {
				uint64_t key = c->keys[set][k];
				uint16_t p = dp_mactable_lookup(c->t, key);

				atomic_fetch_add_explicit(&c->lookups, 1,
						memory_order_relaxed);
				if (p == DP_MAC_NO_PORT)
					continue;
				atomic_fetch_add_explicit(&c->hits, 1,
						memory_order_relaxed);
				/* Loaded after the lookup: an association the
				 * lookup saw is visible here. */
				if (p >= 64 ||
				    !(atomic_load(&c->assoc[set][k]) >> p & 1))
					conc_violation(c, set, k, p);
			}
	}
	return NULL;
}

/* The control thread: ticks the clock and, unless 'shared', ages,
 * deletes and flushes. */
static void *
conc_control(void *arg)
{
	struct conc *c = arg;
	uint64_t rng = 42;

	pthread_barrier_wait(&c->start);
	while (!atomic_load(&c->stop)) {
		uint64_t r = rnd_next(&rng);
		unsigned int set = (unsigned int)(r % c->n_sets);
		unsigned int k = (unsigned int)((r >> 8) % C_KEYS);
		unsigned int what = (unsigned int)((r >> 32) % 8);

		if (what == 0 || c->shared) {
			atomic_fetch_add(&c->now, 1);
			if (c->shared)
				sched_yield();
		} else if (what == 1) {
			dp_mactable_age(c->t, atomic_load(&c->now), 2);
		} else if (what == 2) {
			uint16_t port = (uint16_t)((r >> 40) %
						   (C_LEARNERS * C_PORTS));

			dp_mactable_flush_port(c->t, port, false);
		} else {
			dp_mactable_del(c->t, c->keys[set][k]);
		}
	}
	return NULL;
}

/* Runs the learners, the lookup thread and the control thread for
 * 'seconds', or until the first violation. */
static void
conc_run(struct conc *c, uint32_t capacity, bool shared, double seconds)
{
	pthread_t learners[C_LEARNERS], looker, control;
	struct learner_arg args[C_LEARNERS];
	double elapsed;

	memset(c, 0, sizeof(*c));
	c->t = make_table(capacity);
	c->shared = shared;
	c->n_sets = shared ? 1 : C_LEARNERS;
	for (unsigned int set = 0; set < C_LEARNERS; set++)
		for (unsigned int k = 0; k < C_KEYS; k++)
			c->keys[set][k] = key_of((uint16_t)(k % 2),
						 set << 16 | k);
	atomic_store(&c->now, 1000);
	cr_assert_eq(pthread_barrier_init(&c->start, NULL, C_LEARNERS + 3), 0);
	cr_assert_eq(pthread_create(&looker, NULL, conc_lookup, c), 0);
	cr_assert_eq(pthread_create(&control, NULL, conc_control, c), 0);
	for (unsigned int l = 0; l < C_LEARNERS; l++) {
		args[l] = (struct learner_arg){ .c = c, .id = l };
		cr_assert_eq(pthread_create(&learners[l], NULL, conc_learner,
					    &args[l]), 0);
	}
	pthread_barrier_wait(&c->start);
	elapsed = run_for(seconds, &c->violations);
	atomic_store(&c->stop, true);
	for (unsigned int l = 0; l < C_LEARNERS; l++)
		pthread_join(learners[l], NULL);
	pthread_join(looker, NULL);
	pthread_join(control, NULL);
	pthread_barrier_destroy(&c->start);
	cr_log_info("%.2f s: learns %lu, lookups %lu, hits %lu, violations %lu",
		    elapsed, atomic_load(&c->learns), atomic_load(&c->lookups),
		    atomic_load(&c->hits), atomic_load(&c->violations));
}

/* After the threads stop: every entry is a known key on an associated
 * port, listed once, and lookups agree with the dump.  Returns the number
 * of entries. */
static unsigned int
conc_check_final(struct conc *c)
{
	static struct dp_mac_entry e[C_LEARNERS * C_KEYS + 1];
	static bool listed[C_LEARNERS][C_KEYS];
	unsigned int n = dp_mactable_dump(c->t, e, C_LEARNERS * C_KEYS + 1);

	memset(listed, 0, sizeof(listed));
	cr_assert_leq(n, C_LEARNERS * C_KEYS);
	for (unsigned int j = 0; j < n; j++) {
		uint64_t key = dp_mac_key(e[j].vlan, e[j].mac);
		unsigned int set = e[j].mac[2] << 8 | e[j].mac[3];
		unsigned int k = e[j].mac[4] << 8 | e[j].mac[5];

		cr_assert_lt(set, c->n_sets);
		cr_assert_lt(k, C_KEYS);
		cr_assert_eq(key, c->keys[set][k]);
		cr_expect(!listed[set][k], "key set %u key %u listed twice",
			  set, k);
		listed[set][k] = true;
		cr_expect(atomic_load(&c->assoc[set][k]) >> e[j].port & 1,
			  "key set %u key %u left on port %u, never "
			  "associated", set, k, e[j].port);
		cr_expect_eq(dp_mactable_lookup(c->t, key), e[j].port);
	}
	for (unsigned int set = 0; set < c->n_sets; set++)
		for (unsigned int k = 0; k < C_KEYS; k++)
			if (!listed[set][k])
				cr_expect_eq(dp_mactable_lookup(
						     c->t, c->keys[set][k]),
					     DP_MAC_NO_PORT);
	return n;
}

/* Learners share one key set, each on its own ports; the control thread
 * only ticks the clock, so values change under the readers' feet but no
 * slot is ever freed.  Lookups must only see ports a key was learned on,
 * and racing first learns of one key must not create two entries. */
Test(mactable, concurrent_learners_share_keys, .timeout = 120)
{
	static struct conc c;

	conc_run(&c, 4096, true, 0.5);
	cr_expect_gt(atomic_load(&c.hits), 0, "lookups never hit");
	cr_expect_eq(atomic_load(&c.violations), 0, "%lu violations; first: %s",
		     atomic_load(&c.violations), c.first);
	cr_expect_eq(conc_check_final(&c), C_KEYS, "every key once");
	dp_mactable_destroy(c.t);
}

/* Learners on disjoint key sets and disjoint ports; the control thread
 * ages, deletes and flushes.  No lookup may ever return a port that was
 * never associated with its key.
 *
 * Catches, in most runs, a learner storing its value into a slot that was
 * deleted and reused by another learner's key (the earlier mactable.c
 * did); learn_never_writes_into_a_reused_slot catches it in every run. */
Test(mactable, concurrent_learn_lookup_age, .timeout = 120)
{
	static struct conc c;

	conc_run(&c, 4096, false, 2.0);
	cr_expect_gt(atomic_load(&c.hits), 0, "lookups never hit");
	cr_expect_eq(atomic_load(&c.violations), 0, "%lu violations; first: %s",
		     atomic_load(&c.violations), c.first);
	conc_check_final(&c);
	dp_mactable_destroy(c.t);
}

/* ---- targeted race: learn's value store into a reused slot ------------ */

/* Regression test.  An earlier dp_mactable_learn() found the key's slot,
 * loaded the value, then stored the new value into vals[s] without
 * checking that keys[s] still held its key.  When the control thread
 * deleted the entry (del, age, flush) in between and another worker
 * claimed the freed slot for a different key, the store landed on that
 * key, which then pointed to the first worker's port.  That version failed
 * this test in every run, within about 0.3 s.
 *
 * Everything here shares 16 slots: two "movers" flip their key between
 * two ports (so each learn stores), an "inserter" learns 8 keys on one
 * port only, and a deleter frees slots non-stop.  A mover's store landing
 * in a reused slot shows as the inserter's learn returning
 * DP_LEARN_MOVED, or a lookup of its key answering a port it never used. */

#define R_MOVERS 2           /* threads moving one key between two ports */
#define R_KEYS_B 8           /* the inserter's keys, all on R_PORT_B */
#define R_PORT_B 7
#define R_SECONDS 3

struct reuse {
	struct dp_mactable *t;
	uint64_t movers[R_MOVERS];
	uint64_t keys_b[R_KEYS_B];
	_Atomic bool stop;
	_Atomic unsigned long bad;      /* moved + foreign */
	_Atomic unsigned long moved;    /* the inserter's learn said MOVED */
	_Atomic unsigned long foreign;  /* its lookup answered another port */
	_Atomic uint16_t foreign_port;
	_Atomic unsigned long rounds;
	pthread_barrier_t start;
};

struct mover_arg {
	struct reuse *r;
	unsigned int id;
};

/* Moves its key between ports 100+2*id and 101+2*id forever, so every
 * learn stores a value. */
static void *
reuse_mover(void *arg_)
{
	struct mover_arg *a = arg_;
	struct reuse *r = a->r;
	uint32_t now = 1;

	pthread_barrier_wait(&r->start);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		dp_mactable_learn(r->t, r->movers[a->id],
				  (uint16_t)(100 + 2 * a->id + (now & 1)),
				  now);
		now++;
	}
	return NULL;
}

/* Learns its keys on R_PORT_B only: MOVED, or a lookup answering another
 * port, means someone else's value landed in its slot. */
static void *
reuse_inserter(void *arg)
{
	struct reuse *r = arg;

	pthread_barrier_wait(&r->start);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		for (unsigned int i = 0; i < R_KEYS_B; i++) {
			enum dp_learn l = dp_mactable_learn(r->t, r->keys_b[i],
							    R_PORT_B, 1);
			uint16_t p = dp_mactable_lookup(r->t, r->keys_b[i]);

			if (l == DP_LEARN_MOVED) {
				atomic_fetch_add(&r->moved, 1);
				atomic_fetch_add(&r->bad, 1);
			}
			if (p != R_PORT_B && p != DP_MAC_NO_PORT) {
				atomic_store(&r->foreign_port, p);
				atomic_fetch_add(&r->foreign, 1);
				atomic_fetch_add(&r->bad, 1);
			}
		}
		atomic_fetch_add_explicit(&r->rounds, 1, memory_order_relaxed);
	}
	return NULL;
}

/* Deletes everything, over and over, so slots are freed and reused. */
static void *
reuse_deleter(void *arg)
{
	struct reuse *r = arg;

	pthread_barrier_wait(&r->start);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		for (unsigned int i = 0; i < R_MOVERS; i++)
			dp_mactable_del(r->t, r->movers[i]);
		for (unsigned int i = 0; i < R_KEYS_B; i += 2)
			dp_mactable_del(r->t, r->keys_b[i]);
	}
	return NULL;
}

Test(mactable, learn_never_writes_into_a_reused_slot, .timeout = 120)
{
	static struct reuse r;
	pthread_t movers[R_MOVERS], inserter, deleter;
	struct mover_arg args[R_MOVERS];
	double elapsed;

	memset(&r, 0, sizeof(r));
	r.t = make_table(1);            /* 16 slots shared by every key */
	for (unsigned int i = 0; i < R_MOVERS; i++)
		r.movers[i] = key_of(9, 0xa000 + i);
	for (unsigned int i = 0; i < R_KEYS_B; i++)
		r.keys_b[i] = key_of(9, 0xb000 + i);
	cr_assert_eq(pthread_barrier_init(&r.start, NULL, R_MOVERS + 3), 0);
	for (unsigned int i = 0; i < R_MOVERS; i++) {
		args[i] = (struct mover_arg){ .r = &r, .id = i };
		cr_assert_eq(pthread_create(&movers[i], NULL, reuse_mover,
					    &args[i]), 0);
	}
	cr_assert_eq(pthread_create(&inserter, NULL, reuse_inserter, &r), 0);
	cr_assert_eq(pthread_create(&deleter, NULL, reuse_deleter, &r), 0);
	pthread_barrier_wait(&r.start);
	elapsed = run_for(R_SECONDS, &r.bad);
	atomic_store(&r.stop, true);
	for (unsigned int i = 0; i < R_MOVERS; i++)
		pthread_join(movers[i], NULL);
	pthread_join(inserter, NULL);
	pthread_join(deleter, NULL);
	pthread_barrier_destroy(&r.start);
	cr_log_info("%.2f s: rounds %lu, bad %lu", elapsed,
		    atomic_load(&r.rounds), atomic_load(&r.bad));
	cr_expect_gt(atomic_load(&r.rounds), 0);
	cr_expect_eq(atomic_load(&r.bad), 0,
		     "keys learned only on port %u: learn said MOVED %lu "
		     "times, "
		     "lookup answered another port %lu times (last: %u); a "
		     "mover's learn() stored into a deleted and reused slot",
		     R_PORT_B, atomic_load(&r.moved), atomic_load(&r.foreign),
		     atomic_load(&r.foreign_port));
	dp_mactable_destroy(r.t);
}

/* Same bug, seen from the control plane: workers keep learning a MAC on
 * their ports while the control thread re-adds it as a static on port 9
 * (as apply.c does when static MACs are reconfigured).  Once
 * dp_mactable_add_static() returned 0, the entry must be static on port 9
 * whatever the workers do: a worker's learn is either before it
 * (overwritten) or after it (DP_LEARN_STATIC, unchanged).
 *
 * Regression test: with the earlier mactable.c, a worker that had read the
 * old dynamic entry just before the del stored its value after the
 * add_static, into the slot the static reused, and a worker still
 * publishing the key (busy slot) overwrote a static written meanwhile; the
 * static silently became a dynamic entry on the worker's port. */
#define S_WORKERS 2
#define S_PORT 9

struct static_race {
	struct dp_mactable *t;
	uint64_t key;
	_Atomic bool stop;
	pthread_barrier_t start;
};

struct static_worker_arg {
	struct static_race *s;
	uint16_t base_port;
};

static void *
static_race_worker(void *arg_)
{
	struct static_worker_arg *a = arg_;
	struct static_race *s = a->s;
	uint32_t now = 1;

	pthread_barrier_wait(&s->start);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		dp_mactable_learn(s->t, s->key,
				  (uint16_t)(a->base_port + (now & 1)), now);
		now++;
	}
	return NULL;
}

Test(mactable, static_survives_racing_learns, .timeout = 120)
{
	static struct static_race s;
	pthread_t workers[S_WORKERS];
	struct static_worker_arg args[S_WORKERS];
	struct timespec t0, t1;
	unsigned long rounds = 0, lost = 0;
	struct dp_mac_entry last;

	memset(&s, 0, sizeof(s));
	memset(&last, 0, sizeof(last));
	s.t = make_table(1);
	s.key = key_of(3, 0x5151);
	cr_assert_eq(pthread_barrier_init(&s.start, NULL, S_WORKERS + 1), 0);
	for (unsigned int i = 0; i < S_WORKERS; i++) {
		args[i] = (struct static_worker_arg){
			.s = &s, .base_port = (uint16_t)(1 + 2 * i) };
		cr_assert_eq(pthread_create(&workers[i], NULL,
					    static_race_worker, &args[i]), 0);
	}
	pthread_barrier_wait(&s.start);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct dp_mac_entry e[2];
		unsigned int n;

		dp_mactable_del(s.t, s.key);
		cr_assert_eq(dp_mactable_add_static(s.t, s.key, S_PORT), 0);
		for (int i = 0; i < 3; i++)
			sched_yield();          /* let the workers run */
		n = dp_mactable_dump(s.t, e, 2);
		if (n != 1 || !e[0].is_static || e[0].port != S_PORT ||
		    dp_mactable_lookup(s.t, s.key) != S_PORT) {
			lost++;
			last = e[0];
		}
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (lost == 0 && t1.tv_sec - t0.tv_sec < 3);
	atomic_store(&s.stop, true);
	for (unsigned int i = 0; i < S_WORKERS; i++)
		pthread_join(workers[i], NULL);
	pthread_barrier_destroy(&s.start);
	cr_log_info("rounds %lu, static lost %lu", rounds, lost);
	cr_expect_eq(lost, 0, "after add_static(port %u) returned 0 the entry "
		     "is %s on port %u (round %lu)", S_PORT,
		     last.is_static ? "static" : "dynamic", last.port, rounds);
	dp_mactable_destroy(s.t);
}
