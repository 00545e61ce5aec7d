/* vswitchctl capture PORT --out FILE [--count N] [--direction D]
 * [--timeout SECONDS].
 *
 * vswitchctl opens FILE itself, as the calling user, so the user's own
 * permissions decide where a capture may be written, and hands the open
 * descriptor to controld with capture_start (SCM_RIGHTS; controld passes
 * it on to vswitchd).  It then keeps its connection open and asks
 * capture_status every POLL_MS until the capture is done (count reached,
 * port deleted, write error), a signal (SIGINT, SIGTERM, SIGHUP) comes or
 * the timeout passes; then capture_stop, which closes the file, and the
 * count of frames written.  Should vswitchctl die instead, controld sees
 * its connection close and stops the capture (controld_capture.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control/vswitchctl.h"

#define POLL_MS 100
#define ERRSZ 1024

struct session {
	struct ctl_rpc_conn conn;       /* to controld, open throughout */
	json_int_t next_id;             /* of our requests */
	json_int_t capture;             /* vswitchd's capture id */
	char *path;                     /* --out */
	bool created;                   /* we created 'path' */
};

static volatile sig_atomic_t stop_signal;

static int open_output(struct session *s, char *err, size_t errsz);
static void catch_signals(void);
static void on_signal(int signo);
static int request(struct session *s, const char *method, json_t *params,
		   int fd, json_t **result, char *err, size_t errsz);
static int watch(struct session *s, long long timeout_s, char *err,
		 size_t errsz);
static bool controld_hung_up(struct session *s);
static long long now_ms(void);
static int report(struct session *s, bool json, json_t *result);
static int failed(struct session *s, const char *err);

int
ctl_capture_run(const char *socket_path, bool json, json_t *params)
{
	struct session s = { .next_id = 1 };
	json_t *timeout = json_object_get(params, "timeout");
	long long timeout_s = timeout ? json_integer_value(timeout) : 0;
	json_t *result = NULL;
	char err[ERRSZ];
	int fd, rc;

	ctl_rpc_conn_init(&s.conn, -1);
	s.path = strdup(json_string_value(json_object_get(params, "out")));
	/* The remaining parameters are capture_start's. */
	json_object_set(params, "port", json_object_get(params, "name"));
	json_object_del(params, "name");
	json_object_del(params, "out");
	json_object_del(params, "timeout");
	if (!s.path) {
		json_decref(params);
		return failed(&s, "out of memory");
	}
	fd = open_output(&s, err, sizeof err);
	if (fd < 0) {
		json_decref(params);
		return failed(&s, err);
	}
	catch_signals();
	rc = ctl_cli_connect(socket_path, err, sizeof err);
	if (rc < 0) {
		close(fd);
		json_decref(params);
		return failed(&s, err);
	}
	ctl_rpc_conn_init(&s.conn, rc);
	if (request(&s, "capture_start", params, fd, &result, err,
		    sizeof err) < 0)
		return failed(&s, err);
	s.capture = json_integer_value(json_object_get(result, "id"));
	json_decref(result);
	if (watch(&s, timeout_s, err, sizeof err) < 0) {
		char msg[ERRSZ + 32];

		snprintf(msg, sizeof msg, "the capture was lost: %s", err);
		return failed(&s, msg);
	}
	if (request(&s, "capture_stop", json_pack("{s:I}", "id", s.capture),
		    -1, &result, err, sizeof err) < 0)
		return failed(&s, err);
	rc = report(&s, json, result);
	json_decref(result);
	ctl_rpc_conn_close(&s.conn);
	free(s.path);
	return rc;
}

/* Opens --out for writing, creating it (mode 0644 less the umask) when
 * absent.  It is not truncated here: vswitchd does that once the capture
 * has started, so a refused capture leaves an existing file alone (and
 * one we created is removed again, see failed()). */
