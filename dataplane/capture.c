/* Live capture: the workers' copy hook and the control thread's side
 * (rings to files, start, stop, end).  See capture.h for the design and
 * the threads. */
#define DP_LOG_THIS DP_LOG_CAPTURE

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>

#include "dataplane/capfile.h"
#include "dataplane/capture.h"
#include "dataplane/log.h"

#define CAPTURE_RING_SIZE 2048     /* copies queued per capture */
#define CAPTURE_POOL_SIZE 8191     /* copies in flight, all captures */
#define CAPTURE_POOL_CACHE 128
#define CAPTURE_DRAIN_MAX 8192     /* frames written per capture per poll */

enum capture_state {
	CAPTURE_FREE,
	CAPTURE_RUNNING,            /* in the snapshot: frames flow */
	CAPTURE_STOPPING,           /* out of snapshots from 'stop_gen' on */
	CAPTURE_DONE,               /* file closed; numbers kept until stop */
};

struct capture {
	enum capture_state state;
	uint32_t id;
	char port[CTL_NAME_SIZE];   /* the port, by name... */
	uint16_t slot;              /* ...in this slot */
	bool dir[2];                /* by enum dp_capture_dir */
	uint64_t count;             /* frames to write; 0: no limit */
	uint64_t frames;            /* written */
	uint64_t dropped;           /* once DONE: copies the workers lost */
	uint64_t stop_gen;          /* STOPPING: first snapshot without it */
	bool forget;                /* free the slot once DONE */
	const char *reason;         /* why it ended */
	char error[160];            /* reason "error": what failed */
	struct rte_ring *ring;      /* copies from the workers */
	struct dp_capfile *file;
	struct dp_capfile_clock clock;
};

struct dp_captures {
	struct rte_mempool *pool;   /* frame copies (capture.h) */
	int stamp_offset;           /* mbuf dynfield with the TSC stamp */
	uint32_t next_id;           /* ids are never reused */
	struct capture cap[DP_CAPTURE_MAX];
	uint8_t linear[DP_CAPFILE_SNAPLEN];   /* a chained frame, flattened */
};

static const struct rte_mbuf_dynfield stamp_field = {
	.name = "vswitch_capture_tsc",
	.size = sizeof(uint64_t),
	.align = __alignof__(uint64_t),
};

static int captures_init(struct dp *dp, char *err, size_t errsz);
static struct capture *capture_find(struct dp *dp, uint32_t id);
static bool capture_port_present(const struct dp *dp,
				 const struct capture *c);
static void capture_end(struct capture *c, const char *reason,
			uint64_t stop_gen);
static void capture_drain(struct dp *dp, struct capture *c,
			  unsigned int max);
static void capture_write(struct dp_captures *cs, struct capture *c,
			  struct rte_mbuf *m);
static void capture_finish(struct dp *dp, struct capture *c);
static uint64_t capture_drops(const struct dp *dp, unsigned int i);
static void capture_status(const struct dp *dp, const struct capture *c,
			   struct dp_capture_status *st);
static const char *capture_dirs_name(const struct capture *c);

/* Workers. */

void
dp_capture_copy(struct dp_worker *w, unsigned int mask,
		 struct rte_mbuf *const *pkts, uint16_t n)
{
	const struct dp_capture_view *cv = &w->snap->capture;
	uint64_t now = rte_get_tsc_cycles();

	for (; mask; mask &= mask - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(mask);

		for (uint16_t done = 0; done < n; ) {
			uint16_t chunk = RTE_MIN(n - done, DP_BURST), k = 0;
			struct rte_mbuf *copies[DP_BURST];
			unsigned int q;

			for (uint16_t j = done; j < done + chunk; j++) {
				struct rte_mbuf *c = rte_pktmbuf_copy(
					pkts[j], cv->pool, 0, UINT32_MAX);

				if (c == NULL)
					continue;
				*RTE_MBUF_DYNFIELD(c, cv->stamp_offset,
						   uint64_t *) = now;
				copies[k++] = c;
			}
			q = rte_ring_mp_enqueue_burst(cv->ring[i],
						      (void **)copies, k, NULL);
			if (q < k)
				rte_pktmbuf_free_bulk(copies + q, k - q);
			w->capture_drops[i] += chunk - q;
			done += chunk;
		}
	}
}

