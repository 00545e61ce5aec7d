/* Network virtualization on the control thread (nv_dp.h): the nvgre/
 * database built from the model controld sends, the per-PA templates the
 * workers encapsulate with, and the underlay's ARP and neighbor
 * discovery. */
#define DP_LOG_THIS DP_LOG_NV
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_random.h>

#include "control/nv.h"
#include "dataplane/log.h"
#include "dataplane/nv_dp.h"
#include "dataplane/rpc_nv.h"
#include "dataplane/teamport.h"
#include "nvgre/neigh.h"

#define NO_SLOT 0xffff
#define NH_REACHABLE_MS 60000      /* a resolved next hop is trusted... */
#define NH_REFRESH_MS 15000        /* ...and asked again this long before */
#define NH_RETRY_MS 1000           /* unanswered request: again after */
#define NH_RETRY_SLOW_MS 5000      /* ...and after 3 unanswered */
#define RUN_FAST_MS 10             /* while anything is unresolved */
#define RUN_SLOW_MS 100

/* The MAC of every virtual gateway: locally administered, unicast. */
static const uint8_t gw_mac[6] = { 0x02, 0x76, 0x73, 0x67, 0x77, 0x01 };

struct nv_nexthop {
	bool used;
	bool needed;                /* a peer goes through it */
	bool resolved;
	struct nvgre_addr addr;     /* to resolve */
	struct nvgre_addr src;      /* our PA asking */
	uint16_t slot;
	uint16_t vlan;
	uint8_t mac[6];
	uint64_t expires_ms;        /* resolved: until */
	uint64_t next_try_ms;
	unsigned int tries;         /* unanswered requests in a row */
};

struct dp_nv_ctl {
	struct nvgre_db *db;
	struct nvgre_rcu rcu;
	struct nv_nexthop nh[DP_NV_MAX_NEXTHOPS];
	uint16_t pa_slot[CTL_NV_MAX_PAS];     /* as the db was built */
	struct nvgre_addr pa_addr[CTL_NV_MAX_PAS];
	bool pa_flowid_fixed[CTL_NV_MAX_PAS]; /* FlowID sent from it */
	uint8_t pa_flowid[CTL_NV_MAX_PAS];
	size_t n_pa;
	bool dirty;                 /* templates need republishing */
	uint64_t rx_neigh;          /* ARP/ND frames from workers */
	uint64_t answered;          /* requests for our PAs answered */
	uint64_t requests;          /* requests we sent */
	uint64_t learned;           /* next hops resolved (or changed) */
	uint64_t tx_dropped;        /* ring full, no mbuf */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
rcu_start(void *ctx)
{
	return rte_rcu_qsbr_start(((struct dp *)ctx)->rcu);
}

static bool
rcu_check(void *ctx, uint64_t token, bool wait)
{
	return rte_rcu_qsbr_check(((struct dp *)ctx)->rcu, token, wait) == 1;
}

/* ---- model -> nvgre/ ------------------------------------------------- */

static struct nvgre_addr
addr_of(const struct ctl_nv_ip *ip)
{
	if (ctl_nv_ip_is_v4(ip))
		return nvgre_addr_ipv4(ip->b + 12);
	return nvgre_addr_ipv6(ip->b);
}

static struct nvgre_prefix
prefix_of(const struct ctl_nv_prefix *p)
{
	struct nvgre_prefix out = { .addr = addr_of(&p->addr),
				    .len = p->length };
	return out;
}

/* The slot of a running, visible port named 'name', or NO_SLOT. */
static uint16_t
slot_of(struct dp *dp, const char *name)
{
	struct dp_port *p = dp_find_port(dp, name);

	return p && p->running && !dp_port_is_member(p) ? p->slot : NO_SLOT;
}

static void
record_cfg(const struct ctl_nv_record *r, struct nvgre_record_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->vsid = r->vsid;
	c->ca = addr_of(&r->ca);
	memcpy(c->mac, r->mac, 6);
	c->pa = addr_of(&r->pa);
	c->rule = ctl_nv_ip_is_zero(&r->ca) || r->rule == CTL_NV_RULE_L2ONLY
		? NVGRE_RULE_L2ONLY : NVGRE_RULE_ENCAP;
	if (c->rule == NVGRE_RULE_L2ONLY) {
		static const uint8_t zero[4];

		c->ca = nvgre_addr_ipv4(zero);
	}
}

/* Adds one record to 'tx'.  A record of a (VSID, MAC) already on
 * another PA moves with it: a VM migrated. */
static int
record_put(struct nvgre_txn *tx, const struct ctl_nv_record *r,
	   struct nvgre_err *e)
{
	struct nvgre_record_cfg c;
	int rc;

