#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/TARGET/:
real frames built with scapy, real requests as vswitchctl sends them (it is
run against a socket that records them), configuration and NV files as
docs/config.md and docs/nv.md show them.  The corpus is kept in the
repository; run this again only to change it.

Usage: fuzz/seeds.py PATH/TO/vswitchctl
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

from scapy.all import (ARP, BOOTP, DHCP, GRE, ICMP, IP, TCP, UDP, Dot1AD,
                       Dot1Q, Ether, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_Redirect,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, Raw, raw)
from scapy.contrib.lacp import LACP, MarkerProtocol, SlowProtocol
from scapy.layers.dhcp6 import DHCP6_Advertise, DHCP6_Solicit

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

VM = "52:54:00:00:00:01"
PEER = "52:54:00:00:00:02"
BCAST = "ff:ff:ff:ff:ff:ff"


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- frames a VM or the wire sends (fuzz_frame) ---------------------------

def frames():
    e = Ether(src=VM, dst=PEER)
    b = Ether(src=VM, dst=BCAST)
    out = {
        "ipv4-tcp": e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=40000, dport=80, flags="S"),
        "ipv4-udp": e / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=5000, dport=53) / Raw(b"q" * 12),
        "ipv4-options": e / IP(src="10.0.0.1", dst="10.0.0.2", options=b"\x94\x04\x00\x00") / ICMP(),
        "ipv4-fragment": e / IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", frag=0) / UDP(sport=68, dport=67) / Raw(b"x" * 8),
        "ipv4-later-fragment": e / IP(src="10.0.0.1", dst="10.0.0.2", frag=100, proto=17) / Raw(b"x" * 16),
        "dhcp-discover": b / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
        / BOOTP(op=1, chaddr=b"\x52\x54\x00\x00\x00\x01") / DHCP(options=[("message-type", "discover"), "end"]),
        "dhcp-offer": b / IP(src="10.0.0.1", dst="255.255.255.255") / UDP(sport=67, dport=68)
        / BOOTP(op=2, yiaddr="10.0.0.50") / DHCP(options=[("message-type", "offer"), "end"]),
        "dhcp-reply-forged-port": b / IP(src="10.0.0.1", dst="255.255.255.255") / UDP(sport=4000, dport=68) / BOOTP(op=2),
        "icmp-redirect": e / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(type=5, code=1, gw="10.0.0.1"),
        "arp-request": b / ARP(op=1, hwsrc=VM, psrc="10.0.0.1", pdst="10.0.0.2"),
        "arp-reply": e / ARP(op=2, hwsrc=VM, psrc="10.0.0.1", hwdst=PEER, pdst="10.0.0.2"),
        "arp-spoofed": e / ARP(op=2, hwsrc="52:54:00:00:00:66", psrc="10.0.0.1", pdst="10.0.0.2"),
        "ipv6-ra": Ether(src=VM, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(),
        "ipv6-ra-hbh": Ether(src=VM, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=255)
        / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / ICMPv6ND_RA(),
        "ipv6-ra-fragment": Ether(src=VM, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=255)
        / IPv6ExtHdrFragment(offset=0, m=1, nh=58) / ICMPv6ND_RA(),
        "ipv6-redirect": e / IPv6(src="fe80::1", dst="fe80::2", hlim=255) / ICMPv6ND_Redirect(tgt="fe80::3", dst="2001:db8::9"),
        "ipv6-ns": Ether(src=VM, dst="33:33:ff:00:00:02") / IPv6(src="fd00::1", dst="ff02::1:ff00:2", hlim=255)
        / ICMPv6ND_NS(tgt="fd00::2") / ICMPv6NDOptSrcLLAddr(lladdr=VM),
        "ipv6-echo": e / IPv6(src="fd00::1", dst="fd00::2") / ICMPv6EchoRequest(),
        "dhcpv6-solicit": Ether(src=VM, dst="33:33:00:01:00:02") / IPv6(src="fe80::1", dst="ff02::1:2")
        / UDP(sport=546, dport=547) / DHCP6_Solicit(),
        "dhcpv6-advertise": e / IPv6(src="fe80::1", dst="fe80::2") / UDP(sport=547, dport=546) / DHCP6_Advertise(),
        "dhcpv6-advertise-dstopt": e / IPv6(src="fe80::1", dst="fe80::2") / IPv6ExtHdrDestOpt()
        / UDP(sport=547, dport=546) / DHCP6_Advertise(),
        "vlan10-ipv4": Ether(src=VM, dst=PEER) / Dot1Q(vlan=10, prio=3) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(),
        "vlan4094-arp": Ether(src=VM, dst=BCAST) / Dot1Q(vlan=4094) / ARP(hwsrc=VM, psrc="10.0.0.1", pdst="10.0.0.2"),
        "priority-tag": Ether(src=VM, dst=PEER) / Dot1Q(vlan=0, prio=5) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(),
        "vlan4095": Ether(src=VM, dst=PEER) / Dot1Q(vlan=4095) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(),
        "qinq": Ether(src=VM, dst=PEER) / Dot1AD(vlan=100) / Dot1Q(vlan=10) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(),
        "triple-tag": Ether(src=VM, dst=PEER) / Dot1Q(vlan=10) / Dot1Q(vlan=20) / Dot1Q(vlan=30) / IP() / ICMP(),
        "double-tag-ra": Ether(src=VM, dst="33:33:00:00:00:01") / Dot1Q(vlan=10) / Dot1Q(vlan=20)
        / IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(),
    }
    for name, p in out.items():
        write("frame", name, raw(p))
    write("frame", "runt", raw(e)[:13])


