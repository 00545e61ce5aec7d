/* A capture file: frames written with libpcap in the classic pcap format
 * (LINKTYPE_ETHERNET, microsecond timestamps, snapshot length
 * DP_CAPFILE_SNAPLEN), readable by tshark and Wireshark while it grows;
 * and the conversion of a worker's TSC stamp into wall-clock time.
 *
 * Pure: no DPDK, so unit tests write real files and read them back with
 * libpcap.  Used by the control thread only (capture.c). */
#ifndef VSWITCH_DP_CAPFILE_H
#define VSWITCH_DP_CAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define DP_CAPFILE_SNAPLEN 65535   /* bytes kept of each frame */

struct dp_capfile;

/* Where a TSC count stands in wall-clock time. */
struct dp_capfile_clock {
	uint64_t tsc0;              /* a TSC reading... */
	int64_t wall0_ns;           /* ...and CLOCK_REALTIME then, ns */
	uint64_t hz;                /* TSC ticks per second */
};

/* Starts a capture file on 'fd' (taken: closed by dp_capfile_close(), or
 * here on error): 'fd' must be a regular file open for writing; it is
 * truncated and gets the file header.  Returns NULL with the reason in
 * 'err'. */
struct dp_capfile *dp_capfile_open(int fd, char *err, size_t errsz);

/* Appends one frame of 'size' bytes, 'frame' holding the first
 * min(size, DP_CAPFILE_SNAPLEN) of them, stamped 'ts'.  Write errors show
 * at the next dp_capfile_flush(). */
void dp_capfile_write(struct dp_capfile *f, const struct timeval *ts,
		      const void *frame, uint32_t size);

/* Pushes what was written to the file, so readers see it.  Returns 0 or
 * a negative errno (-EIO when the cause is unknown). */
int dp_capfile_flush(struct dp_capfile *f);

/* Flushes and closes.  Returns 0 or a negative errno; 'f' is freed
 * either way.  NULL is a no-op. */
int dp_capfile_close(struct dp_capfile *f);

/* The wall-clock time of TSC reading 'tsc' (earlier or later than
 * c->tsc0). */
void dp_capfile_time(const struct dp_capfile_clock *c, uint64_t tsc,
		     struct timeval *tv);

#endif
