/* NIC teams, the control thread's side (teamport.h "Control thread"):
 * opening and closing a team port's members, running its team, and
 * publishing its balancing table.  Control thread only. */
#define DP_LOG_THIS DP_LOG_TEAM

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dataplane/log.h"
#include "dataplane/teamport.h"
#include "dataplane/vlan.h"
#include "teaming/announce.h"

#define TEAM_KEY 1                  /* LACP key of every member */
#define TEAM_EVENTS_PER_RUN 64
#define TEAM_MAX_MOVES 256u

static int members_open(struct dp *, struct dp_port *, struct dp_team *,
			char *err, size_t errsz);
static void member_close(struct dp *, struct dp_port *m);
static int team_objects_create(struct dp *, struct dp_port *,
			       struct dp_team *, char *err, size_t errsz);
static void team_free(struct dp_team *);
static void team_send(void *aux, unsigned int member, const uint8_t *frame,
		      size_t size);
static int ctl_enqueue(struct dp_team *, unsigned int member,
		       const uint8_t *frame, size_t size);
static bool member_read_link(const struct dp_team *, unsigned int i);
static void team_poll_links(struct dp_port *, uint64_t now);
static void team_drain_slowp(struct dp_port *, uint64_t now);
static void team_log_events(struct dp_port *);
static void team_update(struct dp *, struct dp_port *);
static void team_rebalance(struct dp *, struct dp_port *, uint64_t now);
static void team_sample_share(struct dp *, struct dp_port *, uint64_t now);
static void balance_publish(struct dp *, struct dp_team *, bool wait);
static void announce_moves(struct dp *, struct dp_port *, uint32_t old,
			   const struct team_move *, unsigned int n_moves);
static unsigned int announce_source(struct dp *, struct dp_port *,
				    const struct dp_mac_entry *, unsigned int n,
				    uint16_t source, int member);
static bool announce_one(struct dp *, struct dp_port *,
			 const struct dp_mac_entry *, int member);
static int free_slot(const struct dp *);
static uint64_t now_ns(const struct dp *);

int
dp_team_open(struct dp *dp, struct dp_port *p, char *err, size_t errsz)
{
	struct dp_team *t = calloc(1, sizeof(*t));
	int rc;

	if (!t) {
		snprintf(err, errsz, "ports[%s].team: out of memory",
			 p->cfg.name);
		return -ENOMEM;
	}
	p->team = t;
	t->pool = dp->pool;
	rc = members_open(dp, p, t, err, errsz);
	if (rc == 0)
		rc = team_objects_create(dp, p, t, err, errsz);
	if (rc < 0) {
		for (unsigned int i = 0; i < t->n_members; i++)
			member_close(dp, t->members[i]);
		team_free(t);
		p->team = NULL;
		return rc;
	}
	dp->n_teams++;
	DP_LOG(NOTICE, "port %s: team %s, %s, %u member(s)", p->cfg.name,
	       p->team_cfg.name, ctl_team_mode_name(p->team_cfg.mode),
	       t->n_members);
	return 0;
}

void
dp_team_close(struct dp *dp, struct dp_port *p)
{
	struct dp_team *t = p->team;

	if (!t)
		return;
	dp_team_unlink(dp, p);
	for (unsigned int i = 0; i < t->n_members; i++)
		member_close(dp, t->members[i]);
	team_free(t);
	p->team = NULL;
	dp->n_teams--;
}

void
dp_team_unlink(struct dp *dp, struct dp_port *p)
{
	if (dp->ports[p->slot] == p)
		dp->ports[p->slot] = NULL;
	if (!p->team)
		return;
	for (unsigned int i = 0; i < p->team->n_members; i++) {
		struct dp_port *m = p->team->members[i];

		if (dp->ports[m->slot] == m)
			dp->ports[m->slot] = NULL;
	}
}

