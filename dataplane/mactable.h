/* The MAC table: (VLAN, MAC) -> port slot, learned by the workers on the
 * fast path, aged and edited by the control thread.
 *
 * Thread-safety.  Any number of threads may call dp_mactable_lookup() and
 * dp_mactable_learn() concurrently with one control thread calling the
 * other functions; nothing takes a lock.  The table is a fixed array of
 * buckets of 8 slots, each key a candidate for two buckets.  A slot holds
 * two 64-bit atomics: the key and the value (last-seen second, slot
 * version, static flag, port).
 *
 * - A learner claims an empty slot by compare-and-swap of the key to a
 *   "busy" form that no lookup matches, stores the value, then publishes
 *   the key with a release store.
 * - A learner changes a published entry only by compare-and-swap of the
 *   value, prepared from a value it read between two reads of the key.
 * - Only the control thread frees a slot: it first bumps the version in
 *   the value (compare-and-swap, so an entry refreshed meanwhile is kept),
 *   then clears the key.  A learner's swap prepared against the old entry
 *   therefore fails rather than writing into whatever reuses the slot, and
 *   a static entry written by the control thread is never overwritten by
 *   a learner that read the value before it.
 * - A reader loads the key (acquire), the value, and the key again, so it
 *   never pairs a key with another entry's value.
 *
 * Memory never moves, so no grace period is needed.
 *
 * Pure code: C11 atomics only, explicit time ('now' in seconds). */
#ifndef VSWITCH_DP_MACTABLE_H
#define VSWITCH_DP_MACTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define DP_MAC_NO_PORT 0xffff
/* Keys of a virtual subnet (nv_dp.h) rather than a VLAN; bit 62 is the
 * table's own (claimed slot), bit 63 marks every key. */
#define DP_MAC_KEY_NV (1ull << 60)

struct dp_mactable;

/* What dp_mactable_learn() did. */
enum dp_learn {
	DP_LEARN_REFRESHED,  /* known on this port */
	DP_LEARN_NEW,        /* added */
	DP_LEARN_MOVED,      /* was on another port, now on this one */
	DP_LEARN_STATIC,     /* a static entry for another port: unchanged */
	DP_LEARN_FULL,       /* no free slot in either bucket */
};

struct dp_mac_entry {
	uint16_t vlan;       /* or, with 'nv', the VSID's learning key */
	bool nv;
	uint8_t mac[6];
	uint16_t port;
	bool is_static;
	uint32_t seen;       /* second of last refresh */
};

/* Returns a table with room for 'capacity' entries: three slots are
 * provisioned per entry (rounded up to a power of two of 8-slot buckets),
 * because with two candidate buckets per key learning starts to fail at
 * 35-60 % occupancy.  NULL when out of memory. */
struct dp_mactable *dp_mactable_create(uint32_t capacity);
void dp_mactable_destroy(struct dp_mactable *t);

/* Key of (VLAN, MAC): never 0 (bit 63 is set). */
static inline uint64_t
dp_mac_key(uint16_t vlan, const uint8_t mac[6])
{
	return 1ull << 63 | (uint64_t)(vlan & 0xfff) << 48 |
	       (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
	       (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 |
	       (uint64_t)mac[4] << 8 | (uint64_t)mac[5];
}

/* Fast path.  Returns the port of 'key', or DP_MAC_NO_PORT. */
uint16_t dp_mactable_lookup(const struct dp_mactable *t, uint64_t key);

/* Fast path.  Records that 'key' was seen on 'port' at 'now'. */
enum dp_learn dp_mactable_learn(struct dp_mactable *t, uint64_t key,
				uint16_t port, uint32_t now);

/* Control thread only. */
int dp_mactable_add_static(struct dp_mactable *t, uint64_t key,
			   uint16_t port);           /* 0 or -ENOSPC */
bool dp_mactable_del(struct dp_mactable *t, uint64_t key);
/* Removes dynamic entries not seen for 'aging' seconds; returns how many. */
unsigned int dp_mactable_age(struct dp_mactable *t, uint32_t now,
			     uint32_t aging);
/* Removes the dynamic (and, if 'statics', static) entries of 'port'. */
unsigned int dp_mactable_flush_port(struct dp_mactable *t, uint16_t port,
				    bool statics);
/* Copies up to 'max' entries into 'out'; returns the number of entries in
 * the table (which may exceed 'max'). */
unsigned int dp_mactable_dump(const struct dp_mactable *t,
			      struct dp_mac_entry *out, unsigned int max);
unsigned int dp_mactable_count(const struct dp_mactable *t);

#endif
