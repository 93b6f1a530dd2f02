#!/usr/bin/env python3
"""Real captures for TCP-RT's http and https modes, made like delaylab's (whose namespaces,
TAP forwarder and delays this reuses: ../shared/lab/delaylab.py): a client in namespace A, a
server in B, every frame delayed by --ab ms (A->B) and --ba ms (B->A), captured at both ends.

usage: tcprt-lab.py OUTDIR --scenario tls12|tls13|tls13-alert|expect100 [--ab MS] [--ba MS]
  tls12, tls13  openssl s_server -WWW (HTTP/1.0 over TLS, one request per connection) on
                port 8443 with a fresh self-signed P-256 certificate; curl -k fetches
                /small.txt (2000 B) then /big.txt (20000 B): the second connection resumes
                the first one's session.
  tls13-alert   TLS 1.3 alerts, which TLS 1.3 encrypts: openssl s_server -WWW -tls1_3 on 8443
                and, requiring a client certificate (-Verify 1), on 8444; four clients:
                curl -k GET /small.txt (close_notify both ways), s_client GET /small.txt,
                s_client refusing the server's certificate (-verify_return_error: the client's
                fatal alert in its handshake), s_client without a certificate on 8444 (the
                server's certificate_required alert). The server's TLS secrets go to
                OUTDIR/keylog.txt, so that tshark can decrypt and name every alert
                (truth.json: "alerts", per connection, from tshark).
  expect100     a Python HTTP/1.1 server on port 8080; curl POSTs 3 bodies on one keep-alive
                connection with `Expect: 100-continue`; the server answers 100 Continue, reads
                the body, sleeps a known time, then answers.
writes OUTDIR/client.pcap (captured in A), OUTDIR/server.pcap (in B), OUTDIR/truth.json
(root; needs /dev/net/tun, tcpdump, curl, openssl)
"""
import argparse, json, os, random, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("DELAYLAB_DIR", os.path.join(HERE, "..", "..", "shared", "lab")))
import delaylab as dl  # noqa: E402

POST_SERVER = r'''
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ms = int(self.path.strip("/").split("/")[1])
        time.sleep(ms / 1000.0)
        reply = b"y" * 3000
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
S((sys.argv[1], int(sys.argv[2])), H).serve_forever()
'''


def self_signed(work, name):
    key, cert = os.path.join(work, f"{name}-key.pem"), os.path.join(work, f"{name}-cert.pem")
    dl.sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-days", "2", "-subj", f"/CN={name}.rttscan.test", "-keyout", key, "-out", cert)
    return key, cert


