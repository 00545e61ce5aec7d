#include "dataplane/mactable.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#define BUCKET_SLOTS 8
#define KEY_BUSY (1ull << 62)    /* claimed, value not yet published */
#define VAL_STATIC (1ull << 16)
#define VAL_VER_SHIFT 17
#define VAL_VER_MASK (0x7fffull << VAL_VER_SHIFT)

struct bucket {
	_Atomic uint64_t keys[BUCKET_SLOTS];  /* 0 = empty */
	_Atomic uint64_t vals[BUCKET_SLOTS];  /* seen<<32 | ver | flags | port */
};

struct dp_mactable {
	uint32_t mask;                        /* buckets - 1 */
	struct bucket *buckets;
};

/* A value carries the version of its slot: the control thread bumps it
 * before it frees the slot, so a compare-and-swap prepared against the
 * entry that lived there before fails instead of writing into the next. */
static inline uint64_t
val_make(uint16_t port, bool is_static, uint32_t seen, uint64_t ver)
{
	return (uint64_t)seen << 32 | (ver & VAL_VER_MASK) |
	       (is_static ? VAL_STATIC : 0) | port;
}

static inline uint64_t val_ver(uint64_t v) { return v & VAL_VER_MASK; }
static inline uint64_t
val_bump(uint64_t v)
{
	return (v & ~VAL_VER_MASK) |
	       ((v + (1ull << VAL_VER_SHIFT)) & VAL_VER_MASK);
}

static inline uint16_t val_port(uint64_t v) { return (uint16_t)v; }
static inline bool val_static(uint64_t v) { return v & VAL_STATIC; }
static inline uint32_t val_seen(uint64_t v) { return (uint32_t)(v >> 32); }

static inline uint64_t
key_hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	key *= 0xc4ceb9fe1a85ec53ull;
	return key ^ (key >> 33);
}

static inline void
key_buckets(const struct dp_mactable *t, uint64_t key, struct bucket **b)
{
	uint64_t h = key_hash(key);
	uint32_t i1 = (uint32_t)h & t->mask;
	uint32_t i2 = (uint32_t)(h >> 32) & t->mask;

	b[0] = &t->buckets[i1];
	b[1] = &t->buckets[i2 == i1 ? (i1 + 1) & t->mask : i2];
}

struct dp_mactable *
dp_mactable_create(uint32_t capacity)
{
	struct dp_mactable *t = calloc(1, sizeof(*t));
	uint32_t n = 1;

	if (!t)
		return NULL;
	/* Two-choice buckets start to overflow well before they are full:
	 * provision three slots per promised entry. */
	while (n * BUCKET_SLOTS < 3ull * capacity && n < (1u << 28))
		n <<= 1;
	if (n < 2)
		n = 2;
	t->mask = n - 1;
	t->buckets = aligned_alloc(64, sizeof(struct bucket) * n);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		for (int s = 0; s < BUCKET_SLOTS; s++) {
			atomic_init(&t->buckets[i].keys[s], 0);
			atomic_init(&t->buckets[i].vals[s], 0);
		}
	return t;
}

void
dp_mactable_destroy(struct dp_mactable *t)
{
	if (t) {
		free(t->buckets);
		free(t);
	}
}

/* Finds the slot of 'key' (published or being published), or NULL. */
static _Atomic uint64_t *
slot_find(struct bucket **b, uint64_t key, int *slot)
{
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < BUCKET_SLOTS; s++) {
			uint64_t k = atomic_load_explicit(&b[i]->keys[s],
							  memory_order_acquire);
			if ((k & ~KEY_BUSY) == key) {
				*slot = s;
				return &b[i]->keys[s];
			}
		}
	return NULL;
}

uint16_t
dp_mactable_lookup(const struct dp_mactable *t, uint64_t key)
{
	struct bucket *b[2];

	key_buckets(t, key, b);
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < BUCKET_SLOTS; s++) {
			/* Acquire: the value load below must not move above
			 * this load, or it could see an older entry's value. */
			if (atomic_load_explicit(&b[i]->keys[s],
						 memory_order_acquire) != key)
				continue;
			uint64_t v = atomic_load_explicit(&b[i]->vals[s],
							  memory_order_acquire);
			/* Re-check: the slot may have been deleted and reused
			 * between the two loads. */
			if (atomic_load_explicit(&b[i]->keys[s],
						 memory_order_relaxed) != key)
				return DP_MAC_NO_PORT;
			return val_port(v);
		}
	return DP_MAC_NO_PORT;
}

