/* Slow Protocols frames of Link Aggregation: the LACPDU and the Marker /
 * Marker Response PDUs, encoded and decoded byte for byte as IEEE
 * 802.1AX-2008 lays them out (5.4.2 LACPDU, 5.5.3 Marker PDU; the same
 * layout as 802.3-2005 clause 43), and the actor/partner state octet
 * spelled out for logs and 'team-status'.
 *
 * Frames are whole untagged Ethernet frames without FCS: destination
 * 01-80-C2-00-00-02, the sender's own MAC as source, EtherType 0x8809,
 * then 110 octets of PDU, 124 octets in all.
 *
 * Pure code: no DPDK types, no allocation, no I/O, no clock.  Every
 * function may be called from any thread; none keeps state. */
#ifndef VSWITCH_TEAMING_LACPDU_H
#define VSWITCH_TEAMING_LACPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOWP_ETHERTYPE 0x8809
#define SLOWP_SUBTYPE_LACP 1
#define SLOWP_SUBTYPE_MARKER 2
#define LACP_VERSION 1
#define MARKER_VERSION 1

#define ETH_HDR_SIZE 14
#define LACPDU_SIZE 110                          /* after the Ethernet header */
#define LACPDU_FRAME_SIZE (ETH_HDR_SIZE + LACPDU_SIZE)    /* 124 */
#define MARKER_SIZE 110
#define MARKER_FRAME_SIZE (ETH_HDR_SIZE + MARKER_SIZE)    /* 124 */

/* The Slow_Protocols_Multicast address (802.3 Annex 43B). */
extern const uint8_t slowp_multicast[6];

/* Bits of Actor_State / Partner_State (802.1AX-2008 5.4.2.2 item m). */
#define LACP_STATE_ACTIVITY      0x01  /* active (1) or passive (0) */
#define LACP_STATE_TIMEOUT       0x02  /* short (1) or long (0) timeout */
#define LACP_STATE_AGGREGATION   0x04  /* aggregatable (1) or individual */
#define LACP_STATE_SYNC          0x08  /* in sync with the partner */
#define LACP_STATE_COLLECTING    0x10
#define LACP_STATE_DISTRIBUTING  0x20
#define LACP_STATE_DEFAULTED     0x40  /* using administrative defaults */
#define LACP_STATE_EXPIRED       0x80  /* receive machine in EXPIRED */

/* Room for every bit spelled out, with its terminating NUL. */
#define LACP_STATE_STR_MAX 96

/* One side of a link as an LACPDU carries it: the Actor Information or
 * Partner Information TLV, in host byte order. */
struct lacp_info {
	uint16_t sys_prio;         /* system priority */
	uint8_t sys[6];            /* system identifier (a MAC) */
	uint16_t key;              /* operational key */
	uint16_t port_prio;        /* port priority */
	uint16_t port;             /* port number */
	uint8_t state;             /* LACP_STATE_* bits */
};

struct lacpdu {
	uint8_t src[6];            /* Ethernet source (decode only) */
	uint8_t version;           /* Version Number (decode only) */
	struct lacp_info actor;
	struct lacp_info partner;
	uint16_t collector_max_delay;  /* tens of microseconds */
};

/* A Marker PDU asks the partner to answer once every frame it sent
 * before has been delivered; a Marker Response is the answer, carrying
 * the same three fields back (5.5.3). */
struct marker_pdu {
	uint8_t src[6];            /* Ethernet source (decode only) */
	bool response;             /* Marker Response (TLV type 2) */
	uint16_t requester_port;
	uint8_t requester_sys[6];
	uint32_t transaction_id;
};

