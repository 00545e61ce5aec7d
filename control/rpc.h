/* JSON-RPC 2.0 framing over a Unix stream socket, as docs/protocol.md
 * describes it: one JSON object per '\n'-terminated line, at most
 * CTL_RPC_MAX_LINE bytes per line.  Shared by vswitch-controld and
 * vswitchctl.
 *
 * A connection buffers both directions so that it works on non-blocking
 * sockets in a poll() loop: ctl_rpc_conn_read() takes what the socket has,
 * ctl_rpc_conn_next() hands out complete lines, ctl_rpc_conn_send() queues
 * a message and ctl_rpc_conn_flush() writes what the socket accepts.  Not
 * thread-safe: one connection belongs to one thread. */
#ifndef VSWITCH_CONTROL_RPC_H
#define VSWITCH_CONTROL_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

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

/* Writes queued bytes.  Returns 0 when the queue is empty, -EAGAIN when the
 * socket took only part of it, or another negative errno. */
int ctl_rpc_conn_flush(struct ctl_rpc_conn *c);

bool ctl_rpc_conn_has_output(const struct ctl_rpc_conn *c);

/* Message builders; each returns a new reference or NULL when out of
 * memory, and steals 'params' / 'result'.  'id' is borrowed (NULL is sent
 * as JSON null). */
json_t *ctl_rpc_request(const char *method, json_t *params, json_int_t id);
json_t *ctl_rpc_result(json_t *id, json_t *result);
json_t *ctl_rpc_error(json_t *id, int code, const char *message);

#endif
