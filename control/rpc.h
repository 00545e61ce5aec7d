/* JSON-RPC 2.0 framing over a Unix stream socket, as docs/protocol.md
 * describes it: one JSON object per '\n'-terminated line, at most
 * CTL_RPC_MAX_LINE bytes per line.  Shared by vswitch-controld and
 * vswitchctl.
 *
 * A connection buffers both directions so that it works on non-blocking
 * sockets in a poll() loop: ctl_rpc_conn_read() takes what the socket has,
 * ctl_rpc_conn_next() hands out complete lines, ctl_rpc_conn_send() queues
 * a message and ctl_rpc_conn_flush() writes what the socket accepts.  Not
 * thread-safe: one connection belongs to one thread.
 *
 * File descriptors.  A request may carry one open file descriptor
 * (SCM_RIGHTS) sent with its first bytes: ctl_rpc_conn_send_fd() sends it
 * that way, and the receiver attaches a descriptor to the line holding the
 * last byte of the recvmsg() that delivered it (the kernel ends a read
 * with the bytes that carried descriptors, and the sender puts nothing
 * but that line in the sendmsg()).  ctl_rpc_conn_take_fd() hands it out
 * with its line; one the caller does not take, extra descriptors in one
 * message, and a second descriptor that arrives before the first one's
 * line is complete are closed.  So a client sends at most one descriptor
 * per request and waits for the answer before sending the next one. */
#ifndef VSWITCH_CONTROL_RPC_H
#define VSWITCH_CONTROL_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CTL_RPC_MAX_LINE (16u << 20)    /* bytes per message, without '\n' */

/* JSON-RPC error codes (docs/protocol.md). */
#define CTL_RPC_PARSE_ERROR      -32700
#define CTL_RPC_INVALID_REQUEST  -32600
#define CTL_RPC_UNKNOWN_METHOD   -32601
#define CTL_RPC_INVALID_PARAMS   -32602
#define CTL_RPC_FAILED           -32000

struct ctl_rpc_conn {
	int fd;                 /* the socket, -1 when closed */
	char *in;               /* received bytes */
	size_t in_start;        /* first byte not yet handed out */
	size_t in_len;          /* bytes in 'in' */
	size_t in_scanned;      /* 'in' before this offset has no '\n' ... */
	size_t in_cap;          /* ... after 'in_start'; allocated size */
	char *out;              /* bytes queued for the socket */
	size_t out_start;       /* first byte not yet written */
	size_t out_len;         /* bytes in 'out' */
	size_t out_cap;         /* allocated size */
	int in_fd;              /* received, its line not complete yet */
	size_t in_fd_at;        /* offset in 'in' of its last byte */
	int line_fd;            /* of the line last handed out, not taken */
	int out_fd;             /* to send with the message at 'out_fd_at' */
	size_t out_fd_at;       /* offset in 'out' where that message starts */
	size_t out_fd_end;      /* ...and where it ends */
};

/* Takes ownership of 'fd' (which the caller may have made non-blocking). */
void ctl_rpc_conn_init(struct ctl_rpc_conn *c, int fd);

/* Closes the socket and frees both buffers; 'c' may then be re-inited. */
void ctl_rpc_conn_close(struct ctl_rpc_conn *c);

/* Reads what the socket has.  Returns the number of bytes read (> 0), 0 at
 * end of file, -EAGAIN when nothing is there, or another negative errno. */
int ctl_rpc_conn_read(struct ctl_rpc_conn *c);

/* Hands out the next complete line: returns 1 and points '*line' at it
 * (NUL-terminated, without the '\n', valid until the next read); 0 when no
 * complete line is buffered; -EMSGSIZE when the line at hand is longer than
 * CTL_RPC_MAX_LINE, complete or not (the connection should be closed). */
int ctl_rpc_conn_next(struct ctl_rpc_conn *c, char **line);

