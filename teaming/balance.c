#include "teaming/balance.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct team_balancer {
	struct team_balancer_config cfg;
	uint32_t mask;                     /* distributing members */
	/* Bindings survive the member they name going away, until a
	 * member is there to take them: so a source keeps a 'from' to be
	 * announced from, and publication filters by 'mask'. */
	uint8_t bucket[TEAM_BUCKETS];      /* bucket -> member */
	uint64_t load[TEAM_BUCKETS];       /* smoothed bytes per interval */
	uint8_t source[TEAM_MAX_SOURCES];  /* source -> member */
	bool present[TEAM_MAX_SOURCES];    /* the source exists */
};

static const char *const lb_names[] = {
#define TEAM_LB_TEXT_(name, text) [TEAM_LB_##name] = text,
	TEAM_LBS(TEAM_LB_TEXT_)
#undef TEAM_LB_TEXT_
};

static const char *const hash_names[] = {
#define TEAM_HASH_TEXT_(name, text) [TEAM_HASH_##name] = text,
	TEAM_HASHES(TEAM_HASH_TEXT_)
#undef TEAM_HASH_TEXT_
};

static void buckets_rebind(struct team_balancer *);
static void buckets_even_by_count(struct team_balancer *);
static unsigned int buckets_even_by_load(struct team_balancer *,
					 unsigned int max_moves);
static uint64_t member_loads(const struct team_balancer *,
			     uint64_t load[TEAM_MAX_MEMBERS]);
static unsigned int sources_rebind(struct team_balancer *,
				   struct team_move *, unsigned int max);
static unsigned int least(uint32_t mask, const uint64_t w[TEAM_MAX_MEMBERS]);
static unsigned int most(uint32_t mask, const uint64_t w[TEAM_MAX_MEMBERS]);
static bool in_mask(uint32_t mask, unsigned int member);
static uint64_t mix(uint64_t x);
static uint64_t get48(const uint8_t *p);
static uint64_t get64(const uint8_t *p);
static uint32_t get32(const uint8_t *p);

uint32_t
team_flow_hash(const struct team_flow *f, enum team_hash h)
{
	uint64_t acc = 0x243f6a8885a308d3ull;

	if (f->l3 != 4 && f->l3 != 6)
		h = TEAM_HASH_MAC;
	else if (h == TEAM_HASH_PORTS && !f->has_ports)
		h = TEAM_HASH_IP;
	if (h == TEAM_HASH_MAC) {
		acc = mix(acc ^ get48(f->dst_mac) ^ (uint64_t)f->vlan << 48);
		acc = mix(acc ^ get48(f->src_mac));
		return (uint32_t)(acc ^ acc >> 32);
	}
	if (h == TEAM_HASH_PORTS)
		acc = mix(acc ^ ((uint64_t)f->proto << 32 |
				 (uint64_t)f->src_port << 16 | f->dst_port));
	if (f->l3 == 4) {
		acc = mix(acc ^ ((uint64_t)get32(f->src_ip) << 32 |
				 get32(f->dst_ip)));
	} else {
		acc = mix(acc ^ get64(f->src_ip));
		acc = mix(acc ^ get64(f->src_ip + 8));
		acc = mix(acc ^ get64(f->dst_ip));
		acc = mix(acc ^ get64(f->dst_ip + 8));
	}
	return (uint32_t)(acc ^ acc >> 32);
}

void
team_flowlet_init(struct team_flowlet *st)
{
	memset(st, 0, sizeof(*st));
	memset(st->member, TEAM_NO_MEMBER, sizeof(st->member));
}

void
team_flowlet_read_bytes(const struct team_flowlet *st,
			uint64_t sum[TEAM_BUCKETS])
{
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		sum[i] += __atomic_load_n(&st->bytes[i], __ATOMIC_RELAXED);
}

