/* Transmit side: frame templates (generated or from a pcap file), the
 * per-iteration tx step, --learn and --dump-pcap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench/pktgen/pktgen.h"

#define PG_FRAME_MAX 2048        /* largest frame we copy into an mbuf */
#define PG_PCAP_MAX_FRAMES (1u << 20)

static unsigned
base_size(const struct pg *g)
{
	return g->o.imix ? pg_imix_sizes[0] : g->o.size;
}

static int
build_templates(struct pg *g, struct pg_tx *t, char *err, size_t errsz)
{
	const struct pg_opts *o = &g->o;
	uint8_t scratch[PG_FRAME_MAX];
	struct pg_frame_spec spec;
	struct pg_frame_layout l;
	size_t n = (size_t)t->n_targets * o->flows;

	pg_flow_spec(o, t->txi, t->targets[0], 0, base_size(g), &spec);
	if (pg_frame_build(&spec, scratch, sizeof(scratch), &t->layout) < 0) {
		snprintf(err, errsz, "cannot build a %u-byte frame",
			 base_size(g));
		return -1;
	}
	/* Whole cache lines, copied as one fixed-size block per frame; the
	 * bytes past the stamp are zero, like the padding. */
	t->stride = t->layout.hdr_len <= 64 ? 64 : 128;
	t->tmpl = calloc(n, t->stride);
	if (!t->tmpl) {
		snprintf(err, errsz, "no memory for %zu templates", n);
		return -1;
	}
	for (unsigned i = 0; i < t->n_targets; i++) {
		for (uint32_t f = 0; f < o->flows; f++) {
			pg_flow_spec(o, t->txi, t->targets[i], f,
				     base_size(g), &spec);
			if (pg_frame_build(&spec, scratch, sizeof(scratch),
					   &l) < 0) {
				snprintf(err, errsz, "cannot build flow %u", f);
				return -1;
			}
			memcpy(t->tmpl + ((size_t)i * o->flows + f) * t->stride,
			       scratch, l.hdr_len);
		}
	}
	return 0;
}

int
pg_gen_init(struct pg *g, char *err, size_t errsz)
{
	const struct pg_opts *o = &g->o;
	double inner;

	g->stamp = pg_opts_stamp(o);
	g->n_tx = o->n_tx;
	for (unsigned i = 0; i < o->n_tx; i++) {
		struct pg_tx *t = &g->tx[i];

		memset(t, 0, sizeof(*t));
		t->port = o->tx[i];
		t->port_id = g->port_id[t->port];
		t->txi = i;
		t->n_targets = pg_targets(o, t->port, t->targets);
		for (unsigned k = 0; k < t->n_targets; k++)
			t->target_port[k] = o->rx[t->targets[k]];
		if (!o->pcap && build_templates(g, t, err, errsz) < 0)
			return -1;
	}
	if (o->pcap) {
		g->tx_frame_bytes = g->pcap.mean_size;
	} else {
		inner = o->imix ? pg_imix_mean() : o->size;
		g->tx_frame_bytes = inner;
		if (o->nvgre)
			g->tx_frame_bytes += PG_NVGRE_OVERHEAD +
					     (o->vlan >= 0 ? PG_VLAN_HLEN : 0);
	}
	return 0;
}

int
pg_gen_load_pcap(struct pg *g, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pg_pcap *pc = &g->pcap;
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t cap = 0, used = 0, fcap = 0;
	uint64_t total = 0, skipped = 0;
	pcap_t *p;
	int rc;

	p = pcap_open_offline(g->o.pcap, ebuf);
	if (!p) {
		snprintf(err, errsz, "--pcap %s: %s", g->o.pcap, ebuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(err, errsz, "--pcap %s: not an Ethernet capture",
			 g->o.pcap);
		pcap_close(p);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen < PG_ETH_HLEN || h->caplen > PG_FRAME_MAX ||
		    h->caplen != h->len) {
			skipped++;
			continue;
		}
		if (pc->n == PG_PCAP_MAX_FRAMES)
			break;
		if (used + h->caplen > cap) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			uint8_t *nd = realloc(pc->data, ncap);

			if (!nd)
				goto nomem;
			pc->data = nd;
			cap = ncap;
		}
		if (pc->n == fcap) {
			size_t nf = fcap ? fcap * 2 : 1024;
			uint32_t *no = realloc(pc->off, nf * sizeof(*no));
			uint16_t *nl;

			if (!no)
				goto nomem;
			pc->off = no;
			nl = realloc(pc->len, nf * sizeof(*nl));
			if (!nl)
				goto nomem;
			pc->len = nl;
			fcap = nf;
		}
		memcpy(pc->data + used, data, h->caplen);
		pc->off[pc->n] = (uint32_t)used;
		pc->len[pc->n] = (uint16_t)h->caplen;
		used += h->caplen;
		total += h->caplen + PG_FCS_LEN;
		pc->n++;
	}
	pcap_close(p);
	if (skipped)
		fprintf(stderr, "pktgen: --pcap: skipped %llu frames "
			"(truncated or longer than %d bytes)\n",
			(unsigned long long)skipped, PG_FRAME_MAX);
	if (pc->n == 0) {
		snprintf(err, errsz, "--pcap %s: no usable frames", g->o.pcap);
		return -1;
	}
	pc->mean_size = (double)total / pc->n;
	return 0;
