"""The vswitch candidate for bench/run: vswitch-controld + vswitchd with
vhost-user server ports, configured with vswitchctl.  Same interface as the
candidates in candidates.py (start / clear_stats / cycles_per_packet /
stop).  vswitchd's main (control) lcore runs on CPU 0, its one worker on
CPU 1, busy polling."""
import json
import os
import signal
import subprocess
import time

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
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
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
        self._wait("vswitchd", lambda: self.vsctl_json("show")["dataplane"]
                   == "up", 30)
        if vsd.poll() is not None:
            raise RuntimeError("vswitchd exited at start")
        socks = {}
        for p in ports:
            socks[p] = os.path.join(workdir, p + ".sock")
            self.vsctl("add-port", p, "--type", "vm", "--socket", socks[p])
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
