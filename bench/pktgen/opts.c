/* pktgen's command line and traffic plan (see opts.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/pktgen/opts.h"

static const uint8_t src_mac_base[6] = { 0x02, 0, 0, 0x00, 0x00, 0x01 };
static const uint8_t dst_mac_base[6] = { 0x02, 0, 0, 0x01, 0x00, 0x01 };

void
pg_usage(const char *prog)
{
	printf(
"usage: %s [OPTIONS] [-- EAL ARGS]   (docs/pktgen.md)\n"
"  --port DEVARGS          attach a device (repeat; ports 0, 1, ...)\n"
"  --tx LIST, --rx LIST    sending / counting ports (default 0 / 1)\n"
"  --size N|imix           frame size incl. FCS, 64-1518 (default 64)\n"
"  --flows N               distinct IPv4 5-tuples (default 1)\n"
"  --src-macs N, --dst-macs N\n"
"  --learn                 rx ports announce their MACs before warm-up\n"
"  --learn-arp SPA,TPA[,N] ...with ARP requests instead: who has TPA? tell\n"
"                          SPA + k, from --outer-src-mac + k, k < N (1)\n"
"  --hold                  after learning, wait for SIGUSR1 (60 s at most)\n"
"                          before the warm-up\n"
"  --vlan V                802.1Q tag\n"
"  --nvgre VSID,PA_SRC,PA_DST[,FLOWID]  [--vsids N]\n"
"  --outer-dst-mac M, --outer-src-mac M\n"
"  --pcap FILE             replay frames from FILE\n"
"  --rate R                unlimited | PPS (2.5M, 100k) | PCT%% of\n"
"                          --line-rate\n"
"  --line-rate BPS         default 10G\n"
"  --duration S, --warmup S, --drain-ms MS   (10, 1, 200)\n"
"  --json FILE             result (\"-\": stdout)\n"
"  --progress, --no-progress\n"
"  --rfc2544 [--loss-tolerance PCT] [--trial S] [--resolution PCT]\n"
"  --dump-pcap FILE [--dump-count N]  write the frames each tx port would\n"
"                          send (N per port, default 64) and exit; no EAL\n"
"Without EAL args: -l 0 --no-huge --no-pci -m 1024 --single-file-segments\n"
"--file-prefix pktgen<pid>.\n", prog);
}

static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_seconds(const char *s, double min, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < min || v > 1e6)
		return -1;
	*out = v;
	return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int
pg_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &tail) != 6 || strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int
pg_list_parse(const char *s, uint16_t *out, unsigned max)
{
	bool seen[PG_MAX_PORTS] = { false };
	unsigned n = 0;
	const char *p = s;

	if (!s || !*s || max > PG_MAX_PORTS)
		return -1;
	while (*p) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*p))
			return -1;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
		}
		if (a > b || b >= max)
			return -1;
		for (unsigned long i = a; i <= b; i++) {
			if (seen[i])
				return -1;
			seen[i] = true;
			out[n++] = (uint16_t)i;
		}
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return -1;
	}
	return (int)n;
}

static int
parse_nvgre(const char *arg, struct pg_opts *o)
{
	char buf[128], *f[5], *save = NULL, *tok;
	int n = 0;
	uint32_t v;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok && n < 5;
	     tok = strtok_r(NULL, ",", &save))
		f[n++] = tok;
	if (n < 3 || n > 4)
		return -1;
	if (parse_u32(f[0], 0, 0xffffff, &o->vsid) < 0 ||
	    parse_ipv4(f[1], &o->pa_src) < 0 ||
	    parse_ipv4(f[2], &o->pa_dst) < 0)
		return -1;
	if (n == 4) {
		if (parse_u32(f[3], 0, 255, &v) < 0)
			return -1;
		o->flowid = (uint8_t)v;
	}
	o->nvgre = true;
	return 0;
}

static int
parse_learn_arp(const char *arg, struct pg_opts *o)
{
	char buf[128], *f[4], *save = NULL, *tok;
	int n = 0;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok && n < 4;
	     tok = strtok_r(NULL, ",", &save))
		f[n++] = tok;
	if (n < 2 || n > 3 || tok)
		return -1;
	if (parse_ipv4(f[0], &o->arp_spa) < 0 ||
	    parse_ipv4(f[1], &o->arp_tpa) < 0)
		return -1;
	o->arp_senders = 1;
	if (n == 3 && parse_u32(f[2], 1, 65536, &o->arp_senders) < 0)
		return -1;
	o->learn_arp = o->learn = true;
	return 0;
}

enum {
	OPT_PORT = 256, OPT_TX, OPT_RX, OPT_SIZE, OPT_FLOWS, OPT_SRC_MACS,
	OPT_DST_MACS, OPT_LEARN, OPT_VLAN, OPT_NVGRE, OPT_VSIDS,
	OPT_OUTER_DST, OPT_OUTER_SRC, OPT_PCAP, OPT_RATE, OPT_LINE_RATE,
	OPT_DURATION, OPT_WARMUP, OPT_DRAIN, OPT_JSON, OPT_PROGRESS,
	OPT_NO_PROGRESS, OPT_RFC2544, OPT_LOSS_TOL, OPT_TRIAL, OPT_RESOLUTION,
	OPT_DUMP, OPT_DUMP_COUNT, OPT_LEARN_ARP, OPT_HOLD,
};

static const struct option longopts[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "tx", required_argument, NULL, OPT_TX },
	{ "rx", required_argument, NULL, OPT_RX },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "src-macs", required_argument, NULL, OPT_SRC_MACS },
	{ "dst-macs", required_argument, NULL, OPT_DST_MACS },
	{ "learn", no_argument, NULL, OPT_LEARN },
	{ "learn-arp", required_argument, NULL, OPT_LEARN_ARP },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "nvgre", required_argument, NULL, OPT_NVGRE },
	{ "vsids", required_argument, NULL, OPT_VSIDS },
	{ "outer-dst-mac", required_argument, NULL, OPT_OUTER_DST },
	{ "outer-src-mac", required_argument, NULL, OPT_OUTER_SRC },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "line-rate", required_argument, NULL, OPT_LINE_RATE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "drain-ms", required_argument, NULL, OPT_DRAIN },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "rfc2544", no_argument, NULL, OPT_RFC2544 },
	{ "loss-tolerance", required_argument, NULL, OPT_LOSS_TOL },
	{ "trial", required_argument, NULL, OPT_TRIAL },
	{ "resolution", required_argument, NULL, OPT_RESOLUTION },
	{ "dump-pcap", required_argument, NULL, OPT_DUMP },
	{ "dump-count", required_argument, NULL, OPT_DUMP_COUNT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
opts_defaults(struct pg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = 64;
	o->flows = o->src_macs = o->dst_macs = 1;
	o->vlan = -1;
	o->vsids = 1;
	pg_mac_parse("02:00:00:02:00:01", o->outer_src_mac);
	pg_mac_parse("02:00:00:03:00:01", o->outer_dst_mac);
	o->rate.kind = PG_RATE_UNLIMITED;
	o->line_rate_bps = 10e9;
	o->duration_s = 10;
	o->warmup_s = 1;
	o->drain_ms = 200;
	o->progress = -1;
	o->trial_s = -1;
	o->resolution_pct = 1;
	o->dump_count = 64;
}

int
pg_opts_parse(int argc, char **argv, struct pg_opts *o, char *err,
	      size_t errsz)
{
	const char *tx = "0", *rx = "1";
	uint32_t v;
	int c, n;

	opts_defaults(o);
	optind = 0;          /* full getopt reinitialisation (glibc) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case OPT_PORT:
			if (o->n_ports == PG_MAX_PORTS)
				return fail(err, errsz, "at most %d ports",
					    PG_MAX_PORTS);
			if (!*a)
				return fail(err, errsz, "--port: empty");
			o->ports[o->n_ports++] = a;
			break;
		case OPT_TX: tx = a; break;
		case OPT_RX: rx = a; break;
		case OPT_SIZE:
			if (!strcmp(a, "imix")) {
				o->imix = true;
				o->size = 64;
			} else if (parse_u32(a, PG_MIN_SIZE, PG_MAX_SIZE,
					     &v) == 0) {
				o->imix = false;
				o->size = v;
			} else {
				return fail(err, errsz,
					    "--size: 64-1518 or imix: '%s'", a);
			}
			break;
		case OPT_FLOWS:
			if (parse_u32(a, 1, PG_MAX_FLOWS, &o->flows) < 0)
				return fail(err, errsz, "--flows: 1-%u: '%s'",
					    PG_MAX_FLOWS, a);
			break;
		case OPT_SRC_MACS:
		case OPT_DST_MACS:
			if (parse_u32(a, 1, PG_MAX_MACS, c == OPT_SRC_MACS ?
				      &o->src_macs : &o->dst_macs) < 0)
				return fail(err, errsz, "--%s: 1-%u: '%s'",
					    c == OPT_SRC_MACS ? "src-macs"
							      : "dst-macs",
					    PG_MAX_MACS, a);
			break;
		case OPT_LEARN: o->learn = true; break;
		case OPT_LEARN_ARP:
			if (parse_learn_arp(a, o) < 0)
				return fail(err, errsz, "--learn-arp: "
					    "SPA,TPA[,N] (N 1-65536): '%s'",
					    a);
			break;
		case OPT_HOLD: o->hold = true; break;
		case OPT_VLAN:
			if (parse_u32(a, 0, 4095, &v) < 0)
				return fail(err, errsz, "--vlan: 0-4095: '%s'",
					    a);
			o->vlan = (int)v;
			break;
		case OPT_NVGRE:
			if (parse_nvgre(a, o) < 0)
				return fail(err, errsz, "--nvgre: "
					    "VSID,PA_SRC,PA_DST[,FLOWID]: '%s'",
					    a);
			break;
		case OPT_VSIDS:
			if (parse_u32(a, 1, 1u << 24, &o->vsids) < 0)
				return fail(err, errsz, "--vsids: '%s'", a);
			break;
		case OPT_OUTER_DST:
		case OPT_OUTER_SRC:
			if (pg_mac_parse(a, c == OPT_OUTER_DST ?
					 o->outer_dst_mac : o->outer_src_mac))
				return fail(err, errsz, "bad MAC '%s'", a);
			break;
		case OPT_PCAP: o->pcap = a; break;
		case OPT_RATE:
			if (pg_rate_parse(a, &o->rate) < 0)
				return fail(err, errsz, "--rate: unlimited, "
					    "PPS (2.5M, 100k) or PCT%%: '%s'",
					    a);
			break;
		case OPT_LINE_RATE:
			if (pg_si_parse(a, &o->line_rate_bps) < 0 ||
			    o->line_rate_bps < 1e6)
				return fail(err, errsz, "--line-rate: '%s'", a);
			break;
		case OPT_DURATION:
			if (parse_seconds(a, 0.001, &o->duration_s) < 0)
				return fail(err, errsz, "--duration: '%s'", a);
			break;
		case OPT_WARMUP:
			if (parse_seconds(a, 0, &o->warmup_s) < 0)
				return fail(err, errsz, "--warmup: '%s'", a);
			break;
		case OPT_DRAIN:
			if (parse_u32(a, 0, 600000, &o->drain_ms) < 0)
				return fail(err, errsz, "--drain-ms: '%s'", a);
			break;
		case OPT_JSON: o->json = a; break;
		case OPT_PROGRESS: o->progress = 1; break;
		case OPT_NO_PROGRESS: o->progress = 0; break;
		case OPT_RFC2544: o->rfc2544 = true; break;
		case OPT_LOSS_TOL:
			if (parse_seconds(a, 0, &o->loss_tolerance_pct) < 0 ||
			    o->loss_tolerance_pct > 100)
				return fail(err, errsz,
					    "--loss-tolerance: 0-100: '%s'", a);
			break;
		case OPT_TRIAL:
			if (parse_seconds(a, 0.001, &o->trial_s) < 0)
				return fail(err, errsz, "--trial: '%s'", a);
			break;
		case OPT_RESOLUTION:
			if (parse_seconds(a, 1e-6, &o->resolution_pct) < 0 ||
			    o->resolution_pct > 100)
				return fail(err, errsz,
					    "--resolution: (0, 100]: '%s'", a);
			break;
		case OPT_DUMP: o->dump_pcap = a; break;
		case OPT_DUMP_COUNT:
			if (parse_u32(a, 1, 1u << 24, &o->dump_count) < 0)
				return fail(err, errsz, "--dump-count: '%s'",
					    a);
			break;
		case 'h':
			pg_usage(argv[0]);
			return 1;
		default:
			if (optopt >= OPT_PORT)
				return fail(err, errsz, "%s needs a value",
					    argv[optind - 1]);
			return fail(err, errsz, "unknown option '%s'",
				    argv[optind - 1]);
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return fail(err, errsz, "unexpected argument '%s' (EAL "
			    "arguments go after --)", argv[optind]);
	o->eal_argc = argc - optind;
	o->eal_argv = argv + optind;

	if (o->n_ports == 0 && !o->dump_pcap)
		return fail(err, errsz, "no --port given");
	n = pg_list_parse(tx, o->tx, o->dump_pcap ? PG_MAX_PORTS
						 : o->n_ports);
	if (n < 0)
		return fail(err, errsz, "--tx: ports 0-%u, e.g. 0,2-3: '%s'",
			    (o->dump_pcap ? PG_MAX_PORTS : o->n_ports) - 1, tx);
	o->n_tx = (unsigned)n;
	n = pg_list_parse(rx, o->rx, o->dump_pcap ? PG_MAX_PORTS
						 : o->n_ports);
	if (n < 0)
		return fail(err, errsz, "--rx: ports 0-%u, e.g. 0,2-3: '%s'",
			    (o->dump_pcap ? PG_MAX_PORTS : o->n_ports) - 1, rx);
	o->n_rx = (unsigned)n;
	if (o->nvgre && (uint64_t)o->vsid + o->vsids > (1u << 24))
		return fail(err, errsz, "--vsids: VSID + N exceeds 24 bits");
	if (!o->nvgre && o->vsids != 1)
		return fail(err, errsz, "--vsids needs --nvgre");
	if (pg_opts_stamp(o) == PG_STAMP_NONE)
		return fail(err, errsz, "frame too small for a stamp");
	return 0;
}

unsigned
pg_targets(const struct pg_opts *o, uint16_t tx, uint16_t *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < o->n_rx; i++)
		if (o->rx[i] != tx)
			out[n++] = (uint16_t)i;
	if (n == 0)
		out[n++] = 0;      /* tx is the only rx port: loopback */
	return n;
}

