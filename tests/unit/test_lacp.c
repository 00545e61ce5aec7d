/* Unit tests for the LACP machines through teaming/team.h: two teams
 * back to back on a virtual clock, their members wired in pairs, every
 * frame one sends handed to the other in memory one step later.  No
 * sleeps: 30 s of protocol run in milliseconds.
 *
 * Every frame sent goes through one callback, which also checks the
 * transmit limit of 802.1AX-2008 5.4.16 (no more than three LACPDUs in
 * any second) in every scenario. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "teaming/team.h"

#define MS 1000000ull
#define S 1000000000ull
#define NMAX 4
#define QMAX 256

struct frame {
	unsigned int member;
	size_t size;
	uint8_t b[LACPDU_FRAME_SIZE];
};

struct sim;

/* One switch: its team and the frames it sent that are on the wire. */
struct end {
	struct sim *sim;
	struct team *t;
	unsigned int n;                 /* members */
	struct frame q[QMAX];           /* sent, not yet delivered */
	unsigned int nq;
	bool mute;                      /* what it sends is lost */
	bool hold;                      /* frames to it wait (stalled) */
	uint64_t lacpdus[NMAX];         /* LACPDUs sent, per member */
	uint64_t responses[NMAX];       /* Marker Responses sent */
	uint64_t tx_times[NMAX][3];     /* its last three LACPDUs */
	unsigned int n_tx[NMAX];
	unsigned int limit_broken;      /* 4 LACPDUs within a second */
	uint64_t last_rx[NMAX];         /* last LACPDU delivered to it */
	struct frame last_response;
};

struct sim {
	uint64_t now;
	struct end a, b;
	unsigned int wire[NMAX];        /* a's member i <-> b's wire[i] */
};

static const uint8_t sys_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t sys_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void
on_send(void *aux, unsigned int member, const uint8_t *frame, size_t size)
{
	struct end *e = aux;
	uint64_t now = e->sim->now;

	cr_assert_lt(member, e->n);
	cr_assert_lt(e->nq, QMAX, "send queue overflow");
	cr_assert_leq(size, LACPDU_FRAME_SIZE);
	e->q[e->nq].member = member;
	e->q[e->nq].size = size;
	memcpy(e->q[e->nq].b, frame, size);
	e->nq++;
	if (slowp_subtype(frame, size) == SLOWP_SUBTYPE_MARKER) {
		e->responses[member]++;
		e->last_response = e->q[e->nq - 1];
		return;
	}
	e->lacpdus[member]++;
	if (e->n_tx[member] >= 3 && now - e->tx_times[member][0] < S)
		e->limit_broken++;
	memmove(&e->tx_times[member][0], &e->tx_times[member][1],
		2 * sizeof(uint64_t));
	e->tx_times[member][2] = now;
	e->n_tx[member]++;
}

static struct team_config
config(const uint8_t sys[6], bool active, bool fast)
{
	struct team_config c;

	team_config_init(&c);
	memcpy(c.sys_mac, sys, 6);
	c.lacp_active = active;
	c.lacp_fast = fast;
	c.send = on_send;
	return c;
}

static void
end_init(struct sim *s, struct end *e, const struct team_config *cfg,
	 unsigned int n, const uint16_t *keys)
{
	memset(e, 0, sizeof(*e));
	e->sim = s;
	e->n = n;
	struct team_config c = *cfg;

	c.aux = e;
	e->t = team_create(&c);
	cr_assert_not_null(e->t);
	for (unsigned int i = 0; i < n; i++) {
		struct team_member_config m = { 0 };

		memcpy(m.mac, c.sys_mac, 6);
		m.mac[4] = (uint8_t)(i + 1);
		m.key = keys ? keys[i] : 0;
		cr_assert_eq(team_add_member(e->t, i, &m, s->now), 0);
	}
}

/* Two teams of 'n' members, wired straight (member i to member i), all
 * links up at time 0. */
static void
sim_init(struct sim *s, unsigned int n, const struct team_config *ca,
	 const struct team_config *cb, const uint16_t *keys_b)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < NMAX; i++)
		s->wire[i] = i;
	end_init(s, &s->a, ca, n, NULL);
	end_init(s, &s->b, cb, n, keys_b);
}

