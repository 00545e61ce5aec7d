#!/usr/bin/python3
"""Malformed-frame corpora for test_malformed.sh, with what each frame must
cost the switch.

    malformed.py CTX --src MAC --out FILE.pcap --expect FILE.json
                 [--our-mac MAC] [--seed N] [--min-len N]

--min-len 14 (the default) is for ports fed through the Linux kernel
(af_packet on a veth): no frame shorter than 14 bytes, and no tagged frame
shorter than 20 bytes (the kernel drops those before the switch);
--min-len 1 for a virtio-user sender.

CTX is where the frames enter switch A (see test_malformed.sh):
  access    a VM or external port in access VLAN 10 (sink: vm2)
  trunk     a trunk port, native VLAN 10, allowed 10 and 20 (sinks vm2, vm3)
  team      a team member; the team port is in access VLAN 10, plus
            Slow Protocols frames (LACPDUs, Markers) the team must refuse
  vsid      a VM port in VSID 5001 whose only other host is PA_B
  underlay  the NVGRE underlay port (PA_A), every frame to --our-mac

Every frame is built by a class whose outcome follows from the wire
formats (RFC 791, 8200, 826, 4861, 2784/2890, 7637, 802.1Q, 802.1AX) and
from the switch's documented drop reasons (dataplane/drop.h,
nvgre/drop.h): dropped under reason R, forwarded to a sink port, refused
by NVGRE decapsulation (port-stats 'nvgre-decap' plus one reason of nv
status), or a Slow Protocols counter of team-status.  Random frames come
from a fixed seed and are classified by the same rules.  The JSON:
{"frames": N, "drops": {reason: n}, "fwd": {port: n}, "decap": {reason: n},
 "slowp": {"illegal_rx": n, "unknown_rx": n}, "classes": {name: n}}
"""
import argparse
import json
import random
import struct
import sys

BCAST = b'\xff' * 6
SLOWP_DST = bytes.fromhex('0180c2000002')
GW_MAC = bytes.fromhex('027673677701')
MB1 = bytes.fromhex('020000500012')     # b1, VSID 5001, at PA_B
MB2 = bytes.fromhex('020000600012')     # b2, VSID 6001 (other tenant), PA_B
MA1 = bytes.fromhex('020000500011')     # a1, VSID 5001, local
PA_A = bytes([192, 168, 50, 1])
PA_B = bytes([192, 168, 50, 2])
TPIDS = (0x8100, 0x88a8, 0x9100)
IPV6_EXT = (0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254)


def mac(s):
    return bytes.fromhex(s.replace(':', ''))


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(dst, src, etype):
    return dst + src + struct.pack('!H', etype)


def tag(vid, tpid=0x8100):
    return struct.pack('!HH', tpid, vid)


def ipv4(payload, proto=17, src=b'\x0a\x0a\x00\x01', dst=b'\x0a\x0a\x00\x63',
         ihl=5, total=None, ver=4, frag=0x4000, ttl=64, options=b'',
         good_sum=True):
    total = 4 * ihl + len(payload) if total is None else total
    h = struct.pack('!BBHHHBBH4s4s', ver << 4 | ihl, 0, total & 0xffff, 1,
                    frag, ttl, proto, 0, src, dst) + options
    s = csum(h)
    if not good_sum:
        s ^= 0x5a5a
    return h[:10] + struct.pack('!H', s) + h[12:] + payload


V6A = bytes.fromhex('fd000000000000000000000000000011')
V6B = bytes.fromhex('fd000000000000000000000000000099')


def ipv6(payload, nxt=17, plen=None, ver=6, hlim=64, src=V6A, dst=V6B):
    plen = len(payload) if plen is None else plen
    return struct.pack('!IHBB16s16s', ver << 28, plen & 0xffff, nxt, hlim,
                       src, dst) + payload


def udp(n=20):
    return struct.pack('!HHHH', 9999, 9999, 8 + n, 0) + bytes(range(n))


