/* Addresses, prefixes and the other fields of the NV model: parsing,
 * formatting, and the checks of one op on its own (nv.h). */
#include "control/nv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/config_priv.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const rule_names[] = {
	[CTL_NV_RULE_ENCAP] = "encap",
	[CTL_NV_RULE_L2ONLY] = "l2only",
};

static const char *const op_names[] = {
#define CTL_NV_OP_NAME(e, s) [CTL_NV_OP_##e] = s,
	CTL_NV_FOREACH_OP(CTL_NV_OP_NAME)
#undef CTL_NV_OP_NAME
};

static const uint8_t v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int check_pa(const struct ctl_nv_pa *pa, bool add, const char *prefix,
		    char *err, size_t errsz);
static int check_pa_route(const struct ctl_nv_pa_route *r, bool add,
			  const char *prefix, char *err, size_t errsz);
static int check_record(const struct ctl_nv_record *rec, bool add,
			const char *prefix, char *err, size_t errsz);
static int check_route(const struct ctl_nv_route *r, bool add,
		       const char *prefix, char *err, size_t errsz);
static int check_gateway(const struct ctl_nv_route *r, const char *field,
			 char *err, size_t errsz);
static int check_unicast(const struct ctl_nv_ip *ip, const char *field,
			 char *err, size_t errsz);
static const char *unicast_flaw(const struct ctl_nv_ip *ip);
static bool mac_is_unicast(const uint8_t mac[6]);
static int check_prefix(const struct ctl_nv_prefix *p, const char *field,
			char *err, size_t errsz);
static int check_rdid(const char *rdid, const char *field, char *err,
		      size_t errsz);
static bool same_family(const struct ctl_nv_ip *a, const struct ctl_nv_ip *b);
static unsigned int prefix_bits(const struct ctl_nv_ip *ip,
				unsigned int length);
static bool bits_equal(const struct ctl_nv_ip *a, const struct ctl_nv_ip *b,
		       unsigned int bits);
static void mask_bits(struct ctl_nv_ip *ip, unsigned int bits);
static bool is_subnet_edge(const struct ctl_nv_ip *ip, unsigned int length);
static int split_address(const char *s, struct ctl_nv_ip *ip,
			 const char **length, const char *example,
			 const char *field, char *err, size_t errsz);
static int parse_length(const char *s, unsigned int max, unsigned int *out);
static bool is_name_char(char c);
static bool is_hex(char c);

int
ctl_nv_op_check(const struct ctl_nv_op *op, const char *prefix, char *err,
	    size_t errsz)
{
	switch (op->kind) {
	case CTL_NV_OP_ADD_PA:
	case CTL_NV_OP_DEL_PA:
		return check_pa(&op->u.pa, op->kind == CTL_NV_OP_ADD_PA, prefix,
				err, errsz);
	case CTL_NV_OP_ADD_PA_ROUTE:
	case CTL_NV_OP_DEL_PA_ROUTE:
		return check_pa_route(&op->u.pa_route,
				      op->kind == CTL_NV_OP_ADD_PA_ROUTE,
				      prefix, err, errsz);
	case CTL_NV_OP_ADD_RECORD:
	case CTL_NV_OP_DEL_RECORD:
		return check_record(&op->u.record,
				    op->kind == CTL_NV_OP_ADD_RECORD, prefix,
				    err, errsz);
	case CTL_NV_OP_ADD_ROUTE:
	case CTL_NV_OP_DEL_ROUTE:
		return check_route(&op->u.route,
				   op->kind == CTL_NV_OP_ADD_ROUTE, prefix, err,
				   errsz);
	case CTL_NV_OP_N:
		break;
	}
	return ctl_err(err, errsz, -EINVAL, "%s: invalid op %d",
		       prefix[0] ? prefix : "op", (int) op->kind);
}

/* Field parsers. */

int
ctl_nv_parse_ip(const char *s, struct ctl_nv_ip *out, const char *field,
		char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	struct ctl_nv_ip ip;
	uint8_t v4[4];

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, ip.b) != 1)
			return ctl_err(err, errsz, -EINVAL,
				       "%s: '%s' is not an IP address",
				       field, ctl_quote(s, q));
		if (ctl_nv_ip_is_v4(&ip))
			return ctl_err(err, errsz, -EINVAL,
				       "%s: '%s': write an "
				       "IPv4 address as a.b.c.d",
				       field, ctl_quote(s, q));
	} else {
		if (inet_pton(AF_INET, s, v4) != 1)
			return ctl_err(err, errsz, -EINVAL,
				       "%s: '%s' is not an IP address",
				       field, ctl_quote(s, q));
		memcpy(ip.b, v4_mapped, sizeof v4_mapped);
		memcpy(ip.b + 12, v4, sizeof v4);
	}
	*out = ip;
	return 0;
}

