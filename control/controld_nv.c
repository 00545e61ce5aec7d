/* The network virtualization tables in controld (docs/nv.md).
 *
 * They live in a store of their own (control/nv.h), not in struct
 * ctl_config, which is cloned, encoded and pushed whole on every change:
 * lookup records go to a million.  The store is persisted as a snapshot
 * plus a journal (control/nv_file.h) next to the configuration file.
 *
 * A change (nv_apply, nv_import) keeps the order of a configuration
 * change: the ops are decoded and applied to the store, keeping the undo
 * -> with vswitchd up, nv_apply to it and wait -> the transaction is
 * appended to the journal and fsynced -> kept, and the client answered.
 * The store holds the change while vswitchd considers it, but nobody reads
 * the store meanwhile: clients wait while a request to vswitchd is out
 * (controld.h).  If vswitchd refuses, goes away or does not answer, the
 * change is rolled back.  If the journal cannot be written after vswitchd
 * accepted, the change is rolled back and the store replayed to vswitchd.
 *
 * Replay.  Once vswitchd has the configuration after its hello, the whole
 * store follows as nv_replay steps: begin, the records in chunks of
 * CTLD_NV_CHUNK, then commit with the small tables.  Each step is a
 * request of its own, and the next one leaves from the answer to the last,
 * so no other request reaches vswitchd, nor changes the store, before the
 * replay is over. */
#define CTLD_LOG_THIS CTLD_LOG_NV
#include "control/controld.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/config_priv.h"
#include "control/nv.h"
#include "control/nv_file.h"

#define ERRSZ 1024
#define CTLD_NV_CHUNK 50000             /* records per nv_replay step */
#define CTLD_NV_PAGE_DEFAULT 1000       /* records per nv_list answer */
#define CTLD_NV_PAGE_MAX 10000

struct ctld_nv {
	struct ctl_nv_store *store;
	struct ctl_nv_file *file;
	uint32_t *sorted;               /* records by (vsid, ca), or NULL */
	uint64_t sorted_gen;            /* the generation 'sorted' is of */
	size_t replay_next;             /* next record nv_replay sends */
	bool replay_committing;         /* the commit step is out */
	uint64_t replay_start_ms;
	unsigned int replay_steps;
};

/* A change on its way through vswitchd. */
struct ctld_nv_change {
	struct ctl_nv_txn txn;
	struct ctl_nv_undo *undo;           /* while not kept or rolled back */
	struct ctl_nv_txn_stats stats;
};

static void change_start(struct ctld *d, const struct ctld_req *r,
			 const char *method);
static int check_ports(const struct ctld *d, const struct ctl_nv_txn *txn,
		       char *err, size_t errsz);
static int change_commit(struct ctld *d, const struct ctld_pending *p);
static void change_refused(struct ctld *d, const struct ctld_pending *p,
			   const char *error, bool lost);
static void change_free(struct ctld *d, struct ctld_nv_change *c);
static void maybe_compact(struct ctld *d);
static void replay_step(struct ctld *d, json_t *result, const char *error);
static void replay_send(struct ctld *d, json_t *params);
static json_t *replay_chunk(struct ctld_nv *nv);
static json_t *replay_commit(const struct ctld_nv *nv);
static json_t *list_records(struct ctld_nv *nv, json_int_t vsid,
			    json_int_t offset, json_int_t limit);
static json_t *list_routes(const struct ctld_nv *nv, json_int_t vsid);
static int list_param(const struct ctld_req *r, const char *key,
		      json_int_t min, json_int_t max, json_int_t *out,
		      char *err, size_t errsz);
static json_t *table_json(enum ctl_nv_op_kind add, const void *items, size_t n,
			  size_t size);
static json_t *status_json(const struct ctld_nv *nv);
static bool same_counts(json_t *a, json_t *b);
static int error_code(int rc);