def arp(op=1, hlen=6, plen=4, htype=1, ptype=0x0800, sha=b'\x02' * 6,
        spa=b'\x0a\x00\x00\x0b', tpa=b'\x0a\x00\x00\x63'):
    return struct.pack('!HHBBH6s4s6s4s', htype, ptype, hlen, plen, op, sha,
                       spa, b'\0' * 6, tpa)


def icmpv6(src, dst, body):
    pseudo = src + dst + struct.pack('!I3xB', len(body), 58)
    s = csum(pseudo + body)
    return body[:2] + struct.pack('!H', s) + body[4:]


def nd_ns(target, sll, hlim=255, good_sum=True, opts=None, code=0):
    body = struct.pack('!BBHI16s', 135, code, 0, 0, target)
    body += opts if opts is not None else b'\x01\x01' + sll
    body = icmpv6(V6A, V6B, body)
    if not good_sum:
        body = body[:2] + bytes([body[2] ^ 0x55]) + body[3:]
    return ipv6(body, nxt=58, hlim=hlim)


def lacpdu(src, actor=(1, 20), partner=(2, 20), collector=(3, 16),
           term=(0, 0), version=1, subtype=1):
    """An 802.1AX-2008 5.4.2 LACPDU, 124 bytes with its Ethernet header."""
    info = struct.pack('!H6sHHHB3x', 0x8000, src, 1, 0x8000, 1, 0x3d)
    pdu = bytes([subtype, version, actor[0], actor[1]]) + info
    pdu += bytes(partner) + struct.pack('!H6sHHHB3x', 0x8000, b'\x02' * 6, 1,
                                        0x8000, 1, 0x3d)
    pdu += bytes(collector) + struct.pack('!H12x', 0)
    pdu += bytes(term) + bytes(50)
    return eth(SLOWP_DST, src, 0x8809) + pdu


def marker(src, tlv=(1, 16), term=(0, 0), version=1):
    pdu = bytes([2, version, tlv[0], tlv[1]]) + struct.pack(
        '!H6sI2x', 1, src, 7) + bytes(term) + bytes(90)
    return eth(SLOWP_DST, src, 0x8809) + pdu


