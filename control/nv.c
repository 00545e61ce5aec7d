/* The NV store: four tables and the transactions that change them
 * (nv.h).
 *
 * A transaction is applied op by op to the live store and taken back if
 * any op, or the check of the result, fails.  Everything it could need is
 * allocated first: the records' room (ctl_nv_table_reserve()), the undo
 * entries of its record ops, and a copy of each small table it touches.
 * Record ops log the record they overwrite or delete; a small table is
 * simply put back.  So taking a transaction back never allocates and never
 * fails, which is what lets controld keep a change applied while vswitchd
 * considers it and drop it if vswitchd refuses. */
#include "control/nv_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/config_priv.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KEY_TEXT_SIZE 160

/* The small tables, kept as arrays in the order they were added. */
enum table {
	T_PA,
	T_PA_ROUTE,
	T_ROUTE,
	T_N,
	T_RECORD = T_N,                 /* not an array */
};

static const size_t elem_size[T_N] = {
	sizeof(struct ctl_nv_pa), sizeof(struct ctl_nv_pa_route),
	sizeof(struct ctl_nv_route),
};
static const size_t table_max[T_N] = {
	CTL_NV_MAX_PAS, CTL_NV_MAX_PA_ROUTES, CTL_NV_MAX_ROUTES,
};
static const char *const table_title[T_N] = {
	"provider address", "provider route", "customer route",
};

struct array {
	void *items;
	size_t n;
	size_t cap;
};

struct ctl_nv_store {
	struct array arr[T_N];
	struct ctl_nv_table records;
	uint64_t generation;
};

enum undo_kind {
	UNDO_REMOVE,                    /* the op added 'rec': delete it */
	UNDO_RESTORE,                   /* the op replaced 'rec': put it back */
	UNDO_REINSERT,                  /* the op deleted 'rec': add it back */
};

struct undo_rec {
	struct ctl_nv_record rec;
	uint32_t op;                    /* the op's index in the transaction */
	uint8_t kind;                   /* enum undo_kind */
};

struct ctl_nv_undo {
	bool touched[T_N];              /* 'saved' holds the array before */
	struct array saved[T_N];
	struct undo_rec *recs;          /* in the order of the ops */
	size_t n_recs;
	long first_cut;                 /* first op that deleted or replaced
					 * a PA or provider route, or -1 */
};

/* The ops of one transaction by key, to find one key given twice. */
struct key_set {
	uint32_t *slots;                /* op index + 1; 0: empty */
	size_t mask;
};

struct apply_ctx {
	struct ctl_nv_store *s;
	struct ctl_nv_undo *u;
	const struct ctl_nv_txn *txn;
	struct ctl_nv_txn_stats stats;
	char *err;
	size_t errsz;
};

#define PAS(s) ((struct ctl_nv_pa *) (s)->arr[T_PA].items)
#define PA_ROUTES(s) ((struct ctl_nv_pa_route *) (s)->arr[T_PA_ROUTE].items)
#define ROUTES(s) ((struct ctl_nv_route *) (s)->arr[T_ROUTE].items)

static int undo_prepare(struct ctl_nv_store *s, const struct ctl_nv_txn *txn,
			struct ctl_nv_undo **out);
static int apply_op(struct apply_ctx *c, size_t i);
static int apply_pa(struct apply_ctx *c, size_t i, const char *prefix);
static int apply_pa_route(struct apply_ctx *c, size_t i,
			  const char *prefix);
static int apply_record(struct apply_ctx *c, size_t i);
static int apply_route(struct apply_ctx *c, size_t i, const char *prefix);
static int check_txn(struct apply_ctx *c);
static int check_domain(const struct ctl_nv_store *s,
			const struct ctl_nv_route *r, const char *field,
			char *err, size_t errsz);
static int check_next_hops(const struct ctl_nv_store *s, long *bad);
static bool pa_reachable(const struct ctl_nv_store *s,
			 const struct ctl_nv_ip *ip);
static bool on_pa_subnet(const struct ctl_nv_store *s,
			 const struct ctl_nv_ip *ip);
static long find_pa(const struct ctl_nv_store *s, const struct ctl_nv_ip *addr);
static long find_pa_route(const struct ctl_nv_store *s,
			  const struct ctl_nv_prefix *p);
static long find_route(const struct ctl_nv_store *s,
		       const struct ctl_nv_route *key);
static bool prefix_equal(const struct ctl_nv_prefix *a,
			 const struct ctl_nv_prefix *b);
static long last_op_on(const struct ctl_nv_txn *txn, enum ctl_nv_op_kind kind,
		       const void *key);
static enum table op_table(enum ctl_nv_op_kind kind);
static int array_push(struct array *a, enum table t, const void *item);
static void array_remove(struct array *a, enum table t, size_t i);
static void *array_at(const struct array *a, enum table t, size_t i);
static int key_set_init(struct key_set *ks, const struct ctl_nv_txn *txn);
static long key_set_add(struct key_set *ks, const struct ctl_nv_txn *txn,
			size_t i);