int
ctld_nv_open(struct ctld *d)
{
	struct ctld_nv *nv = calloc(1, sizeof *nv);
	struct ctl_nv_file_info info;
	struct nv_counts c;
	char err[ERRSZ];

	d->nv = nv;
	if (!nv || !(nv->store = ctl_nv_store_new())) {
		CTLD_LOG(ERR, "out of memory");
		return -1;
	}
	if (ctl_nv_file_open(d->config_path, nv->store, &nv->file, &info, err,
			 sizeof err) < 0) {
		CTLD_LOG(ERR, "%s", err);
		return -1;
	}
	ctl_nv_store_counts(nv->store, &c);
	ctld_log("NV tables: %zu provider addresses, %zu provider routes, %zu "
		 "records, %zu customer routes (snapshot %s, seq %" PRIu64
		 "; journal: %zu transactions, %zu ops)",
		 c.pas, c.pa_routes, c.records, c.routes,
		 info.snapshot ? ctl_nv_file_snapshot_path(nv->file) : "none",
		 info.snapshot_seq, info.replayed_txns, info.replayed_ops);
	if (info.torn_line)
		CTLD_LOG(WARNING, "%s: line %lu was cut short by a crash "
			 "before it was acknowledged: ignored",
			 ctl_nv_file_journal_path(nv->file), info.torn_line);
	if (info.compacted)
		ctld_log("NV journal folded into %s",
			 ctl_nv_file_snapshot_path(nv->file));
	return 0;
}

void
ctld_nv_close(struct ctld *d)
{
	if (!d->nv)
		return;
	ctl_nv_file_close(d->nv->file);
	ctl_nv_store_free(d->nv->store);
	free(d->nv->sorted);
	free(d->nv);
	d->nv = NULL;
}

void
ctld_nv_apply(struct ctld *d, const struct ctld_req *r)
{
	change_start(d, r, "nv_apply");
}

void
ctld_nv_import(struct ctld *d, const struct ctld_req *r)
{
	change_start(d, r, "nv_import");
}

void
ctld_nv_list(struct ctld *d, const struct ctld_req *r)
{
	const char *what = json_string_value(json_object_get(r->params,
							     "what"));
	json_int_t vsid = 0, offset = 0, limit = CTLD_NV_PAGE_DEFAULT;
	const struct ctl_nv_store *s = d->nv->store;
	char err[ERRSZ], q[CTL_QUOTE_SIZE];
	json_t *res = NULL;
	size_t n;

	if (!what) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "what: expected one of records, routes, pa, "
				 "pa_routes");
		return;
	}
	if (list_param(r, "vsid", CTL_NV_VSID_MIN, CTL_NV_VSID_MAX, &vsid, err,
		       sizeof err) < 0
	    || list_param(r, "offset", 0, CTL_NV_MAX_RECORDS, &offset, err,
			  sizeof err) < 0
	    || list_param(r, "limit", 1, CTLD_NV_PAGE_MAX, &limit, err,
			  sizeof err) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "%s", err);
		return;
	}
	if (!strcmp(what, "records")) {
		res = list_records(d->nv, vsid, offset, limit);
	} else if (!strcmp(what, "routes")) {
		res = list_routes(d->nv, vsid);
	} else if (!strcmp(what, "pa")) {
		const struct ctl_nv_pa *pas = ctl_nv_store_pas(s, &n);

		res = json_pack(
			"{s:o}", "pas",
			table_json(CTL_NV_OP_ADD_PA, pas, n, sizeof *pas));
	} else if (!strcmp(what, "pa_routes")) {
		const struct ctl_nv_pa_route *rt =
			ctl_nv_store_pa_routes(s, &n);

		res = json_pack(
			"{s:o}", "pa_routes",
			table_json(CTL_NV_OP_ADD_PA_ROUTE, rt, n, sizeof *rt));
	} else {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "what: '%s' is not one of records, routes, "
				 "pa, pa_routes",
				 ctl_quote(what, q));
		return;
	}
	if (!res)
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "out of memory");
	else
		ctld_reply(d, r->client, r->id, res);
}

void
ctld_nv_status(struct ctld *d, const struct ctld_req *r)
{
	if (ctld_dp_up(d))
		ctld_ask(d, r->client, r->id, CTLD_WAIT_NV_STATUS, "nv_counts",
			 json_object());
	else
		ctld_reply(d, r->client, r->id, json_pack("{s:s, s:o}",
			   "dataplane", "down", "controld",
			   status_json(d->nv)));
}

