#!/usr/bin/env python3
"""Starts a benchmark original with a large environment or many arguments, prints its PID, and leaves it running.

    bench/original.py EXE [--env-bytes N] [--args N]

The environment looks like a Kubernetes container's: a few base variables, the service links
(enableServiceLinks: eight variables per service, FOO_SERVICE_HOST, FOO_PORT_8080_TCP_ADDR, ...)
for about two thirds of the variables, and configuration values (JSON, PEM-like base64) of a few
hundred bytes to a few kilobytes for the rest, about 350 bytes a variable on average: 1 MiB is
some 3,000 variables. Deterministic: the same N gives the same bytes. EXE is a copy of sleep(1),
run as `EXE 3600`; with --args N it is a copy of a POSIX shell, run as
`EXE -c 'sleep 3600; :' EXE --flag-0=value-0 ... --flag-N-1=...` (sleep would refuse the flags).
The original leads a process group of its own (kill -- -PID ends it and its sleep). Only the
Python standard library is used.
"""
import argparse
import base64
import hashlib
import os
import random
import subprocess
import sys

WORDS = ["payments", "orders", "catalog", "search", "auth", "billing", "inventory", "shipping", "users",
         "notifications", "gateway", "ledger", "pricing", "reviews", "media", "analytics", "metrics",
         "checkout", "cart", "profile", "session", "tenant", "audit", "export", "import", "scheduler"]
BYTES_PER_VARIABLE = 350


def service_links(rng, index):
    name = "%s_%s_%d" % (rng.choice(WORDS).upper(), rng.choice(WORDS).upper(), index)
    ip = "10.%d.%d.%d" % (96 + rng.randrange(8), rng.randrange(256), 1 + rng.randrange(254))
    port = rng.choice([80, 443, 8080, 8443, 9090, 5432, 6379, 9092])
    return [
        "%s_SERVICE_HOST=%s" % (name, ip),
        "%s_SERVICE_PORT=%d" % (name, port),
        "%s_SERVICE_PORT_HTTP=%d" % (name, port),
        "%s_PORT=tcp://%s:%d" % (name, ip, port),
        "%s_PORT_%d_TCP=tcp://%s:%d" % (name, port, ip, port),
        "%s_PORT_%d_TCP_PROTO=tcp" % (name, port),
        "%s_PORT_%d_TCP_PORT=%d" % (name, port, port),
        "%s_PORT_%d_TCP_ADDR=%s" % (name, port, ip),
    ]


def config_value(rng, index, length):
    kind = index % 3
    if kind == 0:
        items = []
        while sum(len(i) + 1 for i in items) < length:
            items.append('"%s.%s":%s' % (rng.choice(WORDS), rng.choice(WORDS), rng.choice(["true", "false", str(rng.randrange(10000))])))
        value = "{" + ",".join(items) + "}"
    elif kind == 1:
        raw = hashlib.sha256(b"%d" % index).digest() * (length // 32 + 1)
        value = base64.b64encode(raw).decode()
    else:
        value = ",".join("https://%s.svc.cluster.local:%d/%s" % (rng.choice(WORDS), 8000 + rng.randrange(100), rng.choice(WORDS))
                         for _ in range(length // 40 + 1))
    return value[:length]


def environment(total):
    """Variables of about `total` bytes in all, NULs included."""
    rng = random.Random(total)
    env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=app-7d9f8c6b5-x2x9k",
           "HOME=/root", "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443", "LANG=C.UTF-8"]
    count = max(len(env), total // BYTES_PER_VARIABLE)
    links = count * 2 // 3
    i = 0
    while len(env) < links:
        env += service_links(rng, i)
        i += 1
    used = sum(len(v) + 1 for v in env)
    configs = max(1, count - len(env))
    for j in range(configs):
        name = "APP_CONFIG_%s_%d=" % (rng.choice(WORDS).upper(), j)
        left = total - used
        share = left // (configs - j) - len(name) - 1
        if share <= 0:
            break
        value = config_value(rng, j, share)
        env.append(name + value)
        used += len(name) + len(value) + 1
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("exe")
    ap.add_argument("--env-bytes", type=int, default=0)
    ap.add_argument("--args", type=int, default=0)
    a = ap.parse_args()
    env = environment(a.env_bytes) if a.env_bytes else ["PATH=/usr/bin:/bin", "SERVICE=bench-original"]
    if a.args:
        argv = [a.exe, "-c", "sleep 3600; :", a.exe] + ["--flag-%d=value-%d" % (i, i) for i in range(a.args)]
    else:
        argv = [a.exe, "3600"]
    # execve takes the environment as bytes; a dict would reorder nothing but could merge duplicates.
    envb = {}
    for v in env:
        k, _, val = v.partition("=")
        envb[k.encode()] = val.encode()
    p = subprocess.Popen(argv, env=envb, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    print(p.pid)


if __name__ == "__main__":
    sys.exit(main())