nomem:
	pcap_close(p);
	snprintf(err, errsz, "--pcap %s: out of memory", g->o.pcap);
	return -1;
}

/* Writes the next frame of 't' at 'dst' (which has room for
 * PG_FRAME_MAX bytes); returns its length without FCS. */
unsigned
pg_gen_frame(const struct pg *g, struct pg_tx *t, uint8_t *dst, uint64_t tsc,
	     uint16_t *stream, bool *stamped)
{
	unsigned len;

	*stream = t->target_port[t->tgt];
	if (g->pcap.n) {
		const struct pg_pcap *pc = &g->pcap;

		len = pc->len[t->pcap_i];
		memcpy(dst, pc->data + pc->off[t->pcap_i], len);
		*stamped = len >= 60;
		if (*stamped) {
			uint8_t *s = dst + len - PG_STAMP_LEN;

			pg_stamp_init(s, PG_STAMP_FULL, t->port, *stream);
			pg_stamp_patch(s, PG_STAMP_FULL, t->seq++, tsc,
				       g->epoch);
		}
		if (++t->pcap_i == pc->n)
			t->pcap_i = 0;
		if (++t->tgt == t->n_targets)
			t->tgt = 0;
		return len;
	}
	{
		const uint8_t *src = t->tmpl +
			((size_t)t->tgt * g->o.flows + t->flow) * t->stride;

		if (t->stride == 64)
			memcpy(dst, src, 64);
		else
			memcpy(dst, src, 128);
	}
	len = t->layout.len;
	if (g->o.imix) {
		len = pg_frame_resize(dst, &t->layout,
				      pg_imix_sizes[t->imix_i]);
		if (++t->imix_i == PG_IMIX_LEN)
			t->imix_i = 0;
	}
	pg_stamp_patch(dst + t->layout.stamp_off, t->layout.stamp, t->seq++,
		       tsc, g->epoch);
	*stamped = true;
	if (++t->tgt == t->n_targets) {
		t->tgt = 0;
		if (++t->flow == g->o.flows)
			t->flow = 0;
	}
	return len;
}

void
pg_tx_flush_pending(struct pg_tx *t)
{
	if (t->n_pend)
		rte_pktmbuf_free_bulk(t->pend + t->pend_off, t->n_pend);
	t->n_pend = 0;
	t->pend_off = 0;
}

void
pg_tx_step(struct pg *g, struct pg_tx *t, uint64_t now)
{
	unsigned n, sent;
	uint64_t tsc;

	if (t->n_pend == 0) {
		n = t->paced ? pg_pacer_take(&t->pacer, now, PG_BURST)
			     : PG_BURST;
		if (n == 0)
			return;
		if (rte_pktmbuf_alloc_bulk(g->txpool, t->pend, n) != 0) {
			if (t->paced)
				pg_pacer_refund(&t->pacer, n);
			return;
		}
		/* The lines were last read by the peer's CPU: fetch them all
		 * for writing at once rather than one miss per frame. */
		for (unsigned i = 0; i < n; i++)
			__builtin_prefetch(rte_pktmbuf_mtod(t->pend[i], void *),
					   1, 3);
		tsc = rte_rdtsc();      /* as late as possible before sending */
		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = t->pend[i];
			unsigned len;

			len = pg_gen_frame(g, t, rte_pktmbuf_mtod(m, uint8_t *),
					   tsc, &t->pend_stream[i],
					   &t->pend_stamped[i]);
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			t->pend_len[i] = (uint16_t)len;
		}
		t->n_pend = n;
		t->pend_off = 0;
		t->pend_meas = g->measuring;
	}
	sent = rte_eth_tx_burst(t->port_id, 0, t->pend + t->pend_off,
				(uint16_t)t->n_pend);
	if (sent < t->n_pend && t->pend_meas)
		t->ring_full++;
	if (sent == 0)
		return;
	if (t->pend_meas) {
		for (unsigned i = t->pend_off; i < t->pend_off + sent; i++) {
			t->bytes += t->pend_len[i] + PG_FCS_LEN;
			if (t->pend_stamped[i])
				t->sent[t->pend_stream[i]]++;
			else
				t->unstamped++;
		}
		t->packets += sent;
	}
	t->all_packets += sent;
	t->pend_off += sent;
	t->n_pend -= sent;
}

