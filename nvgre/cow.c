#include "nvgre/cow.h"

#include <stdlib.h>
#include <string.h>

/* Appends 'p' to a growable pointer list. */
static bool
list_push(void ***list, uint32_t *n, uint32_t *cap, void *p)
{
	if (*n == *cap) {
		uint32_t c = *cap ? *cap * 2 : 64;
		void **l = realloc(*list, c * sizeof(*l));

		if (!l)
			return false;
		*list = l;
		*cap = c;
	}
	(*list)[(*n)++] = p;
	return true;
}

void *
nv_alloc_raw(struct nv_txn_mem *m, size_t size)
{
	struct nv_obj *o;

	if (size > UINT32_MAX || size < sizeof(*o) || !(o = malloc(size))) {
		m->failed = true;
		return NULL;
	}
	o->gen = m->gen;
	o->size = (uint32_t)size;
	o->priv = m->n_priv;
	if (!list_push(&m->priv, &m->n_priv, &m->cap_priv, o)) {
		free(o);
		m->failed = true;
		return NULL;
	}
	*m->bytes += size;
	return o;
}

void *
nv_alloc(struct nv_txn_mem *m, size_t size)
{
	struct nv_obj *o = nv_alloc_raw(m, size);

	if (o)
		memset(o + 1, 0, size - sizeof(*o));
	return o;
}

void
nv_free(size_t *bytes, void *obj)
{
	if (obj) {
		*bytes -= ((struct nv_obj *)obj)->size;
		free(obj);
	}
}

void
nv_release(struct nv_txn_mem *m, void *obj)
{
	struct nv_obj *o = obj;

	if (!o)
		return;
	if (nv_private(m, o)) {
		/* Swap the last private object into its place. */
		struct nv_obj *last = m->priv[--m->n_priv];

		m->priv[o->priv] = last;
		last->priv = o->priv;
		nv_free(m->bytes, o);
		return;
	}
	/* A retired object that can't be queued would leak, not crash:
	 * fail the transaction so that it is discarded instead. */
	if (!list_push(&m->dead, &m->n_dead, &m->cap_dead, o))
		m->failed = true;
}

void *
nv_cow(struct nv_txn_mem *m, void *obj, size_t size)
{
	struct nv_obj *o = obj, *n;
	size_t keep;

	if (nv_private(m, o) && o->size >= size)
		return o;
	if (!(n = nv_alloc_raw(m, size)))
		return NULL;
	keep = o->size < size ? o->size : size;
	memcpy(n + 1, o + 1, keep - sizeof(*o));
	memset((uint8_t *)n + keep, 0, size - keep);
	nv_release(m, o);
	return n;
}

void
nv_txn_mem_publish(struct nv_txn_mem *m, void ***dead, uint32_t *n_dead)
{
	*dead = m->dead;
	*n_dead = m->n_dead;
	m->dead = NULL;
	m->n_dead = m->cap_dead = 0;
	free(m->priv);
	m->priv = NULL;
	m->n_priv = m->cap_priv = 0;
}

void
nv_txn_mem_discard(struct nv_txn_mem *m)
{
	for (uint32_t i = 0; i < m->n_priv; i++)
		nv_free(m->bytes, m->priv[i]);
	free(m->priv);
	free(m->dead);
	m->priv = m->dead = NULL;
	m->n_priv = m->cap_priv = m->n_dead = m->cap_dead = 0;
}
