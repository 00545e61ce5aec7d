/* Rates: parsing "2.5M" / "100k" / "50%" / "10G", and TSC pacing.
 *
 * The pacer earns tokens from elapsed TSC cycles (rate * cycles / hz) and
 * spends one per frame; tokens are capped so that a stall is not followed
 * by an unbounded burst.  Pure code: no DPDK types. */
#ifndef VSWITCH_BENCH_PKTGEN_RATE_H
#define VSWITCH_BENCH_PKTGEN_RATE_H

#include <stdint.h>

enum pg_rate_kind {
	PG_RATE_UNLIMITED,
	PG_RATE_PPS,
	PG_RATE_PCT,       /* percent of the line rate */
};

struct pg_rate {
	enum pg_rate_kind kind;
	double value;      /* pps or percent */
};

/* "unlimited" | "max" | N[k|K|M|G][pps] | N% ; returns 0 or -1. */
int pg_rate_parse(const char *s, struct pg_rate *r);
/* A count with an optional k/M/G suffix (x1000): "10G", "2.5M", "1e9". */
int pg_si_parse(const char *s, double *out);
/* Frames per second of 'pct' percent of 'line_bps' for frames of
 * 'frame_bytes' (incl. FCS; each also costs 20 bytes of preamble+gap). */
double pg_pct_to_pps(double pct, double line_bps, double frame_bytes);

struct pg_pacer {
	double rate;           /* frames per second, > 0 */
	double per_cycle;      /* frames per TSC cycle */
	double tokens;
	double max_tokens;
	uint64_t last;
};

/* 'burst' is the largest batch the caller asks for; tokens are capped at
 * the larger of 2 * burst and 10 ms worth of frames (a stalled
 * vCPU or a full ring is made up for afterwards). */
void pg_pacer_init(struct pg_pacer *p, double rate_pps, uint64_t hz,
		   uint64_t now, unsigned burst);
/* Earns tokens for the cycles since the last call, then returns how many
 * of 'want' frames may go now (and spends them). */
unsigned pg_pacer_take(struct pg_pacer *p, uint64_t now, unsigned want);
/* Gives back 'n' tokens the caller could not use. */
void pg_pacer_refund(struct pg_pacer *p, unsigned n);

#endif
