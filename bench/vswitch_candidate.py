"""The vswitch candidate for bench/run: vswitch-controld + vswitchd with
vhost-user server ports, configured with vswitchctl.  Same interface as the
candidates in candidates.py (start / clear_stats / cycles_per_packet /
stop).  vswitchd's main (control) lcore runs on CPU 0, its one worker on
CPU 1, busy polling.

With scenario 'nv' (bench/nvbench.py) and 'nv_files' (its import files):
the port nv['phy'] is an external port on a vhost-user socket
(net_vhost), the others VM ports in nv['vsid']; the tables are loaded
with `vswitchctl nv import`, one file (transaction) at a time."""
import json
import os
import signal
import subprocess
import time

import nvbench

SWITCH_CPU = 1
CONTROL_CPU = 0


class VswitchCandidate:
    name = "vswitch"

    def __init__(self, build_dir):
        self.build = build_dir
        self.procs = []
        self.prefix = None
        self.workdir = None
        self.base = None
        self.vswitchd = None
        self.nv_info = {}

    def vsctl(self, *args, check=True):
        cmd = [os.path.join(self.build, "control", "vswitchctl"),
               "--socket", os.path.join(self.workdir, "ctl.sock")] + \
            [str(a) for a in args]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError("vswitchctl %s: %s" % (" ".join(map(str, args)),
                                                     out.stderr.strip()))
        return out

    def vsctl_json(self, *args):
        return json.loads(self.vsctl("--json", *args).stdout)

    def _spawn(self, name, cmd):
        log = open(os.path.join(self.workdir, name + ".log"), "ab")
        # A session of its own, like OVS (--detach) and testpmd: with the
        # kernel's autogroup scheduling each session shares a CPU as one
        # entity, so in the runner's session vswitchd's worker would share
        # its CPU 1 weight with pktgen's busy CPU 0 and get a fraction of
        # what OVS's PMD gets whenever anything else runs on CPU 1.
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def _wait(self, what, pred, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if pred():
                    return
            except (RuntimeError, ValueError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError("vswitch: timed out waiting for " + what)

    def start(self, workdir, ports, scenario):
        self.workdir = workdir
        ctl = os.path.join(workdir, "ctl.sock")
        dps = os.path.join(workdir, "dp.sock")
        self._spawn("controld", [
            os.path.join(self.build, "control", "vswitch-controld"),
            "--foreground", "--config", os.path.join(workdir, "config.json"),
            "--socket", ctl, "--dataplane-socket", dps])
        self._wait("controld", lambda: os.path.exists(ctl), 10)
        vsd = self._spawn("vswitchd", [
            os.path.join(self.build, "dataplane", "vswitchd"),
            "--dataplane-socket", dps, "--busy-poll", "--",
            "--no-huge", "--no-pci", "-m", "1024", "--no-telemetry",
            "--file-prefix", "vsbench%d" % os.getpid(),
            "--lcores", "0@%d,1@%d" % (CONTROL_CPU, SWITCH_CPU)])
        self.prefix = "vsbench%d" % os.getpid()
        self.vswitchd = vsd
        self._wait("vswitchd", lambda: self.vsctl_json("show")["dataplane"]
                   == "up", 30)
        if vsd.poll() is not None:
            raise RuntimeError("vswitchd exited at start")
        socks = {}
        nv = scenario.get("nv")
        for p in ports:
            socks[p] = os.path.join(workdir, p + ".sock")
            if nv and p == nv["phy"]:
                self.vsctl("add-port", p, "--type", "external", "--devargs",
                           "net_vhost0,iface=%s,queues=1" % socks[p])
            elif nv:
                self.vsctl("add-port", p, "--type", "vm", "--socket",
                           socks[p], "--vsid", nv["vsid"])
            else:
                self.vsctl("add-port", p, "--type", "vm", "--socket",
                           socks[p])
        if nv:
            self._nv_load(scenario["nv_files"])
        for p, v in scenario.get("vlan", {}).items():
            if v["mode"] == "access":
                self.vsctl("set-port", p, "--vlan-mode", "access",
                           "--vlan", v["vlan"])
            else:
                self.vsctl("set-port", p, "--vlan-mode", "trunk",
                           "--allowed-vlans",
                           ",".join(str(x) for x in v["allowed"]))
        for p, opts in scenario.get("policy", {}).items():
            self.vsctl("set-port", p, *opts)
        return socks

    def rss_kb(self):
        """vswitchd's resident set (kB)."""
        with open("/proc/%d/status" % self.vswitchd.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def nv_status(self):
        return self.vsctl_json("nv", "status")["vswitchd"]["dataplane"]

    def _nv_load(self, files):
        rss0, t0 = self.rss_kb(), time.time()
        rss_steps = []
        for path in files:
            self.vsctl("nv", "import", path)
            rss_steps.append(self.rss_kb())
        dt = time.time() - t0
        st = self.nv_status()
        self.nv_info = dict(import_s=round(dt, 2), files=len(files),
                            records=st["records"],
                            table_bytes=st["table_bytes"],
                            rss_before_kb=rss0, rss_after_kb=self.rss_kb(),
                            rss_per_import_kb=rss_steps)

    def phy_mac(self, port):
        """The MAC of external port 'port' (net_vhost's: 56:48:4f:53:54
        and the DPDK port id), where NVGRE for our PA must go."""
        for p in self.vsctl_json("show")["ports"]:
            if p["name"] == port:
                return "56:48:4f:53:54:%02x" % p["dpdk_port"]
        raise RuntimeError("no port " + port)

    def wait_ready(self, scen, timeout=10):
        """Before measuring: every remote PA's next hop resolved (encap),
        the records all there (both).  Raises with nv status if not."""
        nv = scen["nv"]
        want = len(nvbench.remote_pas(nv)) if nv["dir"] == "encap" else 0
        deadline, st = time.time() + timeout, None
        while time.time() < deadline:
            st = self.nv_status()
            if (st["records"] == scen["nv_records"] and
                    st["peers"]["ready"] >= want and
                    (want == 0 or st["peers"]["unresolved"] == 0)):
                return dict(peers_ready=st["peers"]["ready"],
                            wait_s=round(timeout - deadline + time.time(),
                                         2))
            time.sleep(0.1)
        raise RuntimeError("nv not ready in %d s (want %d peers ready, %d "
                           "records): %s" % (timeout, want,
                                             scen["nv_records"],
                                             json.dumps(st)))

    def nv_counters(self):
        """Drops of the NV paths after a run: nv status's decap_drops and
        the ports' drop counters."""
        st = self.nv_status()
        drops = {}
        for p in self.vsctl_json("port-stats")["ports"]:
            for k, v in p.get("stats", p).get("drops", {}).items():
                if v:
                    drops["%s:%s" % (p["name"], k)] = v
        return dict(decap_drops=st["decap_drops"], port_drops=drops,
                    peers=st["peers"], underlay=st["underlay"])

    def _queue_totals(self):
        q = self.vsctl_json("queues")
        cycles = sum(x["cycles"] for w in q["workers"] for x in w["queues"])
        pkts = sum(x["packets"] for w in q["workers"] for x in w["queues"])
        return cycles, pkts

    def clear_stats(self):
        self.base = self._queue_totals()

    def cycles_per_packet(self):
        cycles, pkts = self._queue_totals()
        if self.base:
            cycles -= self.base[0]
            pkts -= self.base[1]
        return cycles / pkts if pkts else None

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []
        if self.prefix:
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + self.prefix])
