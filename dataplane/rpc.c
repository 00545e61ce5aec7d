/* vswitchd's side of the dataplane socket: connects to controld (retrying
 * while it is away), announces itself with "hello", and answers controld's
 * JSON-RPC requests (docs/protocol.md).  A request may carry one file
 * descriptor (control/rpc.h, "File descriptors"); only capture_start
 * takes one, others are closed.  Control thread only. */
#define DP_LOG_THIS DP_LOG_RPC

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>

#include "control/rpc.h"
#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "dataplane/log.h"
#include "dataplane/rpc_nv.h"

#define RPC_RETRY_MS 500
#define RPC_MAX_LINE (16u << 20)

struct dp_rpc {
	struct dp *dp;
	char path[CTL_PATH_SIZE];
	int fd;
	uint64_t next_try;          /* TSC of the next connection attempt */
	char *buf;                  /* bytes received, not yet a line */
	size_t len, cap;
	int in_fd;                  /* received descriptor, its line... */
	size_t in_fd_at;            /* ...holds this byte of 'buf' */
};

struct dp_rpc *
dp_rpc_create(struct dp *dp, const char *socket_path)
{
	struct dp_rpc *rpc = calloc(1, sizeof(*rpc));

	if (!rpc)
		return NULL;
	rpc->dp = dp;
	snprintf(rpc->path, sizeof(rpc->path), "%s", socket_path);
	rpc->fd = -1;
	rpc->in_fd = -1;
	return rpc;
}

static void
rpc_close(struct dp_rpc *rpc, const char *why)
{
	if (rpc->fd < 0)
		return;
	DP_LOG(NOTICE, "controld connection closed: %s", why);
	close(rpc->fd);
	rpc->fd = -1;
	rpc->len = 0;
	if (rpc->in_fd >= 0)
		close(rpc->in_fd);
	rpc->in_fd = -1;
	/* Captures belong to controld's clients, who went with it. */
	dp_capture_stop_all(rpc->dp, "controld-gone");
	dp_nv_replay_abort(rpc->dp);
}

void
dp_rpc_destroy(struct dp_rpc *rpc)
{
	if (!rpc)
		return;
	if (rpc->fd >= 0)
		close(rpc->fd);
	if (rpc->in_fd >= 0)
		close(rpc->in_fd);
	free(rpc->buf);
	free(rpc);
}

/* Writes all of 's' plus a newline; the socket is blocking for writes. */
static int
rpc_send_line(struct dp_rpc *rpc, const char *s)
{
	size_t len = strlen(s), off = 0;
	struct iovec iov[2] = { { (void *)s, len }, { "\n", 1 } };

	while (off < len + 1) {
		ssize_t n;
		if (off < len) {
			iov[0].iov_base = (char *)s + off;
			iov[0].iov_len = len - off;
			n = writev(rpc->fd, iov, 2);
		} else {
			n = write(rpc->fd, "\n", 1);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

static void
rpc_send(struct dp_rpc *rpc, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);

	if (!s || rpc_send_line(rpc, s) < 0)
		rpc_close(rpc, "write failed");
	free(s);
	json_decref(msg);
}

static void
rpc_try_connect(struct dp_rpc *rpc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (rte_get_tsc_cycles() < rpc->next_try)
		return;
	rpc->next_try = rte_get_tsc_cycles() +
			rpc->dp->tsc_hz * RPC_RETRY_MS / 1000;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memcpy(sa.sun_path, rpc->path, strlen(rpc->path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return;
	}
	rpc->fd = fd;
	rpc->len = 0;
	DP_LOG(NOTICE, "connected to controld at %s", rpc->path);
	rpc_send(rpc, json_pack("{s:s, s:s, s:{s:i, s:i, s:s}}",
		"jsonrpc", "2.0", "method", "hello", "params",
		"pid", (int)getpid(), "workers", (int)rpc->dp->n_workers,
		"version", "0.1.0"));
}

static json_t *
rpc_error(json_t *id, int code, const char *msg)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0",
			 "id", id ? id : json_null(), "error",
			 "code", code, "message", msg);
}

static json_t *
method_apply(struct dp *dp, json_t *params, char *err, size_t errsz)
{
	json_t *cfg_json = json_object_get(params, "config");
	json_t *replay = json_object_get(params, "replay");
	struct ctl_config *cfg;
	json_t *results;
	char *text;
	int rc;

	if (!json_is_object(cfg_json)) {
		snprintf(err, errsz, "config: expected an object");
		return NULL;
	}
	cfg = ctl_config_new();
	text = json_dumps(cfg_json, JSON_COMPACT);
	rc = cfg && text ? ctl_config_from_json(text, cfg, err, errsz)
			 : -ENOMEM;
	free(text);
	results = json_array();
	if (rc == 0)
		rc = dp_apply(dp, cfg, json_is_true(replay), results, err,
			      errsz);
	ctl_config_free(cfg);
	if (rc < 0) {
		json_decref(results);
		return NULL;
	}
	return json_pack("{s:o}", "ports", results);
}

/* '*fd' is the request's descriptor or -1; a method that takes it sets
 * '*fd' to -1. */
static json_t *
rpc_dispatch(struct dp *dp, const char *method, json_t *params, int *fd,
	     char *err, size_t errsz, int *code)
{
	*code = -32000;
	if (!strcmp(method, "capture_start"))
		return dp_rpc_capture_start(dp, params, fd, err, errsz);
	if (!strcmp(method, "capture_status"))
		return dp_rpc_capture_status(dp, params, err, errsz);
	if (!strcmp(method, "capture_stop"))
		return dp_rpc_capture_stop(dp, params, err, errsz);
	*code = -32602;
	if (!strcmp(method, "apply"))
		return method_apply(dp, params, err, errsz);
	if (!strcmp(method, "get_ports"))
		return dp_rpc_get_ports(dp, json_string_value(
			json_object_get(params, "name")));
	if (!strcmp(method, "mac_table"))
		return dp_rpc_mac_table(dp);
	if (!strcmp(method, "queues"))
		return dp_rpc_queues(dp);
	if (!strcmp(method, "nv_apply"))
		return dp_rpc_nv_apply(dp, params, err, errsz);
	if (!strcmp(method, "nv_replay"))
		return dp_rpc_nv_replay(dp, params, err, errsz);
	if (!strcmp(method, "nv_counts"))
		return dp_rpc_nv_counts(dp, err, errsz);
	if (!strcmp(method, "team_status"))
		return dp_rpc_team_status(dp, params, err, errsz);
	if (!strcmp(method, "log_level"))
		return dp_log_level(params, err, errsz);
	*code = -32601;
	snprintf(err, errsz, "unknown method '%s'", method);
	return NULL;
}

static void
rpc_handle_line(struct dp_rpc *rpc, const char *line, int *fd)
{
	json_error_t jerr;
	json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	json_t *id, *params, *result;
	const char *method;
	char err[512] = "";
	int code;

	if (!req) {
		rpc_send(rpc, rpc_error(NULL, -32700, jerr.text));
		return;
	}
	id = json_object_get(req, "id");
	method = json_string_value(json_object_get(req, "method"));
	params = json_object_get(req, "params");
	if (!method) {
		if (id)
			rpc_send(rpc, rpc_error(id, -32600, "no method"));
		json_decref(req);
		return;
	}
	DP_LOG(DEBUG, "request %s from controld", method);
	result = rpc_dispatch(rpc->dp, method, params ? params : json_null(),
			      fd, err, sizeof(err), &code);
	if (id && result)
		rpc_send(rpc, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0",
					"id", id, "result", result));
	else if (id)
		rpc_send(rpc, rpc_error(id, code, err[0] ? err : "failed"));
	else
		json_decref(result);
	json_decref(req);
}

