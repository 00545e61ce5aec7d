#!/usr/bin/env python3
"""Comparison candidates for the benchmarks: switches that bench/run starts,
measures with bench/pktgen, and stops.

    ovs      Open vSwitch with DPDK (userspace datapath, vhost-user ports)
    testpmd  dpdk-testpmd in io mode: port i -> port i^1, the vhost-user ceiling

Each candidate owns its vhost-user sockets (server mode); the generator
attaches as virtio-user.  The forwarding thread runs on CPU 1 only,
everything else of the candidate on CPU 0.

Library use (Python 3 standard library only):

    import candidates
    c = candidates.CANDIDATES["ovs"]()
    try:
        socks = c.start(workdir, ["a", "b"], {"mode": "flow"})
        ...                              # traffic through socks["a"], socks["b"]
        c.cycles_per_packet()
    finally:
        c.stop()

By hand:

    python3 bench/candidates.py ovs|testpmd --ports a,b --workdir DIR [--mode normal|flow]
        [--scenario JSON]   starts, prints {port: socket} as JSON, waits for
                            Ctrl-C/SIGTERM, stops.

Everything a candidate creates is named after a random tag and removed by
stop(): processes (by PID), the DPDK runtime dir /var/run/dpdk/PREFIX, the
sockets and state under WORKDIR/ovs or WORKDIR/testpmd, and for OVS its
network namespace with the bridges' TAP devices.  Logs stay in WORKDIR
(ovs-vswitchd.log, ovsdb-server.log, testpmd.log).  Packages: bench/deps.sh.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time

OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
DPDK_RUNTIME = "/var/run/dpdk"
NETNS_DIR = "/run/netns"
SUN_PATH_MAX = 107          # sizeof(sockaddr_un.sun_path) - 1
STOP_TIMEOUT = 10.0         # seconds between SIGTERM and SIGKILL
SOCKET_TIMEOUT = 60.0       # OVS DPDK initialisation can be slow here
MAIN_CPU = 0                # the candidate's control threads
FWD_CPU = 1                 # its forwarding thread

_PORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$")


# --------------------------------------------------------------- helpers

class CandidateError(RuntimeError):
    pass


def _pin_main_cpu():
    """preexec_fn: the child and all its threads start on MAIN_CPU; the
    forwarding thread is moved to FWD_CPU by the candidate itself."""
    os.sched_setaffinity(0, {MAIN_CPU})


def _run(cmd, env=None, timeout=60, check=True, pin=False):
    """Runs cmd (with pin: on MAIN_CPU only, and so are the daemons it
    forks); returns stdout.  Raises CandidateError with its stderr."""
    try:
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                           preexec_fn=_pin_main_cpu if pin else None,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CandidateError("timed out after %ss: %s" % (timeout, " ".join(cmd)))
    except OSError as e:
        raise CandidateError("cannot run %s: %s" % (cmd[0], e))
    if check and p.returncode != 0:
        raise CandidateError("%s failed (exit %d): %s" % (
            " ".join(cmd), p.returncode, (p.stderr or p.stdout).strip()))
    return p.stdout


def _wait_until(pred, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _is_socket(path):
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def _proc_state(pid):
    """'R', 'S', 'Z', ... or None when no such process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return s[s.rindex(")") + 2:].split()[0]
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid):
    st = _proc_state(pid)
    return st is not None and st not in ("Z", "X")


def _comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def _read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _stop_pid(pid, comm=None, popen=None, timeout=STOP_TIMEOUT):
    """SIGTERM, wait up to timeout, SIGKILL.  With comm, only a process of
    that name is signalled (the PID may have been reused since)."""
    if not pid or not _alive(pid):
        if popen is not None:
            popen.poll()
        return
    if comm is not None and not (_comm(pid) or "").startswith(comm[:15]):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return

    def gone():
        if popen is not None and popen.poll() is not None:
            return True
        return not _alive(pid)

    if not _wait_until(gone, timeout):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_until(gone, 5)
    if popen is not None:
        try:
            popen.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
    # A daemon is not our child: its zombie is reaped by init; give it a
    # moment so that a 'ps' right after stop() sees nothing.
    _wait_until(lambda: _proc_state(pid) is None, 2, 0.05)


