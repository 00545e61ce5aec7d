/* Line-framed JSON-RPC connections (see rpc.h). */
#include "control/rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/config_priv.h"

#define READ_CHUNK (64u << 10)
#define MAX_FDS_PER_READ 8      /* room for a misbehaving peer's extras */

static int buffer_reserve(char **buf, size_t *cap, size_t need);
static void in_compact(struct ctl_rpc_conn *c);
static void fd_close(int *fd);

void
ctl_rpc_conn_init(struct ctl_rpc_conn *c, int fd)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->in_fd = c->line_fd = c->out_fd = -1;
}

void
ctl_rpc_conn_close(struct ctl_rpc_conn *c)
{
	/* A connection that was never initialised is all zeros: only an
	 * open one owns descriptors. */
	if (c->fd >= 0) {
		close(c->fd);
		fd_close(&c->in_fd);
		fd_close(&c->line_fd);
		fd_close(&c->out_fd);
	}
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof *c);
	c->fd = c->in_fd = c->line_fd = c->out_fd = -1;
}

int
ctl_rpc_conn_read(struct ctl_rpc_conn *c)
{
	ssize_t n;
	int fd;

	in_compact(c);
	if (buffer_reserve(&c->in, &c->in_cap, c->in_len + READ_CHUNK + 1))
		return -ENOMEM;
	n = ctl_rpc_recv(c->fd, c->in + c->in_len, READ_CHUNK, &fd);
	if (n < 0)
		return (int) n;
	if (fd >= 0 && (n == 0 || c->in_fd >= 0)) {
		close(fd);              /* see "File descriptors" in rpc.h */
	} else if (fd >= 0) {
		c->in_fd = fd;
		c->in_fd_at = c->in_len + (size_t) n - 1;
	}
	c->in_len += (size_t) n;
	return (int) n;
}

int
ctl_rpc_conn_next(struct ctl_rpc_conn *c, char **line)
{
	size_t from = c->in_scanned > c->in_start ? c->in_scanned : c->in_start;
	char *nl = from < c->in_len
		   ? memchr(c->in + from, '\n', c->in_len - from) : NULL;
	size_t length;

	if (!nl) {
		c->in_scanned = c->in_len;
		return c->in_len - c->in_start > CTL_RPC_MAX_LINE
		       ? -EMSGSIZE : 0;
	}
	length = (size_t) (nl - (c->in + c->in_start));
	if (length > CTL_RPC_MAX_LINE)
		return -EMSGSIZE;
	/* The caller had its chance to take the previous line's descriptor. */
	fd_close(&c->line_fd);
	if (c->in_fd >= 0 && c->in_fd_at <= (size_t) (nl - c->in)) {
		c->line_fd = c->in_fd;
		c->in_fd = -1;
	}
	*nl = '\0';
	*line = c->in + c->in_start;
	c->in_start += length + 1;
	c->in_scanned = c->in_start;
	return 1;
}

int
ctl_rpc_conn_send(struct ctl_rpc_conn *c, const json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t length;

	if (!text)
		return -ENOMEM;
	length = strlen(text);
	if (length > CTL_RPC_MAX_LINE) {
		free(text);
		return -EMSGSIZE;
	}
	if (c->out_start == c->out_len)
		c->out_start = c->out_len = 0;
	if (buffer_reserve(&c->out, &c->out_cap, c->out_len + length + 1)) {
		free(text);
		return -ENOMEM;
	}
	memcpy(c->out + c->out_len, text, length);
	c->out[c->out_len + length] = '\n';
	c->out_len += length + 1;
	free(text);
	return 0;
}

int
ctl_rpc_conn_send_fd(struct ctl_rpc_conn *c, const json_t *msg, int fd)
{
	size_t at;
	int rc;

	if (c->out_fd >= 0) {
		close(fd);
		return -EBUSY;
	}
	if (c->out_start == c->out_len)
		c->out_start = c->out_len = 0;
	at = c->out_len;
	rc = ctl_rpc_conn_send(c, msg);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	c->out_fd = fd;
	c->out_fd_at = at;
	c->out_fd_end = c->out_len;
	return 0;
}

int
ctl_rpc_conn_take_fd(struct ctl_rpc_conn *c)
{
	int fd = c->line_fd;

	c->line_fd = -1;
	return fd;
}

/* The bytes before a message that carries a descriptor go in sends of
 * their own, and that message alone in the sendmsg() with the descriptor,
 * so that the receiver finds the descriptor with that message's bytes. */
