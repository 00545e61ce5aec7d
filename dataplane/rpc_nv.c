/* The NV methods of vswitchd (rpc_nv.h). */
#define DP_LOG_THIS DP_LOG_NV

#include "dataplane/rpc_nv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control/nv.h"
#include "dataplane/dp.h"
#include "dataplane/log.h"
#include "dataplane/nv_dp.h"

struct dp_nv {
	struct ctl_nv_store *store;         /* what controld last gave */
	struct ctl_nv_store *staging;       /* a replay being built, or NULL */
	unsigned int chunks;                /* record chunks staged */
};

static struct dp_nv *nv_get(struct dp *dp, char *err, size_t errsz);
static json_t *replay_begin(struct dp_nv *nv, char *err, size_t errsz);
static json_t *replay_records(struct dp_nv *nv, json_t *records,
			      char *err, size_t errsz);
static json_t *replay_commit(struct dp *dp, struct dp_nv *nv,
			     json_t *params, char *err, size_t errsz);
static int load_table(struct ctl_nv_store *s, json_t *params, const char *key,
		      enum ctl_nv_op_kind add, char *err, size_t errsz);
static void replay_drop(struct dp_nv *nv);

/* The records that the record ops of 'txn' will replace or delete, as
 * 's' holds them now (a delete op names only the key).  0 or -ENOMEM. */
static int
prev_records(const struct ctl_nv_store *s, const struct ctl_nv_txn *txn,
	     struct ctl_nv_record **prev, bool **has_prev)
{
	*prev = calloc(txn->n_ops ? txn->n_ops : 1, sizeof(**prev));
	*has_prev = calloc(txn->n_ops ? txn->n_ops : 1, sizeof(**has_prev));
	if (!*prev || !*has_prev)
		return -ENOMEM;
	for (size_t i = 0; i < txn->n_ops; i++) {
		const struct ctl_nv_op *op = &txn->ops[i];
		const struct ctl_nv_record *r;

		if (op->kind != CTL_NV_OP_ADD_RECORD &&
		    op->kind != CTL_NV_OP_DEL_RECORD)
			continue;
		r = ctl_nv_store_find_record(s, &op->u.record);
		if (r) {
			(*prev)[i] = *r;
			(*has_prev)[i] = true;
		}
	}
	return 0;
}

json_t *
dp_rpc_nv_apply(struct dp *dp, json_t *params, char *err, size_t errsz)
{
	struct dp_nv *nv = nv_get(dp, err, errsz);
	json_t *ops = json_object_get(params, "ops");
	struct ctl_nv_txn_stats st;
	struct nv_counts c;
	struct ctl_nv_undo *undo = NULL;
	struct ctl_nv_record *prev = NULL;
	bool *has_prev = NULL;
	struct ctl_nv_txn txn;
	int rc;

	if (!nv)
		return NULL;
	if (!ops) {
		snprintf(err, errsz, "ops: required parameter is missing");
		return NULL;
	}
	ctl_nv_txn_init(&txn);
	rc = ctl_nv_txn_from_json(ops, "ops", &txn, err, errsz);
	if (rc == 0 && prev_records(nv->store, &txn, &prev, &has_prev) < 0) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
	}
	if (rc == 0)
		rc = ctl_nv_store_apply(nv->store, &txn, &undo, &st, err,
					errsz);
	/* The data path's tables take the change too, or neither does. */
	if (rc == 0) {
		rc = dp_nv_apply_txn(dp, nv->store, &txn, prev, has_prev, err,
				     errsz);
		if (rc < 0)
			ctl_nv_store_rollback(nv->store, undo);
		else
			ctl_nv_store_commit(nv->store, undo);
	}
	ctl_nv_txn_free(&txn);
	free(prev);
	free(has_prev);
	if (rc < 0)
		return NULL;
	ctl_nv_store_counts(nv->store, &c);
	return json_pack("{s:I, s:I, s:I, s:I}", "added", (json_int_t) st.added,
			 "replaced", (json_int_t) st.replaced, "deleted",
			 (json_int_t) st.deleted, "records",
			 (json_int_t) c.records);
}

/* Exactly one of {"begin": true}, {"records": [...]} and {"commit": true,
 * "pas", "pa_routes", "routes", "records": N}. */
json_t *
dp_rpc_nv_replay(struct dp *dp, json_t *params, char *err, size_t errsz)
{
	struct dp_nv *nv = nv_get(dp, err, errsz);
	json_t *records = json_object_get(params, "records");
	json_t *res;

	if (!nv)
		return NULL;
	if (json_is_true(json_object_get(params, "begin"))
	    && json_object_size(params) == 1)
		return replay_begin(nv, err, errsz);
	if (!nv->staging) {
		snprintf(err, errsz, "nv_replay: no replay has begun");
		return NULL;
	}
	if (json_is_true(json_object_get(params, "commit")))
		res = replay_commit(dp, nv, params, err, errsz);
	else if (json_is_array(records) && json_object_size(params) == 1)
		res = replay_records(nv, records, err, errsz);
	else
		res = (snprintf(err, errsz, "nv_replay: expected begin, "
				"records or commit"), NULL);
	if (!res)
		replay_drop(nv);
	return res;
}

json_t *
dp_rpc_nv_counts(struct dp *dp, char *err, size_t errsz)
{
	struct dp_nv *nv = nv_get(dp, err, errsz);
	char digest[17];
	struct nv_counts c;

	if (!nv)
		return NULL;
	ctl_nv_store_counts(nv->store, &c);
	snprintf(digest, sizeof digest, "%016" PRIx64,
		 ctl_nv_store_digest(nv->store));
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:s, s:I, s:b, s:o}", "pas",
		(json_int_t) c.pas, "pa_routes", (json_int_t) c.pa_routes,
		"records", (json_int_t) c.records, "routes",
		(json_int_t) c.routes, "digest", digest, "memory_bytes",
		(json_int_t) ctl_nv_store_memory(nv->store), "replaying",
		nv->staging != NULL, "dataplane", dp_nv_status(dp));
}

