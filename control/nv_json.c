/* The JSON forms of NV ops and table elements (nv.h, docs/nv.md).
 *
 * Decoding is strict as in config_json.c: the keys an object may hold are
 * checked before any value is read, required keys must be there, types
 * must match, and the op is then checked on its own (ctl_nv_op_check()), so
 * that every message names the key ("ops[3].vsid: ..."). */
#include "control/nv.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "control/config_priv.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_KEYS 8

/* Keys of each op, "op" aside; those marked '!' are required. */
static const char *const op_keys[CTL_NV_OP_N][MAX_KEYS] = {
	[CTL_NV_OP_ADD_PA] = { "!port", "!address", "vlan", "flowid" },
	[CTL_NV_OP_DEL_PA] = { "!address" },
	[CTL_NV_OP_ADD_PA_ROUTE] = { "!prefix", "!next_hop", "metric" },
	[CTL_NV_OP_DEL_PA_ROUTE] = { "!prefix" },
	[CTL_NV_OP_ADD_RECORD] = { "!vsid", "!ca", "!mac", "!pa", "rule" },
	[CTL_NV_OP_DEL_RECORD] = { "!vsid", "!ca", "mac" },
	[CTL_NV_OP_ADD_ROUTE] = { "!rdid", "!vsid", "!prefix", "!next_hop",
			      "metric", "gateway" },
	[CTL_NV_OP_DEL_ROUTE] = { "!rdid", "!vsid", "!prefix" },
};

struct decoder {
	json_t *obj;
	const char *path;
	char *err;
	size_t errsz;
};

static int decode_fields(struct decoder *d, enum ctl_nv_op_kind kind,
			 struct ctl_nv_op *out);
static int decode_pa(struct decoder *d, bool add, struct ctl_nv_pa *pa);
static int decode_pa_route(struct decoder *d, bool add,
			   struct ctl_nv_pa_route *r);
static int decode_record(struct decoder *d, bool add, struct ctl_nv_record *r);
static int decode_route(struct decoder *d, bool add, struct ctl_nv_route *r);
static int check_keys(struct decoder *d, enum ctl_nv_op_kind kind,
		      bool with_op);
static const char *get_string(struct decoder *d, const char *key);
static int get_int(struct decoder *d, const char *key, long long *out);
static int get_ip(struct decoder *d, const char *key, struct ctl_nv_ip *out);
static int get_prefix(struct decoder *d, const char *key,
		      struct ctl_nv_prefix *out);
static json_t *encode_fields(const struct ctl_nv_op *op, json_t *obj);
static bool put(json_t *obj, const char *key, json_t *v);
static json_t *ip_json(const struct ctl_nv_ip *ip);
static void format_mac(const uint8_t mac[6], char buf[18]);
static json_t *prefix_json(const struct ctl_nv_prefix *p);

json_t *
ctl_nv_op_to_json(const struct ctl_nv_op *op)
{
	json_t *obj = json_object();

	if (!put(obj, "op", json_string(ctl_nv_op_name(op->kind)))) {
		json_decref(obj);
		return NULL;
	}
	return encode_fields(op, obj);
}

json_t *
ctl_nv_elem_to_json(enum ctl_nv_op_kind add, const struct ctl_nv_op *op)
{
	struct ctl_nv_op copy = *op;

	copy.kind = add;
	return encode_fields(&copy, json_object());
}

int
ctl_nv_op_from_json(json_t *obj, const char *path, struct ctl_nv_op *out,
		char *err, size_t errsz)
{
	struct decoder d = { obj, path, err, errsz };
	char field[CTL_FIELD_SIZE], q[CTL_QUOTE_SIZE];
	enum ctl_nv_op_kind kind;
	const char *name;

	if (!json_is_object(obj))
		return ctl_err(err, errsz, -EINVAL,
			       "%s: expected an object, got %s",
			       path, ctl_json_type_name(obj));
	if (!json_object_get(obj, "op"))
		return ctl_err(err, errsz, -EINVAL, "%s: required key is "
			       "missing", ctl_field(field, path, "op"));
	name = get_string(&d, "op");
	if (!name)
		return -EINVAL;
	kind = ctl_nv_op_kind_from_name(name);
	if (kind == CTL_NV_OP_N)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not an op "
			       "(add-pa, del-pa, add-pa-route, del-pa-route, "
			       "add-record, del-record, add-route, "
			       "del-route)", ctl_field(field, path, "op"),
			       ctl_quote(name, q));
	if (check_keys(&d, kind, true) < 0)
		return -EINVAL;
	return decode_fields(&d, kind, out);
}