int
ctl_nv_parse_prefix(const char *s, struct ctl_nv_prefix *out, const char *field,
		char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	const char *length;
	struct ctl_nv_prefix p;
	unsigned int max, n;

	if (split_address(s, &p.addr, &length, "10.0.0.0/24", field, err,
			  errsz) < 0)
		return -EINVAL;
	max = ctl_nv_ip_is_v4(&p.addr) ? 32 : 128;
	if (parse_length(length, max, &n) < 0)
		return ctl_err(err, errsz, -EINVAL,
			       "%s: '%s' is not a prefix length (0-%u)",
			       field, ctl_quote(length, q), max);
	p.length = (uint8_t) n;
	if (check_prefix(&p, field, err, errsz) < 0)
		return -EINVAL;
	*out = p;
	return 0;
}

int
ctl_nv_parse_address(const char *s, struct ctl_nv_ip *addr, uint8_t *length,
		 const char *field, char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	const char *text;
	unsigned int max, n;
	struct ctl_nv_ip ip;

	if (split_address(s, &ip, &text, "192.168.1.10/24", field, err,
			  errsz) < 0)
		return -EINVAL;
	max = ctl_nv_ip_is_v4(&ip) ? 32 : 128;
	if (parse_length(text, max, &n) < 0 || n == 0)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a prefix "
			       "length (1-%u)", field, ctl_quote(text, q), max);
	*addr = ip;
	*length = (uint8_t) n;
	return 0;
}

int
ctl_nv_parse_rdid(const char *s, char out[CTL_NV_RDID_SIZE], const char *field,
	      char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];
	size_t length = strlen(s);

	if (s[0] == '{') {
		static const char form[] =
			"{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";

		for (size_t i = 0; i < sizeof form - 1; i++)
			if (i >= length || (form[i] == 'x' ? !is_hex(s[i])
					    : s[i] != form[i]))
				return ctl_err(err, errsz, -EINVAL,
					       "%s: '%s' is not a GUID (%s)",
					       field, ctl_quote(s, q), form);
		if (length != sizeof form - 1)
			return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a "
				       "GUID (%s)", field, ctl_quote(s, q),
				       form);
		for (size_t i = 0; i <= length; i++)
			out[i] = s[i] >= 'A' && s[i] <= 'F'
				 ? (char) (s[i] - 'A' + 'a') : s[i];
		return 0;
	}
	if (length == 0 || length > CTL_NV_RDID_NAME_MAX)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a routing "
			       "domain id (a {GUID}, or a name of 1-%d "
			       "characters)", field, ctl_quote(s, q),
			       CTL_NV_RDID_NAME_MAX);
	for (size_t i = 0; i < length; i++)
		if (!is_name_char(s[i]))
			return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not a "
				       "routing domain id (a {GUID}, or a name "
				       "of A-Z a-z 0-9 _ . -)", field,
				       ctl_quote(s, q));
	memcpy(out, s, length + 1);
	return 0;
}

int
ctl_nv_parse_rule(const char *s, enum ctl_nv_rule *out, const char *field,
	      char *err, size_t errsz)
{
	char q[CTL_QUOTE_SIZE];

	for (size_t i = 0; i < N_ELEMS(rule_names); i++)
		if (!strcmp(s, rule_names[i])) {
			*out = (enum ctl_nv_rule) i;
			return 0;
		}
	return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not one of encap, "
		       "l2only", field, ctl_quote(s, q));
}

int
ctl_nv_check_vsid(long long v, const char *field, char *err, size_t errsz)
{
	if (v < CTL_NV_VSID_MIN || v > CTL_NV_VSID_MAX)
		return ctl_err(err, errsz, -EINVAL,
			       "%s: %lld is out of range (%d-%d)",
			       field, v, CTL_NV_VSID_MIN, CTL_NV_VSID_MAX);
	return 0;
}