static void
sim_links_up(struct sim *s)
{
	for (unsigned int i = 0; i < s->a.n; i++) {
		cr_assert_eq(team_set_link(s->a.t, i, true, s->now), 0);
		cr_assert_eq(team_set_link(s->b.t, s->wire[i], true, s->now),
			     0);
	}
}

static void
sim_fini(struct sim *s)
{
	cr_expect_eq(s->a.limit_broken, 0, "a sent 4 LACPDUs in a second");
	cr_expect_eq(s->b.limit_broken, 0, "b sent 4 LACPDUs in a second");
	team_destroy(s->a.t);
	team_destroy(s->b.t);
}

static unsigned int
peer_member(const struct sim *s, bool to_b, unsigned int member)
{
	if (to_b)
		return s->wire[member];
	for (unsigned int i = 0; i < NMAX; i++)
		if (s->wire[i] == member)
			return i;
	cr_assert_fail("no wire");
	return 0;
}

/* Hands what 'from' sent to 'to'. */
static void
deliver(struct sim *s, struct end *from, struct end *to, bool to_b)
{
	struct frame q[QMAX];
	unsigned int n = from->nq;

	if (to->hold)
		return;
	memcpy(q, from->q, n * sizeof(q[0]));
	from->nq = 0;
	if (from->mute)
		return;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int m = peer_member(s, to_b, q[i].member);

		if (slowp_subtype(q[i].b, q[i].size) == SLOWP_SUBTYPE_LACP)
			to->last_rx[m] = s->now;
		team_rx(to->t, m, q[i].b, q[i].size, s->now);
	}
}

/* One step of 'step' ns: the wire delivers what was sent during the
 * last step, then both teams tick (a stalled one does not). */
static void
sim_step(struct sim *s, uint64_t step)
{
	s->now += step;
	deliver(s, &s->a, &s->b, true);
	deliver(s, &s->b, &s->a, false);
	if (!s->a.hold)
		team_tick(s->a.t, s->now);
	if (!s->b.hold)
		team_tick(s->b.t, s->now);
}

static void
sim_run(struct sim *s, uint64_t duration, uint64_t step)
{
	uint64_t end = s->now + duration;

	while (s->now < end)
		sim_step(s, step);
}

static uint32_t
all_members(const struct end *e)
{
	return (uint32_t)((1ull << e->n) - 1);
}

static struct team_member_status
status(const struct end *e, unsigned int m)
{
	struct team_member_status st;

	team_member_status(e->t, m, &st);
	return st;
}

static uint64_t
total_lacpdus(const struct end *e)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < NMAX; i++)
		n += e->lacpdus[i];
	return n;
}

/* Runs until both sides distribute on every member; returns the time
 * it took, or UINT64_MAX if not within 'limit'. */
static uint64_t
time_to_form(struct sim *s, uint64_t limit, uint64_t step)
{
	uint64_t start = s->now;

	while (s->now - start <= limit) {
		if (team_distributing_mask(s->a.t) == all_members(&s->a) &&
		    team_distributing_mask(s->b.t) == all_members(&s->b))
			return s->now - start;
		sim_step(s, step);
	}
	return UINT64_MAX;
}

/* ---- forming ---------------------------------------------------------- */

Test(lacp, aggregation_forms_fast_within_3s)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint64_t t;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	t = time_to_form(&s, 3 * S, 1 * MS);
	cr_assert_leq(t, 3 * S, "formed after %llu ms",
		      (unsigned long long)(t / MS));
	/* No earlier than Aggregate_Wait_Time: the ports wait for each
	 * other before attaching. */
	cr_expect_geq(t, 2 * S);
	for (unsigned int i = 0; i < 2; i++) {
		struct team_member_status a = status(&s.a, i);

		cr_expect_eq(a.actor.state, LACP_STATE_ACTIVITY |
			     LACP_STATE_TIMEOUT | LACP_STATE_AGGREGATION |
			     LACP_STATE_SYNC | LACP_STATE_COLLECTING |
			     LACP_STATE_DISTRIBUTING, "actor state %#x",
			     a.actor.state);
		cr_expect_arr_eq(a.partner.sys, sys_b, 6);
		cr_expect_eq(a.partner.port, i + 1);
		cr_expect(a.partner.state & LACP_STATE_SYNC);
		cr_expect_eq(a.rx_state, LACP_RX_CURRENT);
		cr_expect_eq(a.selected, LACP_SELECTED);
		cr_expect_eq(a.aggregator, 0, "both in member 0's group");
	}
	/* And it stays formed. */
	sim_run(&s, 60 * S, 10 * MS);
	cr_expect_eq(team_distributing_mask(s.a.t), 3);
	cr_expect_eq(team_distributing_mask(s.b.t), 3);
	sim_fini(&s);
}