int
ctl_nv_elem_from_json(json_t *obj, enum ctl_nv_op_kind add, const char *path,
		  struct ctl_nv_op *out, char *err, size_t errsz)
{
	struct decoder d = { obj, path, err, errsz };

	if (!json_is_object(obj))
		return ctl_err(err, errsz, -EINVAL,
			       "%s: expected an object, got %s",
			       path, ctl_json_type_name(obj));
	if (check_keys(&d, add, false) < 0)
		return -EINVAL;
	return decode_fields(&d, add, out);
}

int
ctl_nv_txn_from_json(json_t *ops, const char *path, struct ctl_nv_txn *txn,
		 char *err, size_t errsz)
{
	size_t before = txn->n_ops, i;
	char at[CTL_FIELD_SIZE];
	json_t *v;

	if (!json_is_array(ops))
		return ctl_err(err, errsz, -EINVAL,
			       "%s: expected an array, got %s",
			       path, ctl_json_type_name(ops));
	json_array_foreach(ops, i, v) {
		struct ctl_nv_op op;
		int rc;

		/* Quietly first: the op's name is for a message. */
		rc = ctl_nv_op_from_json(v, "", &op, NULL, 0);
		if (rc < 0) {
			snprintf(at, sizeof at, "%s[%zu]", path, i);
			rc = ctl_nv_op_from_json(v, at, &op, err, errsz);
		}
		if (rc == 0 && ctl_nv_txn_add(txn, &op) < 0)
			rc = ctl_err(err, errsz, -ENOMEM, "out of memory");
		if (rc < 0) {
			txn->n_ops = before;
			return rc;
		}
	}
	return 0;
}

json_t *
ctl_nv_txn_to_json(const struct ctl_nv_txn *txn)
{
	json_t *ops = json_array();

	for (size_t i = 0; ops && i < txn->n_ops; i++)
		if (json_array_append_new(ops, ctl_nv_op_to_json(&txn->ops[i]))
		    < 0) {
			json_decref(ops);
			return NULL;
		}
	return ops;
}

size_t
ctl_nv_record_format_json(const struct ctl_nv_record *rec,
		      char buf[CTL_NV_RECORD_TEXT_SIZE])
{
	char ca[CTL_NV_IP_TEXT_SIZE], pa[CTL_NV_IP_TEXT_SIZE], mac[18];
	int n;

	ctl_nv_format_ip(&rec->ca, ca);
	ctl_nv_format_ip(&rec->pa, pa);
	format_mac(rec->mac, mac);
	n = snprintf(buf, CTL_NV_RECORD_TEXT_SIZE,
		     "{\"vsid\":%u,\"ca\":\"%s\","
		     "\"mac\":\"%s\",\"pa\":\"%s\",\"rule\":\"%s\"}",
		     rec->vsid, ca, mac, pa,
		     ctl_nv_rule_name((enum ctl_nv_rule) rec->rule));
	return (size_t) n;
}

/* Static helpers: decoding. */

static int
decode_fields(struct decoder *d, enum ctl_nv_op_kind kind,
	      struct ctl_nv_op *out)
{
	struct ctl_nv_op op;
	bool add = kind == CTL_NV_OP_ADD_PA || kind == CTL_NV_OP_ADD_PA_ROUTE
		|| kind == CTL_NV_OP_ADD_RECORD || kind == CTL_NV_OP_ADD_ROUTE;
	int rc = -EINVAL;

	memset(&op, 0, sizeof op);
	op.kind = kind;
	switch (kind) {
	case CTL_NV_OP_ADD_PA:
	case CTL_NV_OP_DEL_PA:
		rc = decode_pa(d, add, &op.u.pa);
		break;
	case CTL_NV_OP_ADD_PA_ROUTE:
	case CTL_NV_OP_DEL_PA_ROUTE:
		rc = decode_pa_route(d, add, &op.u.pa_route);
		break;
	case CTL_NV_OP_ADD_RECORD:
	case CTL_NV_OP_DEL_RECORD:
		rc = decode_record(d, add, &op.u.record);
		break;
	case CTL_NV_OP_ADD_ROUTE:
	case CTL_NV_OP_DEL_ROUTE:
		rc = decode_route(d, add, &op.u.route);
		break;
	case CTL_NV_OP_N:
		break;
	}
	if (rc < 0 || ctl_nv_op_check(&op, d->path, d->err, d->errsz) < 0)
		return -EINVAL;
	*out = op;
	return 0;
}