/* Control thread. */

int
dp_capture_start(struct dp *dp, const struct dp_capture_spec *spec, int fd,
		 uint32_t *id, char *err, size_t errsz)
{
	const struct dp_port *p = dp_find_port(dp, spec->port);
	char name[RTE_RING_NAMESIZE];
	struct capture *c = NULL;
	struct timespec wall;
	unsigned int i;
	int rc;

	if (!p || !p->running) {
		if (p)
			snprintf(err, errsz, "port %s is not running: %s",
				 spec->port, p->error);
		else
			snprintf(err, errsz, "port %s does not exist",
				 spec->port);
		close(fd);
		return p ? -ENODEV : -ENOENT;
	}
	rc = captures_init(dp, err, errsz);
	for (i = 0; rc == 0 && i < DP_CAPTURE_MAX; i++)
		if (dp->captures->cap[i].state == CAPTURE_FREE) {
			c = &dp->captures->cap[i];
			break;
		}
	if (rc == 0 && !c) {
		snprintf(err, errsz, "%d captures are running or waiting to be "
			 "stopped, the most vswitchd takes", DP_CAPTURE_MAX);
		rc = -EBUSY;
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	memset(c, 0, sizeof(*c));
	c->id = dp->captures->next_id + 1;     /* taken once it started */
	snprintf(name, sizeof(name), "vs_cap_%u", c->id);
	c->ring = rte_ring_create(name, CAPTURE_RING_SIZE, SOCKET_ID_ANY,
				  RING_F_SC_DEQ);
	if (!c->ring) {
		snprintf(err, errsz, "cannot create the capture ring: %s",
			 rte_strerror(rte_errno));
		close(fd);
		return -ENOMEM;
	}
	c->file = dp_capfile_open(fd, err, errsz);
	if (!c->file) {
		rte_ring_free(c->ring);
		return -EINVAL;
	}
	memcpy(c->port, p->cfg.name, sizeof(c->port));
	c->slot = p->slot;
	c->dir[DP_CAPTURE_RX] = spec->dir[DP_CAPTURE_RX];
	c->dir[DP_CAPTURE_TX] = spec->dir[DP_CAPTURE_TX];
	c->count = spec->count;
	clock_gettime(CLOCK_REALTIME, &wall);
	c->clock.tsc0 = rte_get_tsc_cycles();
	c->clock.wall0_ns = (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec;
	c->clock.hz = dp->tsc_hz;
	/* No snapshot names capture 'i' now (a slot is free only once a
	 * snapshot without it was published), so no worker writes these. */
	for (unsigned int w = 0; w < dp->n_workers; w++)
		dp->workers[w]->capture_drops[i] = 0;
	c->state = CAPTURE_RUNNING;
	if (dp_publish(dp) < 0) {
		c->state = CAPTURE_FREE;
		dp_capfile_close(c->file);
		rte_ring_free(c->ring);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	*id = dp->captures->next_id = c->id;
	if (c->count)
		DP_LOG(NOTICE, "capture %u: port %s, %s, %" PRIu64 " frame%s: "
		       "started", c->id, c->port, capture_dirs_name(c),
		       c->count, c->count == 1 ? "" : "s");
	else
		DP_LOG(NOTICE, "capture %u: port %s, %s, until stopped: "
		       "started", c->id, c->port, capture_dirs_name(c));
	return 0;
}

int
dp_capture_status(struct dp *dp, uint32_t id, struct dp_capture_status *st)
{
	struct capture *c = capture_find(dp, id);

	if (!c)
		return -ENOENT;
	capture_status(dp, c, st);
	return 0;
}

int
dp_capture_stop(struct dp *dp, uint32_t id, struct dp_capture_status *st)
{
	struct capture *c = capture_find(dp, id);

	if (!c)
		return -ENOENT;
	if (c->state == CAPTURE_RUNNING)
		capture_end(c, "stopped", dp->generation + 1);
	if (c->state == CAPTURE_STOPPING) {
		if (dp->generation < c->stop_gen && dp_publish(dp) < 0)
			return -ENOMEM;
		capture_finish(dp, c);
	}
	capture_status(dp, c, st);
	c->state = CAPTURE_FREE;
	return 0;
}

void
dp_capture_stop_all(struct dp *dp, const char *reason)
{
	struct dp_captures *cs = dp->captures;

	if (!cs)
		return;
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = &cs->cap[i];

		if (c->state == CAPTURE_RUNNING)
			capture_end(c, reason, dp->generation + 1);
		if (c->state == CAPTURE_DONE)
			c->state = CAPTURE_FREE;
		c->forget = true;
	}
	/* Finishes them now, or (no memory for a snapshot) in a later
	 * poll. */
	dp_capture_poll(dp);
}

bool
dp_capture_any(const struct dp *dp)
{
	const struct dp_captures *cs = dp->captures;

	if (!cs)
		return false;
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++)
		if (cs->cap[i].state == CAPTURE_RUNNING ||
		    cs->cap[i].state == CAPTURE_STOPPING)
			return true;
	return false;
}

void
dp_capture_poll(struct dp *dp)
{
	struct dp_captures *cs = dp->captures;
	bool unpublish = false;

	if (!cs)
		return;
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = &cs->cap[i];

		if (c->state == CAPTURE_RUNNING)
			capture_drain(dp, c, CAPTURE_DRAIN_MAX);
		if (c->state == CAPTURE_STOPPING &&
		    dp->generation < c->stop_gen)
			unpublish = true;
	}
	/* On failure (no memory) the ending captures wait for the next
	 * poll; workers may still fill their rings meanwhile. */
	if (unpublish && dp_publish(dp) < 0)
		return;
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = &cs->cap[i];

		if (c->state == CAPTURE_STOPPING &&
		    dp->generation >= c->stop_gen)
			capture_finish(dp, c);
	}
}