Test(lacp, aggregation_forms_slow_too)
{
	struct team_config ca = config(sys_a, true, false);
	struct team_config cb = config(sys_b, true, false);
	struct sim s;

	sim_init(&s, 3, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_run(&s, 300 * S, 100 * MS);
	cr_expect_eq(team_distributing_mask(s.a.t), 7);
	cr_expect_eq(team_distributing_mask(s.b.t), 7);
	cr_expect_eq(status(&s.a, 0).rx_state, LACP_RX_CURRENT);
	sim_fini(&s);
}

Test(lacp, active_passive_forms)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, false, true);
	struct sim s;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_expect_eq(total_lacpdus(&s.b), 0,
		     "passive speaks only when spoken to");
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	cr_expect_eq(status(&s.b, 0).actor.state & LACP_STATE_ACTIVITY, 0);
	cr_expect(status(&s.a, 0).partner.state & LACP_STATE_SYNC);
	sim_run(&s, 30 * S, 10 * MS);
	cr_expect_eq(team_distributing_mask(s.a.t), 3);
	cr_expect_eq(team_distributing_mask(s.b.t), 3);
	sim_fini(&s);
}

Test(lacp, passive_passive_never_aggregates)
{
	struct team_config ca = config(sys_a, false, true);
	struct team_config cb = config(sys_b, false, true);
	struct sim s;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	sim_run(&s, 120 * S, 10 * MS);
	cr_expect_eq(total_lacpdus(&s.a), 0);
	cr_expect_eq(total_lacpdus(&s.b), 0);
	cr_expect_eq(team_distributing_mask(s.a.t), 0);
	cr_expect_eq(team_distributing_mask(s.b.t), 0);
	cr_expect_eq(status(&s.a, 0).rx_state, LACP_RX_DEFAULTED);
	cr_expect_eq(status(&s.a, 0).periodic_state, LACP_PERIODIC_NO_PERIODIC);
	sim_fini(&s);
}

/* ---- keys and selection ---------------------------------------------- */

/* b's member 1 has another key: the two links cannot be one aggregate.
 * Each end uses one link, the same one, and holds the other in
 * standby. */
static void
check_key_mismatch(struct sim *s, unsigned int a_used,
		   const uint16_t *keys_b)
{
	unsigned int a_other = 1 - a_used;
	unsigned int b_used = s->wire[a_used], b_other = s->wire[a_other];

	cr_expect_eq(team_distributing_mask(s->a.t), 1u << a_used,
		     "a mask %#x", team_distributing_mask(s->a.t));
	cr_expect_eq(team_distributing_mask(s->b.t), 1u << b_used,
		     "b mask %#x", team_distributing_mask(s->b.t));
	cr_expect_eq(status(&s->a, a_other).selected, LACP_STANDBY);
	cr_expect_eq(status(&s->b, b_other).selected, LACP_STANDBY);
	cr_expect_eq(status(&s->a, a_other).actor.state & LACP_STATE_SYNC, 0);
	cr_expect_eq(status(&s->a, a_other).partner.key, keys_b[b_other]);
	cr_expect_eq(status(&s->a, a_used).partner.key, keys_b[b_used]);
}

Test(lacp, key_mismatch_not_aggregated)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	const uint16_t keys[2] = { 1, 2 };
	struct sim s;

	sim_init(&s, 2, &ca, &cb, keys);
	sim_links_up(&s);
	sim_run(&s, 10 * S, 1 * MS);
	check_key_mismatch(&s, 0, keys);
	sim_fini(&s);
}

/* Crossed wiring, so that b's own port order would pick the other link:
 * b must follow a, whose system identifier is better. */
Test(lacp, key_mismatch_higher_priority_system_decides)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	const uint16_t keys[2] = { 2, 1 };
	struct sim s;

	memset(&s, 0, sizeof(s));
	s.wire[0] = 1;
	s.wire[1] = 0;
	end_init(&s, &s.a, &ca, 2, NULL);
	end_init(&s, &s.b, &cb, 2, keys);
	sim_links_up(&s);
	sim_run(&s, 10 * S, 1 * MS);
	check_key_mismatch(&s, 0, keys);
	sim_fini(&s);
}

