/* Minimum-bandwidth weights (--min-weight): VM ports share a saturated
 * external port's transmit capacity in proportion to their weights.
 * Control thread only.
 *
 * The workers count what each VM port offers to each shared external port
 * and police it against a limit (l2.c); here, every DP_SHARE_INTERVAL_MS,
 * the counts become demands in bits/s and dp_share_allocate() (policy.c)
 * turns demands, weights and the port's capacity into limits.  While the
 * port is not saturated every limit is 0 (none).  A limit takes effect at
 * a worker's next frame from that source; it is read without a lock. */
#define DP_LOG_THIS DP_LOG_PORT

#include <string.h>

#include <rte_cycles.h>

#include "dataplane/dp.h"
#include "dataplane/log.h"
#include "dataplane/teamport.h"

/* The capacity of an external port: its configured link_speed, else the
 * speed the device reports; 0 when neither is known. */
static uint64_t
port_capacity(const struct dp_port *p)
{
	struct rte_eth_link link;
	uint64_t sum = 0;

	if (p->cfg.link_speed)
		return p->cfg.link_speed;
	/* A team: what its members report together. */
	if (p->team) {
		for (unsigned int i = 0; i < p->team->n_members; i++)
			sum += port_capacity(p->team->members[i]);
		return sum;
	}
	if (rte_eth_link_get_nowait(p->port_id, &link) < 0 ||
	    link.link_speed == RTE_ETH_SPEED_NUM_NONE ||
	    link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN)
		return 0;
	return (uint64_t)link.link_speed * 1000000u;
}

static uint64_t
offered_sum(const struct dp *dp, unsigned int pool, uint16_t slot)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < dp->n_workers; i++)
		sum += dp->workers[i]->share[pool].offered[slot];
	return sum;
}

static void
pool_reset(struct dp *dp, unsigned int pool)
{
	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		atomic_store_explicit(&dp->share_limit[pool][slot], 0,
				      memory_order_relaxed);
		dp->share_offered[pool][slot] = offered_sum(dp, pool, slot);
	}
}

void
dp_share_setup(struct dp *dp)
{
	unsigned int pool = 0;

	for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
		const struct dp_port *p = dp->ports[slot];
		uint64_t cap;

		if (!p || !p->running || p->cfg.type != CTL_PORT_EXTERNAL ||
		    dp_port_is_member(p))
			continue;
		if (pool == DP_MAX_SHARED) {
			DP_LOG(WARNING, "port %s: only %u external ports can "
			       "be shared by min_weight", p->cfg.name,
			       DP_MAX_SHARED);
			break;
		}
		cap = port_capacity(p);
		if (dp->share_port[pool] != slot ||
		    dp->share_capacity[pool] != cap) {
			dp->share_port[pool] = (uint16_t)slot;
			dp->share_capacity[pool] = cap;
			pool_reset(dp, pool);
		}
		pool++;
	}
	for (; pool < DP_MAX_SHARED; pool++)
		if (dp->share_capacity[pool]) {
			dp->share_capacity[pool] = 0;
			pool_reset(dp, pool);
		}
}

void
dp_share_update(struct dp *dp)
{
	uint64_t now = rte_get_tsc_cycles();
	uint64_t dt_ns = dp_tsc_to_ns(dp, now - dp->share_tsc);
	uint16_t slots[DP_MAX_PORTS];
	uint8_t weight[DP_MAX_PORTS];
	uint64_t demand[DP_MAX_PORTS], limit[DP_MAX_PORTS];

	if (dt_ns < DP_SHARE_INTERVAL_MS * 1000000ull)
		return;
	dp->share_tsc = now;
	for (unsigned int pool = 0; pool < DP_MAX_SHARED; pool++) {
		unsigned int n = 0;

		if (!dp->share_capacity[pool])
			continue;
		for (unsigned int slot = 0; slot < DP_MAX_PORTS; slot++) {
			const struct dp_port *p = dp->ports[slot];
			uint64_t sum, bytes;

			if (!p || p->cfg.type != CTL_PORT_VM)
				continue;
			sum = offered_sum(dp, pool, (uint16_t)slot);
			bytes = sum - dp->share_offered[pool][slot];
			dp->share_offered[pool][slot] = sum;
			slots[n] = (uint16_t)slot;
			weight[n] = p->cfg.min_weight;
			demand[n] = (uint64_t)((unsigned __int128)bytes * 8 *
					       1000000000u / dt_ns);
			n++;
		}
		dp_share_allocate(n, weight, demand,
				  dp->share_capacity[pool], limit);
		for (unsigned int i = 0; i < n; i++)
			atomic_store_explicit(
				&dp->share_limit[pool][slots[i]], limit[i],
				memory_order_relaxed);
	}
}
