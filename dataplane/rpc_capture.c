/* The capture methods of vswitchd's JSON-RPC (docs/protocol.md,
 * "controld -> vswitchd methods"): parameters in, capture.c's numbers
 * out.  Control thread only. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "dataplane/capture.h"

static int capture_id(json_t *params, uint32_t *id, char *err,
		      size_t errsz);
static json_t *status_json(const struct dp_capture_status *st);

json_t *
dp_rpc_capture_start(struct dp *dp, json_t *params, int *fd, char *err,
		     size_t errsz)
{
	const char *port = json_string_value(json_object_get(params, "port"));
	json_t *count = json_object_get(params, "count");
	json_t *dir = json_object_get(params, "direction");
	const char *d = dir ? json_string_value(dir) : "both";
	struct dp_capture_spec spec = { .port = port };
	uint32_t id;
	int file = *fd;

	*fd = -1;
	if (file < 0) {
		snprintf(err, errsz, "capture_start: the output file must come "
			 "with the request (SCM_RIGHTS)");
		return NULL;
	}
	if (!port)
		snprintf(err, errsz, "port: expected a port name");
	else if (count && (!json_is_integer(count) ||
			   json_integer_value(count) < 1))
		snprintf(err, errsz, "count: expected a positive integer");
	else if (!d || (strcmp(d, "rx") && strcmp(d, "tx") &&
			strcmp(d, "both")))
		snprintf(err, errsz, "direction: expected rx, tx or both");
	else
		err[0] = '\0';
	if (err[0]) {
		close(file);
		return NULL;
	}
	spec.count = count ? (uint64_t)json_integer_value(count) : 0;
	spec.dir[DP_CAPTURE_RX] = strcmp(d, "tx") != 0;
	spec.dir[DP_CAPTURE_TX] = strcmp(d, "rx") != 0;
	if (dp_capture_start(dp, &spec, file, &id, err, errsz) < 0)
		return NULL;
	return json_pack("{s:I}", "id", (json_int_t)id);
}

json_t *
dp_rpc_capture_status(struct dp *dp, json_t *params, char *err, size_t errsz)
{
	struct dp_capture_status st;
	uint32_t id;

	if (capture_id(params, &id, err, errsz) < 0)
		return NULL;
	if (dp_capture_status(dp, id, &st) < 0) {
		snprintf(err, errsz, "capture %u does not exist", id);
		return NULL;
	}
	return status_json(&st);
}

json_t *
dp_rpc_capture_stop(struct dp *dp, json_t *params, char *err, size_t errsz)
{
	struct dp_capture_status st;
	uint32_t id;
	int rc;

	if (capture_id(params, &id, err, errsz) < 0)
		return NULL;
	rc = dp_capture_stop(dp, id, &st);
	if (rc == -ENOENT)
		snprintf(err, errsz, "capture %u does not exist", id);
	else if (rc < 0)
		snprintf(err, errsz, "capture %u: out of memory, try again",
			 id);
	return rc < 0 ? NULL : status_json(&st);
}

/* Static helpers. */

static int
capture_id(json_t *params, uint32_t *id, char *err, size_t errsz)
{
	json_t *v = json_object_get(params, "id");

	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > UINT32_MAX) {
		snprintf(err, errsz, "id: expected a capture id");
		return -EINVAL;
	}
	*id = (uint32_t)json_integer_value(v);
	return 0;
}

static json_t *
status_json(const struct dp_capture_status *st)
{
	json_t *o = json_pack("{s:I, s:I, s:b}",
		"frames", (json_int_t)st->frames,
		"dropped", (json_int_t)st->dropped, "done", st->done);

	if (o && st->reason)
		json_object_set_new(o, "reason", json_string(st->reason));
	if (o && st->error)
		json_object_set_new(o, "error", json_string(st->error));
	return o;
}