static int
decode_pa(struct decoder *d, bool add, struct ctl_nv_pa *pa)
{
	char field[CTL_FIELD_SIZE];
	const char *s = get_string(d, "address");
	long long vlan = 0;

	if (!s)
		return -EINVAL;
	ctl_field(field, d->path, "address");
	if (!add)
		return ctl_nv_parse_ip(s, &pa->addr, field, d->err, d->errsz);
	if (ctl_nv_parse_address(s, &pa->addr, &pa->length, field, d->err,
			     d->errsz) < 0)
		return -EINVAL;
	s = get_string(d, "port");
	if (!s || ctl_parse_port_name(s, ctl_field(field, d->path, "port"),
				      d->err, d->errsz) < 0)
		return -EINVAL;
	memcpy(pa->port, s, strlen(s) + 1);
	if (get_int(d, "vlan", &vlan) < 0
	    || (vlan != 0 && ctl_parse_vlan_id(vlan, ctl_field(field, d->path,
					       "vlan"), d->err, d->errsz) < 0))
		return -EINVAL;
	pa->vlan = (uint16_t) vlan;
	if (json_object_get(d->obj, "flowid")) {
		long long flowid;

		if (get_int(d, "flowid", &flowid) < 0)
			return -EINVAL;
		if (flowid < 0 || flowid > 255) {
			snprintf(d->err, d->errsz, "%s: %lld is not a FlowID "
				 "(0-255)", ctl_field(field, d->path, "flowid"),
				 flowid);
			return -EINVAL;
		}
		pa->flowid_fixed = true;
		pa->flowid = (uint8_t) flowid;
	}
	return 0;
}

static int
decode_pa_route(struct decoder *d, bool add, struct ctl_nv_pa_route *r)
{
	char field[CTL_FIELD_SIZE];
	long long metric = 0;

	if (get_prefix(d, "prefix", &r->prefix) < 0)
		return -EINVAL;
	if (!add)
		return 0;
	if (get_ip(d, "next_hop", &r->next_hop) < 0
	    || get_int(d, "metric", &metric) < 0
	    || ctl_nv_check_metric(metric, ctl_field(field, d->path, "metric"),
			       d->err, d->errsz) < 0)
		return -EINVAL;
	r->metric = (uint32_t) metric;
	return 0;
}

/* The rule defaults to encap, and to l2only for CA 0.0.0.0. */
static int
decode_record(struct decoder *d, bool add, struct ctl_nv_record *r)
{
	char field[CTL_FIELD_SIZE];
	enum ctl_nv_rule rule;
	const char *s;
	long long vsid = 0;
	bool l2;

	if (get_int(d, "vsid", &vsid) < 0
	    || ((vsid < CTL_NV_VSID_MIN || vsid > CTL_NV_VSID_MAX)
		&& ctl_nv_check_vsid(vsid, ctl_field(field, d->path, "vsid"),
				 d->err, d->errsz) < 0)
	    || get_ip(d, "ca", &r->ca) < 0)
		return -EINVAL;
	r->vsid = (uint32_t) vsid;
	l2 = ctl_nv_ip_is_v4(&r->ca) && ctl_nv_ip_is_zero(&r->ca);
	if (!add && !l2 && json_object_get(d->obj, "mac"))
		return ctl_err(d->err, d->errsz, -EINVAL, "%s: only with ca "
			       "0.0.0.0 (a record is found by its CA)",
			       ctl_field(field, d->path, "mac"));
	if (!add && l2 && !json_object_get(d->obj, "mac"))
		return ctl_err(d->err, d->errsz, -EINVAL,
			       "%s: required with ca "
			       "0.0.0.0 (an L2Only record is found by its MAC)",
			       ctl_field(field, d->path, "mac"));
	if (!add && !l2)
		return 0;
	s = get_string(d, "mac");
	if (!s || (ctl_parse_mac(s, r->mac, "", NULL, 0) < 0
		   && ctl_parse_mac(s, r->mac, ctl_field(field, d->path, "mac"),
				    d->err, d->errsz) < 0))
		return -EINVAL;
	if (!add)
		return 0;
	if (get_ip(d, "pa", &r->pa) < 0)
		return -EINVAL;
	rule = l2 ? CTL_NV_RULE_L2ONLY : CTL_NV_RULE_ENCAP;
	if (json_object_get(d->obj, "rule")) {
		s = get_string(d, "rule");
		if (!s || ctl_nv_parse_rule(s, &rule, ctl_field(field, d->path,
					"rule"), d->err, d->errsz) < 0)
			return -EINVAL;
	}
	r->rule = (uint8_t) rule;
	return 0;
}