void
dp_capture_fill(struct dp *dp, struct dp_snapshot *s)
{
	struct dp_captures *cs = dp->captures;

	if (!cs)
		return;
	s->capture.pool = cs->pool;
	s->capture.stamp_offset = cs->stamp_offset;
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = &cs->cap[i];
		struct dp_port_view *v = &s->ports[c->slot];

		if (c->state != CAPTURE_RUNNING)
			continue;
		if (!capture_port_present(dp, c)) {
			/* 's' is the first snapshot without it. */
			capture_end(c, "port-deleted", s->generation);
			continue;
		}
		s->capture.ring[i] = c->ring;
		for (int d = DP_CAPTURE_RX; d <= DP_CAPTURE_TX; d++)
			if (c->dir[d])
				v->capture[d] |= (uint8_t)(1u << i);
	}
}

/* Static helpers. */

/* The capture pool and the stamp field, on first use.  Both live until
 * the process ends. */
static int
captures_init(struct dp *dp, char *err, size_t errsz)
{
	struct dp_captures *cs;

	if (dp->captures)
		return 0;
	cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	cs->stamp_offset = rte_mbuf_dynfield_register(&stamp_field);
	cs->pool = cs->stamp_offset < 0 ? NULL : rte_pktmbuf_pool_create(
		"vs_capture", CAPTURE_POOL_SIZE, CAPTURE_POOL_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!cs->pool) {
		snprintf(err, errsz, "cannot create the capture buffers: %s",
			 rte_strerror(rte_errno));
		free(cs);
		return -ENOMEM;
	}
	dp->captures = cs;
	return 0;
}

static struct capture *
capture_find(struct dp *dp, uint32_t id)
{
	struct dp_captures *cs = dp->captures;

	for (unsigned int i = 0; cs && i < DP_CAPTURE_MAX; i++)
		if (cs->cap[i].state != CAPTURE_FREE && !cs->cap[i].forget &&
		    cs->cap[i].id == id)
			return &cs->cap[i];
	return NULL;
}

/* The port is still the one the capture started on: same slot, same name,
 * running.  (A port re-created because its attachment changed counts as
 * the same port only if it got its old slot back.) */
static bool
capture_port_present(const struct dp *dp, const struct capture *c)
{
	const struct dp_port *p = dp->ports[c->slot];

	return p && p->running && !strcmp(p->cfg.name, c->port);
}

