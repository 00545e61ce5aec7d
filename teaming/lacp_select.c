/* Selection logic, 802.1AX-2008 5.4.14.  Ports aggregate when they
 * share the actor key and the partner's system (priority and MAC) and
 * key, and both ends call the link aggregatable; any other port stands
 * alone.  A team is one logical port, so it uses a single aggregation
 * group: the ports of the best group are SELECTED, every other live
 * port STANDBY (which the mux machine never attaches).
 *
 * The best group: one with a real partner over one with only defaulted
 * ports; then the larger; then the one holding the best port
 * identifier (priority, number) as seen by the system with the better
 * system identifier.  The last rule is the standard's: when the two
 * systems must agree which links to use, the one with the higher
 * priority decides, so both ends reach the same answer even when the
 * groups are of equal size (a key mismatch splits two links into two
 * groups of one; both ends then choose the same link).
 *
 * A port leaves UNSELECTED only while its mux is DETACHED, so that a
 * port the receive machine unselected always detaches from its old
 * aggregator before joining a new one. */
#include <string.h>

#include "teaming/lacp.h"

/* What makes ports aggregatable together. */
struct group_key {
	uint16_t actor_key;
	uint16_t partner_sys_prio;
	uint8_t partner_sys[6];
	uint16_t partner_key;
	int16_t individual;        /* member index of an individual port, -1 */
};

struct group {
	struct group_key key;
	bool real_partner;         /* some port is not defaulted */
	unsigned int size;         /* ports */
	uint32_t best_id;          /* lowest port identifier, see above */
	uint16_t lead;             /* lowest member index, names the group */
};

static bool eligible(const struct lacp_port *);
static struct group_key key_of(const struct lacp_port *);
static uint32_t port_id(const struct lacp_port *);
static bool better(const struct group *, const struct group *);
static void set_ready(struct lacp_port *const *ports, unsigned int n,
		      const struct group_key *best);

bool
lacp_select_run(struct lacp_port *const *ports, unsigned int n,
		const struct lacp_ctx *c)
{
	struct group groups[LACP_MAX_PORTS];
	unsigned int n_groups = 0, best = 0;
	int where[LACP_MAX_PORTS];
	bool moved = false;

	if (n > LACP_MAX_PORTS)
		n = LACP_MAX_PORTS;
	for (unsigned int i = 0; i < n; i++) {
		struct group_key k;
		unsigned int g;

		where[i] = -1;
		if (!eligible(ports[i]))
			continue;
		k = key_of(ports[i]);
		for (g = 0; g < n_groups; g++)
			if (memcmp(&groups[g].key, &k, sizeof(k)) == 0)
				break;
		if (g == n_groups) {
			memset(&groups[g], 0, sizeof(groups[g]));
			groups[g].key = k;
			groups[g].best_id = UINT32_MAX;
			groups[g].lead = ports[i]->member;
			n_groups++;
		}
		groups[g].size++;
		if (!(ports[i]->actor.state & LACP_STATE_DEFAULTED))
			groups[g].real_partner = true;
		if (port_id(ports[i]) < groups[g].best_id)
			groups[g].best_id = port_id(ports[i]);
		where[i] = (int)g;
	}
	for (unsigned int g = 1; g < n_groups; g++)
		if (better(&groups[g], &groups[best]))
			best = g;

	for (unsigned int i = 0; i < n; i++) {
		struct lacp_port *p = ports[i];
		enum lacp_selected want;

		if (where[i] < 0)
			continue;
		want = (unsigned int)where[i] == best ? LACP_SELECTED
						      : LACP_STANDBY;
		if (p->selected == want)
			continue;
		if (p->selected == LACP_UNSELECTED &&
		    p->mux_state != LACP_MUX_DETACHED)
			continue;
		lacp_set_selected(p, c, want);
		p->aggregator = groups[where[i]].lead;
		moved = true;
	}
	if (n_groups)
		set_ready(ports, n, &groups[best].key);
	return moved;
}

/* Static helpers. */

/* Only live LACP ports take part; a port with its link down is
 * UNSELECTED by its receive machine. */
static bool
eligible(const struct lacp_port *p)
{
	return p->port_enabled && p->lacp_enabled &&
	       p->rx_state != LACP_RX_INITIALIZE &&
	       p->rx_state != LACP_RX_PORT_DISABLED &&
	       p->rx_state != LACP_RX_LACP_DISABLED;
}

static struct group_key
key_of(const struct lacp_port *p)
{
	struct group_key k;

	memset(&k, 0, sizeof(k));      /* padding too: keys are memcmp'd */
	k.actor_key = p->actor.key;
	k.partner_sys_prio = p->partner.sys_prio;
	memcpy(k.partner_sys, p->partner.sys, 6);
	k.partner_key = p->partner.key;
	k.individual = (p->actor.state & p->partner.state &
			LACP_STATE_AGGREGATION) ? -1 : (int16_t)p->member;
	return k;
}

/* The port identifier that decides between groups: ours if our system
 * identifier is at least as good as the partner's, else the partner's.
 * A defaulted partner (system 0) never decides. */
static uint32_t
port_id(const struct lacp_port *p)
{
	const struct lacp_info *a = &p->actor, *b = &p->partner;
	int cmp = a->sys_prio != b->sys_prio
			  ? (a->sys_prio < b->sys_prio ? -1 : 1)
			  : memcmp(a->sys, b->sys, 6);

	if (cmp <= 0 || (p->actor.state & LACP_STATE_DEFAULTED))
		return (uint32_t)a->port_prio << 16 | a->port;
	return (uint32_t)b->port_prio << 16 | b->port;
}

static bool
better(const struct group *a, const struct group *b)
{
	if (a->real_partner != b->real_partner)
		return a->real_partner;
	if (a->size != b->size)
		return a->size > b->size;
	return a->best_id < b->best_id;
}

/* Ready (5.4.8): the waiting ports of the selected group may attach once
 * every one of them has waited out its wait_while_timer. */
static void
set_ready(struct lacp_port *const *ports, unsigned int n,
	  const struct group_key *best)
{
	bool ready = true;

	for (unsigned int i = 0; i < n; i++) {
		struct group_key k;

		if (!eligible(ports[i]))
			continue;
		k = key_of(ports[i]);
		if (memcmp(&k, best, sizeof(k)) == 0 &&
		    ports[i]->mux_state == LACP_MUX_WAITING &&
		    ports[i]->selected == LACP_SELECTED && !ports[i]->ready_n)
			ready = false;
	}
	for (unsigned int i = 0; i < n; i++)
		ports[i]->ready = ready;
}