Test(lacp, churn_counted_when_sync_never_comes)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	const uint16_t keys[2] = { 1, 2 };
	struct sim s;

	sim_init(&s, 2, &ca, &cb, keys);
	sim_links_up(&s);
	sim_run(&s, 59 * S, 10 * MS);
	cr_expect_eq(status(&s.a, 1).stats.actor_churn, 0,
		     "not before Churn_Detection_Time");
	sim_run(&s, 2 * S, 10 * MS);
	cr_expect_eq(status(&s.a, 1).stats.actor_churn, 1);
	cr_expect_eq(status(&s.a, 1).stats.partner_churn, 1);
	cr_expect_eq(status(&s.b, 1).stats.actor_churn, 1);
	cr_expect_eq(status(&s.a, 0).stats.actor_churn, 0);
	cr_expect_eq(status(&s.a, 0).stats.partner_churn, 0);
	/* Counted once per episode, not once per tick. */
	sim_run(&s, 300 * S, 100 * MS);
	cr_expect_eq(status(&s.a, 1).stats.actor_churn, 1);
	sim_fini(&s);
}

Test(lacp, passive_passive_counts_churn)
{
	struct team_config ca = config(sys_a, false, true);
	struct team_config cb = config(sys_b, false, true);
	struct sim s;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	sim_run(&s, 61 * S, 100 * MS);
	cr_expect_eq(status(&s.a, 0).stats.partner_churn, 1);
	sim_fini(&s);
}

/* ---- timeouts --------------------------------------------------------- */

Test(lacp, silent_partner_expires_then_defaults)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint64_t last, expired_at = 0, defaulted_at = 0, stopped_at = 0;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_run(&s, 10 * S, 1 * MS);
	s.b.mute = true;
	sim_step(&s, 1 * MS);
	last = s.a.last_rx[0];
	while (s.now < last + 10 * S) {
		struct team_member_status st;

		sim_step(&s, 1 * MS);
		st = status(&s.a, 0);
		if (!expired_at && st.rx_state == LACP_RX_EXPIRED)
			expired_at = s.now;
		if (!defaulted_at && st.rx_state == LACP_RX_DEFAULTED)
			defaulted_at = s.now;
		if (!stopped_at && !(team_distributing_mask(s.a.t) & 1))
			stopped_at = s.now;
	}
	cr_expect_eq(expired_at, last + 3 * S,
		     "expired %lld ms after the last PDU",
		     (long long)(expired_at - last) / (long long)MS);
	cr_expect_eq(defaulted_at, expired_at + 3 * S);
	cr_expect_eq(stopped_at, expired_at, "stops distributing on expiry");
	cr_expect_eq(team_distributing_mask(s.a.t), 0);
	cr_expect(status(&s.a, 0).actor.state & LACP_STATE_DEFAULTED);
	cr_expect_eq(status(&s.a, 0).partner.state & LACP_STATE_SYNC, 0);
	sim_fini(&s);
}

Test(lacp, expired_asks_for_fast_and_recovers)
{
	/* A slow partner that goes quiet for 5 s: we expire only after 90 s
	 * with long timeout, so use a fast actor; on EXPIRED we ask for
	 * short timeout, and a partner that answers puts us back in
	 * CURRENT without ever reaching DEFAULTED. */
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, false);
	struct sim s;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	/* b sends to a every second (a is fast); cut it for 3.5 s. */
	s.b.mute = true;
	sim_run(&s, 3500 * MS, 1 * MS);
	cr_expect_eq(status(&s.a, 0).rx_state, LACP_RX_EXPIRED);
	cr_expect(status(&s.a, 0).partner.state & LACP_STATE_TIMEOUT);
	s.b.mute = false;
	sim_run(&s, 5 * S, 1 * MS);
	cr_expect_eq(status(&s.a, 0).rx_state, LACP_RX_CURRENT);
	cr_expect_eq(team_distributing_mask(s.a.t), 1);
	sim_fini(&s);
}

Test(lacp, stalled_control_thread_does_not_time_out_partner)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	/* a's control thread stalls for 5 s: b's PDUs wait in a's ring. */
	s.a.hold = true;
	sim_run(&s, 5 * S, 10 * MS);
	s.a.hold = false;
	/* Ring first, then the tick, as team.h asks. */
	sim_step(&s, 10 * MS);
	cr_expect_eq(team_distributing_mask(s.a.t), 3);
	cr_expect_eq(status(&s.a, 0).rx_state, LACP_RX_CURRENT);
	sim_fini(&s);
}

