/* Results: the JSON of docs/pktgen.md and a human summary. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "bench/pktgen/pktgen.h"

static json_t *
latency_json(const struct pg_hist *h)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
			 "min", (json_int_t)pg_hist_min(h),
			 "mean", (json_int_t)pg_hist_mean(h),
			 "p50", (json_int_t)pg_hist_quantile(h, 0.50),
			 "p99", (json_int_t)pg_hist_quantile(h, 0.99),
			 "p999", (json_int_t)pg_hist_quantile(h, 0.999),
			 "max", (json_int_t)(h->count ? h->max : 0));
}

static json_t *
ports_json(const uint16_t *list, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_integer(list[i]));
	return a;
}

static const char *
stamp_name(enum pg_stamp_kind k)
{
	return k == PG_STAMP_FULL ? "full" : k == PG_STAMP_COMPACT
					     ? "compact" : "none";
}

static json_t *
config_json(const struct pg *g, const struct pg_result *res)
{
	const struct pg_opts *o = &g->o;
	json_t *c, *ports = json_array();
	double size = o->pcap ? g->pcap.mean_size
		    : o->imix ? pg_imix_mean() : o->size;

	for (unsigned i = 0; i < o->n_ports; i++)
		json_array_append_new(ports, json_string(o->ports[i]));
	c = json_pack("{s:I,s:b,s:I,s:f,s:f,s:o}",
		      "size", (json_int_t)(size + 0.5),
		      "imix", o->imix,
		      "flows", (json_int_t)o->flows,
		      "rate_pps", res->rate_pps,
		      "duration_s", o->rfc2544 && o->trial_s > 0 ? o->trial_s
							       : o->duration_s,
		      "ports", ports);
	json_object_set_new(c, "tx_ports", ports_json(o->tx, o->n_tx));
	json_object_set_new(c, "rx_ports", ports_json(o->rx, o->n_rx));
	json_object_set_new(c, "warmup_s", json_real(o->warmup_s));
	json_object_set_new(c, "drain_ms", json_integer(o->drain_ms));
	json_object_set_new(c, "src_macs", json_integer(o->src_macs));
	json_object_set_new(c, "dst_macs", json_integer(o->dst_macs));
	json_object_set_new(c, "vlan", o->vlan >= 0 ? json_integer(o->vlan)
						     : json_null());
	json_object_set_new(c, "nvgre", json_boolean(o->nvgre));
	if (o->nvgre) {
		json_object_set_new(c, "vsid", json_integer(o->vsid));
		json_object_set_new(c, "vsids", json_integer(o->vsids));
	}
	json_object_set_new(c, "pcap", o->pcap ? json_string(o->pcap)
					       : json_null());
	json_object_set_new(c, "learn", json_boolean(o->learn));
	json_object_set_new(c, "tx_frame_bytes", json_real(g->tx_frame_bytes));
	json_object_set_new(c, "line_rate_bps", json_real(o->line_rate_bps));
	json_object_set_new(c, "stamp", json_string(stamp_name(g->stamp)));
	json_object_set_new(c, "measured_s", json_real(res->duration_s));
	json_object_set_new(c, "interrupted", json_boolean(res->interrupted));
	json_object_set_new(c, "tsc_hz", json_integer((json_int_t)g->hz));
	return c;
}

static json_t *
result_json(const struct pg *g, const struct pg_result *res)
{
	json_t *root = json_object(), *tx = json_array(), *rx = json_array();

	json_object_set_new(root, "config", config_json(g, res));
	for (unsigned i = 0; i < res->n_tx; i++) {
		const struct pg_tx_res *t = &res->tx[i];

		json_array_append_new(tx, json_pack(
			"{s:i,s:I,s:I,s:f,s:f,s:I,s:I}",
			"port", t->port, "packets", (json_int_t)t->packets,
			"bytes", (json_int_t)t->bytes, "pps", t->pps,
			"gbps", t->gbps, "unstamped",
			(json_int_t)t->unstamped, "ring_full",
			(json_int_t)t->ring_full));
	}
	json_object_set_new(root, "tx", tx);
	for (unsigned i = 0; i < res->n_rx; i++) {
		const struct pg_rx_res *r = &res->rx[i];
		json_t *o = json_pack(
			"{s:i,s:I,s:I,s:f,s:f,s:I,s:f,s:I,s:I,s:I}",
			"port", r->port, "packets", (json_int_t)r->packets,
			"bytes", (json_int_t)r->bytes, "pps", r->pps,
			"gbps", r->gbps, "lost", (json_int_t)r->lost,
			"loss_pct", r->loss_pct,
			"reordered", (json_int_t)r->reordered,
			"duplicates", (json_int_t)r->duplicates,
			"foreign", (json_int_t)r->foreign);

		json_object_set_new(o, "latency_ns", latency_json(&r->hist));
		json_object_set_new(o, "sent",
				    json_integer((json_int_t)r->sent));
		json_object_set_new(o, "misdirected",
				    json_integer((json_int_t)r->misdirected));
		json_object_set_new(o, "stale",
				    json_integer((json_int_t)r->stale));
		json_object_set_new(o, "late",
				    json_integer((json_int_t)r->late));
		json_array_append_new(rx, o);
	}
	json_object_set_new(root, "rx", rx);
	json_object_set_new(root, "summary", json_pack(
		"{s:f,s:f,s:f,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"tx_pps", res->tx_pps, "rx_pps", res->rx_pps,
		"rx_mpps", res->rx_pps / 1e6,
		"lost", (json_int_t)res->lost, "loss_pct", res->loss_pct,
		"reordered", (json_int_t)res->reordered,
		"duplicates", (json_int_t)res->duplicates,
		"p50_ns", (json_int_t)pg_hist_quantile(&res->hist, 0.50),
		"p99_ns", (json_int_t)pg_hist_quantile(&res->hist, 0.99),
		"p999_ns", (json_int_t)pg_hist_quantile(&res->hist, 0.999),
		"max_ns", (json_int_t)(res->hist.count ? res->hist.max : 0),
		"min_ns", (json_int_t)pg_hist_min(&res->hist),
		"mean_ns", (json_int_t)pg_hist_mean(&res->hist),
		"sent", (json_int_t)res->sent));
	return root;
}

static json_t *
rfc_json(const struct pg *g, const struct pg_rfc_result *rfc)
{
	json_t *trials = json_array();

	for (int i = 0; i < rfc->n_trials; i++) {
		const struct pg_rfc_trial *t = &rfc->trials[i];

		json_array_append_new(trials, json_pack(
			"{s:f,s:f,s:f,s:f,s:b}", "rate_pps", t->rate_pps,
			"tx_pps", t->tx_pps, "rx_pps", t->rx_pps,
			"loss_pct", t->loss_pct, "pass", t->pass));
	}
	return json_pack("{s:f,s:f,s:o,s:f,s:i}",
			 "throughput_pps", rfc->throughput_pps,
			 "loss_tolerance_pct", g->o.loss_tolerance_pct,
			 "trials", trials,
			 "resolution_pct", g->o.resolution_pct,
			 "best_trial", rfc->best);
}

int
pg_report_json(const struct pg *g, const struct pg_result *res,
	       const struct pg_rfc_result *rfc, const char *path)
{
	json_t *root = result_json(g, res);
	int rc;

	json_object_set_new(root, "rfc2544", rfc ? rfc_json(g, rfc)
						 : json_null());
	if (!strcmp(path, "-")) {
		rc = json_dumpf(root, stdout, JSON_INDENT(2) |
				JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	} else {
		rc = json_dump_file(root, path, JSON_INDENT(2) |
				    JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(10));
	}
	json_decref(root);
	return rc;
}

void
pg_report_text(const struct pg *g, const struct pg_result *res)
{
	(void)g;
	printf("pktgen: %.2fs measured: tx %.3f Mpps, rx %.3f Mpps, lost "
	       "%llu (%.4f%%), reordered %llu, duplicates %llu; latency us "
	       "p50 %.1f p99 %.1f p99.9 %.1f max %.1f%s\n", res->duration_s,
	       res->tx_pps / 1e6, res->rx_pps / 1e6,
	       (unsigned long long)res->lost, res->loss_pct,
	       (unsigned long long)res->reordered,
	       (unsigned long long)res->duplicates,
	       (double)pg_hist_quantile(&res->hist, 0.50) / 1e3,
	       (double)pg_hist_quantile(&res->hist, 0.99) / 1e3,
	       (double)pg_hist_quantile(&res->hist, 0.999) / 1e3,
	       (double)(res->hist.count ? res->hist.max : 0) / 1e3,
	       res->interrupted ? " (interrupted)" : "");
	fflush(stdout);
}
