#!/usr/bin/env python3
"""The timing half of demo/fast-start.sh (which builds, installs gnuplot and calls this).

A service (demo/FastStartService.java) is started, captured with `selfrestore capture` and
stopped. AOT caches are trained, one without and one with the agent. Then fresh JVMs start in the
service's place, one at a time, in rounds whose order rotates: plain, AOT cache, AOT cache +
selfrestore. Each is timed from just before exec to its first HTTP 200 answer on 127.0.0.1, then
asked to stop. Prints a table, writes a CSV and a PNG, and shows ps of a restored service.
Only the Python standard library is used.
"""
import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import gnuplot  # noqa: E402  (bench/gnuplot.py, shared with bench/startup.py)

ORIGINAL_ENV = {"PATH": "/usr/bin:/bin", "SERVICE_REGION": "eu-west-1", "ORDERS_DB": "postgres://db/orders"}


def get(port, path, timeout=2.0):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


def start_and_wait(cmd, port, env, log, deadline_s=30.0):
    """Starts cmd; returns (process, seconds from just before exec to the first 200 on /, body)."""
    out = open(log, "wb")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, close_fds=True)
    try:
        return wait_for_200(p, cmd, port, log, t0, deadline_s)
    except BaseException:
        if p.poll() is None:
            p.kill()
            p.wait()
        raise


def wait_for_200(p, cmd, port, log, t0, deadline_s):
    while True:
        try:
            status, body = get(port, "/", timeout=30.0)
            if status == 200:
                return p, time.monotonic() - t0, body
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected, TimeoutError):
            pass
        if p.poll() is not None:
            raise SystemExit("fast-start: %s exited (%s) before answering; log: %s\n%s"
                             % (cmd[0], p.returncode, log, open(log, errors="replace").read()))
        if time.monotonic() - t0 > deadline_s:
            p.kill()
            raise SystemExit("fast-start: no answer on port %d after %.0f s; log: %s" % (port, deadline_s, log))
        time.sleep(0.0005)


