#!/usr/bin/python3
"""Independent check of the golden NVGRE frames: scapy builds each one
from its description (RFC 7637: GRE with only K, protocol 0x6558, key =
VSID << 8 | FlowID) and must produce the bytes nvgre_encap() wrote; scapy
and, when installed, tshark then decode our bytes field by field.

Usage: nvgre_scapy.py PATH/TO/nvgre_vectors
"""
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import GRE, ICMP, IP, IPv6, Dot1Q, Ether, raw, wrpcap

VSID, FLOWID = 5001, 0x2A
HOP, US = "02:00:00:00:01:02", "02:00:00:00:01:01"

INNER = (Ether(dst="00:1d:d8:b7:1c:0c", src="00:1d:d8:b7:1c:0b")
         / IP(src="10.0.0.11", dst="10.0.0.12", id=1, ttl=64)
         / ICMP(id=1, seq=1))


def outer(name):
    eth = Ether(dst=HOP, src=US)
    if name == "ipv4":
        l3 = IP(src="192.0.2.1", dst="192.0.2.2", id=0, flags="DF", ttl=64)
    elif name == "ipv4-vlan":
        eth = eth / Dot1Q(vlan=11, prio=0)
        l3 = IP(src="192.0.2.1", dst="192.0.2.2", id=0, flags="DF", ttl=32)
    elif name == "ipv6":
        l3 = IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=64)
    elif name == "ipv6-vlan":
        eth = eth / Dot1Q(vlan=11, prio=5)
        l3 = IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=255, tc=0xB8)
    else:
        raise SystemExit(f"unknown vector {name}")
    gre = GRE(key_present=1, key=VSID << 8 | FLOWID, proto=0x6558)
    return eth / l3 / gre / INNER


def check_decode(name, ours):
    p = Ether(ours)
    g = p[GRE]
    assert (g.chksum_present, g.routing_present, g.key_present,
            g.seqnum_present, g.strict_route_source, g.recursion_control,
            g.flags, g.version) == (0, 0, 1, 0, 0, 0, 0, 0), name
    assert g.proto == 0x6558, name
    assert g.key >> 8 == VSID and g.key & 0xFF == FLOWID, name
    assert Dot1Q not in g.payload, f"{name}: inner frame tagged"
    if IP in p and p[IP].proto == 47:
        ip = p[IP]
        recomputed = IP(raw(ip))
        del recomputed.chksum
        assert IP(raw(recomputed)).chksum == ip.chksum, f"{name}: checksum"
        assert ip.flags == "DF" and ip.len == len(raw(ip)), name
    else:
        assert p[IPv6].plen == len(raw(p[IPv6].payload)), name


def check_tshark(frames):
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "nvgre.pcap")
        wrpcap(path, [Ether(f) for _, f in frames])
        out = subprocess.run(
            ["tshark", "-o", "ip.check_checksum:TRUE", "-r", path,
             "-T", "fields", "-E", "separator=;",
             "-e", "gre.flags_and_version", "-e", "gre.proto",
             "-e", "gre.key", "-e", "eth.type", "-e", "vlan.id",
             "-e", "ip.checksum.status"],
            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == len(frames), out
    for (name, _), line in zip(frames, out):
        flags, proto, key, types, vids, csum = line.split(";")
        assert flags == "0x2000" and proto == "0x6558", (name, line)
        assert int(key, 16) == VSID << 8 | FLOWID, (name, line)
        # Two Ethernet headers, the inner one IPv4; the only 802.1Q tag
        # is the PA VLAN's, outside.
        assert len(types.split(",")) == 2, (name, line)
        assert types.split(",")[-1] == "0x0800", (name, line)
        assert vids == ("11" if "vlan" in name else ""), (name, line)
        if name.startswith("ipv4"):
            assert csum.split(",")[0] == "1", f"{name}: tshark checksum"
        print(f"{name}: tshark decodes key {key}, protocol {proto}")


def main():
    lines = subprocess.run([sys.argv[1]], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    frames = [(n, bytes.fromhex(h)) for n, h in
              (l.split() for l in lines if l)]
    assert len(frames) == 4, frames
    for name, ours in frames:
        theirs = raw(outer(name))
        if theirs != ours:
            print(f"{name}: ours   {ours.hex()}\n{name}: scapy  {theirs.hex()}")
            return 1
        check_decode(name, ours)
        print(f"{name}: {len(ours)} bytes, identical to scapy's")
    check_tshark(frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
