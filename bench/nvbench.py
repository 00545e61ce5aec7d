"""NVGRE scenarios of bench/run: the network-virtualization tables that
match pktgen's traffic, as `vswitchctl nv import` files.

pktgen's frames with one tx and one rx port (docs/pktgen.md, flow f):
source MAC 02:00:00:00:00:01 + f % src_macs, destination MAC
02:00:00:01:00:01 + f % dst_macs, IPv4 10.0.0.1 + f -> 10.128.0.1 + f.

A scenario's 'nv' spec (dict):
    dir          "encap" (pktgen's VM -> switch -> underlay port) or
                 "decap" (underlay port -> switch -> VM)
    vsid         the VM's virtual subnet
    local_pa     this switch's PA, "IP/LEN" (FlowID 0: OVS's key)
    remote_pas   PAs of the other hosts; the flows' CAs are spread over
                 them round robin (flow f behind remote_pas[f % n])
    dst_cas      encap: how many destination CAs (= pktgen --dst-macs)
    pa_route     optional (prefix, next hop): remote PAs off-link
    records      optional total: filler records (other VSIDs, behind
                 'filler_pas' PAs of pa_route's prefix) up to this many
    filler_pas   how many PAs the filler records are spread over

Pure Python, standard library only; no switch is touched here.
"""
import ipaddress
import json
import os

SRC_MAC = 0x020000000001        # pktgen's source MAC base
DST_MAC = 0x020000010001        # pktgen's destination MAC base
SRC_IP = int(ipaddress.IPv4Address("10.0.0.1"))
DST_IP = int(ipaddress.IPv4Address("10.128.0.1"))
FILLER_MAC = 0x020100000000     # filler records' MACs
FILLER_VSID = 6000              # filler VSIDs: 6000, 6001, ...
FILLER_PER_VSID = 1000
CHUNK = 100000                  # records per import file (one transaction)
RDID = "bench"


def mac_str(v):
    return ":".join("%02x" % ((v >> s) & 0xff) for s in range(40, -8, -8))


def ip_str(v):
    return str(ipaddress.IPv4Address(v))


def local_ip(nv):
    return nv["local_pa"].split("/")[0]


def filler_pa(nv, j):
    """The j-th PA of the filler records: inside pa_route's prefix."""
    net = ipaddress.IPv4Network(nv["pa_route"][0])
    return ip_str(int(net.network_address) + 1 + j // 250 * 256 + j % 250)


def remote_pas(nv):
    """Every remote PA the records name (the peers that must be ready)."""
    pas = list(nv["remote_pas"])
    if nv.get("records"):
        pas += [filler_pa(nv, j) for j in range(nv.get("filler_pas", 1))]
    return sorted(set(pas))


def flow_records(nv):
    """The records pktgen's traffic needs."""
    vsid, here, far = nv["vsid"], local_ip(nv), nv["remote_pas"]
    rec = []
    if nv["dir"] == "encap":
        rec.append(dict(vsid=vsid, ca=ip_str(SRC_IP), mac=mac_str(SRC_MAC),
                        pa=here))
        for f in range(nv.get("dst_cas", 1)):
            rec.append(dict(vsid=vsid, ca=ip_str(DST_IP + f),
                            mac=mac_str(DST_MAC + f), pa=far[f % len(far)]))
    else:
        # The sender's VM (inner source) lives at the sending PA; ours here.
        rec.append(dict(vsid=vsid, ca=ip_str(SRC_IP), mac=mac_str(SRC_MAC),
                        pa=far[0]))
        rec.append(dict(vsid=vsid, ca=ip_str(DST_IP), mac=mac_str(DST_MAC),
                        pa=here))
    return rec


def filler_records(nv, n):
    """'n' records of other tenants: FILLER_PER_VSID per VSID, CAs
    172.16.0.0 + i, each with its own MAC, over 'filler_pas' PAs."""
    if n <= 0:
        return
    npas = nv.get("filler_pas", 1)
    pas = [filler_pa(nv, j) for j in range(npas)]
    base = int(ipaddress.IPv4Address("172.16.0.1"))
    for i in range(n):
        yield dict(vsid=FILLER_VSID + i // FILLER_PER_VSID,
                   ca=ip_str(base + i), mac=mac_str(FILLER_MAC + i),
                   pa=pas[i % npas])


def tables(nv, phy_port):
    """(head, records): the small tables as an import object and the
    generator of every record (flows' first)."""
    head = dict(
        pas=[dict(port=phy_port, address=nv["local_pa"], flowid=0)],
        pa_routes=([dict(prefix=nv["pa_route"][0],
                         next_hop=nv["pa_route"][1])]
                   if nv.get("pa_route") else []),
        routes=[dict(rdid=RDID, vsid=nv["vsid"], prefix="10.0.0.0/8",
                     next_hop="0.0.0.0", gateway="10.255.255.254")])
    flows = flow_records(nv)
    total = max(nv.get("records", 0), len(flows))

    def gen():
        yield from flows
        yield from filler_records(nv, total - len(flows))
    return head, gen(), total


def write_imports(nv, phy_port, outdir):
    """Writes the import files (the first with the small tables, then
    CHUNK records each) into 'outdir'; returns (paths, records)."""
    os.makedirs(outdir, exist_ok=True)
    head, recs, total = tables(nv, phy_port)
    paths, chunk, first = [], [], True

    def flush():
        nonlocal first
        doc = dict(head) if first else {}
        doc["records"] = chunk
        path = os.path.join(outdir, "nv-%03d.json" % len(paths))
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        paths.append(path)
        first = False
    for r in recs:
        chunk.append(r)
        if len(chunk) == CHUNK:
            flush()
            chunk = []
    if chunk or first:
        flush()
    return paths, total


if __name__ == "__main__":
    # Self-check: python3 bench/nvbench.py
    nv = dict(dir="encap", vsid=5001, local_pa="192.168.60.1/24",
              remote_pas=["10.2.0.1", "10.2.0.2"], dst_cas=4,
              pa_route=("10.2.0.0/16", "192.168.60.254"), records=1200,
              filler_pas=300)
    head, recs, total = tables(nv, "up")
    recs = list(recs)
    assert total == 1200 == len(recs)
    assert recs[1] == dict(vsid=5001, ca="10.128.0.1",
                           mac="02:00:00:01:00:01", pa="10.2.0.1")
    assert recs[4]["mac"] == "02:00:00:01:00:04" and recs[4]["pa"] == "10.2.0.2"
    assert len({(r["vsid"], r["ca"]) for r in recs}) == 1200
    assert len({r["mac"] for r in recs}) == 1200
    assert filler_pa(nv, 250) == "10.2.1.1" and len(remote_pas(nv)) == 300
    assert head["pas"][0] == dict(port="up", address="192.168.60.1/24",
                                  flowid=0)
    d = flow_records(dict(nv, dir="decap"))
    assert d[0]["pa"] == "10.2.0.1" and d[1]["pa"] == "192.168.60.1"
    print("ok")
