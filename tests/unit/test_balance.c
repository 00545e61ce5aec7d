/* Unit tests for teaming/balance.c: the spread of 10,000 flows for each
 * hash and 2, 3 and 4 members; hyperv-port's even and stable binding of
 * sources; dynamic flowlets on a virtual clock (a flow never moves
 * without an idle gap, a skewed load is evened once gaps allow, a
 * failed member's buckets move at once); minimal moves on failure and
 * recovery. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "teaming/balance.h"

#define US 1000ull
#define MS 1000000ull
#define S 1000000000ull
#define N_FLOWS 10000

/* xorshift64*: deterministic, seedable. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void
rnd_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd(s) >> 56);
}

static struct team_balancer *
balancer(enum team_lb lb, enum team_hash h, uint64_t idle_ns)
{
	struct team_balancer_config c = { .lb = lb, .hash = h,
					  .idle_ns = idle_ns };
	struct team_balancer *b = team_balancer_create(&c);

	cr_assert_not_null(b);
	return b;
}

static struct team_flow
base_flow(void)
{
	struct team_flow f;

	memset(&f, 0, sizeof(f));
	memcpy(f.src_mac, ((uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x01 }), 6);
	memcpy(f.dst_mac, ((uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x02 }), 6);
	f.l3 = 4;
	f.proto = 6;
	f.has_ports = true;
	memcpy(f.src_ip, ((uint8_t[4]){ 10, 0, 0, 1 }), 4);
	memcpy(f.dst_ip, ((uint8_t[4]){ 10, 0, 0, 2 }), 4);
	f.src_port = 40000;
	f.dst_port = 443;
	return f;
}

/* Flow number 'i' of a set that differs only in what 'kind' hashes. */
enum kind { K_MAC, K_IPV4, K_IPV6, K_PORTS_RANDOM, K_PORTS_SEQ };

static struct team_flow
flow_of(enum kind k, unsigned int i, uint64_t *s)
{
	struct team_flow f = base_flow();

	switch (k) {
	case K_MAC:
		f.l3 = 0;
		f.has_ports = false;
		rnd_bytes(s, f.src_mac + 2, 4);
		rnd_bytes(s, f.dst_mac + 2, 4);
		break;
	case K_IPV4:
		rnd_bytes(s, f.src_ip + 1, 3);
		rnd_bytes(s, f.dst_ip + 1, 3);
		break;
	case K_IPV6:
		f.l3 = 6;
		memset(f.src_ip, 0, 16);
		memset(f.dst_ip, 0, 16);
		f.src_ip[0] = f.dst_ip[0] = 0xfd;
		rnd_bytes(s, f.src_ip + 8, 8);
		rnd_bytes(s, f.dst_ip + 8, 8);
		break;
	case K_PORTS_RANDOM:
		f.src_port = (uint16_t)(rnd(s) >> 48);
		f.dst_port = (uint16_t)(rnd(s) >> 48);
		break;
	case K_PORTS_SEQ:
		/* One client connecting many times to one server: only the
		 * ephemeral port changes, by one. */
		f.src_port = (uint16_t)(32768 + i);
		break;
	}
	return f;
}

static const char *const kind_names[] = {
	"MAC", "IPv4", "IPv6", "random ports", "sequential ports",
};

/* ---- hashing and spread ---------------------------------------------- */

static void
check_spread(enum kind k, enum team_hash h, unsigned int n_members)
{
	struct team_balancer *b = balancer(TEAM_LB_ADDRESS_HASH, h, 0);
	struct team_balance *tb = malloc(sizeof(*tb));
	unsigned int count[TEAM_MAX_MEMBERS] = { 0 };
	uint64_t s = 0x1234567 + k;
	double want = (double)N_FLOWS / n_members;

	cr_assert_not_null(tb);
	team_balancer_set_members(b, (1u << n_members) - 1, NULL, 0);
	team_balancer_publish(b, tb);
	for (unsigned int i = 0; i < N_FLOWS; i++) {
		struct team_flow f = flow_of(k, i, &s);
		uint32_t hash = team_flow_hash(&f, h);
		unsigned int m = team_balance_by_hash(tb, hash);

		cr_assert_lt(m, n_members);
		count[m]++;
	}
	for (unsigned int m = 0; m < n_members; m++)
		cr_expect(count[m] >= want * 0.9 && count[m] <= want * 1.1,
			  "%s flows, %s hash, %u members: member %u has %u "
			  "(want %.0f +- 10 %%)", kind_names[k],
			  team_hash_name(h), n_members, m, count[m], want);
	free(tb);
	team_balancer_destroy(b);
}