	record_cfg(r, &c);
	rc = nvgre_record_add(tx, &c, e);
	if (rc == -EEXIST && nvgre_record_move(tx, c.vsid, c.mac, &c.pa, e)
			     == 0)
		rc = nvgre_record_add(tx, &c, e);
	return rc;
}

/* Removes the record 'r' (whole, as it was stored) from 'tx'. */
static int
record_drop(struct nvgre_txn *tx, const struct ctl_nv_record *r,
	    struct nvgre_err *e)
{
	struct nvgre_record_cfg c;

	record_cfg(r, &c);
	return nvgre_record_del(tx, c.vsid, c.rule == NVGRE_RULE_ENCAP ? &c.ca
				: NULL, c.mac, e);
}

/* Everything of 'store' into 'tx' of an empty database. */
static int
load_all(struct dp *dp, struct nvgre_txn *tx, const struct ctl_nv_store *s,
	 char *err, size_t errsz)
{
	const struct ctl_nv_pa *pas;
	const struct ctl_nv_pa_route *pr;
	const struct ctl_nv_route *cr;
	struct nvgre_err e = { "" };
	struct nv_counts c;
	size_t n, n_pas;
	int rc = 0;

	pas = ctl_nv_store_pas(s, &n_pas);
	dp->nvc->n_pa = n_pas;
	for (size_t i = 0; i < n_pas && rc == 0; i++) {
		struct nvgre_pa_cfg pc = {
			.addr = addr_of(&pas[i].addr),
			.prefix_len = pas[i].length,
			.port = slot_of(dp, pas[i].port),
			.vlan = pas[i].vlan,
		};

		dp->nvc->pa_slot[i] = pc.port;
		dp->nvc->pa_addr[i] = pc.addr;
		dp->nvc->pa_flowid_fixed[i] = pas[i].flowid_fixed;
		dp->nvc->pa_flowid[i] = pas[i].flowid;
		rc = nvgre_pa_add(tx, &pc, &e);
		if (rc < 0)
			snprintf(err, errsz, "pas[%zu]: %s", i, e.msg);
	}
	pr = ctl_nv_store_pa_routes(s, &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct nvgre_proute_cfg rcfg = {
			.prefix = prefix_of(&pr[i].prefix),
			.nexthop = addr_of(&pr[i].next_hop),
			.port = NO_SLOT,
			.metric = pr[i].metric,
		};
		/* The port of the PA whose subnet holds the next hop. */
		for (size_t j = 0; j < n_pas; j++) {
			struct ctl_nv_prefix sub = { pas[j].addr,
						     pas[j].length };
			struct nvgre_prefix subnet = prefix_of(&sub);

			nvgre_addr_mask(&subnet.addr, subnet.len);
			if (nvgre_prefix_contains(&subnet, &rcfg.nexthop)) {
				rcfg.port = slot_of(dp, pas[j].port);
				break;
			}
		}
		rc = nvgre_proute_add(tx, &rcfg, &e);
		if (rc < 0)
			snprintf(err, errsz, "pa_routes[%zu]: %s", i, e.msg);
	}
	ctl_nv_store_counts(s, &c);
	for (size_t i = 0; i < c.records && rc == 0; i++) {
		rc = record_put(tx, ctl_nv_store_record(s, i), &e);
		if (rc < 0)
			snprintf(err, errsz, "records[%zu]: %s", i, e.msg);
	}
	cr = ctl_nv_store_routes(s, &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct nvgre_croute_cfg rcfg = {
			.rdom = cr[i].rdid,
			.vsid = cr[i].vsid,
			.prefix = prefix_of(&cr[i].prefix),
			.metric = cr[i].metric,
		};

		if (!ctl_nv_ip_is_zero(&cr[i].next_hop))
			rcfg.nexthop = addr_of(&cr[i].next_hop);
		if (cr[i].has_gateway)
			rcfg.gateway = addr_of(&cr[i].gateway);
		rc = nvgre_croute_add(tx, &rcfg, &e);
		if (rc < 0)
			snprintf(err, errsz, "routes[%zu]: %s", i, e.msg);
	}
	return rc;
}

/* ---- templates and next hops ----------------------------------------- */

static bool
port_mac(struct dp *dp, uint16_t slot, uint8_t mac[6])
{
	struct dp_port *p = slot < DP_MAX_PORTS ? dp->ports[slot] : NULL;
	struct rte_ether_addr a;

	if (!p || !p->running)
		return false;
	if (p->team) {
		if (p->team->n_members == 0)
			return false;
		memcpy(mac, p->team->mac[0], 6);
		return true;
	}
	if (rte_eth_macaddr_get(p->port_id, &a) < 0)
		return false;
	memcpy(mac, a.addr_bytes, 6);
	return true;
}

static uint32_t
port_mtu(struct dp *dp, uint16_t slot)
{
	struct dp_port *p = dp->ports[slot];
	uint16_t mtu = 0;

	if (p && p->team && p->team->n_members)
		p = p->team->members[0];
	if (!p || rte_eth_dev_get_mtu(p->port_id, &mtu) < 0 || mtu == 0)
		mtu = RTE_ETHER_MTU;
	return mtu;
}

static struct nv_nexthop *
nh_find(struct dp_nv_ctl *c, const struct nvgre_addr *addr, uint16_t slot,
	uint16_t vlan, bool create)
{
	struct nv_nexthop *free_nh = NULL;

	for (unsigned int i = 0; i < DP_NV_MAX_NEXTHOPS; i++) {
		struct nv_nexthop *nh = &c->nh[i];

		if (!nh->used) {
			if (!free_nh)
				free_nh = nh;
			continue;
		}
		if (nh->slot == slot && nh->vlan == vlan &&
		    nvgre_addr_eq(&nh->addr, addr))
			return nh;
	}
	if (!create || !free_nh)
		return NULL;
	memset(free_nh, 0, sizeof(*free_nh));
	free_nh->used = true;
	free_nh->addr = *addr;
	free_nh->slot = slot;
	free_nh->vlan = vlan;
	return free_nh;
}

/* Publishes templates for every PA the view names; frees what the
 * previous version held once no worker can read it. */
static int
publish(struct dp *dp)
{
	struct dp_nv_ctl *c = dp->nvc;
	const struct nvgre_view *v = nvgre_db_view(c->db);
	uint32_t limit = nvgre_peer_limit(v);
	struct dp_nv_fwd *fwd, *old;

	fwd = calloc(1, sizeof(*fwd) + (size_t)limit * sizeof(fwd->peers[0]));
	if (!fwd)
		return -ENOMEM;
	fwd->db = c->db;
	memcpy(fwd->gw_mac, gw_mac, 6);
	fwd->n_peers = limit;
	for (unsigned int i = 0; i < NVGRE_MAX_LOCAL_PAS; i++) {
		struct nvgre_pa_cfg pa;

		if (!nvgre_local_pa_get(v, i, &pa) || pa.port >= DP_MAX_PORTS ||
		    !port_mac(dp, pa.port, fwd->port_mac[pa.port]))
			continue;
		fwd->underlay[pa.port / 64] |= 1ull << (pa.port % 64);
	}
	for (unsigned int i = 0; i < DP_NV_MAX_NEXTHOPS; i++)
		c->nh[i].needed = false;
	for (uint32_t i = 0; i < limit; i++) {
		struct dp_nv_peer *p = &fwd->peers[i];
		struct nvgre_underlay_hit u;
		struct nvgre_peer_info pi;
		struct nv_nexthop *nh;
		struct nvgre_addr target;

		if (!nvgre_peer_get(v, i, &pi))
			continue;
		p->pa = pi.addr;
		if (pi.local) {
			p->state = DP_NV_PEER_LOCAL;
			continue;
		}
		p->state = DP_NV_PEER_UNREACHABLE;
		if (!nvgre_lookup_underlay(v, &pi.addr, &u) ||
		    u.port >= DP_MAX_PORTS ||
		    !(fwd->underlay[u.port / 64] >> (u.port % 64) & 1))
			continue;
		target = u.nexthop.family && !nvgre_addr_is_unspecified(
			&u.nexthop) ? u.nexthop : pi.addr;
		nh = nh_find(c, &target, u.port, u.vlan, true);
		p->slot = u.port;
		p->mtu = port_mtu(dp, u.port);
		p->state = DP_NV_PEER_UNRESOLVED;
		if (!nh)
			continue;
		nh->needed = true;
		nh->src = u.src;
		if (nh->resolved) {
			struct nvgre_template_cfg tc = {
				.vlan = u.vlan,
				.src = u.src,
				.dst = pi.addr,
				.ttl = NVGRE_TTL_DEFAULT,
				.flowid_mode = NVGRE_FLOWID_HASH,
			};

			for (size_t k = 0; k < c->n_pa; k++)
				if (nvgre_addr_eq(&c->pa_addr[k], &u.src) &&
				    c->pa_flowid_fixed[k]) {
					tc.flowid_mode = NVGRE_FLOWID_FIXED;
					tc.flowid = c->pa_flowid[k];
				}
			memcpy(tc.dst_mac, nh->mac, 6);
			memcpy(tc.src_mac, fwd->port_mac[u.port], 6);
			if (nvgre_template_build(&p->tmpl, &tc) == 0)
				p->state = DP_NV_PEER_OK;
		}
	}
	for (unsigned int i = 0; i < DP_NV_MAX_NEXTHOPS; i++)
		if (c->nh[i].used && !c->nh[i].needed)
			c->nh[i].used = false;
	old = atomic_exchange_explicit(&dp->nv_fwd, fwd, memory_order_acq_rel);
	rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
	if (old && old->db != c->db)
		nvgre_db_destroy(old->db);
	free(old);
	c->dirty = false;
	return 0;
}

/* ---- entry points ---------------------------------------------------- */

int
dp_nv_init(struct dp *dp, char *err, size_t errsz)
{
	struct dp_nv_ctl *c;

	if (dp->nvc)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	c->rcu = (struct nvgre_rcu){ rcu_start, rcu_check, dp };
	c->db = nvgre_db_create(&c->rcu, rte_rand());
	if (!c->db) {
		free(c);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	dp->nvc = c;
	return 0;
}

/* Only records changed: they go into the current tables. */
static bool
records_only(const struct ctl_nv_txn *txn)
{
	for (size_t i = 0; i < txn->n_ops; i++)
		if (txn->ops[i].kind != CTL_NV_OP_ADD_RECORD &&
		    txn->ops[i].kind != CTL_NV_OP_DEL_RECORD)
			return false;
	return true;
}

int
dp_nv_apply_txn(struct dp *dp, const struct ctl_nv_store *store,
		const struct ctl_nv_txn *txn, const struct ctl_nv_record *prev,
		const bool *has_prev, char *err, size_t errsz)
{
	struct nvgre_err e = { "" };
	struct nvgre_txn *tx;
	int rc = 0;

	if (dp_nv_init(dp, err, errsz) < 0)
		return -ENOMEM;
	if (!records_only(txn))
		return dp_nv_rebuild(dp, store, err, errsz);
	tx = nvgre_txn_begin(dp->nvc->db);
	if (!tx) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < txn->n_ops && rc == 0; i++) {
		const struct ctl_nv_op *op = &txn->ops[i];

		if (has_prev[i])
			rc = record_drop(tx, &prev[i], &e);
		if (rc == -ENOENT)
			rc = 0;
		if (rc == 0 && op->kind == CTL_NV_OP_ADD_RECORD)
			rc = record_put(tx, &op->u.record, &e);
		if (rc < 0)
			snprintf(err, errsz, "ops[%zu]: %s", i, e.msg);
	}
	if (rc < 0) {
		nvgre_txn_abort(tx);
		return rc;
	}
	rc = nvgre_txn_commit(tx);
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		return rc;
	}
	return publish(dp);
}

