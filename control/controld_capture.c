/* Live capture through controld (docs/protocol.md, capture_start): checks
 * a request, forwards it to vswitchd with the file descriptor the client
 * sent (the client opened the file, so its own permissions decide where
 * a capture may be written), and ties each capture to the connection of
 * the client that started it.
 *
 * Lifetime.  vswitchctl keeps its connection open while it captures and
 * stops its capture before it exits.  When a connection closes first
 * (vswitchctl killed, its terminal gone), controld stops that client's
 * captures itself, with capture_stop to vswitchd as soon as no other
 * request is outstanding: a capture never outlives its client.  vswitchd
 * ends every capture when its controld connection closes, so when
 * vswitchd goes away controld forgets them, but for an answer to their
 * clients' next capture_status or capture_stop that says what happened. */
#define CTLD_LOG_THIS CTLD_LOG_CAPTURE
#include "control/controld.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/config_priv.h"

#define ERRSZ 1024

static int start_params(struct ctld *d, const struct ctld_req *r,
			json_t **params, char *err, size_t errsz);
static struct ctld_capture *capture_find(struct ctld *d, json_int_t id);
static struct ctld_capture *request_capture(struct ctld *d,
					    const struct ctld_req *r);

void
ctld_capture_start(struct ctld *d, const struct ctld_req *r)
{
	struct ctld_pending p = { .kind = CTLD_WAIT_CAPTURE, .client = r->client };
	struct ctld_capture *free_slot = capture_find(d, 0);
	json_t *params = NULL;
	char err[ERRSZ];
	int fd = r->fd, rc;

	rc = start_params(d, r, &params, err, sizeof err);
	if (rc < 0) {
		ctld_reply_error(d, r->client, r->id, rc == -ENOENT
				 ? CTL_RPC_FAILED : CTL_RPC_INVALID_PARAMS,
				 "%s", err);
	} else if (fd < 0) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "capture_start: the output file must come with "
				 "the request (SCM_RIGHTS)");
	} else if (!ctld_dp_up(d)) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "vswitchd is not connected");
	} else if (!free_slot) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "%d captures are running, the most there can "
				 "be", CTLD_MAX_CAPTURES);
	} else {
		snprintf(p.what, sizeof p.what, "started on port %s (uid %ld, "
			 "pid %ld)",
			 json_string_value(json_object_get(params, "port")),
			 (long) r->client->uid, (long) r->client->pid);
		p.client_id = r->id ? json_incref(r->id) : NULL;
		fd = -1;
		if (ctld_dp_call_fd(d, "capture_start", json_incref(params),
				    r->fd, &p) < 0) {
			ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
					 "cannot send the request to vswitchd");
			json_decref(p.client_id);
		}
	}
	if (fd >= 0)
		close(fd);
	json_decref(params);
}

void
ctld_capture_status(struct ctld *d, const struct ctld_req *r)
{
	struct ctld_capture *c = request_capture(d, r);

	if (c)
		ctld_ask(d, r->client, r->id, CTLD_WAIT_FORWARD,
			 "capture_status", json_pack("{s:I}", "id", c->id));
}

/* Forgets the capture at once: if vswitchd cannot be asked, it has ended
 * the capture already. */
void
ctld_capture_stop(struct ctld *d, const struct ctld_req *r)
{
	struct ctld_capture *c = request_capture(d, r);
	json_int_t id;

	if (!c)
		return;
	id = c->id;
	memset(c, 0, sizeof *c);
	ctld_log("capture %lld: stopped (uid %ld, pid %ld)", (long long) id,
		 (long) r->client->uid, (long) r->client->pid);
	ctld_ask(d, r->client, r->id, CTLD_WAIT_FORWARD, "capture_stop",
		 json_pack("{s:I}", "id", id));
}

void
ctld_capture_complete(struct ctld *d, const struct ctld_pending *p,
		      json_t *result, const char *error, bool lost)
{
	json_t *id = json_object_get(result, "id");
	struct ctld_capture *c;

	if (p->kind == CTLD_WAIT_REAP) {
		if (error)
			CTLD_LOG(WARNING, "%s: %s", p->what, error);
		return;
	}
	if (error) {
		ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED, "%s",
				 lost && !ctld_dp_up(d)
				 ? "vswitchd is not connected" : error);
		return;
	}
	/* A free slot was checked for before asking, and nothing else could
	 * take it while the request was outstanding. */
	c = capture_find(d, 0);
	if (!json_is_integer(id) || json_integer_value(id) < 1 || !c) {
		ctld_reply_error(d, p->client, p->client_id, CTL_RPC_FAILED,
				 "vswitchd answered capture_start without a "
				 "valid id");
		return;
	}
	c->id = json_integer_value(id);
	c->client = p->client;          /* NULL when it left meanwhile */
	c->pid = p->client ? p->client->pid : 0;
	ctld_log("capture %lld: %s", (long long) c->id, p->what);
	ctld_reply(d, p->client, p->client_id, json_pack("{s:I}", "id", c->id));
}