class Corpus:
    def __init__(self, ctx, src, our, min_len, rng):
        self.ctx, self.src, self.our, self.min_len = ctx, src, our, min_len
        self.kernel = min_len >= 14
        self.rng = rng
        self.frames = []
        self.exp = {'frames': 0, 'drops': {}, 'fwd': {}, 'decap': {},
                    'slowp': {}, 'classes': {}}
        self.cls = None

    def add(self, frame, kind, what):
        """kind: 'drop' (what = reason), 'fwd' (what = sink port),
        'decap' (what = nvgre reason), 'slowp' (what = counter)."""
        if len(frame) < self.min_len or len(frame) > 1514:
            return
        # Linux drops a frame whose 802.1Q/802.1ad tag it cannot pull
        # (skb_vlan_untag) before any packet socket sees it.
        if self.kernel and len(frame) < 20 and len(frame) >= 14 and \
                struct.unpack_from('!H', frame, 12)[0] in (0x8100, 0x88a8):
            return
        self.frames.append(frame)
        e = self.exp
        e['frames'] += 1
        e['classes'][self.cls] = e['classes'].get(self.cls, 0) + 1
        if kind == 'decap':
            e['decap'][what] = e['decap'].get(what, 0) + 1
            kind, what = 'drop', 'nvgre-decap'
        key = {'drop': 'drops', 'fwd': 'fwd', 'slowp': 'slowp'}[kind]
        e[key][what] = e[key].get(what, 0) + 1

    def dst(self):
        return self.our if self.ctx == 'underlay' else BCAST

    # ---- the switch's rules, as documented ------------------------------
    def parse(self, f):
        """dp_parse_frame (dataplane/parse.h): (reason or None, n_tags,
        vid, ethertype, l3 offset, ip proto)."""
        if len(f) < 14:
            return 'truncated', 0, 0, 0, 0, 0
        if f[6] & 1 or f[6:12] == bytes(6):
            return 'bad-src-mac', 0, 0, 0, 0, 0
        ofs, n, vid = 12, 0, 0
        t = struct.unpack_from('!H', f, ofs)[0]
        while t in TPIDS:
            if n == 2:
                return None, 2, vid, 0, 0, 0
            if len(f) < ofs + 6:
                return 'truncated', n, vid, 0, 0, 0
            if n == 0:
                vid = struct.unpack_from('!H', f, ofs + 2)[0] & 0xfff
            n += 1
            ofs += 4
            t = struct.unpack_from('!H', f, ofs)[0]
        l3 = ofs + 2
        room = len(f) - l3
        if t == 0x0800:
            if room < 20:
                return 'truncated', n, vid, t, l3, 0
            ihl, total = (f[l3] & 15) * 4, struct.unpack_from('!H', f, l3 + 2)[0]
            if f[l3] >> 4 != 4 or ihl < 20 or ihl > room or total < ihl \
                    or total > room:
                return 'bad-ipv4', n, vid, t, l3, 0
            return None, n, vid, t, l3, f[l3 + 9]
        if t == 0x86dd:
            if room < 40:
                return 'truncated', n, vid, t, l3, 0
            if f[l3] >> 4 != 6 or 40 + struct.unpack_from('!H', f, l3 + 4)[0] > room:
                return 'bad-ipv6', n, vid, t, l3, 0
            return None, n, vid, t, l3, f[l3 + 6]
        if t == 0x0806 and room < 28:
            return 'truncated', n, vid, t, l3, 0
        return None, n, vid, t, l3, 0

    def vlan(self, n, vid):
        """dp_vlan_ingress (dataplane/vlan.h): (reason, VLAN)."""
        if n > 1:
            return 'double-tagged', None
        if self.ctx in ('access', 'team'):
            return ('tagged-on-access', None) if n else (None, 10)
        if self.ctx == 'trunk':
            if n == 0 or vid == 0:
                return None, 10
            if vid == 4095:
                return 'bad-vlan-id', None
            return (None, vid) if vid in (10, 20) else ('vlan-not-allowed', None)
        return ('tagged-on-untagged', None) if n else (None, 0)

    def outcome_l2(self, f):
        """A frame on a plain L2 port (access, trunk, team): dropped, or
        forwarded to the sink of its VLAN.  Returns (kind, what) or None
        when the frame's fate depends on rules these classes do not
        model (the caller draws another)."""
        r, n, vid, t, _, _ = self.parse(f)
        if r is None and link_local(f):
            r = 'link-local'
        if r is None:
            r, vlan = self.vlan(n, vid)
        if r:
            return 'drop', r
        if f[0:6] == self.src and not (f[0] & 1):
            return 'drop', 'dst-on-input-port'
        return 'fwd', 'vm2' if vlan == 10 else 'vm3'

    def outcome(self, f):
        if self.ctx in ('access', 'trunk', 'team'):
            return self.outcome_l2(f)
        r, n, vid, t, l3, proto = self.parse(f)
        if self.ctx == 'underlay':
            # Our MAC, not ARP/ND, not GRE: the switch has no host stack.
            if r:
                return 'drop', r
            if t in (0x0806, 0x86dd, 0x0800) and n < 2:
                return None
            return 'drop', 'nv-host-traffic'
        # vsid: parse, VLAN (untagged mode), then the VSID's forwarding.
        if r is None and link_local(f):
            r = 'link-local'
        if r is None:
            r, _ = self.vlan(n, vid)
        if r:
            return 'drop', r
        if t in (0x0806, 0x86dd, 0x0800) or f[0:6] in (GW_MAC, MB1, MB2) \
                or len(f) > 1472:
            return None
        # Unknown unicast and group frames of the VSID: one copy to the
        # only other host, PA_B, on the underlay.
        return 'fwd', 'uplink'

    def auto(self, frame):
        o = self.outcome(frame)
        if o is None:
            raise ValueError('class %s: unmodelled frame' % self.cls)
        self.add(frame, *o)