void
ctld_nv_complete(struct ctld *d, const struct ctld_pending *p,
		 json_t *result, const char *error, bool lost)
{
	json_t *own;

	switch (p->kind) {
	case CTLD_WAIT_NV_APPLY:
		if (error)
			change_refused(d, p, error, lost);
		else if (change_commit(d, p) < 0)
			ctld_nv_replay(d);      /* vswitchd has what we lost */
		break;
	case CTLD_WAIT_NV_REPLAY:
		replay_step(d, result, error);
		break;
	case CTLD_WAIT_NV_STATUS:
		if (error) {
			ctld_reply_error(d, p->client, p->client_id,
					 CTL_RPC_FAILED, "%s", lost
					 && !ctld_dp_up(d)
					 ? "vswitchd is not connected" : error);
			break;
		}
		own = status_json(d->nv);
		ctld_reply(d, p->client, p->client_id, json_pack("{s:s, s:O, "
			   "s:O, s:b}", "dataplane", "up", "controld", own,
			   "vswitchd", result, "in_sync",
			   same_counts(own, result)));
		json_decref(own);
		break;
	default:
		break;
	}
}

void
ctld_nv_replay(struct ctld *d)
{
	struct ctld_nv *nv = d->nv;

	if (!ctld_dp_up(d))
		return;
	nv->replay_next = 0;
	nv->replay_committing = false;
	nv->replay_start_ms = ctld_now_ms();
	nv->replay_steps = 0;
	replay_send(d, json_pack("{s:b}", "begin", 1));
}

bool
ctld_nv_port_in_use(const struct ctld *d, const char *name, char *err,
		    size_t errsz)
{
	const struct ctl_nv_pa *pas;
	char text[CTL_NV_IP_TEXT_SIZE];
	size_t n;

	pas = ctl_nv_store_pas(d->nv->store, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(pas[i].port, name))
			continue;
		ctl_nv_format_ip(&pas[i].addr, text);
		snprintf(err, errsz, "port %s carries provider address %s: "
			 "remove it first (nv del-pa)", name, text);
		return true;
	}
	return false;
}

/* Static helpers: changes. */

static void
change_start(struct ctld *d, const struct ctld_req *r, const char *method)
{
	struct ctld_nv_change *c = calloc(1, sizeof *c);
	json_t *ops = json_object_get(r->params, "ops");
	struct ctld_pending p = {
		.kind = CTLD_WAIT_NV_APPLY, .client = r->client, .nv_change = c,
	};
	char err[ERRSZ];
	int rc;

	if (!c) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "out of memory");
		return;
	}
	ctl_nv_txn_init(&c->txn);
	if (!ops)
		rc = ctl_err(err, sizeof err, -EINVAL, "ops: required "
			     "parameter is missing");
	else
		rc = ctl_nv_txn_from_json(ops, "ops", &c->txn, err, sizeof err);
	if (rc == 0 && c->txn.n_ops == 0)
		rc = ctl_err(err, sizeof err, -EINVAL, "ops: no operations");
	if (rc == 0)
		rc = check_ports(d, &c->txn, err, sizeof err);
	if (rc == 0)
		rc = ctl_nv_store_apply(d->nv->store, &c->txn, &c->undo,
					&c->stats, err, sizeof err);
	if (rc < 0) {
		ctld_reply_error(d, r->client, r->id, error_code(rc), "%s",
				 err);
		change_free(d, c);
		return;
	}
	snprintf(p.what, sizeof p.what, "%s of %zu ops (uid %ld, pid %ld)",
		 method, c->txn.n_ops, (long) r->client->uid,
		 (long) r->client->pid);
	p.client_id = r->id ? json_incref(r->id) : NULL;
	if (!ctld_dp_up(d)) {
		change_commit(d, &p);
	} else if (ctld_dp_call(d, "nv_apply", json_pack("{s:o}", "ops",
			ctl_nv_txn_to_json(&c->txn)), &p) < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "cannot send the change to vswitchd");
		change_free(d, c);
	} else {
		return;         /* ctld_nv_complete() takes it from here */
	}
	json_decref(p.client_id);
}