int
ctl_rpc_conn_flush(struct ctl_rpc_conn *c)
{
	while (c->out_start < c->out_len) {
		bool with_fd = c->out_fd >= 0 && c->out_start == c->out_fd_at;
		size_t end = c->out_len;
		ssize_t n;

		if (c->out_fd >= 0)
			end = c->out_start < c->out_fd_at ? c->out_fd_at
							  : c->out_fd_end;
		if (with_fd) {
			n = ctl_rpc_send_fd(c->fd, c->out + c->out_start,
					    end - c->out_start, c->out_fd);
		} else {
			do
				n = send(c->fd, c->out + c->out_start,
					 end - c->out_start, MSG_NOSIGNAL);
			while (n < 0 && errno == EINTR);
			if (n < 0)
				n = errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		if (n < 0)
			return (int) n;
		if (with_fd)            /* the kernel holds its own copy now */
			fd_close(&c->out_fd);
		c->out_start += (size_t) n;
	}
	c->out_start = c->out_len = 0;
	return 0;
}

bool
ctl_rpc_conn_has_output(const struct ctl_rpc_conn *c)
{
	return c->out_start < c->out_len;
}

bool
ctl_rpc_conn_has_input(const struct ctl_rpc_conn *c)
{
	return c->in_start < c->in_len;
}

bool
ctl_rpc_conn_has_line(struct ctl_rpc_conn *c)
{
	size_t from = c->in_scanned > c->in_start ? c->in_scanned : c->in_start;

	if (from < c->in_len && memchr(c->in + from, '\n', c->in_len - from))
		return true;
	c->in_scanned = c->in_len;      /* no '\n' up to here */
	return c->in_len - c->in_start > CTL_RPC_MAX_LINE;
}

ssize_t
ctl_rpc_recv(int sock, void *buf, size_t size, int *fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_READ)];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof control.buf,
	};
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* Descriptors that did not fit (MSG_CTRUNC) were closed by the
	 * kernel; of those that did, the first is kept. */
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int got;

			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof got);
			if (*fd < 0)
				*fd = got;
			else
				close(got);
		}
	}
	return n;
}

ssize_t
ctl_rpc_send_fd(int sock, const void *buf, size_t size, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = (void *) buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof control.buf,
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(control.buf, 0, sizeof control.buf);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

/* Requests. */

int
ctl_rpc_parse_request(const char *line, struct ctl_rpc_req *req, char *err,
		      size_t errsz)
{
	json_t *id, *version, *method, *params;
	json_error_t jerr;

	*req = (struct ctl_rpc_req) { .id = NULL };
	req->msg = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->msg) {
		req->id = json_null();
		snprintf(err, errsz, "parse error: line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return CTL_RPC_PARSE_ERROR;
	}
	id = json_object_get(req->msg, "id");
	version = json_object_get(req->msg, "jsonrpc");
	method = json_object_get(req->msg, "method");
	params = json_object_get(req->msg, "params");
	if (!json_is_object(req->msg) || (id && !json_is_string(id)
					  && !json_is_integer(id)
					  && !json_is_null(id))) {
		req->id = json_null();
		snprintf(err, errsz, "invalid request: %s",
			 json_is_object(req->msg)
			 ? "id must be a string or an integer"
			 : "expected an object");
		return CTL_RPC_INVALID_REQUEST;
	}
	req->id = id;
	if (!json_is_string(version)
	    || strcmp(json_string_value(version), "2.0")
	    || !json_is_string(method)) {
		snprintf(err, errsz, "invalid request: %s",
			 json_is_string(method) ? "jsonrpc must be \"2.0\""
						: "method must be a string");
		return CTL_RPC_INVALID_REQUEST;
	}
	if (params && !json_is_object(params)) {
		snprintf(err, errsz, "params: expected an object, got %s",
			 ctl_json_type_name(params));
		return CTL_RPC_INVALID_PARAMS;
	}
	req->method = json_string_value(method);
	req->params = params ? json_incref(params) : json_object();
	if (!req->params) {
		snprintf(err, errsz, "out of memory");
		return CTL_RPC_FAILED;
	}
	return 0;
}

void
ctl_rpc_req_free(struct ctl_rpc_req *req)
{
	json_decref(req->params);
	json_decref(req->msg);
	*req = (struct ctl_rpc_req) { .id = NULL };
}

/* Message builders. */

json_t *
ctl_rpc_request(const char *method, json_t *params, json_int_t id)
{
	return json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id",
			 (json_int_t) id, "method", method, "params",
			 params ? params : json_object());
}

json_t *
ctl_rpc_result(json_t *id, json_t *result)
{
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id",
			 id ? id : json_null(), "result",
			 result ? result : json_object());
}

json_t *
ctl_rpc_error(json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
			 id ? id : json_null(), "error", "code", code,
			 "message", message);
}

/* Static helpers. */

/* Grows '*buf' to at least 'need' bytes.  Returns 0 or -ENOMEM. */
static int
buffer_reserve(char **buf, size_t *cap, size_t need)
{
	size_t size = *cap ? *cap : 4096;
	char *p;

	if (need <= *cap)
		return 0;
	while (size < need)
		size *= 2;
	p = realloc(*buf, size);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = size;
	return 0;
}

/* Drops the lines already handed out. */
static void
in_compact(struct ctl_rpc_conn *c)
{
	if (c->in_start == 0)
		return;
	memmove(c->in, c->in + c->in_start, c->in_len - c->in_start);
	c->in_len -= c->in_start;
	c->in_scanned = c->in_scanned > c->in_start
			? c->in_scanned - c->in_start : 0;
	if (c->in_fd >= 0)      /* its line is not handed out yet */
		c->in_fd_at -= c->in_start;
	c->in_start = 0;
}

static void
fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