# ---- classes ----------------------------------------------------------------

def link_local(f):
    """Groups 01:80:c2:00:00:00-0f: never forwarded (after parsing)."""
    return f[0:5] == bytes.fromhex('0180c20000') and f[5] <= 0x0f


def c_random(c, n, max_len):
    """Random bytes (after our MAC on the underlay, where anything else is
    L2-switched into VLAN 0)."""
    c.cls = 'random-bytes'
    done = 0
    while done < n:
        ln = c.rng.randint(max(c.min_len, 1), max_len)
        f = bytes(c.rng.getrandbits(8) for _ in range(ln))
        if c.ctx == 'underlay' and ln >= 6:
            f = c.our + f[6:]
        if ln >= 12 and f[6:12] == c.src:
            continue
        o = c.outcome(f)
        if o is None:
            continue
        c.add(f, *o)
        done += 1


def c_random_after(c, n):
    """Random bytes after an interesting EtherType (plain L2 ports)."""
    for etype in (0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100):
        c.cls = 'random-after-%04x' % etype
        for _ in range(n):
            ln = c.rng.randint(0, 80)
            f = eth(c.dst(), c.src, etype) + bytes(
                c.rng.getrandbits(8) for _ in range(ln))
            if etype == 0x0800 and ln >= 4 and c.rng.random() < 0.5:
                # Version 4, IHL 5..15: deeper into the checks.
                f = f[:14] + bytes([0x40 | c.rng.randint(5, 15)]) + f[15:16] + \
                    struct.pack('!H', c.rng.randint(0, 100)) + f[18:]
            c.auto(f)


def c_trunc_eth(c):
    c.cls = 'eth-truncated'
    full = eth(c.dst(), c.src, 0x88b5) + b'payload!'
    for ln in range(1, 14):
        c.add(full[:ln], 'drop', 'truncated')
    c.auto(full[:14])


def c_trunc_vlan(c):
    c.cls = 'vlan-truncated'
    for vid in (10, 0):
        full = eth(c.dst(), c.src, 0x8100) + struct.pack('!HH', vid, 0x88b5) + b'x' * 8
        for ln in range(14, len(full) + 1):
            c.auto(full[:ln])


def l3_frames(c, etype, l3, prefix=None):
    return (prefix if prefix is not None else eth(c.dst(), c.src, etype)) + l3


def c_trunc_ipv4(c):
    c.cls = 'ipv4-truncated'
    opts = bytes([7, 11, 4]) + bytes(8) + b'\x01' * 25 + b'\0' * 4
    for pkt in (ipv4(udp()), ipv4(udp(), ihl=15, options=opts[:40])):
        full = l3_frames(c, 0x0800, pkt)
        for ln in range(14, len(full) + 1):
            c.auto(full[:ln])


def c_bogus_ipv4(c):
    c.cls = 'ipv4-bogus'
    for ihl in range(0, 16):        # IHL against a 20-byte header, total 48
        c.auto(l3_frames(c, 0x0800, ipv4(udp(), ihl=ihl, total=48)))
    for ihl in range(6, 16):        # the header fits the frame, total too small
        c.auto(l3_frames(c, 0x0800, ipv4(udp(60), ihl=ihl, total=20)))
    for total in (0, 1, 19, 47, 48, 49, 200, 65535):
        c.auto(l3_frames(c, 0x0800, ipv4(udp(), total=total)))
    for ver in range(16):
        c.auto(l3_frames(c, 0x0800, ipv4(udp(), ver=ver)))
    # Padding after the IP packet (Ethernet minimum) is fine.
    c.auto(l3_frames(c, 0x0800, ipv4(udp(0)) + bytes(18)))


def c_ipv6(c):
    c.cls = 'ipv6-truncated-bogus'
    full = l3_frames(c, 0x86dd, ipv6(udp()))
    for ln in range(14, len(full) + 1):
        c.auto(full[:ln])
    for plen in (0, 27, 28, 29, 1000, 65535):
        c.auto(l3_frames(c, 0x86dd, ipv6(udp(), plen=plen)))
    for ver in range(16):
        c.auto(l3_frames(c, 0x86dd, ipv6(udp(), ver=ver)))