static uint64_t op_key_hash(const struct ctl_nv_op *op);
static bool op_key_equal(const struct ctl_nv_op *a, const struct ctl_nv_op *b);
static void key_text(const struct ctl_nv_op *op, char buf[KEY_TEXT_SIZE]);
static const char *key_field(enum ctl_nv_op_kind kind);
static int compare_records(const void *a, const void *b, void *arg);

/* Transactions. */

void
ctl_nv_txn_init(struct ctl_nv_txn *txn)
{
	memset(txn, 0, sizeof *txn);
}

void
ctl_nv_txn_free(struct ctl_nv_txn *txn)
{
	free(txn->ops);
	ctl_nv_txn_init(txn);
}

int
ctl_nv_txn_add(struct ctl_nv_txn *txn, const struct ctl_nv_op *op)
{
	if (txn->n_ops == txn->cap) {
		size_t cap = txn->cap ? txn->cap * 2 : 16;
		struct ctl_nv_op *ops = realloc(txn->ops, cap * sizeof *ops);

		if (!ops)
			return -ENOMEM;
		txn->ops = ops;
		txn->cap = cap;
	}
	txn->ops[txn->n_ops++] = *op;
	return 0;
}

/* The store. */

struct ctl_nv_store *
ctl_nv_store_new(void)
{
	struct ctl_nv_store *s = calloc(1, sizeof *s);

	if (s)
		ctl_nv_table_init(&s->records);
	return s;
}

void
ctl_nv_store_free(struct ctl_nv_store *s)
{
	if (!s)
		return;
	for (int t = 0; t < T_N; t++)
		free(s->arr[t].items);
	ctl_nv_table_destroy(&s->records);
	free(s);
}

int
ctl_nv_store_apply(struct ctl_nv_store *s, const struct ctl_nv_txn *txn,
		   struct ctl_nv_undo **undo, struct ctl_nv_txn_stats *stats,
		   char *err, size_t errsz)
{
	struct apply_ctx c = { .s = s, .txn = txn, .err = err, .errsz = errsz };
	struct key_set ks = { NULL, 0 };
	int rc;

	rc = undo_prepare(s, txn, &c.u);
	if (rc == 0)
		rc = key_set_init(&ks, txn);
	if (rc < 0) {
		if (c.u)
			ctl_nv_store_rollback(s, c.u);
		return ctl_err(err, errsz, rc,
			       "out of memory for a transaction of %zu ops",
			       txn->n_ops);
	}
	for (size_t i = 0; rc == 0 && i < txn->n_ops; i++) {
		long dup = key_set_add(&ks, txn, i);
		char key[KEY_TEXT_SIZE];

		if (dup < 0) {
			rc = apply_op(&c, i);
			continue;
		}
		key_text(&txn->ops[i], key);
		rc = ctl_err(err, errsz, -EEXIST, "ops[%zu].%s: %s is already "
			     "changed by ops[%ld] of this transaction", i,
			     key_field(txn->ops[i].kind), key, dup);
	}
	free(ks.slots);
	if (rc == 0)
		rc = check_txn(&c);
	if (rc < 0) {
		ctl_nv_store_rollback(s, c.u);
		return rc;
	}
	s->generation++;
	if (stats)
		*stats = c.stats;
	if (undo)
		*undo = c.u;
	else
		ctl_nv_store_commit(s, c.u);
	return 0;
}

void
ctl_nv_store_rollback(struct ctl_nv_store *s, struct ctl_nv_undo *u)
{
	for (size_t k = u->n_recs; k-- > 0;) {
		const struct undo_rec *e = &u->recs[k];
		long i = ctl_nv_table_find(&s->records, &e->rec);

		if (e->kind == UNDO_REMOVE && i >= 0)
			ctl_nv_table_delete(&s->records, (size_t) i);
		else if (e->kind == UNDO_RESTORE && i >= 0)
			*ctl_nv_table_at(&s->records, (size_t) i) = e->rec;
		else if (e->kind == UNDO_REINSERT && i < 0)
			ctl_nv_table_insert(&s->records, &e->rec);
	}
	for (int t = 0; t < T_N; t++) {
		if (!u->touched[t])
			continue;
		free(s->arr[t].items);
		s->arr[t] = u->saved[t];
	}
	s->generation++;
	free(u->recs);
	free(u);
}

void
ctl_nv_store_commit(struct ctl_nv_store *s, struct ctl_nv_undo *u)
{
	for (int t = 0; t < T_N; t++)
		if (u->touched[t])
			free(u->saved[t].items);
	free(u->recs);
	free(u);
	ctl_nv_table_trim(&s->records, s->records.n);
}

/* Loading. */

int
ctl_nv_store_load_pa(struct ctl_nv_store *s, const struct ctl_nv_pa *pa,
		 const char *field, char *err, size_t errsz)
{
	struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_PA, .u.pa = *pa };
	char key[KEY_TEXT_SIZE];

	if (ctl_nv_op_check(&op, field, err, errsz) < 0)
		return -EINVAL;
	key_text(&op, key);
	if (find_pa(s, &pa->addr) >= 0)
		return ctl_err(err, errsz, -EEXIST, "%s: %s is there twice",
			       field, key);
	if (array_push(&s->arr[T_PA], T_PA, pa) < 0)
		return ctl_err(err, errsz, -ENOSPC, "%s: more than %d provider "
			       "addresses", field, CTL_NV_MAX_PAS);
	s->generation++;
	return 0;
}

