/* pktgen's state, shared by main.c, gen.c, rx.c, run.c and report.c.
 * Everything runs on the main lcore. */
#ifndef VSWITCH_BENCH_PKTGEN_PKTGEN_H
#define VSWITCH_BENCH_PKTGEN_PKTGEN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/pktgen/frame.h"
#include "bench/pktgen/opts.h"
#include "bench/pktgen/rate.h"
#include "bench/pktgen/rfc2544.h"
#include "bench/pktgen/stats.h"

#define PG_BURST 32
#define PG_HOLD_S 60             /* --hold: longest wait for SIGUSR1 */

struct rte_mbuf;
struct rte_mempool;

/* Frames replayed from a pcap file (shared by every tx port). */
struct pg_pcap {
	uint8_t *data;
	uint32_t *off;
	uint16_t *len;
	uint32_t n;
	double mean_size;      /* incl. FCS */
};

struct pg_tx {
	uint16_t port;             /* pktgen port number */
	uint16_t port_id;          /* ethdev port id */
	unsigned txi;              /* index in --tx */
	/* Generated frames: template of (target t, flow f) at
	 * tmpl + (t * flows + f) * stride; all share 'layout'. */
	uint8_t *tmpl;
	size_t stride;
	struct pg_frame_layout layout;
	uint16_t targets[PG_MAX_PORTS];   /* indexes in --rx */
	uint16_t target_port[PG_MAX_PORTS];
	unsigned n_targets;
	/* cursors */
	unsigned tgt, imix_i;
	uint32_t flow, pcap_i;
	uint64_t seq;
	/* burst built but not yet taken by the device */
	struct rte_mbuf *pend[PG_BURST];
	uint16_t pend_stream[PG_BURST];
	uint16_t pend_len[PG_BURST];
	bool pend_stamped[PG_BURST];
	unsigned n_pend, pend_off;
	bool pend_meas;
	bool paced;
	struct pg_pacer pacer;
	/* measured phase */
	uint64_t packets, bytes, unstamped;
	uint64_t ring_full;         /* tx bursts the device took only part of */
	uint64_t sent[PG_MAX_PORTS];      /* stamped, per stream (rx port) */
	/* every phase, for the progress line */
	uint64_t all_packets;
};

struct pg_rx {
	uint16_t port;
	uint16_t port_id;
	unsigned rxi;
	struct pg_seq *seq[PG_MAX_PORTS][PG_MAX_PORTS];  /* [tx port][stream] */
	struct pg_hist hist;
	uint64_t packets, bytes, foreign, stale, misdirected;
	uint64_t all_stamped;      /* every phase, for the progress line */
};

struct pg_tx_res {
	uint16_t port;
	uint64_t packets, bytes, unstamped, ring_full;
	double pps, gbps;
};

struct pg_rx_res {
	uint16_t port;
	uint64_t packets, bytes, sent, lost, reordered, duplicates, late;
	uint64_t foreign, stale, misdirected;
	double pps, gbps, loss_pct;
	struct pg_hist hist;
};

struct pg_result {
	double rate_pps;           /* offered per tx port; 0 = unlimited */
	double duration_s;         /* measured */
	bool interrupted;
	unsigned n_tx, n_rx;
	struct pg_tx_res tx[PG_MAX_PORTS];
	struct pg_rx_res rx[PG_MAX_PORTS];
	/* summary */
	double tx_pps, rx_pps;
	uint64_t sent, lost, reordered, duplicates;
	double loss_pct;
	struct pg_hist hist;       /* all rx ports */
};

struct pg {
	struct pg_opts o;
	enum pg_stamp_kind stamp;
	uint64_t hz;
	double ns_per_cycle;
	struct rte_mempool *txpool, *rxpool;
	uint16_t port_id[PG_MAX_PORTS];
	bool port_open[PG_MAX_PORTS];
	struct pg_tx tx[PG_MAX_PORTS];
	struct pg_rx rx[PG_MAX_PORTS];
	unsigned n_tx, n_rx;
	uint16_t discard_id[PG_MAX_PORTS];   /* ports polled and emptied */
	unsigned n_discard;
	struct pg_pcap pcap;
	double tx_frame_bytes;     /* mean size on the tx wire, FCS incl. */
	/* run state */
	uint32_t epoch_next;
	uint32_t epoch;            /* stamped into frames now */
	uint32_t meas_epoch;       /* the one rx counts */
	bool measuring;            /* tx side: frames count as measured */
	bool counting;             /* rx side */
	bool progress;
	int trial;                 /* rfc2544 trial index, -1 otherwise */
};

extern volatile sig_atomic_t pg_stop;
extern volatile sig_atomic_t pg_go;       /* SIGUSR1 (--hold) */

/* gen.c */
int pg_gen_init(struct pg *g, char *err, size_t errsz);
int pg_gen_load_pcap(struct pg *g, char *err, size_t errsz);
unsigned pg_gen_frame(const struct pg *g, struct pg_tx *t, uint8_t *dst,
		      uint64_t tsc, uint16_t *stream, bool *stamped);
void pg_tx_step(struct pg *g, struct pg_tx *t, uint64_t now);
void pg_tx_flush_pending(struct pg_tx *t);
int pg_learn(struct pg *g);
int pg_hold(struct pg *g);
int pg_dump_pcap(struct pg *g, char *err, size_t errsz);

/* rx.c */
int pg_rx_init(struct pg *g);
void pg_rx_reset(struct pg *g);
void pg_rx_step(struct pg *g, struct pg_rx *r);
void pg_rx_discard(uint16_t port_id);
uint64_t pg_rx_unique(const struct pg_rx *r);

/* run.c */
int pg_run_trial(struct pg *g, double rate_pps, double duration_s,
		 struct pg_result *res);
double pg_rate_pps(const struct pg *g);

/* report.c */
int pg_report_json(const struct pg *g, const struct pg_result *res,
		   const struct pg_rfc_result *rfc, const char *path);
void pg_report_text(const struct pg *g, const struct pg_result *res);

#endif
