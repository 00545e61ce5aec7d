/* Receive-side accounting: a latency histogram and a sequence tracker.
 *
 * Pure code: no DPDK types, no allocation on the per-frame path. */
#ifndef VSWITCH_BENCH_PKTGEN_STATS_H
#define VSWITCH_BENCH_PKTGEN_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* Log-linear histogram: values below 32 have a bucket each; above, every
 * power-of-two range [2^k, 2^(k+1)) is split into 32 equal sub-buckets,
 * so a bucket is at most 1/32 (3 %) of its values wide. */
#define PG_HIST_SUB_BITS 5
#define PG_HIST_SUB (1u << PG_HIST_SUB_BITS)
#define PG_HIST_BUCKETS ((64 - PG_HIST_SUB_BITS + 1) * PG_HIST_SUB)

struct pg_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t b[PG_HIST_BUCKETS];
};

void pg_hist_reset(struct pg_hist *h);
unsigned pg_hist_bucket(uint64_t v);
/* Smallest value of bucket 'i' and its width. */
uint64_t pg_hist_bucket_low(unsigned i);
uint64_t pg_hist_bucket_width(unsigned i);

static inline void
pg_hist_add(struct pg_hist *h, uint64_t v)
{
	h->b[pg_hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void pg_hist_merge(struct pg_hist *dst, const struct pg_hist *src);
/* The q-quantile (0 < q <= 1), interpolated inside its bucket and clamped
 * to [min, max]; 0 for an empty histogram. */
uint64_t pg_hist_quantile(const struct pg_hist *h, double q);
uint64_t pg_hist_mean(const struct pg_hist *h);
/* min, or 0 when empty */
uint64_t pg_hist_min(const struct pg_hist *h);

/* Sequence tracker for one (tx port, stream) as seen by one rx port.
 * 'highest' is the highest sequence number seen; a bitmap remembers the
 * PG_SEQ_WINDOW numbers at and below it, so a frame below 'highest' is a
 * duplicate if its bit is set, else reordered (and unique).  Frames older
 * than the window count as reordered and unique ('late'). */
#define PG_SEQ_WINDOW 8192u

enum pg_seq_result {
	PG_SEQ_NEW,        /* in order */
	PG_SEQ_REORDERED,  /* below the highest seen, not seen before */
	PG_SEQ_DUPLICATE,
};

struct pg_seq {
	bool any;
	uint64_t highest;
	uint64_t unique;
	uint64_t reordered;
	uint64_t duplicates;
	uint64_t late;       /* reordered by more than the window */
	uint64_t bits[PG_SEQ_WINDOW / 64];
};

void pg_seq_reset(struct pg_seq *s);
enum pg_seq_result pg_seq_add(struct pg_seq *s, uint64_t seq);
/* Extends a 32-bit sequence number to the 64-bit value nearest 'highest'. */
uint64_t pg_seq_extend32(const struct pg_seq *s, uint32_t seq32);

#endif
