/* RFC 2544 throughput search (see rfc2544.h). */
#include <string.h>

#include "bench/pktgen/rfc2544.h"

static int
run_trial(const struct pg_rfc_params *p, pg_rfc_trial_fn fn, void *ctx,
	  struct pg_rfc_result *r, double rate, struct pg_rfc_trial **t)
{
	int rc;

	*t = &r->trials[r->n_trials];
	memset(*t, 0, sizeof(**t));
	(*t)->rate_pps = rate;
	rc = fn(ctx, r->n_trials, rate, *t);
	if (rc < 0)
		return rc;
	(*t)->rate_pps = rate;
	(*t)->pass = (*t)->loss_pct <= p->loss_tolerance_pct;
	if ((*t)->pass &&
	    (r->best < 0 || (*t)->tx_pps > r->trials[r->best].tx_pps)) {
		r->best = r->n_trials;
		r->throughput_pps = (*t)->tx_pps;
	}
	r->n_trials++;
	return 0;
}

int
pg_rfc2544_search(const struct pg_rfc_params *p, pg_rfc_trial_fn fn,
		  void *ctx, struct pg_rfc_result *r)
{
	int max = p->max_trials > 0 && p->max_trials <= PG_RFC_MAX_TRIALS
		? p->max_trials : PG_RFC_MAX_TRIALS;
	struct pg_rfc_trial *t;
	double lo = 0, hi, step;
	int rc;

	memset(r, 0, sizeof(*r));
	r->best = -1;
	rc = run_trial(p, fn, ctx, r, p->upper_pps, &t);
	if (rc < 0 || t->pass)
		return rc;
	hi = p->upper_pps > 0 ? p->upper_pps : t->tx_pps;
	step = (p->step_base_pps > 0 ? p->step_base_pps : hi) *
	       p->resolution_pct / 100.0;
	if (step <= 0 || hi <= 0)
		return 0;
	while (r->n_trials < max && hi - lo > step) {
		double mid = (lo + hi) / 2;

		rc = run_trial(p, fn, ctx, r, mid, &t);
		if (rc < 0)
			return rc;
		if (t->pass)
			lo = mid;
		else
			hi = mid;
	}
	return 0;
}