def _rmtree(path):
    if path and os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)


def _tail(path, n=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def _check_ports(ports):
    if not ports:
        raise ValueError("no ports")
    if len(set(ports)) != len(ports):
        raise ValueError("duplicate port names: %s" % ports)
    for p in ports:
        if not _PORT_NAME.match(p):
            raise ValueError("bad port name %r (letters, digits, _.-; 1-15 chars)" % p)


def _check_sun_path(path):
    if len(path.encode()) > SUN_PATH_MAX:
        raise ValueError("socket path too long (%d > %d bytes): %s; use a shorter workdir"
                         % (len(path.encode()), SUN_PATH_MAX, path))


def _vlan_list(allowed):
    """[10, 20] or "10,20,100-102" -> [10, 20, 100, 101, 102]."""
    if isinstance(allowed, int):
        return [allowed]
    if isinstance(allowed, str):
        allowed = [a for a in allowed.split(",") if a.strip()]
    out = []
    for a in allowed:
        if isinstance(a, str) and "-" in a:
            lo, hi = a.split("-", 1)
            out.extend(range(int(lo), int(hi) + 1))
        else:
            out.append(int(a))
    for v in out:
        if not 0 <= v <= 4095:
            raise ValueError("bad VLAN %d" % v)
    return out


def thread_affinity(pid):
    """[(tid, name, [cpus])] of every thread of pid: where it may run."""
    out = []
    try:
        tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%d/comm" % (pid, tid)) as f:
                name = f.read().strip()
            cpus = sorted(os.sched_getaffinity(tid))
        except OSError:
            continue
        out.append((tid, name, cpus))
    return out


# ------------------------------------------------------------ interface

class Candidate:
    """A switch under comparison.  Subclasses fill in _start/_stop."""

    name = ""

    def __init__(self):
        self.workdir = None
        self.ports = []
        self.sockets = {}
        self.scenario = {}
        self.tag = None
        self.prefix = None          # DPDK --file-prefix
        self.state = None           # WORKDIR/<name>: sockets, pidfiles, db
        self._started = False

    def start(self, workdir, ports, scenario=None):
        """Starts the switch with one vhost-user server port per name in
        ports; returns {port name: socket path}.  On any failure stops
        whatever it had started and raises."""
        if self._started:
            raise CandidateError("%s already started; stop() it first" % self.name)
        ports = list(ports)
        _check_ports(ports)
        scenario = dict(scenario or {})
        mode = scenario.get("mode", "normal")
        if mode not in ("normal", "flow"):
            raise ValueError("scenario mode must be 'normal' or 'flow', not %r" % mode)
        for p in scenario.get("vlan") or {}:
            if p not in ports:
                raise ValueError("vlan given for unknown port %r" % p)
        if os.cpu_count() is not None and os.cpu_count() <= FWD_CPU:
            raise CandidateError("need CPU %d for forwarding" % FWD_CPU)
        self.workdir = os.path.abspath(workdir)
        self.ports = ports
        self.scenario = scenario
        self.tag = "%x%s" % (os.getpid() & 0xffff, secrets.token_hex(2))
        self.prefix = "vsb-%s-%s" % (self.name, self.tag)
        self.state = os.path.join(self.workdir, self.name)
        longest = max(ports + ["ovs-vswitchd.ctl", "br-phy.snoop"], key=len)
        _check_sun_path(os.path.join(self.state, longest + ".sock"))
        os.makedirs(self.workdir, exist_ok=True)
        _rmtree(self.state)         # a stale one of an earlier crashed run
        os.makedirs(self.state)
        self.sockets = {}
        self._started = True
        try:
            self.sockets = self._start()
        except BaseException:
            self.stop()
            raise
        return dict(self.sockets)

    def cycles_per_packet(self):
        return None

    def clear_stats(self):
        pass

    def stop(self):
        """Stops everything start() created, even after a failed start.
        Idempotent."""
        if not self._started:
            return
        try:
            self._stop()
        finally:
            if self.prefix:
                _rmtree(os.path.join(DPDK_RUNTIME, self.prefix))
            for path in self.sockets.values():
                if os.path.lexists(path):
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
            _rmtree(self.state)
            self._started = False

    def pids(self):
        """PIDs of the candidate's running processes."""
        return []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _start(self):
        raise NotImplementedError

    def _stop(self):
        raise NotImplementedError


# ------------------------------------------------------------------ OVS

class OvsCandidate(Candidate):
    """Open vSwitch with DPDK, a private instance: ovsdb-server and
    ovs-vswitchd with OVS_RUNDIR/OVS_DBDIR = WORKDIR/ovs, logs in WORKDIR,
    ovs-vswitchd in a network namespace of its own so that its bridge TAP
    devices (and 'ovs-netdev') never meet another OVS's.  One PMD thread on
    CPU 1 (pmd-cpu-mask=0x2); the rest on CPU 0 (dpdk-lcore-mask=0x1 and
    the processes started pinned to CPU 0).

    Bridge br0 (datapath_type=netdev), ports type=dpdkvhostuser with
    ofport = position in 'ports' + 1.  'normal': the default NORMAL flow;
    'flow': in_port=1 -> output:2, in_port=2 -> output:1 (and 3<->4, ...).

    With scenario 'gre' = {vsid, local_pa, remote_pa, remote_mac, phy_port
    [, local_mac]}: br-int holds every port but phy_port plus gre0
    (type=gre, remote_ip=remote_pa, key=vsid<<8: NVGRE wire format with
    FlowID 0); br-phy (hwaddr local_mac, default 02:00:00:00:fe:01,
    address local_pa/24 in the namespace's kernel) holds phy_port, with
    in_port=phy -> LOCAL and LOCAL -> phy; the neighbour remote_pa ->
    remote_mac is set statically (tnl/arp/set).  'flow' then means the first
    VM port <-> gre0.  Frames to decapsulate must go to local_mac
    (self.local_mac) and local_pa with key vsid<<8."""

    name = "ovs"
    VSWITCHD = "ovs-vswitchd"
    OVSDB = "ovsdb-server"
    GRE_LOCAL_MAC = "02:00:00:00:fe:01"

    def __init__(self):
        super().__init__()
        self.netns = None
        self.env = None
        self.bridges = []
        self.local_mac = None
        self._vswitchd_pid = None
        self._ovsdb_pid = None
        self._ofports = {}

    # paths
    def _p(self, name):
        return os.path.join(self.state, name)

    @property
    def db_sock(self):
        return self._p("db.sock")

    @property
    def vswitchd_ctl(self):
        return self._p("ovs-vswitchd.ctl")

    def _vsctl(self, *args, timeout=60):
        return _run(["ovs-vsctl", "--db=unix:" + self.db_sock,
                     "--timeout=%d" % timeout] + list(args),
                    env=self.env, timeout=timeout + 5)

    def appctl(self, *args, timeout=30):
        """ovs-appctl to this instance's ovs-vswitchd."""
        return _run(["ovs-appctl", "-t", self.vswitchd_ctl,
                     "--timeout=%d" % timeout] + list(args),
                    env=self.env, timeout=timeout + 5)

    def ofctl(self, bridge, *args):
        """ovs-ofctl on one of this instance's bridges."""
        target = "unix:" + self._p(bridge + ".mgmt")
        args = list(args)
        return _run(["ovs-ofctl"] + args[:1] + [target] + args[1:],
                    env=self.env, timeout=30)

    def _in_netns(self, cmd):
        return ["nsenter", "--net=" + os.path.join(NETNS_DIR, self.netns)] + cmd

    def _ip(self, *args, check=True):
        return _run(["ip", "-n", self.netns] + list(args), timeout=30, check=check)

    def pids(self):
        return [p for p in (self._ovsdb_pid, self._vswitchd_pid) if p and _alive(p)]

    def _start(self):
        for tool in ("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl",
                     "ovs-ofctl", "ovs-appctl", "nsenter", "ip"):
            if shutil.which(tool) is None:
                raise CandidateError("%s not installed (run bench/deps.sh)" % tool)
        if not os.path.exists(OVS_SCHEMA):
            raise CandidateError("%s missing (run bench/deps.sh)" % OVS_SCHEMA)
        vswitchd = os.path.realpath(shutil.which("ovs-vswitchd"))
        if "dpdk" not in vswitchd:
            raise CandidateError("ovs-vswitchd is %s, not the DPDK build: run bench/deps.sh "
                                 "(update-alternatives --set ovs-vswitchd "
                                 "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk)" % vswitchd)

        reserved = {"br0", "br-int", "br-phy", "gre0", "ovs-netdev", "db.sock", "conf.db"}
        if reserved & set(self.ports):
            raise ValueError("port names %s are OVS's own here" % sorted(reserved & set(self.ports)))
        self.local_mac = None
        self._ofports = {}
        gre = self.scenario.get("gre")
        if gre:
            for k in ("vsid", "local_pa", "remote_pa", "remote_mac", "phy_port"):
                if k not in gre:
                    raise ValueError("scenario gre lacks %r" % k)
            if gre["phy_port"] not in self.ports:
                raise ValueError("gre phy_port %r is not one of the ports" % gre["phy_port"])
            if len(self.ports) < 2:
                raise ValueError("gre needs a VM port besides phy_port")
            if not 0 <= int(gre["vsid"]) < 1 << 24:
                raise ValueError("vsid must be 24 bits")

        for p in self.ports + ["db.sock", "ovs-vswitchd.ctl", "br-int.mgmt", "br-phy.mgmt"]:
            _check_sun_path(self._p(p))

        self.env = dict(os.environ, OVS_RUNDIR=self.state, OVS_DBDIR=self.state,
                        OVS_LOGDIR=self.workdir, OVS_SYSCONFDIR=self.state)

        # A network namespace of our own for the TAP devices.
        self.netns = "vsb-ovs-" + self.tag
        _run(["ip", "netns", "add", self.netns])
        self._ip("link", "set", "lo", "up")
        # No IPv6 chatter out of br-phy's kernel side into the underlay port.
        _run(self._in_netns(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                             "net.ipv6.conf.default.disable_ipv6=1"]), check=False)

        db = self._p("conf.db")
        _run(["ovsdb-tool", "create", db, OVS_SCHEMA], env=self.env)
        _run(["ovsdb-server", db, "--remote=punix:" + self.db_sock,
              "--pidfile=" + self._p("ovsdb-server.pid"),
              "--unixctl=" + self._p("ovsdb-server.ctl"),
              "--log-file=" + os.path.join(self.workdir, "ovsdb-server.log"),
              "--detach"], env=self.env, timeout=30, pin=True)
        self._ovsdb_pid = _read_pidfile(self._p("ovsdb-server.pid"))
        if not self._ovsdb_pid:
            raise CandidateError("ovsdb-server wrote no pidfile")

        extra = "--no-huge --legacy-mem -m 2048 --no-pci --file-prefix " + self.prefix
        self._vsctl("--no-wait", "init", "--",
                    "set", "Open_vSwitch", ".",
                    "other_config:dpdk-init=true",
                    'other_config:dpdk-extra="%s"' % extra,
                    "other_config:dpdk-lcore-mask=0x%x" % (1 << MAIN_CPU),
                    "other_config:pmd-cpu-mask=0x%x" % (1 << FWD_CPU))

        log = os.path.join(self.workdir, "ovs-vswitchd.log")
        _run(self._in_netns([
            "ovs-vswitchd", "unix:" + self.db_sock,
            "--pidfile=" + self._p("ovs-vswitchd.pid"),
            "--unixctl=" + self.vswitchd_ctl,
            "--log-file=" + log, "--detach"]),
            env=self.env, timeout=SOCKET_TIMEOUT + 30, pin=True)
        # --detach may return before the pidfile is written.
        _wait_until(lambda: _read_pidfile(self._p("ovs-vswitchd.pid")), 10)
        self._vswitchd_pid = _read_pidfile(self._p("ovs-vswitchd.pid"))
        if not self._vswitchd_pid or not _alive(self._vswitchd_pid):
            raise CandidateError("ovs-vswitchd did not start:\n" + _tail(log))

        if gre:
            self._add_gre_bridges(gre)
        else:
            args = ["add-br", "br0", "--", "set", "Bridge", "br0", "datapath_type=netdev"]
            for i, p in enumerate(self.ports):
                args += ["--", "add-port", "br0", p, "--", "set", "Interface", p,
                         "type=dpdkvhostuser", "ofport_request=%d" % (i + 1)]
                self._ofports[p] = i + 1
            self._vsctl(*args, timeout=int(SOCKET_TIMEOUT))
            self.bridges = ["br0"]

        sockets = {p: self._p(p) for p in self.ports}

        def missing():
            return [p for p, s in sockets.items() if not _is_socket(s)]
        if not _wait_until(lambda: not missing(), SOCKET_TIMEOUT):
            raise CandidateError("vhost-user sockets not created in %ds: %s\n%s" % (
                SOCKET_TIMEOUT, missing(), _tail(log)))
        for p in self.ports:
            err = self._vsctl("get", "Interface", p, "error").strip()
            if err not in ("[]", '""'):
                raise CandidateError("port %s: %s" % (p, err))

        self._apply_vlans()
        self._apply_flows()
        self._check_pmd()
        self.clear_stats()
        return sockets

    def _add_gre_bridges(self, gre):
        phy = gre["phy_port"]
        vms = [p for p in self.ports if p != phy]
        self.local_mac = gre.get("local_mac") or self.GRE_LOCAL_MAC
        key = "0x%x" % (int(gre["vsid"]) << 8)
        args = ["add-br", "br-int", "--", "set", "Bridge", "br-int", "datapath_type=netdev"]
        for i, p in enumerate(vms):
            args += ["--", "add-port", "br-int", p, "--", "set", "Interface", p,
                     "type=dpdkvhostuser", "ofport_request=%d" % (i + 1)]
            self._ofports[p] = i + 1
        self._ofports["gre0"] = len(vms) + 1
        args += ["--", "add-port", "br-int", "gre0", "--", "set", "Interface", "gre0",
                 "type=gre", "options:remote_ip=%s" % gre["remote_pa"],
                 "options:key=%s" % key, "ofport_request=%d" % (len(vms) + 1)]
        args += ["--", "add-br", "br-phy", "--", "set", "Bridge", "br-phy",
                 "datapath_type=netdev", 'other_config:hwaddr="%s"' % self.local_mac,
                 "--", "add-port", "br-phy", phy, "--", "set", "Interface", phy,
                 "type=dpdkvhostuser", "ofport_request=1"]
        self._ofports[phy] = 1
        self._vsctl(*args, timeout=int(SOCKET_TIMEOUT))
        self.bridges = ["br-int", "br-phy"]

        # The underlay address lives on br-phy's kernel side; OVS takes the
        # route from the kernel (checked, else added by hand).
        self._ip("link", "set", "br-phy", "up")
        self._ip("addr", "add", "%s/24" % gre["local_pa"], "dev", "br-phy")
        net = gre["local_pa"].rsplit(".", 1)[0] + "."

        def routed():
            return any(net in line and "br-phy" in line
                       for line in self.appctl("ovs/route/show").splitlines())
        if not _wait_until(routed, 5, 0.2):
            self.appctl("ovs/route/add", "%s/24" % gre["local_pa"], "br-phy")
        self.appctl("tnl/arp/set", "br-phy", gre["remote_pa"], gre["remote_mac"])
        # br-phy is a wire between the underlay port and the tunnel endpoint:
        # no learning, no flooding into the kernel.
        self.ofctl("br-phy", "del-flows")
        self.ofctl("br-phy", "add-flow", "in_port=1,actions=output:LOCAL")
        self.ofctl("br-phy", "add-flow", "in_port=LOCAL,actions=output:1")

    def _apply_vlans(self):
        for p, v in (self.scenario.get("vlan") or {}).items():
            mode = v.get("mode", "access")
            if mode == "access":
                self._vsctl("set", "Port", p, "vlan_mode=access", "tag=%d" % int(v["vlan"]))
            elif mode == "trunk":
                # An empty list means every VLAN to OVS.
                trunks = ",".join(str(x) for x in _vlan_list(v.get("allowed", [])))
                self._vsctl("set", "Port", p, "vlan_mode=trunk", "trunks=[%s]" % trunks)
            elif mode in ("untagged", "none", None):
                pass
            else:
                raise ValueError("port %s: vlan mode %r" % (p, mode))

    def _flow_pairs(self):
        if self.scenario.get("gre"):
            vms = [p for p in self.ports if p != self.scenario["gre"]["phy_port"]]
            return "br-int", [(self._ofports[vms[0]], self._ofports["gre0"])]
        n = len(self.ports)
        return "br0", [(i + 1, i + 2) for i in range(0, n - 1, 2)]

    def _apply_flows(self):
        """Installs the scenario's OpenFlow rules and purges the datapath
        flows so that the next packets see them."""
        if self.scenario.get("mode", "normal") == "flow":
            br, pairs = self._flow_pairs()
            self.ofctl(br, "del-flows")
            for a, b in pairs:
                self.ofctl(br, "add-flow", "in_port=%d,actions=output:%d" % (a, b))
                self.ofctl(br, "add-flow", "in_port=%d,actions=output:%d" % (b, a))
        self.appctl("revalidator/purge")

    def reconfigure(self, mode):
        """Switches a running instance between 'normal' and 'flow'."""
        if mode not in ("normal", "flow"):
            raise ValueError(mode)
        br = self._flow_pairs()[0]
        self.scenario["mode"] = mode
        if mode == "normal":
            self.ofctl(br, "del-flows")
            self.ofctl(br, "add-flow", "priority=0,actions=NORMAL")
        self._apply_flows()
        self.clear_stats()

    def _check_pmd(self):
        out = self.appctl("dpif-netdev/pmd-rxq-show")
        for p in self.ports:
            if not re.search(r"port: %s\s" % re.escape(p), out):
                raise CandidateError("port %s has no PMD rx queue:\n%s" % (p, out))

    def clear_stats(self):
        self.appctl("dpif-netdev/pmd-stats-clear")

    def pmd_stats(self):
        return self.appctl("dpif-netdev/pmd-stats-show")

    def cycles_per_packet(self):
        """'avg processing cycles per packet' of the PMD thread on CPU 1
        since the last clear_stats(); None when it saw no packet."""
        out = self.pmd_stats()
        blocks = re.split(r"(?m)^(?=\S)", out)
        for b in blocks:
            if not b.startswith("pmd thread") or not re.search(r"core_id %d\b" % FWD_CPU, b):
                continue
            m = re.search(r"avg processing cycles per packet:\s*([0-9.]+)", b)
            pk = re.search(r"packets received:\s*(\d+)", b)
            if m and (not pk or int(pk.group(1)) > 0):
                v = float(m.group(1))
                return v if v > 0 else None
        return None

    def port_stats(self):
        """{port: {counter: N}} from the Interface table.  OVS 3.1 has no
        rx/tx packet counts for dpdkvhostuser ports ('could not retrieve
        stats (Protocol error)'), only its own drop counters
        (ovs_tx_failure_drops, ...); see flow_packets() for traffic."""
        out = {}
        for p in self.ports:
            raw = self._vsctl("get", "Interface", p, "statistics").strip()
            out[p] = {k: int(v) for k, v in re.findall(r'"?([\w-]+)"?=(\d+)', raw)}
        return out

    def flow_packets(self):
        """{(bridge, 'match actions=...'): n_packets} of the OpenFlow rules."""
        out = {}
        for br in self.bridges:
            for line in self.ofctl(br, "dump-flows").splitlines():
                m = re.search(r"n_packets=(\d+),", line)
                if not m:
                    continue
                rule = re.sub(r"\b(cookie|duration|table|n_packets|n_bytes|idle_age|hard_age)=[^,\s]*,?\s*",
                              "", line).strip()
                out[(br, rule)] = int(m.group(1))
        return out

    def _stop(self):
        # Bridges first, while ovs-vswitchd runs: it removes its TAP devices
        # and vhost sockets itself.
        if self._vswitchd_pid is None and self.state:
            self._vswitchd_pid = _read_pidfile(self._p("ovs-vswitchd.pid"))
        if self._ovsdb_pid is None and self.state:
            self._ovsdb_pid = _read_pidfile(self._p("ovsdb-server.pid"))
        if self._vswitchd_pid and _alive(self._vswitchd_pid) and self.bridges:
            try:
                args = []
                for br in self.bridges:
                    args += ["--", "--if-exists", "del-br", br]
                self._vsctl(*args[1:], timeout=10)
            except CandidateError:
                pass
        _stop_pid(self._vswitchd_pid, self.VSWITCHD)
        _stop_pid(self._ovsdb_pid, self.OVSDB)
        self._vswitchd_pid = self._ovsdb_pid = None
        if self.netns and os.path.exists(os.path.join(NETNS_DIR, self.netns)):
            # The bridges' and datapath's TAP devices outlive ovs-vswitchd:
            # delete every device but lo, then the namespace.
            try:
                links = self._ip("-o", "link", "show", check=False)
                for line in links.splitlines():
                    m = re.match(r"\d+:\s+([^:@\s]+)", line)
                    if m and m.group(1) != "lo":
                        self._ip("link", "del", m.group(1), check=False)
            except CandidateError:
                pass
            _run(["ip", "netns", "del", self.netns], check=False)
        self.netns = None
        self.bridges = []
        self._ofports = {}