Test(balance, spread_10000_flows_each_hash)
{
	for (unsigned int n = 2; n <= 4; n++) {
		check_spread(K_MAC, TEAM_HASH_MAC, n);
		check_spread(K_IPV4, TEAM_HASH_IP, n);
		check_spread(K_IPV6, TEAM_HASH_IP, n);
		check_spread(K_PORTS_RANDOM, TEAM_HASH_PORTS, n);
		check_spread(K_PORTS_SEQ, TEAM_HASH_PORTS, n);
	}
}

Test(balance, hash_uses_only_its_fields)
{
	struct team_flow f = base_flow(), g;

	g = f;
	g.src_port++;
	cr_expect_neq(team_flow_hash(&f, TEAM_HASH_PORTS),
		      team_flow_hash(&g, TEAM_HASH_PORTS));
	cr_expect_eq(team_flow_hash(&f, TEAM_HASH_IP),
		     team_flow_hash(&g, TEAM_HASH_IP), "ports ignored");
	g = f;
	g.src_ip[3]++;
	cr_expect_neq(team_flow_hash(&f, TEAM_HASH_IP),
		      team_flow_hash(&g, TEAM_HASH_IP));
	cr_expect_eq(team_flow_hash(&f, TEAM_HASH_MAC),
		     team_flow_hash(&g, TEAM_HASH_MAC), "IP ignored");
	g = f;
	g.src_mac[5]++;
	cr_expect_neq(team_flow_hash(&f, TEAM_HASH_MAC),
		      team_flow_hash(&g, TEAM_HASH_MAC));
	cr_expect_eq(team_flow_hash(&f, TEAM_HASH_PORTS),
		     team_flow_hash(&g, TEAM_HASH_PORTS), "MAC ignored");
	g = f;
	g.vlan = 7;
	cr_expect_neq(team_flow_hash(&f, TEAM_HASH_MAC),
		      team_flow_hash(&g, TEAM_HASH_MAC), "VLAN with MACs");
}

Test(balance, hash_falls_back)
{
	struct team_flow f = base_flow(), g;

	/* A non-first fragment has no ports: hashed by IP, like the first
	 * fragment would be if ports were ignored. */
	g = f;
	g.has_ports = false;
	g.src_port = 1;
	cr_expect_eq(team_flow_hash(&g, TEAM_HASH_PORTS),
		     team_flow_hash(&f, TEAM_HASH_IP));
	/* Non-IP: by MAC. */
	g = f;
	g.l3 = 0;
	cr_expect_eq(team_flow_hash(&g, TEAM_HASH_IP),
		     team_flow_hash(&f, TEAM_HASH_MAC));
	cr_expect_eq(team_flow_hash(&g, TEAM_HASH_PORTS),
		     team_flow_hash(&f, TEAM_HASH_MAC));
}

/* ---- address-hash membership ----------------------------------------- */

static void
bucket_counts(const struct team_balance *tb, unsigned int count[])
{
	memset(count, 0, TEAM_MAX_MEMBERS * sizeof(count[0]));
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		if (tb->bucket[i] != TEAM_NO_MEMBER)
			count[tb->bucket[i]]++;
}

