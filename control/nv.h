/* The network virtualization (NV) configuration model: Hyper-V Network
 * Virtualization's policy tables as plain C, their validation, and
 * transactions over them (docs/nv.md).
 *
 *   provider addresses (PA)  the host's own addresses on the underlay, on an
 *                            external port, with an optional VLAN;
 *   provider routes          underlay prefix -> next hop, metric;
 *   lookup records           (VSID, customer address CA, CA MAC) -> PA,
 *                            rule encap or l2only;
 *   customer routes          (routing domain, VSID, prefix) -> next hop,
 *                            metric, virtual gateway.
 *
 * Shared by vswitch-controld, which owns the tables, persists them and
 * replays them, and vswitchd, which receives them and checks every change
 * again with the same code.  Pure C: no DPDK, no sockets, no global state;
 * every function is re-entrant, and one store belongs to one thread.
 *
 * Lookup records are the part that scales (CTL_NV_MAX_RECORDS): they live in a
 * hash table of their own, about 52 bytes each; the other tables are small
 * arrays searched linearly.
 *
 * Errors follow control/config.h: one line in 'err' naming the field
 * ("ops[3].vsid: 4095 is out of range (4096-16777214)"), a negative errno
 * returned (-EINVAL bad value, -ENOENT deleting what does not exist,
 * -EEXIST duplicate, -ENOSPC table full, -ENOMEM, -EIO), and outputs left
 * unchanged on failure. */
#ifndef VSWITCH_CONTROL_NV_H
#define VSWITCH_CONTROL_NV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/config.h"

#define CTL_NV_SCHEMA_VERSION 1
#define CTL_NV_VSID_MIN 4096            /* 0-4095 are reserved (RFC 7637 4.) */
#define CTL_NV_VSID_MAX 16777214        /* 0xFFFFFF is reserved too */
#define CTL_NV_MAX_PAS 64
#define CTL_NV_MAX_PA_ROUTES 1024
#define CTL_NV_MAX_ROUTES 16384
#define CTL_NV_MAX_RECORDS (16u << 20)
#define CTL_NV_RDID_SIZE 40             /* "{8-4-4-4-12}": 38 chars + NUL */
#define CTL_NV_RDID_NAME_MAX 32         /* a short routing domain name */
#define CTL_NV_IP_TEXT_SIZE 46          /* INET6_ADDRSTRLEN */
#define CTL_NV_PREFIX_TEXT_SIZE 50      /* address, '/', length */
#define CTL_NV_RECORD_TEXT_SIZE 192     /* ctl_nv_record_format_json() */

_Static_assert(CTL_NV_VSID_MIN == CTL_VSID_MIN
		       && CTL_NV_VSID_MAX == CTL_VSID_MAX,
	       "a port's VSID has the range of a record's");

/* An IPv6 address, or an IPv4 address in its IPv4-mapped form
 * ::ffff:a.b.c.d, so that both families compare and hash alike. */
struct ctl_nv_ip {
	uint8_t b[16];
};

/* A prefix; 'length' counts the bits of the address's own family (0-32
 * for IPv4, 0-128 for IPv6).  Bits past 'length' are zero. */
struct ctl_nv_prefix {
	struct ctl_nv_ip addr;
	uint8_t length;
};

enum ctl_nv_rule {
	CTL_NV_RULE_ENCAP,      /* TranslationMethodEncap: NVGRE to PA */
	CTL_NV_RULE_L2ONLY,     /* forwarded by MAC alone; CA unused */
};

/* A provider address of this host; the key is 'addr'. */
struct ctl_nv_pa {
	struct ctl_nv_ip addr;          /* unicast */
	uint8_t length;                 /* its subnet: 1-32 or 1-128 */
	uint16_t vlan;                  /* 0: untagged, else 1-4094 */
	char port[CTL_NAME_SIZE];       /* the external port it is on */
	/* The FlowID of what is sent from it: a hash of the inner flow
	 * (default), or with 'flowid_fixed' always 'flowid' (0 for peers
	 * that accept only that, e.g. Open vSwitch's gre ports). */
	bool flowid_fixed;
	uint8_t flowid;
};

/* A provider route; the key is 'prefix'. */
struct ctl_nv_pa_route {
	struct ctl_nv_prefix prefix;
	struct ctl_nv_ip next_hop;      /* on a PA's subnet, same family */
	uint32_t metric;                /* lower wins; default 0 */
};

