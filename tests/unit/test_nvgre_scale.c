/* Scale of the nvgre tables: 1,000,000 lookup records load, all of them
 * are found, memory per record stays compact; 100,000 records load as one
 * transaction on top of them, invisible until the commit; a single change
 * at that size stays cheap.  Figures are printed for bench/README.md. */
#include <criterion/criterion.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nvgre/tables.h"
#include "tests/unit/nvgre_helpers.h"

#define N_RECORDS 1000000u
#define N_BULK 100000u
#define N_HOSTS 1000u           /* remote PAs */
#define PER_VSID 1000u          /* CAs per VSID */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Resident set size of this process, bytes. */
static size_t
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, rss = 0;

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4096;
}

/* Record i: VSID 10000 + i / 1000, CA 10.(i>>16).(i>>8).(i) -- unique
 * within its VSID --, MAC i + 1, PA 198.18.x.y of host i % 1000. */
static struct nvgre_record_cfg
rec(uint32_t i)
{
	struct nvgre_record_cfg r;
	uint32_t host = i % N_HOSTS;

	memset(&r, 0, sizeof(r));
	r.vsid = 10000 + i / PER_VSID;
	r.ca.family = NVGRE_AF_IPV4;
	r.ca.b[0] = 10;
	r.ca.b[1] = (uint8_t)(i >> 16);
	r.ca.b[2] = (uint8_t)(i >> 8);
	r.ca.b[3] = (uint8_t)i;
	M(r.mac, i + 1);
	r.pa.family = NVGRE_AF_IPV4;
	r.pa.b[0] = 198;
	r.pa.b[1] = 18;
	r.pa.b[2] = (uint8_t)(host >> 8);
	r.pa.b[3] = (uint8_t)(host + 1);
	r.rule = NVGRE_RULE_ENCAP;
	return r;
}

/* Loads records [from, to) in one transaction; returns seconds. */
static double
load(struct nvgre_db *db, uint32_t from, uint32_t to)
{
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	struct nvgre_err err;
	double t0 = now_s();

	cr_assert(tx);
	for (uint32_t i = from; i < to; i++) {
		struct nvgre_record_cfg r = rec(i);

		cr_assert_eq(nvgre_record_add(tx, &r, &err), 0, "record %u: %s",
			     i, err.msg);
	}
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	return now_s() - t0;
}

/* Looks up records [from, to) by CA and checks MAC and PA; returns
 * seconds. */
static double
check_all(const struct nvgre_view *v, uint32_t from, uint32_t to)
{
	double t0 = now_s();
	uint32_t bad = 0;

	for (uint32_t i = from; i < to; i++) {
		struct nvgre_record_cfg r = rec(i);
		struct nvgre_peer_info pi;
		struct nvgre_hit h;

		if (!nvgre_lookup_ca(v, r.vsid, &r.ca, &h) ||
		    memcmp(h.mac, r.mac, 6) ||
		    !nvgre_peer_get(v, h.peer, &pi) ||
		    !nvgre_addr_eq(&pi.addr, &r.pa))
			bad++;
	}
	cr_assert_eq(bad, 0, "%u of %u records wrong", bad, to - from);
	return now_s() - t0;
}

Test(nvgre_scale, one_million_records, .timeout = 600)
{
	size_t rss0 = rss_bytes(), bytes0;
	struct nvgre_db *db = h_db();
	double t_load = 0, t_look, t_bulk;
	struct nvgre_stats st;
	struct nvgre_hit h;
	size_t bytes;

	nvgre_db_reclaim(db, true);
	bytes0 = nvgre_db_bytes(db);
	/* Ten imports of 100,000. */
	for (uint32_t i = 0; i < N_RECORDS; i += N_BULK)
		t_load += load(db, i, i + N_BULK);
	nvgre_db_reclaim(db, true);
	malloc_trim(0);      /* RSS without what malloc merely keeps */
	bytes = nvgre_db_bytes(db) - bytes0;
	nvgre_view_stats(nvgre_db_view(db), &st);
	cr_assert_eq(st.records, N_RECORDS);
	cr_assert_eq(st.vsids, N_RECORDS / PER_VSID);
	cr_assert_eq(st.peers, N_HOSTS);
	t_look = check_all(nvgre_db_view(db), 0, N_RECORDS);

	printf("nvgre scale: %u records loaded in %.2f s (%.2f us/record), "
	       "%zu bytes of tables = %.1f bytes/record, RSS +%.1f MB\n",
	       N_RECORDS, t_load, t_load * 1e6 / N_RECORDS, bytes,
	       (double)bytes / N_RECORDS, (rss_bytes() - rss0) / 1e6);
	printf("nvgre scale: %u lookups by CA (+ MAC, PA) in %.3f s = "
	       "%.0f ns each, single thread\n", N_RECORDS, t_look,
	       t_look * 1e9 / N_RECORDS);
	/* The same lookups over a working set that stays in cache, as
	 * the active flows of a host mostly do: lookups alone, keys made
	 * beforehand. */
	static struct nvgre_record_cfg hot[1024];
	uint32_t found = 0;
	for (uint32_t i = 0; i < 1024; i++)
		hot[i] = rec(i * 977);
	double t_hot = now_s();
	for (int round = 0; round < 1000; round++)
		for (uint32_t i = 0; i < 1024; i++)
			found += nvgre_lookup_ca(nvgre_db_view(db), hot[i].vsid,
						 &hot[i].ca, &h);
	t_hot = now_s() - t_hot;
	cr_assert_eq(found, 1000 * 1024);
	printf("nvgre scale: lookups by CA over 1024 hot records: %.0f ns "
	       "each\n", t_hot * 1e9 / (1000 * 1024));
	cr_expect_lt((double)bytes / N_RECORDS, 100.0,
		     "%.1f bytes per record", (double)bytes / N_RECORDS);

	/* 100,000 more as one transaction: built off to the side, so the
	 * published view shows none of them until the commit. */
	struct nvgre_txn *tx = nvgre_txn_begin(db);
	struct nvgre_record_cfg first = rec(N_RECORDS);
	struct nvgre_err err;
	double t0 = now_s();

	cr_assert(tx);
	for (uint32_t i = N_RECORDS; i < N_RECORDS + N_BULK; i++) {
		struct nvgre_record_cfg r = rec(i);

		cr_assert_eq(nvgre_record_add(tx, &r, &err), 0, "%s", err.msg);
	}
	cr_expect_not(nvgre_lookup_ca(nvgre_db_view(db), first.vsid,
				      &first.ca, &h));
	cr_expect(nvgre_lookup_ca(nvgre_txn_view(tx), first.vsid, &first.ca,
				  &h));
	cr_assert_eq(nvgre_txn_commit(tx), 0);
	t_bulk = now_s() - t0;
	check_all(nvgre_db_view(db), 0, N_RECORDS + N_BULK);
	printf("nvgre scale: %u records as one transaction on top of %u in "
	       "%.2f s\n", N_BULK, N_RECORDS, t_bulk);

	/* One change at this size copies one shard per map touched. */
	double t1 = now_s();
	for (uint32_t i = 0; i < 1000; i++) {
		struct nvgre_record_cfg r = rec(2 * N_RECORDS + i);

		cr_assert_eq(h_add(db, &r, &err), 0, "%s", err.msg);
	}
	printf("nvgre scale: single-record transactions at %u records: "
	       "%.1f us each\n", N_RECORDS + N_BULK,
	       (now_s() - t1) * 1e6 / 1000);
	nvgre_db_destroy(db);
}