/* Takes 'c' out of the snapshots from generation 'stop_gen' on. */
static void
capture_end(struct capture *c, const char *reason, uint64_t stop_gen)
{
	c->state = CAPTURE_STOPPING;
	c->reason = reason;
	c->stop_gen = stop_gen;
}

/* Writes up to 'max' queued frames (frames past the count are freed
 * unwritten) and flushes the file. */
static void
capture_drain(struct dp *dp, struct capture *c, unsigned int max)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n, total = 0;
	bool wrote = false;
	int rc;

	while (total < max && (n = rte_ring_sc_dequeue_burst(c->ring,
				(void **)pkts, DP_BURST, NULL)) > 0) {
		total += n;
		for (unsigned int k = 0; k < n; k++) {
			if (!c->error[0] && (!c->count ||
					     c->frames < c->count)) {
				capture_write(dp->captures, c, pkts[k]);
				wrote = true;
			}
			rte_pktmbuf_free(pkts[k]);
		}
	}
	if (wrote && (rc = dp_capfile_flush(c->file)) < 0) {
		snprintf(c->error, sizeof(c->error), "cannot write the capture "
			 "file: %s", strerror(-rc));
		if (c->state == CAPTURE_RUNNING)
			capture_end(c, "error", dp->generation + 1);
	}
	if (c->state == CAPTURE_RUNNING && c->count && c->frames >= c->count)
		capture_end(c, "count", dp->generation + 1);
}

static void
capture_write(struct dp_captures *cs, struct capture *c, struct rte_mbuf *m)
{
	uint32_t keep = RTE_MIN(m->pkt_len, (uint32_t)DP_CAPFILE_SNAPLEN);
	const void *data = rte_pktmbuf_read(m, 0, keep, cs->linear);
	struct timeval ts;

	dp_capfile_time(&c->clock, *RTE_MBUF_DYNFIELD(m, cs->stamp_offset,
						      uint64_t *), &ts);
	dp_capfile_write(c->file, &ts, data, m->pkt_len);
	c->frames++;
}

/* 'c' is in no published snapshot any more: nothing else will come, so
 * the rest of its ring goes to the file, which is closed. */
static void
capture_finish(struct dp *dp, struct capture *c)
{
	unsigned int i = (unsigned int)(c - dp->captures->cap);
	int rc;

	capture_drain(dp, c, UINT32_MAX);
	rc = dp_capfile_close(c->file);
	if (rc < 0 && !c->error[0])
		snprintf(c->error, sizeof(c->error), "cannot write the capture "
			 "file: %s", strerror(-rc));
	if (c->error[0])
		c->reason = "error";
	c->file = NULL;
	rte_ring_free(c->ring);
	c->ring = NULL;
	c->dropped = capture_drops(dp, i);
	c->state = c->forget ? CAPTURE_FREE : CAPTURE_DONE;
	DP_LOG(NOTICE, "capture %u: port %s: ended (%s%s%s): %" PRIu64
	       " frames written, %" PRIu64 " dropped", c->id, c->port,
	       c->reason, c->error[0] ? ": " : "", c->error, c->frames,
	       c->dropped);
}

static uint64_t
capture_drops(const struct dp *dp, unsigned int i)
{
	uint64_t sum = 0;

	for (unsigned int w = 0; w < dp->n_workers; w++)
		sum += dp->workers[w]->capture_drops[i];
	return sum;
}

static void
capture_status(const struct dp *dp, const struct capture *c,
	       struct dp_capture_status *st)
{
	unsigned int i = (unsigned int)(c - dp->captures->cap);

	st->frames = c->frames;
	st->dropped = c->state == CAPTURE_DONE ? c->dropped
					       : capture_drops(dp, i);
	st->done = c->state != CAPTURE_RUNNING;
	st->reason = st->done ? c->reason : NULL;
	st->error = c->error[0] ? c->error : NULL;
}

static const char *
capture_dirs_name(const struct capture *c)
{
	if (c->dir[DP_CAPTURE_RX] && c->dir[DP_CAPTURE_TX])
		return "rx and tx";
	return c->dir[DP_CAPTURE_RX] ? "rx" : "tx";
}