struct team_balancer *
team_balancer_create(const struct team_balancer_config *cfg)
{
	struct team_balancer *b;

	if ((unsigned int)cfg->lb >= TEAM_LB_COUNT ||
	    (unsigned int)cfg->hash >= TEAM_HASH_COUNT) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->cfg = *cfg;
	if (!b->cfg.idle_ns)
		b->cfg.idle_ns = TEAM_FLOWLET_IDLE_NS;
	memset(b->bucket, TEAM_NO_MEMBER, sizeof(b->bucket));
	memset(b->source, TEAM_NO_MEMBER, sizeof(b->source));
	return b;
}

void
team_balancer_destroy(struct team_balancer *b)
{
	free(b);
}

unsigned int
team_balancer_set_members(struct team_balancer *b, uint32_t mask,
			  struct team_move *moves, unsigned int max)
{
	b->mask = mask;
	if (!mask)
		return 0;
	buckets_rebind(b);
	return sources_rebind(b, moves, max);
}

int
team_balancer_add_source(struct team_balancer *b, unsigned int source)
{
	uint64_t count[TEAM_MAX_MEMBERS] = { 0 };

	if (source >= TEAM_MAX_SOURCES)
		return -EINVAL;
	if (b->present[source])
		return -EEXIST;
	b->present[source] = true;
	b->source[source] = TEAM_NO_MEMBER;
	if (!b->mask)
		return 0;
	for (unsigned int s = 0; s < TEAM_MAX_SOURCES; s++)
		if (b->present[s] && in_mask(b->mask, b->source[s]))
			count[b->source[s]]++;
	b->source[source] = (uint8_t)least(b->mask, count);
	return 0;
}

int
team_balancer_remove_source(struct team_balancer *b, unsigned int source)
{
	if (source >= TEAM_MAX_SOURCES || !b->present[source])
		return -ENOENT;
	b->present[source] = false;
	b->source[source] = TEAM_NO_MEMBER;
	return 0;
}

unsigned int
team_balancer_source_member(const struct team_balancer *b,
			    unsigned int source)
{
	if (source >= TEAM_MAX_SOURCES || !b->present[source])
		return TEAM_NO_MEMBER;
	return b->source[source];
}

unsigned int
team_balancer_sources_on(const struct team_balancer *b, unsigned int member,
			 uint16_t *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < TEAM_MAX_SOURCES; s++) {
		if (!b->present[s] || b->source[s] != member)
			continue;
		if (n < max)
			out[n] = (uint16_t)s;
		n++;
	}
	return n;
}

unsigned int
team_balancer_rebalance(struct team_balancer *b,
			const uint64_t bytes[TEAM_BUCKETS])
{
	/* Exponentially weighted, 1/4 for the newest interval: a load
	 * that lasts counts fully within a few intervals, a single burst
	 * does not send buckets around. */
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		b->load[i] = b->load[i] - b->load[i] / 4 + bytes[i] / 4;
	if (b->cfg.lb != TEAM_LB_DYNAMIC)
		return 0;
	return buckets_even_by_load(b, TEAM_REBALANCE_MAX_MOVES);
}

void
team_balancer_member_load(const struct team_balancer *b,
			  uint64_t load[TEAM_MAX_MEMBERS])
{
	member_loads(b, load);
}

void
team_balancer_publish(const struct team_balancer *b, struct team_balance *out)
{
	memset(out, 0, sizeof(*out));
	out->lb = (uint8_t)b->cfg.lb;
	out->dist_mask = b->mask;
	out->n_dist = (uint8_t)__builtin_popcount(b->mask);
	out->idle_ns = b->cfg.idle_ns;
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		out->bucket[i] = in_mask(b->mask, b->bucket[i])
					 ? b->bucket[i] : TEAM_NO_MEMBER;
	for (unsigned int s = 0; s < TEAM_MAX_SOURCES; s++)
		out->source[s] = b->present[s] &&
					 in_mask(b->mask, b->source[s])
					 ? b->source[s] : TEAM_NO_MEMBER;
}

const char *
team_lb_name(enum team_lb lb)
{
	return (unsigned int)lb < TEAM_LB_COUNT ? lb_names[lb] : "?";
}

const char *
team_hash_name(enum team_hash h)
{
	return (unsigned int)h < TEAM_HASH_COUNT ? hash_names[h] : "?";
}

