#!/usr/bin/env python3
"""Turns bench/cluster.sh's results into its section of docs/benchmarks.md and
docs/multi-node.md: the markdown between BEGIN and END in each file is
replaced (or, where the markers are missing, appended)."""
import argparse
import json
import os
import re
import subprocess
import time

BEGIN = "<!-- bench/cluster.sh: begin -->"
END = "<!-- bench/cluster.sh: end -->"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def package_version(name):
    path = os.path.join(ROOT, "tests/interop/node_modules", name, "package.json")
    try:
        with open(path) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


def command_output(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def number(x):
    return f"{x:,.0f}"


def ms(us):
    return f"{us / 1000:.2f} ms"


def ratio(a, b):
    return f"{a / b:.1f}×" if b else "n/a"


def load(path):
    runs = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            runs[(r["id"], r["label"])] = r
    return runs


def cell(runs, key, render):
    r = runs.get(key)
    if r is None or r["errors"] or r["connected"] != r["clients"]:
        return "failed"
    return render(r)


def section(runs, args):
    redis_version = re.search(r"v=(\S+)", command_output("redis-server", "--version"))
    lines = [
        BEGIN,
        "## Several nodes: two nodes of one Redis cluster, and reusePort",
        "",
        "Written by `bench/cluster.sh` (from the repository root) into docs/benchmarks.md",
        "and docs/multi-node.md; `bench/run.sh` keeps it when it rewrites the rest.",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {args.commit}",
        f"- Load average (1, 5, 15 min) before the run: {args.load_before}; after: {args.load_after}"
        " (2 cores, shared by the nodes, Redis and the generator)",
        "- libsio nodes: `sio_test_server --port 0 --redis URL`, Release build",
        f"- Node.js nodes: `node tests/interop/ref_server.mjs --port 0 --redis URL`, Node.js"
        f" {command_output('node', '--version')}, socket.io {package_version('socket.io')},"
        f" @socket.io/redis-adapter {package_version('@socket.io/redis-adapter')},"
        f" redis (node-redis) {package_version('redis')}",
        f"- One redis-server {redis_version.group(1) if redis_version else '?'} on a free port;"
        " every measure 3 s after 1 s of warm-up, the nodes started afresh",
        "",
        "### A broadcast to clients spread over two nodes",
        "",
        "`loadgen --port A --port2 B` puts its even-numbered clients on node A and the",
        "odd-numbered on node B. Client 0 (on A) emits `bcast`; node A sends it to every",
        "client of `/` on A and, through Redis, node B to those on B. Deliveries/s count",
        "both; the cross-node latency is from the emit to a delivery on B.",
        "",
        "    loadgen --port A --port2 B --duration 3 --warmup 1 --scenario bcast --clients 1000 --window 16 --size 16",
        "    loadgen --port A --port2 B --duration 3 --warmup 1 --scenario bcast --clients 100 --window 1 --size 16",
        "    loadgen --port A --port2 B --duration 3 --warmup 1 --scenario bcast --clients 2 --window 1 --size 16",
        "",
        "| measure | two libsio nodes | two Node.js nodes | libsio / Node.js |",
        "|---|---|---|---|",
    ]
    rate = {k: runs.get(("cluster-bcast", k), {}).get("msgs_per_s", 0) for k in ("libsio", "node")}
    lines.append(
        "| deliveries/s, 1,000 clients, 16 broadcasts in flight | "
        + " | ".join(cell(runs, ("cluster-bcast", k), lambda r: number(r["msgs_per_s"])) for k in ("libsio", "node"))
        + f" | {ratio(rate['libsio'], rate['node'])} |")
    for id_, what in (("cluster-bcast", "1,000 clients, 16 in flight"),
                      ("cluster-latency", "100 clients, one broadcast at a time"),
                      ("cluster-hop", "2 clients (one per node), one broadcast at a time")):
        lines.append(
            f"| cross-node latency p50 / p99, {what} | "
            + " | ".join(cell(runs, (id_, k), lambda r: f"{ms(r['cross_p50_us'])} / {ms(r['cross_p99_us'])}")
                         for k in ("libsio", "node"))
            + " | |")
    if any(id_.startswith("sharded-") for id_, _ in runs):
        lines += [
            "",
            "The same with the sharded adapter (`bench/cluster.sh --sharded`: both kinds of",
            "node with `--redis-sharded`, createShardedAdapter's protocol on Redis 7's sharded",
            "pub/sub; a broadcast to the namespace goes on its channel `socket.io#/#`):",
            "",
            "| measure, sharded adapter | two libsio nodes | two Node.js nodes | libsio / Node.js |",
            "|---|---|---|---|",
        ]
        srate = {k: runs.get(("sharded-cluster-bcast", k), {}).get("msgs_per_s", 0) for k in ("libsio", "node")}
        lines.append(
            "| deliveries/s, 1,000 clients, 16 broadcasts in flight | "
            + " | ".join(cell(runs, ("sharded-cluster-bcast", k), lambda r: number(r["msgs_per_s"]))
                         for k in ("libsio", "node"))
            + f" | {ratio(srate['libsio'], srate['node'])} |")
        for id_, what in (("sharded-cluster-latency", "100 clients, one broadcast at a time"),
                          ("sharded-cluster-hop", "2 clients (one per node), one broadcast at a time")):
            lines.append(
                f"| cross-node latency p50 / p99, {what} | "
                + " | ".join(cell(runs, (id_, k), lambda r: f"{ms(r['cross_p50_us'])} / {ms(r['cross_p99_us'])}")
                             for k in ("libsio", "node"))
                + " | |")
    p50 = runs.get(("cluster-latency", "libsio"), {}).get("cross_p50_us")
    lines += [
        "",
        "Targets (issue 20): deliveries/s at least 10× the Node.js cluster's:"
        f" {'met' if rate['node'] and rate['libsio'] >= 10 * rate['node'] else 'not met'}"
        f" ({ratio(rate['libsio'], rate['node'])}); cross-node p50 under 1 ms"
        " (one broadcast at a time):"
        f" {'met' if p50 is not None and p50 < 1000 else 'not met'}"
        f"{f' ({ms(p50)})' if p50 is not None else ''}.",
        "",
        "### One libsio process against two sharing a port (reusePort)",
        "",
        "`sio_test_server --port 0 --reuse-port`, then, for two, a second one with",
        "`--port` of the first: the kernel spreads the generator's connections over",
        "them. The broadcast needs the Redis adapter (`--redis URL`) to reach the",
        "other process's clients; one process runs with it too, so that the process",
        "count is all that differs.",
        "",
        "    loadgen --port P --duration 3 --warmup 1 --scenario echo --clients 100 --window 32 --size 16",
        "    loadgen --port P --duration 3 --warmup 1 --scenario bcast --clients 1000 --window 16 --size 16",
        "",
        "| scenario | 1 process | 2 processes | 2 / 1 |",
        "|---|---|---|---|",
    ]
    for id_, what, unit in (("scaleout-echo", "echo, 100 clients, 32 in flight", "messages/s"),
                            ("scaleout-bcast", "broadcast to 1,000 clients, 16 in flight, Redis adapter",
                             "deliveries/s")):
        one = runs.get((id_, "libsio x1"), {}).get("msgs_per_s", 0)
        two = runs.get((id_, "libsio x2"), {}).get("msgs_per_s", 0)
        lines.append(
            f"| {what}: {unit} (p50 / p99) | "
            + " | ".join(cell(runs, (id_, f"libsio x{n}"),
                              lambda r: f"{number(r['msgs_per_s'])} ({ms(r['lat_p50_us'])} / {ms(r['lat_p99_us'])})")
                         for n in (1, 2))
            + f" | {ratio(two, one)} |")
    lines += ["", END]
    return "\n".join(lines)


def splice(path, block):
    with open(path) as f:
        text = f.read()
    start, end = text.find(BEGIN), text.find(END)
    if start >= 0 and end > start:
        text = text[:start] + block + text[end + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--commit", required=True)
    p.add_argument("--load-before", required=True)
    p.add_argument("--load-after", required=True)
    p.add_argument("--splice", nargs="+", required=True, help="markdown files to update")
    args = p.parse_args()
    block = section(load(args.results), args)
    for path in args.splice:
        splice(path, block)


if __name__ == "__main__":
    main()