int
ctl_nv_check_metric(long long v, const char *field, char *err, size_t errsz)
{
	if (v < 0 || v > UINT32_MAX)
		return ctl_err(err, errsz, -EINVAL, "%s: %lld is out of range "
			       "(0-%u)", field, v, UINT32_MAX);
	return 0;
}

/* Addresses. */

bool
ctl_nv_ip_is_v4(const struct ctl_nv_ip *ip)
{
	return !memcmp(ip->b, v4_mapped, sizeof v4_mapped);
}

bool
ctl_nv_ip_is_zero(const struct ctl_nv_ip *ip)
{
	static const uint8_t zero[16];

	return !memcmp(ip->b, zero, 16)
	       || (ctl_nv_ip_is_v4(ip) && !memcmp(ip->b + 12, zero, 4));
}

void
ctl_nv_ip_from_v4(struct ctl_nv_ip *ip, uint32_t host_order)
{
	memcpy(ip->b, v4_mapped, sizeof v4_mapped);
	ip->b[12] = (uint8_t) (host_order >> 24);
	ip->b[13] = (uint8_t) (host_order >> 16);
	ip->b[14] = (uint8_t) (host_order >> 8);
	ip->b[15] = (uint8_t) host_order;
}

bool
ctl_nv_prefix_contains(const struct ctl_nv_prefix *p,
		       const struct ctl_nv_ip *ip)
{
	return same_family(&p->addr, ip)
	       && bits_equal(&p->addr, ip, prefix_bits(ip, p->length));
}

void
ctl_nv_route_gateway(const struct ctl_nv_route *r, struct ctl_nv_ip *out)
{
	unsigned int max = ctl_nv_ip_is_v4(&r->prefix.addr) ? 32 : 128;

	if (r->has_gateway) {
		*out = r->gateway;
		return;
	}
	*out = r->prefix.addr;
	/* The network address is not usable (IPv4: the subnet itself; IPv6:
	 * the subnet-router anycast address, RFC 4291 2.6.1) except where
	 * the subnet has no room for it (RFC 3021, RFC 6164). */
	if (r->prefix.length + 1u < max)
		out->b[15] |= 1;
}

/* IPv4 by hand: inet_ntop() goes through sprintf(), and records are
 * formatted by the million. */
void
ctl_nv_format_ip(const struct ctl_nv_ip *ip, char buf[CTL_NV_IP_TEXT_SIZE])
{
	char *p = buf;

	if (!ctl_nv_ip_is_v4(ip)) {
		inet_ntop(AF_INET6, ip->b, buf, CTL_NV_IP_TEXT_SIZE);
		return;
	}
	for (int i = 12; i < 16; i++) {
		unsigned int v = ip->b[i];

		if (v >= 100)
			*p++ = (char) ('0' + v / 100);
		if (v >= 10)
			*p++ = (char) ('0' + v / 10 % 10);
		*p++ = (char) ('0' + v % 10);
		*p++ = i < 15 ? '.' : '\0';
	}
}

void
ctl_nv_format_prefix(const struct ctl_nv_prefix *p,
		     char buf[CTL_NV_PREFIX_TEXT_SIZE])
{
	char text[CTL_NV_IP_TEXT_SIZE];

	ctl_nv_format_ip(&p->addr, text);
	snprintf(buf, CTL_NV_PREFIX_TEXT_SIZE, "%s/%u", text, p->length);
}

const char *
ctl_nv_rule_name(enum ctl_nv_rule rule)
{
	return (unsigned int) rule < N_ELEMS(rule_names) ? rule_names[rule]
							 : "?";
}

const char *
ctl_nv_op_name(enum ctl_nv_op_kind kind)
{
	return (unsigned int) kind < N_ELEMS(op_names) ? op_names[kind] : "?";
}

enum ctl_nv_op_kind
ctl_nv_op_kind_from_name(const char *name)
{
	for (size_t i = 0; i < N_ELEMS(op_names); i++)
		if (!strcmp(name, op_names[i]))
			return (enum ctl_nv_op_kind) i;
	return CTL_NV_OP_N;
}

/* Static helpers. */

