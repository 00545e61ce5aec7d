/* Load balancing over the distributing members of a team: which member a
 * frame leaves by.
 *
 * - address-hash: a hash of the frame's addresses (MAC, IP or IP and
 *   transport ports: team_flow_hash()) picks one of TEAM_BUCKETS
 *   buckets, and each bucket is bound to a member.
 * - hyperv-port: each source (a VM port, by an opaque id below
 *   TEAM_MAX_SOURCES) is bound to one member, the sources spread evenly
 *   by count.  A VM's MAC only ever leaves by its member, so the
 *   physical switch learns it there and inbound traffic for the VM
 *   arrives on the same member.
 * - dynamic: flows are hashed to buckets as for address-hash, but the
 *   control thread keeps moving buckets from the most to the least
 *   loaded member, from measured bytes per bucket.  A worker follows a
 *   move for a bucket only at a flowlet boundary: when no frame of that
 *   bucket left it for at least the idle gap (TEAM_FLOWLET_IDLE_NS by
 *   default), so the frames of one flow never overtake each other on
 *   two members.
 *
 * When a member stops distributing, its buckets and sources move at
 * once to the others (and a dynamic worker follows at once, gap or
 * not: the old member no longer sends anything).  Only what was on the
 * failed member moves; when a member comes back, the fewest buckets and
 * sources needed to even the counts move to it.
 *
 * Threads.  The control thread owns a 'struct team_balancer' (plain,
 * not thread-safe) and publishes what workers need as an immutable
 * 'struct team_balance' snapshot: it fills a fresh one with
 * team_balancer_publish(), stores the pointer with release order, and
 * frees the old one after an RCU grace period (team.h).  Workers read
 * the snapshot with the inline functions below, which neither write
 * nor allocate.  In dynamic mode each worker also owns a
 * 'struct team_flowlet' (where it sends each bucket now and when it
 * last did); its byte counters are the only field another thread reads
 * (the control thread, summing them for team_balancer_rebalance()), so
 * they are written and read with relaxed atomics: a counter may be
 * read a little stale, never torn.
 *
 * A flow must be sent by one worker for the flowlet rule to hold: true
 * in vswitchd, where each VM port's queue pair is polled by one worker.
 *
 * Pure code: no DPDK types, no I/O, no clock (time is passed in as
 * 'now_ns'). */
#ifndef VSWITCH_TEAMING_BALANCE_H
#define VSWITCH_TEAMING_BALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "teaming/team.h"

#define TEAM_BUCKETS 256           /* a power of two */
#define TEAM_MAX_SOURCES 1024      /* source ids 0 .. 1023 */

/* Default flowlet gap: 1 ms.  A bucket may move once its previous frame
 * can no longer be behind the next one, i.e. after the longest time a
 * frame spends between the worker and the wire on one member beyond
 * another: the member's transmit queue plus the device ring.  Uncongested
 * members hold a few tens of microseconds; 1 ms also covers a ring of
 * some 800 full-size frames at 10 Gb/s.  Gaps this long are common
 * (TCP sends in window bursts), so buckets still move within a few
 * rebalancing rounds.  Raise it for members that run saturated. */
#define TEAM_FLOWLET_IDLE_NS 1000000ull

/* Load balancing algorithms.  X(name, text). */
#define TEAM_LBS(X)                                                       \
	X(ADDRESS_HASH, "address-hash")                                   \
	X(HYPERV_PORT, "hyperv-port")                                     \
	X(DYNAMIC, "dynamic")

enum team_lb {
#define TEAM_LB_ENUM_(name, text) TEAM_LB_##name,
	TEAM_LBS(TEAM_LB_ENUM_)
#undef TEAM_LB_ENUM_
	TEAM_LB_COUNT
};

/* The fields address-hash (and dynamic) hash.  X(name, text). */
#define TEAM_HASHES(X)                                                    \
	X(MAC, "mac")                                                     \
	X(IP, "ip")                                                       \
	X(PORTS, "ports")

