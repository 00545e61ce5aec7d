/* vswitchd's NV methods (docs/protocol.md "controld -> vswitchd methods",
 * docs/nv.md): nv_apply, nv_replay, nv_counts.
 *
 * vswitchd keeps the network virtualization tables controld sends in a
 * struct ctl_nv_store (control/nv.h) and checks every change again with the
 * same library: a transaction applies whole or not at all.  A replay
 * builds a new store off to the side, chunk by chunk, and puts it in place
 * only at its commit; until then, and if it fails, the tables stay as
 * they were.  Every change that the model accepts goes on into the data
 * path's nvgre/ tables (nv_dp.h) in the same call; if they refuse it,
 * the model takes it back and the method fails.
 *
 * Control thread only. */
#ifndef VSWITCH_DP_RPC_NV_H
#define VSWITCH_DP_RPC_NV_H

#include <stddef.h>

struct dp;
struct json_t;

/* Each returns the result (a new reference), or NULL with 'err' set. */
struct json_t *dp_rpc_nv_apply(struct dp *dp, struct json_t *params,
			       char *err, size_t errsz);
struct json_t *dp_rpc_nv_replay(struct dp *dp, struct json_t *params,
				char *err, size_t errsz);
struct json_t *dp_rpc_nv_counts(struct dp *dp, char *err, size_t errsz);

/* controld went away: a replay it had begun will not end. */
void dp_nv_replay_abort(struct dp *dp);
void dp_nv_destroy(struct dp *dp);
/* The tables as last accepted, or NULL before any NV method. */
const struct ctl_nv_store *dp_nv_store(struct dp *dp);

#endif