/* ---- periodic transmission ------------------------------------------- */

Test(lacp, fast_partner_gets_a_pdu_every_second)
{
	struct team_config ca = config(sys_a, true, false);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint64_t before;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_run(&s, 5 * S, 10 * MS);
	before = s.a.lacpdus[0];
	sim_run(&s, 30 * S, 10 * MS);
	cr_expect(s.a.lacpdus[0] - before >= 29 &&
		  s.a.lacpdus[0] - before <= 31,
		  "slow a sent %llu PDUs in 30 s to a fast partner",
		  (unsigned long long)(s.a.lacpdus[0] - before));
	sim_fini(&s);
}

Test(lacp, slow_partner_gets_a_pdu_every_30s)
{
	struct team_config ca = config(sys_a, true, false);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint64_t before;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_run(&s, 60 * S, 10 * MS);
	before = s.b.lacpdus[0];
	sim_run(&s, 300 * S, 10 * MS);
	cr_expect(s.b.lacpdus[0] - before >= 9 &&
		  s.b.lacpdus[0] - before <= 11,
		  "fast b sent %llu PDUs in 300 s to a slow partner",
		  (unsigned long long)(s.b.lacpdus[0] - before));
	cr_expect_eq(team_distributing_mask(s.a.t), 1,
		     "a, slow, keeps b with long timeout");
	sim_fini(&s);
}

Test(lacp, tx_limit_three_per_second)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint64_t before;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_run(&s, 2 * S, 10 * MS);
	before = s.a.lacpdus[0];
	/* A PDU every 10 ms that misstates a's port: each one sets NTT. */
	for (int i = 0; i < 200; i++) {
		struct lacpdu p = { 0 };
		uint8_t f[LACPDU_FRAME_SIZE];
		struct team_member_status st = status(&s.a, 0);

		p.actor = st.partner;
		p.partner = st.actor;
		p.partner.port = (uint16_t)(100 + i % 2);
		lacpdu_encode(&p, (const uint8_t[6]){ 2, 0, 0, 0, 1, 0xb }, f,
			      sizeof(f));
		s.now += 10 * MS;
		cr_assert_eq(team_rx(s.a.t, 0, f, sizeof(f), s.now), 0);
		team_tick(s.a.t, s.now);
		s.a.nq = 0;
	}
	cr_expect_leq(s.a.lacpdus[0] - before, 3 * 2 + 3,
		      "%llu PDUs in 2 s",
		      (unsigned long long)(s.a.lacpdus[0] - before));
	cr_expect_geq(s.a.lacpdus[0] - before, 3 * 2);
	cr_expect_gt(status(&s.a, 0).stats.tx_delayed, 0);
	sim_fini(&s);
}

/* ---- links ------------------------------------------------------------ */

Test(lacp, link_down_stops_distributing_in_the_call)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	cr_assert_eq(team_set_link(s.a.t, 1, false, s.now), 0);
	cr_expect_eq(team_distributing_mask(s.a.t), 1);
	cr_expect_eq(status(&s.a, 1).rx_state, LACP_RX_PORT_DISABLED);
	cr_expect_eq(status(&s.a, 1).selected, LACP_UNSELECTED);
	team_set_link(s.b.t, 1, false, s.now);
	sim_run(&s, 10 * S, 10 * MS);
	cr_expect_eq(team_distributing_mask(s.a.t), 1, "the other stays");
	cr_expect_eq(team_distributing_mask(s.b.t), 1);
	/* Back up: re-joins after the aggregate wait. */
	team_set_link(s.a.t, 1, true, s.now);
	team_set_link(s.b.t, 1, true, s.now);
	cr_expect_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_fini(&s);
}

Test(lacp, member_removed_and_added)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct team_member_config m = { .mac = { 2, 0, 0, 0, 9, 9 } };
	struct sim s;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	cr_expect_eq(team_remove_member(s.a.t, 1, s.now), 0);
	cr_expect_eq(team_distributing_mask(s.a.t), 1);
	cr_expect_not(status(&s.a, 1).present);
	cr_expect_eq(team_remove_member(s.a.t, 1, s.now), -ENOENT);
	sim_run(&s, 10 * S, 10 * MS);
	cr_expect_eq(team_distributing_mask(s.b.t), 1,
		     "b's member 1 lost its partner");
	cr_expect_eq(team_add_member(s.a.t, 1, &m, s.now), 0);
	team_set_link(s.a.t, 1, true, s.now);
	cr_expect_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	sim_fini(&s);
}

