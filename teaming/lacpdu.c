#include "teaming/lacpdu.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define TLV_ACTOR 1
#define TLV_PARTNER 2
#define TLV_COLLECTOR 3
#define TLV_TERMINATOR 0
#define TLV_MARKER_INFO 1
#define TLV_MARKER_RESPONSE 2
#define INFO_TLV_LEN 20
#define COLLECTOR_TLV_LEN 16
#define MARKER_TLV_LEN 16

const uint8_t slowp_multicast[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

/* Wire layouts: octets only, so no padding and no alignment to worry
 * about; sizes checked below against 802.1AX-2008 Figures 5-8 and 5-20. */
struct eth_wire {
	uint8_t dst[6];
	uint8_t src[6];
	uint8_t type[2];
};

struct info_wire {           /* Actor or Partner Information TLV */
	uint8_t tlv_type;
	uint8_t length;
	uint8_t sys_prio[2];
	uint8_t sys[6];
	uint8_t key[2];
	uint8_t port_prio[2];
	uint8_t port[2];
	uint8_t state;
	uint8_t reserved[3];
};

struct lacpdu_wire {
	struct eth_wire eth;
	uint8_t subtype;
	uint8_t version;
	struct info_wire actor;
	struct info_wire partner;
	uint8_t collector_type;
	uint8_t collector_len;
	uint8_t collector_max_delay[2];
	uint8_t collector_reserved[12];
	uint8_t terminator_type;
	uint8_t terminator_len;
	uint8_t reserved[50];
};

struct marker_wire {
	struct eth_wire eth;
	uint8_t subtype;
	uint8_t version;
	uint8_t tlv_type;
	uint8_t length;
	uint8_t requester_port[2];
	uint8_t requester_sys[6];
	uint8_t transaction_id[4];
	uint8_t pad[2];
	uint8_t terminator_type;
	uint8_t terminator_len;
	uint8_t reserved[90];
};

static_assert(sizeof(struct info_wire) == INFO_TLV_LEN, "info TLV");
static_assert(sizeof(struct lacpdu_wire) == LACPDU_FRAME_SIZE, "LACPDU");
static_assert(offsetof(struct lacpdu_wire, terminator_type) ==
	      ETH_HDR_SIZE + 58, "Terminator after 58 octets of LACPDU");
static_assert(sizeof(struct marker_wire) == MARKER_FRAME_SIZE, "Marker");

static const char *const error_text[] = {
#define SLOWP_TEXT_(name, text) [SLOWP_E_##name] = text,
	SLOWP_ERRORS(SLOWP_TEXT_)
#undef SLOWP_TEXT_
};

static const char *const state_bit_name[8] = {
	"activity", "short-timeout", "aggregation", "sync",
	"collecting", "distributing", "defaulted", "expired",
};

static enum slowp_error eth_check(const struct eth_wire *, size_t size,
				  size_t need);
static void info_put(struct info_wire *, uint8_t type,
		     const struct lacp_info *);
static enum slowp_error info_get(const struct info_wire *, uint8_t type,
				 enum slowp_error bad_type,
				 enum slowp_error bad_len, struct lacp_info *);
static enum slowp_error later_tlvs_check(const uint8_t *frame, size_t size,
					 size_t ofs);
static void put16(uint8_t *p, uint16_t v);
static uint16_t get16(const uint8_t *p);

const char *
slowp_error_str(enum slowp_error e)
{
	return (unsigned int)e < SLOWP_E_COUNT ? error_text[e] : "unknown";
}

int
slowp_subtype(const uint8_t *frame, size_t size)
{
	if (size < ETH_HDR_SIZE + 1 || get16(frame + 12) != SLOWP_ETHERTYPE)
		return -1;
	return frame[ETH_HDR_SIZE];
}

size_t
lacpdu_encode(const struct lacpdu *pdu, const uint8_t src[6], uint8_t *buf,
	      size_t size)
{
	struct lacpdu_wire *w = (struct lacpdu_wire *)buf;

	if (size < sizeof(*w))
		return 0;
	memset(w, 0, sizeof(*w));
	memcpy(w->eth.dst, slowp_multicast, 6);
	memcpy(w->eth.src, src, 6);
	put16(w->eth.type, SLOWP_ETHERTYPE);
	w->subtype = SLOWP_SUBTYPE_LACP;
	w->version = LACP_VERSION;
	info_put(&w->actor, TLV_ACTOR, &pdu->actor);
	info_put(&w->partner, TLV_PARTNER, &pdu->partner);
	w->collector_type = TLV_COLLECTOR;
	w->collector_len = COLLECTOR_TLV_LEN;
	put16(w->collector_max_delay, pdu->collector_max_delay);
	return sizeof(*w);
}

enum slowp_error
lacpdu_decode(const uint8_t *frame, size_t size, struct lacpdu *out)
{
	const struct lacpdu_wire *w = (const struct lacpdu_wire *)frame;
	enum slowp_error e;

	e = eth_check(&w->eth, size, sizeof(*w));
	if (e != SLOWP_E_OK)
		return e;
	if (w->subtype != SLOWP_SUBTYPE_LACP)
		return SLOWP_E_SUBTYPE;
	if (w->version == 0)
		return SLOWP_E_VERSION;
	memset(out, 0, sizeof(*out));
	memcpy(out->src, w->eth.src, 6);
	out->version = w->version;
	e = info_get(&w->actor, TLV_ACTOR, SLOWP_E_ACTOR_TLV,
		     SLOWP_E_ACTOR_LEN, &out->actor);
	if (e != SLOWP_E_OK)
		return e;
	e = info_get(&w->partner, TLV_PARTNER, SLOWP_E_PARTNER_TLV,
		     SLOWP_E_PARTNER_LEN, &out->partner);
	if (e != SLOWP_E_OK)
		return e;
	if (w->collector_type != TLV_COLLECTOR)
		return SLOWP_E_COLLECTOR_TLV;
	if (w->collector_len != COLLECTOR_TLV_LEN)
		return SLOWP_E_COLLECTOR_LEN;
	out->collector_max_delay = get16(w->collector_max_delay);
	if (w->version > LACP_VERSION)
		return later_tlvs_check(frame, size,
					offsetof(struct lacpdu_wire,
						 terminator_type));
	if (w->terminator_type != TLV_TERMINATOR || w->terminator_len != 0)
		return SLOWP_E_TERMINATOR;
	return SLOWP_E_OK;
}

size_t
marker_encode(const struct marker_pdu *m, const uint8_t src[6], uint8_t *buf,
	      size_t size)
{
	struct marker_wire *w = (struct marker_wire *)buf;

	if (size < sizeof(*w))
		return 0;
	memset(w, 0, sizeof(*w));
	memcpy(w->eth.dst, slowp_multicast, 6);
	memcpy(w->eth.src, src, 6);
	put16(w->eth.type, SLOWP_ETHERTYPE);
	w->subtype = SLOWP_SUBTYPE_MARKER;
	w->version = MARKER_VERSION;
	w->tlv_type = m->response ? TLV_MARKER_RESPONSE : TLV_MARKER_INFO;
	w->length = MARKER_TLV_LEN;
	put16(w->requester_port, m->requester_port);
	memcpy(w->requester_sys, m->requester_sys, 6);
	put16(w->transaction_id, (uint16_t)(m->transaction_id >> 16));
	put16(w->transaction_id + 2, (uint16_t)m->transaction_id);
	return sizeof(*w);
}

enum slowp_error
marker_decode(const uint8_t *frame, size_t size, struct marker_pdu *out)
{
	const struct marker_wire *w = (const struct marker_wire *)frame;
	enum slowp_error e;

	e = eth_check(&w->eth, size, sizeof(*w));
	if (e != SLOWP_E_OK)
		return e;
	if (w->subtype != SLOWP_SUBTYPE_MARKER)
		return SLOWP_E_SUBTYPE;
	if (w->version == 0)
		return SLOWP_E_VERSION;
	if (w->tlv_type != TLV_MARKER_INFO &&
	    w->tlv_type != TLV_MARKER_RESPONSE)
		return SLOWP_E_MARKER_TLV;
	if (w->length != MARKER_TLV_LEN)
		return SLOWP_E_MARKER_LEN;
	if (w->terminator_type != TLV_TERMINATOR || w->terminator_len != 0)
		return SLOWP_E_TERMINATOR;
	memset(out, 0, sizeof(*out));
	memcpy(out->src, w->eth.src, 6);
	out->response = w->tlv_type == TLV_MARKER_RESPONSE;
	out->requester_port = get16(w->requester_port);
	memcpy(out->requester_sys, w->requester_sys, 6);
	out->transaction_id = (uint32_t)get16(w->transaction_id) << 16 |
			      get16(w->transaction_id + 2);
	return SLOWP_E_OK;
}

int
lacp_state_format(uint8_t state, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	if (state == 0)
		return snprintf(buf, size, "none");
	for (int bit = 0; bit < 8; bit++) {
		int n;

		if (!(state & 1u << bit))
			continue;
		n = snprintf(len < size ? buf + len : NULL,
			     len < size ? size - len : 0, "%s%s",
			     len ? "," : "", state_bit_name[bit]);
		len += (size_t)n;
	}
	return (int)len;
}

/* Static helpers. */

/* The Ethernet checks shared by both PDUs.  The length comes first so
 * that no field is read from a frame too short to hold it. */
static enum slowp_error
eth_check(const struct eth_wire *eth, size_t size, size_t need)
{
	if (size < need)
		return SLOWP_E_SHORT;
	if (get16(eth->type) != SLOWP_ETHERTYPE)
		return SLOWP_E_NOT_SLOW;
	if (memcmp(eth->dst, slowp_multicast, 6) != 0)
		return SLOWP_E_DST;
	if (eth->src[0] & 1)
		return SLOWP_E_SRC;
	return SLOWP_E_OK;
}

static void
info_put(struct info_wire *w, uint8_t type, const struct lacp_info *in)
{
	w->tlv_type = type;
	w->length = INFO_TLV_LEN;
	put16(w->sys_prio, in->sys_prio);
	memcpy(w->sys, in->sys, 6);
	put16(w->key, in->key);
	put16(w->port_prio, in->port_prio);
	put16(w->port, in->port);
	w->state = in->state;
}

static enum slowp_error
info_get(const struct info_wire *w, uint8_t type, enum slowp_error bad_type,
	 enum slowp_error bad_len, struct lacp_info *out)
{
	if (w->tlv_type != type)
		return bad_type;
	if (w->length != INFO_TLV_LEN)
		return bad_len;
	out->sys_prio = get16(w->sys_prio);
	memcpy(out->sys, w->sys, 6);
	out->key = get16(w->key);
	out->port_prio = get16(w->port_prio);
	out->port = get16(w->port);
	out->state = w->state;
	return SLOWP_E_OK;
}

/* Walks the TLVs a version above 1 may put between the Collector TLV and
 * the Terminator (802.1AX-2014 adds some), each length counting its own
 * two header octets. */
static enum slowp_error
later_tlvs_check(const uint8_t *frame, size_t size, size_t ofs)
{
	while (ofs + 2 <= size) {
		uint8_t type = frame[ofs], len = frame[ofs + 1];

		if (type == TLV_TERMINATOR)
			return len == 0 ? SLOWP_E_OK : SLOWP_E_TERMINATOR;
		if (len < 2 || len > size - ofs)
			return SLOWP_E_TLV_LEN;
		ofs += len;
	}
	return SLOWP_E_TERMINATOR;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
