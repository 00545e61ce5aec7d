/* Network virtualization policy, in Hyper-V's terms: provider addresses
 * (PA, ours, on an external port with an optional VLAN), provider routes,
 * lookup records (VSID, customer address CA, CA MAC -> PA, rule Encap or
 * L2Only) and customer routes (routing domain, VSID, prefix -> next hop,
 * metric).  Workers look records and routes up per packet without locks
 * while the control thread changes them.
 *
 * Versions.  Everything a worker reads hangs off one immutable 'struct
 * nvgre_view'.  The control thread changes the tables only inside a
 * transaction (nvgre_txn_begin() ... nvgre_txn_commit()): it copies what it
 * touches -- the view, the shard of a hash table, a routing domain's
 * route array -- and changes the copies, which no worker can reach.
 * Untouched parts are shared with the previous view.  Commit publishes the
 * new view with one pointer store; a worker sees either all of a
 * transaction (100,000 records of a bulk import, both halves of a VM
 * migration) or none of it, never a record half written.
 *
 * Thread-safety.
 *
 * - Readers (any number of threads): call nvgre_db_view() once per
 *   polling-loop iteration (or burst) and do every lookup of that
 *   iteration on the view it returns.  The view and every pointer a lookup
 *   hands out (nvgre_vsid_info.peers) stay valid until the reader reports
 *   a quiescent state to the caller's RCU, and not a moment longer: a
 *   reader must not keep them across one.  Lookups never allocate, lock,
 *   log or write shared memory.
 *
 * - The writer (one thread at a time, normally the control thread): every
 *   other function.  Calls from several threads must be serialised by the
 *   caller.  The writer may read nvgre_db_view() without RCU, since only it
 *   frees.
 *
 * - Reclamation.  What a commit replaced is freed only after a grace
 *   period, measured by the caller's RCU through 'struct nvgre_rcu':
 *   'start' is called right after the new view is published and returns a
 *   token; 'check' says whether every reader has passed a quiescent state
 *   since.  With DPDK that is rte_rcu_qsbr_start() and
 *   rte_rcu_qsbr_check(), with workers calling rte_rcu_qsbr_quiescent()
 *   once per loop -- the QSBR variable that already guards the
 *   configuration snapshot serves, as long as workers report only where
 *   they hold neither.  nvgre_txn_commit() frees whatever is already past its
 *   grace period without waiting; nvgre_db_reclaim() does so on demand
 *   (call it now and then, e.g. from a timer, so that memory of the last
 *   commit is returned even when no further commit comes).
 *
 * Errors.  Changes return 0 or a negative errno and, when 'err' is not
 * NULL, a sentence naming the offending field ("vsid: 4095 is out of range
 * 4096-16777214").  A change refused for bad input leaves the transaction
 * as it was, so a bulk import can report the first bad line and abort
 * with nothing changed.  -ENOMEM poisons the transaction: commit then
 * fails and discards it.
 *
 * Pure code: no DPDK types, no I/O, no clock. */
#ifndef VSWITCH_NVGRE_TABLES_H
#define VSWITCH_NVGRE_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvgre/addr.h"
#include "nvgre/drop.h"
#include "nvgre/wire.h"

#define NVGRE_MAX_PEERS 65535        /* distinct PAs named by records */
#define NVGRE_MAX_LOCAL_PAS 16       /* PAs of this host */
#define NVGRE_RDOM_NAME_MAX 63       /* characters of a routing domain id */
#define NVGRE_RDOM_NONE UINT32_MAX   /* VSID without customer routes */
#define NVGRE_ERR_SIZE 192

struct nvgre_db;
struct nvgre_view;
struct nvgre_txn;

struct nvgre_err {
	char msg[NVGRE_ERR_SIZE];    /* "field: what is wrong" */
};

/* The caller's RCU; see "Reclamation" above. */
struct nvgre_rcu {
	/* A token for "now", taken right after a version is published. */
	uint64_t (*start)(void *ctx);
	/* True once every reader has passed a quiescent state since
	 * 'token' was taken; with 'wait', returns only then. */
	bool (*check)(void *ctx, uint64_t token, bool wait);
	void *ctx;                   /* passed to both */
};

/* ---- database ------------------------------------------------------- */

/* Returns an empty database whose hash tables are keyed with 'seed' (pass
 * a random value: tenants choose their CAs and MACs and must not be able
 * to aim them at one bucket).  'rcu' is copied; NULL means there are no
 * concurrent readers (a tool that only validates or converts a
 * configuration), and replaced versions are freed at commit.  NULL when
 * out of memory. */