Test(balance, failure_moves_only_the_failed_members_buckets)
{
	struct team_balancer *b = balancer(TEAM_LB_ADDRESS_HASH,
					   TEAM_HASH_PORTS, 0);
	struct team_balance before, after, back;
	unsigned int count[TEAM_MAX_MEMBERS], moved = 0;

	team_balancer_set_members(b, 0x7, NULL, 0);
	team_balancer_publish(b, &before);
	bucket_counts(&before, count);
	cr_expect(count[0] >= 85 && count[1] >= 85 && count[2] >= 85);
	cr_expect_eq(before.n_dist, 3);

	team_balancer_set_members(b, 0x3, NULL, 0);
	team_balancer_publish(b, &after);
	bucket_counts(&after, count);
	cr_expect_eq(count[2], 0);
	cr_expect_leq(abs((int)count[0] - (int)count[1]), 1,
		      "%u and %u", count[0], count[1]);
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		if (before.bucket[i] != 2)
			cr_expect_eq(after.bucket[i], before.bucket[i],
				     "bucket %u moved off a live member", i);

	/* Back: only buckets that go to member 2 move, as few as even the
	 * counts. */
	team_balancer_set_members(b, 0x7, NULL, 0);
	team_balancer_publish(b, &back);
	bucket_counts(&back, count);
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		if (back.bucket[i] != after.bucket[i]) {
			cr_expect_eq(back.bucket[i], 2);
			moved++;
		}
	cr_expect_eq(moved, count[2]);
	cr_expect(count[2] >= 85 && count[2] <= 86, "%u", count[2]);
	cr_expect_leq(abs((int)count[0] - (int)count[1]), 1);
	team_balancer_destroy(b);
}

Test(balance, no_member_no_output)
{
	struct team_balancer *b = balancer(TEAM_LB_HYPERV_PORT,
					   TEAM_HASH_MAC, 0);
	struct team_balance tb;

	cr_expect_eq(team_balancer_add_source(b, 3), 0);
	cr_expect_eq(team_balancer_source_member(b, 3), TEAM_NO_MEMBER);
	team_balancer_publish(b, &tb);
	cr_expect_eq(tb.n_dist, 0);
	cr_expect_eq(team_balance_by_source(&tb, 3, 77), TEAM_NO_MEMBER);
	cr_expect_eq(team_balance_by_hash(&tb, 77), TEAM_NO_MEMBER);
	/* A member arrives: the source is bound; it was bound nowhere
	 * before, so there is nothing to announce. */
	cr_expect_eq(team_balancer_set_members(b, 0x2, NULL, 0), 0);
	cr_expect_eq(team_balancer_source_member(b, 3), 1);
	/* All members gone: published tables send nothing, although the
	 * balancer remembers where the source was. */
	team_balancer_set_members(b, 0, NULL, 0);
	team_balancer_publish(b, &tb);
	cr_expect_eq(team_balance_by_source(&tb, 3, 77), TEAM_NO_MEMBER);
	cr_expect_eq(team_balancer_source_member(b, 3), 1);
	team_balancer_destroy(b);
}

/* ---- hyperv-port ------------------------------------------------------ */

static void
source_counts(const struct team_balancer *b, unsigned int count[])
{
	uint16_t list[TEAM_MAX_SOURCES];

	for (unsigned int m = 0; m < TEAM_MAX_MEMBERS; m++)
		count[m] = team_balancer_sources_on(b, m, list,
						    TEAM_MAX_SOURCES);
}