static int
decode_route(struct decoder *d, bool add, struct ctl_nv_route *r)
{
	char field[CTL_FIELD_SIZE];
	const char *s = get_string(d, "rdid");
	long long vsid = 0, metric = 0;

	if (!s
	    || ctl_nv_parse_rdid(s, r->rdid, ctl_field(field, d->path, "rdid"),
				 d->err, d->errsz)
		    < 0
	    || get_int(d, "vsid", &vsid) < 0
	    || ctl_nv_check_vsid(vsid, ctl_field(field, d->path, "vsid"),
				 d->err, d->errsz)
		    < 0
	    || get_prefix(d, "prefix", &r->prefix) < 0)
		return -EINVAL;
	r->vsid = (uint32_t) vsid;
	if (!add)
		return 0;
	if (get_ip(d, "next_hop", &r->next_hop) < 0
	    || get_int(d, "metric", &metric) < 0
	    || ctl_nv_check_metric(metric, ctl_field(field, d->path, "metric"),
			       d->err, d->errsz) < 0)
		return -EINVAL;
	r->metric = (uint32_t) metric;
	r->has_gateway = json_object_get(d->obj, "gateway") != NULL;
	if (r->has_gateway && get_ip(d, "gateway", &r->gateway) < 0)
		return -EINVAL;
	return 0;
}

/* Every key of 'd->obj' is one of the op's ("op" too when 'with_op'), and
 * the required ones are there. */
static int
check_keys(struct decoder *d, enum ctl_nv_op_kind kind, bool with_op)
{
	const char *const *keys = op_keys[kind];
	char field[CTL_FIELD_SIZE], q[CTL_QUOTE_SIZE];
	const char *key;
	json_t *v;

	json_object_foreach(d->obj, key, v) {
		size_t k = 0;

		if (with_op && !strcmp(key, "op"))
			continue;
		while (k < MAX_KEYS && keys[k]
		       && strcmp(keys[k] + (keys[k][0] == '!'), key))
			k++;
		if (k == MAX_KEYS || !keys[k])
			return ctl_err(
				d->err, d->errsz, -EINVAL,
				"%s: unknown key%s%s",
				ctl_field(field, d->path, ctl_quote(key, q)),
				with_op ? " of " : "",
				with_op ? ctl_nv_op_name(kind) : "");
	}
	for (size_t k = 0; k < MAX_KEYS && keys[k]; k++)
		if (keys[k][0] == '!' && !json_object_get(d->obj, keys[k] + 1))
			return ctl_err(d->err, d->errsz, -EINVAL,
				       "%s: required key is missing",
				       ctl_field(field, d->path, keys[k] + 1));
	return 0;
}

/* The string at 'key' (present), or NULL after the error. */
static const char *
get_string(struct decoder *d, const char *key)
{
	json_t *v = json_object_get(d->obj, key);
	char field[CTL_FIELD_SIZE];

	if (!json_is_string(v)) {
		ctl_err(d->err, d->errsz, -EINVAL, "%s: expected a string, got "
			"%s", ctl_field(field, d->path, key),
			ctl_json_type_name(v));
		return NULL;
	}
	return json_string_value(v);
}

/* '*out' is left alone when 'key' is absent. */
static int
get_int(struct decoder *d, const char *key, long long *out)
{
	json_t *v = json_object_get(d->obj, key);
	char field[CTL_FIELD_SIZE];

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return ctl_err(d->err, d->errsz, -EINVAL,
			       "%s: expected an integer, got %s",
			       ctl_field(field, d->path, key),
			       ctl_json_type_name(v));
	*out = json_integer_value(v);
	return 0;
}

/* Quietly first: the field name is made only for a message. */
static int
get_ip(struct decoder *d, const char *key, struct ctl_nv_ip *out)
{
	const char *s = get_string(d, key);
	char field[CTL_FIELD_SIZE];

	if (!s)
		return -EINVAL;
	if (ctl_nv_parse_ip(s, out, "", NULL, 0) == 0)
		return 0;
	return ctl_nv_parse_ip(s, out, ctl_field(field, d->path, key), d->err,
			   d->errsz);
}

