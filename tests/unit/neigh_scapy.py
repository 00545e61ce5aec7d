#!/usr/bin/python3
"""Independent check of the golden ARP and neighbor discovery frames:
scapy builds each one from its description (RFC 826; RFC 4861 sections
4.3, 4.4, 4.6.1 and 7.2.4) and must produce the bytes the builders of
nvgre/neigh.h wrote; scapy and, when installed, tshark then decode our
bytes (ICMPv6 checksums recomputed).

Usage: neigh_scapy.py PATH/TO/neigh_vectors
"""
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import (ARP, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, IPv6, Dot1Q, Ether, Padding,
                       raw, wrpcap)

MAC_A, MAC_B = "02:00:00:00:01:01", "02:00:00:00:01:02"
BCAST = "ff:ff:ff:ff:ff:ff"
IP4_A, IP4_B = "192.0.2.1", "192.0.2.2"
IP6_A, IP6_B = "2001:db8::1", "2001:db8::12:3456"
SN, SN_MAC = "ff02::1:ff12:3456", "33:33:ff:12:34:56"
VLAN = 11


def eth(dst, src, tagged):
    e = Ether(dst=dst, src=src)
    return e / Dot1Q(vlan=VLAN) if tagged else e


def arp(op, tagged):
    if op == "who-has":
        f = eth(BCAST, MAC_A, tagged) / ARP(
            op=1, hwsrc=MAC_A, psrc=IP4_A, hwdst="00:00:00:00:00:00",
            pdst=IP4_B)
    else:
        f = eth(MAC_A, MAC_B, tagged) / ARP(
            op=2, hwsrc=MAC_B, psrc=IP4_B, hwdst=MAC_A, pdst=IP4_A)
    # Padded to the 60-byte minimum, 64 with the tag.
    return f / Padding(load=b"\0" * 18)


def ns(tagged):
    return (eth(SN_MAC, MAC_A, tagged)
            / IPv6(src=IP6_A, dst=SN, hlim=255)
            / ICMPv6ND_NS(tgt=IP6_B)
            / ICMPv6NDOptSrcLLAddr(lladdr=MAC_A))


def na(tagged, router, dst, solicited):
    return (eth(MAC_A, MAC_B, tagged)
            / IPv6(src=IP6_B, dst=dst, hlim=255)
            / ICMPv6ND_NA(tgt=IP6_B, R=router, S=solicited, O=1)
            / ICMPv6NDOptDstLLAddr(lladdr=MAC_B))


VECTORS = {
    "arp-request": lambda: arp("who-has", False),
    "arp-request-vlan": lambda: arp("who-has", True),
    "arp-reply": lambda: arp("is-at", False),
    "arp-reply-vlan": lambda: arp("is-at", True),
    "arp-answer": lambda: arp("is-at", False),
    "arp-answer-vlan": lambda: arp("is-at", True),
    "ns": lambda: ns(False),
    "ns-vlan": lambda: ns(True),
    "na": lambda: na(False, 0, IP6_A, 1),
    "na-router-vlan": lambda: na(True, 1, IP6_A, 1),
    # Duplicate address detection: from ::, no option (RFC 4862 5.4.2).
    "dad-ns": lambda: (Ether(dst=SN_MAC, src=MAC_A)
                       / IPv6(src="::", dst=SN, hlim=255)
                       / ICMPv6ND_NS(tgt=IP6_B)),
    # The defence goes to all nodes, not solicited (RFC 4861 7.2.4).
    "na-dad": lambda: na(False, 0, "ff02::1", 0),
}


def check_decode(name, ours):
    p = Ether(ours)
    assert (Dot1Q in p) == ("vlan" in name), name
    if Dot1Q in p:
        assert p[Dot1Q].vlan == VLAN, name
    if ARP in p:
        a = p[ARP]
        assert (a.hwtype, a.ptype, a.hwlen, a.plen) == (1, 0x800, 6, 4), name
        assert len(ours) == (64 if Dot1Q in p else 60), name
        return
    ip = p[IPv6]
    assert ip.hlim == 255 and ip.nh == 58, name
    assert ip.plen == len(raw(ip.payload)), name
    # The checksum scapy computes over a copy without it.
    icmp = ip.payload.copy()
    del icmp.cksum
    again = IPv6(raw(IPv6(src=ip.src, dst=ip.dst, hlim=255) / icmp))
    assert again.payload.cksum == ip.payload.cksum, f"{name}: checksum"


def check_tshark(frames):
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "neigh.pcap")
        wrpcap(path, [Ether(f) for _, f in frames])
        out = subprocess.run(
            ["tshark", "-r", path,
             "-T", "fields", "-E", "separator=;",
             "-e", "arp.opcode", "-e", "icmpv6.type",
             "-e", "icmpv6.checksum.status", "-e", "vlan.id"],
            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == len(frames), out
    for (name, _), line in zip(frames, out):
        op, icmp, csum, vid = line.split(";")
        assert vid == (str(VLAN) if "vlan" in name else ""), (name, line)
        if name.startswith("arp"):
            assert op == ("1" if "request" in name else "2"), (name, line)
        else:
            assert icmp == ("135" if "ns" in name else "136"), (name, line)
            assert csum == "1", f"{name}: tshark checksum {line}"
        print(f"{name}: tshark decodes {line}")


def main():
    lines = subprocess.run([sys.argv[1]], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    frames = [(n, bytes.fromhex(h)) for n, h in
              (l.split() for l in lines if l)]
    assert [n for n, _ in frames] == list(VECTORS), frames
    for name, ours in frames:
        theirs = raw(VECTORS[name]())
        if theirs != ours:
            print(f"{name}: ours   {ours.hex()}\n{name}: scapy  {theirs.hex()}")
            return 1
        check_decode(name, ours)
        print(f"{name}: {len(ours)} bytes, identical to scapy's")
    check_tshark(frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