int
team_lb_parse(const char *s, enum team_lb *out)
{
	for (unsigned int i = 0; i < TEAM_LB_COUNT; i++)
		if (strcmp(s, lb_names[i]) == 0) {
			*out = (enum team_lb)i;
			return 0;
		}
	return -EINVAL;
}

int
team_hash_parse(const char *s, enum team_hash *out)
{
	for (unsigned int i = 0; i < TEAM_HASH_COUNT; i++)
		if (strcmp(s, hash_names[i]) == 0) {
			*out = (enum team_hash)i;
			return 0;
		}
	return -EINVAL;
}

/* Static helpers. */

/* Buckets of members that left go, heaviest first, to the member that
 * is lightest at that moment; then members that joined take buckets
 * until the members are even.  Dynamic with a measured load evens by
 * load, everything else by count. */
static void
buckets_rebind(struct team_balancer *b)
{
	bool by_load = b->cfg.lb == TEAM_LB_DYNAMIC;
	uint64_t w[TEAM_MAX_MEMBERS], total;
	uint16_t orphan[TEAM_BUCKETS];
	unsigned int n = 0;

	total = member_loads(b, w);
	by_load = by_load && total > 0;
	if (!by_load) {
		memset(w, 0, sizeof(w));
		for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
			if (in_mask(b->mask, b->bucket[i]))
				w[b->bucket[i]]++;
	}
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		if (!in_mask(b->mask, b->bucket[i]))
			orphan[n++] = (uint16_t)i;
	if (by_load) {
		/* Insertion sort, heaviest first: at most 256, rare. */
		for (unsigned int i = 1; i < n; i++) {
			uint16_t o = orphan[i];
			unsigned int j = i;

			for (; j && b->load[o] > b->load[orphan[j - 1]]; j--)
				orphan[j] = orphan[j - 1];
			orphan[j] = o;
		}
	}
	for (unsigned int k = 0; k < n; k++) {
		unsigned int m = least(b->mask, w);

		b->bucket[orphan[k]] = (uint8_t)m;
		w[m] += by_load ? b->load[orphan[k]] : 1;
	}
	if (by_load)
		buckets_even_by_load(b, TEAM_BUCKETS);
	else
		buckets_even_by_count(b);
}

/* Moves buckets from the member with the most to the one with the
 * fewest until they differ by at most one; the highest-numbered bucket
 * moves, so the same membership always gives the same table. */
static void
buckets_even_by_count(struct team_balancer *b)
{
	uint64_t count[TEAM_MAX_MEMBERS] = { 0 };

	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		if (in_mask(b->mask, b->bucket[i]))
			count[b->bucket[i]]++;
	for (;;) {
		unsigned int hi = most(b->mask, count);
		unsigned int lo = least(b->mask, count);

		if (count[hi] <= count[lo] + 1)
			return;
		for (unsigned int i = TEAM_BUCKETS; i-- > 0;)
			if (b->bucket[i] == hi) {
				b->bucket[i] = (uint8_t)lo;
				break;
			}
		count[hi]--;
		count[lo]++;
	}
}

/* Moves the bucket that best halves the gap between the most and the
 * least loaded member, while the gap exceeds an eighth of the mean and
 * some bucket cuts it by a quarter at least (a load between 1/8 and 7/8
 * of the gap): moving crumbs would churn buckets for nothing.  Returns
 * the number of moves. */
static unsigned int
buckets_even_by_load(struct team_balancer *b, unsigned int max_moves)
{
	uint64_t w[TEAM_MAX_MEMBERS], total, mean;
	unsigned int n = (unsigned int)__builtin_popcount(b->mask), moved = 0;

	if (n < 2)
		return 0;
	total = member_loads(b, w);
	mean = total / n;
	while (moved < max_moves) {
		unsigned int hi = most(b->mask, w), lo = least(b->mask, w);
		uint64_t gap = w[hi] - w[lo], best_err = gap - gap / 4 + 1;
		int best = -1;

		if (gap == 0 || gap <= mean / 8)
			break;
		for (unsigned int i = 0; i < TEAM_BUCKETS; i++) {
			uint64_t x = b->load[i], err;

			if (b->bucket[i] != hi || x == 0 || x >= gap)
				continue;
			err = gap > 2 * x ? gap - 2 * x : 2 * x - gap;
			if (err < best_err) {
				best_err = err;
				best = (int)i;
			}
		}
		if (best < 0)
			break;
		b->bucket[best] = (uint8_t)lo;
		w[hi] -= b->load[best];
		w[lo] += b->load[best];
		moved++;
	}
	return moved;
}