/* An add-pa names an external port of the configuration. */
static int
check_ports(const struct ctld *d, const struct ctl_nv_txn *txn, char *err,
	    size_t errsz)
{
	for (size_t i = 0; i < txn->n_ops; i++) {
		const struct ctl_nv_op *op = &txn->ops[i];
		int k;

		if (op->kind != CTL_NV_OP_ADD_PA)
			continue;
		k = ctl_config_port_index(d->cfg, op->u.pa.port);
		if (k < 0)
			return ctl_err(err, errsz, -ENOENT,
				       "ops[%zu].port: port %s does not exist",
				       i, op->u.pa.port);
		if (d->cfg->ports[k].type != CTL_PORT_EXTERNAL)
			return ctl_err(err, errsz, -EINVAL, "ops[%zu].port: %s "
				       "is a %s port, not an external port", i,
				       op->u.pa.port, ctl_port_type_name(
					       d->cfg->ports[k].type));
	}
	return 0;
}

/* Journals the change of 'p' and keeps it, or rolls it back; replies
 * either way and frees the change.  Returns 0 or -1. */
static int
change_commit(struct ctld *d, const struct ctld_pending *p)
{
	struct ctld_nv_change *c = p->nv_change;
	struct nv_counts n;
	char err[ERRSZ];

	if (ctl_nv_file_append(d->nv->file, &c->txn, err, sizeof err) < 0) {
		CTLD_LOG(ERR, "%s: not saved: %s", p->what, err);
		ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED,
				 "cannot save the NV tables: %s", err);
		change_free(d, c);
		return -1;
	}
	ctl_nv_store_commit(d->nv->store, c->undo);
	c->undo = NULL;
	ctl_nv_store_counts(d->nv->store, &n);
	ctld_log("%s: records %zu added, %zu replaced, %zu deleted", p->what,
		 c->stats.added, c->stats.replaced, c->stats.deleted);
	ctld_reply(d, p->client, p->client_id, json_pack("{s:I, s:I, s:I, "
		   "s:I, s:I}", "ops", (json_int_t) c->txn.n_ops, "added",
		   (json_int_t) c->stats.added, "replaced",
		   (json_int_t) c->stats.replaced, "deleted",
		   (json_int_t) c->stats.deleted, "records",
		   (json_int_t) n.records));
	change_free(d, c);
	maybe_compact(d);
	return 0;
}

static void
change_refused(struct ctld *d, const struct ctld_pending *p,
	       const char *error, bool lost)
{
	ctld_log("%s: refused: %s", p->what, error);
	ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED, "%s%s",
			 error, lost ? " (nothing was changed)" : "");
	change_free(d, p->nv_change);
}

/* Rolls back what is not kept yet. */
static void
change_free(struct ctld *d, struct ctld_nv_change *c)
{
	if (!c)
		return;
	if (c->undo)
		ctl_nv_store_rollback(d->nv->store, c->undo);
	ctl_nv_txn_free(&c->txn);
	free(c);
}

static void
maybe_compact(struct ctld *d)
{
	struct ctld_nv *nv = d->nv;
	uint64_t start = ctld_now_ms();
	size_t ops = ctl_nv_file_journal_ops(nv->file);
	char err[ERRSZ];

	if (!ctl_nv_file_wants_compact(nv->file, nv->store))
		return;
	if (ctl_nv_file_compact(nv->file, nv->store, err, sizeof err) < 0)
		CTLD_LOG(WARNING, "NV journal not compacted: %s", err);
	else
		ctld_log("NV journal of %zu ops folded into %s in %" PRIu64
			 " ms", ops, ctl_nv_file_snapshot_path(nv->file),
			 ctld_now_ms() - start);
}

/* Static helpers: replay. */

/* The answer to one step; sends the next. */
static void
replay_step(struct ctld *d, json_t *result, const char *error)
{
	struct ctld_nv *nv = d->nv;
	struct nv_counts c;

	(void) result;
	if (error) {
		CTLD_LOG(ERR, "NV replay failed: %s", error);
		return;
	}
	ctl_nv_store_counts(nv->store, &c);
	if (nv->replay_committing) {
		ctld_log("NV tables replayed to vswitchd: %zu provider "
			 "addresses, %zu provider routes, %zu records, %zu "
			 "customer routes in %u steps, %" PRIu64 " ms", c.pas,
			 c.pa_routes, c.records, c.routes, nv->replay_steps,
			 ctld_now_ms() - nv->replay_start_ms);
		return;
	}
	if (nv->replay_next < c.records) {
		replay_send(d, replay_chunk(nv));
		return;
	}
	nv->replay_committing = true;
	replay_send(d, replay_commit(nv));
}

