/* Internals of the tables: the view, the entries of its maps, the
 * transaction and the database.  Shared by db.c, peers.c, records.c,
 * provider.c and customer.c; nothing outside nvgre/ includes it.
 *
 * Storage, per record: the IP map holds (VSID, CA) -> MAC, 16 bytes for
 * an IPv4 CA and 28 for IPv6; the MAC map holds (VSID, MAC) -> PA index,
 * rule and the number of IP records sharing it, 16 bytes.  Together with
 * the index slots (4 bytes at most 3/4 full) an IPv4 VM NIC costs about
 * 46 bytes.  Splitting IP from MAC is also what makes a migration one
 * change: the MAC entry names the PA once for all the NIC's addresses. */
#ifndef VSWITCH_NVGRE_DB_PRIV_H
#define VSWITCH_NVGRE_DB_PRIV_H

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#include "nvgre/cow.h"
#include "nvgre/lpm.h"
#include "nvgre/pmap.h"
#include "nvgre/tables.h"

/* ---- entries of the maps --------------------------------------------- */

struct rec4_ent {            /* key: vsid, ca */
	uint32_t vsid;
	uint8_t ca[4];
	uint8_t mac[6];
	uint8_t pad[2];
};

struct rec6_ent {            /* key: vsid, ca */
	uint32_t vsid;
	uint8_t ca[16];
	uint8_t mac[6];
	uint8_t pad[2];
};

struct mac_ent {             /* key: vsid, mac */
	uint32_t vsid;
	uint8_t mac[6];
	uint16_t peer;       /* PA index */
	uint16_t n_ips;      /* Encap records of this MAC */
	uint8_t rule;        /* enum nvgre_rule */
	uint8_t pad;
};

struct nv_peerset;

struct vsid_ent {            /* key: vsid */
	uint32_t vsid;
	uint32_t rdom;       /* NVGRE_RDOM_NONE without routes */
	uint32_t n_macs;     /* MAC entries of the VSID */
	uint32_t n_routes;   /* customer routes naming the VSID */
	struct nv_peerset *peers;    /* never NULL */
};

struct peer_key_ent {        /* key: the address */
	struct nvgre_addr addr;
	uint8_t pad[3];
	uint32_t idx;
};

struct rdom_key_ent {        /* key: the id, NUL-padded */
	char name[NVGRE_RDOM_NAME_MAX + 1];
	uint32_t idx;
};

_Static_assert(sizeof(struct rec4_ent) == 16, "rec4");
_Static_assert(sizeof(struct rec6_ent) == 28, "rec6");
_Static_assert(sizeof(struct mac_ent) == 16, "mac");
_Static_assert(sizeof(struct vsid_ent) == 24, "vsid");

static const struct pmap_type rec4_type = { sizeof(struct rec4_ent), 8 };
static const struct pmap_type rec6_type = { sizeof(struct rec6_ent), 20 };
static const struct pmap_type mac_type = { sizeof(struct mac_ent), 10 };
static const struct pmap_type vsid_type = { sizeof(struct vsid_ent), 4 };
static const struct pmap_type peer_key_type = {
	sizeof(struct peer_key_ent), sizeof(struct nvgre_addr) };
static const struct pmap_type rdom_key_type = {
	sizeof(struct rdom_key_ent), NVGRE_RDOM_NAME_MAX + 1 };

/* ---- arrays of a view ------------------------------------------------ */

/* The PAs of a VSID (the broadcast replication list) and how many MAC
 * entries of the VSID name each.  Layout: peers[cap], then counts[cap]. */
struct nv_peerset {
	struct nv_obj obj;
	uint32_t n;
	uint32_t cap;
	uint32_t ents[];
};

static inline uint32_t *
peerset_peers(struct nv_peerset *s)
{
	return s->ents;
}

static inline uint32_t *
peerset_counts(struct nv_peerset *s)
{
	return s->ents + s->cap;
}

struct nv_peer {
	struct nvgre_addr addr;
	uint8_t used;
	uint8_t local;       /* addr is one of our PAs */
	uint8_t pad;
	uint32_t refs;       /* VSID peer sets holding it */
};

struct nv_peers {
	struct nv_obj obj;
	uint32_t limit;      /* every used index is below */
	uint32_t cap;
	uint32_t n_used;
	uint32_t pad;
	struct nv_peer ents[];
};

struct nv_rdom {
	char name[NVGRE_RDOM_NAME_MAX + 1];
	uint32_t used;
	uint32_t n_routes;
	struct lpm *routes;  /* of struct nv_croute */
};

struct nv_rdoms {
	struct nv_obj obj;
	uint32_t limit;
	uint32_t cap;
	uint32_t n_used;
	uint32_t pad;
	struct nv_rdom ents[];
};

struct nv_croute {
	struct lpm_pfx pfx;
	uint32_t vsid;
	uint8_t gw_configured;
	uint8_t pad[3];
	struct nvgre_addr nexthop;   /* no family: on-link */
	struct nvgre_addr gateway;   /* on-link: virtual gateway, if any */
	uint8_t pad2[6];
};

struct nv_proute {
	struct lpm_pfx pfx;
	struct nvgre_addr nexthop;   /* no family: on-link */
	uint8_t connected;   /* a PA's subnet, not configured */
	uint16_t port;
	uint32_t pa;         /* connected: index in the PA array */
};

_Static_assert(sizeof(struct nv_croute) % 8 == 0, "croute");
_Static_assert(sizeof(struct nv_proute) % 8 == 0, "proute");

struct nv_pas {
	struct nv_obj obj;
	uint32_t n;
	uint32_t pad;
	struct nvgre_pa_cfg ents[NVGRE_MAX_LOCAL_PAS];
};

/* ---- view, transaction, database ------------------------------------- */

