/* The stamp pktgen writes into every frame it sends (docs/pktgen.md).
 *
 * Full stamp, 28 bytes, all fields big-endian, right after the UDP header:
 *
 *   0  magic   u32  0x56535047 ("VSPG" on the wire)
 *   4  tx port u16  pktgen port number that sent the frame
 *   6  stream  u16  pktgen port number the frame is addressed to
 *   8  seq     u64  per tx port, +1 per frame
 *  16  tsc     u64  TSC when the frame's burst was built
 *  24  epoch   u32  run epoch (warm-up, each measured phase, each trial)
 *
 * Compact stamp, 14 bytes: a 64-byte frame has only 18 bytes after its
 * UDP header (14 with an 802.1Q tag), too few for the full stamp.  Frames
 * too short for the full stamp carry the same fields truncated:
 *
 *   0  magic   u16  0x5670 ("Vp")
 *   2  tx port u8
 *   3  stream  u8
 *   4  seq     u32  low 32 bits (the receiver extends it)
 *   8  tsc     u32  low 32 bits (latency is taken modulo 2^32 cycles)
 *  12  epoch   u16  low 16 bits
 *
 * Pure code: no DPDK types. */
#ifndef VSWITCH_BENCH_PKTGEN_STAMP_H
#define VSWITCH_BENCH_PKTGEN_STAMP_H

#include <stdint.h>
#include <string.h>

#define PG_STAMP_MAGIC 0x56535047u
#define PG_STAMP_LEN 28
#define PG_CSTAMP_MAGIC 0x5670u
#define PG_CSTAMP_LEN 14

enum pg_stamp_kind {
	PG_STAMP_NONE = 0,
	PG_STAMP_FULL = 1,
	PG_STAMP_COMPACT = 2,
};

/* A decoded stamp; compact fields are zero-extended. */
struct pg_stamp {
	enum pg_stamp_kind kind;
	uint16_t tx_port;
	uint16_t stream;
	uint64_t seq;
	uint64_t tsc;
	uint32_t epoch;
};

static inline void
pg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
pg_put32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static inline void
pg_put64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

static inline uint16_t
pg_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
pg_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline uint64_t
pg_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline unsigned
pg_stamp_len(enum pg_stamp_kind kind)
{
	return kind == PG_STAMP_FULL ? PG_STAMP_LEN
	     : kind == PG_STAMP_COMPACT ? PG_CSTAMP_LEN : 0;
}

/* Writes the constant part of a stamp (magic, ports) at 'p'. */
static inline void
pg_stamp_init(uint8_t *p, enum pg_stamp_kind kind, uint16_t tx_port,
	      uint16_t stream)
{
	if (kind == PG_STAMP_FULL) {
		memset(p, 0, PG_STAMP_LEN);
		pg_put32(p, PG_STAMP_MAGIC);
		pg_put16(p + 4, tx_port);
		pg_put16(p + 6, stream);
	} else if (kind == PG_STAMP_COMPACT) {
		memset(p, 0, PG_CSTAMP_LEN);
		pg_put16(p, PG_CSTAMP_MAGIC);
		p[2] = (uint8_t)tx_port;
		p[3] = (uint8_t)stream;
	}
}

/* Per-frame part: sequence, TSC, epoch (the fast path writes only these). */
static inline void
pg_stamp_patch(uint8_t *p, enum pg_stamp_kind kind, uint64_t seq,
	       uint64_t tsc, uint32_t epoch)
{
	if (kind == PG_STAMP_FULL) {
		pg_put64(p + 8, seq);
		pg_put64(p + 16, tsc);
		pg_put32(p + 24, epoch);
	} else {
		pg_put32(p + 4, (uint32_t)seq);
		pg_put32(p + 8, (uint32_t)tsc);
		pg_put16(p + 12, (uint16_t)epoch);
	}
}

/* Decodes a stamp of 'kind' at 'p'; returns 0 if the magic is not there. */
static inline int
pg_stamp_decode(const uint8_t *p, enum pg_stamp_kind kind,
		struct pg_stamp *s)
{
	if (kind == PG_STAMP_FULL) {
		if (pg_get32(p) != PG_STAMP_MAGIC)
			return 0;
		s->tx_port = pg_get16(p + 4);
		s->stream = pg_get16(p + 6);
		s->seq = pg_get64(p + 8);
		s->tsc = pg_get64(p + 16);
		s->epoch = pg_get32(p + 24);
	} else {
		if (pg_get16(p) != PG_CSTAMP_MAGIC)
			return 0;
		s->tx_port = p[2];
		s->stream = p[3];
		s->seq = pg_get32(p + 4);
		s->tsc = pg_get32(p + 8);
		s->epoch = pg_get16(p + 12);
	}
	s->kind = kind;
	return 1;
}

/* True when a received stamp belongs to epoch 'epoch'. */
static inline int
pg_stamp_epoch_is(const struct pg_stamp *s, uint32_t epoch)
{
	return s->kind == PG_STAMP_FULL ? s->epoch == epoch
				       : s->epoch == (uint16_t)epoch;
}

#endif