static int
get_prefix(struct decoder *d, const char *key, struct ctl_nv_prefix *out)
{
	const char *s = get_string(d, key);
	char field[CTL_FIELD_SIZE];

	if (!s)
		return -EINVAL;
	return ctl_nv_parse_prefix(s, out, ctl_field(field, d->path, key),
				   d->err, d->errsz);
}

/* Static helpers: encoding. */

/* Adds the fields of 'op' to 'obj' (stolen); returns it or NULL. */
static json_t *
encode_fields(const struct ctl_nv_op *op, json_t *obj)
{
	const struct ctl_nv_record *rec = &op->u.record;
	const struct ctl_nv_route *r = &op->u.route;
	char text[CTL_NV_PREFIX_TEXT_SIZE];
	bool ok = obj != NULL;

	switch (op->kind) {
	case CTL_NV_OP_ADD_PA:
		ctl_nv_format_ip(&op->u.pa.addr, text);
		snprintf(text + strlen(text), sizeof text - strlen(text), "/%u",
			 op->u.pa.length);
		ok = ok && put(obj, "port", json_string(op->u.pa.port))
		     && put(obj, "address", json_string(text))
		     && (!op->u.pa.vlan || put(obj, "vlan",
					      json_integer(op->u.pa.vlan)))
		     && (!op->u.pa.flowid_fixed || put(obj, "flowid",
				json_integer(op->u.pa.flowid)));
		break;
	case CTL_NV_OP_DEL_PA:
		ok = ok && put(obj, "address", ip_json(&op->u.pa.addr));
		break;
	case CTL_NV_OP_ADD_PA_ROUTE:
	case CTL_NV_OP_DEL_PA_ROUTE:
		ok = ok
			&& put(obj, "prefix",
			       prefix_json(&op->u.pa_route.prefix));
		if (op->kind == CTL_NV_OP_ADD_PA_ROUTE)
			ok = ok && put(obj, "next_hop",
				       ip_json(&op->u.pa_route.next_hop))
			     && put(obj, "metric",
				    json_integer(op->u.pa_route.metric));
		break;
	case CTL_NV_OP_ADD_RECORD:
	case CTL_NV_OP_DEL_RECORD:
		format_mac(rec->mac, text);
		ok = ok && put(obj, "vsid", json_integer(rec->vsid))
		     && put(obj, "ca", ip_json(&rec->ca));
		if (op->kind == CTL_NV_OP_ADD_RECORD
		    || ctl_nv_ip_is_zero(&rec->ca))
			ok = ok && put(obj, "mac", json_string(text));
		if (op->kind == CTL_NV_OP_ADD_RECORD)
			ok = ok && put(obj, "pa", ip_json(&rec->pa))
			     && put(obj, "rule", json_string(ctl_nv_rule_name(
					(enum ctl_nv_rule) rec->rule)));
		break;
	case CTL_NV_OP_ADD_ROUTE:
	case CTL_NV_OP_DEL_ROUTE:
		ok = ok && put(obj, "rdid", json_string(r->rdid))
		     && put(obj, "vsid", json_integer(r->vsid))
		     && put(obj, "prefix", prefix_json(&r->prefix));
		if (op->kind == CTL_NV_OP_ADD_ROUTE)
			ok = ok && put(obj, "next_hop", ip_json(&r->next_hop))
			     && put(obj, "metric", json_integer(r->metric))
			     && (!r->has_gateway
				 || put(obj, "gateway", ip_json(&r->gateway)));
		break;
	case CTL_NV_OP_N:
		ok = false;
		break;
	}
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Sets 'key' to 'v' (stolen); false when out of memory. */
static bool
put(json_t *obj, const char *key, json_t *v)
{
	return v && json_object_set_new(obj, key, v) == 0;
}

static json_t *
ip_json(const struct ctl_nv_ip *ip)
{
	char text[CTL_NV_IP_TEXT_SIZE];

	ctl_nv_format_ip(ip, text);
	return json_string(text);
}

static json_t *
prefix_json(const struct ctl_nv_prefix *p)
{
	char text[CTL_NV_PREFIX_TEXT_SIZE];

	ctl_nv_format_prefix(p, text);
	return json_string(text);
}

/* As ctl_format_mac(), without sprintf(). */
static void
format_mac(const uint8_t mac[6], char buf[18])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 15];
		buf[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}