def stop(p, port):
    try:
        get(port, "/stop")
    except OSError:
        pass
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def port_free(port, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            get(port, "/", timeout=0.2)
        except OSError:
            return
        time.sleep(0.05)
    raise SystemExit("fast-start: port %d still answers" % port)


def pct(values, q):
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--agent", required=True)
    ap.add_argument("--service-jar", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True, help="path without extension for .md, .csv, .png")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--port", type=int, default=18080)
    a = ap.parse_args()

    port = str(a.port)
    service = ["-cp", a.service_jar, "FastStartService", port]
    descriptor = os.path.join(a.work, "orders.mmd")
    env = dict(ORIGINAL_ENV)
    port_free(a.port)

    print("== 1. The service, started as usual, answers on 127.0.0.1:%s" % port)
    p, secs, body = start_and_wait([a.java] + service, a.port, env, os.path.join(a.work, "original.log"))
    original_ps = subprocess.run(["ps", "-o", "pid,comm,args", "-p", str(p.pid)], capture_output=True, text=True).stdout
    print(original_ps.rstrip())
    print("   GET / -> 200 %s" % body.strip())
    print("\n== 2. Captured with selfrestore capture, then stopped")
    # The command line is a process of its own: it may allow Chronicle's sun.misc.Unsafe use (JDK 24+).
    subprocess.run([a.java, "--sun-misc-unsafe-memory-access=allow", "-jar", a.agent, "capture", "--force",
                    "--pid", str(p.pid), "--out", descriptor], check=True)
    stop(p, a.port)
    port_free(a.port)

    agent = "-javaagent:%s=%s" % (a.agent, descriptor)
    plain_aot = os.path.join(a.work, "plain.aot")
    restore_aot = os.path.join(a.work, "restore.aot")
    print("\n== 3. AOT caches trained (JDK 25, -XX:AOTCacheOutput): one without, one with the agent")
    for cache, extra in ((plain_aot, []), (restore_aot, [agent])):
        cmd = [a.java, "-XX:AOTCacheOutput=" + cache] + extra + service
        p, _, _ = start_and_wait(cmd, a.port, env, cache + ".log", deadline_s=120)
        stop(p, a.port)
        port_free(a.port)
        if not os.path.exists(cache):
            raise SystemExit("fast-start: no AOT cache written; log: %s.log" % cache)
        print("   %s (%.1f MB)" % (os.path.basename(cache), os.path.getsize(cache) / 1e6))

    cases = [
        ("plain", "plain JVM", [a.java] + service),
        ("aot", "AOT cache", [a.java, "-XX:AOTCache=" + plain_aot] + service),
        ("aot+selfrestore", "AOT cache + selfrestore", [a.java, "-XX:AOTCache=" + restore_aot, agent] + service),
    ]
    print("\n== 4. %d rounds, interleaved: exec to first HTTP 200 on 127.0.0.1:%s" % (a.rounds, port))
    times = {c[0]: [] for c in cases}
    log = os.path.join(a.work, "run.log")
    for r in range(a.rounds + 1):  # round 0 warms the page cache and is not counted
        order = cases[r % len(cases):] + cases[:r % len(cases)]
        for name, _, cmd in order:
            p, secs, _ = start_and_wait(cmd, a.port, env, log)
            stop(p, a.port)
            text = open(log, errors="replace").read()
            if name == "aot+selfrestore" and "selfrestore: restored" not in text:
                raise SystemExit("fast-start: the agent did not restore:\n" + text)
            if "WARNING" in text or "Error" in text:
                raise SystemExit("fast-start: unexpected output from %s:\n%s" % (name, text))
            port_free(a.port)
            if r > 0:
                times[name].append(secs * 1000)
        print("   round %d/%d done" % (r, a.rounds) if r else "   warm-up round done", flush=True)

    base = statistics.median(times["plain"])
    lines = ["| JVM started in the service's place | median ms | p10–p90 ms | min ms | vs plain |",
             "|---|--:|--:|--:|--:|"]
    for name, label, _ in cases:
        t = times[name]
        m = statistics.median(t)
        lines.append("| %s | %.0f | %.0f–%.0f | %.0f | %+.0f |" % (label, m, pct(t, .1), pct(t, .9), min(t), m - base))
    table = "\n".join(lines)
    java_version = subprocess.run([a.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    note = ("`demo/fast-start.sh --rounds %d` (%s, %d cores, load average %.1f at the end): exec to the first "
            "HTTP 200 on loopback, medians of %d interleaved rounds, one JVM at a time."
            % (a.rounds, java_version, os.cpu_count(), os.getloadavg()[0], a.rounds))
    print()
    print(table)
    print(note)
    with open(a.out + ".md", "w") as f:
        f.write(note + "\n\n" + table + "\n")
    with open(a.out + ".csv", "w") as f:
        f.write("case,round,ms\n")
        for name, _, _ in cases:
            for i, v in enumerate(times[name]):
                f.write("%s,%d,%.2f\n" % (name, i + 1, v))
    plot(a.out, cases, times, java_version)

    print("\n== 5. A restored service, as ps shows it (the original was:)")
    print(original_ps.rstrip())
    p, secs, body = start_and_wait(cases[2][2], a.port, env, log)
    print(subprocess.run(["ps", "-o", "pid,comm,args", "-p", str(p.pid)], capture_output=True, text=True).stdout.rstrip())
    print("   (started as: %s)" % " ".join(cases[2][2]))
    print("   GET / -> 200 %s" % body.strip())
    print("   " + open(log, errors="replace").read().strip())
    stop(p, a.port)


def plot(base, cases, times, java_version):
    if not gnuplot.available("fast-start"):
        return
    dat = base + ".dat"
    with open(dat, "w") as f:
        for i, (name, label, _) in enumerate(cases):
            for v in times[name]:
                f.write("%d %.2f\n" % (i + 1, v))
            f.write("\n\n")
    med = base + ".med"
    with open(med, "w") as f:
        for i, (name, label, _) in enumerate(cases):
            f.write('%d %.2f "%s"\n' % (i + 1, statistics.median(times[name]), label))
    top = max(max(v) for v in times.values()) * 1.15
    script = """
set terminal pngcairo size 900,520 font 'sans,12'
set output '%s.png'
set title "Exec to first HTTP 200: a com.sun.net.httpserver service\\n%s"
set ylabel 'ms'
set yrange [0:%f]
set xrange [0.4:%d.6]
set grid ytics
set style fill solid 0.35
set boxwidth 0.5
unset key
plot '%s' using 1:2:xticlabels(3) with boxes lc rgb '#1f77b4', \\
     '%s' using 1:2:(sprintf('%%.0f ms', $2)) with labels offset 0,1 font 'sans,12', \\
     '%s' using ($1 + 0.12):2 with points pt 7 ps 0.6 lc rgb '#d62728'
""" % (base, ("%s, %d cores, load average %.1f" % (java_version, os.cpu_count(), os.getloadavg()[0])).replace("'", "").replace('"', ''),
       top, len(cases), med, med, dat)
    gnuplot.run(script, "fast-start")
    for f in (dat, med):
        os.remove(f)


if __name__ == "__main__":
    main()