struct nvgre_db *nvgre_db_create(const struct nvgre_rcu *rcu, uint64_t seed);

/* Frees 'db' and everything it holds.  No reader may use it any more and
 * no transaction may be open. */
void nvgre_db_destroy(struct nvgre_db *db);

/* Reader entry point: the current view (load-acquire). */
const struct nvgre_view *nvgre_db_view(const struct nvgre_db *db);

/* Frees replaced versions whose grace period is over; with 'wait',
 * waits for all of them.  Returns how many commits' worth of memory is
 * still waiting. */
unsigned int nvgre_db_reclaim(struct nvgre_db *db, bool wait);

/* Bytes allocated for tables: the current view and versions still
 * waiting for their grace period. */
size_t nvgre_db_bytes(const struct nvgre_db *db);

/* ---- transactions --------------------------------------------------- */

/* Opens the transaction of 'db' (one at a time).  NULL with errno EBUSY
 * when one is open, ENOMEM when out of memory. */
struct nvgre_txn *nvgre_txn_begin(struct nvgre_db *db);

/* Publishes every change of 'tx' at once and closes it.  Returns 0, or
 * -ENOMEM when a change ran out of memory (then nothing is published). */
int nvgre_txn_commit(struct nvgre_txn *tx);

/* Discards every change of 'tx' and closes it. */
void nvgre_txn_abort(struct nvgre_txn *tx);

/* The transaction's own view, with its changes so far: for validating
 * against what the transaction has built.  Valid until commit or abort. */
const struct nvgre_view *nvgre_txn_view(const struct nvgre_txn *tx);

/* ---- provider side: our PAs and the underlay routes ----------------- */

struct nvgre_pa_cfg {
	struct nvgre_addr addr;      /* our PA */
	uint8_t prefix_len;          /* its on-link subnet */
	uint16_t port;               /* the caller's external port id */
	uint16_t vlan;               /* PA VLAN 1-4094, 0 = untagged */
};

/* Adds a PA of this host.  -EINVAL (field named), -EEXIST, -ENOSPC past
 * NVGRE_MAX_LOCAL_PAS.  Its subnet becomes an on-link provider route. */
int nvgre_pa_add(struct nvgre_txn *tx, const struct nvgre_pa_cfg *cfg,
		 struct nvgre_err *err);
int nvgre_pa_del(struct nvgre_txn *tx, const struct nvgre_addr *addr,
		 struct nvgre_err *err);

struct nvgre_proute_cfg {
	struct nvgre_prefix prefix;  /* destination PAs */
	struct nvgre_addr nexthop;   /* underlay router; unspecified or no
				      * family: on-link */
	uint16_t port;               /* external port toward it */
	uint32_t metric;             /* lower wins among equal prefixes */
};

/* Adds a provider route.  -EINVAL, -EEXIST for the same prefix, next hop
 * and port. */
int nvgre_proute_add(struct nvgre_txn *tx, const struct nvgre_proute_cfg *cfg,
		     struct nvgre_err *err);
/* Removes the route of that prefix, next hop and port (metric ignored). */
int nvgre_proute_del(struct nvgre_txn *tx, const struct nvgre_proute_cfg *cfg,
		     struct nvgre_err *err);

/* ---- lookup records ------------------------------------------------- */

enum nvgre_rule {
	NVGRE_RULE_ENCAP,            /* CA IP and MAC -> PA, encapsulated */
	NVGRE_RULE_L2ONLY,           /* MAC only (CA 0.0.0.0): no IP known */
};

struct nvgre_record_cfg {
	uint32_t vsid;               /* virtual subnet, 4096-16777214 */
	struct nvgre_addr ca;        /* Encap: IPv4/IPv6; L2Only: 0.0.0.0 */
	uint8_t mac[6];              /* CA MAC */
	struct nvgre_addr pa;        /* PA of the host of the CA */
	enum nvgre_rule rule;        /* Encap or L2Only */
};

/* Adds a lookup record.  Records of one (VSID, MAC) -- the IPv4 and IPv6
 * addresses of one VM NIC -- share one PA and rule: a VM lives on one
 * host.  The PA must be reachable when the record is added; a provider
 * route or PA removed later leaves the record in place, and
 * nvgre_lookup_underlay() then fails for its PA.  Errors: -EINVAL (bad
 * VSID, CA, MAC, PA or rule, named), -EEXIST (same VSID and CA; an
 * L2Only record for the MAC; the MAC already on another PA or under the
 * other rule), -EHOSTUNREACH (the PA is neither ours nor reached by a
 * provider route), -ENOSPC (too many PAs). */