/* ---- marker ----------------------------------------------------------- */

static size_t
marker_frame(uint8_t *f, bool response, uint32_t xid)
{
	struct marker_pdu m = {
		.response = response,
		.requester_port = 5,
		.requester_sys = { 2, 0, 0, 0, 0, 0x0b },
		.transaction_id = xid,
	};

	return marker_encode(&m, (const uint8_t[6]){ 2, 0, 0, 0, 5, 0x0b },
			     f, MARKER_FRAME_SIZE);
}

Test(lacp, marker_answered)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint8_t f[MARKER_FRAME_SIZE];
	struct marker_pdu r;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	s.a.nq = 0;
	marker_frame(f, false, 0x01020304);
	cr_assert_eq(team_rx(s.a.t, 1, f, sizeof(f), s.now), 0);
	cr_assert_eq(s.a.responses[1], 1);
	cr_assert_eq(marker_decode(s.a.last_response.b,
				   s.a.last_response.size, &r), SLOWP_E_OK);
	cr_expect(r.response);
	cr_expect_eq(r.requester_port, 5);
	cr_expect_arr_eq(r.requester_sys, sys_b, 6);
	cr_expect_eq(r.transaction_id, 0x01020304);
	cr_expect_eq(s.a.last_response.member, 1, "on the port it came in");
	cr_expect_arr_eq(r.src, ((const uint8_t[6]){ 2, 0, 0, 0, 2, 0x0a }),
			 6, "from the member's own MAC");
	cr_expect_eq(status(&s.a, 1).stats.markers_rx, 1);
	cr_expect_eq(status(&s.a, 1).stats.marker_responses_tx, 1);

	/* A response is counted, never answered. */
	marker_frame(f, true, 7);
	cr_expect_eq(team_rx(s.a.t, 1, f, sizeof(f), s.now), 0);
	cr_expect_eq(s.a.responses[1], 1);
	cr_expect_eq(status(&s.a, 1).stats.marker_responses_rx, 1);
	sim_fini(&s);
}

Test(lacp, marker_flood_limited)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	uint8_t f[MARKER_FRAME_SIZE];
	unsigned int busy = 0;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	marker_frame(f, false, 1);
	for (int i = 0; i < 100; i++) {
		s.now += 10 * MS;
		if (team_rx(s.a.t, 0, f, sizeof(f), s.now) == -EBUSY)
			busy++;
	}
	cr_expect_eq(s.a.responses[0], LACP_MARKER_MAX_PER_S,
		     "%llu responses in 1 s",
		     (unsigned long long)s.a.responses[0]);
	cr_expect_eq(busy, 100 - LACP_MARKER_MAX_PER_S);
	cr_expect_eq(status(&s.a, 0).stats.markers_dropped, busy);
	sim_fini(&s);
}

/* ---- logs, bad input, wakeups ---------------------------------------- */

Test(lacp, transitions_are_logged_with_names)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct team_event ev[TEAM_EVLOG_SIZE];
	struct sim s;
	unsigned int n;
	bool saw_cd = false, saw_link = false, saw_sel = false;

	sim_init(&s, 1, &ca, &cb, NULL);
	sim_links_up(&s);
	cr_assert_leq(time_to_form(&s, 3 * S, 1 * MS), 3 * S);
	n = team_events_drain(s.a.t, ev, TEAM_EVLOG_SIZE);
	cr_expect_gt(n, 0);
	for (unsigned int i = 0; i < n; i++) {
		char line[128];

		team_event_format(&ev[i], line, sizeof(line));
		saw_cd |= strcmp(line, "member 0: mux ATTACHED -> "
				       "COLLECTING_DISTRIBUTING") == 0;
		saw_link |= strcmp(line, "member 0: link DOWN -> UP") == 0;
		saw_sel |= strcmp(line, "member 0: selection UNSELECTED -> "
					"SELECTED") == 0;
		cr_expect_eq(strstr(line, "PERIODIC_TX"), NULL,
			     "periodic passes are not logged: %s", line);
	}
	cr_expect(saw_cd && saw_link && saw_sel);
	cr_expect_eq(team_events_drain(s.a.t, ev, TEAM_EVLOG_SIZE), 0);
	cr_expect_eq(team_events_lost(s.a.t), 0);
	sim_fini(&s);
}