/* A lookup record, 44 bytes.  The key is (vsid, ca), or (vsid, mac) for
 * a record whose CA is 0.0.0.0 (L2Only by MAC). */
struct ctl_nv_record {
	struct ctl_nv_ip ca;            /* customer address; 0.0.0.0: none */
	struct ctl_nv_ip pa;            /* provider address of its host */
	uint32_t vsid;                  /* CTL_NV_VSID_MIN..CTL_NV_VSID_MAX */
	uint8_t mac[6];                 /* the CA's MAC, unicast */
	uint8_t rule;                   /* enum ctl_nv_rule */
};

/* A customer route; the key is (rdid, vsid, prefix).  A VSID belongs to
 * one routing domain: all routes of a VSID have the same 'rdid'. */
struct ctl_nv_route {
	char rdid[CTL_NV_RDID_SIZE];    /* "{guid}" (lower case) or a name */
	uint32_t vsid;
	struct ctl_nv_prefix prefix;
	struct ctl_nv_ip next_hop;      /* 0.0.0.0 or ::: on-link */
	uint32_t metric;                /* lower wins; default 0 */
	bool has_gateway;               /* 'gateway' was given */
	struct ctl_nv_ip gateway;       /* on-link only: the virtual gateway */
};

/* The operations of a transaction: enum, name (JSON "op"). */
#define CTL_NV_FOREACH_OP(X) \
	X(ADD_PA, "add-pa") \
	X(DEL_PA, "del-pa") \
	X(ADD_PA_ROUTE, "add-pa-route") \
	X(DEL_PA_ROUTE, "del-pa-route") \
	X(ADD_RECORD, "add-record") \
	X(DEL_RECORD, "del-record") \
	X(ADD_ROUTE, "add-route") \
	X(DEL_ROUTE, "del-route")

enum ctl_nv_op_kind {
#define CTL_NV_OP_ENUM(e, s) CTL_NV_OP_##e,
	CTL_NV_FOREACH_OP(CTL_NV_OP_ENUM)
#undef CTL_NV_OP_ENUM
	CTL_NV_OP_N
};

/* One operation.  A del-* op fills only the key fields of its member
 * (del-record: 'mac' too when 'ca' is 0.0.0.0). */
struct ctl_nv_op {
	enum ctl_nv_op_kind kind;
	union {
		struct ctl_nv_pa pa;                    /* [add|del]-pa */
		struct ctl_nv_pa_route pa_route;        /* [add|del]-pa-route */
		struct ctl_nv_record record;            /* [add|del]-record */
		struct ctl_nv_route route;              /* [add|del]-route */
	} u;
};

/* A list of operations, applied all or nothing. */
struct ctl_nv_txn {
	struct ctl_nv_op *ops;
	size_t n_ops;
	size_t cap;                 /* allocated */
};

struct nv_counts {
	size_t pas;
	size_t pa_routes;
	size_t records;
	size_t routes;
};

/* What a transaction did to the records. */
struct ctl_nv_txn_stats {
	size_t added;               /* records that did not exist */
	size_t replaced;            /* records an add-record overwrote */
	size_t deleted;
};

/* Transactions. */
void ctl_nv_txn_init(struct ctl_nv_txn *txn);
void ctl_nv_txn_free(struct ctl_nv_txn *txn);   /* and re-inits it */
int ctl_nv_txn_add(struct ctl_nv_txn *txn,
		   const struct ctl_nv_op *op);  /* 0 or -ENOMEM */

/* The store.  ctl_nv_store_new() returns an empty store or NULL. */
struct ctl_nv_store;
struct ctl_nv_store *ctl_nv_store_new(void);
void ctl_nv_store_free(struct ctl_nv_store *s);

/* Applies 'txn' to 's', all of it or nothing.  Each op is checked on its
 * own (ctl_nv_op_check()) and against the store as the ops before it left it:
 * deleting what does not exist is an error, adding what exists replaces
 * it (a record moving to another PA), one key twice in a transaction is
 * an error, and a VSID's routes stay in one routing domain.  Then the
 * result must hold together: every provider route's next hop lies on a
 * PA's subnet, and every record's PA is on a PA's subnet or behind a
 * provider route.  Errors name the op ("ops[3].vsid: ...").
 *
 * With 'undo' not NULL, a successful call also returns in '*undo' what
 * ctl_nv_store_rollback() needs to take the transaction back; the caller then
 * ends it with ctl_nv_store_rollback() or ctl_nv_store_commit() before the next
 * change of 's'.  All memory a transaction may need is allocated before
 * its first op applies, so neither of those can fail.  'stats' may be
 * NULL.  Returns 0, -EINVAL, -ENOENT, -EEXIST, -ENOSPC or -ENOMEM. */