int nvgre_record_add(struct nvgre_txn *tx, const struct nvgre_record_cfg *cfg,
		     struct nvgre_err *err);

/* Removes the record of (vsid, ca), or with 'ca' unspecified or NULL the
 * L2Only record of (vsid, mac).  -EINVAL, -ENOENT. */
int nvgre_record_del(struct nvgre_txn *tx, uint32_t vsid,
		     const struct nvgre_addr *ca, const uint8_t mac[6],
		     struct nvgre_err *err);

/* Moves every record of (vsid, mac) to 'pa': a VM migrated.  -EINVAL,
 * -ENOENT, -EHOSTUNREACH, -ENOSPC. */
int nvgre_record_move(struct nvgre_txn *tx, uint32_t vsid,
		      const uint8_t mac[6], const struct nvgre_addr *pa,
		      struct nvgre_err *err);

/* ---- customer routes ------------------------------------------------ */

struct nvgre_croute_cfg {
	const char *rdom;            /* routing domain id: a GUID such as
				      * "{11111111-2222-3333-4444-
				      * 555555555555}" or a short name;
				      * 1-63 printable characters, no
				      * spaces */
	uint32_t vsid;               /* the virtual subnet of the prefix */
	struct nvgre_prefix prefix;  /* destination CAs */
	struct nvgre_addr nexthop;   /* unspecified or no family: on-link
				      * in 'vsid'; else a CA in 'vsid' */
	uint32_t metric;             /* lower wins among equal prefixes */
	struct nvgre_addr gateway;   /* on-link only: the VSID's virtual
				      * gateway in this subnet; no family:
				      * the lowest usable address */
};

/* Adds a customer route.  A VSID belongs to the routing domain of its
 * routes; a prefix is on-link in at most one VSID of a domain.  -EINVAL
 * (field named), -EEXIST (same rdom, VSID, prefix and next hop; VSID of
 * another domain; prefix on-link in another VSID). */
int nvgre_croute_add(struct nvgre_txn *tx, const struct nvgre_croute_cfg *cfg,
		     struct nvgre_err *err);
/* Removes the route of rdom, VSID, prefix and next hop.  -EINVAL,
 * -ENOENT. */
int nvgre_croute_del(struct nvgre_txn *tx, const struct nvgre_croute_cfg *cfg,
		     struct nvgre_err *err);

/* ---- lookups: any thread holding the view --------------------------- */

/* What a lookup record says about a CA. */
struct nvgre_hit {
	uint8_t mac[6];              /* CA MAC */
	uint8_t rule;                /* enum nvgre_rule */
	bool local;                  /* its PA is ours: deliver locally */
	uint32_t peer;               /* index of its PA (nvgre_peer_get) */
};

/* Record of CA 'ca' in 'vsid' (Encap records only). */
bool nvgre_lookup_ca(const struct nvgre_view *v, uint32_t vsid,
		     const struct nvgre_addr *ca, struct nvgre_hit *out);
/* Record of CA MAC 'mac' in 'vsid' (Encap and L2Only). */
bool nvgre_lookup_mac(const struct nvgre_view *v, uint32_t vsid,
		      const uint8_t mac[6], struct nvgre_hit *out);

struct nvgre_vsid_info {
	uint32_t rdom;               /* routing domain, NVGRE_RDOM_NONE */
	uint32_t n_peers;            /* PAs hosting the VSID, ours too */
	const uint32_t *peers;       /* their indexes, ascending: the
				      * broadcast replication list */
};

/* A VSID this host has records or routes for. */
bool nvgre_lookup_vsid(const struct nvgre_view *v, uint32_t vsid,
		       struct nvgre_vsid_info *out);
bool nvgre_vsid_has_peer(const struct nvgre_vsid_info *info, uint32_t peer);

/* PAs named by records get small indexes, stable for as long as any
 * record names the PA; an unused index may later name another PA.  A
 * caller keeps per-PA state (the header template, ARP state) in an array
 * indexed by them and compares the address on each new view. */
