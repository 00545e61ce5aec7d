/* Transmit machine, 802.1AX-2008 5.4.16: when NTT is set, send one
 * LACPDU with the current actor and partner information, at most
 * LACP_TX_MAX_PER_FAST in any Fast_Periodic_Time; a PDU over the limit
 * waits (NTT stays set) until the oldest of the last three is a full
 * period old.  Nothing is sent while the periodic machine is in
 * NO_PERIODIC: NTT is then dropped, which is what keeps a passive port
 * silent until it hears an active partner. */
#include "teaming/lacp.h"

static void tx_record(struct lacp_port *, uint64_t now);

void
lacp_tx_step(struct lacp_port *p, const struct lacp_ctx *c)
{
	struct lacpdu pdu = { 0 };
	uint8_t frame[LACPDU_FRAME_SIZE];
	uint64_t free_at;
	size_t size;

	if (!p->ntt)
		return;
	if (p->periodic_state == LACP_PERIODIC_NO_PERIODIC) {
		p->ntt = false;
		return;
	}
	free_at = lacp_tx_free_at(p);
	if (free_at > c->now) {
		p->stats.tx_delayed++;
		return;
	}
	pdu.actor = p->actor;
	pdu.partner = p->partner;
	size = lacpdu_encode(&pdu, p->mac, frame, sizeof(frame));
	if (c->send)
		c->send(c->aux, p->member, frame, size);
	p->ntt = false;
	p->stats.lacpdus_tx++;
	tx_record(p, c->now);
}

uint64_t
lacp_tx_free_at(const struct lacp_port *p)
{
	if (p->n_tx < LACP_TX_MAX_PER_FAST)
		return 0;
	return p->tx_times[p->tx_next] + LACP_FAST_PERIODIC_NS;
}

/* Static helpers. */

static void
tx_record(struct lacp_port *p, uint64_t now)
{
	p->tx_times[p->tx_next] = now;
	p->tx_next = (p->tx_next + 1) % LACP_TX_MAX_PER_FAST;
	if (p->n_tx < LACP_TX_MAX_PER_FAST)
		p->n_tx++;
}