int
dp_team_run(struct dp *dp)
{
	uint64_t now, next = UINT64_MAX;
	int wait_ms = DP_TEAM_POLL_MS;

	if (dp->n_teams == 0)
		return -1;
	now = now_ns(dp);
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port *p = dp->ports[slot];

		if (!p || !p->team || !p->running)
			continue;
		/* Received PDUs before timers: a PDU that waited in the
		 * ring still counts before the partner is judged. */
		team_poll_links(p, now);
		team_drain_slowp(p, now);
		team_tick(p->team->team, now);
		team_log_events(p);
		team_update(dp, p);
		team_rebalance(dp, p, now);
		team_sample_share(dp, p, now);
		next = RTE_MIN(next, team_next_wakeup(p->team->team));
	}
	/* Links are read every DP_TEAM_POLL_MS; a timer due sooner wakes
	 * the loop sooner. */
	now = now_ns(dp);
	if (next < now + DP_TEAM_POLL_MS * 1000000ull)
		wait_ms = next <= now ? 1 : (int)((next - now) / 1000000u) + 1;
	return wait_ms;
}

void
dp_team_sync_sources(struct dp *dp)
{
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		struct dp_port *p = dp->ports[slot];
		struct dp_team *t;
		bool changed = false;

		if (!p || !p->team || p->team_cfg.lb != CTL_TEAM_LB_HYPERV_PORT)
			continue;
		t = p->team;
		for (unsigned int s = 0; s < DP_MAX_PORTS &&
					 s < TEAM_MAX_SOURCES; s++) {
			const struct dp_port *q = dp->ports[s];
			bool want = q && !q->team && !dp_port_is_member(q);

			if (want == t->source[s])
				continue;
			if (want)
				team_balancer_add_source(t->bal, s);
			else
				team_balancer_remove_source(t->bal, s);
			t->source[s] = want;
			changed = true;
		}
		if (changed)
			balance_publish(dp, t, true);
	}
}

void
dp_team_fill(const struct dp_port *p, struct dp_snapshot *s)
{
	const struct dp_team *t = p->team;

	s->ports[p->slot].team = t->view;
	for (unsigned int i = 0; i < t->n_members; i++) {
		const struct dp_port *m = t->members[i];
		struct dp_port_view *mv = &s->ports[m->slot];
		uint8_t w = m->assign[0];

		mv->team_member = true;
		mv->member_idx = (uint8_t)i;
		mv->team_slot = p->slot;
		mv->ctl_tx = m->ctl_tx;
		/* The worker polling the first queue sends control frames:
		 * it owns a shared transmit queue (snapshot.c). */
		if (w != DP_NO_WORKER)
			s->ctl[w][s->n_ctl[w]++] = m->slot;
	}
}

bool
dp_team_member_link(const struct dp_port *p, unsigned int i)
{
	return p->team && i < p->team->n_members && p->team->link[i];
}

/* Static helpers. */

/* Opens every member of 'p' into a free slot of its own. */
static int
members_open(struct dp *dp, struct dp_port *p, struct dp_team *t, char *err,
	     size_t errsz)
{
	const struct ctl_team *tc = &p->team_cfg;
	char name[RTE_RING_NAMESIZE];

	for (unsigned int i = 0; i < tc->n_members; i++) {
		int slot = free_slot(dp), rc;
		struct dp_port *m;

		if (slot < 0 || !(m = calloc(1, sizeof(*m)))) {
			snprintf(err, errsz, "ports[%s].team: no room for "
				 "member %s", p->cfg.name, tc->members[i]);
			return -ENOSPC;
		}
		m->cfg = p->cfg;
		m->cfg.team[0] = '\0';
		snprintf(m->cfg.devargs, sizeof(m->cfg.devargs), "%s",
			 tc->members[i]);
		m->slot = (uint16_t)slot;
		m->team_of = p;
		m->member_idx = (uint8_t)i;
		dp_port_counters_zero(dp, m->slot);
		dp->ports[slot] = m;
		t->members[t->n_members++] = m;
		rc = dp_port_open(dp, m, err, errsz);
		if (rc < 0)
			return rc;
		snprintf(name, sizeof(name), "vs_ctl_%u", ++dp->dev_seq);
		m->ctl_tx = rte_ring_create(name, DP_CTL_TX_SIZE,
					    SOCKET_ID_ANY,
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!m->ctl_tx) {
			snprintf(err, errsz, "ports[%s].team: cannot create "
				 "ring: %s", p->cfg.name,
				 rte_strerror(rte_errno));
			return -ENOMEM;
		}
		dp_devargs_iface(tc->members[i], t->iface[i],
				 sizeof(t->iface[i]));
		dp_sched_assign_new(dp, m);
	}
	return 0;
}