static void
replay_send(struct ctld *d, json_t *params)
{
	struct ctld_pending p = { .kind = CTLD_WAIT_NV_REPLAY };

	d->nv->replay_steps++;
	if (!params || ctld_dp_call(d, "nv_replay", params, &p) < 0)
		CTLD_LOG(ERR, "NV replay: cannot send step %u to vswitchd, "
			 "which keeps the NV tables it had",
			 d->nv->replay_steps);
}

static json_t *
replay_chunk(struct ctld_nv *nv)
{
	struct nv_counts c;
	json_t *records = json_array();
	size_t end;

	ctl_nv_store_counts(nv->store, &c);
	end = nv->replay_next + CTLD_NV_CHUNK < c.records
	      ? nv->replay_next + CTLD_NV_CHUNK : c.records;
	for (size_t i = nv->replay_next; records && i < end; i++) {
		struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_RECORD };

		op.u.record = *ctl_nv_store_record(nv->store, i);
		if (json_array_append_new(records, ctl_nv_elem_to_json(
				CTL_NV_OP_ADD_RECORD, &op)) < 0) {
			json_decref(records);
			return NULL;
		}
	}
	nv->replay_next = end;
	return records ? json_pack("{s:o}", "records", records) : NULL;
}

/* The small tables, and the record count for vswitchd to check. */
static json_t *
replay_commit(const struct ctld_nv *nv)
{
	const struct ctl_nv_pa *pas;
	const struct ctl_nv_pa_route *pa_routes;
	const struct ctl_nv_route *routes;
	size_t n_pas, n_pa_routes, n_routes;
	struct nv_counts c;

	pas = ctl_nv_store_pas(nv->store, &n_pas);
	pa_routes = ctl_nv_store_pa_routes(nv->store, &n_pa_routes);
	routes = ctl_nv_store_routes(nv->store, &n_routes);
	ctl_nv_store_counts(nv->store, &c);
	return json_pack("{s:b, s:o, s:o, s:o, s:I}", "commit", 1, "pas",
			 table_json(CTL_NV_OP_ADD_PA, pas, n_pas, sizeof *pas),
			 "pa_routes",
			 table_json(CTL_NV_OP_ADD_PA_ROUTE, pa_routes,
				    n_pa_routes, sizeof *pa_routes),
			 "routes",
			 table_json(CTL_NV_OP_ADD_ROUTE, routes, n_routes,
				    sizeof *routes),
			 "records", (json_int_t) c.records);
}

/* Static helpers: answers. */

/* A page of the records sorted by (vsid, ca), of one VSID when 'vsid'
 * is not 0.  The sorted order is kept until the store changes. */
static json_t *
list_records(struct ctld_nv *nv, json_int_t vsid, json_int_t offset,
	     json_int_t limit)
{
	uint64_t gen = ctl_nv_store_generation(nv->store);
	size_t lo = 0, hi, n;
	struct nv_counts c;
	json_t *records;

	ctl_nv_store_counts(nv->store, &c);
	hi = c.records;
	if (c.records && (!nv->sorted || nv->sorted_gen != gen)) {
		free(nv->sorted);
		nv->sorted = ctl_nv_store_sorted_records(nv->store);
		nv->sorted_gen = gen;
		if (!nv->sorted)
			return NULL;
	}
	if (vsid) {
		size_t a = 0, b = c.records;

		while (a < b) {         /* first record of 'vsid' */
			size_t m = a + (b - a) / 2;

			if (ctl_nv_store_record(nv->store, nv->sorted[m])->vsid
			    < (uint32_t) vsid)
				a = m + 1;
			else
				b = m;
		}
		lo = hi = a;
		while (hi < c.records && ctl_nv_store_record(nv->store,
				nv->sorted[hi])->vsid == (uint32_t) vsid)
			hi++;
	}
	records = json_array();
	n = hi - lo;
	for (size_t i = lo + (size_t) offset; records && i < hi
	     && i < lo + (size_t) (offset + limit); i++) {
		struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_RECORD };

		op.u.record = *ctl_nv_store_record(nv->store, nv->sorted[i]);
		if (json_array_append_new(records, ctl_nv_elem_to_json(
				CTL_NV_OP_ADD_RECORD, &op)) < 0) {
			json_decref(records);
			return NULL;
		}
	}
	return records ? json_pack("{s:I, s:I, s:I, s:o}", "total",
				   (json_int_t) n, "offset", offset,
				   "generation", (json_int_t) (gen & INT64_MAX),
				   "records", records) : NULL;
}

