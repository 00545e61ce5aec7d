/* The database: its current view, transactions that build the next one,
 * and the versions waiting for their grace period. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "nvgre/db_priv.h"

int
nv_err(struct nvgre_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int
nv_nomem(struct nvgre_txn *tx, struct nvgre_err *err)
{
	tx->mem.failed = true;
	return nv_err(err, -ENOMEM, "out of memory");
}

int
nv_check_vsid(uint32_t vsid, const char *field, struct nvgre_err *err)
{
	if (nvgre_vsid_valid(vsid))
		return 0;
	return nv_err(err, -EINVAL, "%s: %u is out of range %u-%u", field, vsid,
		      NVGRE_VSID_MIN, NVGRE_VSID_MAX);
}

/* Allocates the maps and arrays of an empty view into 'v'. */
static int
view_init(struct nv_txn_mem *m, struct nvgre_view *v)
{
	if (pmap_create(m, &v->rec4) || pmap_create(m, &v->rec6) ||
	    pmap_create(m, &v->macs) || pmap_create(m, &v->vsids) ||
	    pmap_create(m, &v->peer_keys) || pmap_create(m, &v->rdom_keys))
		return -ENOMEM;
	v->peers = nv_alloc(m, sizeof(*v->peers));
	v->rdoms = nv_alloc(m, sizeof(*v->rdoms));
	v->pas = nv_alloc(m, sizeof(*v->pas));
	v->proutes = lpm_build(m, NULL, 0, sizeof(struct nv_proute));
	return v->peers && v->rdoms && v->pas && v->proutes ? 0 : -ENOMEM;
}

struct nvgre_db *
nvgre_db_create(const struct nvgre_rcu *rcu, uint64_t seed)
{
	struct nvgre_db *db = calloc(1, sizeof(*db));
	struct nv_txn_mem m = { .gen = 1 };
	struct nvgre_view *v;
	void **dead;
	uint32_t n_dead;

	if (!db)
		return NULL;
	if (rcu)
		db->rcu = *rcu;
	db->seed = seed;
	db->gen = 1;
	m.bytes = &db->bytes;
	if (!(v = nv_alloc(&m, sizeof(*v))) || view_init(&m, v)) {
		nv_txn_mem_discard(&m);
		free(db);
		return NULL;
	}
	v->seed = seed;
	/* No reader can exist yet: publish without a grace period. */
	nv_txn_mem_publish(&m, &dead, &n_dead);
	free(dead);
	atomic_init(&db->cur, v);
	return db;
}

const struct nvgre_view *
nvgre_db_view(const struct nvgre_db *db)
{
	/* Acquire: pairs with the release in commit, so the reader sees
	 * every byte of the view and of what it points to. */
	return atomic_load_explicit(&((struct nvgre_db *)db)->cur,
				    memory_order_acquire);
}

static void
garbage_free(struct nvgre_db *db, struct nv_garbage *g)
{
	for (uint32_t i = 0; i < g->n; i++)
		nv_free(&db->bytes, g->objs[i]);
	free(g->objs);
	g->objs = NULL;
	g->n = 0;
}

unsigned int
nvgre_db_reclaim(struct nvgre_db *db, bool wait)
{
	/* Tokens grow with time: stop at the first one not yet expired. */
	while (db->n_garbage) {
		struct nv_garbage *g = &db->garbage[db->garbage_head];

		if (db->rcu.check &&
		    !db->rcu.check(db->rcu.ctx, g->token, wait))
			break;
		garbage_free(db, g);
		db->garbage_head = (db->garbage_head + 1) % db->cap_garbage;
		db->n_garbage--;
	}
	return db->n_garbage;
}

/* Makes room in the queue for one more commit's garbage.  Returns false
 * when out of memory. */
static bool
garbage_reserve(struct nvgre_db *db)
{
	uint32_t cap = db->cap_garbage ? db->cap_garbage * 2 : 8;
	struct nv_garbage *q;

	if (db->n_garbage < db->cap_garbage)
		return true;
	if (!(q = malloc(cap * sizeof(*q))))
		return false;
	for (uint32_t i = 0; i < db->n_garbage; i++)
		q[i] = db->garbage[(db->garbage_head + i) % db->cap_garbage];
	free(db->garbage);
	db->garbage = q;
	db->garbage_head = 0;
	db->cap_garbage = cap;
	return true;
}

size_t
nvgre_db_bytes(const struct nvgre_db *db)
{
	return db->bytes;
}