static void
member_close(struct dp *dp, struct dp_port *m)
{
	void *f;

	if (dp->ports[m->slot] == m)
		dp->ports[m->slot] = NULL;
	dp_port_close(dp, m);
	if (m->ctl_tx) {
		while (rte_ring_sc_dequeue(m->ctl_tx, &f) == 0)
			rte_pktmbuf_free(f);
		rte_ring_free(m->ctl_tx);
	}
	dp_port_counters_zero(dp, m->slot);
	free(m);
}

static enum team_mode
mode_of(enum ctl_team_mode m)
{
	return m == CTL_TEAM_LACP ? TEAM_MODE_LACP
	     : m == CTL_TEAM_STATIC ? TEAM_MODE_STATIC
	     : TEAM_MODE_SWITCH_INDEPENDENT;
}

static struct team_balancer_config
balancer_config_of(const struct ctl_team *tc)
{
	struct team_balancer_config bc = { 0 };

	bc.lb = tc->lb == CTL_TEAM_LB_HYPERV_PORT ? TEAM_LB_HYPERV_PORT
	      : tc->lb == CTL_TEAM_LB_DYNAMIC ? TEAM_LB_DYNAMIC
	      : TEAM_LB_ADDRESS_HASH;
	bc.hash = tc->hash == CTL_TEAM_HASH_MAC ? TEAM_HASH_MAC
		: tc->hash == CTL_TEAM_HASH_IP ? TEAM_HASH_IP
		: TEAM_HASH_PORTS;
	return bc;
}

/* The team, its balancer, the workers' view and the slow-protocol ring;
 * then the members join with their current link. */