bool
ctld_capture_client_has(const struct ctld *d, const struct ctld_client *c)
{
	for (int i = 0; i < CTLD_MAX_CAPTURES; i++)
		if (d->captures[i].id && d->captures[i].client == c
		    && !d->captures[i].lost)
			return true;
	return false;
}

void
ctld_capture_client_gone(struct ctld *d, const struct ctld_client *c)
{
	for (int i = 0; i < CTLD_MAX_CAPTURES; i++) {
		struct ctld_capture *k = &d->captures[i];

		if (k->id && k->client == c && k->lost)
			memset(k, 0, sizeof *k);
		else if (k->id && k->client == c)
			k->client = NULL;
	}
}

void
ctld_capture_reap(struct ctld *d)
{
	struct ctld_pending p = { .kind = CTLD_WAIT_REAP };

	for (int i = 0; i < CTLD_MAX_CAPTURES; i++) {
		struct ctld_capture *c = &d->captures[i];

		if (!c->id || c->client)
			continue;
		snprintf(p.what, sizeof p.what, "capture %lld: client pid %ld "
			 "went away: stopping it", (long long) c->id,
			 (long) c->pid);
		ctld_log("%s", p.what);
		if (ctld_dp_call(d, "capture_stop", json_pack("{s:I}", "id",
							     c->id), &p) < 0)
			CTLD_LOG(ERR, "capture %lld: cannot ask vswitchd to "
				 "stop it", (long long) c->id);
		memset(c, 0, sizeof *c);
		return;
	}
}

void
ctld_capture_forget_all(struct ctld *d)
{
	for (int i = 0; i < CTLD_MAX_CAPTURES; i++) {
		struct ctld_capture *c = &d->captures[i];

		if (c->client)
			c->lost = true;
		else
			memset(c, 0, sizeof *c);
	}
}

/* Static helpers. */

/* capture_start's parameters, checked, as the params for vswitchd. */
static int
start_params(struct ctld *d, const struct ctld_req *r, json_t **params,
	     char *err, size_t errsz)
{
	json_t *port = json_object_get(r->params, "port");
	json_t *count = json_object_get(r->params, "count");
	json_t *dir = json_object_get(r->params, "direction");
	const char *d_text = json_string_value(dir);
	char q[CTL_QUOTE_SIZE];

	if (!port)
		return ctl_err(err, errsz, -EINVAL, "port: required parameter "
			       "is missing");
	if (!json_is_string(port))
		return ctl_err(err, errsz, -EINVAL, "port: expected a string, "
			       "got %s", ctl_json_type_name(port));
	if (ctl_parse_port_name(json_string_value(port), "port", err,
				errsz) < 0)
		return -EINVAL;
	if (ctl_config_port_index(d->cfg, json_string_value(port)) < 0)
		return ctl_err(err, errsz, -ENOENT, "port %s does not exist",
			       json_string_value(port));
	if (count && !json_is_integer(count))
		return ctl_err(err, errsz, -EINVAL, "count: expected an "
			       "integer, got %s", ctl_json_type_name(count));
	if (count && json_integer_value(count) < 1)
		return ctl_err(err, errsz, -EINVAL, "count: %lld is not a "
			       "positive number of frames",
			       (long long) json_integer_value(count));
	if (dir && (!d_text || (strcmp(d_text, "rx") && strcmp(d_text, "tx")
				&& strcmp(d_text, "both"))))
		return ctl_err(err, errsz, -EINVAL, "direction: %s is not one "
			       "of rx, tx, both", d_text ? ctl_quote(d_text, q)
			       : ctl_json_type_name(dir));
	*params = json_pack("{s:O}", "port", port);
	if (*params && count)
		json_object_set(*params, "count", count);
	if (*params && dir)
		json_object_set(*params, "direction", dir);
	return *params ? 0 : ctl_err(err, errsz, -ENOMEM, "out of memory");
}

/* The capture with vswitchd id 'id'; 0 finds a free slot. */
static struct ctld_capture *
capture_find(struct ctld *d, json_int_t id)
{
	for (int i = 0; i < CTLD_MAX_CAPTURES; i++)
		if (d->captures[i].id == id)
			return &d->captures[i];
	return NULL;
}

/* The capture named by the "id" parameter of 'r', or NULL after replying
 * with the error. */
static struct ctld_capture *
request_capture(struct ctld *d, const struct ctld_req *r)
{
	json_t *id = json_object_get(r->params, "id");
	struct ctld_capture *c;

	if (!json_is_integer(id) || json_integer_value(id) < 1) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_INVALID_PARAMS,
				 "id: expected a capture id (a positive "
				 "integer)%s", id ? "" : ", none given");
		return NULL;
	}
	c = capture_find(d, json_integer_value(id));
	if (!c) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "capture %lld does not exist",
				 (long long) json_integer_value(id));
	} else if (c->lost) {
		ctld_reply_error(d, r->client, r->id, CTL_RPC_FAILED,
				 "capture %lld ended when vswitchd went away",
				 (long long) c->id);
		memset(c, 0, sizeof *c);
		c = NULL;
	}
	return c;
}