Test(balance, hyperv_port_spreads_evenly_and_is_stable)
{
	struct team_balancer *b = balancer(TEAM_LB_HYPERV_PORT,
					   TEAM_HASH_MAC, 0);
	struct team_balance tb;
	unsigned int count[TEAM_MAX_MEMBERS], first[100];

	team_balancer_set_members(b, 0x7, NULL, 0);
	for (unsigned int s = 0; s < 100; s++) {
		cr_assert_eq(team_balancer_add_source(b, s * 7), 0);
		first[s] = team_balancer_source_member(b, s * 7);
	}
	source_counts(b, count);
	cr_expect(count[0] == 34 && count[1] == 33 && count[2] == 33,
		  "%u %u %u", count[0], count[1], count[2]);
	/* More sources, some removed, the same membership set again: no
	 * source that stayed ever moves. */
	for (unsigned int s = 0; s < 50; s++)
		cr_assert_eq(team_balancer_add_source(b, 800 + s), 0);
	for (unsigned int s = 0; s < 10; s++)
		cr_assert_eq(team_balancer_remove_source(b, s * 7), 0);
	cr_expect_eq(team_balancer_set_members(b, 0x7, NULL, 0), 0);
	for (unsigned int s = 10; s < 100; s++)
		cr_expect_eq(team_balancer_source_member(b, s * 7), first[s]);
	/* The snapshot says the same, for every frame of a source whatever
	 * its hash. */
	team_balancer_publish(b, &tb);
	for (unsigned int s = 10; s < 100; s++)
		for (uint32_t h = 0; h < 1000; h += 97)
			cr_expect_eq(team_balance_by_source(&tb, s * 7, h),
				     first[s]);
	/* An unbound source falls back to the hash. */
	cr_expect_eq(team_balance_by_source(&tb, 1, 5),
		     team_balance_by_hash(&tb, 5));
	cr_expect_eq(team_balance_by_source(&tb, 5000, 5),
		     team_balance_by_hash(&tb, 5));
	team_balancer_destroy(b);
}

Test(balance, hyperv_port_failover_moves_and_names_sources)
{
	struct team_balancer *b = balancer(TEAM_LB_HYPERV_PORT,
					   TEAM_HASH_MAC, 0);
	struct team_move moves[64];
	uint16_t on1[64];
	unsigned int n_on1, n, count[TEAM_MAX_MEMBERS];
	unsigned int before[30];

	team_balancer_set_members(b, 0x7, NULL, 0);
	for (unsigned int s = 0; s < 30; s++) {
		team_balancer_add_source(b, s);
		before[s] = team_balancer_source_member(b, s);
	}
	n_on1 = team_balancer_sources_on(b, 1, on1, 64);
	cr_assert_eq(n_on1, 10);

	n = team_balancer_set_members(b, 0x5, moves, 64);
	cr_assert_eq(n, n_on1, "every source of member 1, and no other");
	for (unsigned int i = 0; i < n; i++) {
		cr_expect_eq(moves[i].source, on1[i]);
		cr_expect_eq(moves[i].from, 1);
		cr_expect(moves[i].to == 0 || moves[i].to == 2);
		cr_expect_eq(team_balancer_source_member(b, moves[i].source),
			     moves[i].to);
	}
	source_counts(b, count);
	cr_expect(count[0] == 15 && count[2] == 15 && count[1] == 0,
		  "%u %u %u", count[0], count[1], count[2]);
	for (unsigned int s = 0; s < 30; s++)
		if (before[s] != 1)
			cr_expect_eq(team_balancer_source_member(b, s),
				     before[s]);

	/* Member 1 back: ten sources move to it, no more. */
	n = team_balancer_set_members(b, 0x7, moves, 64);
	cr_expect_eq(n, 10);
	for (unsigned int i = 0; i < n; i++)
		cr_expect_eq(moves[i].to, 1);
	source_counts(b, count);
	cr_expect(count[0] == 10 && count[1] == 10 && count[2] == 10);

	/* 'max' bounds what is written, not what is counted. */
	n = team_balancer_set_members(b, 0x1, moves, 3);
	cr_expect_eq(n, 20);
	team_balancer_destroy(b);
}