int
ctl_nv_store_load_pa_route(struct ctl_nv_store *s,
			   const struct ctl_nv_pa_route *r, const char *field,
			   char *err, size_t errsz)
{
	struct ctl_nv_op op = {.kind = CTL_NV_OP_ADD_PA_ROUTE,
			       .u.pa_route = *r};
	char key[KEY_TEXT_SIZE];

	if (ctl_nv_op_check(&op, field, err, errsz) < 0)
		return -EINVAL;
	key_text(&op, key);
	if (find_pa_route(s, &r->prefix) >= 0)
		return ctl_err(err, errsz, -EEXIST, "%s: %s is there twice",
			       field, key);
	if (array_push(&s->arr[T_PA_ROUTE], T_PA_ROUTE, r) < 0)
		return ctl_err(err, errsz, -ENOSPC, "%s: more than %d provider "
			       "routes", field, CTL_NV_MAX_PA_ROUTES);
	s->generation++;
	return 0;
}

int
ctl_nv_store_load_record(struct ctl_nv_store *s,
			 const struct ctl_nv_record *rec, const char *field,
			 char *err, size_t errsz)
{
	struct ctl_nv_op op = {.kind = CTL_NV_OP_ADD_RECORD, .u.record = *rec};
	char key[KEY_TEXT_SIZE];
	int rc;

	if (ctl_nv_op_check(&op, field, err, errsz) < 0)
		return -EINVAL;
	if (ctl_nv_table_find(&s->records, rec) >= 0) {
		key_text(&op, key);
		return ctl_err(err, errsz, -EEXIST, "%s: %s is there twice",
			       field, key);
	}
	rc = ctl_nv_table_reserve(&s->records, s->records.n + 1);
	if (rc < 0)
		return ctl_err(err, errsz, rc, "%s: %s", field, rc == -ENOSPC
			       ? "more records than the most there can be"
			       : "out of memory");
	ctl_nv_table_insert(&s->records, rec);
	s->generation++;
	return 0;
}

int
ctl_nv_store_load_route(struct ctl_nv_store *s, const struct ctl_nv_route *r,
		    const char *field, char *err, size_t errsz)
{
	struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_ROUTE, .u.route = *r };
	char key[KEY_TEXT_SIZE], sub[CTL_FIELD_SIZE];

	if (ctl_nv_op_check(&op, field, err, errsz) < 0
	    || check_domain(s, r, ctl_field(sub, field, "rdid"), err,
			    errsz) < 0)
		return -EINVAL;
	key_text(&op, key);
	if (find_route(s, r) >= 0)
		return ctl_err(err, errsz, -EEXIST, "%s: %s is there twice",
			       field, key);
	if (array_push(&s->arr[T_ROUTE], T_ROUTE, r) < 0)
		return ctl_err(err, errsz, -ENOSPC, "%s: more than %d customer "
			       "routes", field, CTL_NV_MAX_ROUTES);
	s->generation++;
	return 0;
}

int
ctl_nv_store_load_check(const struct ctl_nv_store *s, char *err, size_t errsz)
{
	char text[CTL_NV_IP_TEXT_SIZE], key[KEY_TEXT_SIZE];
	long bad;

	if (check_next_hops(s, &bad) < 0) {
		struct ctl_nv_op op = { .kind = CTL_NV_OP_ADD_PA_ROUTE,
				    .u.pa_route = PA_ROUTES(s)[bad] };

		key_text(&op, key);
		ctl_nv_format_ip(&op.u.pa_route.next_hop, text);
		return ctl_err(err, errsz, -EINVAL, "%s: next hop %s is not on "
			       "the subnet of a provider address", key, text);
	}
	for (size_t i = 0; i < s->records.n; i++) {
		const struct ctl_nv_record *r = ctl_nv_table_at(&s->records, i);
		struct ctl_nv_op op = {.kind = CTL_NV_OP_ADD_RECORD,
				       .u.record = *r};

		if (pa_reachable(s, &r->pa))
			continue;
		key_text(&op, key);
		ctl_nv_format_ip(&r->pa, text);
		return ctl_err(err, errsz, -EINVAL,
			       "%s: PA %s is neither on the "
			       "subnet of a provider address nor behind a "
			       "provider route",
			       key, text);
	}
	return 0;
}

/* Reading. */

void
ctl_nv_store_counts(const struct ctl_nv_store *s, struct nv_counts *out)
{
	out->pas = s->arr[T_PA].n;
	out->pa_routes = s->arr[T_PA_ROUTE].n;
	out->records = s->records.n;
	out->routes = s->arr[T_ROUTE].n;
}

const struct ctl_nv_pa *
ctl_nv_store_pas(const struct ctl_nv_store *s, size_t *n)
{
	*n = s->arr[T_PA].n;
	return PAS(s);
}

