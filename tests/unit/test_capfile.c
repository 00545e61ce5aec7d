/* Unit tests for dataplane/capfile.c: files written through it are read
 * back with libpcap's own reader (what tshark uses), byte for byte, with
 * their timestamps, lengths and truncation; and TSC stamps become the
 * right wall-clock times. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dataplane/capfile.h"

static char path[64];

static void
make_path(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_capfile.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void
remove_path(void)
{
	unlink(path);
}

TestSuite(capfile, .init = make_path, .fini = remove_path);

static struct dp_capfile *
open_path(void)
{
	char err[256] = "";
	int fd = open(path, O_WRONLY);
	struct dp_capfile *f;

	cr_assert_geq(fd, 0);
	f = dp_capfile_open(fd, err, sizeof(err));
	cr_assert_not_null(f, "%s", err);
	return f;
}

static pcap_t *
reader(void)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);

	cr_assert_not_null(p, "%s", err);
	return p;
}

static void
fill(uint8_t *buf, size_t size, uint8_t seed)
{
	for (size_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

Test(capfile, frames_read_back_exactly)
{
	static uint8_t frames[3][1514];
	static const uint32_t sizes[3] = { 60, 1514, 98 };
	struct dp_capfile *f = open_path();
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;

	for (int i = 0; i < 3; i++) {
		struct timeval ts = { 1700000000 + i, 1000 * i + 7 };

		fill(frames[i], sizes[i], (uint8_t)i);
		dp_capfile_write(f, &ts, frames[i], sizes[i]);
	}
	cr_assert_eq(dp_capfile_close(f), 0);

	p = reader();
	cr_assert_eq(pcap_datalink(p), DLT_EN10MB);
	cr_assert_eq(pcap_snapshot(p), DP_CAPFILE_SNAPLEN);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(pcap_next_ex(p, &h, &data), 1, "frame %d", i);
		cr_assert_eq(h->caplen, sizes[i]);
		cr_assert_eq(h->len, sizes[i]);
		cr_assert_eq(h->ts.tv_sec, 1700000000 + i);
		cr_assert_eq(h->ts.tv_usec, 1000 * i + 7);
		cr_assert_eq(memcmp(data, frames[i], sizes[i]), 0);
	}
	cr_assert_eq(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(p);
}

Test(capfile, long_frame_truncated_to_snaplen)
{
	static uint8_t frame[70000];
	struct timeval ts = { 1, 2 };
	struct dp_capfile *f = open_path();
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;

	fill(frame, sizeof(frame), 3);
	dp_capfile_write(f, &ts, frame, sizeof(frame));
	cr_assert_eq(dp_capfile_close(f), 0);
	p = reader();
	cr_assert_eq(pcap_next_ex(p, &h, &data), 1);
	cr_assert_eq(h->caplen, DP_CAPFILE_SNAPLEN);
	cr_assert_eq(h->len, sizeof(frame));
	cr_assert_eq(memcmp(data, frame, DP_CAPFILE_SNAPLEN), 0);
	pcap_close(p);
}

Test(capfile, readable_while_open_after_flush)
{
	static uint8_t frame[64];
	struct timeval ts = { 5, 6 };
	struct dp_capfile *f = open_path();
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;

	dp_capfile_write(f, &ts, frame, sizeof(frame));
	cr_assert_eq(dp_capfile_flush(f), 0);
	p = reader();
	cr_assert_eq(pcap_next_ex(p, &h, &data), 1);
	cr_assert_eq(h->len, sizeof(frame));
	pcap_close(p);
	cr_assert_eq(dp_capfile_close(f), 0);
}

Test(capfile, existing_content_is_replaced)
{
	int fd = open(path, O_WRONLY);
	struct dp_capfile *f;
	pcap_t *p;
	struct pcap_pkthdr *h;
	const u_char *data;

	cr_assert_eq(write(fd, "old contents, longer than a header...", 37), 37);
	close(fd);
	f = open_path();
	cr_assert_eq(dp_capfile_close(f), 0);
	p = reader();
	cr_assert_eq(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(p);
}

Test(capfile, refuses_a_pipe_and_closes_it)
{
	char err[256] = "";
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_null(dp_capfile_open(fds[1], err, sizeof(err)));
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	cr_assert_eq(fcntl(fds[1], F_GETFD), -1, "write end closed");
	close(fds[0]);
}

Test(capfile, write_error_reported_at_flush)
{
	static uint8_t frame[1000];
	struct rlimit lim = { 200, 200 };
	struct timeval ts = { 1, 0 };
	struct dp_capfile *f = open_path();

	/* The file may not grow past 200 bytes (this test runs in its own
	 * process): the frame cannot be written. */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	dp_capfile_write(f, &ts, frame, sizeof(frame));
	cr_assert_eq(dp_capfile_flush(f), -EFBIG);
	cr_assert_lt(dp_capfile_close(f), 0);
}

Test(capfile_time, tsc_to_wall_clock)
{
	const struct dp_capfile_clock c = {
		.tsc0 = 1000000, .wall0_ns = 1700000000LL * 1000000000LL + 250000000,
		.hz = 2500000000ULL,
	};
	struct timeval tv;

	dp_capfile_time(&c, c.tsc0, &tv);
	cr_assert_eq(tv.tv_sec, 1700000000);
	cr_assert_eq(tv.tv_usec, 250000);
	/* 1.5 s plus 1 us later. */
	dp_capfile_time(&c, c.tsc0 + 3750000000ULL + 2500, &tv);
	cr_assert_eq(tv.tv_sec, 1700000001);
	cr_assert_eq(tv.tv_usec, 750001);
	/* 0.5 s earlier (another core's stamp taken just before). */
	dp_capfile_time(&c, c.tsc0 - 1250000000ULL, &tv);
	cr_assert_eq(tv.tv_sec, 1699999999);
	cr_assert_eq(tv.tv_usec, 750000);
}

Test(capfile_time, across_tsc_wrap)
{
	const struct dp_capfile_clock c = {
		.tsc0 = UINT64_MAX - 999, .wall0_ns = 10LL * 1000000000LL,
		.hz = 1000000000ULL,
	};
	struct timeval tv;

	dp_capfile_time(&c, 2000000, &tv);     /* 2001000 ticks later */
	cr_assert_eq(tv.tv_sec, 10);
	cr_assert_eq(tv.tv_usec, 2001);
}