static int
team_objects_create(struct dp *dp, struct dp_port *p, struct dp_team *t,
		    char *err, size_t errsz)
{
	const struct ctl_team *tc = &p->team_cfg;
	struct team_balancer_config bc = balancer_config_of(tc);
	struct team_config cfg;
	char name[RTE_RING_NAMESIZE];
	uint64_t now = now_ns(dp);
	struct rte_ether_addr mac;

	for (unsigned int i = 0; i < t->n_members; i++) {
		if (rte_eth_macaddr_get(t->members[i]->port_id, &mac) < 0)
			memset(&mac, 0, sizeof(mac));
		memcpy(t->mac[i], mac.addr_bytes, 6);
	}
	team_config_init(&cfg);
	cfg.mode = mode_of(tc->mode);
	cfg.lacp_active = !tc->lacp_passive;
	cfg.lacp_fast = tc->lacp_fast;
	cfg.key = TEAM_KEY;
	/* The system is named after the first member, as bonding drivers
	 * do: unique to this team on the wire. */
	memcpy(cfg.sys_mac, t->mac[0], 6);
	cfg.send = team_send;
	cfg.aux = t;
	t->team = team_create(&cfg);
	t->bal = team_balancer_create(&bc);
	t->view = rte_zmalloc("vs_team", sizeof(*t->view),
			      RTE_CACHE_LINE_SIZE);
	snprintf(name, sizeof(name), "vs_slowp_%u", ++dp->dev_seq);
	if (t->view)
		t->view->slowp = rte_ring_create(name, DP_SLOWP_RX_SIZE,
						 SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (!t->team || !t->bal || !t->view || !t->view->slowp) {
		snprintf(err, errsz, "ports[%s].team: cannot create team %s: "
			 "%s", p->cfg.name, tc->name, t->team && t->bal
			 ? rte_strerror(rte_errno) : strerror(errno));
		return -ENOMEM;
	}
	t->view->lb = (uint8_t)bc.lb;
	t->view->hash = (uint8_t)bc.hash;
	t->view->lacp = cfg.mode == TEAM_MODE_LACP;
	t->view->switch_independent = cfg.mode == TEAM_MODE_SWITCH_INDEPENDENT;
	t->view->n_members = (uint8_t)t->n_members;
	t->view->slot = p->slot;
	for (unsigned int w = 0; bc.lb == TEAM_LB_DYNAMIC &&
				 w < dp->n_workers; w++) {
		t->view->flowlet[w] = rte_zmalloc("vs_flowlet",
			sizeof(struct team_flowlet), RTE_CACHE_LINE_SIZE);
		if (!t->view->flowlet[w]) {
			snprintf(err, errsz, "ports[%s].team: out of memory",
				 p->cfg.name);
			return -ENOMEM;
		}
		team_flowlet_init(t->view->flowlet[w]);
	}
	for (unsigned int i = 0; i < t->n_members; i++) {
		struct team_member_config mc = { 0 };

		t->view->member_slot[i] = t->members[i]->slot;
		memcpy(mc.mac, t->mac[i], 6);
		mc.port = (uint16_t)(i + 1);
		if (team_add_member(t->team, i, &mc, now) < 0) {
			snprintf(err, errsz, "ports[%s].team: teams[%s]."
				 "members[%u]: its MAC is not usable",
				 p->cfg.name, tc->name, i);
			return -EINVAL;
		}
		t->link[i] = member_read_link(t, i);
		team_set_link(t->team, i, t->link[i], now);
	}
	/* Not visible to any worker yet: no grace period needed. */
	balance_publish(dp, t, false);
	return 0;
}

static void
team_free(struct dp_team *t)
{
	struct team_balance *b;
	void *f;

	if (t->view) {
		if (t->view->slowp) {
			while (rte_ring_sc_dequeue(t->view->slowp, &f) == 0)
				rte_pktmbuf_free(f);
			rte_ring_free(t->view->slowp);
		}
		for (unsigned int w = 0; w < DP_MAX_WORKERS; w++)
			rte_free(t->view->flowlet[w]);
		b = (struct team_balance *)atomic_load_explicit(
			&t->view->balance, memory_order_relaxed);
		free(b);
		rte_free(t->view);
	}
	team_balancer_destroy(t->bal);
	if (t->team)
		team_destroy(t->team);
	free(t);
}

/* team.h's 'send': a frame the team sends on 'member'. */
static void
team_send(void *aux, unsigned int member, const uint8_t *frame, size_t size)
{
	ctl_enqueue(aux, member, frame, size);
}

/* Queues a copy of 'frame' for the worker that sends for 'member'.
 * Returns 0 or -ENOBUFS (counted). */
static int
ctl_enqueue(struct dp_team *t, unsigned int member, const uint8_t *frame,
	    size_t size)
{
	struct rte_mbuf *m;
	char *data;

	if (member >= t->n_members)
		return -ENOBUFS;
	m = rte_pktmbuf_alloc(t->pool);
	data = m ? rte_pktmbuf_append(m, (uint16_t)size) : NULL;
	if (!data) {
		rte_pktmbuf_free(m);
		t->ctl_dropped++;
		return -ENOBUFS;
	}
	memcpy(data, frame, size);
	if (rte_ring_sp_enqueue(t->members[member]->ctl_tx, m) != 0) {
		rte_pktmbuf_free(m);
		t->ctl_dropped++;
		return -ENOBUFS;
	}
	return 0;
}

/* An af_packet member's link is its kernel interface's carrier (which
 * reads as an error while the interface is administratively down); any
 * other device reports its own. */
static bool
member_read_link(const struct dp_team *t, unsigned int i)
{
	struct rte_eth_link link;
	char path[96], c = '0';
	int fd;

	if (!t->iface[i][0])
		return rte_eth_link_get_nowait(t->members[i]->port_id,
					       &link) == 0 &&
		       link.link_status == RTE_ETH_LINK_UP;
	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier",
		 t->iface[i]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

static void
team_poll_links(struct dp_port *p, uint64_t now)
{
	struct dp_team *t = p->team;

	for (unsigned int i = 0; i < t->n_members; i++) {
		bool up = member_read_link(t, i);

		if (up == t->link[i])
			continue;
		t->link[i] = up;
		DP_LOG(NOTICE, "port %s: team %s: member %u (%s) link %s",
		       p->cfg.name, p->team_cfg.name, i,
		       p->team_cfg.members[i], up ? "up" : "down");
		/* Takes effect in the call: team_update() publishes. */
		team_set_link(t->team, i, up, now);
	}
}

static void
team_drain_slowp(struct dp_port *p, uint64_t now)
{
	struct dp_team *t = p->team;
	uint8_t buf[256];
	void *obj;

	while (rte_ring_sc_dequeue(t->view->slowp, &obj) == 0) {
		struct rte_mbuf *m = obj;
		uint32_t size = RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf));
		const uint8_t *frame = rte_pktmbuf_read(m, 0, size, buf);
		int rc = team_rx(t->team, m->port, frame, size, now);

		if (rc == -EINVAL || rc == -ENOTSUP)
			t->slowp_bad++;
		rte_pktmbuf_free(m);
	}
}