def c_arp_l2(c):
    c.cls = 'arp-truncated-bogus'
    full = l3_frames(c, 0x0806, arp())
    for ln in range(14, len(full) + 1):
        c.auto(full[:ln])
    for kw in ({'hlen': 99}, {'plen': 0}, {'op': 7}, {'htype': 6},
               {'ptype': 0x86dd}):
        c.auto(l3_frames(c, 0x0806, arp(**kw)))


def c_nd_l2(c):
    c.cls = 'nd-truncated'
    pkt = nd_ns(V6B, c.src)
    full = l3_frames(c, 0x86dd, pkt)
    for ln in range(14, len(full) + 1):
        c.auto(full[:ln])               # payload length kept: cut
    for cut in range(0, len(pkt) - 40):  # payload length fixed up
        p = pkt[:40 + cut]
        p = p[:4] + struct.pack('!H', cut) + p[6:]
        c.auto(l3_frames(c, 0x86dd, p))


def c_gre_on_vm(c):
    """GRE/NVGRE from a VM or a trunk: the switch does not decapsulate
    there; well-formed IP is switched, cut IP dropped."""
    c.cls = 'gre-at-l2'
    inner = eth(BCAST, MB1, 0x88b5) + b'inner'
    for flags in (0x2000, 0x0000, 0xb000, 0xffff, 0x2007):
        g = struct.pack('!HHI', flags, 0x6558, 5001 << 8) + inner
        full = l3_frames(c, 0x0800, ipv4(g, proto=47))
        c.auto(full)
        c.auto(full[:14 + 20 + 3])


def c_tags(c):
    c.cls = 'vlan-tags'
    body = struct.pack('!H', 0x88b5) + b'tagged frame'
    for vid in (0, 1, 10, 20, 30, 4094, 4095):
        for tpid in TPIDS:
            c.auto(eth(c.dst(), c.src, tpid) + struct.pack('!H', vid) + body)
            for inner in (0, 10, 20, 4095):     # double tags
                c.auto(eth(c.dst(), c.src, tpid) + struct.pack('!H', vid) +
                       tag(inner) + body)
    c.auto(eth(c.dst(), c.src, 0x8100) + struct.pack('!H', 10) + tag(10) +
           tag(10) + body)


def c_src(c):
    c.cls = 'bad-src-mac'
    for s in (BCAST, bytes(6), bytes.fromhex('01005e000001'),
              bytes.fromhex('333300000001'), SLOWP_DST):
        c.add(c.dst() + s + b'\x88\xb5' + b'x' * 40, 'drop', 'bad-src-mac')


def c_slowp(c):
    """Slow Protocols on a team member: never switched; LACPDUs and
    Markers that break 802.1AX 5.4.2.2 / 6.4.? are illegal_rx, other
    subtypes unknown_rx."""
    c.cls = 'lacpdu-bad'
    s = c.src
    bad = []
    for t in (0, 2, 3, 255):
        bad.append(lacpdu(s, actor=(t, 20)))
        bad.append(lacpdu(s, partner=(t if t != 2 else 1, 20)))
        bad.append(lacpdu(s, collector=(t if t != 3 else 1, 16)))
    for ln in (0, 1, 2, 19, 21, 110, 255):
        bad.append(lacpdu(s, actor=(1, ln)))
        bad.append(lacpdu(s, partner=(2, ln)))
    for ln in (0, 1, 15, 17, 255):
        bad.append(lacpdu(s, collector=(3, ln)))
    for term in ((0, 2), (1, 0), (255, 255), (0, 1)):
        bad.append(lacpdu(s, term=term))
    bad.append(lacpdu(s, version=0))
    good = lacpdu(s)
    for ln in range(15, len(good)):         # cut: shorter than a PDU
        bad.append(good[:ln])
    bad.append(bytes.fromhex('0180c2000003') + good[6:])   # wrong group
    bad.append(good[:6] + bytes.fromhex('030000000001') + good[12:])
    for f in bad:
        c.add(f, 'slowp', 'illegal_rx')
    c.cls = 'marker-bad'
    for tlv in ((0, 16), (3, 16), (1, 0), (1, 15), (2, 255)):
        c.add(marker(s, tlv=tlv), 'slowp', 'illegal_rx')
    c.add(marker(s, version=0), 'slowp', 'illegal_rx')
    for ln in range(15, 60, 7):
        c.add(marker(s)[:ln], 'slowp', 'illegal_rx')
    c.cls = 'slowp-unknown-subtype'
    for st in (0, 3, 4, 10, 0x7f, 255):
        c.add(lacpdu(s, subtype=st), 'slowp', 'unknown_rx')
    c.add(eth(SLOWP_DST, s, 0x8809), 'slowp', 'unknown_rx')