/* Queues 'msg' as one line.  Returns 0, -ENOMEM, or -EMSGSIZE. */
int ctl_rpc_conn_send(struct ctl_rpc_conn *c, const json_t *msg);

/* Queues 'msg' as one line that carries 'fd' (always taken: sent, then
 * closed here; closed at once on error).  Returns 0, -ENOMEM, -EMSGSIZE,
 * or -EBUSY while the previous descriptor is still queued. */
int ctl_rpc_conn_send_fd(struct ctl_rpc_conn *c, const json_t *msg, int fd);

/* The descriptor that came with the line ctl_rpc_conn_next() handed out
 * last, now the caller's, or -1. */
int ctl_rpc_conn_take_fd(struct ctl_rpc_conn *c);

/* Writes queued bytes.  Returns 0 when the queue is empty, -EAGAIN when the
 * socket took only part of it, or another negative errno. */
int ctl_rpc_conn_flush(struct ctl_rpc_conn *c);

bool ctl_rpc_conn_has_output(const struct ctl_rpc_conn *c);

/* Whether bytes not yet handed out are buffered (a partial line, or
 * lines ctl_rpc_conn_next() has not returned yet). */
bool ctl_rpc_conn_has_input(const struct ctl_rpc_conn *c);

/* Whether ctl_rpc_conn_next() would hand out a line now, or fail: a whole
 * line is buffered, or more than CTL_RPC_MAX_LINE bytes of one. */
bool ctl_rpc_conn_has_line(struct ctl_rpc_conn *c);

/* Socket helpers for peers that do their own buffering (vswitchd).
 * ctl_rpc_recv() is recv() that also returns in '*fd' the first descriptor
 * the bytes carried (-1 when none; others are closed), close-on-exec.
 * ctl_rpc_send_fd() is send() with 'fd' attached (the caller keeps it).
 * Both return a byte count or a negative errno (-EAGAIN, not
 * -EWOULDBLOCK), never -EINTR. */
ssize_t ctl_rpc_recv(int sock, void *buf, size_t size, int *fd);
ssize_t ctl_rpc_send_fd(int sock, const void *buf, size_t size, int fd);

/* A request as vswitch-controld accepts it (docs/protocol.md): a JSON
 * object with "jsonrpc": "2.0", a string "method", an optional "id" (a
 * string, an integer or null; absent: a notification) and optional
 * "params" (an object). */
struct ctl_rpc_req {
	json_t *msg;            /* the whole message, owned */
	json_t *id;             /* borrowed from 'msg'; NULL: notification */
	const char *method;     /* borrowed from 'msg' */
	json_t *params;         /* owned: "params", or an empty object */
};

/* Parses 'line', one received line (NUL-terminated, without its '\n'),
 * into 'req'.  Returns 0, or the JSON-RPC error code to answer with and a
 * message in 'err': CTL_RPC_PARSE_ERROR (not JSON, or duplicate keys:
 * "parse error: line L, column C: ..."), CTL_RPC_INVALID_REQUEST (not an
 * object, a bad id, jsonrpc or method), CTL_RPC_INVALID_PARAMS ("params"
 * not an object).  On error 'req->id' is the id to answer: JSON null when
 * the message has none that can be trusted (not JSON, not an object, a bad
 * id), else its own id, NULL for a notification (no answer).  The method
 * is not looked up.  Either way the caller calls ctl_rpc_req_free(). */
int ctl_rpc_parse_request(const char *line, struct ctl_rpc_req *req,
			  char *err, size_t errsz);
void ctl_rpc_req_free(struct ctl_rpc_req *req);

/* Message builders; each returns a new reference or NULL when out of
 * memory, and steals 'params' / 'result'.  'id' is borrowed (NULL is sent
 * as JSON null). */
json_t *ctl_rpc_request(const char *method, json_t *params, json_int_t id);
json_t *ctl_rpc_result(json_t *id, json_t *result);
json_t *ctl_rpc_error(json_t *id, int code, const char *message);

#endif
