/* Capture files through libpcap (see capfile.h). */
#include "dataplane/capfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#define NS_PER_S 1000000000LL

struct dp_capfile {
	pcap_t *pcap;               /* "dead" handle: link type, snaplen */
	pcap_dumper_t *dumper;      /* owns the FILE and so the descriptor */
};

struct dp_capfile *
dp_capfile_open(int fd, char *err, size_t errsz)
{
	struct dp_capfile *f = calloc(1, sizeof(*f));
	struct stat st;
	FILE *fp = NULL;

	if (!f) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		/* A pipe or a device could block the control thread. */
		snprintf(err, errsz, "the output is not a regular file");
		goto fail;
	}
	/* Truncated only now, so that a capture refused earlier (unknown
	 * port, too many captures) leaves an existing file as it was. */
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    !(fp = fdopen(fd, "w"))) {
		snprintf(err, errsz, "cannot write the output: %s",
			 strerror(errno));
		goto fail;
	}
	fd = -1;
	f->pcap = pcap_open_dead(DLT_EN10MB, DP_CAPFILE_SNAPLEN);
	f->dumper = f->pcap ? pcap_dump_fopen(f->pcap, fp) : NULL;
	if (!f->dumper || pcap_dump_flush(f->dumper) < 0) {
		snprintf(err, errsz, "cannot write the pcap header: %s",
			 f->pcap ? pcap_geterr(f->pcap) : "out of memory");
		goto fail;
	}
	return f;
fail:
	if (f && f->dumper)
		pcap_dump_close(f->dumper);
	else if (fp)
		fclose(fp);
	else if (fd >= 0)
		close(fd);
	if (f && f->pcap)
		pcap_close(f->pcap);
	free(f);
	return NULL;
}

void
dp_capfile_write(struct dp_capfile *f, const struct timeval *ts,
		 const void *frame, uint32_t size)
{
	struct pcap_pkthdr h = {
		.ts = *ts,
		.caplen = size < DP_CAPFILE_SNAPLEN ? size : DP_CAPFILE_SNAPLEN,
		.len = size,
	};

	pcap_dump((u_char *)f->dumper, &h, frame);
}

int
dp_capfile_flush(struct dp_capfile *f)
{
	FILE *fp = pcap_dump_file(f->dumper);

	if (pcap_dump_flush(f->dumper) == 0 && !ferror(fp))
		return 0;
	return errno ? -errno : -EIO;
}

int
dp_capfile_close(struct dp_capfile *f)
{
	int rc;

	if (!f)
		return 0;
	rc = dp_capfile_flush(f);
	pcap_dump_close(f->dumper);
	pcap_close(f->pcap);
	free(f);
	return rc;
}

void
dp_capfile_time(const struct dp_capfile_clock *c, uint64_t tsc,
		struct timeval *tv)
{
	/* Unsigned difference, then signed: right across a wrap and for a
	 * stamp taken a little before 'tsc0' on another core. */
	int64_t d = (int64_t)(tsc - c->tsc0);
	int64_t hz = (int64_t)c->hz;
	int64_t ns = c->wall0_ns + d / hz * NS_PER_S + d % hz * NS_PER_S / hz;
	int64_t s = ns / NS_PER_S, rem = ns % NS_PER_S;

	if (rem < 0) {
		s--;
		rem += NS_PER_S;
	}
	tv->tv_sec = (time_t)s;
	tv->tv_usec = (suseconds_t)(rem / 1000);
}