const struct ctl_nv_pa_route *
ctl_nv_store_pa_routes(const struct ctl_nv_store *s, size_t *n)
{
	*n = s->arr[T_PA_ROUTE].n;
	return PA_ROUTES(s);
}

const struct ctl_nv_route *
ctl_nv_store_routes(const struct ctl_nv_store *s, size_t *n)
{
	*n = s->arr[T_ROUTE].n;
	return ROUTES(s);
}

const struct ctl_nv_record *
ctl_nv_store_record(const struct ctl_nv_store *s, size_t i)
{
	return ctl_nv_table_at(&s->records, i);
}

const struct ctl_nv_record *
ctl_nv_store_find_record(const struct ctl_nv_store *s,
			 const struct ctl_nv_record *key)
{
	long i = ctl_nv_table_find(&s->records, key);

	return i < 0 ? NULL : ctl_nv_table_at(&s->records, (size_t) i);
}

uint32_t *
ctl_nv_store_sorted_records(const struct ctl_nv_store *s)
{
	uint32_t *idx = s->records.n ? malloc(s->records.n * sizeof *idx)
				     : NULL;

	if (!idx)
		return NULL;
	for (size_t i = 0; i < s->records.n; i++)
		idx[i] = (uint32_t) i;
	qsort_r(idx, s->records.n, sizeof *idx, compare_records,
		(void *) &s->records);
	return idx;
}

uint64_t
ctl_nv_store_generation(const struct ctl_nv_store *s)
{
	return s->generation;
}

/* Fields one by one: padding and the bytes after a string's NUL do not
 * count. */
uint64_t
ctl_nv_store_digest(const struct ctl_nv_store *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->records.n; i++)
		sum += ctl_nv_record_hash(ctl_nv_table_at(&s->records, i));
	for (size_t i = 0; i < s->arr[T_PA].n; i++) {
		const struct ctl_nv_pa *p = &PAS(s)[i];
		uint64_t h = ctl_nv_hash_bytes(&p->addr, sizeof p->addr, 1);

		h = ctl_nv_hash_bytes(p->port, strlen(p->port), h ^ p->length);
		h = ctl_nv_hash_bytes(&p->vlan, sizeof p->vlan, h);
		sum += p->flowid_fixed ? h ^ (0x100u | p->flowid) * 0x9e3779b97f4a7c15ull
				       : h;
	}
	for (size_t i = 0; i < s->arr[T_PA_ROUTE].n; i++) {
		const struct ctl_nv_pa_route *r = &PA_ROUTES(s)[i];
		uint64_t h = ctl_nv_hash_bytes(&r->prefix.addr, 16,
					   2 ^ r->prefix.length);

		h = ctl_nv_hash_bytes(&r->next_hop, 16, h);
		sum += ctl_nv_hash_bytes(&r->metric, sizeof r->metric, h);
	}
	for (size_t i = 0; i < s->arr[T_ROUTE].n; i++) {
		const struct ctl_nv_route *r = &ROUTES(s)[i];
		uint64_t h = ctl_nv_hash_bytes(r->rdid, strlen(r->rdid), 3);

		h = ctl_nv_hash_bytes(&r->prefix.addr, 16, h ^ r->vsid);
		h = ctl_nv_hash_bytes(&r->next_hop, 16, h ^ r->prefix.length);
		h = ctl_nv_hash_bytes(&r->metric, sizeof r->metric, h);
		if (r->has_gateway)
			h = ctl_nv_hash_bytes(&r->gateway, 16, h);
		sum += h;
	}
	return sum;
}

size_t
ctl_nv_store_memory(const struct ctl_nv_store *s)
{
	const struct ctl_nv_table *t = &s->records;
	size_t bytes = sizeof *s;

	bytes += t->n_chunks * CTL_NV_CHUNK * sizeof(struct ctl_nv_record);
	bytes += t->chunks_cap * sizeof t->chunks[0];
	bytes += t->index ? (t->mask + 1) * sizeof t->index[0] : 0;
	for (int i = 0; i < T_N; i++)
		bytes += s->arr[i].cap * elem_size[i];
	return bytes;
}

/* Static helpers: applying. */

/* Allocates what the transaction may need: the undo log, the records'
 * room, and a copy of each small table it touches (made current, the
 * original kept in the log).  Returns 0 or -ENOMEM; '*out' may be set on
 * failure, for the caller to roll back. */
static int
undo_prepare(struct ctl_nv_store *s, const struct ctl_nv_txn *txn,
	     struct ctl_nv_undo **out)
{
	size_t n_ops[T_N + 1] = { 0 };
	struct ctl_nv_undo *u = calloc(1, sizeof *u);
	size_t want;