static int
open_output(struct session *s, char *err, size_t errsz)
{
	int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO without a reader fails instead of hanging. */
	fd = open(s->path, flags | O_CREAT | O_EXCL, 0644);
	s->created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(s->path, flags);
	if (fd < 0) {
		snprintf(err, errsz, "--out: %s: %s", s->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "--out: %s: not a regular file", s->path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Without SA_RESTART, so that a signal ends the wait between polls at
 * once. */
static void
catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
on_signal(int signo)
{
	stop_signal = signo;
}

/* One request on the session's connection, 'fd' (taken) attached when
 * not -1; steals 'params'. */
static int
request(struct session *s, const char *method, json_t *params, int fd,
	json_t **result, char *err, size_t errsz)
{
	json_t *msg = ctl_rpc_request(method, params, s->next_id++);
	json_t *reply = NULL;
	int rc;

	if (!msg) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	rc = fd >= 0 ? ctl_rpc_conn_send_fd(&s->conn, msg, fd)
		     : ctl_rpc_conn_send(&s->conn, msg);
	json_decref(msg);
	if (rc < 0) {
		snprintf(err, errsz, "cannot send the request: %s",
			 strerror(-rc));
		return -1;
	}
	if (ctl_cli_exchange(&s->conn, &reply, err, errsz) < 0)
		return -1;
	rc = ctl_cli_result(reply, result, err, errsz);
	json_decref(reply);
	return rc;
}

/* Polls the capture's status until it is done, a signal came or
 * 'timeout_s' (0: none) passed.  Returns 0, or -1 when the capture is
 * lost (vswitchd or controld went away). */
static int
watch(struct session *s, long long timeout_s, char *err, size_t errsz)
{
	long long deadline = timeout_s ? now_ms() + timeout_s * 1000 : 0;

	for (;;) {
		json_t *status = NULL;
		bool done;

		if (controld_hung_up(s)) {
			snprintf(err, errsz, "vswitch-controld closed the "
				 "connection");
			return -1;
		}
		if (stop_signal || (deadline && now_ms() >= deadline))
			return 0;
		if (request(s, "capture_status", json_pack("{s:I}", "id",
							   s->capture), -1,
			    &status, err, errsz) < 0)
			return -1;
		done = json_is_true(json_object_get(status, "done"));
		json_decref(status);
		if (done)
			return 0;
	}
}

/* Waits POLL_MS (less if a signal comes).  Nothing is outstanding, so
 * anything readable means controld closed the connection. */
static bool
controld_hung_up(struct session *s)
{
	struct pollfd pfd = { .fd = s->conn.fd, .events = POLLIN };

	return poll(&pfd, 1, POLL_MS) > 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* capture_stop's 'result': "N frames written to FILE", and why the
 * capture ended when that is news. */
static int
report(struct session *s, bool json, json_t *result)
{
	json_int_t frames = json_integer_value(json_object_get(result,
							       "frames"));
	json_int_t dropped = json_integer_value(json_object_get(result,
								"dropped"));
	const char *reason = json_string_value(json_object_get(result,
							       "reason"));
	const char *error = json_string_value(json_object_get(result, "error"));

	if (json) {
		json_object_set_new(result, "id", json_integer(s->capture));
		json_object_set_new(result, "file", json_string(s->path));
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("%" JSON_INTEGER_FORMAT " frame%s written to %s\n",
		       frames, frames == 1 ? "" : "s", s->path);
	}
	if (fflush(stdout) != 0)
		error = "cannot write the output";
	if (dropped > 0)
		fprintf(stderr, "vswitchctl: %" JSON_INTEGER_FORMAT " frame%s "
			"not captured (capture buffers full)\n", dropped,
			dropped == 1 ? "" : "s");
	if (reason && !strcmp(reason, "port-deleted"))
		fprintf(stderr, "vswitchctl: capture ended: the port was "
			"deleted\n");
	if (error) {
		fprintf(stderr, "vswitchctl: %s\n", error);
		return 1;
	}
	return 0;
}

/* Prints 'err' and cleans up.  An output file we created is removed when
 * no capture started, so a refused capture leaves nothing behind. */
static int
failed(struct session *s, const char *err)
{
	if (s->created && !s->capture)
		unlink(s->path);
	fprintf(stderr, "vswitchctl: %s\n", err);
	ctl_rpc_conn_close(&s->conn);
	free(s->path);
	return 1;
}