Test(balance, bad_input)
{
	struct team_balancer_config c = { .lb = TEAM_LB_COUNT };
	struct team_balancer *b;
	enum team_lb lb;
	enum team_hash h;

	errno = 0;
	cr_expect_null(team_balancer_create(&c));
	cr_expect_eq(errno, EINVAL);
	c.lb = TEAM_LB_DYNAMIC;
	c.hash = TEAM_HASH_COUNT;
	cr_expect_null(team_balancer_create(&c));
	b = balancer(TEAM_LB_HYPERV_PORT, TEAM_HASH_MAC, 0);
	cr_expect_eq(team_balancer_add_source(b, TEAM_MAX_SOURCES), -EINVAL);
	cr_expect_eq(team_balancer_add_source(b, 1), 0);
	cr_expect_eq(team_balancer_add_source(b, 1), -EEXIST);
	cr_expect_eq(team_balancer_remove_source(b, 2), -ENOENT);
	cr_expect_eq(team_balancer_remove_source(b, TEAM_MAX_SOURCES),
		     -ENOENT);
	cr_expect_eq(team_balancer_source_member(b, TEAM_MAX_SOURCES),
		     TEAM_NO_MEMBER);
	team_balancer_destroy(b);

	cr_expect_eq(team_lb_parse("hyperv-port", &lb), 0);
	cr_expect_eq(lb, TEAM_LB_HYPERV_PORT);
	cr_expect_eq(team_lb_parse("hyperv_port", &lb), -EINVAL);
	cr_expect_eq(team_hash_parse("ports", &h), 0);
	cr_expect_eq(h, TEAM_HASH_PORTS);
	cr_expect_eq(team_hash_parse("l4", &h), -EINVAL);
	cr_expect_str_eq(team_lb_name(TEAM_LB_DYNAMIC), "dynamic");
	cr_expect_str_eq(team_hash_name(TEAM_HASH_IP), "ip");
}

/* ---- dynamic ---------------------------------------------------------- */

/* Heavy flows and a worker sending them, with the control thread
 * rebalancing every 'interval' from the worker's byte counters. */
#define N_HEAVY 8
#define PKT 1000

struct dyn {
	struct team_balancer *b;
	struct team_balance tb;
	struct team_flowlet st;
	uint32_t hash[N_HEAVY];
	unsigned int member[N_HEAVY];   /* member of its last frame */
	uint64_t last[N_HEAVY];         /* time of its last frame */
	uint64_t moves;                 /* flows that changed member */
	uint64_t bad_moves;             /* ... without an idle gap */
	uint64_t prev_bytes[TEAM_BUCKETS];
	uint64_t next_rebalance;
	uint64_t interval;
	uint64_t rebalanced;            /* buckets the balancer moved */
	uint64_t sent[TEAM_MAX_MEMBERS];        /* bytes per member */
};

/* Eight flows in distinct buckets that all start on member 0. */
static void
dyn_init(struct dyn *d, uint64_t idle_ns)
{
	uint64_t s = 99;
	unsigned int n = 0;
	bool used[TEAM_BUCKETS] = { false };

	memset(d, 0, sizeof(*d));
	d->b = balancer(TEAM_LB_DYNAMIC, TEAM_HASH_PORTS, idle_ns);
	team_balancer_set_members(d->b, 0x3, NULL, 0);
	team_balancer_publish(d->b, &d->tb);
	team_flowlet_init(&d->st);
	while (n < N_HEAVY) {
		struct team_flow f = flow_of(K_PORTS_RANDOM, 0, &s);
		uint32_t h = team_flow_hash(&f, TEAM_HASH_PORTS);
		unsigned int i = h & (TEAM_BUCKETS - 1);

		if (used[i] || team_balance_by_hash(&d->tb, h) != 0)
			continue;
		used[i] = true;
		d->hash[n] = h;
		d->member[n] = TEAM_NO_MEMBER;
		n++;
	}
	d->interval = 100 * MS;
	d->next_rebalance = d->interval;
}

/* The control thread's round, when due at 'now'. */
static void
dyn_control(struct dyn *d, uint64_t now)
{
	uint64_t total[TEAM_BUCKETS] = { 0 }, delta[TEAM_BUCKETS];

	if (now < d->next_rebalance)
		return;
	d->next_rebalance += d->interval;
	team_flowlet_read_bytes(&d->st, total);
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++) {
		delta[i] = total[i] - d->prev_bytes[i];
		d->prev_bytes[i] = total[i];
	}
	d->rebalanced += team_balancer_rebalance(d->b, delta);
	team_balancer_publish(d->b, &d->tb);
}