struct nvgre_peer_info {
	struct nvgre_addr addr;      /* the PA */
	bool local;                  /* one of our PAs */
};
/* Index of 'pa', or -1. */
int nvgre_peer_find(const struct nvgre_view *v, const struct nvgre_addr *pa);
bool nvgre_peer_get(const struct nvgre_view *v, uint32_t peer,
		    struct nvgre_peer_info *out);
/* Every index in use is below this. */
uint32_t nvgre_peer_limit(const struct nvgre_view *v);

/* Where a packet from 'src_vsid' to 'dst' goes: the longest prefix of the
 * VSID's routing domain that holds 'dst', the lowest metric among equal
 * prefixes; then look 'nexthop' up in 'vsid'. */
struct nvgre_route_hit {
	uint32_t vsid;               /* destination virtual subnet */
	struct nvgre_addr nexthop;   /* 'dst' itself when on-link */
	struct nvgre_prefix prefix;  /* the route's */
	uint32_t metric;             /* the route's */
};
bool nvgre_lookup_route(const struct nvgre_view *v, uint32_t src_vsid,
			const struct nvgre_addr *dst,
			struct nvgre_route_hit *out);

/* The virtual gateway of 'vsid' for 'family' (of its first on-link subnet
 * of that family), and whether 'addr' is one of the VSID's gateways. */
bool nvgre_vsid_gateway(const struct nvgre_view *v, uint32_t vsid,
			uint8_t family, struct nvgre_addr *out);
bool nvgre_is_gateway(const struct nvgre_view *v, uint32_t vsid,
		      const struct nvgre_addr *addr);

/* How to reach remote PA 'pa' on the underlay. */
struct nvgre_underlay_hit {
	struct nvgre_addr nexthop;   /* to resolve with ARP/ND */
	struct nvgre_addr src;       /* our PA to send from */
	uint16_t port;               /* external port of that PA */
	uint16_t vlan;               /* of that PA, 0 = untagged */
};
bool nvgre_lookup_underlay(const struct nvgre_view *v,
			   const struct nvgre_addr *pa,
			   struct nvgre_underlay_hit *out);

/* Index of our PA 'addr', or -1; its configuration. */
int nvgre_local_pa_find(const struct nvgre_view *v,
			const struct nvgre_addr *addr);
bool nvgre_local_pa_get(const struct nvgre_view *v, unsigned int idx,
			struct nvgre_pa_cfg *out);

/* Checks a frame nvgre_decap_parse() accepted against the tables:
 * NVGRE_DROP_DST_PA_NOT_LOCAL, NVGRE_DROP_PA_VLAN (our PA, arrived on
 * another VLAN), NVGRE_DROP_SRC_PA_LOCAL, NVGRE_DROP_VSID_UNKNOWN,
 * NVGRE_DROP_SRC_PA_NOT_IN_VSID, in that order; else NVGRE_DROP_NONE.
 * "Unknown" means no record or route names the VSID; whether a VM of the
 * VSID is attached here is the caller's to check. */
enum nvgre_drop nvgre_decap_check(const struct nvgre_view *v,
				  const struct nvgre_decap *d);

/* ---- control-path listing ------------------------------------------- */

struct nvgre_stats {
	uint64_t version;            /* commits so far */
	uint32_t records;            /* Encap + L2Only */
	uint32_t records_l2only;     /* of which L2Only */
	uint32_t macs;               /* distinct (VSID, MAC) */
	uint32_t vsids;              /* with records or routes */
	uint32_t peers;              /* distinct PAs named by records */
	uint32_t rdoms;              /* routing domains with routes */
	uint32_t croutes;            /* customer routes */
	uint32_t local_pas;          /* ours */
	uint32_t proutes;            /* configured, on-link ones not counted */
};
void nvgre_view_stats(const struct nvgre_view *v, struct nvgre_stats *out);

/* Calls 'fn' on every record, in no particular order; stops early, and
 * returns that value, when 'fn' returns non-zero. */
int nvgre_view_foreach_record(const struct nvgre_view *v,
			      int (*fn)(const struct nvgre_record_cfg *rec,
					void *arg),
			      void *arg);
/* Same for customer routes ('rdom' points into the view). */
int nvgre_view_foreach_croute(const struct nvgre_view *v,
			      int (*fn)(const struct nvgre_croute_cfg *route,
					void *arg),
			      void *arg);
/* Same for configured provider routes. */
int nvgre_view_foreach_proute(const struct nvgre_view *v,
			      int (*fn)(const struct nvgre_proute_cfg *route,
					void *arg),
			      void *arg);

#endif