# ---- NVGRE from the underlay (fuzz_nvgre) ---------------------------------
# fuzz_nvgre.c's database: ours 192.0.2.2/24 untagged and 2001:db8::2/64 on
# VLAN 11; 192.0.2.1 and 2001:db8::1 host VSID 5001, 192.0.2.3 VSID 6001.

INNER = (Ether(dst="00:1d:d8:b7:1c:0c", src="00:1d:d8:b7:1c:0b")
         / IP(src="10.0.0.11", dst="10.0.0.12", id=1, ttl=64) / ICMP(id=1, seq=1))
HOP, US = "02:00:00:00:01:02", "02:00:00:00:01:01"


def gre(vsid, flowid=0x2A, **kw):
    return GRE(key_present=1, key=vsid << 8 | flowid, proto=0x6558, **kw)


def nvgre():
    v4 = Ether(dst=US, src=HOP) / IP(src="192.0.2.1", dst="192.0.2.2", flags="DF")
    v6 = Ether(dst=US, src=HOP) / Dot1Q(vlan=11) / IPv6(src="2001:db8::1", dst="2001:db8::2")
    out = {
        "ipv4": v4 / gre(5001) / INNER,
        "ipv6-vlan11": v6 / gre(5001) / INNER,
        "ipv4-vsid6001-wrong-peer": v4 / gre(6001) / INNER,
        "ipv4-from-6001-peer": Ether(dst=US, src=HOP) / IP(src="192.0.2.3", dst="192.0.2.2") / gre(6001) / INNER,
        "ipv4-unknown-vsid": v4 / gre(7777) / INNER,
        "ipv4-reserved-vsid": v4 / gre(100) / INNER,
        "ipv4-not-ours": Ether(dst=US, src=HOP) / IP(src="192.0.2.1", dst="192.0.2.9") / gre(5001) / INNER,
        "ipv4-on-vlan": Ether(dst=US, src=HOP) / Dot1Q(vlan=11) / IP(src="192.0.2.1", dst="192.0.2.2") / gre(5001) / INNER,
        "ipv4-inner-tagged": v4 / gre(5001) / Ether(dst="00:1d:d8:b7:1c:0c", src="00:1d:d8:b7:1c:0b")
        / Dot1Q(vlan=5) / IP(src="10.0.0.11", dst="10.0.0.12") / ICMP(),
        "ipv4-gre-checksum": v4 / GRE(chksum_present=1, key_present=1, key=5001 << 8, proto=0x6558) / INNER,
        "ipv4-gre-seq": v4 / GRE(seqnum_present=1, key_present=1, key=5001 << 8, seqence_number=7, proto=0x6558) / INNER,
        "ipv4-gre-nokey": v4 / GRE(proto=0x6558) / INNER,
        "ipv4-gre-ipproto": v4 / GRE(key_present=1, key=5001 << 8, proto=0x0800) / IP() / ICMP(),
        "ipv4-options": Ether(dst=US, src=HOP) / IP(src="192.0.2.1", dst="192.0.2.2", options=b"\x94\x04\x00\x00")
        / gre(5001) / INNER,
        "ipv4-fragment": Ether(dst=US, src=HOP) / IP(src="192.0.2.1", dst="192.0.2.2", flags="MF") / gre(5001) / INNER,
        "ipv6-hbh": Ether(dst=US, src=HOP) / Dot1Q(vlan=11) / IPv6(src="2001:db8::1", dst="2001:db8::2")
        / IPv6ExtHdrHopByHop() / gre(5001) / INNER,
        "ipv4-inner-ipv6-tcp": v4 / gre(5001, 7) / Ether(dst="00:1d:d8:b7:1c:0c", src="00:1d:d8:b7:1c:0b")
        / IPv6(src="fd00::11", dst="fd00::12") / TCP(sport=1234, dport=443),
        "ipv4-inner-arp": v4 / gre(5001) / Ether(dst="ff:ff:ff:ff:ff:ff", src="00:1d:d8:b7:1c:0b")
        / ARP(hwsrc="00:1d:d8:b7:1c:0b", psrc="10.0.0.11", pdst="10.0.0.12"),
    }
    for name, p in out.items():
        write("nvgre", name, raw(p))
    padded = raw(v4 / gre(5001) / Ether(dst="00:1d:d8:b7:1c:0c", src="00:1d:d8:b7:1c:0b") / Raw(b"\x08\x06"))
    write("nvgre", "ipv4-short-inner-padded", padded + b"\x00" * 8)
    write("nvgre", "ipv4-truncated", raw(out["ipv4"])[:60])
    # A VM's tagged frame, as nvgre_inner_untag() sees it before encap.
    write("nvgre", "vm-tagged", raw(Ether(dst="00:1d:d8:b7:1c:0c", src="00:1d:d8:b7:1c:0b") / Dot1Q(vlan=10)
                                    / IP(src="10.0.0.11", dst="10.0.0.12") / UDP(sport=1, dport=2)))