/* Flow 'f' sends a frame at 'now'. */
static void
dyn_send(struct dyn *d, unsigned int f, uint64_t now)
{
	unsigned int m = team_flowlet_pick(&d->st, &d->tb, d->hash[f], PKT,
					   now);

	cr_assert_lt(m, 2);
	if (d->member[f] != TEAM_NO_MEMBER && m != d->member[f]) {
		d->moves++;
		if (now - d->last[f] < d->tb.idle_ns &&
		    (d->tb.dist_mask >> d->member[f] & 1))
			d->bad_moves++;
	}
	d->member[f] = m;
	d->last[f] = now;
	d->sent[m] += PKT;
}

/* Every flow sends a frame every 'spacing' ns for 'duration'. */
static void
dyn_run_steady(struct dyn *d, uint64_t *now, uint64_t duration,
	       uint64_t spacing)
{
	uint64_t end = *now + duration;

	for (; *now < end; *now += spacing) {
		dyn_control(d, *now);
		for (unsigned int f = 0; f < N_HEAVY; f++)
			dyn_send(d, f, *now);
	}
}

/* Every flow sends bursts of 'burst' frames 10 us apart, then pauses
 * for 'pause' ns: a TCP-like sender with window gaps. */
static void
dyn_run_bursty(struct dyn *d, uint64_t *now, uint64_t duration,
	       unsigned int burst, uint64_t pause)
{
	uint64_t end = *now + duration;

	while (*now < end) {
		for (unsigned int k = 0; k < burst; k++) {
			dyn_control(d, *now);
			for (unsigned int f = 0; f < N_HEAVY; f++)
				dyn_send(d, f, *now);
			*now += 10 * US;
		}
		*now += pause;
	}
}

Test(balance, dynamic_never_moves_a_flow_without_an_idle_gap)
{
	struct dyn d;
	uint64_t now = 0;

	dyn_init(&d, 0);
	cr_expect_eq(d.tb.idle_ns, TEAM_FLOWLET_IDLE_NS);
	/* Frames 100 us apart for 5 s: the balancer wants half of the
	 * heavy buckets on member 1, but no flow ever pauses. */
	dyn_run_steady(&d, &now, 5 * S, 100 * US);
	cr_expect_geq(d.rebalanced, N_HEAVY / 2, "the balancer tried");
	cr_expect_eq(d.moves, 0, "%llu flows moved",
		     (unsigned long long)d.moves);
	cr_expect_eq(d.sent[1], 0);
	team_balancer_destroy(d.b);
}

Test(balance, dynamic_gap_boundary)
{
	struct dyn d;
	uint64_t now = 0;

	dyn_init(&d, 500 * US);
	dyn_run_steady(&d, &now, 1 * S, 100 * US);
	cr_assert_gt(d.rebalanced, 0);
	/* A gap one nanosecond short of the threshold: still no move. */
	dyn_run_steady(&d, &now, 1 * S, 500 * US - 1);
	cr_expect_eq(d.moves, 0);
	/* Exactly the threshold: the moved buckets follow. */
	dyn_run_steady(&d, &now, 10 * MS, 500 * US);
	cr_expect_gt(d.moves, 0);
	cr_expect_eq(d.bad_moves, 0);
	team_balancer_destroy(d.b);
}

Test(balance, dynamic_rebalances_a_skewed_load_once_gaps_allow)
{
	struct dyn d;
	uint64_t now = 0, s0, s1;

	dyn_init(&d, 0);
	dyn_run_steady(&d, &now, 1 * S, 100 * US);
	cr_expect_eq(d.moves, 0);
	/* Bursts of 20 frames, then 2 ms of silence: every pause is a
	 * flowlet boundary. */
	dyn_run_bursty(&d, &now, 2 * S, 20, 2 * MS);
	cr_expect_eq(d.bad_moves, 0, "a flow moved within a burst");
	cr_expect_geq(d.moves, N_HEAVY / 2);
	/* Even now, and stays even: measure the next second. */
	s0 = d.sent[0];
	s1 = d.sent[1];
	dyn_run_bursty(&d, &now, 1 * S, 20, 2 * MS);
	s0 = d.sent[0] - s0;
	s1 = d.sent[1] - s1;
	cr_expect(s0 * 10 >= (s0 + s1) * 4 && s1 * 10 >= (s0 + s1) * 4,
		  "member 0 %llu, member 1 %llu bytes",
		  (unsigned long long)s0, (unsigned long long)s1);
	cr_expect_eq(d.bad_moves, 0);
	{
		uint64_t load[TEAM_MAX_MEMBERS];

		team_balancer_member_load(d.b, load);
		cr_expect_gt(load[0], 0);
		cr_expect_gt(load[1], 0);
	}
	team_balancer_destroy(d.b);
}