/* Each on-link route with its virtual gateway, given or not. */
static json_t *
list_routes(const struct ctld_nv *nv, json_int_t vsid)
{
	const struct ctl_nv_route *routes;
	json_t *list = json_array();
	size_t n;

	routes = ctl_nv_store_routes(nv->store, &n);
	for (size_t i = 0; list && i < n; i++) {
		struct ctl_nv_op op = {.kind = CTL_NV_OP_ADD_ROUTE,
				       .u.route = routes[i]};
		char text[CTL_NV_IP_TEXT_SIZE];
		struct ctl_nv_ip gw;
		json_t *v;

		if (vsid && routes[i].vsid != (uint32_t) vsid)
			continue;
		v = ctl_nv_elem_to_json(CTL_NV_OP_ADD_ROUTE, &op);
		if (v && ctl_nv_ip_is_zero(&routes[i].next_hop)) {
			ctl_nv_route_gateway(&routes[i], &gw);
			ctl_nv_format_ip(&gw, text);
			json_object_set_new(v, "virtual_gateway",
					    json_string(text));
		}
		if (json_array_append_new(list, v) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list ? json_pack("{s:o}", "routes", list) : NULL;
}

/* The integer parameter 'key', when given, in 'min'..'max'. */
static int
list_param(const struct ctld_req *r, const char *key, json_int_t min,
	   json_int_t max, json_int_t *out, char *err, size_t errsz)
{
	json_t *v = json_object_get(r->params, key);

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return ctl_err(err, errsz, -EINVAL,
			       "%s: expected an integer, got %s",
			       key, ctl_json_type_name(v));
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return ctl_err(err, errsz, -EINVAL, "%s: %lld is out of range "
			       "(%lld-%lld)", key,
			       (long long) json_integer_value(v),
			       (long long) min, (long long) max);
	*out = json_integer_value(v);
	return 0;
}

/* An array of the elements of one small table. */
static json_t *
table_json(enum ctl_nv_op_kind add, const void *items, size_t n, size_t size)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < n; i++) {
		struct ctl_nv_op op = { .kind = add };

		memcpy(&op.u, (const char *) items + i * size, size);
		if (json_array_append_new(list, ctl_nv_elem_to_json(add, &op))
		    < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* Counts and digest (as vswitchd's nv_counts gives them), and the
 * files. */
static json_t *
status_json(const struct ctld_nv *nv)
{
	char digest[17];
	struct nv_counts c;

	ctl_nv_store_counts(nv->store, &c);
	snprintf(digest, sizeof digest, "%016" PRIx64,
		 ctl_nv_store_digest(nv->store));
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:I}", "pas",
		(json_int_t) c.pas, "pa_routes", (json_int_t) c.pa_routes,
		"records", (json_int_t) c.records, "routes",
		(json_int_t) c.routes, "digest", digest, "memory_bytes",
		(json_int_t) ctl_nv_store_memory(nv->store), "snapshot",
		ctl_nv_file_snapshot_path(nv->file), "journal",
		ctl_nv_file_journal_path(nv->file), "journal_ops",
		(json_int_t) ctl_nv_file_journal_ops(nv->file), "seq",
		(json_int_t) ctl_nv_file_seq(nv->file));
}

static bool
same_counts(json_t *a, json_t *b)
{
	static const char *const keys[] = {
		"pas", "pa_routes", "records", "routes", "digest",
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!json_equal(json_object_get(a, keys[i]),
				json_object_get(b, keys[i])))
			return false;
	return true;
}

/* Bad values are the caller's; a state that does not allow the change
 * (missing, duplicate, full) is a failure of the operation. */
static int
error_code(int rc)
{
	return rc == -EINVAL ? CTL_RPC_INVALID_PARAMS : CTL_RPC_FAILED;
}