static void
poll_all_rx(struct pg *g)
{
	for (unsigned i = 0; i < g->o.n_ports; i++)
		if (g->port_open[i])
			pg_rx_discard(g->port_id[i]);
}

int
pg_learn(struct pg *g)
{
	uint64_t deadline = rte_get_tsc_cycles() + 5 * g->hz;
	struct rte_mbuf *pkts[PG_BURST];
	uint64_t unsent = 0;

	for (unsigned r = 0; r < g->o.n_rx; r++) {
		uint16_t pid = g->port_id[g->o.rx[r]];
		uint32_t k = 0;

		while (k < pg_learn_count(&g->o) &&
		       rte_get_tsc_cycles() < deadline) {
			unsigned n = pg_learn_count(&g->o) - k, off = 0;

			if (n > PG_BURST)
				n = PG_BURST;
			if (rte_pktmbuf_alloc_bulk(g->txpool, pkts, n) != 0) {
				poll_all_rx(g);
				continue;
			}
			for (unsigned i = 0; i < n; i++) {
				int len = pg_learn_frame(&g->o, r, k + i,
					rte_pktmbuf_mtod(pkts[i], uint8_t *),
					pkts[i]->buf_len - pkts[i]->data_off);

				if (len < 0)
					len = 0;
				pkts[i]->data_len = (uint16_t)len;
				pkts[i]->pkt_len = len;
			}
			while (off < n && rte_get_tsc_cycles() < deadline) {
				off += rte_eth_tx_burst(pid, 0, pkts + off,
							(uint16_t)(n - off));
				poll_all_rx(g);
			}
			if (off < n) {
				rte_pktmbuf_free_bulk(pkts + off, n - off);
				unsent += n - off;
			}
			k += n;
		}
	}
	if (unsent)
		fprintf(stderr, "pktgen: --learn: %llu frames not sent\n",
			(unsigned long long)unsent);
	deadline = rte_get_tsc_cycles() + g->hz / 2;
	while (rte_get_tsc_cycles() < deadline)
		poll_all_rx(g);
	return 0;
}

int
pg_hold(struct pg *g)
{
	uint64_t deadline = rte_get_tsc_cycles() + PG_HOLD_S * g->hz;

	printf("pktgen: holding: SIGUSR1 starts the warm-up\n");
	fflush(stdout);
	while (!pg_go && !pg_stop) {
		if (rte_get_tsc_cycles() >= deadline) {
			fprintf(stderr, "pktgen: --hold: no SIGUSR1 in %d s\n",
				PG_HOLD_S);
			return -1;
		}
		poll_all_rx(g);
	}
	return pg_stop ? -1 : 0;
}

int
pg_dump_pcap(struct pg *g, char *err, size_t errsz)
{
	static uint8_t buf[PG_FRAME_MAX];
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;

	if (!p) {
		snprintf(err, errsz, "pcap_open_dead failed");
		return -1;
	}
	d = pcap_dump_open(p, g->o.dump_pcap);
	if (!d) {
		snprintf(err, errsz, "--dump-pcap %s: %s", g->o.dump_pcap,
			 pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	g->epoch = 1;
	for (unsigned i = 0; i < g->n_tx; i++) {
		struct pg_tx *t = &g->tx[i];

		for (unsigned k = 0; k < g->o.dump_count; k++) {
			struct pcap_pkthdr h;
			uint16_t stream;
			bool stamped;
			unsigned len;

			memset(buf, 0, sizeof(buf));
			len = pg_gen_frame(g, t, buf, k, &stream, &stamped);
			memset(&h, 0, sizeof(h));
			h.ts.tv_sec = i;
			h.ts.tv_usec = k % 1000000;
			h.caplen = h.len = len;
			pcap_dump((u_char *)d, &h, buf);
		}
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}