/* Why a frame was not accepted.  X(name, text). */
#define SLOWP_ERRORS(X)                                                   \
	X(OK, "ok")                                                       \
	X(SHORT, "frame shorter than a whole PDU")                        \
	X(NOT_SLOW, "EtherType is not Slow Protocols (0x8809)")           \
	X(DST, "destination is not 01-80-C2-00-00-02")                    \
	X(SRC, "source is a group address")                               \
	X(SUBTYPE, "wrong subtype")                                       \
	X(VERSION, "version number 0")                                    \
	X(ACTOR_TLV, "Actor Information TLV type is not 1")               \
	X(ACTOR_LEN, "Actor Information length is not 20")                \
	X(PARTNER_TLV, "Partner Information TLV type is not 2")           \
	X(PARTNER_LEN, "Partner Information length is not 20")            \
	X(COLLECTOR_TLV, "Collector Information TLV type is not 3")       \
	X(COLLECTOR_LEN, "Collector Information length is not 16")        \
	X(TLV_LEN, "TLV length below 2 or past the end of the frame")     \
	X(TERMINATOR, "no Terminator TLV (0, 0) where it belongs")        \
	X(MARKER_TLV, "Marker TLV type is neither 1 nor 2")               \
	X(MARKER_LEN, "Marker Information length is not 16")

enum slowp_error {
#define SLOWP_ENUM_(name, text) SLOWP_E_##name,
	SLOWP_ERRORS(SLOWP_ENUM_)
#undef SLOWP_ENUM_
	SLOWP_E_COUNT
};

const char *slowp_error_str(enum slowp_error e);

/* Returns the Slow Protocols subtype of the 'size' bytes at 'frame' if
 * it is an untagged Slow Protocols frame long enough to have one, -1
 * otherwise.  Cheap enough for the fast path, which uses it (or just the
 * EtherType) to divert these frames to the control thread. */
int slowp_subtype(const uint8_t *frame, size_t size);

/* Writes the LACPDU 'pdu' sent from 'src' into 'buf' as a complete frame:
 * the version is LACP_VERSION and every reserved octet 0 ('pdu->src' and
 * 'pdu->version' are not used).  Returns LACPDU_FRAME_SIZE, or 0 if
 * 'size' is smaller than that. */
size_t lacpdu_encode(const struct lacpdu *pdu, const uint8_t src[6],
		     uint8_t *buf, size_t size);

/* Parses the frame of 'size' bytes at 'frame' into 'out'.  Returns
 * SLOWP_E_OK, or the first reason it is not a valid LACPDU, in this
 * order: SHORT (fewer than LACPDU_FRAME_SIZE bytes; longer frames are
 * accepted, the excess being padding), NOT_SLOW, DST, SRC, SUBTYPE,
 * VERSION, then the TLVs in frame order.
 *
 * Version 1 PDUs must hold exactly the three TLVs and the Terminator at
 * their places.  A higher version is accepted for forward compatibility:
 * its first three TLVs must be the version 1 ones, and the TLVs a later
 * version adds after them are skipped up to the Terminator, which must
 * lie within the frame.  Reserved octets are ignored, as the standard
 * asks of receivers.  Nothing past 'size' is read. */
enum slowp_error lacpdu_decode(const uint8_t *frame, size_t size,
			       struct lacpdu *out);

/* Writes the Marker (or, with 'm->response', Marker Response) PDU 'm'
 * sent from 'src' into 'buf'.  Returns MARKER_FRAME_SIZE, or 0 if 'size'
 * is too small. */
size_t marker_encode(const struct marker_pdu *m, const uint8_t src[6],
		     uint8_t *buf, size_t size);

/* Parses a Marker or Marker Response frame into 'out', with the same
 * Ethernet and version checks as lacpdu_decode(), then MARKER_TLV,
 * MARKER_LEN and TERMINATOR. */
enum slowp_error marker_decode(const uint8_t *frame, size_t size,
			       struct marker_pdu *out);

/* Spells out 'state' into 'buf' as the names of its set bits, in bit
 * order, joined by commas: "activity,short-timeout,aggregation,sync,
 * collecting,distributing,defaulted,expired"; "none" when no bit is set.
 * Returns the length of the full string, like snprintf (so a 'size' of
 * LACP_STATE_STR_MAX is always enough). */
int lacp_state_format(uint8_t state, char *buf, size_t size);

#endif
