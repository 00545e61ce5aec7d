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
                  [--sport P] [--dport P] [--inter SECONDS]
      Sends N UDP frames with the given tags (outer first) and a marker,
      back to back or one every --inter seconds; prints JSON {"sent": n,
      "length": bytes, "seconds": time the sending took};
      --malform ihl|totlen|version sends a broken IPv4 header instead.
  vmtool.py arp   IFACE --src-mac M --dst-mac M --hwsrc M --psrc A
                  --pdst B [--op 1|2] [--marker S] [--count N]
      Sends N ARP packets whose sender hardware address is --hwsrc (which
      may differ from the Ethernet source), the marker in the padding.
  vmtool.py ra    IFACE --src-mac M [--src-ip A] [--ext hbh,dst,...]
                  [--marker S] [--count N] [--lifetime S]
      Sends N ICMPv6 Router Advertisements (router lifetime S, default 0)
      to ff02::1 from A or else the link-local address of --src-mac, behind the listed IPv6 extension headers
      (hbh = hop-by-hop, dst = destination options, in that order); the
      marker travels in an experimental ND option (type 253).
  vmtool.py sniff IFACE --marker S [--marker S2 ...] --seconds T
                  [--ready FILE]
      Counts frames carrying any of the markers; touches FILE once
      listening; prints JSON {"count": n, "vlans": [...], "lengths":
      [...], "markers": {marker: n}}.
"""
import argparse
import json
import os
import sys
import time

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, AsyncSniffer, Dot1Q, Ether, ICMP, IP, Raw,  # noqa
                       UDP, conf, sendp)
from scapy.layers.inet6 import (ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr,  # noqa
                                IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrHopByHop)
from scapy.utils6 import in6_mactoifaceid

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
    frame = l2_head(a, tags) / ip / UDP(sport=a.sport, dport=a.dport) / \
        Raw(payload)
    start = time.monotonic()
    if a.inter > 0:
        # sendp(inter=) sleeps a fixed time after each frame and drifts;
        # keep to the schedule instead, with one open socket.
        raw = bytes(frame)
        with conf.L2socket(iface=a.iface) as s:
            for i in range(a.count):
                delay = start + i * a.inter - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                s.send(raw)
    else:
        sendp([frame] * a.count, iface=a.iface)
    took = time.monotonic() - start
    print(json.dumps({"sent": a.count, "length": len(frame),
                      "seconds": round(took, 3)}))
    return 0


def nd_marker_option(marker):
    """An experimental ND option (RFC 4727 type 253) carrying 'marker'."""
    data = marker.encode()
    units = (len(data) + 2 + 7) // 8
    return bytes([253, units]) + data.ljust(units * 8 - 2, b"\0")


def cmd_arp(a):
    frame = Ether(src=a.src_mac, dst=a.dst_mac) / \
        ARP(op=a.op, hwsrc=a.hwsrc, psrc=a.psrc, pdst=a.pdst,
            hwdst="00:00:00:00:00:00" if a.op == 1 else a.dst_mac) / \
        Raw(a.marker.encode())
    sendp([frame] * a.count, iface=a.iface)
    print(json.dumps({"sent": a.count, "length": len(frame)}))
    return 0


def cmd_ra(a):
    src = a.src_ip or "fe80::" + in6_mactoifaceid(a.src_mac)
    pkt = IPv6(src=src, dst="ff02::1", hlim=255)
    for ext in filter(None, a.ext.split(",")):
        pkt = pkt / {"hbh": IPv6ExtHdrHopByHop,
                     "dst": IPv6ExtHdrDestOpt}[ext]()
    pkt = pkt / ICMPv6ND_RA(routerlifetime=a.lifetime) / \
        ICMPv6NDOptSrcLLAddr(lladdr=a.src_mac) / \
        Raw(nd_marker_option(a.marker))
    frame = Ether(src=a.src_mac, dst="33:33:00:00:00:01") / pkt
    sendp([frame] * a.count, iface=a.iface)
    print(json.dumps({"sent": a.count, "length": len(frame)}))
    return 0


def cmd_sniff(a):
    markers = [m.encode() for m in a.marker]
    sniffer = AsyncSniffer(iface=a.iface, store=True,
                           lfilter=lambda p: any(m in bytes(p)
                                                 for m in markers))
    sniffer.start()
    time.sleep(0.5)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    time.sleep(a.seconds)
    got = sniffer.stop() or []
    print(json.dumps({"count": len(got),
                      "vlans": [tags_of(p) for p in got],
                      "lengths": [len(p) for p in got],
                      "markers": {m.decode(): sum(m in bytes(p) for p in got)
                                  for m in markers}}))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("ping", "send", "arp", "ra", "sniff"):
        s = sub.add_parser(name)
        s.add_argument("iface")
        if name != "sniff":
            s.add_argument("--src-mac", required=True)
            s.add_argument("--count", type=int, default=3)
        if name in ("ping", "send", "arp"):
            s.add_argument("--dst-mac", required=True)
        if name == "ping":
            s.add_argument("--src-ip", required=True)
            s.add_argument("--dst-ip", required=True)
            s.add_argument("--vlan", type=int)
        if name == "send":
            s.add_argument("--tags", default="")
            s.add_argument("--marker", default="vswitch-marker")
            s.add_argument("--size", type=int, default=0)
            s.add_argument("--malform", choices=("ihl", "totlen", "version"))
            s.add_argument("--sport", type=int, default=1234)
            s.add_argument("--dport", type=int, default=5678)
            s.add_argument("--inter", type=float, default=0)
        if name == "arp":
            s.add_argument("--hwsrc", required=True)
            s.add_argument("--psrc", required=True)
            s.add_argument("--pdst", required=True)
            s.add_argument("--op", type=int, choices=(1, 2), default=1)
            s.add_argument("--marker", default="vswitch-arp")
        if name == "ra":
            s.add_argument("--ext", default="")
            s.add_argument("--marker", default="vswitch-ra")
            s.add_argument("--lifetime", type=int, default=0)
            s.add_argument("--src-ip")
        if name == "sniff":
            s.add_argument("--marker", action="append", required=True)
            s.add_argument("--seconds", type=float, default=3)
            s.add_argument("--ready")
    a = p.parse_args()
    return {"ping": cmd_ping, "send": cmd_send, "arp": cmd_arp, "ra": cmd_ra,
            "sniff": cmd_sniff}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