static int
check_pa(const struct ctl_nv_pa *pa, bool add, const char *prefix, char *err,
	 size_t errsz)
{
	char field[CTL_FIELD_SIZE], text[CTL_NV_IP_TEXT_SIZE];
	unsigned int max = ctl_nv_ip_is_v4(&pa->addr) ? 32 : 128;

	ctl_field(field, prefix, "address");
	if (check_unicast(&pa->addr, field, err, errsz) < 0)
		return -EINVAL;
	if (!add)
		return 0;
	if (pa->length < 1 || pa->length > max)
		return ctl_err(err, errsz, -EINVAL, "%s: /%u is not a prefix "
			       "length (1-%u)", field, pa->length, max);
	if (is_subnet_edge(&pa->addr, pa->length)) {
		ctl_nv_format_ip(&pa->addr, text);
		return ctl_err(err, errsz, -EINVAL, "%s: %s is the %s address "
			       "of its /%u subnet", field, text,
			       pa->addr.b[15] & 1 ? "broadcast" : "network",
			       pa->length);
	}
	if (pa->vlan != 0 && ctl_parse_vlan_id(pa->vlan, ctl_field(field,
			prefix, "vlan"), err, errsz) < 0)
		return -EINVAL;
	if (!memchr(pa->port, '\0', sizeof pa->port))
		return ctl_err(err, errsz, -EINVAL, "%s: too long",
			       ctl_field(field, prefix, "port"));
	return ctl_parse_port_name(pa->port, ctl_field(field, prefix, "port"),
				   err, errsz);
}

static int
check_pa_route(const struct ctl_nv_pa_route *r, bool add, const char *prefix,
	       char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];

	if (check_prefix(&r->prefix, ctl_field(field, prefix, "prefix"), err,
			 errsz) < 0)
		return -EINVAL;
	if (!add)
		return 0;
	ctl_field(field, prefix, "next_hop");
	if (check_unicast(&r->next_hop, field, err, errsz) < 0)
		return -EINVAL;
	if (!same_family(&r->next_hop, &r->prefix.addr))
		return ctl_err(err, errsz, -EINVAL, "%s: an IPv%c next hop for "
			       "an IPv%c prefix", field,
			       ctl_nv_ip_is_v4(&r->next_hop) ? '4' : '6',
			       ctl_nv_ip_is_v4(&r->prefix.addr) ? '4' : '6');
	return 0;
}

/* Records come by the million: each check runs first, and the field name
 * and message are made only for a failure. */
static int
check_record(const struct ctl_nv_record *rec, bool add, const char *prefix,
	     char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE], text[18];
	bool l2 = ctl_nv_ip_is_v4(&rec->ca) && ctl_nv_ip_is_zero(&rec->ca);

	if (rec->vsid < CTL_NV_VSID_MIN || rec->vsid > CTL_NV_VSID_MAX)
		return ctl_nv_check_vsid(rec->vsid,
					 ctl_field(field, prefix, "vsid"), err,
					 errsz);
	if (ctl_nv_ip_is_zero(&rec->ca) && !l2)
		return ctl_err(err, errsz, -EINVAL, "%s: :: is not a customer "
			       "address (0.0.0.0 marks an L2Only record)",
			       ctl_field(field, prefix, "ca"));
	if (!l2 && unicast_flaw(&rec->ca))
		return check_unicast(&rec->ca, ctl_field(field, prefix, "ca"),
				     err, errsz);
	if ((add || l2) && !mac_is_unicast(rec->mac)) {
		ctl_format_mac(rec->mac, text);
		return ctl_parse_mac(text, (uint8_t[6]) {0}, ctl_field(field,
				     prefix, "mac"), err, errsz);
	}
	if (!add)
		return 0;
	if (unicast_flaw(&rec->pa))
		return check_unicast(&rec->pa, ctl_field(field, prefix, "pa"),
				     err, errsz);
	if (rec->rule > CTL_NV_RULE_L2ONLY)
		return ctl_err(err, errsz, -EINVAL, "%s: invalid rule %u",
			       ctl_field(field, prefix, "rule"), rec->rule);
	if (l2 && rec->rule != CTL_NV_RULE_L2ONLY)
		return ctl_err(err, errsz, -EINVAL, "%s: a record with CA "
			       "0.0.0.0 is L2Only: the rule must be l2only",
			       ctl_field(field, prefix, "rule"));
	return 0;
}