struct nvgre_view {
	struct nv_obj obj;
	uint64_t version;            /* commits so far */
	uint64_t seed;               /* of every hash map */
	struct pmap_root *rec4;      /* (VSID, IPv4 CA) -> MAC */
	struct pmap_root *rec6;      /* (VSID, IPv6 CA) -> MAC */
	struct pmap_root *macs;      /* (VSID, MAC) -> PA, rule */
	struct pmap_root *vsids;     /* VSID -> routing domain, PAs */
	struct pmap_root *peer_keys; /* PA -> peer index */
	struct pmap_root *rdom_keys; /* routing domain id -> index */
	struct nv_peers *peers;      /* peer index -> PA */
	struct nv_rdoms *rdoms;      /* index -> id, customer routes */
	struct nv_pas *pas;          /* ours */
	struct lpm *proutes;         /* of struct nv_proute */
	uint32_t n_records;
	uint32_t n_l2only;
	uint32_t n_croutes;
	uint32_t n_proutes;          /* configured ones */
};

struct nvgre_txn {
	struct nvgre_db *db;
	struct nvgre_view *v;        /* private: being built */
	struct nv_txn_mem mem;
	bool changed;
};

/* What one commit replaced, freed once 'token' has expired. */
struct nv_garbage {
	uint64_t token;
	void **objs;
	uint32_t n;
};

struct nvgre_db {
	/* Release-stored by commit, load-acquired by readers. */
	_Atomic(struct nvgre_view *) cur;
	struct nvgre_rcu rcu;
	uint64_t seed;
	uint64_t gen;                /* of the last transaction */
	size_t bytes;
	bool txn_open;
	struct nvgre_txn txn;
	struct nv_garbage *garbage;  /* FIFO: [head, head + n) */
	uint32_t garbage_head, n_garbage, cap_garbage;
};

/* ---- helpers shared by the table files ------------------------------- */

/* Formats 'fmt' into 'err' (if any) and returns 'code'. */
int nv_err(struct nvgre_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reason of an allocation failure: -ENOMEM, the transaction failed. */
int nv_nomem(struct nvgre_txn *tx, struct nvgre_err *err);

static inline uint64_t
nv_key_hash(const struct nvgre_view *v, const void *key, size_t ksize)
{
	return pmap_hash(key, ksize, v->seed);
}

static inline void
mac_key(struct mac_ent *k, uint32_t vsid, const uint8_t mac[6])
{
	memset(k, 0, sizeof(*k));
	k->vsid = vsid;
	memcpy(k->mac, mac, 6);
}

static inline const struct mac_ent *
mac_get(const struct nvgre_view *v, uint32_t vsid, const uint8_t mac[6])
{
	struct mac_ent k;

	mac_key(&k, vsid, mac);
	return pmap_get(v->macs, nv_key_hash(v, &k, 10), &k, 10,
			sizeof(struct mac_ent));
}

static inline const struct vsid_ent *
vsid_get(const struct nvgre_view *v, uint32_t vsid)
{
	return pmap_get(v->vsids, nv_key_hash(v, &vsid, 4), &vsid, 4,
			sizeof(struct vsid_ent));
}

/* peers.c: VSID entries, the PAs hosting each, and the PA index.  All
 * return 0 or -ENOMEM (the transaction has failed then). */

/* The private entry of 'vsid', created (no routes, no MACs) if 'create';
 * NULL when absent or out of memory. */
struct vsid_ent *nv_vsid_mut(struct nvgre_txn *tx, uint32_t vsid,
			     bool create);
/* Drops the entry of 'vsid' if nothing names it any more. */
int nv_vsid_release(struct nvgre_txn *tx, uint32_t vsid);
/* A MAC entry of 'vsid' on PA 'peer' appeared or went away: counts it
 * in the VSID's PA set, adding or dropping the PA. */
int nv_vsid_add_mac(struct nvgre_txn *tx, uint32_t vsid, uint32_t peer);
int nv_vsid_del_mac(struct nvgre_txn *tx, uint32_t vsid, uint32_t peer);
/* The index of 'pa', given one if new (check nv_peer_room() first). */
int nv_peer_intern(struct nvgre_txn *tx, const struct nvgre_addr *pa,
		   uint32_t *idx);
/* True when 'pa' has an index or one is free. */
bool nv_peer_room(const struct nvgre_view *v, const struct nvgre_addr *pa);
/* Marks PA 'pa', if it has an index, as ours or not. */
int nv_peers_set_local(struct nvgre_txn *tx, const struct nvgre_addr *pa,
		       bool local);
/* Frees a VSID map and its PA sets: at destroy. */
void nv_vsid_destroy(size_t *bytes, struct pmap_root *vsids);

/* provider.c */
bool nv_pa_is_local(const struct nvgre_view *v, const struct nvgre_addr *a);
/* Checks a prefix as nvgre_prefix_parse() makes them, as field 'field'. */
int nv_check_prefix(const struct nvgre_prefix *p, const char *field,
		    struct nvgre_err *err);
/* Checks a next hop: none (on-link) or a unicast address of 'family'. */
int nv_check_nexthop(const struct nvgre_addr *nh, uint8_t family,
		     struct nvgre_err *err);
/* The stored form of a next hop: on-link has no family. */
struct nvgre_addr nv_nexthop_norm(const struct nvgre_addr *nh);

/* Messages name VSIDs, addresses and MACs the same way everywhere. */
#define NV_ADDR(a, buf) nvgre_addr_format((a), (buf), sizeof(buf))
#define NV_MAC(m, buf) nvgre_mac_format((m), (buf), sizeof(buf))

/* Checks 'vsid' for a change; names it as field 'field'. */
int nv_check_vsid(uint32_t vsid, const char *field, struct nvgre_err *err);

#endif