	*out = u;
	if (!u)
		return -ENOMEM;
	u->first_cut = -1;
	for (size_t i = 0; i < txn->n_ops; i++)
		n_ops[op_table(txn->ops[i].kind)]++;
	if (n_ops[T_RECORD]) {
		u->recs = malloc(n_ops[T_RECORD] * sizeof *u->recs);
		want = s->records.n + n_ops[T_RECORD];
		if (!u->recs || ctl_nv_table_reserve(&s->records, want
						 < CTL_NV_MAX_RECORDS ? want
						 : CTL_NV_MAX_RECORDS) < 0)
			return -ENOMEM;
	}
	for (int t = 0; t < T_N; t++) {
		struct array copy = { .n = s->arr[t].n };

		if (!n_ops[t])
			continue;
		copy.cap = s->arr[t].n + n_ops[t];
		if (copy.cap > table_max[t])
			copy.cap =
				table_max[t] > copy.n ? table_max[t] : copy.n;
		copy.items = malloc(copy.cap * elem_size[t]);
		if (!copy.items)
			return -ENOMEM;
		if (copy.n)
			memcpy(copy.items, s->arr[t].items,
			       copy.n * elem_size[t]);
		u->saved[t] = s->arr[t];
		u->touched[t] = true;
		s->arr[t] = copy;
	}
	return 0;
}

/* The op's name for messages, "ops[i]", is made for every op but a
 * record's, which needs it only to fail. */
static int
apply_op(struct apply_ctx *c, size_t i)
{
	const struct ctl_nv_op *op = &c->txn->ops[i];
	char prefix[32];

	if (op_table(op->kind) == T_RECORD
	    && ctl_nv_op_check(op, "", NULL, 0) == 0)
		return apply_record(c, i);
	snprintf(prefix, sizeof prefix, "ops[%zu]", i);
	if (ctl_nv_op_check(op, prefix, c->err, c->errsz) < 0)
		return -EINVAL;
	switch (op_table(op->kind)) {
	case T_PA:
		return apply_pa(c, i, prefix);
	case T_PA_ROUTE:
		return apply_pa_route(c, i, prefix);
	case T_ROUTE:
		return apply_route(c, i, prefix);
	case T_RECORD:
		return apply_record(c, i);
	}
	return -EINVAL;
}

static int
apply_pa(struct apply_ctx *c, size_t i, const char *prefix)
{
	const struct ctl_nv_op *op = &c->txn->ops[i];
	struct array *a = &c->s->arr[T_PA];
	long at = find_pa(c->s, &op->u.pa.addr);
	char key[KEY_TEXT_SIZE];

	key_text(op, key);
	if (op->kind == CTL_NV_OP_DEL_PA && at < 0)
		return ctl_err(c->err, c->errsz, -ENOENT, "%s.address: %s does "
			       "not exist", prefix, key);
	if (at >= 0 && c->u->first_cut < 0)
		c->u->first_cut = (long) i;
	if (op->kind == CTL_NV_OP_DEL_PA)
		array_remove(a, T_PA, (size_t) at);
	else if (at >= 0)
		PAS(c->s)[at] = op->u.pa;
	else if (array_push(a, T_PA, &op->u.pa) < 0)
		return ctl_err(c->err, c->errsz, -ENOSPC, "%s: the provider "
			       "address table is full (%d)", prefix,
			       CTL_NV_MAX_PAS);
	return 0;
}

static int
apply_pa_route(struct apply_ctx *c, size_t i, const char *prefix)
{
	const struct ctl_nv_op *op = &c->txn->ops[i];
	struct array *a = &c->s->arr[T_PA_ROUTE];
	long at = find_pa_route(c->s, &op->u.pa_route.prefix);
	char key[KEY_TEXT_SIZE];

	key_text(op, key);
	if (op->kind == CTL_NV_OP_DEL_PA_ROUTE && at < 0)
		return ctl_err(c->err, c->errsz, -ENOENT, "%s.prefix: %s does "
			       "not exist", prefix, key);
	if (at >= 0 && c->u->first_cut < 0)
		c->u->first_cut = (long) i;
	if (op->kind == CTL_NV_OP_DEL_PA_ROUTE)
		array_remove(a, T_PA_ROUTE, (size_t) at);
	else if (at >= 0)
		PA_ROUTES(c->s)[at] = op->u.pa_route;
	else if (array_push(a, T_PA_ROUTE, &op->u.pa_route) < 0)
		return ctl_err(c->err, c->errsz, -ENOSPC, "%s: the provider "
			       "route table is full (%d)", prefix,
			       CTL_NV_MAX_PA_ROUTES);
	return 0;
}

static int
apply_route(struct apply_ctx *c, size_t i, const char *prefix)
{
	const struct ctl_nv_op *op = &c->txn->ops[i];
	struct array *a = &c->s->arr[T_ROUTE];
	long at = find_route(c->s, &op->u.route);
	char key[KEY_TEXT_SIZE], field[CTL_FIELD_SIZE];

	key_text(op, key);
	if (op->kind == CTL_NV_OP_DEL_ROUTE) {
		if (at < 0)
			return ctl_err(c->err, c->errsz, -ENOENT,
				       "%s.prefix: %s does not exist",
				       prefix, key);
		array_remove(a, T_ROUTE, (size_t) at);
		return 0;
	}
	if (check_domain(c->s, &op->u.route, ctl_field(field, prefix, "rdid"),
			 c->err, c->errsz) < 0)
		return -EINVAL;
	if (at >= 0)
		ROUTES(c->s)[at] = op->u.route;
	else if (array_push(a, T_ROUTE, &op->u.route) < 0)
		return ctl_err(c->err, c->errsz, -ENOSPC, "%s: the customer "
			       "route table is full (%d)", prefix,
			       CTL_NV_MAX_ROUTES);
	return 0;
}