static int
check_route(const struct ctl_nv_route *r, bool add, const char *prefix,
	    char *err, size_t errsz)
{
	char field[CTL_FIELD_SIZE];

	if (check_rdid(r->rdid, ctl_field(field, prefix, "rdid"), err,
		       errsz) < 0
	    || ctl_nv_check_vsid(r->vsid, ctl_field(field, prefix, "vsid"), err,
			     errsz) < 0
	    || check_prefix(&r->prefix, ctl_field(field, prefix, "prefix"),
			    err, errsz) < 0)
		return -EINVAL;
	if (!add)
		return 0;
	ctl_field(field, prefix, "next_hop");
	if (!same_family(&r->next_hop, &r->prefix.addr))
		return ctl_err(err, errsz, -EINVAL, "%s: an IPv%c next hop for "
			       "an IPv%c prefix", field,
			       ctl_nv_ip_is_v4(&r->next_hop) ? '4' : '6',
			       ctl_nv_ip_is_v4(&r->prefix.addr) ? '4' : '6');
	if (!ctl_nv_ip_is_zero(&r->next_hop)
	    && check_unicast(&r->next_hop, field, err, errsz) < 0)
		return -EINVAL;
	if (!r->has_gateway)
		return 0;
	return check_gateway(r, ctl_field(field, prefix, "gateway"), err,
			     errsz);
}

/* The virtual gateway: on an on-link route, a usable address of it. */
static int
check_gateway(const struct ctl_nv_route *r, const char *field, char *err,
	      size_t errsz)
{
	char text[CTL_NV_IP_TEXT_SIZE], net[CTL_NV_PREFIX_TEXT_SIZE];

	ctl_nv_format_ip(&r->gateway, text);
	ctl_nv_format_prefix(&r->prefix, net);
	if (!ctl_nv_ip_is_zero(&r->next_hop))
		return ctl_err(err, errsz, -EINVAL,
			       "%s: only on an on-link route (next hop %s)",
			       field,
			       ctl_nv_ip_is_v4(&r->prefix.addr) ? "0.0.0.0"
								: "::");
	if (check_unicast(&r->gateway, field, err, errsz) < 0)
		return -EINVAL;
	if (!ctl_nv_prefix_contains(&r->prefix, &r->gateway))
		return ctl_err(err, errsz, -EINVAL, "%s: %s is not in %s",
			       field, text, net);
	if (is_subnet_edge(&r->gateway, r->prefix.length))
		return ctl_err(err, errsz, -EINVAL, "%s: %s is the %s address "
			       "of %s", field, text, r->gateway.b[15] & 1
			       ? "broadcast" : "network", net);
	return 0;
}

/* A host's address: not unspecified, loopback, multicast or (IPv4)
 * broadcast and class E. */
static int
check_unicast(const struct ctl_nv_ip *ip, const char *field, char *err,
	      size_t errsz)
{
	const char *why = unicast_flaw(ip);
	char text[CTL_NV_IP_TEXT_SIZE];

	if (!why)
		return 0;
	ctl_nv_format_ip(ip, text);
	return ctl_err(err, errsz, -EINVAL, "%s: %s is %s", field, text, why);
}

/* What keeps 'ip' from being a host's address, or NULL. */
static const char *
unicast_flaw(const struct ctl_nv_ip *ip)
{
	static const uint8_t loopback6[16] = { [15] = 1 };
	bool v4 = ctl_nv_ip_is_v4(ip);

	if (ctl_nv_ip_is_zero(ip))
		return "unspecified";
	if (v4 && ip->b[12] == 0)
		return "in 0.0.0.0/8 (this network)";
	if (v4 && ip->b[12] == 127)
		return "a loopback address";
	if (v4 && ip->b[12] >= 224 && ip->b[12] < 240)
		return "a multicast address";
	if (v4 && ip->b[12] >= 240)
		return "a broadcast or reserved address";
	if (!v4 && ip->b[0] == 0xff)
		return "a multicast address";
	if (!v4 && !memcmp(ip->b, loopback6, 16))
		return "the loopback address";
	return NULL;
}

/* As ctl_parse_mac() wants it: not multicast, not zero. */
static bool
mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6);
}