enum pg_stamp_kind
pg_opts_stamp(const struct pg_opts *o)
{
	if (o->pcap)
		return PG_STAMP_FULL;
	return pg_stamp_fit(o->imix ? PG_MIN_SIZE : o->size,
			    o->vlan >= 0 && !o->nvgre);
}

void
pg_dst_mac(const struct pg_opts *o, unsigned rxi, uint32_t k, uint8_t mac[6])
{
	pg_mac_add(mac, dst_mac_base, rxi * o->dst_macs + k);
}

uint32_t
pg_learn_count(const struct pg_opts *o)
{
	return o->learn_arp ? o->arp_senders : o->dst_macs;
}

int
pg_learn_frame(const struct pg_opts *o, unsigned rxi, uint32_t k,
	       uint8_t *buf, size_t cap)
{
	struct pg_frame_spec s;
	struct pg_frame_layout l;
	int vlan = o->nvgre ? -1 : o->vlan;

	if (o->learn_arp) {
		uint8_t sha[6];

		pg_mac_add(sha, o->outer_src_mac, k);
		return pg_arp_request_build(buf, cap, sha, o->arp_spa + k,
					    o->arp_tpa, o->vlan);
	}
	pg_flow_spec(o, 0, rxi, k, PG_MIN_SIZE, &s);
	memcpy(s.src, s.dst, 6);
	memset(s.dst, 0xff, 6);
	s.nvgre = false;
	s.vlan = vlan;
	s.dst_ip = 0xffffffffu;
	s.stamp = PG_STAMP_COMPACT;
	if (pg_frame_build(&s, buf, cap, &l) < 0)
		return -1;
	memset(buf + l.stamp_off, 0, PG_CSTAMP_LEN);
	return l.len;
}