Test(lacp, log_ring_overwrites_oldest)
{
	struct team_evlog log;
	struct team_event ev = { 0 }, out[TEAM_EVLOG_SIZE];

	team_evlog_init(&log);
	for (unsigned int i = 0; i < TEAM_EVLOG_SIZE + 10; i++) {
		ev.time = i;
		team_evlog_push(&log, &ev);
	}
	cr_expect_eq(log.lost, 10);
	cr_assert_eq(team_evlog_drain(&log, out, TEAM_EVLOG_SIZE),
		     TEAM_EVLOG_SIZE);
	cr_expect_eq(out[0].time, 10);
	cr_expect_eq(out[TEAM_EVLOG_SIZE - 1].time, TEAM_EVLOG_SIZE + 9);
}

Test(lacp, bad_input)
{
	struct team_config c = config(sys_a, true, true);
	struct team_member_config m = { .mac = { 2, 0, 0, 0, 1, 1 } };
	struct team_member_config dup = { .mac = { 2, 0, 0, 0, 1, 2 },
					  .port = 1 };
	struct team_member_config mcast = { .mac = { 1, 0, 0, 0, 1, 2 } };
	struct team_member_status st;
	uint8_t f[LACPDU_FRAME_SIZE] = { 0 };
	struct team *t;

	memset(c.sys_mac, 0, 6);
	errno = 0;
	cr_expect_null(team_create(&c));
	cr_expect_eq(errno, EINVAL, "LACP needs a system MAC");
	c.mode = TEAM_MODE_COUNT;
	cr_expect_null(team_create(&c));
	c = config(sys_a, true, true);
	c.send = NULL;                  /* frames sent are dropped */
	t = team_create(&c);
	cr_assert_not_null(t);
	cr_expect_eq(team_add_member(t, 0, &m, 0), 0);
	cr_expect_eq(team_add_member(t, 0, &m, 0), -EEXIST);
	cr_expect_eq(team_add_member(t, 1, &dup, 0), -EEXIST,
		     "port number 1 is member 0's");
	cr_expect_eq(team_add_member(t, TEAM_MAX_MEMBERS, &m, 0), -EINVAL);
	cr_expect_eq(team_add_member(t, 2, &mcast, 0), -EINVAL);
	cr_expect_eq(team_set_link(t, 5, true, 0), -ENOENT);
	cr_expect_eq(team_rx(t, 5, f, sizeof(f), 0), -ENOENT);
	team_set_link(t, 0, true, 0);
	/* A Slow Protocols LACPDU with a bad actor length. */
	{
		struct lacpdu p = { 0 };

		lacpdu_encode(&p, m.mac, f, sizeof(f));
		f[17] = 19;
		cr_expect_eq(team_rx(t, 0, f, sizeof(f), 0), -EINVAL);
		team_member_status(t, 0, &st);
		cr_expect_eq(st.stats.illegal_rx, 1);
		cr_expect_eq(st.stats.last_error, SLOWP_E_ACTOR_LEN);
		f[14] = 10;                 /* OSSP: not ours */
		cr_expect_eq(team_rx(t, 0, f, sizeof(f), 0), -ENOTSUP);
		team_member_status(t, 0, &st);
		cr_expect_eq(st.stats.unknown_rx, 1);
	}
	team_member_status(t, 9, &st);
	cr_expect_not(st.present);
	team_destroy(t);
}

Test(lacp, mode_names)
{
	enum team_mode m;

	cr_expect_str_eq(team_mode_name(TEAM_MODE_SWITCH_INDEPENDENT),
			 "switch-independent");
	cr_expect_eq(team_mode_parse("static", &m), 0);
	cr_expect_eq(m, TEAM_MODE_STATIC);
	cr_expect_eq(team_mode_parse("lacp", &m), 0);
	cr_expect_eq(m, TEAM_MODE_LACP);
	cr_expect_eq(team_mode_parse("LACP", &m), -EINVAL);
	cr_expect_eq(team_mode_parse("", &m), -EINVAL);
}