/* LACP transitions at INFO (they are how LACP is followed forming or
 * falling apart); distribution changes at NOTICE (team_update()). */
static void
team_log_events(struct dp_port *p)
{
	struct team_event ev[TEAM_EVENTS_PER_RUN];
	unsigned int n;
	char line[128];

	while ((n = team_events_drain(p->team->team, ev, TEAM_EVENTS_PER_RUN))
	       > 0)
		for (unsigned int i = 0; i < n; i++) {
			team_event_format(&ev[i], line, sizeof(line));
			DP_LOG(INFO, "port %s: team %s: %s", p->cfg.name,
			       p->team_cfg.name, line);
		}
}

/* Failover and recovery: a new distributing set is published at once. */
static void
team_update(struct dp *dp, struct dp_port *p)
{
	static struct team_move moves[TEAM_MAX_MOVES];
	struct dp_team *t = p->team;
	uint32_t mask = team_distributing_mask(t->team), old = t->mask;
	unsigned int n;

	if (mask == old)
		return;
	n = team_balancer_set_members(t->bal, mask, moves, TEAM_MAX_MOVES);
	t->mask = mask;
	balance_publish(dp, t, true);
	for (unsigned int i = 0; i < t->n_members; i++)
		if ((mask ^ old) >> i & 1)
			DP_LOG(NOTICE, "port %s: team %s: member %u (%s) %s "
			       "distributing", p->cfg.name, p->team_cfg.name,
			       i, p->team_cfg.members[i],
			       mask >> i & 1 ? "starts" : "stops");
	DP_LOG(NOTICE, "port %s: team %s: %d of %u member(s) distribute",
	       p->cfg.name, p->team_cfg.name, __builtin_popcount(mask),
	       t->n_members);
	if (p->team_cfg.mode == CTL_TEAM_SWITCH_INDEPENDENT && mask)
		announce_moves(dp, p, old, moves, RTE_MIN(n, TEAM_MAX_MOVES));
}

/* Dynamic: the bytes each worker sent per bucket since the last round
 * move buckets to the least loaded member. */
static void
team_rebalance(struct dp *dp, struct dp_port *p, uint64_t now)
{
	struct dp_team *t = p->team;
	uint64_t sum[TEAM_BUCKETS] = { 0 }, delta[TEAM_BUCKETS];

	if (t->view->lb != TEAM_LB_DYNAMIC ||
	    now - t->rebalance_ns < DP_TEAM_REBALANCE_MS * 1000000ull)
		return;
	t->rebalance_ns = now;
	for (unsigned int w = 0; w < dp->n_workers; w++)
		team_flowlet_read_bytes(t->view->flowlet[w], sum);
	for (unsigned int i = 0; i < TEAM_BUCKETS; i++) {
		delta[i] = sum[i] - t->bytes_seen[i];
		t->bytes_seen[i] = sum[i];
	}
	if (team_balancer_rebalance(t->bal, delta) > 0)
		balance_publish(dp, t, true);
}

/* load_share: each member's part of the bytes the team sent in the last
 * DP_TEAM_SHARE_MS. */
static void
team_sample_share(struct dp *dp, struct dp_port *p, uint64_t now)
{
	struct dp_team *t = p->team;
	struct dp_port_counters c;

	if (now - t->share_ns < DP_TEAM_SHARE_MS * 1000000ull)
		return;
	t->share_ns = now;
	for (unsigned int i = 0; i < t->n_members; i++) {
		dp_port_counters_sum(dp, t->members[i]->slot, &c);
		t->tx_bytes_delta[i] = c.tx_bytes - t->tx_bytes_last[i];
		t->tx_bytes_last[i] = c.tx_bytes;
	}
}

/* Builds and publishes the balancing table; with 'wait', frees the one
 * it replaces after a grace period (teamport.h "RCU"). */
