/* Line-framed JSON-RPC connections (see rpc.h). */
#include "control/rpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK (64u << 10)

static int buffer_reserve(char **buf, size_t *cap, size_t need);
static void in_compact(struct ctl_rpc_conn *c);

void
ctl_rpc_conn_init(struct ctl_rpc_conn *c, int fd)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
}

void
ctl_rpc_conn_close(struct ctl_rpc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

int
ctl_rpc_conn_read(struct ctl_rpc_conn *c)
{
	ssize_t n;

	in_compact(c);
	if (buffer_reserve(&c->in, &c->in_cap, c->in_len + READ_CHUNK + 1))
		return -ENOMEM;
	do
		n = recv(c->fd, c->in + c->in_len, READ_CHUNK, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
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
ctl_rpc_conn_flush(struct ctl_rpc_conn *c)
{
	while (c->out_start < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_start,
				 c->out_len - c->out_start, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
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
	c->in_start = 0;
}