struct nvgre_txn *
nvgre_txn_begin(struct nvgre_db *db)
{
	struct nvgre_txn *tx = &db->txn;

	if (db->txn_open) {
		errno = EBUSY;
		return NULL;
	}
	memset(tx, 0, sizeof(*tx));
	tx->db = db;
	tx->mem.gen = ++db->gen;
	tx->mem.bytes = &db->bytes;
	tx->v = nv_cow(&tx->mem, atomic_load_explicit(&db->cur,
						      memory_order_relaxed),
		       sizeof(struct nvgre_view));
	if (!tx->v) {
		nv_txn_mem_discard(&tx->mem);
		errno = ENOMEM;
		return NULL;
	}
	db->txn_open = true;
	return tx;
}

const struct nvgre_view *
nvgre_txn_view(const struct nvgre_txn *tx)
{
	return tx->v;
}

void
nvgre_txn_abort(struct nvgre_txn *tx)
{
	nv_txn_mem_discard(&tx->mem);
	tx->v = NULL;
	tx->db->txn_open = false;
}

/* Gives back the spare room of shards a bulk load grew. */
static void
view_seal(struct nvgre_txn *tx)
{
	struct nvgre_view *v = tx->v;

	pmap_seal(&tx->mem, v->rec4, &rec4_type, v->seed);
	pmap_seal(&tx->mem, v->rec6, &rec6_type, v->seed);
	pmap_seal(&tx->mem, v->macs, &mac_type, v->seed);
	pmap_seal(&tx->mem, v->vsids, &vsid_type, v->seed);
	pmap_seal(&tx->mem, v->peer_keys, &peer_key_type, v->seed);
	pmap_seal(&tx->mem, v->rdom_keys, &rdom_key_type, v->seed);
}

int
nvgre_txn_commit(struct nvgre_txn *tx)
{
	struct nvgre_db *db = tx->db;
	void **dead;
	uint32_t n_dead;

	if (tx->mem.failed) {
		nvgre_txn_abort(tx);
		return -ENOMEM;
	}
	if (!tx->changed) {
		nvgre_txn_abort(tx);
		return 0;
	}
	view_seal(tx);
	/* Room in the queue first: once published, the old version must be
	 * queued, and failing then would leak it. */
	if (!garbage_reserve(db)) {
		nvgre_txn_abort(tx);
		return -ENOMEM;
	}
	tx->v->version++;
	/* Release: a worker that loads the new pointer (acquire) sees every
	 * store that built the version. */
	atomic_store_explicit(&db->cur, tx->v, memory_order_release);
	nv_txn_mem_publish(&tx->mem, &dead, &n_dead);
	/* The token is taken after the store: a reader that reports a
	 * quiescent state past it can no longer hold the old version. */
	db->garbage[(db->garbage_head + db->n_garbage++) % db->cap_garbage] =
		(struct nv_garbage){ db->rcu.start ? db->rcu.start(db->rcu.ctx)
						   : 0, dead, n_dead };
	tx->v = NULL;
	db->txn_open = false;
	nvgre_db_reclaim(db, false);
	return 0;
}

static void
view_destroy(struct nvgre_db *db, struct nvgre_view *v)
{
	size_t *b = &db->bytes;

	pmap_destroy(b, v->rec4);
	pmap_destroy(b, v->rec6);
	pmap_destroy(b, v->macs);
	nv_vsid_destroy(b, v->vsids);
	pmap_destroy(b, v->peer_keys);
	pmap_destroy(b, v->rdom_keys);
	nv_free(b, v->peers);
	for (uint32_t i = 0; i < v->rdoms->limit; i++)
		nv_free(b, v->rdoms->ents[i].routes);
	nv_free(b, v->rdoms);
	nv_free(b, v->pas);
	nv_free(b, v->proutes);
	nv_free(b, v);
}

void
nvgre_db_destroy(struct nvgre_db *db)
{
	if (!db)
		return;
	if (db->txn_open)
		nvgre_txn_abort(&db->txn);
	while (db->n_garbage) {
		garbage_free(db, &db->garbage[db->garbage_head]);
		db->garbage_head = (db->garbage_head + 1) % db->cap_garbage;
		db->n_garbage--;
	}
	free(db->garbage);
	view_destroy(db, atomic_load_explicit(&db->cur, memory_order_relaxed));
	free(db);
}

void
nvgre_view_stats(const struct nvgre_view *v, struct nvgre_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->version = v->version;
	out->records = v->n_records;
	out->records_l2only = v->n_l2only;
	out->macs = v->macs->count;
	out->vsids = v->vsids->count;
	out->peers = v->peers->n_used;
	out->rdoms = v->rdoms->n_used;
	out->croutes = v->n_croutes;
	out->local_pas = v->pas->n;
	out->proutes = v->n_proutes;
}