static int
apply_record(struct apply_ctx *c, size_t i)
{
	const struct ctl_nv_op *op = &c->txn->ops[i];
	struct ctl_nv_table *t = &c->s->records;
	struct undo_rec *e = &c->u->recs[c->u->n_recs];
	long at = ctl_nv_table_find(t, &op->u.record);
	char key[KEY_TEXT_SIZE];

	e->op = (uint32_t) i;
	if (op->kind == CTL_NV_OP_DEL_RECORD) {
		if (at < 0) {
			key_text(op, key);
			return ctl_err(c->err, c->errsz, -ENOENT,
				       "ops[%zu].%s: %s does not exist",
				       i, key_field(op->kind), key);
		}
		e->kind = UNDO_REINSERT;
		e->rec = *ctl_nv_table_at(t, (size_t) at);
		ctl_nv_table_delete(t, (size_t) at);
		c->stats.deleted++;
	} else if (at >= 0) {
		e->kind = UNDO_RESTORE;
		e->rec = *ctl_nv_table_at(t, (size_t) at);
		*ctl_nv_table_at(t, (size_t) at) = op->u.record;
		c->stats.replaced++;
	} else {
		if (t->n >= CTL_NV_MAX_RECORDS)
			return ctl_err(c->err, c->errsz, -ENOSPC,
				       "ops[%zu]: the "
				       "record table is full (%u)",
				       i, CTL_NV_MAX_RECORDS);
		e->kind = UNDO_REMOVE;
		e->rec = op->u.record;
		ctl_nv_table_insert(t, &op->u.record);
		c->stats.added++;
	}
	c->u->n_recs++;
	return 0;
}

/* The result holds together: provider next hops on a PA's subnet, and
 * every record's PA reachable.  Records are checked all when a PA or a
 * provider route was deleted or replaced, else only those the transaction
 * wrote. */
static int
check_txn(struct apply_ctx *c)
{
	const struct ctl_nv_store *s = c->s;
	char text[CTL_NV_IP_TEXT_SIZE], key[KEY_TEXT_SIZE];
	bool cut = c->u->first_cut >= 0;
	long bad, by;

	if ((c->u->touched[T_PA] || c->u->touched[T_PA_ROUTE])
	    && check_next_hops(s, &bad) < 0) {
		const struct ctl_nv_pa_route *r = &PA_ROUTES(s)[bad];
		struct ctl_nv_op op = {.kind = CTL_NV_OP_ADD_PA_ROUTE,
				       .u.pa_route = *r};

		ctl_nv_format_ip(&r->next_hop, text);
		by = last_op_on(c->txn, CTL_NV_OP_ADD_PA_ROUTE, &r->prefix);
		if (by >= 0)
			return ctl_err(c->err, c->errsz, -EINVAL, "ops[%ld]."
				       "next_hop: %s is not on the subnet of a "
				       "provider address", by, text);
		key_text(&op, key);
		return ctl_err(c->err, c->errsz, -EINVAL, "ops[%ld]: %s would "
			       "lose its next hop %s (not on the subnet of a "
			       "provider address)", c->u->first_cut, key, text);
	}
	for (size_t k = 0; k < c->u->n_recs; k++) {
		const struct undo_rec *e = &c->u->recs[k];
		const struct ctl_nv_record *r = &c->txn->ops[e->op].u.record;

		if (e->kind == UNDO_REINSERT || pa_reachable(s, &r->pa))
			continue;
		ctl_nv_format_ip(&r->pa, text);
		return ctl_err(c->err, c->errsz, -EINVAL, "ops[%u].pa: %s is "
			       "neither on the subnet of a provider address "
			       "nor behind a provider route", e->op, text);
	}
	for (size_t i = 0; cut && i < s->records.n; i++) {
		const struct ctl_nv_record *r = ctl_nv_table_at(&s->records, i);
		struct ctl_nv_op op = {.kind = CTL_NV_OP_ADD_RECORD,
				       .u.record = *r};

		if (pa_reachable(s, &r->pa))
			continue;
		key_text(&op, key);
		ctl_nv_format_ip(&r->pa, text);
		return ctl_err(c->err, c->errsz, -EINVAL, "ops[%ld]: %s would "
			       "have no way to its PA %s", c->u->first_cut, key,
			       text);
	}
	return 0;
}

/* A VSID belongs to one routing domain: the routes of r->vsid are all in
 * r->rdid. */
static int
check_domain(const struct ctl_nv_store *s, const struct ctl_nv_route *r,
	     const char *field, char *err, size_t errsz)
{
	for (size_t i = 0; i < s->arr[T_ROUTE].n; i++) {
		const struct ctl_nv_route *o = &ROUTES(s)[i];
		char net[CTL_NV_PREFIX_TEXT_SIZE];

		if (o->vsid != r->vsid || !strcmp(o->rdid, r->rdid))
			continue;
		ctl_nv_format_prefix(&o->prefix, net);
		return ctl_err(err, errsz, -EINVAL, "%s: VSID %u belongs to "
			       "routing domain %s (route %s), not %s", field,
			       r->vsid, o->rdid, net, r->rdid);
	}
	return 0;
}

