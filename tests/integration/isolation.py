#!/usr/bin/python3
"""Frames for test_isolation.sh: each sender's attack frames (payload
'XATK' + class name) and legitimate control frames (payload 'LEGIT' +
name), written as one pcap per sender, interleaved, REPEAT times.

    isolation.py OUTDIR REPEAT UNDERLAY_MAC

Senders (see test_isolation.sh): tk (trunk, native 10, allowed 10,20),
v10a (access 10), a1 (VSID 5001), ub (B's end of the underlay, to A's
PA).  Counts of each kind go to OUTDIR/sent.json.
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from malformed import (BCAST, MA1, MB1, MB2, PA_A, PA_B, eth, gre_frame,  # noqa: E402
                       ipv4, mac, tag, write_pcap)

MTK = mac('02:00:00:0b:00:0e')
MV10A = mac('02:00:00:0b:10:0a')
MV10B = mac('02:00:00:0b:10:0b')
MV20 = mac('02:00:00:0b:20:00')
MA2 = mac('02:00:00:60:00:11')


def body(marker):
    # An EtherType no host stack answers, then the marker.
    return struct.pack('!H', 0x88b5) + marker.encode() + bytes(40)


def udp_payload(marker):
    m = marker.encode() + bytes(20)
    return struct.pack('!HHHH', 9999, 9999, 8 + len(m), 0) + m


def frames_tk():
    """VLAN crossing from a trunk."""
    a, l = {}, {}
    for dst in (BCAST, MV20, MV10B):
        k = dst.hex()[-4:]
        a['dbl-10-20-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 10) + tag(20) + body('XATKdbl1020')
        a['dbl-20-30-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 20) + tag(30) + body('XATKdbl2030')
        a['qinq-10-20-' + k] = eth(dst, MTK, 0x88a8) + struct.pack('!H', 10) + tag(20) + body('XATKqinq')
        a['prio0-in20-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 0) + tag(20) + body('XATKprio0in20')
        a['prio0-in30-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 0x6000) + tag(30) + body('XATKprio0in30')
        a['vid4095-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 4095) + body('XATKvid4095')
        a['vid30-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 30) + body('XATKvid30')
        a['vid1-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 1) + body('XATKvid1')
        a['triple-' + k] = eth(dst, MTK, 0x8100) + struct.pack('!H', 20) + tag(20) + tag(20) + body('XATKtriple')
    l['LEGIT20'] = eth(BCAST, MTK, 0x8100) + struct.pack('!H', 20) + body('LEGIT20')
    return a, l


def frames_v10a():
    """Tags on an access port: never into another VLAN."""
    a, l = {}, {}
    for dst in (BCAST, MV20):
        k = dst.hex()[-4:]
        a['acc-vid20-' + k] = eth(dst, MV10A, 0x8100) + struct.pack('!H', 20) + body('XATKaccvid20')
        a['acc-vid10-' + k] = eth(dst, MV10A, 0x8100) + struct.pack('!H', 10) + body('XATKaccvid10')
        a['acc-prio0-' + k] = eth(dst, MV10A, 0x8100) + struct.pack('!H', 0) + body('XATKaccprio0')
        a['acc-prio0-in20-' + k] = eth(dst, MV10A, 0x8100) + struct.pack('!H', 0) + tag(20) + body('XATKaccprio0in20')
        a['acc-dbl-' + k] = eth(dst, MV10A, 0x8100) + struct.pack('!H', 10) + tag(20) + body('XATKaccdbl')
        a['acc-4095-' + k] = eth(dst, MV10A, 0x8100) + struct.pack('!H', 4095) + body('XATKacc4095')
    l['LEGIT10'] = eth(BCAST, MV10A, 0x88b5) + body('LEGIT10')[2:]
    return a, l


def frames_a1():
    """From tenant 1's VM: tags, and unicast to tenant 2's MAC."""
    a, l = {}, {}
    for vid in (0, 1, 20, 6001 & 0xfff):
        a['vsid-tag%d' % vid] = eth(BCAST, MA1, 0x8100) + struct.pack('!H', vid) + body('XATKvsidtag')
    a['vsid-dbl'] = eth(BCAST, MA1, 0x8100) + struct.pack('!H', 0) + tag(20) + body('XATKvsiddbl')
    # Tenant 2's MAC, in tenant 1: unknown unicast in VSID 5001 only.
    l['T1TOMA2'] = eth(MA2, MA1, 0x88b5) + body('T1ToMA2')[2:]
    l['T1TOMB2'] = eth(MB2, MA1, 0x88b5) + body('T1ToMB2')[2:]
    l['LEGITT1'] = eth(BCAST, MA1, 0x88b5) + body('LEGITT1')[2:]
    return a, l


def frames_ub(our):
    """Forged NVGRE to A's PA."""
    hdr = eth(our, mac('02:00:00:00:bb:01'), 0x0800)

    def g(**kw):
        return gre_frame(outer=kw.pop('outer', hdr), **kw)

    a, l = {}, {}
    for dst in (BCAST, MA1, MA2):
        k = dst.hex()[-4:]
        a['nv-forged-vsid7777-' + k] = g(vsid=7777, inner=eth(dst, MB1, 0x88b5) + body('XATKvsid7777')[2:])
        a['nv-src-pa-' + k] = g(src=bytes([192, 168, 50, 77]), inner=eth(dst, MB1, 0x88b5) + body('XATKsrcpa')[2:])
        a['nv-inner-tag-' + k] = g(inner=eth(dst, MB1, 0x8100) + struct.pack('!H', 20) + body('XATKinnertag'))
        a['nv-inner-tag0-' + k] = g(inner=eth(dst, MB1, 0x8100) + struct.pack('!H', 0) + body('XATKinnertag0'))
        a['nv-other-tenant-src-' + k] = g(inner=eth(dst, MB2, 0x88b5) + body('XATKothersrc')[2:])
        a['nv-5001-to-ma2-src-mb2-' + k] = g(vsid=5001, inner=eth(MA2, MB2, 0x88b5) + body('XATK5001ma2')[2:])
        a['nv-6001-src-mb1-' + k] = g(vsid=6001, inner=eth(dst, MB1, 0x88b5) + body('XATK6001mb1')[2:])
        a['nv-src-local-pa-' + k] = g(src=PA_A, inner=eth(dst, MB1, 0x88b5) + body('XATKsrclocal')[2:])
        a['nv-dst-not-ours-' + k] = g(dst=bytes([192, 168, 50, 9]), inner=eth(dst, MB1, 0x88b5) + body('XATKdstpa')[2:])
        a['nv-outer-vlan20-' + k] = g(outer=eth(our, mac('02:00:00:00:bb:01'), 0x8100) + struct.pack('!HH', 20, 0x0800),
                                      inner=eth(dst, MB1, 0x88b5) + body('XATKoutervlan')[2:])
    # Not NVGRE: tagged into the VLANs of the switch, and to our MAC.
    for vid in (10, 20, 0):
        a['ul-tag%d' % vid] = eth(BCAST, mac('02:00:00:00:bb:01'), 0x8100) + struct.pack('!H', vid) + body('XATKultag')
    a['ul-host'] = hdr + ipv4(udp_payload('XATKulhost'), src=PA_B, dst=PA_A)
    # VSID 6001 is on this host (a2), tenant 2's own MAC as source: a
    # frame for tenant 1's MAC stays in tenant 2 (a2 may see it, a1 not).
    l['T2TOMA1'] = g(vsid=6001, inner=eth(MA1, MB2, 0x88b5) + body('T2ToMA1')[2:])
    l['LEGITNV'] = g(inner=eth(MA1, MB1, 0x88b5) + body('LEGITNV')[2:])
    return a, l


def main():
    out, repeat, our = sys.argv[1], int(sys.argv[2]), mac(sys.argv[3])
    sent = {}
    for name, (a, l) in (('tk', frames_tk()), ('v10a', frames_v10a()),
                         ('a1', frames_a1()), ('ub', frames_ub(our))):
        frames = []
        for _ in range(repeat):
            frames += list(a.values()) + list(l.values())
        write_pcap(os.path.join(out, name + '.pcap'), frames)
        sent[name] = {'attack': len(a) * repeat,
                      'legit': {k: repeat for k in l}}
    json.dump(sent, open(os.path.join(out, 'sent.json'), 'w'), indent=1)


if __name__ == '__main__':
    main()