Test(balance, dynamic_failed_member_moves_at_once)
{
	struct dyn d;
	uint64_t now = 0;
	unsigned int on1 = 0;

	dyn_init(&d, 0);
	dyn_run_bursty(&d, &now, 2 * S, 20, 2 * MS);
	for (unsigned int f = 0; f < N_HEAVY; f++)
		on1 += d.member[f] == 1;
	cr_assert_gt(on1, 0, "some flows on member 1 first");
	d.moves = 0;
	/* Member 1 fails mid-stream; frames keep coming 10 us apart. */
	team_balancer_set_members(d.b, 0x1, NULL, 0);
	team_balancer_publish(d.b, &d.tb);
	for (unsigned int f = 0; f < N_HEAVY; f++)
		dyn_send(&d, f, now);
	for (unsigned int f = 0; f < N_HEAVY; f++)
		cr_expect_eq(d.member[f], 0, "flow %u still on member 1", f);
	cr_expect_eq(d.moves, on1, "only the failed member's flows moved");
	cr_expect_eq(d.bad_moves, 0);
	team_balancer_destroy(d.b);
}

Test(balance, dynamic_failure_spreads_by_load)
{
	struct team_balancer *b = balancer(TEAM_LB_DYNAMIC, TEAM_HASH_IP, 0);
	uint64_t bytes[TEAM_BUCKETS] = { 0 }, load[TEAM_MAX_MEMBERS];
	struct team_balance tb;

	/* Three members, one heavy bucket per member, then member 2 with
	 * its heavy bucket fails: it goes to the lighter of the two. */
	team_balancer_set_members(b, 0x7, NULL, 0);
	team_balancer_publish(b, &tb);
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++)
		bytes[i] = 100;
	bytes[0] = 1000000;          /* bucket 0: member 0 */
	bytes[2] = 4000000;          /* bucket 2: member 2 */
	bytes[4] = 4000000;          /* bucket 4: member 1 */
	cr_assert_eq(tb.bucket[0], 0);
	cr_assert_eq(tb.bucket[2], 2);
	cr_assert_eq(tb.bucket[4], 1);
	for (int k = 0; k < 20; k++)
		team_balancer_rebalance(b, bytes);
	team_balancer_publish(b, &tb);
	cr_assert_eq(tb.bucket[2], 2, "already as even as buckets allow");
	team_balancer_set_members(b, 0x3, NULL, 0);
	team_balancer_publish(b, &tb);
	cr_expect_eq(tb.bucket[2], 0, "the heavy bucket went to the lighter");
	team_balancer_member_load(b, load);
	cr_expect_eq(load[2], 0);
	team_balancer_destroy(b);
}

Test(balance, address_hash_never_rebalances)
{
	struct team_balancer *b = balancer(TEAM_LB_ADDRESS_HASH,
					   TEAM_HASH_IP, 0);
	uint64_t bytes[TEAM_BUCKETS] = { 0 };
	struct team_balance before, after;

	team_balancer_set_members(b, 0x3, NULL, 0);
	team_balancer_publish(b, &before);
	bytes[0] = bytes[2] = bytes[4] = 1000000;
	for (int k = 0; k < 10; k++)
		cr_expect_eq(team_balancer_rebalance(b, bytes), 0);
	team_balancer_publish(b, &after);
	cr_expect_arr_eq(before.bucket, after.bucket, TEAM_BUCKETS);
	team_balancer_destroy(b);
}
