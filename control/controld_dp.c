/* controld's side of the dataplane socket (docs/protocol.md, "controld ->
 * vswitchd methods"): one vswitchd at a time, a hello starts a full replay,
 * then one request at a time, each answered or timed out. */
#define CTLD_LOG_THIS CTLD_LOG_DP
#include "control/controld.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void dp_message(struct ctld *d, const char *line);
static void dp_response(struct ctld *d, json_t *msg);
static void dp_hello(struct ctld *d);

bool
ctld_dp_up(const struct ctld *d)
{
	return d->dp.fd >= 0 && d->dp_hello;
}

/* A new vswitchd connection replaces the old one, whose pending request
 * fails as if vswitchd had gone away. */
void
ctld_dp_accept(struct ctld *d, int fd)
{
	struct ucred cred = { .pid = 0 };
	socklen_t len = sizeof cred;

	if (d->dp.fd >= 0)
		ctld_dp_close(d, "replaced by a new connection");
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	ctl_rpc_conn_init(&d->dp, fd);
	d->dp_pid = cred.pid;
	d->dp_hello = false;
}

void
ctld_dp_input(struct ctld *d)
{
	char *line;
	int rc = ctl_rpc_conn_read(&d->dp);

	if (rc == 0 || (rc < 0 && rc != -EAGAIN)) {
		ctld_dp_close(d, rc == 0 ? "disconnected" : strerror(-rc));
		return;
	}
	while (d->dp.fd >= 0 && (rc = ctl_rpc_conn_next(&d->dp, &line)) == 1)
		dp_message(d, line);
	if (rc < 0 && d->dp.fd >= 0)
		ctld_dp_close(d, "message longer than 16 MiB");
}

void
ctld_dp_output(struct ctld *d)
{
	int rc = ctl_rpc_conn_flush(&d->dp);

	if (rc < 0 && rc != -EAGAIN)
		ctld_dp_close(d, strerror(-rc));
}

/* Ends the connection; the pending request, if any, fails first. */
void
ctld_dp_close(struct ctld *d, const char *why)
{
	if (d->dp.fd < 0)
		return;
	ctld_log("vswitchd (pid %ld) %s%s", (long) d->dp_pid,
		 strcmp(why, "disconnected") ? "connection closed: " : "", why);
	ctl_rpc_conn_close(&d->dp);
	d->dp_hello = false;
	d->replay_wanted = false;
	ctld_capture_forget_all(d);     /* vswitchd ends them itself */
	if (d->pend.kind != CTLD_WAIT_NONE)
		ctld_complete(d, NULL, "vswitchd disconnected before answering",
			      true);
}

/* A request to vswitchd that outlives CTLD_DP_TIMEOUT_MS fails.  When it
 * was a change, vswitchd may or may not have applied it: the connection is
 * closed so that vswitchd reconnects and gets the stored configuration
 * replayed, which is what controld still holds.  Likewise a capture_start
 * may have started a capture nobody knows the id of: closing the
 * connection makes vswitchd end it. */
void
ctld_dp_check_timeout(struct ctld *d, uint64_t now_ms)
{
	enum ctld_wait kind = d->pend.kind;
	char msg[64];

	if (kind == CTLD_WAIT_NONE || now_ms < d->pend.deadline_ms)
		return;
	snprintf(msg, sizeof msg, "vswitchd did not answer within %d s",
		 CTLD_DP_TIMEOUT_MS / 1000);
	CTLD_LOG(WARNING, "%s", msg);
	ctld_complete(d, NULL, msg, true);
	if (kind == CTLD_WAIT_APPLY || kind == CTLD_WAIT_REVERT
	    || kind == CTLD_WAIT_CAPTURE || kind == CTLD_WAIT_NV_APPLY
	    || kind == CTLD_WAIT_NV_REPLAY)
		ctld_dp_close(d, "no answer in time");
}

int
ctld_dp_call(struct ctld *d, const char *method, json_t *params,
	     const struct ctld_pending *p)
{
	return ctld_dp_call_fd(d, method, params, -1, p);
}

int
ctld_dp_call_fd(struct ctld *d, const char *method, json_t *params, int fd,
		const struct ctld_pending *p)
{
	json_int_t id = d->next_id++;
	json_t *msg = ctl_rpc_request(method, params, id);
	int rc;

	if (!ctld_dp_up(d) || d->pend.kind != CTLD_WAIT_NONE || !msg) {
		json_decref(msg);
		if (fd >= 0)
			close(fd);
		return msg ? -ENOTCONN : -ENOMEM;
	}
	if (fd >= 0)
		rc = ctl_rpc_conn_send_fd(&d->dp, msg, fd);
	else
		rc = ctl_rpc_conn_send(&d->dp, msg);
	json_decref(msg);
	if (rc < 0)
		return rc;
	d->pend = *p;
	d->pend.dp_id = id;
	d->pend.deadline_ms = ctld_now_ms() + CTLD_DP_TIMEOUT_MS;
	rc = ctl_rpc_conn_flush(&d->dp);
	if (rc < 0 && rc != -EAGAIN)
		ctld_dp_close(d, strerror(-rc));      /* completes the request */
	return 0;
}

/* Static helpers. */

static void
dp_message(struct ctld *d, const char *line)
{
	json_error_t jerr;
	json_t *msg = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	json_t *method, *id;

	if (!json_is_object(msg)) {
		json_decref(msg);
		ctld_dp_close(d, "sent a message that is not a JSON object");
		return;
	}
	method = json_object_get(msg, "method");
	id = json_object_get(msg, "id");
	if (json_is_string(method) && !strcmp(json_string_value(method),
					      "hello") && !id) {
		dp_hello(d);
	} else if (method && id) {
		json_t *reply = ctl_rpc_error(id, CTL_RPC_UNKNOWN_METHOD,
					      "controld serves no requests "
					      "on this socket");

		if (reply)
			ctl_rpc_conn_send(&d->dp, reply);
		json_decref(reply);
		ctld_dp_output(d);
	} else if (!method && id) {
		dp_response(d, msg);
	}
	json_decref(msg);
}

static void
dp_hello(struct ctld *d)
{
	ctld_log("vswitchd connected (pid %ld)", (long) d->dp_pid);
	d->dp_hello = true;
	if (d->pend.kind == CTLD_WAIT_NONE)
		ctld_replay(d);
	else
		d->replay_wanted = true;
}

/* An answer to anything but the pending request is late: ignore it. */
static void
dp_response(struct ctld *d, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_t *result = json_object_get(msg, "result");
	json_t *error = json_object_get(msg, "error");
	const char *text;

	if (d->pend.kind == CTLD_WAIT_NONE || !json_is_integer(id)
	    || json_integer_value(id) != d->pend.dp_id)
		return;
	if (result) {
		ctld_complete(d, result, NULL, false);
		return;
	}
	text = json_string_value(json_object_get(error, "message"));
	ctld_complete(d, NULL, text ? text : "vswitchd failed without a "
		      "message", false);
}