/* Claims an empty slot for 'key' and publishes 'val'.  Returns false when
 * both buckets are full.  Sets '*raced' when another thread published the
 * same key first. */
static bool
slot_insert(struct bucket **b, uint64_t key, uint64_t val, bool *raced)
{
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < BUCKET_SLOTS; s++) {
			uint64_t k = atomic_load_explicit(&b[i]->keys[s],
							  memory_order_relaxed);
			if ((k & ~KEY_BUSY) == key) {
				*raced = true;
				return true;
			}
			if (k != 0)
				continue;
			if (!atomic_compare_exchange_strong_explicit(
				    &b[i]->keys[s], &k, key | KEY_BUSY,
				    memory_order_acquire, memory_order_relaxed)) {
				if ((k & ~KEY_BUSY) == key) {
					*raced = true;
					return true;
				}
				continue;
			}
			/* Only we touch a busy slot's value.  Bump its
			 * version: a learner still holding the value of the
			 * slot's previous entry must fail its swap even if
			 * our port and second happen to equal it.  Release:
			 * a reader that sees this value also sees our claim
			 * of the key, so its second key read can't be the
			 * old key. */
			val |= val_ver(val_bump(atomic_load_explicit(
				&b[i]->vals[s], memory_order_relaxed)));
			atomic_store_explicit(&b[i]->vals[s], val,
					      memory_order_release);
			/* Release: the value is visible before the key. */
			atomic_store_explicit(&b[i]->keys[s], key,
					      memory_order_release);
			return true;
		}
	return false;
}

/* Loads the value of the slot of 'key' at (bucket 'bk', slot 's') so that
 * it is known to belong to 'key': the key is read again after the value.
 * Returns false when the slot no longer holds 'key'. */
static bool
slot_read(struct bucket *bk, int s, uint64_t key, uint64_t *val)
{
	*val = atomic_load_explicit(&bk->vals[s], memory_order_acquire);
	return atomic_load_explicit(&bk->keys[s], memory_order_acquire) ==
	       key;
}

#define LEARN_TRIES 4

enum dp_learn
dp_mactable_learn(struct dp_mactable *t, uint64_t key, uint16_t port,
		  uint32_t now)
{
	struct bucket *b[2];
	int s;

	key_buckets(t, key, b);
	for (int tries = 0; tries < LEARN_TRIES; tries++) {
		_Atomic uint64_t *k = slot_find(b, key, &s);
		bool raced = false;
		uint64_t v;

		if (!k) {
			if (!slot_insert(b, key, val_make(port, false, now, 0),
					 &raced))
				return DP_LEARN_FULL;
			return raced ? DP_LEARN_REFRESHED : DP_LEARN_NEW;
		}
		struct bucket *bk = k == &b[0]->keys[s] ? b[0] : b[1];
		if (!slot_read(bk, s, key, &v))
			continue;             /* being published or removed */
		if (val_static(v))
			return val_port(v) == port ? DP_LEARN_REFRESHED
						   : DP_LEARN_STATIC;
		if (val_port(v) == port && val_seen(v) == now)
			return DP_LEARN_REFRESHED; /* no write: no bouncing */
		if (atomic_compare_exchange_strong_explicit(&bk->vals[s], &v,
			    val_make(port, false, now, val_ver(v)),
			    memory_order_release, memory_order_relaxed))
			return val_port(v) == port ? DP_LEARN_REFRESHED
						   : DP_LEARN_MOVED;
	}
	return DP_LEARN_REFRESHED;   /* contended: the next frame learns */
}

/* Control thread: writes 'port' as a static entry into the slot of 'key'.
 * Returns false when the slot stopped holding 'key'. */
static bool
slot_make_static(struct bucket *bk, int s, uint64_t key, uint16_t port)
{
	uint64_t v;

	do {
		if (!slot_read(bk, s, key, &v))
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&bk->vals[s], &v,
			val_make(port, true, 0, val_ver(v)),
			memory_order_release, memory_order_relaxed));
	return true;
}

