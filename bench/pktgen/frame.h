/* Frame templates and stamp lookup, on plain byte buffers.
 *
 * Generated frame: Ethernet(dst, src) [/802.1Q] / IPv4 (UDP, header
 * checksum) / UDP (checksum 0) / stamp / zero padding to size - 4.
 * With NVGRE: outer Ethernet [/802.1Q] / IPv4 (proto 47, DF, TTL 64,
 * checksum) / GRE (0x2000, 0x6558, key) / that inner frame without a tag.
 *
 * Pure code: no DPDK types, no allocation. */
#ifndef VSWITCH_BENCH_PKTGEN_FRAME_H
#define VSWITCH_BENCH_PKTGEN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/pktgen/stamp.h"

#define PG_ETH_HLEN 14
#define PG_VLAN_HLEN 4
#define PG_IP_HLEN 20
#define PG_UDP_HLEN 8
#define PG_GRE_HLEN 8                  /* with the key */
#define PG_NVGRE_OVERHEAD (PG_ETH_HLEN + PG_IP_HLEN + PG_GRE_HLEN)
#define PG_FCS_LEN 4
#define PG_MIN_SIZE 64
#define PG_MAX_SIZE 1518

/* IMIX: 64/570/1518 in the ratio 7:4:1, interleaved over 12 frames. */
#define PG_IMIX_LEN 12
extern const uint16_t pg_imix_sizes[PG_IMIX_LEN];
double pg_imix_mean(void);

struct pg_frame_spec {
	uint8_t dst[6], src[6];
	int vlan;                 /* VID, or -1 for no tag */
	uint32_t src_ip, dst_ip;  /* host order */
	uint16_t sport, dport;
	unsigned size;            /* (inner) frame size including FCS */
	bool nvgre;
	uint8_t outer_dst[6], outer_src[6];
	uint32_t pa_src, pa_dst;  /* host order */
	uint32_t key;             /* GRE key: VSID << 8 | FlowID */
	enum pg_stamp_kind stamp;
	uint16_t tx_port, stream;
};

/* Where things are in a built frame (offsets from its first byte). */
struct pg_frame_layout {
	uint16_t len;        /* bytes without FCS */
	uint16_t hdr_len;    /* bytes up to the end of the stamp */
	uint16_t stamp_off;
	uint16_t ip_off;     /* inner IPv4 header */
	uint16_t udp_off;
	int16_t outer_ip_off; /* -1 without NVGRE */
	enum pg_stamp_kind stamp;
};

/* Which stamp fits a frame of 'size' bytes (incl. FCS) with 'vlan' tag
 * (NVGRE frames: 'size' is the inner frame, which has no tag). */
enum pg_stamp_kind pg_stamp_fit(unsigned size, bool vlan);

/* Builds the frame described by 'spec' into 'buf' (at least 'cap' bytes,
 * zeroed up to the frame's length).  Returns 0, or -1 if 'cap' is too
 * small, the size is out of 64..1518 or the stamp does not fit. */
int pg_frame_build(const struct pg_frame_spec *spec, uint8_t *buf,
		   size_t cap, struct pg_frame_layout *out);

/* Changes a built frame's (inner) size to 'size' (incl. FCS): lengths and
 * IPv4 checksums in the first l->hdr_len bytes of 'buf'.  The stamp kind
 * must still fit.  Returns the new length without FCS. */
uint16_t pg_frame_resize(uint8_t *buf, const struct pg_frame_layout *l,
			 unsigned size);

/* IPv4 header checksum of the 'len' bytes at 'hdr' (checksum field 0). */
uint16_t pg_ip_cksum(const uint8_t *hdr, unsigned len);

/* RFC 1624 incremental update of 'cksum' when a 16-bit word changes. */
uint16_t pg_cksum_update16(uint16_t cksum, uint16_t old, uint16_t new_);

/* Finds the stamp of a received frame: after the UDP header (through
 * up to two VLAN tags and one NVGRE/GRE-TEB encapsulation), or a full
 * stamp in the last 28 bytes (replayed pcap frames; looked at first when
 * 'tail_first', since a replayed capture of pktgen's own frames also has
 * an old stamp after its UDP header).  Returns the kind found
 * (PG_STAMP_NONE when the frame is foreign). */
enum pg_stamp_kind pg_stamp_find(const uint8_t *frame, size_t len,
				 bool tail_first, struct pg_stamp *out);

/* Writes an ARP request (RFC 826; Ethernet/IPv4) into 'buf' of 'cap'
 * bytes: broadcast from 'sha' [/802.1Q 'vlan' when >= 0], "who has 'tpa'?
 * tell 'spa'" (host order), target hardware address zero, padded with
 * zeros to the 60-byte minimum (64 with the FCS).  Returns the length
 * without FCS, or -1 if 'cap' is too small or 'vlan' is above 4095. */
int pg_arp_request_build(uint8_t *buf, size_t cap, const uint8_t sha[6],
			 uint32_t spa, uint32_t tpa, int vlan);

/* MAC address 'base' + 'n' in the low three bytes. */
void pg_mac_add(uint8_t out[6], const uint8_t base[6], uint32_t n);

#endif