def tls13_alerts(a, na, nb, ipb, work, procs, truth):
    www = os.path.join(work, "www")
    os.makedirs(www)
    with open(os.path.join(www, "small.txt"), "wb") as f:
        f.write(b"a" * 2000)
    key, cert = self_signed(work, "server")
    _, other_ca = self_signed(work, "other")
    keylog = os.path.abspath(os.path.join(a.out, "keylog.txt"))
    if os.path.exists(keylog):
        os.remove(keylog)
    for port, extra in ((8443, []), (8444, ["-Verify", "1"])):
        procs.append(subprocess.Popen(["ip", "netns", "exec", nb, "openssl", "s_server", "-quiet", "-accept", str(port),
                                       "-cert", cert, "-key", key, "-WWW", "-tls1_3", "-keylogfile", keylog, *extra],
                                      cwd=www, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.5)
    get = b"GET /small.txt HTTP/1.0\r\n\r\n"

    def s_client(port, *extra):
        # -ign_eof: send the request, then wait for the server to close.
        subprocess.run(["ip", "netns", "exec", na, "openssl", "s_client", "-tls1_3", "-connect", f"{ipb}:{port}",
                        "-servername", "server.rttscan.test", "-ign_eof", *extra], input=get,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        time.sleep(0.3)

    dl.sh("ip", "netns", "exec", na, "curl", "-sk", "-o", "/dev/null", f"https://{ipb}:8443/small.txt", check=False)
    time.sleep(0.3)
    s_client(8443)
    s_client(8443, "-verify_return_error", "-CAfile", other_ca)
    s_client(8444)
    truth.update({"server_port": 8443, "tls": "1.3", "keylog": "keylog.txt",
                  "connections": [
                      {"conn": 0, "port": 8443, "client": "curl -k", "expect": "close_notify both ways after the response"},
                      {"conn": 1, "port": 8443, "client": "openssl s_client", "expect": "close_notify after the response"},
                      {"conn": 2, "port": 8443, "client": "openssl s_client -verify_return_error (untrusted certificate)",
                       "expect": "the client's fatal alert during the handshake"},
                      {"conn": 3, "port": 8444, "client": "openssl s_client without a certificate (server -Verify 1)",
                       "expect": "the server's certificate_required alert"}]})


def tshark_alerts(pcap, keylog):
    """Every alert tshark decrypts: (tcp stream, sender port, level, description, TLS record length, frame)."""
    out = subprocess.run(["tshark", "-r", pcap, "-o", f"tls.keylog_file:{keylog}", "-o", "tcp.analyze_sequence_numbers:TRUE",
                          "-Y", "tls.alert_message", "-T", "fields", "-E", "separator=;", "-e", "frame.number",
                          "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tls.alert_message.level",
                          "-e", "tls.alert_message.desc", "-e", "tls.record.length", "-e", "tls.record.opaque_type"],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        frame, stream, sport, level, desc, length, opaque = line.split(";")
        rows.append({"frame": int(frame), "stream": int(stream), "from_port": int(sport), "level": int(level),
                     "description": int(desc), "record_lengths": [int(x) for x in length.split(",")],
                     "outer_types": [int(x) for x in opaque.split(",") if x]})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--scenario", required=True, choices=["tls12", "tls13", "tls13-alert", "expect100"])
    ap.add_argument("--ab", type=float, default=5.0)
    ap.add_argument("--ba", type=float, default=5.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tag = f"tl{os.getpid() % 100000}"
    na, nb = tag + "a", tag + "b"
    procs, fwd = [], None
    work = tempfile.mkdtemp(prefix="tcprt-lab-")
    try:
        dl.sh("ip", "netns", "add", na)
        dl.sh("ip", "netns", "add", nb)
        fa, fb = dl.open_tap(tag + "ta"), dl.open_tap(tag + "tb")
        dl.sh("ip", "link", "set", tag + "ta", "netns", na)
        dl.sh("ip", "link", "set", tag + "tb", "netns", nb)
        ipa, ipb = "10.99.0.1", "10.99.0.2"
        for ns, dev, ip in ((na, tag + "ta", ipa), (nb, tag + "tb", ipb)):
            dl.sh("ip", "-n", ns, "link", "set", "lo", "up")
            dl.sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            dl.sh("ip", "-n", ns, "link", "set", dev, "up")
            dl.sh("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", check=False)
        fwd = dl.Forwarder(fa, fb, a.ab, a.ba, 0.0, random.Random(1))
        fwd.start()
        time.sleep(0.3)
        for ns, dev, name in ((na, tag + "ta", "client"), (nb, tag + "tb", "server")):
            path = os.path.join(a.out, f"{name}.pcap")
            procs.append(subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "-U", "-q", "-i", dev, "-w", path, "-Z", "root", "tcp"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        truth = {"ab_ms": a.ab, "ba_ms": a.ba, "rtt_ms": a.ab + a.ba, "loss": 0.0, "client": ipa, "server": ipb,
                 "scenario": a.scenario, "requests": []}
        if a.scenario in ("tls12", "tls13"):
            www = os.path.join(work, "www")
            os.makedirs(www)
            with open(os.path.join(www, "small.txt"), "wb") as f:
                f.write(b"a" * 2000)
            with open(os.path.join(www, "big.txt"), "wb") as f:
                f.write(b"b" * 20000)
            key, cert = os.path.join(work, "key.pem"), os.path.join(work, "cert.pem")
            dl.sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-days", "2", "-subj", "/CN=rttscan.test", "-keyout", key, "-out", cert)
            version = "-tls1_2" if a.scenario == "tls12" else "-tls1_3"
            procs.append(subprocess.Popen(["ip", "netns", "exec", nb, "openssl", "s_server", "-quiet", "-accept", "8443",
                                           "-cert", cert, "-key", key, "-WWW", version], cwd=www,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(1.5)
            dl.sh("ip", "netns", "exec", na, "curl", "-sk", "-o", "/dev/null", "-o", "/dev/null",
                  f"https://{ipb}:8443/small.txt", f"https://{ipb}:8443/big.txt", check=False)
            truth.update({"server_port": 8443, "tls": "1.2" if a.scenario == "tls12" else "1.3",
                          "fetches": [{"conn": 0, "path": "/small.txt", "bytes": 2000, "resumed": False},
                                      {"conn": 1, "path": "/big.txt", "bytes": 20000, "resumed": True}]})
        elif a.scenario == "tls13-alert":
            tls13_alerts(a, na, nb, ipb, work, procs, truth)
        else:
            procs.append(subprocess.Popen(["ip", "netns", "exec", nb, sys.executable, "-c", POST_SERVER, ipb, "8080"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(1.5)
            body = os.path.join(work, "body.bin")
            with open(body, "wb") as f:
                f.write(b"z" * 5000)
            sleeps = [20, 0, 50]
            args = []
            for i, ms in enumerate(sleeps):
                if i:
                    args.append("--next")
                args += ["-s", "-o", "/dev/null", "-H", "Expect: 100-continue", "--data-binary", f"@{body}",
                         f"http://{ipb}:8080/sleep/{ms}"]
            dl.sh("ip", "netns", "exec", na, "curl", *args, check=False)
            truth.update({"server_port": 8080, "posts": [{"conn": 0, "seq": i + 1, "service_ms": ms, "body_bytes": 5000,
                                                           "reply_bytes": 3000} for i, ms in enumerate(sleeps)]})
        time.sleep(1.0)
        truth["dropped_frames"] = fwd.dropped
        if a.scenario == "tls13-alert":
            for p in procs[:2]:  # tcpdump flushes on SIGINT
                p.send_signal(signal.SIGINT)
                p.wait(timeout=5)
            truth["alerts"] = tshark_alerts(os.path.join(a.out, "server.pcap"), os.path.join(a.out, "keylog.txt"))
        with open(os.path.join(a.out, "truth.json"), "w") as f:
            json.dump(truth, f, indent=1)
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
        if fwd:
            fwd.stop = True
        dl.sh("ip", "netns", "del", na, check=False)
        dl.sh("ip", "netns", "del", nb, check=False)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