/* Returns -1 with the index of the first provider route whose next hop is
 * on no PA's subnet in '*bad', or 0. */
static int
check_next_hops(const struct ctl_nv_store *s, long *bad)
{
	for (size_t i = 0; i < s->arr[T_PA_ROUTE].n; i++)
		if (!on_pa_subnet(s, &PA_ROUTES(s)[i].next_hop)) {
			*bad = (long) i;
			return -1;
		}
	return 0;
}

static bool
pa_reachable(const struct ctl_nv_store *s, const struct ctl_nv_ip *ip)
{
	if (on_pa_subnet(s, ip))
		return true;
	for (size_t i = 0; i < s->arr[T_PA_ROUTE].n; i++)
		if (ctl_nv_prefix_contains(&PA_ROUTES(s)[i].prefix, ip))
			return true;
	return false;
}

static bool
on_pa_subnet(const struct ctl_nv_store *s, const struct ctl_nv_ip *ip)
{
	for (size_t i = 0; i < s->arr[T_PA].n; i++) {
		const struct ctl_nv_pa *pa = &PAS(s)[i];
		struct ctl_nv_prefix net = {.addr = pa->addr,
					    .length = pa->length};

		/* ctl_nv_prefix_contains() compares only the first bits. */
		if (ctl_nv_prefix_contains(&net, ip))
			return true;
	}
	return false;
}

static long
find_pa(const struct ctl_nv_store *s, const struct ctl_nv_ip *addr)
{
	for (size_t i = 0; i < s->arr[T_PA].n; i++)
		if (!memcmp(&PAS(s)[i].addr, addr, sizeof *addr))
			return (long) i;
	return -1;
}

static long
find_pa_route(const struct ctl_nv_store *s, const struct ctl_nv_prefix *p)
{
	for (size_t i = 0; i < s->arr[T_PA_ROUTE].n; i++)
		if (prefix_equal(&PA_ROUTES(s)[i].prefix, p))
			return (long) i;
	return -1;
}

static long
find_route(const struct ctl_nv_store *s, const struct ctl_nv_route *key)
{
	for (size_t i = 0; i < s->arr[T_ROUTE].n; i++) {
		const struct ctl_nv_route *r = &ROUTES(s)[i];

		if (r->vsid == key->vsid
		    && prefix_equal(&r->prefix, &key->prefix)
		    && !strcmp(r->rdid, key->rdid))
			return (long) i;
	}
	return -1;
}

static bool
prefix_equal(const struct ctl_nv_prefix *a, const struct ctl_nv_prefix *b)
{
	return a->length == b->length && !memcmp(&a->addr, &b->addr,
						  sizeof a->addr);
}

/* The last op of 'kind' in 'txn' on the provider route with prefix 'key',
 * or -1. */
static long
last_op_on(const struct ctl_nv_txn *txn, enum ctl_nv_op_kind kind,
	   const void *key)
{
	for (size_t i = txn->n_ops; i-- > 0;)
		if (txn->ops[i].kind == kind
		    && prefix_equal(&txn->ops[i].u.pa_route.prefix, key))
			return (long) i;
	return -1;
}

static enum table
op_table(enum ctl_nv_op_kind kind)
{
	switch (kind) {
	case CTL_NV_OP_ADD_PA:
	case CTL_NV_OP_DEL_PA:
		return T_PA;
	case CTL_NV_OP_ADD_PA_ROUTE:
	case CTL_NV_OP_DEL_PA_ROUTE:
		return T_PA_ROUTE;
	case CTL_NV_OP_ADD_ROUTE:
	case CTL_NV_OP_DEL_ROUTE:
		return T_ROUTE;
	default:
		return T_RECORD;
	}
}

/* Small arrays. */

/* Appends 'item', growing the array up to the table's limit.  Returns 0,
 * -ENOSPC or -ENOMEM. */
static int
array_push(struct array *a, enum table t, const void *item)
{
	if (a->n >= table_max[t])
		return -ENOSPC;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		void *items;

		if (cap > table_max[t])
			cap = table_max[t];
		items = realloc(a->items, cap * elem_size[t]);
		if (!items)
			return -ENOMEM;
		a->items = items;
		a->cap = cap;
	}
	memcpy(array_at(a, t, a->n++), item, elem_size[t]);
	return 0;
}

static void
array_remove(struct array *a, enum table t, size_t i)
{
	a->n--;
	memmove(array_at(a, t, i), array_at(a, t, i + 1),
		(a->n - i) * elem_size[t]);
}

static void *
array_at(const struct array *a, enum table t, size_t i)
{
	return (char *) a->items + i * elem_size[t];
}

/* Keys given twice in one transaction. */

static int
key_set_init(struct key_set *ks, const struct ctl_nv_txn *txn)
{
	size_t slots = 16;

	ks->slots = NULL;
	if (txn->n_ops < 2)
		return 0;
	while (slots < 2 * txn->n_ops)
		slots *= 2;
	ks->slots = calloc(slots, sizeof *ks->slots);
	ks->mask = slots - 1;
	return ks->slots ? 0 : -ENOMEM;
}

