/* Marker responder, 802.1AX-2008 5.5.  A partner's distributor sends a
 * Marker PDU on a link before moving conversations off it, and moves
 * them once the Marker Response comes back: the response must follow
 * every frame the port received before the marker.  The caller hands
 * us received slow-protocol frames after the worker has already
 * delivered the frames that preceded them on that port, so answering
 * here, at once, keeps that order.  We never send Marker PDUs (our
 * distributor moves conversations only at flowlet gaps, balance.h), so
 * a Marker Response received is only counted. */
#include "teaming/lacp.h"

#include <errno.h>

int
lacp_marker_rx(struct lacp_port *p, const struct marker_pdu *m,
	       const struct lacp_ctx *c)
{
	struct marker_pdu r;
	uint8_t frame[MARKER_FRAME_SIZE];
	size_t size;

	if (m->response) {
		p->stats.marker_responses_rx++;
		return 0;
	}
	p->stats.markers_rx++;
	/* A window opens with the first marker after a quiet second. */
	if (p->marker_count == 0 || c->now < p->marker_window ||
	    c->now - p->marker_window >= LACP_NS_PER_S) {
		p->marker_window = c->now;
		p->marker_count = 0;
	}
	if (p->marker_count >= LACP_MARKER_MAX_PER_S) {
		p->stats.markers_dropped++;
		return -EBUSY;
	}
	p->marker_count++;
	r = *m;
	r.response = true;
	size = marker_encode(&r, p->mac, frame, sizeof(frame));
	if (c->send)
		c->send(c->aux, p->member, frame, size);
	p->stats.marker_responses_tx++;
	return 0;
}
