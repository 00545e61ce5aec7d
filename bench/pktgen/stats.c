/* Latency histogram and sequence tracker (see stats.h). */
#include <string.h>

#include "bench/pktgen/stats.h"

void
pg_hist_reset(struct pg_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned
pg_hist_bucket(uint64_t v)
{
	unsigned k;

	if (v < PG_HIST_SUB)
		return (unsigned)v;
	k = 63u - (unsigned)__builtin_clzll(v);    /* k >= SUB_BITS */
	return (k - PG_HIST_SUB_BITS + 1) * PG_HIST_SUB +
	       (unsigned)((v >> (k - PG_HIST_SUB_BITS)) & (PG_HIST_SUB - 1));
}

uint64_t
pg_hist_bucket_low(unsigned i)
{
	unsigned k;

	if (i < PG_HIST_SUB)
		return i;
	k = i / PG_HIST_SUB + PG_HIST_SUB_BITS - 1;
	return (uint64_t)(PG_HIST_SUB + i % PG_HIST_SUB)
	       << (k - PG_HIST_SUB_BITS);
}

uint64_t
pg_hist_bucket_width(unsigned i)
{
	if (i < PG_HIST_SUB)
		return 1;
	return 1ull << (i / PG_HIST_SUB - 1);
}

void
pg_hist_merge(struct pg_hist *dst, const struct pg_hist *src)
{
	for (unsigned i = 0; i < PG_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
pg_hist_quantile(const struct pg_hist *h, double q)
{
	uint64_t rank, cum = 0;
	double v;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (unsigned i = 0; i < PG_HIST_BUCKETS; i++) {
		if (cum + h->b[i] < rank) {
			cum += h->b[i];
			continue;
		}
		/* rank-th value lies in bucket i: spread its values evenly */
		v = (double)pg_hist_bucket_low(i) +
		    (double)pg_hist_bucket_width(i) *
		    ((double)(rank - cum) - 0.5) / (double)h->b[i];
		if (v < (double)h->min)
			return h->min;
		if (v > (double)h->max)
			return h->max;
		return (uint64_t)v;
	}
	return h->max;
}

uint64_t
pg_hist_mean(const struct pg_hist *h)
{
	return h->count ? h->sum / h->count : 0;
}

uint64_t
pg_hist_min(const struct pg_hist *h)
{
	return h->count ? h->min : 0;
}

void
pg_seq_reset(struct pg_seq *s)
{
	memset(s, 0, sizeof(*s));
}

static inline void
seq_set(struct pg_seq *s, uint64_t seq)
{
	uint64_t b = seq % PG_SEQ_WINDOW;

	s->bits[b / 64] |= 1ull << (b % 64);
}

static inline bool
seq_test(const struct pg_seq *s, uint64_t seq)
{
	uint64_t b = seq % PG_SEQ_WINDOW;

	return s->bits[b / 64] >> (b % 64) & 1;
}

/* Clears the bits of the numbers (from, to]. */
static void
seq_clear_range(struct pg_seq *s, uint64_t from, uint64_t to)
{
	if (to - from >= PG_SEQ_WINDOW) {
		memset(s->bits, 0, sizeof(s->bits));
		return;
	}
	for (uint64_t q = from + 1; q <= to; ) {
		uint64_t b = q % PG_SEQ_WINDOW;

		if (b % 64 == 0 && to - q >= 63) {
			s->bits[b / 64] = 0;
			q += 64;
		} else {
			s->bits[b / 64] &= ~(1ull << (b % 64));
			q++;
		}
	}
}

enum pg_seq_result
pg_seq_add(struct pg_seq *s, uint64_t seq)
{
	if (!s->any) {
		s->any = true;
		s->highest = seq;
		memset(s->bits, 0, sizeof(s->bits));
		seq_set(s, seq);
		s->unique++;
		return PG_SEQ_NEW;
	}
	if (seq > s->highest) {
		seq_clear_range(s, s->highest, seq);
		seq_set(s, seq);
		s->highest = seq;
		s->unique++;
		return PG_SEQ_NEW;
	}
	if (s->highest - seq >= PG_SEQ_WINDOW) {
		s->late++;
		s->reordered++;
		s->unique++;
		return PG_SEQ_REORDERED;
	}
	if (seq_test(s, seq)) {
		s->duplicates++;
		return PG_SEQ_DUPLICATE;
	}
	seq_set(s, seq);
	s->reordered++;
	s->unique++;
	return PG_SEQ_REORDERED;
}

uint64_t
pg_seq_extend32(const struct pg_seq *s, uint32_t seq32)
{
	uint64_t h, c;

	if (!s->any)
		return seq32;
	h = s->highest;
	c = (h & ~0xffffffffull) | seq32;
	if (c + 0x80000000ull < h)
		c += 0x100000000ull;
	else if (c > h + 0x80000000ull && c >= 0x100000000ull)
		c -= 0x100000000ull;
	return c;
}
