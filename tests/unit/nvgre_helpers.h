/* Helpers for the nvgre table tests: addresses from text, an RCU for
 * tests without concurrent readers, and a database with a standard
 * underlay.  Header-only. */
#ifndef VSWITCH_TESTS_NVGRE_HELPERS_H
#define VSWITCH_TESTS_NVGRE_HELPERS_H

#include <criterion/criterion.h>
#include <string.h>

#include "nvgre/tables.h"

static inline struct nvgre_addr
A(const char *s)
{
	struct nvgre_addr a;

	cr_assert_eq(nvgre_addr_parse(s, &a), 0, "address %s", s);
	return a;
}

/* A pointer to a temporary copy of A(s), for arguments. */
#define AP(s) ((struct nvgre_addr[]){ A(s) })

static inline struct nvgre_prefix
P(const char *s)
{
	struct nvgre_prefix p;

	cr_assert_eq(nvgre_prefix_parse(s, &p), 0, "prefix %s", s);
	return p;
}

/* MAC 02:00:00:xx:yy:zz from a 24-bit number. */
static inline void
M(uint8_t mac[6], uint32_t n)
{
	mac[0] = 0x02;
	mac[1] = 0;
	mac[2] = 0;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

/* Without concurrent readers every grace period is over at once. */
static uint64_t
norcu_start(void *ctx)
{
	return ++*(uint64_t *)ctx;
}

static bool
norcu_check(void *ctx, uint64_t token, bool wait)
{
	(void)ctx;
	(void)token;
	(void)wait;
	return true;
}

static uint64_t norcu_clock;
static const struct nvgre_rcu norcu = { norcu_start, norcu_check,
					&norcu_clock };

/* Our PAs 192.0.2.1/24 and 2001:db8::1/64 on port 1, default routes via
 * 192.0.2.254 and 2001:db8::fe. */
#define H_PA4 "192.0.2.1"
#define H_PA6 "2001:db8::1"

static inline void
h_underlay(struct nvgre_txn *tx)
{
	struct nvgre_pa_cfg pa4 = { A(H_PA4), 24, 1, 0 };
	struct nvgre_pa_cfg pa6 = { A(H_PA6), 64, 1, 0 };
	struct nvgre_proute_cfg r4 = { P("0.0.0.0/0"), A("192.0.2.254"), 1,
				       10 };
	struct nvgre_proute_cfg r6 = { P("::/0"), A("2001:db8::fe"), 1, 10 };
	struct nvgre_err err;

	cr_assert_eq(nvgre_pa_add(tx, &pa4, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_pa_add(tx, &pa6, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_proute_add(tx, &r4, &err), 0, "%s", err.msg);
	cr_assert_eq(nvgre_proute_add(tx, &r6, &err), 0, "%s", err.msg);
}

static inline struct nvgre_db *
h_db(void)
{
	struct nvgre_db *db = nvgre_db_create(&norcu, 0x5eed);
	struct nvgre_txn *tx;

	cr_assert(db);
	cr_assert(tx = nvgre_txn_begin(db));
	h_underlay(tx);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	return db;
}

static inline struct nvgre_record_cfg
h_rec(uint32_t vsid, const char *ca, uint32_t mac, const char *pa)
{
	struct nvgre_record_cfg r;

	memset(&r, 0, sizeof(r));
	r.vsid = vsid;
	r.ca = A(ca);
	M(r.mac, mac);
	r.pa = A(pa);
	r.rule = NVGRE_RULE_ENCAP;
	return r;
}

/* Adds one record in a transaction of its own. */
static inline int
h_add(struct nvgre_db *db, const struct nvgre_record_cfg *r,
      struct nvgre_err *err)
{
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	int e;

	cr_assert(tx);
	e = nvgre_record_add(tx, r, err);
	if (e)
		nvgre_txn_abort(tx);
	else
		cr_assert_eq(nvgre_txn_commit(tx), 0);
	return e;
}

#endif