# ---- LACP (fuzz_lacp): records of member/time, length, frame ---------------

SLOW = "01:80:c2:00:00:02"
PARTNER_SYS = "02:00:00:00:cc:01"
OUR_SYS = "02:00:00:00:aa:01"


def lacpdu(port, actor_state, partner_state, partner_port=1, version=1, src="02:00:00:00:cc:02"):
    return raw(Ether(src=src, dst=SLOW, type=0x8809) / SlowProtocol(subtype=1) / LACP(
        version=version, actor_system_priority=32768, actor_system=PARTNER_SYS, actor_key=7,
        actor_port_priority=32768, actor_port_number=port, actor_state=actor_state,
        partner_system_priority=32768, partner_system=OUR_SYS, partner_key=1,
        partner_port_priority=32768, partner_port_number=partner_port, partner_state=partner_state,
        collector_max_delay=0))


def marker(response=False, tid=1):
    return raw(Ether(src="02:00:00:00:cc:02", dst=SLOW, type=0x8809) / SlowProtocol(subtype=2) / MarkerProtocol(
        marker_type=2 if response else 1, requester_port=1, requester_system=PARTNER_SYS,
        requester_transaction_id=tid))


def rec(member, steps, frame):
    return bytes([steps << 1 | member]) + struct.pack("!H", len(frame)) + frame


