/* The tables under concurrent readers: reader threads look records and
 * routes up without locks while the writer migrates VMs, imports and
 * deletes batches and swaps routes, with reclamation driven by a small
 * QSBR (the role rte_rcu_qsbr plays in vswitchd).  A reader must never
 * see half of a transaction: a VM's addresses on two PAs at once, part of
 * a batch, or a moment without a route that a transaction replaced.  Run
 * it under ASan as well: a version freed too early shows up there. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nvgre/tables.h"
#include "tests/unit/nvgre_helpers.h"

#define READERS 2
#define VMS 64
#define BATCH 2000
#define RD "{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}"

/* ---- a minimal QSBR -------------------------------------------------- */

struct qsbr {
	_Atomic uint64_t gp;                 /* grace periods started */
	_Atomic uint64_t seen[READERS];      /* last one each reader saw */
};

#define QSBR_OFFLINE UINT64_MAX

/* All seq_cst: the writer's publish, its increment of 'gp', a reader's
 * uses of a view, its load of 'gp' and its store to 'seen' are totally
 * ordered, which is what the proof of QSBR needs and all a test needs. */
static uint64_t
qsbr_start(void *ctx)
{
	struct qsbr *q = ctx;

	return atomic_fetch_add(&q->gp, 1) + 1;
}

static bool
qsbr_check(void *ctx, uint64_t token, bool wait)
{
	struct qsbr *q = ctx;

	for (int i = 0; i < READERS; i++)
		while (atomic_load(&q->seen[i]) < token) {
			if (!wait)
				return false;
			sched_yield();
		}
	return true;
}

static void
qsbr_quiescent(struct qsbr *q, int reader)
{
	atomic_store(&q->seen[reader], atomic_load(&q->gp));
}

/* ---- the scenario ---------------------------------------------------- */

struct ctx {
	struct qsbr q;
	struct nvgre_db *db;
	_Atomic bool stop;
	_Atomic uint64_t reads[READERS];
	_Atomic uint64_t violations;
	char first[256];
	pthread_barrier_t start;
};

/* VM k, generation g: CAs 10.0.k.1 and fd00::k:1 in VSID 5001, MAC and
 * PA both carry g, so a reader can tell whether they belong together. */
static struct nvgre_record_cfg
vm(uint32_t k, uint32_t g, bool v6)
{
	struct nvgre_record_cfg r;

	memset(&r, 0, sizeof(r));
	r.vsid = 5001;
	if (v6) {
		r.ca.family = NVGRE_AF_IPV6;
		r.ca.b[0] = 0xfd;
		r.ca.b[13] = (uint8_t)k;
		r.ca.b[15] = 1;
	} else {
		r.ca = nvgre_addr_ipv4((uint8_t[]){ 10, 0, (uint8_t)k, 1 });
	}
	M(r.mac, (g & 0xff) << 8 | k);
	r.pa = nvgre_addr_ipv4((uint8_t[]){ 198, 51, 100,
					    (uint8_t)(1 + g % 4) });
	r.rule = NVGRE_RULE_ENCAP;
	return r;
}

static struct nvgre_record_cfg
batch_rec(uint32_t i)
{
	struct nvgre_record_cfg r;

	memset(&r, 0, sizeof(r));
	r.vsid = 7001;
	r.ca = nvgre_addr_ipv4((uint8_t[]){ 10, 7, (uint8_t)(i >> 8),
					    (uint8_t)i });
	M(r.mac, 0x700000 | i);
	r.pa = nvgre_addr_ipv4((uint8_t[]){ 198, 51, 100, 9 });
	r.rule = NVGRE_RULE_ENCAP;
	return r;
}

static void
violation(struct ctx *c, const char *what, uint32_t k)
{
	if (atomic_fetch_add(&c->violations, 1) == 0)
		snprintf(c->first, sizeof(c->first), "%s (%u)", what, k);
}

/* One VM: both addresses present, same MAC, and the PA of the MAC's
 * generation. */
static void
read_vm(struct ctx *c, const struct nvgre_view *v, uint32_t k)
{
	struct nvgre_record_cfg r4 = vm(k, 0, false), r6 = vm(k, 0, true);
	struct nvgre_peer_info pi;
	struct nvgre_hit h4, h6;

	if (!nvgre_lookup_ca(v, 5001, &r4.ca, &h4) ||
	    !nvgre_lookup_ca(v, 5001, &r6.ca, &h6))
		return violation(c, "VM address missing", k);
	if (memcmp(h4.mac, h6.mac, 6))
		return violation(c, "VM addresses of two generations", k);
	if (h4.peer != h6.peer || !nvgre_peer_get(v, h4.peer, &pi))
		return violation(c, "VM PA", k);
	if (pi.addr.b[3] != 1 + h4.mac[4] % 4)
		return violation(c, "VM MAC of one generation, PA of another",
				 k);
}