# -------------------------------------------------------------- testpmd

class TestpmdCandidate(Candidate):
    """dpdk-testpmd, io forwarding: the ceiling of vhost-user to vhost-user.
    Main lcore on CPU 0, forwarding lcore on CPU 1; net_vhost ports with
    their sockets at WORKDIR/testpmd/PORT.sock; port i -> port i^1 (one port:
    back out of itself).  The scenario's mode, vlan and gre do not apply."""

    name = "testpmd"
    BINARY = "dpdk-testpmd"

    def __init__(self):
        super().__init__()
        self.proc = None
        self.log = None

    def pids(self):
        return [self.proc.pid] if self.proc and self.proc.poll() is None else []

    def _start(self):
        binary = shutil.which(self.BINARY)
        if binary is None:
            raise CandidateError("%s not installed (run bench/deps.sh)" % self.BINARY)
        if len(self.ports) > 1 and len(self.ports) % 2:
            raise ValueError("testpmd pairs ports: give an even number (or one)")
        if self.scenario.get("gre"):
            raise NotImplementedError("testpmd io forwarding has no GRE")
        sockets = {p: os.path.join(self.state, p + ".sock") for p in self.ports}
        for s in sockets.values():
            _check_sun_path(s)
        # Line-buffered output, so the log shows when forwarding started.
        stdbuf = shutil.which("stdbuf")
        cmd = ([stdbuf, "-oL"] if stdbuf else []) + [binary, "--lcores", "0@%d,1@%d" % (MAIN_CPU, FWD_CPU),
               "--no-huge", "--no-pci", "-m", "1024", "--file-prefix", self.prefix]
        for i, p in enumerate(self.ports):
            cmd += ["--vdev", "net_vhost%d,iface=%s,queues=1" % (i, sockets[p])]
        cmd += ["--", "--forward-mode=io", "--auto-start", "--total-num-mbufs", "16384",
                "--no-lsc-interrupt", "--disable-link-check", "--stats-period", "1"]
        if len(self.ports) == 1:
            cmd.append("--port-topology=loop")
        self.log = os.path.join(self.workdir, "testpmd.log")
        with open(self.log, "ab") as logf:
            logf.write(("\n=== %s %s\n" % (time.strftime("%F %T"), " ".join(cmd))).encode())
            logf.flush()
            start_at = logf.tell()
            # Own session: a terminal's Ctrl-C goes to whoever started us,
            # who then stops testpmd by PID.
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, cwd=self.state,
                                         preexec_fn=_pin_main_cpu, start_new_session=True)

        def ready():
            if self.proc.poll() is not None:
                return True
            if not all(_is_socket(s) for s in sockets.values()):
                return False
            try:
                with open(self.log, "rb") as f:
                    f.seek(start_at)
                    return b"packet forwarding - ports=" in f.read()
            except OSError:
                return False

        ok = _wait_until(ready, SOCKET_TIMEOUT)
        if self.proc.poll() is not None:
            raise CandidateError("dpdk-testpmd exited (%d):\n%s" % (
                self.proc.returncode, _tail(self.log)))
        if not ok:
            raise CandidateError("dpdk-testpmd not forwarding after %ds:\n%s" % (
                SOCKET_TIMEOUT, _tail(self.log)))
        return sockets

    def _stop(self):
        if self.proc is not None:
            _stop_pid(self.proc.pid, popen=self.proc)
            self.proc = None