void
pg_flow_spec(const struct pg_opts *o, unsigned txi, unsigned rxi,
	     uint32_t flow, unsigned size, struct pg_frame_spec *s)
{
	memset(s, 0, sizeof(*s));
	pg_mac_add(s->src, src_mac_base, txi * o->src_macs +
		   flow % o->src_macs);
	pg_dst_mac(o, rxi, flow % o->dst_macs, s->dst);
	s->vlan = o->vlan;
	s->src_ip = 0x0a000001u + ((uint32_t)txi << 20) + flow;
	s->dst_ip = 0x0a800001u + ((uint32_t)rxi << 20) + flow;
	s->sport = (uint16_t)(1024 + flow % 60000);
	s->dport = (uint16_t)(5000 + flow % 1000);
	s->size = size;
	s->nvgre = o->nvgre;
	memcpy(s->outer_dst, o->outer_dst_mac, 6);
	memcpy(s->outer_src, o->outer_src_mac, 6);
	s->pa_src = o->pa_src;
	s->pa_dst = o->pa_dst;
	s->key = (o->vsid + flow % o->vsids) << 8 | o->flowid;
	s->stamp = pg_opts_stamp(o);
	s->tx_port = o->tx[txi];
	s->stream = o->rx[rxi];
}

int
pg_devargs_rename(const char *devargs, const char *tag, unsigned idx,
		  char *out, size_t outsz, char *name, size_t namesz)
{
	const char *comma = strchr(devargs, ',');
	size_t drv_len = comma ? (size_t)(comma - devargs) : strlen(devargs);
	int n;

	if (!strncmp(devargs, "net_", 4) || !strncmp(devargs, "eth_", 4)) {
		while (drv_len > 4 &&
		       isdigit((unsigned char)devargs[drv_len - 1]))
			drv_len--;
		n = snprintf(name, namesz, "%.*s_%s%u", (int)drv_len, devargs,
			     tag, idx);
	} else {
		n = snprintf(name, namesz, "%.*s", (int)drv_len, devargs);
	}
	if (n < 0 || (size_t)n >= namesz)
		return -1;
	n = snprintf(out, outsz, "%s%s", name, comma ? comma : "");
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