enum team_hash {
#define TEAM_HASH_ENUM_(name, text) TEAM_HASH_##name,
	TEAM_HASHES(TEAM_HASH_ENUM_)
#undef TEAM_HASH_ENUM_
	TEAM_HASH_COUNT
};

/* Header fields of a frame, as the worker's parser found them. */
struct team_flow {
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint16_t vlan;             /* VID, 0 untagged */
	uint8_t l3;                /* 4, 6, or 0 for neither */
	uint8_t proto;             /* IP protocol */
	bool has_ports;            /* src_port/dst_port valid (TCP, UDP,
				    * SCTP; not a non-first fragment) */
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t src_ip[16];        /* IPv4 in the first 4 octets */
	uint8_t dst_ip[16];
};

/* What workers read: published by the control thread, never changed
 * after publication. */
struct team_balance {
	uint8_t lb;                /* enum team_lb */
	uint8_t n_dist;            /* distributing members; 0: drop */
	uint32_t dist_mask;        /* bit i: member i distributes */
	uint64_t idle_ns;          /* dynamic: flowlet gap */
	uint8_t bucket[TEAM_BUCKETS];      /* bucket -> member */
	uint8_t source[TEAM_MAX_SOURCES];  /* source -> member, or
					    * TEAM_NO_MEMBER (unbound) */
};

/* One worker's view of the dynamic buckets. */
struct team_flowlet {
	uint8_t member[TEAM_BUCKETS];      /* where the bucket goes now */
	uint64_t last[TEAM_BUCKETS];       /* ns of its last frame */
	uint64_t bytes[TEAM_BUCKETS];      /* bytes sent, ever (relaxed) */
};

/* A source rebound by team_balancer_set_members(): announce its MACs on
 * 'to' in switch-independent mode. */
struct team_move {
	uint16_t source;
	uint8_t from;              /* member it was on */
	uint8_t to;                /* member it is on now */
};

struct team_balancer_config {
	enum team_lb lb;
	enum team_hash hash;       /* fields hashed for buckets */
	uint64_t idle_ns;          /* dynamic; 0: TEAM_FLOWLET_IDLE_NS */
};

/* ---- fast path (workers) ---------------------------------------------- */

/* Hashes the fields 'h' names, falling back to fewer when the frame has
 * not got them: to MAC (and VLAN) when l3 is neither 4 nor 6, to IP
 * when ports are asked for and !has_ports.  Well mixed in every bit. */
uint32_t team_flow_hash(const struct team_flow *f, enum team_hash h);

/* The member for a frame whose flow hashes to 'hash' (address-hash), or
 * TEAM_NO_MEMBER when none distributes. */
static inline unsigned int
team_balance_by_hash(const struct team_balance *b, uint32_t hash)
{
	return b->bucket[hash & (TEAM_BUCKETS - 1)];
}

/* The member for a frame from 'source' (hyperv-port); a source not
 * bound (out of range, or added after this snapshot) falls back to
 * 'hash'. */
static inline unsigned int
team_balance_by_source(const struct team_balance *b, unsigned int source,
		       uint32_t hash)
{
	if (source < TEAM_MAX_SOURCES && b->source[source] != TEAM_NO_MEMBER)
		return b->source[source];
	return team_balance_by_hash(b, hash);
}

/* Clears 'st' (every bucket unplaced): once per worker at start. */
void team_flowlet_init(struct team_flowlet *st);

/* The member for a frame of 'bytes' whose flow hashes to 'hash', sent at
 * 'now_ns' (dynamic).  The bucket stays where this worker sent it last
 * unless that member no longer distributes (it moves at once), or the
 * snapshot wants it elsewhere and it has been idle for b->idle_ns (it
 * moves: a flowlet boundary).  Counts the bytes. */