static int
check_prefix(const struct ctl_nv_prefix *p, const char *field, char *err,
	     size_t errsz)
{
	unsigned int max = ctl_nv_ip_is_v4(&p->addr) ? 32 : 128;
	char text[CTL_NV_IP_TEXT_SIZE];
	struct ctl_nv_ip net = p->addr;

	if (p->length > max)
		return ctl_err(err, errsz, -EINVAL, "%s: /%u is not a prefix "
			       "length (0-%u)", field, p->length, max);
	mask_bits(&net, prefix_bits(&p->addr, p->length));
	if (memcmp(&net, &p->addr, sizeof net)) {
		char given[CTL_NV_IP_TEXT_SIZE];

		ctl_nv_format_ip(&p->addr, given);
		ctl_nv_format_ip(&net, text);
		return ctl_err(err, errsz, -EINVAL,
			       "%s: %s/%u has bits set past "
			       "the prefix length (the prefix is %s/%u)",
			       field, given, p->length, text, p->length);
	}
	return 0;
}

static int
check_rdid(const char *rdid, const char *field, char *err, size_t errsz)
{
	char copy[CTL_NV_RDID_SIZE];

	if (!memchr(rdid, '\0', CTL_NV_RDID_SIZE))
		return ctl_err(err, errsz, -EINVAL, "%s: too long", field);
	if (ctl_nv_parse_rdid(rdid, copy, field, err, errsz) < 0)
		return -EINVAL;
	if (strcmp(copy, rdid))
		return ctl_err(err, errsz, -EINVAL, "%s: a GUID is stored in "
			       "lower case", field);
	return 0;
}

static bool
same_family(const struct ctl_nv_ip *a, const struct ctl_nv_ip *b)
{
	return ctl_nv_ip_is_v4(a) == ctl_nv_ip_is_v4(b);
}

/* The bits of the 128-bit form that a prefix of 'length' covers. */
static unsigned int
prefix_bits(const struct ctl_nv_ip *ip, unsigned int length)
{
	return ctl_nv_ip_is_v4(ip) ? 96 + length : length;
}

static bool
bits_equal(const struct ctl_nv_ip *a, const struct ctl_nv_ip *b,
	   unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;
	uint8_t mask = (uint8_t) (0xff << (8 - rest));

	if (memcmp(a->b, b->b, bytes))
		return false;
	return rest == 0 || ((a->b[bytes] ^ b->b[bytes]) & mask) == 0;
}

/* Clears the bits past the first 'bits'. */
static void
mask_bits(struct ctl_nv_ip *ip, unsigned int bits)
{
	for (unsigned int i = 0; i < 16; i++) {
		if (bits >= 8 * (i + 1))
			continue;
		ip->b[i] &= bits > 8 * i
			? (uint8_t) (0xff << (8 - (bits - 8 * i)))
			: 0;
	}
}

/* The network or (IPv4) broadcast address of the /'length' subnet around
 * 'ip', where the subnet has other addresses to use. */
static bool
is_subnet_edge(const struct ctl_nv_ip *ip, unsigned int length)
{
	bool v4 = ctl_nv_ip_is_v4(ip);
	unsigned int max = v4 ? 32 : 128;
	unsigned int bits = prefix_bits(ip, length);
	struct ctl_nv_ip net = *ip, bcast = *ip;

	if (length + 1 >= max)
		return false;
	mask_bits(&net, bits);
	for (unsigned int i = bits; i < 128; i++)
		bcast.b[i / 8] |= (uint8_t) (0x80 >> (i % 8));
	return !memcmp(&net, ip, sizeof net)
	       || (v4 && !memcmp(&bcast, ip, sizeof bcast));
}

/* "ADDRESS/LENGTH": parses the address into 'ip' and points 'length' at
 * the text after the slash.  'example' is for the message. */
static int
split_address(const char *s, struct ctl_nv_ip *ip, const char **length,
	      const char *example, const char *field, char *err, size_t errsz)
{
	const char *slash = strchr(s, '/');
	char text[CTL_NV_IP_TEXT_SIZE], q[CTL_QUOTE_SIZE];

	if (!slash || (size_t) (slash - s) >= sizeof text)
		return ctl_err(err, errsz, -EINVAL, "%s: '%s' is not ADDRESS/"
			       "LENGTH (e.g. %s)", field, ctl_quote(s, q),
			       example);
	memcpy(text, s, (size_t) (slash - s));
	text[slash - s] = '\0';
	if (ctl_nv_parse_ip(text, ip, field, err, errsz) < 0)
		return -EINVAL;
	*length = slash + 1;
	return 0;
}

/* Decimal digits only, at most 'max'. */
static int
parse_length(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 3)
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return -EINVAL;
	*out = (unsigned int) v;
	return 0;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	       || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
	       || (c >= 'A' && c <= 'F');
}