def c_vsid(c):
    """A VM port in VSID 5001: ARP/ND answered from the records or
    refused, routing through the virtual gateway."""
    c.cls = 'vsid-arp'
    s = c.src
    full = l3_frames(c, 0x0806, arp(sha=s, spa=bytes([10, 0, 0, 11])))
    for ln in range(14, len(full)):
        c.add(full[:ln], 'drop', 'truncated')
    for kw in ({'hlen': 99}, {'plen': 0}, {'op': 7}, {'htype': 6},
               {'ptype': 0x86dd}):
        c.add(l3_frames(c, 0x0806, arp(sha=s, **kw)), 'drop',
              'nv-neigh-malformed')
    # For a CA without a record, for itself, and a broadcast reply.
    c.add(l3_frames(c, 0x0806, arp(sha=s, tpa=bytes([10, 0, 0, 99]))),
          'drop', 'nv-neigh-unanswered')
    c.add(l3_frames(c, 0x0806, arp(sha=s, spa=bytes([10, 0, 0, 11]),
                                   tpa=bytes([10, 0, 0, 11]))),
          'drop', 'nv-neigh-unanswered')
    c.add(l3_frames(c, 0x0806, arp(op=2, sha=s)), 'drop',
          'nv-neigh-unanswered')
    c.cls = 'vsid-nd'
    pkt = nd_ns(V6B, s)
    for cut in range(1, 24):        # the NS itself cut, lengths consistent
        p = pkt[:40 + cut]
        c.add(l3_frames(c, 0x86dd, p[:4] + struct.pack('!H', cut) + p[6:]),
              'drop', 'nv-neigh-malformed')
    for kw in ({'hlim': 64}, {'good_sum': False}, {'code': 1},
               {'opts': b'\x01\x00' + s}, {'opts': b'\x01\x02' + s},
               {'opts': b'\x01'}):
        c.add(l3_frames(c, 0x86dd, nd_ns(V6B, s, **kw)), 'drop',
              'nv-neigh-malformed')
    c.add(l3_frames(c, 0x86dd, nd_ns(bytes.fromhex('ff02' + '00' * 13 + '01'),
                                     s)), 'drop', 'nv-neigh-malformed')
    full = l3_frames(c, 0x86dd, pkt)
    for ln in range(14, len(full)):         # payload length kept: cut
        c.add(full[:ln], 'drop', 'truncated' if ln < 54 else 'bad-ipv6')
    c.cls = 'vsid-gateway'
    gw = eth(GW_MAC, s, 0x0800)
    c.add(eth(GW_MAC, s, 0x88b5) + b'x' * 40, 'drop', 'nv-no-route')
    c.add(gw + ipv4(udp(), src=bytes([10, 0, 0, 11]),
                    dst=bytes([172, 16, 0, 1])), 'drop', 'nv-no-route')
    for ttl in (0, 1):
        c.add(gw + ipv4(udp(), src=bytes([10, 0, 0, 11]),
                        dst=bytes([10, 0, 0, 12]), ttl=ttl), 'drop',
              'nv-ttl-exceeded')


