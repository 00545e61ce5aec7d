/* pktgen's command line (docs/pktgen.md) and what follows from it: which
 * ports send to which, and the frame of every (tx port, stream, flow).
 *
 * Pure code: no DPDK types. */
#ifndef VSWITCH_BENCH_PKTGEN_OPTS_H
#define VSWITCH_BENCH_PKTGEN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/pktgen/frame.h"
#include "bench/pktgen/rate.h"

#define PG_MAX_PORTS 16
#define PG_MAX_FLOWS (1u << 20)
#define PG_MAX_MACS (1u << 20)

struct pg_opts {
	const char *ports[PG_MAX_PORTS];  /* devargs as given */
	unsigned n_ports;
	uint16_t tx[PG_MAX_PORTS];
	unsigned n_tx;
	uint16_t rx[PG_MAX_PORTS];
	unsigned n_rx;
	unsigned size;            /* bytes incl. FCS (inner frame with NVGRE) */
	bool imix;
	uint32_t flows, src_macs, dst_macs;
	bool learn;
	/* --learn-arp: rx ports learn with ARP requests "who has arp_tpa?
	 * tell arp_spa + k" from outer_src_mac + k, k < arp_senders. */
	bool learn_arp;
	uint32_t arp_spa, arp_tpa;   /* host order */
	uint32_t arp_senders;
	bool hold;                   /* wait for SIGUSR1 before the warm-up */
	int vlan;                 /* -1: untagged */
	bool nvgre;
	uint32_t vsid, vsids;
	uint8_t flowid;
	uint32_t pa_src, pa_dst;  /* host order */
	uint8_t outer_dst_mac[6], outer_src_mac[6];
	const char *pcap;
	struct pg_rate rate;
	double line_rate_bps;
	double duration_s, warmup_s;
	unsigned drain_ms;
	const char *json;
	int progress;             /* -1: when stdout is a terminal */
	bool rfc2544;
	double loss_tolerance_pct;
	double trial_s;           /* < 0: --duration */
	double resolution_pct;
	const char *dump_pcap;    /* write frames to a pcap, no EAL */
	unsigned dump_count;
	int eal_argc;             /* arguments after "--" */
	char **eal_argv;
};

/* Parses argv; returns 0, 1 for --help (usage printed), or -1 with a
 * message in 'err'. */
int pg_opts_parse(int argc, char **argv, struct pg_opts *o, char *err,
		  size_t errsz);
void pg_usage(const char *prog);

/* "00:11:22:33:44:55" */
int pg_mac_parse(const char *s, uint8_t mac[6]);
/* "0,2,4-6": distinct port numbers below 'max'; returns the count or -1. */
int pg_list_parse(const char *s, uint16_t *out, unsigned max);

/* Streams of tx port 'tx': the rx ports other than itself, or itself
 * when it is the only rx port.  Returns the count. */
unsigned pg_targets(const struct pg_opts *o, uint16_t tx, uint16_t *out);

/* The stamp every generated frame carries (the same for all sizes). */
enum pg_stamp_kind pg_opts_stamp(const struct pg_opts *o);

/* Frame of flow 'flow' from the tx port at index 'txi' of the tx list to
 * the rx port at index 'rxi' of the rx list:
 *   source MAC 02:00:00:00:00:01 + txi * src_macs + flow % src_macs
 *   dest.  MAC 02:00:00:01:00:01 + rxi * dst_macs + flow % dst_macs
 *   10.0.0.1 + (txi << 20) + flow -> 10.128.0.1 + (rxi << 20) + flow,
 *   UDP 1024 + flow % 60000 -> 5000 + flow % 1000,
 *   VSID vsid + flow % vsids. */
void pg_flow_spec(const struct pg_opts *o, unsigned txi, unsigned rxi,
		  uint32_t flow, unsigned size, struct pg_frame_spec *s);

/* Learning frame 'k' (k < pg_learn_count()) of the rx port at index
 * 'rxi' into 'buf' of 'cap' bytes: a broadcast from its destination MAC
 * 'k' (no stamp), or with --learn-arp the ARP request of sender 'k'.
 * Returns the length without FCS, or -1. */
int pg_learn_frame(const struct pg_opts *o, unsigned rxi, uint32_t k,
		   uint8_t *buf, size_t cap);
/* How many learning frames each rx port sends. */
uint32_t pg_learn_count(const struct pg_opts *o);

/* Destination MAC 'k' of the rx port at index 'rxi'. */
void pg_dst_mac(const struct pg_opts *o, unsigned rxi, uint32_t k,
		uint8_t mac[6]);

/* Vdev renaming: "net_virtio_user0,path=x" -> "net_virtio_user_pg3,path=x"
 * (tag "pg", index 3), so the same driver may be given twice.  Devargs
 * that are not a net_/eth_ vdev (PCI addresses) are kept.  'name' gets
 * the ethdev name.  Returns 0 or -1 when a buffer is too small. */
int pg_devargs_rename(const char *devargs, const char *tag, unsigned idx,
		      char *out, size_t outsz, char *name, size_t namesz);

#endif