/* An event-driven caller that only wakes at team_next_wakeup() (or when
 * a frame arrives) sees the same protocol as one that ticks often. */
Test(lacp, driven_by_next_wakeup_alone)
{
	struct team_config ca = config(sys_a, true, true);
	struct team_config cb = config(sys_b, true, true);
	struct sim s;
	unsigned int wakeups = 0;
	uint64_t before = 0;

	sim_init(&s, 2, &ca, &cb, NULL);
	sim_links_up(&s);
	sim_step(&s, 1 * MS);
	while (s.now < 60 * S) {
		uint64_t next = team_next_wakeup(s.a.t);
		uint64_t nb = team_next_wakeup(s.b.t);

		if (nb < next)
			next = nb;
		if (s.a.nq || s.b.nq)
			next = s.now + 1 * MS;  /* frames on the wire */
		cr_assert_neq(next, UINT64_MAX);
		/* Right after a tick nothing is due any more. */
		cr_assert_gt(next, s.now, "wakeup not in the future");
		sim_step(&s, next - s.now);
		wakeups++;
		if (s.now >= 30 * S && !before)
			before = s.a.lacpdus[0];
	}
	cr_expect_eq(team_distributing_mask(s.a.t), 3);
	cr_expect_eq(team_distributing_mask(s.b.t), 3);
	cr_expect(s.a.lacpdus[0] - before >= 29 &&
		  s.a.lacpdus[0] - before <= 31, "%llu PDUs in 30 s",
		  (unsigned long long)(s.a.lacpdus[0] - before));
	cr_expect_lt(wakeups, 1000, "%u wakeups in 60 s", wakeups);
	sim_fini(&s);
}

/* ---- modes without LACP ---------------------------------------------- */

Test(lacp, static_and_switch_independent_follow_links)
{
	for (int mode = TEAM_MODE_STATIC; mode <= TEAM_MODE_SWITCH_INDEPENDENT;
	     mode++) {
		struct team_config c = config(sys_a, true, true);
		struct team_member_config m = { .mac = { 2, 0, 0, 0, 1, 1 } };
		uint8_t f[LACPDU_FRAME_SIZE], mk[MARKER_FRAME_SIZE];
		struct sim s;
		struct team_member_status st;
		int want_marker;

		memset(&s, 0, sizeof(s));
		s.a.sim = &s;
		s.a.n = 3;
		c.mode = (enum team_mode)mode;
		memset(c.sys_mac, 0, 6);    /* not needed without LACP */
		c.aux = &s.a;
		s.a.t = team_create(&c);
		cr_assert_not_null(s.a.t);
		for (unsigned int i = 0; i < 3; i++) {
			m.mac[5] = (uint8_t)i;
			cr_assert_eq(team_add_member(s.a.t, i, &m, 0), 0);
		}
		cr_expect_eq(team_distributing_mask(s.a.t), 0);
		team_set_link(s.a.t, 0, true, 0);
		team_set_link(s.a.t, 2, true, 0);
		cr_expect_eq(team_distributing_mask(s.a.t), 5);
		team_set_link(s.a.t, 0, false, 1);
		cr_expect_eq(team_distributing_mask(s.a.t), 4);
		for (s.now = 0; s.now < 100 * S; s.now += 100 * MS)
			team_tick(s.a.t, s.now);
		cr_expect_eq(total_lacpdus(&s.a), 0, "no LACP");
		cr_expect_eq(team_next_wakeup(s.a.t), UINT64_MAX);
		/* LACPDUs are not ours; markers only where the partner
		 * aggregates (static). */
		{
			static const uint8_t peer[6] = { 2, 9, 9, 9, 9, 9 };
			struct lacpdu p = { 0 };

			lacpdu_encode(&p, peer, f, sizeof(f));
		}
		cr_expect_eq(team_rx(s.a.t, 2, f, sizeof(f), s.now), -ENOTSUP);
		marker_frame(mk, false, 3);
		want_marker = mode == TEAM_MODE_STATIC ? 0 : -ENOTSUP;
		cr_expect_eq(team_rx(s.a.t, 2, mk, sizeof(mk), s.now),
			     want_marker, "%s", team_mode_name(mode));
		cr_expect_eq(s.a.responses[2], mode == TEAM_MODE_STATIC);
		team_member_status(s.a.t, 2, &st);
		cr_expect(st.distributing && st.link);
		team_destroy(s.a.t);
	}
}
