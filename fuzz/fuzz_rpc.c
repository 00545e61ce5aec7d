/* Fuzz target: what vswitch-controld does with the bytes a client writes
 * to its control socket up to the method lookup -- the line framing of
 * 'struct ctl_rpc_conn' (ctl_rpc_conn_read(), ctl_rpc_conn_next()) over a
 * real socket, then ctl_rpc_parse_request() on every line, and the error
 * reply it would send back.
 *
 * Input: the bytes of a client's connection (JSON-RPC requests, one per
 * line, as vswitchctl sends them).  Beyond the sanitizers, it checks that
 * an accepted request has the types docs/protocol.md promises and that
 * every reply, whatever the id, encodes to one line. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/rpc.h"
#include "fuzz/fuzz.h"

#define MAX_INPUT 32768         /* fits the socket buffer at once */

static void check_line(const char *line);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_rpc_conn conn;
	size_t sent = 0;
	int sv[2], rc;
	char *line;

	if (size > MAX_INPUT)
		return -1;
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv)
		   == 0);
	ctl_rpc_conn_init(&conn, sv[1]);
	/* The bytes arrive in three reads, cut at a third and two thirds:
	 * lines split across reads take the buffer's other paths. */
	do {
		size_t upto = sent < size / 3 ? size / 3
			      : sent < size * 2 / 3 ? size * 2 / 3 : size;

		FUZZ_CHECK(write(sv[0], data + sent, upto - sent)
			   == (ssize_t) (upto - sent));
		sent = upto;
		if (sent == size)
			close(sv[0]);
		do {
			rc = ctl_rpc_conn_read(&conn);
			FUZZ_CHECK(rc >= 0 || rc == -EAGAIN);
			while (ctl_rpc_conn_next(&conn, &line) == 1)
				check_line(line);
		} while (rc > 0 && sent == size);
	} while (sent < size);
	ctl_rpc_conn_close(&conn);
	return 0;
}

static void
check_reply(json_t *reply)
{
	char *text;

	FUZZ_CHECK(reply != NULL);
	text = json_dumps(reply, JSON_COMPACT);
	FUZZ_CHECK(text != NULL && !strchr(text, '\n'));
	free(text);
	json_decref(reply);
}

static void
check_line(const char *line)
{
	struct ctl_rpc_req req;
	char err[1024];
	int code;

	code = ctl_rpc_parse_request(line, &req, err, sizeof err);
	if (code) {
		FUZZ_CHECK(code == CTL_RPC_PARSE_ERROR
			   || code == CTL_RPC_INVALID_REQUEST
			   || code == CTL_RPC_INVALID_PARAMS
			   || code == CTL_RPC_FAILED);
		FUZZ_CHECK(err[0] != '\0');
		if (req.id)
			check_reply(ctl_rpc_error(req.id, code, err));
		ctl_rpc_req_free(&req);
		return;
	}
	FUZZ_CHECK(req.method != NULL);
	FUZZ_CHECK(json_is_object(req.params));
	FUZZ_CHECK(!req.id || json_is_string(req.id) || json_is_integer(req.id)
		   || json_is_null(req.id));
	check_reply(ctl_rpc_result(req.id, json_incref(req.params)));
	ctl_rpc_req_free(&req);
}