struct ctl_nv_undo;
int ctl_nv_store_apply(struct ctl_nv_store *s, const struct ctl_nv_txn *txn,
		   struct ctl_nv_undo **undo, struct ctl_nv_txn_stats *stats,
		   char *err, size_t errsz);
/* Takes the transaction of 'undo' back and frees 'undo'. */
void ctl_nv_store_rollback(struct ctl_nv_store *s, struct ctl_nv_undo *undo);
/* Keeps the transaction of 'undo': frees 'undo', and memory 's' no longer
 * needs. */
void ctl_nv_store_commit(struct ctl_nv_store *s, struct ctl_nv_undo *undo);

/* Loading a whole store (a snapshot file, a replay), element by element:
 * each is checked on its own and must not repeat a key already loaded;
 * 'field' names it in messages ("records[7]").  Once all are in,
 * ctl_nv_store_load_check() checks what ctl_nv_store_apply() checks at the end
 * of a transaction.  Return 0, -EINVAL, -EEXIST, -ENOSPC or -ENOMEM. */
int ctl_nv_store_load_pa(struct ctl_nv_store *s, const struct ctl_nv_pa *pa,
		     const char *field, char *err, size_t errsz);
int ctl_nv_store_load_pa_route(struct ctl_nv_store *s,
			       const struct ctl_nv_pa_route *r,
			       const char *field, char *err, size_t errsz);
int ctl_nv_store_load_record(struct ctl_nv_store *s,
			     const struct ctl_nv_record *rec, const char *field,
			     char *err, size_t errsz);
int ctl_nv_store_load_route(struct ctl_nv_store *s,
			    const struct ctl_nv_route *r, const char *field,
			    char *err, size_t errsz);
int ctl_nv_store_load_check(const struct ctl_nv_store *s, char *err,
			    size_t errsz);

/* Reading.  Array pointers and record pointers stay valid until the next
 * change of 's'. */
void ctl_nv_store_counts(const struct ctl_nv_store *s, struct nv_counts *out);
const struct ctl_nv_pa *ctl_nv_store_pas(const struct ctl_nv_store *s,
					 size_t *n);
const struct ctl_nv_pa_route *
ctl_nv_store_pa_routes(const struct ctl_nv_store *s, size_t *n);
const struct ctl_nv_route *ctl_nv_store_routes(const struct ctl_nv_store *s,
					       size_t *n);
/* Records in storage order, 'i' < the record count. */
const struct ctl_nv_record *ctl_nv_store_record(const struct ctl_nv_store *s,
						size_t i);
/* The record with the key of 'key' (vsid, ca, and mac when ca is
 * 0.0.0.0), or NULL. */
const struct ctl_nv_record *
ctl_nv_store_find_record(const struct ctl_nv_store *s,
			 const struct ctl_nv_record *key);
/* Storage indexes of all records sorted by (vsid, ca, mac): a malloc'd
 * array of the record count, or NULL (out of memory, or no records). */
uint32_t *ctl_nv_store_sorted_records(const struct ctl_nv_store *s);
/* Counts every change; two equal generations mean equal contents. */
uint64_t ctl_nv_store_generation(const struct ctl_nv_store *s);
/* A hash of the contents that does not depend on the order in which they
 * were added: equal stores have equal digests. */
uint64_t ctl_nv_store_digest(const struct ctl_nv_store *s);
/* Bytes of memory the store holds. */
size_t ctl_nv_store_memory(const struct ctl_nv_store *s);

/* Checks of one op on its own: every field in range, the families of the
 * addresses matching, no host bits in a prefix, a gateway only on an
 * on-link route and inside its prefix.  Field names in messages are
 * 'prefix' joined with the JSON key ("ops[2].gateway", or "gateway" for a
 * 'prefix' of "").  Returns 0 or -EINVAL. */
int ctl_nv_op_check(const struct ctl_nv_op *op, const char *prefix, char *err,
		size_t errsz);

/* Field parsers, shared with vswitchctl.  Each returns 0 or -EINVAL with a
 * message naming 'field', and writes its output only on success. */
/* "10.0.0.5" or "fd00::5"; IPv4-mapped IPv6 text is refused. */
int ctl_nv_parse_ip(const char *s, struct ctl_nv_ip *out, const char *field,
		char *err, size_t errsz);
