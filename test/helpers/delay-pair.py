#!/usr/bin/env python3
"""Two network namespaces joined by delaylab's userspace TAP forwarder, which delays every frame
by a known time each way (this kernel has no netem), held up until stdin closes. For testing
rttscan --live against an injected RTT: delaylab.py runs its own captures and traffic on a fixed
schedule, so this borrows its building blocks (open_tap, Forwarder) instead.

usage: delay-pair.py LAB_DIR AB_MS BA_MS   (root; LAB_DIR holds delaylab.py)
prints one JSON line {"ns_a", "ns_b", "dev_a", "ip_a", "ip_b"} once the pair is up; removes the
namespaces when stdin reaches its end (or on SIGTERM).
"""
import json, os, random, signal, sys, time

sys.path.insert(0, sys.argv[1])
import delaylab  # noqa: E402

ab, ba = float(sys.argv[2]), float(sys.argv[3])
tag = f"rtd{os.getpid() % 100000}"
ns_a, ns_b = tag + "a", tag + "b"
dev_a, dev_b = tag + "ta", tag + "tb"
ip_a, ip_b = "10.98.0.1", "10.98.0.2"
fwd = None
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    delaylab.sh("ip", "netns", "add", ns_a)
    delaylab.sh("ip", "netns", "add", ns_b)
    fa, fb = delaylab.open_tap(dev_a), delaylab.open_tap(dev_b)
    delaylab.sh("ip", "link", "set", dev_a, "netns", ns_a)
    delaylab.sh("ip", "link", "set", dev_b, "netns", ns_b)
    for ns, dev, ip in ((ns_a, dev_a, ip_a), (ns_b, dev_b, ip_b)):
        delaylab.sh("ip", "-n", ns, "link", "set", "lo", "up")
        delaylab.sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
        delaylab.sh("ip", "-n", ns, "link", "set", dev, "up")
        delaylab.sh("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", check=False)
    fwd = delaylab.Forwarder(fa, fb, ab, ba, 0.0, random.Random(1))
    fwd.start()
    time.sleep(0.3)
    print(json.dumps({"ns_a": ns_a, "ns_b": ns_b, "dev_a": dev_a, "ip_a": ip_a, "ip_b": ip_b}), flush=True)
    sys.stdin.read()
finally:
    if fwd:
        fwd.stop = True
    delaylab.sh("ip", "netns", "del", ns_a, check=False)
    delaylab.sh("ip", "netns", "del", ns_b, check=False)