int
dp_nv_rebuild(struct dp *dp, const struct ctl_nv_store *store, char *err,
	      size_t errsz)
{
	struct nvgre_db *db, *old;
	struct nvgre_txn *tx;
	bool published;
	int rc;

	if (dp_nv_init(dp, err, errsz) < 0)
		return -ENOMEM;
	db = nvgre_db_create(&dp->nvc->rcu, rte_rand());
	tx = db ? nvgre_txn_begin(db) : NULL;
	if (!tx) {
		if (db)
			nvgre_db_destroy(db);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	rc = load_all(dp, tx, store, err, errsz);
	if (rc < 0) {
		nvgre_txn_abort(tx);
		nvgre_db_destroy(db);
		return rc;
	}
	if (nvgre_txn_commit(tx) < 0) {
		nvgre_db_destroy(db);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	old = dp->nvc->db;
	published = dp->nv_fwd && dp->nv_fwd->db == old;
	dp->nvc->db = db;
	rc = publish(dp);
	if (rc < 0) {
		dp->nvc->db = old;
		nvgre_db_destroy(db);
		snprintf(err, errsz, "out of memory");
		return rc;
	}
	/* publish() destroyed the old db once no worker could read it, if
	 * any version had named it. */
	if (!published)
		nvgre_db_destroy(old);
	return 0;
}

void
dp_nv_ports_changed(struct dp *dp)
{
	const struct ctl_nv_store *s = dp_nv_store(dp);
	const struct ctl_nv_pa *pas;
	char err[256];
	size_t n;

	if (!dp->nvc || !s)
		return;
	pas = ctl_nv_store_pas(s, &n);
	for (size_t i = 0; i < n; i++) {
		if (i >= dp->nvc->n_pa ||
		    slot_of(dp, pas[i].port) != dp->nvc->pa_slot[i]) {
			if (dp_nv_rebuild(dp, s, err, sizeof(err)) < 0)
				DP_LOG(ERR, "NV tables after a port change: "
				       "%s", err);
			return;
		}
	}
	/* MACs and MTUs of the ports may have changed. */
	publish(dp);
}

/* Queues a frame for worker 0 to send on 'slot'. */
static void
send_frame(struct dp *dp, uint16_t slot, const uint8_t *frame, int len)
{
	struct rte_mbuf *m;
	char *p;

	if (len <= 0)
		return;
	m = rte_pktmbuf_alloc(dp->pool);
	p = m ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;
	if (!p) {
		rte_pktmbuf_free(m);
		dp->nvc->tx_dropped++;
		return;
	}
	memcpy(p, frame, (size_t)len);
	m->port = slot;
	if (rte_ring_sp_enqueue(dp->nv_tx, m) != 0) {
		rte_pktmbuf_free(m);
		dp->nvc->tx_dropped++;
	}
}

static void
ask(struct dp *dp, struct nv_nexthop *nh, const uint8_t mac[6])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	uint8_t frame[NVGRE_NEIGH_FRAME_MAX];
	int len;

	if (nh->addr.family == NVGRE_AF_IPV4)
		len = nvgre_arp_build(frame, sizeof(frame), NVGRE_ARP_REQUEST,
				      nh->vlan, bcast, mac, mac, &nh->src,
				      zero, &nh->addr);
	else
		len = nvgre_ns_build(frame, sizeof(frame), nh->vlan, mac,
				     &nh->src, &nh->addr);
	send_frame(dp, nh->slot, frame, len);
	dp->nvc->requests++;
}

/* 'addr' is at 'mac' on 'slot', says the underlay. */
static void
learn(struct dp_nv_ctl *c, uint16_t slot, uint16_t vlan,
      const struct nvgre_addr *addr, const uint8_t mac[6], uint64_t now)
{
	struct nv_nexthop *nh = nh_find(c, addr, slot, vlan, false);

	if (!nh)
		return;
	if (!nh->resolved || memcmp(nh->mac, mac, 6)) {
		char a[NVGRE_ADDR_STRLEN], m[NVGRE_MAC_STRLEN];

		DP_LOG(INFO, "underlay next hop %s is at %s",
		       nvgre_addr_format(addr, a, sizeof(a)),
		       nvgre_mac_format(mac, m, sizeof(m)));
		memcpy(nh->mac, mac, 6);
		nh->resolved = true;
		c->dirty = true;
		c->learned++;
	}
	nh->expires_ms = now + NH_REACHABLE_MS;
	nh->tries = 0;
	nh->next_try_ms = nh->expires_ms - NH_REFRESH_MS;
}

static void
neigh_input(struct dp *dp, struct rte_mbuf *m, uint64_t now)
{
	struct dp_nv_ctl *c = dp->nvc;
	const struct nvgre_view *v = nvgre_db_view(c->db);
	uint8_t frame[NVGRE_NEIGH_FRAME_MAX];
	struct nvgre_neigh_msg msg;
	struct nvgre_pa_cfg cfg;
	uint16_t slot = m->port;
	uint8_t mac[6];
	int pa;

	c->rx_neigh++;
	if (slot >= DP_MAX_PORTS || !port_mac(dp, slot, mac) ||
	    rte_pktmbuf_linearize(m) != 0 ||
	    nvgre_neigh_parse(rte_pktmbuf_mtod(m, const uint8_t *),
			      m->data_len, &msg) != NVGRE_NEIGH_OK)
		return;
	if (msg.has_sender_mac) {
		const struct nvgre_addr *who = msg.kind == NVGRE_NEIGH_NA
			? &msg.target : &msg.sender;

		learn(c, slot, msg.vlan, who, msg.sender_mac, now);
	}
	if (msg.kind != NVGRE_NEIGH_ARP_REQUEST && msg.kind != NVGRE_NEIGH_NS)
		return;
	/* A request for one of our PAs, on its port and VLAN. */
	pa = nvgre_local_pa_find(v, &msg.target);
	if (pa < 0 || !nvgre_local_pa_get(v, (unsigned int)pa, &cfg) ||
	    cfg.port != slot || cfg.vlan != msg.vlan)
		return;
	send_frame(dp, slot, frame, nvgre_neigh_reply(frame, sizeof(frame),
						      &msg, mac, 0));
	c->answered++;
}

int
dp_nv_run(struct dp *dp)
{
	struct dp_nv_ctl *c = dp->nvc;
	uint64_t now = now_ms();
	bool pending = false;
	void *obj;

	if (!c)
		return -1;
	while (rte_ring_sc_dequeue(dp->nv_rx, &obj) == 0) {
		neigh_input(dp, obj, now);
		rte_pktmbuf_free(obj);
	}
	for (unsigned int i = 0; i < DP_NV_MAX_NEXTHOPS; i++) {
		struct nv_nexthop *nh = &c->nh[i];
		uint8_t mac[6];

		if (!nh->used)
			continue;
		if (nh->resolved && now >= nh->expires_ms) {
			char a[NVGRE_ADDR_STRLEN];

			DP_LOG(NOTICE, "underlay next hop %s stopped answering",
			       nvgre_addr_format(&nh->addr, a, sizeof(a)));
			nh->resolved = false;
			c->dirty = true;
		}
		if (!nh->resolved)
			pending = true;
		if (now < nh->next_try_ms || !port_mac(dp, nh->slot, mac))
			continue;
		ask(dp, nh, mac);
		nh->tries++;
		nh->next_try_ms = now + (nh->tries < 3 ? NH_RETRY_MS
					 : NH_RETRY_SLOW_MS);
	}
	if (c->dirty)
		publish(dp);
	nvgre_db_reclaim(c->db, false);
	return pending ? RUN_FAST_MS : RUN_SLOW_MS;
}

uint32_t
dp_nv_inner_mtu(struct dp *dp)
{
	const struct dp_nv_fwd *fwd = dp->nv_fwd;
	const struct nvgre_view *v;
	uint32_t best = 0;

	if (!fwd)
		return 0;
	v = nvgre_db_view(fwd->db);
	for (unsigned int i = 0; i < NVGRE_MAX_LOCAL_PAS; i++) {
		struct nvgre_pa_cfg pa;
		uint32_t m;

		if (!nvgre_local_pa_get(v, i, &pa) || pa.port >= DP_MAX_PORTS ||
		    !dp->ports[pa.port])
			continue;
		m = nvgre_inner_mtu(port_mtu(dp, pa.port), pa.addr.family);
		if (m > best)
			best = m;
	}
	return best;
}

json_t *
dp_nv_status(struct dp *dp)
{
	struct dp_nv_ctl *c = dp->nvc;
	const struct dp_nv_fwd *fwd = dp->nv_fwd;
	struct nvgre_stats st;
	json_t *nhs, *drops, *res;
	uint64_t total[NVGRE_DROP_N] = { 0 };
	uint64_t now = now_ms();
	uint32_t states[DP_NV_PEER_UNREACHABLE + 1] = { 0 };

	if (!c || !fwd)
		return json_pack("{s:b}", "active", false);
	nvgre_view_stats(nvgre_db_view(c->db), &st);
	nhs = json_array();
	for (unsigned int i = 0; i < DP_NV_MAX_NEXTHOPS; i++) {
		const struct nv_nexthop *nh = &c->nh[i];
		char a[NVGRE_ADDR_STRLEN], m[NVGRE_MAC_STRLEN];
		struct dp_port *p;

		if (!nh->used)
			continue;
		p = dp->ports[nh->slot];
		nvgre_addr_format(&nh->addr, a, sizeof(a));
		nvgre_mac_format(nh->mac, m, sizeof(m));
		json_array_append_new(nhs, json_pack(
			"{s:s, s:s, s:i, s:s, s:s?, s:I}", "address", a,
			"port", p ? p->cfg.name : "?", "vlan", nh->vlan,
			"state", nh->resolved ? "reachable" : "incomplete",
			"mac", nh->resolved ? m : NULL, "expires_ms",
			(json_int_t)(nh->resolved && nh->expires_ms > now
				     ? nh->expires_ms - now : 0)));
	}
	for (uint32_t i = 0; i < fwd->n_peers; i++)
		if (fwd->peers[i].state <= DP_NV_PEER_UNREACHABLE)
			states[fwd->peers[i].state]++;
	for (unsigned int w = 0; w < dp->n_workers; w++)
		for (int r = 1; r < NVGRE_DROP_N; r++)
			total[r] += dp->workers[w]->nv_decap_drops[r];
	drops = json_object();
	for (int r = 1; r < NVGRE_DROP_N; r++)
		if (total[r])
			json_object_set_new(drops, nvgre_drop_name(r),
					    json_integer((json_int_t)total[r]));
	res = json_pack(
		"{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:I,"
		" s:{s:I, s:I, s:I, s:I}, s:o, s:o,"
		" s:{s:I, s:I, s:I, s:I, s:I}}",
		"active", true, "version", (json_int_t)st.version,
		"records", (json_int_t)st.records, "vsids",
		(json_int_t)st.vsids, "local_pas", (json_int_t)st.local_pas,
		"remote_pas", (json_int_t)(states[DP_NV_PEER_OK] +
			states[DP_NV_PEER_UNRESOLVED] +
			states[DP_NV_PEER_UNREACHABLE]),
		"table_bytes", (json_int_t)nvgre_db_bytes(c->db),
		"gateway_mac", "02:76:73:67:77:01",
		"inner_mtu", (json_int_t)dp_nv_inner_mtu(dp),
		"peers", "ready", (json_int_t)states[DP_NV_PEER_OK],
		"unresolved", (json_int_t)states[DP_NV_PEER_UNRESOLVED],
		"unreachable", (json_int_t)states[DP_NV_PEER_UNREACHABLE],
		"local", (json_int_t)states[DP_NV_PEER_LOCAL],
		"next_hops", nhs, "decap_drops", drops,
		"underlay", "neigh_rx", (json_int_t)c->rx_neigh,
		"answered", (json_int_t)c->answered, "requests",
		(json_int_t)c->requests, "learned", (json_int_t)c->learned,
		"tx_dropped", (json_int_t)c->tx_dropped);
	return res;
}

void
dp_nv_fini(struct dp *dp)
{
	struct dp_nv_fwd *fwd = dp->nv_fwd;

	/* Workers have stopped. */
	atomic_store(&dp->nv_fwd, NULL);
	if (fwd && (!dp->nvc || fwd->db != dp->nvc->db))
		nvgre_db_destroy(fwd->db);
	free(fwd);
	if (dp->nvc) {
		nvgre_db_destroy(dp->nvc->db);
		free(dp->nvc);
		dp->nvc = NULL;
	}
}
