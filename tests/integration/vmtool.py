#!/usr/bin/python3
"""A VM's hands for tests: send and sniff exact frames (802.1Q tags
included) on an interface inside a namespace, with scapy.

  vmtool.py ping  IFACE --src-mac M --dst-mac M --src-ip A --dst-ip B
                  [--vlan V] [--count N]
      ICMP echo (tagged with V if given); prints JSON {"replies": n,
      "vlans": [...]} with the tag seen on each reply; exit 0 if every
      reply arrived and carried tag V (or no tag without --vlan).
  vmtool.py send  IFACE --src-mac M --dst-mac M [--tags 10,20]
                  [--marker S] [--count N] [--size N]
      Sends N UDP frames with the given tags (outer first) and a marker;
      --malform ihl|totlen|version sends a broken IPv4 header instead.
  vmtool.py sniff IFACE --marker S --seconds T [--ready FILE]
      Counts frames carrying the marker; touches FILE once listening;
      prints JSON {"count": n, "vlans": [...], "lengths": [...]}.
"""
import argparse
import json
import os
import sys
import time

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (AsyncSniffer, Dot1Q, Ether, ICMP, IP, Raw, UDP,  # noqa
                       conf, sendp)

conf.verb = 0


def tags_of(pkt):
    tags = []
    layer = pkt
    while layer is not None and layer.haslayer(Dot1Q):
        layer = layer[Dot1Q]
        tags.append(layer.vlan)
        layer = layer.payload
    return tags


def l2_head(a, tags):
    frame = Ether(src=a.src_mac, dst=a.dst_mac)
    for t in tags:
        frame = frame / Dot1Q(vlan=t)
    return frame


def cmd_ping(a):
    tags = [a.vlan] if a.vlan is not None else []
    sniffer = AsyncSniffer(
        iface=a.iface, store=True,
        lfilter=lambda p: p.haslayer(ICMP) and p[ICMP].type == 0 and
        p[IP].src == a.dst_ip and p[IP].dst == a.src_ip)
    sniffer.start()
    time.sleep(0.5)
    for seq in range(a.count):
        sendp(l2_head(a, tags) / IP(src=a.src_ip, dst=a.dst_ip) /
              ICMP(id=0x7777, seq=seq) / Raw(b"vswitch-ping"), iface=a.iface)
        time.sleep(0.2)
    time.sleep(1.0)
    got = sniffer.stop() or []
    vlans = [(tags_of(p) or [None])[0] for p in got]
    print(json.dumps({"replies": len(got), "vlans": vlans}))
    ok = len(got) >= a.count and all(v == a.vlan for v in vlans)
    return 0 if ok else 1


def cmd_send(a):
    tags = [int(t) for t in a.tags.split(",")] if a.tags else []
    payload = a.marker.encode()
    if a.size:
        payload = payload.ljust(a.size, b".")
    ip = IP(src="10.255.0.1", dst="10.255.0.2")
    if a.malform == "ihl":
        ip.ihl = 15           # 60-byte header, longer than the packet
    elif a.malform == "totlen":
        ip.len = 1400         # more than the frame carries
    elif a.malform == "version":
        ip.version = 5
    frame = l2_head(a, tags) / ip / UDP(sport=1234, dport=5678) / \
        Raw(payload)
    sendp([frame] * a.count, iface=a.iface)
    print(json.dumps({"sent": a.count, "length": len(frame)}))
    return 0


def cmd_sniff(a):
    marker = a.marker.encode()
    sniffer = AsyncSniffer(iface=a.iface, store=True,
                           lfilter=lambda p: marker in bytes(p))
    sniffer.start()
    time.sleep(0.5)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    time.sleep(a.seconds)
    got = sniffer.stop() or []
    print(json.dumps({"count": len(got),
                      "vlans": [tags_of(p) for p in got],
                      "lengths": [len(p) for p in got]}))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("ping", "send", "sniff"):
        s = sub.add_parser(name)
        s.add_argument("iface")
        if name != "sniff":
            s.add_argument("--src-mac", required=True)
            s.add_argument("--dst-mac", required=True)
            s.add_argument("--count", type=int, default=3)
        if name == "ping":
            s.add_argument("--src-ip", required=True)
            s.add_argument("--dst-ip", required=True)
            s.add_argument("--vlan", type=int)
        if name == "send":
            s.add_argument("--tags", default="")
            s.add_argument("--marker", default="vswitch-marker")
            s.add_argument("--size", type=int, default=0)
            s.add_argument("--malform", choices=("ihl", "totlen", "version"))
        if name == "sniff":
            s.add_argument("--marker", required=True)
            s.add_argument("--seconds", type=float, default=3)
            s.add_argument("--ready")
    a = p.parse_args()
    return {"ping": cmd_ping, "send": cmd_send, "sniff": cmd_sniff}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