/* Adds op 'i'; returns the earlier op with the same key, or -1. */
static long
key_set_add(struct key_set *ks, const struct ctl_nv_txn *txn, size_t i)
{
	const struct ctl_nv_op *op = &txn->ops[i];
	size_t slot;

	if (!ks->slots)
		return -1;
	for (slot = op_key_hash(op) & ks->mask; ks->slots[slot];
	     slot = (slot + 1) & ks->mask)
		if (op_key_equal(&txn->ops[ks->slots[slot] - 1], op))
			return (long) ks->slots[slot] - 1;
	ks->slots[slot] = (uint32_t) i + 1;
	return -1;
}

static uint64_t
op_key_hash(const struct ctl_nv_op *op)
{
	enum table t = op_table(op->kind);
	const struct ctl_nv_route *r = &op->u.route;
	uint64_t h;

	switch (t) {
	case T_PA:
		return ctl_nv_hash_bytes(&op->u.pa.addr, 16, t);
	case T_PA_ROUTE:
		return ctl_nv_hash_bytes(&op->u.pa_route.prefix.addr, 16,
				     t ^ (uint64_t) op->u.pa_route.prefix.length
				     << 8);
	case T_ROUTE:
		h = ctl_nv_hash_bytes(r->rdid, strlen(r->rdid), t);
		return ctl_nv_hash_bytes(&r->prefix.addr, 16, h ^ r->vsid
				     ^ (uint64_t) r->prefix.length << 32);
	case T_RECORD:
		break;
	}
	return ctl_nv_record_key_hash(&op->u.record) ^ t;
}

static bool
op_key_equal(const struct ctl_nv_op *a, const struct ctl_nv_op *b)
{
	enum table t = op_table(a->kind);

	if (t != op_table(b->kind))
		return false;
	switch (t) {
	case T_PA:
		return !memcmp(&a->u.pa.addr, &b->u.pa.addr, 16);
	case T_PA_ROUTE:
		return prefix_equal(&a->u.pa_route.prefix,
				    &b->u.pa_route.prefix);
	case T_ROUTE:
		return a->u.route.vsid == b->u.route.vsid
		       && prefix_equal(&a->u.route.prefix, &b->u.route.prefix)
		       && !strcmp(a->u.route.rdid, b->u.route.rdid);
	case T_RECORD:
		break;
	}
	return ctl_nv_record_key_equal(&a->u.record, &b->u.record);
}

/* "record (vsid 5001, ca 10.0.0.5)", "provider address 192.168.1.10",
 * ... for messages. */
static void
key_text(const struct ctl_nv_op *op, char buf[KEY_TEXT_SIZE])
{
	char a[CTL_NV_PREFIX_TEXT_SIZE], mac[18];
	enum table t = op_table(op->kind);

	switch (t) {
	case T_PA:
		ctl_nv_format_ip(&op->u.pa.addr, a);
		snprintf(buf, KEY_TEXT_SIZE, "%s %s", table_title[t], a);
		return;
	case T_PA_ROUTE:
		ctl_nv_format_prefix(&op->u.pa_route.prefix, a);
		snprintf(buf, KEY_TEXT_SIZE, "%s %s", table_title[t], a);
		return;
	case T_ROUTE:
		ctl_nv_format_prefix(&op->u.route.prefix, a);
		snprintf(buf, KEY_TEXT_SIZE, "%s %s of VSID %u in routing "
			 "domain %s", table_title[t], a, op->u.route.vsid,
			 op->u.route.rdid);
		return;
	case T_RECORD:
		break;
	}
	if (ctl_nv_ip_is_zero(&op->u.record.ca)) {
		ctl_format_mac(op->u.record.mac, mac);
		snprintf(buf, KEY_TEXT_SIZE, "record (vsid %u, ca 0.0.0.0, mac "
			 "%s)", op->u.record.vsid, mac);
		return;
	}
	ctl_nv_format_ip(&op->u.record.ca, a);
	snprintf(buf, KEY_TEXT_SIZE, "record (vsid %u, ca %s)",
		 op->u.record.vsid, a);
}

/* The JSON key that holds the key of an op of 'kind', for messages. */
static const char *
key_field(enum ctl_nv_op_kind kind)
{
	switch (op_table(kind)) {
	case T_PA:
		return "address";
	case T_RECORD:
		return "ca";
	default:
		return "prefix";
	}
}

/* By (vsid, ca, mac). */
static int
compare_records(const void *a, const void *b, void *arg)
{
	const struct ctl_nv_table *t = arg;
	const struct ctl_nv_record *x =
		ctl_nv_table_at(t, *(const uint32_t *) a);
	const struct ctl_nv_record *y =
		ctl_nv_table_at(t, *(const uint32_t *) b);
	int c;

	if (x->vsid != y->vsid)
		return x->vsid < y->vsid ? -1 : 1;
	c = memcmp(&x->ca, &y->ca, sizeof x->ca);
	return c ? c : memcmp(x->mac, y->mac, 6);
}
