#!/usr/bin/python3
"""Bad clients of controld's control socket, all at once, while a good
client runs `vswitchctl show` over and over (test_rpc_robust.sh).

usage: rpc_robust.py SOCKET VSWITCHCTL TIMEOUT_S

Each bad client runs in a thread and records what it got: the JSON error
reply (if any), whether the connection was closed after, and how long it
took.  Prints one JSON object: {"clients": {NAME: RESULT}, "show": {"runs":
N, "failed": N, "max_s": S}}."""
import json
import select
import socket
import subprocess
import sys
import threading
import time

SOCK, VSCTL, TIMEOUT = sys.argv[1], sys.argv[2], float(sys.argv[3])
MAX_LINE = 16 << 20
results = {}


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    return s


def read_reply(s, wait):
    """The first line controld sends (parsed), then whether it closed."""
    s.settimeout(wait)
    buf = b""
    try:
        while b"\n" not in buf:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except (socket.timeout, OSError):
        pass
    line = buf.split(b"\n")[0]
    reply = json.loads(line) if line else None
    closed = False
    try:
        s.settimeout(wait)
        closed = s.recv(1) == b""
    except (socket.timeout, OSError) as e:
        closed = not isinstance(e, socket.timeout)
    return reply, closed


def request(name, text):
    """One line: its error reply, and the connection stays open."""
    s = connect()
    s.sendall(text.encode() + b"\n")
    reply, _ = read_reply(s, 5)
    s.settimeout(0.2)
    try:
        still_open = s.recv(1) != b""
    except socket.timeout:
        still_open = True
    results[name] = {"reply": reply, "open": still_open}
    s.close()


def oversized():
    s = connect()
    t0 = time.time()
    try:
        s.sendall(b"x" * (MAX_LINE + (1 << 20)))
    except OSError:
        pass
    reply, closed = read_reply(s, 10)
    results["oversized"] = {"reply": reply, "closed": closed,
                            "s": time.time() - t0}
    s.close()


def silent():
    t0 = time.time()        # before connecting: controld's clock starts after
    s = connect()
    reply, closed = read_reply(s, 4 * TIMEOUT + 5)
    results["silent"] = {"reply": reply, "closed": closed,
                         "s": time.time() - t0}
    s.close()


def trickle():
    """A valid request, one byte a second."""
    text = b'{"jsonrpc":"2.0","id":1,"method":"show"}\n'
    s = connect()
    t0 = time.time()
    sent = 0
    for b in text:
        try:
            s.send(bytes([b]))
            sent += 1
        except OSError:
            break
        r, _, _ = select.select([s], [], [], 1.0)
        if r:
            break
    reply, closed = read_reply(s, 5)
    results["trickle"] = {"reply": reply, "closed": closed, "sent": sent,
                          "s": time.time() - t0}
    s.close()


BAD_REQUESTS = {
    "invalid_json": '{"jsonrpc":"2.0","id":2,"method":"show"',
    "not_an_object": '[1, 2, 3]',
    "unknown_method": '{"jsonrpc":"2.0","id":3,"method":"reboot"}',
    "method_type": '{"jsonrpc":"2.0","id":4,"method":5}',
    "id_type": '{"jsonrpc":"2.0","id":{"a":1},"method":"show"}',
    "params_type": '{"jsonrpc":"2.0","id":5,"method":"show","params":[1]}',
    "name_type": '{"jsonrpc":"2.0","id":6,"method":"del_port",'
                 '"params":{"name":5}}',
    "vlan_type": '{"jsonrpc":"2.0","id":7,"method":"set_port",'
                 '"params":{"name":"vm1","vlan":"ten"}}',
    "log_component_type": '{"jsonrpc":"2.0","id":8,"method":"log_level",'
                          '"params":{"component":5,"level":"debug"}}',
    "log_level_type": '{"jsonrpc":"2.0","id":9,"method":"log_level",'
                      '"params":{"component":"controld","level":7}}',
    "unknown_param": '{"jsonrpc":"2.0","id":10,"method":"log_level",'
                     '"params":{"components":"all"}}',
}

threads = [threading.Thread(target=f) for f in (oversized, silent, trickle)]
threads += [threading.Thread(target=request, args=(n, t))
            for n, t in BAD_REQUESTS.items()]
for t in threads:
    t.start()

# The good client, until every bad one is done.
runs = failed = 0
max_s = 0.0
while any(t.is_alive() for t in threads) or runs < 5:
    t0 = time.time()
    rc = subprocess.run([VSCTL, "--socket", SOCK, "show"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        timeout=30).returncode
    max_s = max(max_s, time.time() - t0)
    runs += 1
    failed += rc != 0
    time.sleep(0.05)
for t in threads:
    t.join()
print(json.dumps({"clients": results,
                  "show": {"runs": runs, "failed": failed, "max_s": max_s}}))