static inline unsigned int
team_flowlet_pick(struct team_flowlet *st, const struct team_balance *b,
		  uint32_t hash, uint32_t bytes, uint64_t now_ns)
{
	unsigned int i = hash & (TEAM_BUCKETS - 1);
	unsigned int cur = st->member[i], want = b->bucket[i];

	if (want == TEAM_NO_MEMBER)
		return TEAM_NO_MEMBER;
	if (cur != want &&
	    (cur >= TEAM_MAX_MEMBERS || !(b->dist_mask >> cur & 1) ||
	     now_ns - st->last[i] >= b->idle_ns)) {
		cur = want;
		st->member[i] = (uint8_t)want;
	}
	st->last[i] = now_ns;
	/* Single writer: a plain read of our own counter, a relaxed store
	 * for the control thread's relaxed load. */
	__atomic_store_n(&st->bytes[i], st->bytes[i] + bytes,
			 __ATOMIC_RELAXED);
	return cur;
}

/* Adds the byte counters of 'st' into 'sum' (control thread). */
void team_flowlet_read_bytes(const struct team_flowlet *st,
			     uint64_t sum[TEAM_BUCKETS]);

/* ---- control thread --------------------------------------------------- */

/* Returns a balancer with no member distributing and no source, or NULL
 * with errno EINVAL (unknown lb or hash) or ENOMEM. */
struct team_balancer *team_balancer_create(
	const struct team_balancer_config *cfg);
void team_balancer_destroy(struct team_balancer *b);

/* Makes 'mask' the set of distributing members (team.h
 * team_distributing_mask()).  Buckets and sources of members that left
 * move to the remaining ones, to the least loaded (dynamic: by measured
 * load; otherwise by count); members that joined take the fewest
 * buckets and sources that even the counts.  Writes up to 'max' source
 * moves to 'moves' and returns how many moves there were (which may
 * exceed 'max'). */
unsigned int team_balancer_set_members(struct team_balancer *b, uint32_t mask,
				       struct team_move *moves,
				       unsigned int max);

/* Binds 'source' to the distributing member with the fewest sources
 * (ties: the lowest index); unbound while no member distributes, and
 * bound on the next team_balancer_set_members().  Sources already bound
 * never move for it.  0, -EINVAL (out of range) or -EEXIST. */
int team_balancer_add_source(struct team_balancer *b, unsigned int source);
/* 0 or -ENOENT.  The others stay where they are. */
int team_balancer_remove_source(struct team_balancer *b, unsigned int source);
/* The member 'source' is bound to, or TEAM_NO_MEMBER. */
unsigned int team_balancer_source_member(const struct team_balancer *b,
					 unsigned int source);
/* Writes up to 'max' sources bound to 'member' into 'out', in increasing
 * order; returns how many there are.  Before a failover these are the
 * sources whose MACs the physical network knows behind 'member'. */
unsigned int team_balancer_sources_on(const struct team_balancer *b,
				      unsigned int member, uint16_t *out,
				      unsigned int max);

/* Dynamic: folds 'bytes' (bytes per bucket in the interval just ended,
 * summed over workers) into the measured load, then moves buckets from
 * the most to the least loaded member while the gap between them
 * exceeds an eighth of the mean member load and one bucket's move cuts
 * it by a quarter at least; at most TEAM_REBALANCE_MAX_MOVES buckets per
 * call.  A bucket whose flows never pause keeps going where it went
 * (team_flowlet_pick()) although its load counts on its new member.
 * Returns the number of buckets moved (0 for the other algorithms,
 * which only record the load for team_balancer_member_load()). */
#define TEAM_REBALANCE_MAX_MOVES 16
unsigned int team_balancer_rebalance(struct team_balancer *b,
				     const uint64_t bytes[TEAM_BUCKETS]);

/* Measured load (bytes per interval, smoothed) of the buckets bound to
 * each member, for team-status's share of load. */
void team_balancer_member_load(const struct team_balancer *b,
			       uint64_t load[TEAM_MAX_MEMBERS]);

/* Fills 'out' with the current tables, for publication. */
void team_balancer_publish(const struct team_balancer *b,
			   struct team_balance *out);

const char *team_lb_name(enum team_lb lb);
const char *team_hash_name(enum team_hash h);
/* Parse the names above; 0 or -EINVAL. */
int team_lb_parse(const char *s, enum team_lb *out);
int team_hash_parse(const char *s, enum team_hash *out);

#endif