static void
rpc_read(struct dp_rpc *rpc)
{
	char *nl;
	ssize_t n;
	int fd;

	if (rpc->cap - rpc->len < 65536) {
		size_t cap = rpc->cap ? rpc->cap * 2 : 131072;
		char *b = cap <= RPC_MAX_LINE + 65536 ? realloc(rpc->buf, cap)
						       : NULL;
		if (!b) {
			rpc_close(rpc, "request too long");
			return;
		}
		rpc->buf = b;
		rpc->cap = cap;
	}
	n = ctl_rpc_recv(rpc->fd, rpc->buf + rpc->len,
			 rpc->cap - rpc->len - 1, &fd);
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		if (n == -EAGAIN)
			return;
		rpc_close(rpc, n == 0 ? "peer closed" : strerror((int)-n));
		return;
	}
	/* One descriptor per request: it goes with the line that holds the
	 * last byte it came with (control/rpc.h); a second one before that
	 * line is complete is closed. */
	if (fd >= 0 && rpc->in_fd >= 0) {
		close(fd);
	} else if (fd >= 0) {
		rpc->in_fd = fd;
		rpc->in_fd_at = rpc->len + (size_t)n - 1;
	}
	rpc->len += (size_t)n;
	rpc->buf[rpc->len] = '\0';
	while (rpc->fd >= 0 && (nl = memchr(rpc->buf, '\n', rpc->len))) {
		size_t used = (size_t)(nl - rpc->buf) + 1;
		int line_fd = -1;

		if (rpc->in_fd >= 0 && rpc->in_fd_at < used) {
			line_fd = rpc->in_fd;
			rpc->in_fd = -1;
		}
		*nl = '\0';
		rpc_handle_line(rpc, rpc->buf, &line_fd);
		if (line_fd >= 0)
			close(line_fd);
		if (rpc->fd < 0)
			return;
		memmove(rpc->buf, rpc->buf + used, rpc->len - used);
		rpc->len -= used;
		rpc->buf[rpc->len] = '\0';
		if (rpc->in_fd >= 0)
			rpc->in_fd_at -= used;
	}
}

void
dp_rpc_run(struct dp_rpc *rpc, int timeout_ms)
{
	struct pollfd pfd;

	if (rpc->fd < 0)
		rpc_try_connect(rpc);
	if (rpc->fd < 0) {
		poll(NULL, 0, timeout_ms);
		return;
	}
	pfd.fd = rpc->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) > 0)
		rpc_read(rpc);
}