/* Load of the buckets bound to each distributing member; returns the
 * total. */
static uint64_t
member_loads(const struct team_balancer *b, uint64_t load[TEAM_MAX_MEMBERS])
{
	uint64_t total = 0;

	memset(load, 0, TEAM_MAX_MEMBERS * sizeof(load[0]));
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		if (in_mask(b->mask, b->bucket[i])) {
			load[b->bucket[i]] += b->load[i];
			total += b->load[i];
		}
	return total;
}

/* Sources on members that left go to the member with the fewest; then
 * members that joined take sources from those with the most until the
 * counts differ by at most one.  Records the moves of sources that had
 * a member, whose MACs must be announced on the new one. */
static unsigned int
sources_rebind(struct team_balancer *b, struct team_move *moves,
	       unsigned int max)
{
	uint64_t count[TEAM_MAX_MEMBERS] = { 0 };
	unsigned int n = 0;

	for (unsigned int s = 0; s < TEAM_MAX_SOURCES; s++)
		if (b->present[s] && in_mask(b->mask, b->source[s]))
			count[b->source[s]]++;
	for (unsigned int s = 0; s < TEAM_MAX_SOURCES; s++) {
		unsigned int to, from = b->source[s];

		if (!b->present[s] || in_mask(b->mask, from))
			continue;
		to = least(b->mask, count);
		b->source[s] = (uint8_t)to;
		count[to]++;
		if (from == TEAM_NO_MEMBER)
			continue;
		if (n < max)
			moves[n] = (struct team_move){ (uint16_t)s,
						       (uint8_t)from,
						       (uint8_t)to };
		n++;
	}
	for (;;) {
		unsigned int hi = most(b->mask, count);
		unsigned int lo = least(b->mask, count);

		if (count[hi] <= count[lo] + 1)
			break;
		for (unsigned int s = TEAM_MAX_SOURCES; s-- > 0;)
			if (b->present[s] && b->source[s] == hi) {
				b->source[s] = (uint8_t)lo;
				if (n < max)
					moves[n] = (struct team_move){
						(uint16_t)s, (uint8_t)hi,
						(uint8_t)lo };
				n++;
				break;
			}
		count[hi]--;
		count[lo]++;
	}
	return n;
}

/* The member of 'mask' with the least (most) 'w'; ties go to the lowest
 * index.  'mask' must not be empty. */
static unsigned int
least(uint32_t mask, const uint64_t w[TEAM_MAX_MEMBERS])
{
	unsigned int best = TEAM_NO_MEMBER;

	for (unsigned int m = 0; m < TEAM_MAX_MEMBERS; m++)
		if (in_mask(mask, m) &&
		    (best == TEAM_NO_MEMBER || w[m] < w[best]))
			best = m;
	return best;
}

static unsigned int
most(uint32_t mask, const uint64_t w[TEAM_MAX_MEMBERS])
{
	unsigned int best = TEAM_NO_MEMBER;

	for (unsigned int m = 0; m < TEAM_MAX_MEMBERS; m++)
		if (in_mask(mask, m) &&
		    (best == TEAM_NO_MEMBER || w[m] > w[best]))
			best = m;
	return best;
}

static bool
in_mask(uint32_t mask, unsigned int member)
{
	return member < TEAM_MAX_MEMBERS && (mask >> member & 1);
}

/* The splitmix64 finalizer: every input bit reaches every output bit. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t
get48(const uint8_t *p)
{
	return (uint64_t)p[0] << 40 | (uint64_t)p[1] << 32 |
	       (uint64_t)p[2] << 24 | (uint64_t)p[3] << 16 |
	       (uint64_t)p[4] << 8 | p[5];
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}
