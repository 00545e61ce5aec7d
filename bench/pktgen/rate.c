/* Rate parsing and TSC pacing (see rate.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/pktgen/rate.h"

static int
parse_number_suffix(const char *s, double *out, const char **rest)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1e3; end++; break;
	case 'm': case 'M': v *= 1e6; end++; break;
	case 'g': case 'G': v *= 1e9; end++; break;
	default: break;
	}
	*out = v;
	*rest = end;
	return 0;
}

int
pg_si_parse(const char *s, double *out)
{
	const char *rest;

	if (parse_number_suffix(s, out, &rest) < 0)
		return -1;
	/* "10Gbps", "10G", "10e9", "1000bps" */
	if (*rest && strcmp(rest, "bps") != 0 && strcmp(rest, "pps") != 0)
		return -1;
	return 0;
}

int
pg_rate_parse(const char *s, struct pg_rate *r)
{
	const char *rest;
	double v;

	if (!s)
		return -1;
	if (!strcmp(s, "unlimited") || !strcmp(s, "max")) {
		r->kind = PG_RATE_UNLIMITED;
		r->value = 0;
		return 0;
	}
	if (parse_number_suffix(s, &v, &rest) < 0)
		return -1;
	if (!strcmp(rest, "%")) {
		if (v <= 0 || v > 100 ||
		    !(isdigit((unsigned char)rest[-1]) || rest[-1] == '.'))
			return -1;
		r->kind = PG_RATE_PCT;
		r->value = v;
		return 0;
	}
	if (*rest && strcmp(rest, "pps") != 0)
		return -1;
	if (v <= 0)
		return -1;
	r->kind = PG_RATE_PPS;
	r->value = v;
	return 0;
}

double
pg_pct_to_pps(double pct, double line_bps, double frame_bytes)
{
	return pct / 100.0 * line_bps / ((frame_bytes + 20.0) * 8.0);
}

void
pg_pacer_init(struct pg_pacer *p, double rate_pps, uint64_t hz, uint64_t now,
	      unsigned burst)
{
	p->rate = rate_pps;
	p->per_cycle = rate_pps / (double)hz;
	p->max_tokens = rate_pps * 10e-3;
	if (p->max_tokens < 2.0 * burst)
		p->max_tokens = 2.0 * burst;
	p->tokens = 0;
	p->last = now;
}

unsigned
pg_pacer_take(struct pg_pacer *p, uint64_t now, unsigned want)
{
	unsigned n;

	if (now > p->last) {
		p->tokens += (double)(now - p->last) * p->per_cycle;
		p->last = now;
		if (p->tokens > p->max_tokens)
			p->tokens = p->max_tokens;
	}
	n = p->tokens >= want ? want : (unsigned)p->tokens;
	p->tokens -= n;
	return n;
}

void
pg_pacer_refund(struct pg_pacer *p, unsigned n)
{
	p->tokens += n;
}