def gre_frame(flags=0x2000, proto=0x6558, vsid=5001, flowid=0, src=PA_B,
              dst=PA_A, inner=None, outer=None, ip_kw=None, our=None):
    inner = eth(MA1, MB1, 0x88b5) + b'nvgre payload' if inner is None else inner
    g = struct.pack('!HHI', flags, proto, (vsid << 8 | flowid) & 0xffffffff)
    pkt = ipv4(g + inner, proto=47, src=src, dst=dst, **(ip_kw or {}))
    return (outer or eth(our, MB1[:5] + b'\xbb', 0x0800)) + pkt


def c_underlay(c):
    """NVGRE to our PA: every GRE flag combination, bad protocol, VSIDs,
    PAs and inner frames; IP headers truncated and bogus."""
    our = c.our
    src = c.src
    hdr = eth(our, src, 0x0800)

    def g(**kw):
        return gre_frame(outer=kw.pop('outer', hdr), **kw)

    c.cls = 'gre-flags'
    names = ((0x8000, 'gre-checksum'), (0x4000, 'gre-routing'),
             (0x1000, 'gre-sequence'), (0x0800, 'gre-strict-route'),
             (0x0700, 'gre-recursion'), (0x00f8, 'gre-reserved'),
             (0x0007, 'gre-version'))
    for flags in range(0x10000):
        reason = next((n for b, n in names if flags & b), None)
        if reason is None:
            reason = None if flags & 0x2000 else 'gre-no-key'
        f = g(flags=flags)
        if reason:
            c.add(f, 'decap', reason)
        else:
            c.add(f, 'fwd', 'a1')
    c.cls = 'gre-protocol'
    for proto in (0x0000, 0x0800, 0x86dd, 0x6559, 0x88be, 0xffff):
        c.add(g(proto=proto), 'decap', 'gre-protocol')
    c.cls = 'gre-vsid'
    for vsid in (0, 1, 4095, 0xffffff):
        c.add(g(vsid=vsid), 'decap', 'vsid-reserved')
    for vsid in (4096, 5000, 5002, 7777, 0xfffffe):
        c.add(g(vsid=vsid), 'decap', 'vsid-unknown')
    c.add(g(vsid=6001, inner=eth(BCAST, MB2, 0x88b5) + b'x' * 20), 'drop',
          'nv-vsid-not-here')
    c.cls = 'gre-pa'
    c.add(g(src=bytes([192, 168, 50, 77])), 'decap', 'src-pa-not-in-vsid')
    c.add(g(src=PA_A), 'decap', 'src-pa-local')
    c.add(g(dst=bytes([192, 168, 50, 99])), 'decap', 'dst-pa-not-local')
    c.add(g(outer=eth(our, src, 0x8100) + struct.pack('!HH', 100, 0x0800)),
          'decap', 'pa-vlan-mismatch')
    c.cls = 'gre-inner'
    c.add(g(inner=eth(MA1, MB1, 0x8100) + struct.pack('!HH', 5, 0x88b5) + b'x' * 8),
          'decap', 'inner-tagged')
    for s in (MB2, MA1, bytes.fromhex('02deadbeef01'), GW_MAC):
        c.add(g(inner=eth(MA1, s, 0x88b5) + b'x' * 20), 'drop', 'nv-inner-src')
    c.add(g(vsid=6001, inner=eth(MA1, MB1, 0x88b5) + b'x' * 20), 'drop',
          'nv-vsid-not-here')
    for ln in range(0, 14):      # inner frame cut, IP length consistent
        c.add(g(inner=eth(MA1, MB1, 0x88b5)[:ln]), 'decap', 'ipv4-total-length')
    c.add(g(inner=eth(BCAST, MB1, 0x88b5)), 'fwd', 'a1')
    c.cls = 'gre-outer-ip'
    c.add(g(ip_kw={'good_sum': False}), 'decap', 'ipv4-checksum')
    for frag in (0x2000, 0x0001, 0x1fff, 0x3fff):
        c.add(g(ip_kw={'frag': frag}), 'decap', 'ipv4-fragment')
    full = g()
    for ln in range(14, len(full)):
        c.add(full[:ln], 'drop', 'truncated' if ln < 34 else 'bad-ipv4')
    for gl in range(0, 8):          # GRE cut, IP length consistent
        p = ipv4(struct.pack('!HHI', 0x2000, 0x6558, 5001 << 8)[:gl],
                 proto=47, src=PA_B, dst=PA_A)
        c.add(hdr + p, 'decap', 'ipv4-total-length')
    for ihl in range(0, 5):
        c.add(g(ip_kw={'ihl': ihl, 'total': 20 + 8 + 27}), 'drop', 'bad-ipv4')
    c.add(hdr + ipv4(udp(), src=PA_B, dst=PA_A), 'drop', 'nv-host-traffic')
    c.cls = 'gre-outer-ipv6'
    g6 = struct.pack('!HHI', 0x2000, 0x6558, 5001 << 8) + eth(MA1, MB1, 0x88b5)
    h6 = eth(our, src, 0x86dd)
    c.add(h6 + ipv6(g6, nxt=47), 'decap', 'dst-pa-not-local')
    c.add(h6 + ipv6(g6, nxt=47, plen=0), 'decap', 'ipv6-payload-length')
    for nxt in (0, 44, 60):
        c.add(h6 + ipv6(g6, nxt=nxt), 'drop', 'nv-host-traffic')
    c.cls = 'underlay-arp'
    fa = eth(our, src, 0x0806) + arp(tpa=PA_A)
    for ln in range(14, len(fa)):
        c.add(fa[:ln], 'drop', 'truncated')
    for kw in ({'hlen': 99}, {'op': 7}, {'ptype': 0x86dd}):
        c.add(eth(our, src, 0x0806) + arp(tpa=PA_A, **kw), 'drop',
              'nv-host-traffic')