/* The batch: all of it or none of it. */
static void
read_batch(struct ctx *c, const struct nvgre_view *v)
{
	uint32_t found = 0;

	for (uint32_t i = 0; i < BATCH; i++) {
		struct nvgre_record_cfg r = batch_rec(i);
		struct nvgre_hit h;

		found += nvgre_lookup_ca(v, r.vsid, &r.ca, &h);
	}
	if (found != 0 && found != BATCH)
		violation(c, "part of a batch", found);
}

static void
read_route(struct ctx *c, const struct nvgre_view *v)
{
	struct nvgre_route_hit h;

	if (!nvgre_lookup_route(v, 5001, AP("10.1.2.3"), &h))
		return violation(c, "route gone between two versions", 0);
	if (h.nexthop.b[3] != 253 && h.nexthop.b[3] != 254)
		violation(c, "route next hop", h.nexthop.b[3]);
}

struct reader_arg {
	struct ctx *c;
	int id;
};

static void *
reader(void *p)
{
	struct reader_arg *a = p;
	struct ctx *c = a->c;
	uint32_t k = (uint32_t)a->id;

	pthread_barrier_wait(&c->start);
	while (!atomic_load(&c->stop)) {
		/* One view per iteration, as a worker per burst. */
		const struct nvgre_view *v = nvgre_db_view(c->db);

		read_vm(c, v, k++ % VMS);
		if (k % 16 == 0)
			read_batch(c, v);
		read_route(c, v);
		atomic_fetch_add(&c->reads[a->id], 1);
		qsbr_quiescent(&c->q, a->id);
	}
	atomic_store(&c->q.seen[a->id], QSBR_OFFLINE);
	return NULL;
}