def lacp():
    # Activity|timeout|aggregation (0x07), +sync (0x0f), +collecting|
    # distributing (0x3f): a partner bringing both members up.
    up = b"".join([
        rec(0, 0, lacpdu(1, 0x07, 0x00)), rec(1, 0, lacpdu(2, 0x07, 0x00, 2)),
        rec(0, 5, lacpdu(1, 0x0f, 0x0f)), rec(1, 0, lacpdu(2, 0x0f, 0x0f, 2)),
        rec(0, 10, lacpdu(1, 0x3f, 0x3f)), rec(1, 0, lacpdu(2, 0x3f, 0x3f, 2)),
        rec(0, 10, lacpdu(1, 0x3f, 0x3f)), rec(1, 0, lacpdu(2, 0x3f, 0x3f, 2)),
    ])
    write("lacp", "bring-up", up)
    write("lacp", "bring-up-then-timeout", up + rec(0, 50, lacpdu(1, 0x3f, 0x3f)))
    write("lacp", "passive-slow-partner", rec(0, 0, lacpdu(1, 0x04, 0x00)) + rec(0, 100, lacpdu(1, 0x0c, 0x0f)))
    write("lacp", "one-lacpdu", rec(0, 0, lacpdu(1, 0x3f, 0x3f)))
    write("lacp", "individual", rec(0, 0, lacpdu(1, 0x03, 0x00)) + rec(1, 1, lacpdu(2, 0x03, 0x00, 2)))
    write("lacp", "partner-changes-port", up + rec(0, 1, lacpdu(9, 0x3f, 0x3f)))
    write("lacp", "version2-extra-tlv", rec(0, 0, lacpdu(1, 0x3f, 0x3f, version=2)))
    write("lacp", "marker", up + rec(0, 1, marker()) + rec(0, 0, marker(tid=2)))
    write("lacp", "marker-response", rec(1, 0, marker(True)))
    write("lacp", "marker-flood", b"".join(rec(0, 0, marker(tid=i)) for i in range(8)))
    bad = bytearray(lacpdu(1, 0x3f, 0x3f))
    bad[14 + 3] = 40                            # actor TLV length
    write("lacp", "bad-tlv-length", rec(0, 0, bytes(bad)))
    write("lacp", "group-source", rec(0, 0, lacpdu(1, 0x3f, 0x3f, src="03:00:00:00:cc:02")))


# ---- ARP and ND (fuzz_neigh) ----------------------------------------------

