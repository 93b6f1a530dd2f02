#!/usr/bin/env python3
"""The physical truth of every RTT sample of a netlab run, from ../shared/lab/oracle.

usage: oracle-truth.py DIR [capture:role ...]
For each capture of DIR (client, server, mid; or those named, e.g. client-1.pcap:client) writes
CAPTURE.oracle.json: the hosts truly local to it, and for every new ACK that a host not local
to it sent, the frame whose arrival at that host (in the host's own capture) brought its
receive point to the ACK, located back in this capture: the sample's true value, to the ns.
test/e2e/vantage.test.ts checks rttscan's default output against these files.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("ORACLE", os.path.join(HERE, "..", "..", "..", "shared", "lab", "oracle")))
import analyze as O  # noqa: E402


# One answer: when its ACK was captured, the data sender and the acknowledging host (addr:port),
# the true RTT in ns, the oracle's class of the case (clean, retx, holefill-retx,
# holefill-reorder, late-ack), and flags: t = the ACK's TSecr names its trigger, e = Eifel (the
# echo proves a first copy arrived and a later copy was spurious).
FIELDS = ["ack", "sender", "acker", "truth_ns", "class", "flags"]


def epoch(ns):
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def main():
    d = sys.argv[1]
    truth = json.load(open(os.path.join(d, "truth.json")))
    caps = {}
    for role in ("client", "server", "mid"):
        path = os.path.join(d, role + ".pcap")
        if os.path.exists(path):
            caps[role] = O.Cap(path)
    todo = [(role + ".pcap", role) for role in caps]
    todo += [tuple(a.rsplit(":", 1)) for a in sys.argv[2:]]
    server = truth["server"]
    clients = truth.get("clients") or [truth["client"]]
    for name, role in todo:
        L = caps[role] if name == role + ".pcap" else O.Cap(os.path.join(d, name))
        local = {"client": clients, "server": [server], "mid": []}[role]
        ackers = [h for h in [server] + clients if h not in local]
        answers = []
        for H in ackers:
            own = caps["server" if H == server else "client"]
            oracle, _ = O.build_oracle(L, own, H, None if H == server else server)
            for e in oracle.values():
                if "truth" not in e:
                    continue
                src, sport, dst, dport = e["flow"]  # the ACK's direction: acker -> sender
                flags = ("t" if e.get("ts_names_trigger") else "") + ("e" if e.get("eifel") else "")
                answers.append([epoch(e["ack_ts"]), endpoint(dst, dport), endpoint(src, sport), e["truth"], e["cls"], flags])
        answers.sort()
        out = {"capture": name, "role": role, "local": local, "fields": FIELDS, "answers": answers}
        with open(os.path.join(d, name + ".oracle.json"), "w") as f:
            f.write(json.dumps(out, separators=(",", ":")).replace("],[", "],\n["))
            f.write("\n")
        classes = sorted({a[4] for a in answers})
        print(f"{d}/{name}: {len(answers)} answers, classes { {c: sum(1 for a in answers if a[4] == c) for c in classes} }")


if __name__ == "__main__":
    main()