void
dp_nv_replay_abort(struct dp *dp)
{
	if (dp->nv && dp->nv->staging) {
		DP_LOG(NOTICE, "NV replay abandoned after %u record chunks",
		       dp->nv->chunks);
		replay_drop(dp->nv);
	}
}

const struct ctl_nv_store *
dp_nv_store(struct dp *dp)
{
	return dp->nv ? dp->nv->store : NULL;
}

void
dp_nv_destroy(struct dp *dp)
{
	if (!dp->nv)
		return;
	ctl_nv_store_free(dp->nv->store);
	ctl_nv_store_free(dp->nv->staging);
	free(dp->nv);
	dp->nv = NULL;
}

/* Static helpers. */

/* The tables, created empty on first use. */
static struct dp_nv *
nv_get(struct dp *dp, char *err, size_t errsz)
{
	if (!dp->nv) {
		dp->nv = calloc(1, sizeof *dp->nv);
		if (dp->nv && !(dp->nv->store = ctl_nv_store_new())) {
			free(dp->nv);
			dp->nv = NULL;
		}
	}
	if (!dp->nv)
		snprintf(err, errsz, "out of memory");
	return dp->nv;
}

/* A new replay; one left unfinished is dropped. */
static json_t *
replay_begin(struct dp_nv *nv, char *err, size_t errsz)
{
	replay_drop(nv);
	nv->staging = ctl_nv_store_new();
	if (!nv->staging) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	return json_object();
}

static json_t *
replay_records(struct dp_nv *nv, json_t *records, char *err, size_t errsz)
{
	struct nv_counts c;
	char path[48];
	json_t *v;
	size_t i;

	json_array_foreach(records, i, v) {
		struct ctl_nv_op op;

		snprintf(path, sizeof path, "records[%zu]", i);
		if (ctl_nv_elem_from_json(v, CTL_NV_OP_ADD_RECORD, path, &op,
					  err, errsz)
			    < 0
		    || ctl_nv_store_load_record(nv->staging, &op.u.record, path,
						err, errsz)
			    < 0)
			return NULL;
	}
	nv->chunks++;
	ctl_nv_store_counts(nv->staging, &c);
	return json_pack("{s:I}", "records", (json_int_t) c.records);
}

/* The small tables, the record count controld sent, the checks of the
 * whole; then the new tables take the place of the old. */
static json_t *
replay_commit(struct dp *dp, struct dp_nv *nv, json_t *params, char *err,
	      size_t errsz)
{
	json_t *expected = json_object_get(params, "records");
	struct nv_counts c;

	if (load_table(nv->staging, params, "pas", CTL_NV_OP_ADD_PA, err, errsz)
		    < 0
	    || load_table(nv->staging, params, "pa_routes",
			  CTL_NV_OP_ADD_PA_ROUTE, err, errsz)
		    < 0
	    || load_table(nv->staging, params, "routes", CTL_NV_OP_ADD_ROUTE,
			  err, errsz)
		    < 0)
		return NULL;
	ctl_nv_store_counts(nv->staging, &c);
	if (!json_is_integer(expected)
	    || (size_t) json_integer_value(expected) != c.records) {
		snprintf(err, errsz, "nv_replay: %zu records arrived, controld "
			 "sent %lld", c.records, json_is_integer(expected)
			 ? (long long) json_integer_value(expected) : -1LL);
		return NULL;
	}
	if (ctl_nv_store_load_check(nv->staging, err, errsz) < 0 ||
	    dp_nv_rebuild(dp, nv->staging, err, errsz) < 0)
		return NULL;
	ctl_nv_store_free(nv->store);
	nv->store = nv->staging;
	nv->staging = NULL;
	DP_LOG(NOTICE, "NV tables replayed: %zu provider addresses, %zu "
	       "provider routes, %zu records (%u chunks), %zu customer routes",
	       c.pas, c.pa_routes, c.records, nv->chunks, c.routes);
	nv->chunks = 0;
	return json_pack("{s:I, s:I, s:I, s:I}", "pas", (json_int_t) c.pas,
			 "pa_routes", (json_int_t) c.pa_routes, "records",
			 (json_int_t) c.records, "routes",
			 (json_int_t) c.routes);
}

static int
load_table(struct ctl_nv_store *s, json_t *params, const char *key,
	   enum ctl_nv_op_kind add, char *err, size_t errsz)
{
	json_t *list = json_object_get(params, key), *v;
	char path[48];
	size_t i;

	if (!json_is_array(list)) {
		snprintf(err, errsz, "%s: expected an array", key);
		return -EINVAL;
	}
	json_array_foreach(list, i, v) {
		struct ctl_nv_op op;
		int rc;

		snprintf(path, sizeof path, "%s[%zu]", key, i);
		rc = ctl_nv_elem_from_json(v, add, path, &op, err, errsz);
		if (rc == 0 && add == CTL_NV_OP_ADD_PA)
			rc = ctl_nv_store_load_pa(s, &op.u.pa, path, err,
						  errsz);
		else if (rc == 0 && add == CTL_NV_OP_ADD_PA_ROUTE)
			rc = ctl_nv_store_load_pa_route(s, &op.u.pa_route, path,
							err, errsz);
		else if (rc == 0)
			rc = ctl_nv_store_load_route(s, &op.u.route, path, err,
						 errsz);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void
replay_drop(struct dp_nv *nv)
{
	ctl_nv_store_free(nv->staging);
	nv->staging = NULL;
	nv->chunks = 0;
}