/* "10.0.0.0/24": the bits past the length must be zero. */
int ctl_nv_parse_prefix(const char *s, struct ctl_nv_prefix *out,
			const char *field, char *err, size_t errsz);
/* "192.168.1.10/24": an address and the length of its subnet (1-32 or
 * 1-128); for a PA. */
int ctl_nv_parse_address(const char *s, struct ctl_nv_ip *addr, uint8_t *length,
		     const char *field, char *err, size_t errsz);
/* A GUID as Hyper-V writes it, "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"
 * (hex digits, stored in lower case), or a name of 1-32 characters of
 * [A-Za-z0-9_.-]. */
int ctl_nv_parse_rdid(const char *s, char out[CTL_NV_RDID_SIZE],
		      const char *field, char *err, size_t errsz);
int ctl_nv_parse_rule(const char *s, enum ctl_nv_rule *out, const char *field,
		  char *err, size_t errsz);     /* "encap", "l2only" */
int ctl_nv_check_vsid(long long v, const char *field, char *err,
		  size_t errsz);                /* 4096-16777214 */
int ctl_nv_check_metric(long long v, const char *field, char *err,
		    size_t errsz);              /* 0-4294967295 */

/* Addresses. */
bool ctl_nv_ip_is_v4(const struct ctl_nv_ip *ip);
bool ctl_nv_ip_is_zero(const struct ctl_nv_ip *ip);     /* 0.0.0.0 or :: */
void ctl_nv_ip_from_v4(struct ctl_nv_ip *ip, uint32_t host_order);
bool ctl_nv_prefix_contains(const struct ctl_nv_prefix *p,
			    const struct ctl_nv_ip *ip);
/* The virtual gateway of an on-link route: 'gateway' when given, else the
 * lowest usable address of the prefix (10.0.0.1 for 10.0.0.0/24, the
 * address itself for a /32 or /128, the first of a /31 or /127). */
void ctl_nv_route_gateway(const struct ctl_nv_route *r, struct ctl_nv_ip *out);
void ctl_nv_format_ip(const struct ctl_nv_ip *ip,
		      char buf[CTL_NV_IP_TEXT_SIZE]);
void ctl_nv_format_prefix(const struct ctl_nv_prefix *p,
		      char buf[CTL_NV_PREFIX_TEXT_SIZE]);

const char *ctl_nv_rule_name(enum ctl_nv_rule rule);    /* "encap", "l2only" */
const char *ctl_nv_op_name(enum ctl_nv_op_kind kind);   /* "add-pa", ... */
/* The kind named 'name', or CTL_NV_OP_N. */
enum ctl_nv_op_kind ctl_nv_op_kind_from_name(const char *name);

/* The JSON forms (docs/nv.md).  An op is an object with "op" and its
 * fields; a table element is the object of its add op without "op".
 * Encoders return a new reference or NULL when out of memory; decoders
 * are strict (unknown and missing keys, wrong types) and run
 * ctl_nv_op_check(), with messages naming 'path' joined with the key. */
struct json_t;
struct json_t *ctl_nv_op_to_json(const struct ctl_nv_op *op);
int ctl_nv_op_from_json(struct json_t *obj, const char *path,
			struct ctl_nv_op *out, char *err, size_t errsz);
/* 'ops' (a JSON array) appended to 'txn'; on error 'txn' is as it was. */
int ctl_nv_txn_from_json(struct json_t *ops, const char *path,
		     struct ctl_nv_txn *txn, char *err, size_t errsz);
struct json_t *ctl_nv_txn_to_json(const struct ctl_nv_txn *txn);
/* Table elements: 'add' is the add op of the table (CTL_NV_OP_ADD_PA, ...). */
struct json_t *ctl_nv_elem_to_json(enum ctl_nv_op_kind add,
				   const struct ctl_nv_op *op);
int ctl_nv_elem_from_json(struct json_t *obj, enum ctl_nv_op_kind add,
		      const char *path, struct ctl_nv_op *out, char *err,
		      size_t errsz);
/* The JSON text of a record element, as json_dumps() of ctl_nv_elem_to_json()
 * with JSON_COMPACT | JSON_PRESERVE_ORDER writes it, without allocating.
 * Returns its length. */
size_t ctl_nv_record_format_json(const struct ctl_nv_record *rec,
			     char buf[CTL_NV_RECORD_TEXT_SIZE]);

#endif