int
dp_mactable_add_static(struct dp_mactable *t, uint64_t key, uint16_t port)
{
	struct bucket *b[2];
	int s;

	key_buckets(t, key, b);
	for (;;) {
		_Atomic uint64_t *k = slot_find(b, key, &s);
		bool raced = false;

		if (k) {
			struct bucket *bk = k == &b[0]->keys[s] ? b[0] : b[1];
			if (slot_make_static(bk, s, key, port))
				return 0;
			continue;
		}
		if (!slot_insert(b, key, val_make(port, true, 0, 0), &raced))
			return -ENOSPC;
		if (!raced)
			return 0;
		/* A worker learned it meanwhile: overwrite that entry. */
	}
}

/* Control thread: frees slot 's' of 'bk' if 'fn' (when given) agrees
 * with its value.  The version is bumped first, so a learner that read the
 * old value cannot store into the slot once it is reused. */
static bool
slot_remove(struct bucket *bk, int s,
	    bool (*fn)(uint64_t val, const void *arg), const void *arg)
{
	uint64_t v = atomic_load_explicit(&bk->vals[s], memory_order_acquire);

	if (fn && !fn(v, arg))
		return false;
	while (!atomic_compare_exchange_weak(&bk->vals[s], &v, val_bump(v)))
		if (fn && !fn(v, arg))
			return false;  /* refreshed meanwhile: keep it */
	/* Only the control thread clears keys: nobody else can have. */
	atomic_store_explicit(&bk->keys[s], 0, memory_order_release);
	return true;
}

bool
dp_mactable_del(struct dp_mactable *t, uint64_t key)
{
	struct bucket *b[2];
	bool found = false;

	key_buckets(t, key, b);
	/* Every copy: two learners racing with a delete in the same bucket
	 * can, rarely, have inserted the key twice. */
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < BUCKET_SLOTS; s++)
			if (atomic_load(&b[i]->keys[s]) == key &&
			    slot_remove(b[i], s, NULL, NULL))
				found = true;
	return found;
}

/* Calls 'fn' on every published slot; deletes it when 'fn' returns true. */
static unsigned int
table_sweep(struct dp_mactable *t,
	    bool (*fn)(uint64_t val, const void *arg), const void *arg)
{
	unsigned int removed = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		struct bucket *b = &t->buckets[i];
		for (int s = 0; s < BUCKET_SLOTS; s++) {
			uint64_t k = atomic_load(&b->keys[s]);
			if (k == 0 || (k & KEY_BUSY))
				continue;
			if (slot_remove(b, s, fn, arg))
				removed++;
		}
	}
	return removed;
}

struct age_arg {
	uint32_t now, aging;
};

static bool
entry_expired(uint64_t v, const void *arg)
{
	const struct age_arg *a = arg;

	/* Signed: a worker may have stamped a second later than 'now'. */
	return !val_static(v) &&
	       (int64_t)(int32_t)(a->now - val_seen(v)) >= (int64_t)a->aging;
}

unsigned int
dp_mactable_age(struct dp_mactable *t, uint32_t now, uint32_t aging)
{
	struct age_arg a = { now, aging };

	return table_sweep(t, entry_expired, &a);
}

struct flush_arg {
	uint16_t port;
	bool statics;
};

static bool
entry_on_port(uint64_t v, const void *arg)
{
	const struct flush_arg *a = arg;

	return val_port(v) == a->port && (a->statics || !val_static(v));
}

unsigned int
dp_mactable_flush_port(struct dp_mactable *t, uint16_t port, bool statics)
{
	struct flush_arg a = { port, statics };

	return table_sweep(t, entry_on_port, &a);
}

unsigned int
dp_mactable_dump(const struct dp_mactable *t, struct dp_mac_entry *out,
		 unsigned int max)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct bucket *b = &t->buckets[i];
		for (int s = 0; s < BUCKET_SLOTS; s++) {
			uint64_t k = atomic_load(&b->keys[s]);
			uint64_t v = atomic_load(&b->vals[s]);
			if (k == 0 || (k & KEY_BUSY))
				continue;
			if (n < max) {
				struct dp_mac_entry *e = &out[n];
				e->vlan = (k >> 48) & 0xfff;
				e->nv = (k & DP_MAC_KEY_NV) != 0;
				for (int j = 0; j < 6; j++)
					e->mac[j] = (uint8_t)(k >> (40 - 8 * j));
				e->port = val_port(v);
				e->is_static = val_static(v);
				e->seen = val_seen(v);
			}
			n++;
		}
	}
	return n;
}

unsigned int
dp_mactable_count(const struct dp_mactable *t)
{
	return dp_mactable_dump(t, NULL, 0);
}
