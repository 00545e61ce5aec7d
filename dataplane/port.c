/* Ports: turning a configured port into a running DPDK device and back.
 * Control thread only. */
#define DP_LOG_THIS DP_LOG_PORT

#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_lcore.h>

#include "dataplane/dp.h"
#include "dataplane/log.h"
#include "dataplane/teamport.h"

/* Builds the EAL device string of 'p' into 'out' and its ethdev name into
 * p->devname.  Virtual devices get a unique instance name (DRIVER_vsN) so
 * that several ports may name the same driver. */
static int
port_devstring(struct dp *dp, struct dp_port *p, char *out, size_t size)
{
	const struct ctl_port *c = &p->cfg;
	unsigned int seq = ++dp->dev_seq;
	const char *args, *comma;
	size_t drv_len;
	int n;

	if (c->type == CTL_PORT_INTERNAL) {
		snprintf(p->devname, sizeof(p->devname), "net_tap_vs%u", seq);
		n = snprintf(out, size, "%s,iface=%s", p->devname, c->name);
	} else if (c->socket[0]) {
		snprintf(p->devname, sizeof(p->devname), "net_vhost_vs%u",
			 seq);
		n = snprintf(out, size, "%s,iface=%s,queues=1,client=%d",
			     p->devname, c->socket,
			     c->vhost_mode == CTL_VHOST_CLIENT);
		p->is_vhost = true;
	} else {
		comma = strchr(c->devargs, ',');
		args = comma ? comma : "";
		drv_len = comma ? (size_t)(comma - c->devargs)
				: strlen(c->devargs);
		if (!strncmp(c->devargs, "net_", 4) ||
		    !strncmp(c->devargs, "eth_", 4)) {
			while (drv_len && isdigit((unsigned char)
						  c->devargs[drv_len - 1]))
				drv_len--;
			snprintf(p->devname, sizeof(p->devname), "%.*s_vs%u",
				 (int)drv_len, c->devargs, seq);
			p->is_vhost = !strncmp(c->devargs, "net_vhost", 9);
		} else {
			snprintf(p->devname, sizeof(p->devname), "%.*s",
				 (int)drv_len, c->devargs);
		}
		n = snprintf(out, size, "%s%s", p->devname, args);
	}
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* Where errors about 'p' point in the configuration:
 * "ports[up].devargs", or for a team member
 * "ports[up].team: teams[t1].members[1]". */
static const char *
port_where(const struct dp_port *p, char *buf, size_t size)
{
	const char *field = p->cfg.type == CTL_PORT_INTERNAL ? "name"
			  : p->cfg.socket[0] ? "socket" : "devargs";

	if (dp_port_is_member(p))
		snprintf(buf, size, "ports[%s].team: teams[%s].members[%u]",
			 p->cfg.name, p->team_of->team_cfg.name,
			 p->member_idx);
	else
		snprintf(buf, size, "ports[%s].%s", p->cfg.name, field);
	return buf;
}

static int
port_setup_queues(struct dp *dp, struct dp_port *p, char *err, size_t errsz)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = DP_RX_DESC, ntx = DP_TX_DESC;
	char where[2 * CTL_NAME_SIZE + 48];
	int socket = rte_eth_dev_socket_id(p->port_id), rc;

	if (socket < 0)
		socket = (int)rte_socket_id();
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0)
		goto fail;
	p->n_rxq = p->cfg.type == CTL_PORT_VM ? 1
		 : RTE_MIN(RTE_MIN(dp->n_workers, (unsigned)info.max_rx_queues),
			   (unsigned)DP_MAX_RXQ);
	p->n_txq = RTE_MIN(dp->n_workers, (unsigned)info.max_tx_queues);
	if (p->is_vhost)
		p->n_txq = 1;
	p->txq_per_worker = p->n_txq >= dp->n_workers;
	if (!p->txq_per_worker)
		p->n_txq = 1;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nrx, &ntx);
	for (uint16_t q = 0; rc == 0 && q < p->n_rxq; q++)
		rc = rte_eth_rx_queue_setup(p->port_id, q, nrx,
					    (unsigned)socket, NULL, dp->pool);
	for (uint16_t q = 0; rc == 0 && q < p->n_txq; q++)
		rc = rte_eth_tx_queue_setup(p->port_id, q, ntx,
					    (unsigned)socket, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(p->port_id);
	if (rc == 0)
		return 0;
fail:
	snprintf(err, errsz, "%s: cannot start device %s: %s",
		 port_where(p, where, sizeof(where)), p->devname,
		 rte_strerror(-rc));
	return rc;
}