CANDIDATES = {"ovs": OvsCandidate, "testpmd": TestpmdCandidate}


# ------------------------------------------------------------------ CLI

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Start a comparison candidate, print its sockets, stop it on Ctrl-C/SIGTERM.")
    ap.add_argument("candidate", choices=sorted(CANDIDATES))
    ap.add_argument("--ports", required=True, help="comma-separated port names, e.g. a,b")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mode", choices=("normal", "flow"), help="overrides the scenario's mode")
    ap.add_argument("--scenario", default="{}",
                    help="scenario as JSON, or @FILE (keys: mode, vlan, gre)")
    a = ap.parse_args(argv)

    text = a.scenario
    if text.startswith("@"):
        with open(text[1:]) as f:
            text = f.read()
    scenario = json.loads(text)
    if a.mode:
        scenario["mode"] = a.mode
    ports = [p for p in a.ports.split(",") if p]

    stop = []

    def on_signal(signum, frame):
        stop.append(signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    c = CANDIDATES[a.candidate]()
    try:
        try:
            sockets = c.start(a.workdir, ports, scenario)
        except (CandidateError, ValueError, NotImplementedError) as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
        print(json.dumps(sockets), flush=True)
        for pid in c.pids():
            for tid, name, cpus in thread_affinity(pid):
                print("  %d/%d %-16s cpus %s" % (pid, tid, name, ",".join(map(str, cpus))),
                      file=sys.stderr)
        if getattr(c, "local_mac", None):
            print("gre local_mac %s" % c.local_mac, file=sys.stderr)
        print("running; Ctrl-C or SIGTERM stops", file=sys.stderr, flush=True)
        while not stop and c.pids():
            time.sleep(0.2)
        if not stop:
            print("error: %s exited" % a.candidate, file=sys.stderr)
        cpp = None
        try:
            cpp = c.cycles_per_packet()
        except CandidateError:
            pass
        if cpp is not None:
            print("cycles/packet %.1f" % cpp, file=sys.stderr)
        return 0 if stop else 1
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