static void
writer_setup(struct ctx *c)
{
	struct nvgre_croute_cfg rt[] = {
		{ RD, 5001, P("10.0.0.0/16") },
		{ RD, 5001, P("10.1.0.0/16"), A("10.0.0.254"), 10 },
	};
	struct nvgre_txn *tx = nvgre_txn_begin(c->db);
	struct nvgre_pa_cfg pa = { A("198.51.100.100"), 24, 1, 0 };
	struct nvgre_err err;

	cr_assert(tx);
	cr_assert_eq(nvgre_pa_add(tx, &pa, &err), 0);
	for (uint32_t k = 0; k < VMS; k++)
		for (int v6 = 0; v6 < 2; v6++) {
			struct nvgre_record_cfg r = vm(k, 0, v6);

			cr_assert_eq(nvgre_record_add(tx, &r, &err), 0, "%s",
				     err.msg);
		}
	for (int i = 0; i < 2; i++)
		cr_assert_eq(nvgre_croute_add(tx, &rt[i], &err), 0, "%s",
			     err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
}

/* VM k moves from generation g to g + 1: new MAC and new PA for both
 * addresses, in one transaction. */
static void
writer_migrate(struct ctx *c, uint32_t k, uint32_t g)
{
	struct nvgre_txn *tx = nvgre_txn_begin(c->db);
	struct nvgre_err err;

	cr_assert(tx);
	for (int v6 = 0; v6 < 2; v6++) {
		struct nvgre_record_cfg old = vm(k, g, v6);
		struct nvgre_record_cfg r = vm(k, g + 1, v6);

		cr_assert_eq(nvgre_record_del(tx, 5001, &old.ca, NULL, &err), 0,
			     "%s", err.msg);
		cr_assert_eq(nvgre_record_add(tx, &r, &err), 0, "%s", err.msg);
	}
	cr_assert_eq(nvgre_txn_commit(tx), 0);
}

static void
writer_batch(struct ctx *c, bool add)
{
	struct nvgre_txn *tx = nvgre_txn_begin(c->db);
	struct nvgre_err err;

	cr_assert(tx);
	for (uint32_t i = 0; i < BATCH; i++) {
		struct nvgre_record_cfg r = batch_rec(i);

		if (add)
			cr_assert_eq(nvgre_record_add(tx, &r, &err), 0);
		else
			cr_assert_eq(nvgre_record_del(tx, r.vsid, &r.ca, NULL,
						      &err), 0);
	}
	cr_assert_eq(nvgre_txn_commit(tx), 0);
}

/* Replace the route's next hop: delete and add in one transaction; the
 * 'n'th call (from 0) goes from .254 to .253 when 'n' is even. */
static void
writer_reroute(struct ctx *c, uint32_t n)
{
	struct nvgre_croute_cfg a = { RD, 5001, P("10.1.0.0/16"),
				      A("10.0.0.254"), 10 };
	struct nvgre_croute_cfg b = a;
	struct nvgre_txn *tx = nvgre_txn_begin(c->db);
	struct nvgre_err err;

	b.nexthop = A("10.0.0.253");
	cr_assert(tx);
	cr_assert_eq(nvgre_croute_del(tx, n % 2 ? &b : &a, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(nvgre_croute_add(tx, n % 2 ? &a : &b, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
}

Test(nvgre_concurrency, readers_never_see_half_a_transaction,
     .timeout = 300)
{
	static struct ctx c;
	struct nvgre_rcu rcu = { qsbr_start, qsbr_check, &c.q };
	struct reader_arg ra[READERS];
	pthread_t th[READERS];
	uint32_t gen[VMS] = { 0 };
	uint64_t commits = 0, pending_max = 0;
	uint32_t reroutes = 0;
	bool batch_in = false;
	struct timespec t0, t;

	memset(&c, 0, sizeof(c));
	cr_assert(c.db = nvgre_db_create(&rcu, 0xc0ffee));
	writer_setup(&c);
	cr_assert_eq(pthread_barrier_init(&c.start, NULL, READERS + 1), 0);
	for (int i = 0; i < READERS; i++) {
		ra[i] = (struct reader_arg){ &c, i };
		cr_assert_eq(pthread_create(&th[i], NULL, reader, &ra[i]), 0);
	}
	pthread_barrier_wait(&c.start);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		uint32_t k = (uint32_t)(commits % VMS);
		unsigned int pending;

		writer_migrate(&c, k, gen[k]++);
		commits++;
		if (commits % 50 == 0) {
			batch_in = !batch_in;
			writer_batch(&c, batch_in);
			commits++;
		}
		if (commits % 7 == 0) {
			writer_reroute(&c, reroutes++);
			commits++;
		}
		pending = nvgre_db_reclaim(c.db, false);
		if (pending > pending_max)
			pending_max = pending;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3);
	atomic_store(&c.stop, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	cr_expect_eq(nvgre_db_reclaim(c.db, true), 0);

	printf("nvgre concurrency: %lu commits, reader iterations %lu and %lu, "
	       "at most %lu versions awaiting their grace period\n",
	       (unsigned long)commits, (unsigned long)c.reads[0],
	       (unsigned long)c.reads[1], (unsigned long)pending_max);
	cr_expect_eq(c.violations, 0, "%lu violations, first: %s",
		     (unsigned long)c.violations, c.first);
	cr_expect_gt(commits, 100);
	for (int i = 0; i < READERS; i++)
		cr_expect_gt(c.reads[i], 1000, "reader %d made no progress", i);
	pthread_barrier_destroy(&c.start);
	nvgre_db_destroy(c.db);
}

/* Deterministic: a reader that has not passed a quiescent state keeps the
 * version it holds alive; once it has, the version is freed. */
Test(nvgre_concurrency, old_version_lives_until_grace_period)
{
	static struct ctx c;
	struct nvgre_rcu rcu = { qsbr_start, qsbr_check, &c.q };
	struct nvgre_record_cfg r = vm(1, 0, false);
	const struct nvgre_view *held;
	struct nvgre_err err;
	struct nvgre_hit h;
	size_t bytes;

	memset(&c, 0, sizeof(c));
	atomic_store(&c.q.seen[1], QSBR_OFFLINE);
	cr_assert(c.db = nvgre_db_create(&rcu, 7));
	struct nvgre_txn *tx = nvgre_txn_begin(c.db);
	struct nvgre_pa_cfg pa = { A("198.51.100.100"), 24, 1, 0 };
	cr_assert_eq(nvgre_pa_add(tx, &pa, &err), 0);
	cr_assert_eq(nvgre_record_add(tx, &r, &err), 0);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	qsbr_quiescent(&c.q, 0);
	cr_expect_eq(nvgre_db_reclaim(c.db, false), 0);
	bytes = nvgre_db_bytes(c.db);

	/* Reader 0 takes the view, the writer deletes the record. */
	held = nvgre_db_view(c.db);
	tx = nvgre_txn_begin(c.db);
	cr_assert_eq(nvgre_record_del(tx, r.vsid, &r.ca, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	cr_expect_eq(nvgre_db_reclaim(c.db, false), 1, "held: not freed");
	cr_expect(nvgre_lookup_ca(held, r.vsid, &r.ca, &h),
		  "the held version still answers");
	cr_expect_not(nvgre_lookup_ca(nvgre_db_view(c.db), r.vsid, &r.ca, &h));
	cr_expect_geq(nvgre_db_bytes(c.db), bytes, "both versions live");

	qsbr_quiescent(&c.q, 0);
	cr_expect_eq(nvgre_db_reclaim(c.db, false), 0, "released");
	cr_expect_lt(nvgre_db_bytes(c.db), bytes);
	nvgre_db_destroy(c.db);
}
