/* RFC 2544 throughput: binary search for the highest rate whose loss is
 * at most the tolerance.  The search logic is pure; the trials are run
 * by a callback (the real one sends traffic, tests pass a fake).
 *
 * The first trial runs at the upper bound: the given rate, or unlimited
 * (rate 0) when none is given, in which case the rate that trial reached
 * becomes the upper bound.  If it passes, it is the throughput.  Else
 * the search halves [lo, hi] (lo = 0 or the best passing rate, hi = the
 * lowest failing rate) until hi - lo <= resolution_pct of the step base
 * (the line rate when given, else the upper bound). */
#ifndef VSWITCH_BENCH_PKTGEN_RFC2544_H
#define VSWITCH_BENCH_PKTGEN_RFC2544_H

#include <stdbool.h>

#define PG_RFC_MAX_TRIALS 40

struct pg_rfc_trial {
	double rate_pps;     /* offered rate; 0 = unlimited */
	double tx_pps;       /* reached */
	double rx_pps;
	double loss_pct;
	bool pass;
};

struct pg_rfc_params {
	double upper_pps;        /* 0: first trial unlimited */
	double step_base_pps;    /* 0: the upper bound */
	double resolution_pct;   /* > 0 */
	double loss_tolerance_pct;
	int max_trials;          /* <= PG_RFC_MAX_TRIALS */
};

struct pg_rfc_result {
	double throughput_pps;   /* tx rate of the best passing trial, or 0 */
	int best;                /* index of that trial, -1 if none passed */
	int n_trials;
	struct pg_rfc_trial trials[PG_RFC_MAX_TRIALS];
};

/* Runs trial 'index' at 'rate_pps' (0 = unlimited); fills tx_pps, rx_pps,
 * loss_pct.  Returns 0, or < 0 to stop the search (e.g. interrupted). */
typedef int (*pg_rfc_trial_fn)(void *ctx, int index, double rate_pps,
			       struct pg_rfc_trial *out);

/* Returns 0, or the callback's error (results so far are kept). */
int pg_rfc2544_search(const struct pg_rfc_params *p, pg_rfc_trial_fn fn,
		      void *ctx, struct pg_rfc_result *r);

#endif
