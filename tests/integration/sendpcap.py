#!/usr/bin/python3
"""Sends the frames of a pcap file on an interface with a raw packet
socket, as fast as it can or at --rate frames/s; --seconds S loops over
the file for S seconds.  Prints 'sent N frames in T s (R frames/s)'.

    sendpcap.py IFACE FILE.pcap [--rate PPS] [--seconds S]
"""
import argparse
import errno
import socket
import struct
import sys
import time


def read_pcap(path):
    frames = []
    with open(path, 'rb') as f:
        data = f.read()
    ofs = 24
    while ofs + 16 <= len(data):
        incl = struct.unpack_from('<I', data, ofs + 8)[0]
        frames.append(data[ofs + 16:ofs + 16 + incl])
        ofs += 16 + incl
    return frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('iface')
    ap.add_argument('pcap')
    ap.add_argument('--rate', type=float, default=0)
    ap.add_argument('--seconds', type=float, default=0)
    a = ap.parse_args()
    frames = read_pcap(a.pcap)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    sent = 0
    t0 = time.monotonic()
    end = t0 + a.seconds
    while True:
        for f in frames:
            while True:
                try:
                    s.send(f)
                    break
                except OSError as e:
                    # A full queue: wait for room, never skip a frame.
                    if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                        raise
                    time.sleep(0.0005)
            sent += 1
            if a.rate and sent % 64 == 0:
                ahead = sent / a.rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
        if not a.seconds or time.monotonic() >= end:
            break
    dt = time.monotonic() - t0
    print('sent %d frames in %.2f s (%.0f frames/s)' % (sent, dt, sent / dt))
    return 0


if __name__ == '__main__':
    sys.exit(main())
