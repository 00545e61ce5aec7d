/* Live capture: a port's frames written to a pcap file while the switch
 * runs (docs/protocol.md, capture_start).
 *
 * Workers.  A port's view carries, per direction, a bit mask of the
 * captures that want its frames; it is 0 unless someone captures, so the
 * hooks below cost one predictable branch.  For each capture bit, the
 * worker copies the frame into the capture pool (never the switch's own
 * pool, so a capture cannot starve traffic), stamps the copy with the TSC
 * in an mbuf dynamic field and puts it on the capture's ring: multi-
 * producer (any worker), single consumer (the control thread).  No lock,
 * syscall or log; when the pool is empty or the ring full, the copy is
 * dropped and counted in the worker's own 'capture_drops'.
 *
 * Where.  Receive: every frame the port delivers, as it came off the wire,
 * before parsing (dp_l2_input).  Transmit: every frame handed to the
 * port's device or to its owner's hand-off ring, in its final form (tag
 * pushed or popped), when the transmit buffer is flushed (tx.c).
 *
 * Control thread.  It owns 'struct dp_captures'.  A capture reaches the
 * workers only through a published snapshot (dp_capture_fill(), called by
 * dp_publish()).  To end one, it publishes a snapshot without it; once
 * dp_publish() has returned no worker can still hold the ring, so it
 * drains the ring into the file, closes the file and frees the ring.  The
 * control loop calls dp_capture_poll() often while captures run: it
 * writes what the rings hold and flushes the files, so a reader sees
 * frames within a few milliseconds.  Ended captures keep their numbers
 * until dp_capture_stop() forgets them. */
#ifndef VSWITCH_DP_CAPTURE_H
#define VSWITCH_DP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp.h"

#define DP_CAPTURE_POLL_MS 10      /* control loop period while capturing */

enum dp_capture_dir {
	DP_CAPTURE_RX,              /* frames the port received */
	DP_CAPTURE_TX,              /* frames sent to the port */
};

/* Worker: copies 'n' frames into every capture of 'mask'.  Use the hooks
 * below rather than this. */
void dp_capture_copy(struct dp_worker *w, unsigned int mask,
		     struct rte_mbuf *const *pkts, uint16_t n);

/* Worker hook: 'm', seen on port 'v' in direction 'dir'. */
static inline void
dp_capture_frame(struct dp_worker *w, const struct dp_port_view *v,
		 struct rte_mbuf *m, enum dp_capture_dir dir)
{
	if (v->capture[dir])
		dp_capture_copy(w, v->capture[dir], &m, 1);
}

/* Worker hook: 'n' frames at once. */
static inline void
dp_capture_burst(struct dp_worker *w, const struct dp_port_view *v,
		 struct rte_mbuf *const *pkts, uint16_t n,
		 enum dp_capture_dir dir)
{
	if (v->capture[dir])
		dp_capture_copy(w, v->capture[dir], pkts, n);
}

/* What to capture. */
struct dp_capture_spec {
	const char *port;           /* port name */
	bool dir[2];                /* by enum dp_capture_dir */
	uint64_t count;             /* frames to write, then end; 0: no end */
};

/* Where a capture stands. */
struct dp_capture_status {
	uint64_t frames;            /* written to the file */
	uint64_t dropped;           /* copies lost: pool empty or ring full */
	bool done;                  /* ended: the file is (being) closed */
	const char *reason;         /* when done: "count", "stopped",
				     * "port-deleted", "error", "shutdown",
				     * "controld-gone" */
	const char *error;          /* reason "error": what failed */
};

/* Control thread.  Starts capturing 'spec' into the file open on 'fd'
 * (taken, closed on error).  Returns 0 and the capture's '*id' (never
 * 0), or -ENOENT (no such port), -ENODEV (port not running), -EBUSY
 * (DP_CAPTURE_MAX captures exist), -EINVAL (the file), -ENOMEM; 'err'
 * says which. */
int dp_capture_start(struct dp *dp, const struct dp_capture_spec *spec,
		     int fd, uint32_t *id, char *err, size_t errsz);

/* Control thread.  Fills '*st'.  Returns 0 or -ENOENT. */
int dp_capture_status(struct dp *dp, uint32_t id,
		      struct dp_capture_status *st);

/* Control thread.  Ends the capture if it runs, closes its file, fills
 * '*st' with the final numbers and forgets it.  Returns 0, -ENOENT, or
 * -ENOMEM when no snapshot could be published (try again). */
int dp_capture_stop(struct dp *dp, uint32_t id, struct dp_capture_status *st);

/* Control thread: ends and forgets every capture ('reason' as in struct
 * dp_capture_status), e.g. when controld, whose clients started them, has
 * gone, or at exit. */
void dp_capture_stop_all(struct dp *dp, const char *reason);

/* Control thread: a capture runs or is ending. */
bool dp_capture_any(const struct dp *dp);

/* Control thread: writes queued frames, flushes files, ends captures that
 * reached their count or failed to write. */
void dp_capture_poll(struct dp *dp);

/* dp_publish() only: puts the running captures in the snapshot 's' being
 * built, and ends those whose port is no longer there. */
void dp_capture_fill(struct dp *dp, struct dp_snapshot *s);

/* rpc_capture.c (control thread): the JSON-RPC methods.  capture_start
 * takes '*fd' (sets it to -1) when it has one. */
struct json_t;
struct json_t *dp_rpc_capture_start(struct dp *dp, struct json_t *params,
				    int *fd, char *err, size_t errsz);
struct json_t *dp_rpc_capture_status(struct dp *dp, struct json_t *params,
				     char *err, size_t errsz);
struct json_t *dp_rpc_capture_stop(struct dp *dp, struct json_t *params,
				   char *err, size_t errsz);

#endif