static void
balance_publish(struct dp *dp, struct dp_team *t, bool wait)
{
	struct team_balance *b = malloc(sizeof(*b)), *old;

	if (!b) {
		DP_LOG(ERR, "out of memory: team table not published");
		return;
	}
	team_balancer_publish(t->bal, b);
	/* Release: the table's contents are visible to a worker that
	 * loads the pointer with acquire (teamport_dp.c). */
	old = (struct team_balance *)atomic_exchange_explicit(
		&t->view->balance, b, memory_order_acq_rel);
	if (old && wait)
		rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
	free(old);
}

/* Switch-independent failover: the physical network learns where the
 * MACs behind the switch are now.  hyperv-port: the sources that moved,
 * on their new member.  The hashes: after a member left, every MAC,
 * each on the member its own frames now take. */
static void
announce_moves(struct dp *dp, struct dp_port *p, uint32_t old,
	       const struct team_move *moves, unsigned int n_moves)
{
	struct dp_team *t = p->team;
	unsigned int cap = dp_mactable_count(dp->macs) + 64, n, sent = 0;
	struct dp_mac_entry *e;

	if (p->team_cfg.lb != CTL_TEAM_LB_HYPERV_PORT && !(old & ~t->mask))
		return;
	e = calloc(cap, sizeof(*e));
	if (!e)
		return;
	n = RTE_MIN(cap, dp_mactable_dump(dp->macs, e, cap));
	if (p->team_cfg.lb == CTL_TEAM_LB_HYPERV_PORT) {
		for (unsigned int i = 0; i < n_moves; i++)
			sent += announce_source(dp, p, e, n, moves[i].source,
						moves[i].to);
	} else {
		for (unsigned int i = 0; i < n; i++) {
			const struct dp_port *q = dp->ports[e[i].port];

			if (q && !q->team && !dp_port_is_member(q))
				sent += announce_one(dp, p, &e[i], -1);
		}
	}
	free(e);
	t->announced += sent;
	if (sent)
		DP_LOG(NOTICE, "port %s: team %s: %u MAC(s) announced",
		       p->cfg.name, p->team_cfg.name, sent);
}

static unsigned int
announce_source(struct dp *dp, struct dp_port *p,
		const struct dp_mac_entry *e, unsigned int n, uint16_t source,
		int member)
{
	unsigned int sent = 0;

	for (unsigned int i = 0; i < n; i++)
		if (e[i].port == source)
			sent += announce_one(dp, p, &e[i], member);
	return sent;
}

/* Sends a RARP for 'e' on 'member' (-1: the member a frame from that
 * MAC takes), tagged as the team port sends its VLAN.  Returns whether
 * it was queued. */
static bool
announce_one(struct dp *dp, struct dp_port *p, const struct dp_mac_entry *e,
	     int member)
{
	const struct dp_snapshot *s = atomic_load_explicit(
		&dp->snap, memory_order_relaxed);
	const struct team_balance *b = atomic_load_explicit(
		&p->team->view->balance, memory_order_relaxed);
	uint8_t frame[TEAM_ANNOUNCE_SIZE];
	uint16_t tag;
	size_t size;

	switch (dp_vlan_egress(&s->ports[p->slot].vlan, e->vlan)) {
	case DP_VLAN_OUT_TAGGED:
		tag = e->vlan;
		break;
	case DP_VLAN_OUT_UNTAGGED:
		tag = TEAM_NO_VLAN;
		break;
	default:
		return false;
	}
	if (member < 0) {
		struct team_flow f = { 0 };

		memset(f.dst_mac, 0xff, 6);
		memcpy(f.src_mac, e->mac, 6);
		f.vlan = tag == TEAM_NO_VLAN ? 0 : tag;
		member = (int)team_balance_by_hash(b,
			team_flow_hash(&f, TEAM_HASH_MAC));
	}
	size = team_build_rarp(frame, sizeof(frame), e->mac, tag);
	return size && ctl_enqueue(p->team, (unsigned int)member, frame,
				   size) == 0;
}

static int
free_slot(const struct dp *dp)
{
	for (int slot = 0; slot < DP_MAX_PORTS; slot++)
		if (!dp->ports[slot])
			return slot;
	return -1;
}

static uint64_t
now_ns(const struct dp *dp)
{
	return dp_tsc_to_ns(dp, rte_get_tsc_cycles());
}