def build(ctx, src, our, seed, min_len):
    c = Corpus(ctx, src, our, min_len, random.Random(seed))
    if ctx == 'underlay':
        c_src(c)
        c_underlay(c)
        c_random(c, 2000, 1514)
        return c
    c_trunc_eth(c)
    c_src(c)
    c_tags(c)
    if ctx == 'vsid':
        c_vsid(c)
        c.cls = 'vsid-ipv4'
        for ln in range(14, 34):
            c.add(l3_frames(c, 0x0800, ipv4(udp()))[:ln], 'drop', 'truncated')
        c_random(c, 2000, 1000)
        return c
    c_trunc_vlan(c)
    c_trunc_ipv4(c)
    c_bogus_ipv4(c)
    c_ipv6(c)
    c_arp_l2(c)
    c_nd_l2(c)
    c_gre_on_vm(c)
    c_random_after(c, 150)
    c_random(c, 2000, 1514)
    if ctx == 'team':
        c_slowp(c)
    return c


def write_pcap(path, frames):
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, f in enumerate(frames):
            out.write(struct.pack('<IIII', i // 1000000, i % 1000000,
                                  len(f), len(f)))
            out.write(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ctx', choices=('access', 'trunk', 'team', 'vsid',
                                    'underlay'))
    ap.add_argument('--src', required=True)
    ap.add_argument('--our-mac', default='02:00:00:00:00:00')
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--min-len', type=int, default=14)
    ap.add_argument('--out', required=True)
    ap.add_argument('--expect', required=True)
    a = ap.parse_args()
    c = build(a.ctx, mac(a.src), mac(a.our_mac), a.seed, a.min_len)
    write_pcap(a.out, c.frames)
    with open(a.expect, 'w') as f:
        json.dump(c.exp, f, indent=1, sort_keys=True)
    print('%s: %d frames, %d to be dropped, %d forwarded' % (
        a.ctx, c.exp['frames'],
        sum(c.exp['drops'].values()) + sum(c.exp['slowp'].values()),
        sum(c.exp['fwd'].values())))


if __name__ == '__main__':
    sys.exit(main())