def neigh():
    out = {
        "arp-request": Ether(src=VM, dst=BCAST) / ARP(op=1, hwsrc=VM, psrc="10.0.0.1", pdst="10.0.0.2"),
        "arp-request-vlan": Ether(src=VM, dst=BCAST) / Dot1Q(vlan=11) / ARP(op=1, hwsrc=VM, psrc="192.0.2.9", pdst="192.0.2.2"),
        "arp-reply": Ether(src=VM, dst=PEER) / ARP(op=2, hwsrc=VM, psrc="10.0.0.1", hwdst=PEER, pdst="10.0.0.2"),
        "garp": Ether(src=VM, dst=BCAST) / ARP(op=1, hwsrc=VM, psrc="10.0.0.1", pdst="10.0.0.1"),
        "ns": Ether(src=VM, dst="33:33:ff:00:00:02") / IPv6(src="fd00::1", dst="ff02::1:ff00:2", hlim=255)
        / ICMPv6ND_NS(tgt="fd00::2") / ICMPv6NDOptSrcLLAddr(lladdr=VM),
        "ns-vlan": Ether(src=VM, dst="33:33:ff:00:00:02") / Dot1Q(vlan=11)
        / IPv6(src="2001:db8::9", dst="ff02::1:ff00:2", hlim=255) / ICMPv6ND_NS(tgt="2001:db8::2"),
        "ns-unicast": Ether(src=VM, dst=PEER) / IPv6(src="fd00::1", dst="fd00::2", hlim=255) / ICMPv6ND_NS(tgt="fd00::2"),
        "ns-dad": Ether(src=VM, dst="33:33:ff:00:00:01") / IPv6(src="::", dst="ff02::1:ff00:1", hlim=255)
        / ICMPv6ND_NS(tgt="fd00::1"),
        "na": Ether(src=VM, dst=PEER) / IPv6(src="fd00::1", dst="fd00::2", hlim=255)
        / ICMPv6ND_NA(tgt="fd00::1", R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=VM),
        "ra": Ether(src=VM, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(),
        "ipv4": Ether(src=VM, dst=PEER) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(),
    }
    for name, p in out.items():
        write("neigh", name, raw(p))


# ---- requests as vswitchctl sends them (fuzz_rpc) -------------------------

RPC_COMMANDS = [
    ["show"], ["list-ports"], ["port-stats"], ["port-stats", "vm1"], ["mac-table"], ["queues"],
    ["add-port", "vm1", "--type", "vm", "--socket", "/run/vswitch/vm1.sock", "--mac", "52:54:00:00:00:01",
     "--dhcp-guard", "on", "--router-guard", "on", "--max-bandwidth", "100M", "--storm-limit", "10k",
     "--min-weight", "3", "--vsid", "5001"],
    ["add-port", "uplink", "--type", "external", "--team", "team1", "--link-speed", "10G"],
    ["add-port", "vm4", "--type", "vm", "--devargs", "net_af_packet,iface=veth4", "--mirror", "both"],
    ["set-port", "vm2", "--vlan-mode", "trunk", "--allowed-vlans", "10,20,100-200", "--native-vlan", "5"],
    ["set-port", "vm1", "--vlan-mode", "access", "--vlan", "10", "--connected", "no"],
    ["del-port", "vm1"], ["add-mac", "--mac", "52:54:00:00:00:09", "--port", "vm1", "--vlan", "10"],
    ["del-mac", "--mac", "52:54:00:00:00:09", "--vlan", "10"], ["set-switch", "--mac-aging", "600"],
    ["add-team", "team1", "--member", "0000:01:00.0", "--member", "0000:01:00.1", "--mode", "lacp",
     "--lb", "address-hash", "--hash", "ip", "--lacp-rate", "fast"],
    ["del-team", "team1"], ["team-status"],
    ["nv", "add-pa", "--port", "uplink", "--address", "192.168.1.10/24", "--vlan", "100"],
    ["nv", "add-pa-route", "--prefix", "10.2.0.0/16", "--next-hop", "192.168.1.1", "--metric", "5"],
    ["nv", "add-record", "--vsid", "5001", "--ca", "10.0.0.11", "--mac", "52:54:00:00:00:11",
     "--pa", "192.168.1.10"],
    ["nv", "add-route", "--rdid", "{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}", "--vsid", "5001",
     "--prefix", "10.0.0.0/24", "--next-hop", "0.0.0.0"],
    ["nv", "del-record", "--vsid", "5001", "--ca", "10.0.0.11"],
    ["nv", "list-records", "--vsid", "5001"], ["nv", "status"],
]


def rpc(vswitchctl):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "controld.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    srv.settimeout(5)
    lines = []
    for cmd in RPC_COMMANDS:
        p = subprocess.Popen([vswitchctl, "--socket", path] + cmd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            c, _ = srv.accept()
        except socket.timeout:
            p.kill()
            p.wait()
            continue
        c.settimeout(2)
        buf = b""
        while b"\n" not in buf:
            chunk = c.recv(65536)
            if not chunk:
                break
            buf += chunk
        line = buf.split(b"\n")[0]
        if line:
            lines.append(line)
            req = json.loads(line)
            c.sendall(json.dumps({"jsonrpc": "2.0", "id": req.get("id"),
                                  "error": {"code": -32000, "message": "seed capture"}}).encode() + b"\n")
        c.close()
        p.wait()
    srv.close()
    shutil.rmtree(d)
    for i, line in enumerate(lines):
        name = "%02d-%s" % (i, json.loads(line)["method"])
        write("rpc", name, line + b"\n")
    # A session: several requests on one connection, the last one torn.
    write("rpc", "session", b"\n".join(lines[:4]) + b"\n" + lines[4][:20])
    write("rpc", "bad-envelopes",
          b'{"jsonrpc":"2.0","id":"a","method":7}\n[1,2]\n{"jsonrpc":"1.0","id":1,"method":"show"}\n'
          b'{"jsonrpc":"2.0","id":{},"method":"show"}\n{"jsonrpc":"2.0","method":"show","params":[]}\n'
          b'{"jsonrpc":"2.0","id":1,"id":2,"method":"show"}\n')


# ---- configuration files (fuzz_config) ------------------------------------

def config():
    with open(os.path.join(HERE, "..", "docs", "config.md")) as f:
        doc = f.read()
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    write("config", "docs-example", example)
    write("config", "minimal", '{"schema_version": 1}\n')
    write("config", "empty-lists", '{"schema_version": 1, "switch": {"mac_aging_s": 300}, "teams": [], '
                                   '"ports": [], "static_macs": []}\n')
    cfg = json.loads(example)
    cfg["ports"].append({"name": "vm5", "type": "vm", "socket": "/run/vswitch/vm5.sock", "vhost_mode": "server",
                         "mac": "52:54:00:00:00:05", "mac_spoofing": True, "mirror": "source",
                         "connected": False, "vsid": 5001, "vlan_mode": "untagged"})
    cfg["teams"].append({"name": "team3", "members": ["net_af_packet,iface=veth9"], "mode": "static",
                         "lb": "dynamic"})
    write("config", "more-ports", json.dumps(cfg, indent=1))
    write("config", "bad-duplicate-key", '{"schema_version": 1, "schema_version": 1}')
    write("config", "bad-vlan", '{"schema_version": 1, "ports": [{"name": "vm1", "type": "vm", '
                                '"devargs": "net_null0", "vlan_mode": "access", "vlan": 4095}]}')


# ---- NV snapshot, journal and ops (fuzz_nv) -------------------------------

def nv():
    with open(os.path.join(HERE, "..", "docs", "nv.md")) as f:
        doc = f.read()
    blocks = [b.split("```", 1)[0] for b in doc.split("```json\n")[1:]]
    snapshot = next(b for b in blocks if "schema_version" in b)
    journal = next(b for b in blocks if b.startswith('{"seq"'))
    write("nv", "docs-snapshot", snapshot)
    write("nv", "docs-journal-line", journal)
    write("nv", "snapshot-empty", '{"schema_version":1,"seq":0,"pas":[],"pa_routes":[],"records":[],"routes":[]}\n')
    ops = [
        {"op": "add-record", "vsid": 5001, "ca": "10.0.0.12", "mac": "52:54:00:00:00:12", "pa": "192.168.1.10"},
        {"op": "add-record", "vsid": 5001, "ca": "10.0.0.11", "mac": "52:54:00:00:00:11", "pa": "10.2.0.30"},
        {"op": "del-record", "vsid": 6001, "ca": "0.0.0.0", "mac": "52:54:00:00:00:21"},
        {"op": "add-route", "rdid": "tenant-a", "vsid": 5002, "prefix": "fd00:1::/64", "next_hop": "::",
         "metric": 10, "gateway": "fd00:1::fe"},
        {"op": "del-route", "rdid": "{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}", "vsid": 5001,
         "prefix": "10.0.0.0/24", "next_hop": "0.0.0.0"},
        {"op": "add-pa-route", "prefix": "::/0", "next_hop": "2001:db8::1"},
        {"op": "del-pa", "address": "2001:db8::10/64"},
    ]
    write("nv", "ops-mixed", json.dumps(ops))
    write("nv", "journal-two-lines", '{"seq":1,"ops":%s}\n{"seq":2,"ops":%s}\n'
          % (json.dumps(ops[:2]), json.dumps(ops[2:])))
    write("nv", "ops-conflict", json.dumps([ops[0], ops[0]]))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    frames()
    nvgre()
    lacp()
    neigh()
    rpc(sys.argv[1])
    config()
    nv()


if __name__ == "__main__":
    main()