static int
port_create_handoff(struct dp_port *p, char *err, size_t errsz)
{
	char name[RTE_RING_NAMESIZE];

	if (p->txq_per_worker)
		return 0;
	snprintf(name, sizeof(name), "vs_ho_%u", p->port_id);
	p->handoff = rte_ring_create(name, DP_HANDOFF_SIZE, SOCKET_ID_ANY,
				     RING_F_SC_DEQ);
	if (p->handoff)
		return 0;
	snprintf(err, errsz, "ports[%s]: cannot create tx ring: %s",
		 p->cfg.name, rte_strerror(rte_errno));
	return -ENOMEM;
}

static void
port_remove_device(struct dp_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (rte_eth_dev_info_get(p->port_id, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
	if (dev && rte_dev_remove(dev) < 0)
		rte_eal_hotplug_remove("vdev", p->devname);
}

int
dp_port_open(struct dp *dp, struct dp_port *p, char *err, size_t errsz)
{
	char devstr[CTL_DEVARGS_SIZE + 64];
	char where[2 * CTL_NAME_SIZE + 48];
	int rc;

	p->running = false;
	p->error[0] = '\0';
	for (int q = 0; q < DP_MAX_RXQ; q++)
		p->assign[q] = DP_NO_WORKER;
	/* A team port has no device: its members do. */
	if (p->cfg.team[0]) {
		rc = dp_team_open(dp, p, err, errsz);
		p->running = rc == 0;
		snprintf(p->devname, sizeof(p->devname), "team %s",
			 p->team_cfg.name);
		return rc;
	}
	port_where(p, where, sizeof(where));
	if (port_devstring(dp, p, devstr, sizeof(devstr)) < 0) {
		snprintf(err, errsz, "%s: too long", where);
		return -ENAMETOOLONG;
	}
	rc = rte_dev_probe(devstr);
	if (rc < 0) {
		snprintf(err, errsz, "%s: cannot probe '%s': %s", where,
			 devstr, rte_strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(p->devname, &p->port_id) != 0) {
		snprintf(err, errsz, "%s: '%s' is not an ethdev", where,
			 p->devname);
		rte_eal_hotplug_remove("vdev", p->devname);
		return -ENODEV;
	}
	rc = port_setup_queues(dp, p, err, errsz);
	if (rc == 0)
		rc = port_create_handoff(p, err, errsz);
	if (rc < 0) {
		port_remove_device(p);
		return rc;
	}
	rte_eth_promiscuous_enable(p->port_id);
	p->running = true;
	DP_LOG(NOTICE, "port %s%s: %s is dpdk port %u, %u rxq, %u txq%s",
	       p->cfg.name, dp_port_is_member(p) ? " (team member)" : "",
	       p->devname, p->port_id, p->n_rxq, p->n_txq,
	       p->txq_per_worker ? "" : " (shared)");
	return 0;
}

void
dp_port_close(struct dp *dp, struct dp_port *p)
{
	void *m = NULL;

	if (!p->running)
		return;
	if (p->team) {
		dp_team_close(dp, p);
		p->running = false;
		DP_LOG(NOTICE, "port %s: %s closed", p->cfg.name, p->devname);
		return;
	}
	port_remove_device(p);
	if (p->handoff) {
		while (rte_ring_sc_dequeue(p->handoff, &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(p->handoff);
		p->handoff = NULL;
	}
	p->running = false;
	DP_LOG(NOTICE, "port %s: %s closed", p->cfg.name, p->devname);
}

bool
dp_port_link_up(const struct dp_port *p)
{
	struct rte_eth_link link;

	if (p->team) {
		for (unsigned int i = 0; i < p->team_cfg.n_members; i++)
			if (dp_team_member_link(p, i))
				return true;
		return false;
	}
	if (!p->running || rte_eth_link_get_nowait(p->port_id, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}

void
dp_devargs_iface(const char *devargs, char *out, size_t size)
{
	const char *a = devargs, *s;
	size_t n;

	out[0] = '\0';
	if (strncmp(a, "net_af_packet", 13) != 0)
		return;
	for (s = strchr(a, ','); s; s = strchr(s + 1, ','))
		if (!strncmp(s + 1, "iface=", 6)) {
			s += 7;
			n = strcspn(s, ",");
			if (n < size) {
				memcpy(out, s, n);
				out[n] = '\0';
			}
			return;
		}
}

int
dp_port_set_link(struct dp_port *p, bool up)
{
	char iface[IFNAMSIZ];
	struct ifreq ifr;
	int fd, rc = 0;

	dp_devargs_iface(p->cfg.devargs, iface, sizeof(iface));
	if (!iface[0])
		return up ? rte_eth_dev_set_link_up(p->port_id)
			  : rte_eth_dev_set_link_down(p->port_id);
	/* The af_packet PMD cannot take its link down; the interface it
	 * is bound to can, and its veth peer (the VM) then loses carrier. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
	} else {
		ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP
					   : ifr.ifr_flags & ~IFF_UP);
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}
