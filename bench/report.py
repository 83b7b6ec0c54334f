#!/usr/bin/env python3
"""Turns one run of bench/run.sh (results.jsonl + status.tsv) into
docs/benchmarks.md: machine, versions, command, a summary, the issue's
targets, and a table per scenario with each server's figures and the ratio to
the Node.js server. Standard library only."""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
SERVERS = ["libsio", "libsio-py", "libsio-lua", "bare", "bare-handoff", "node", "python"]
SERVER_NAMES = {
    "libsio": "libsio (C)",
    "libsio-py": "libsio Python binding",
    "libsio-lua": "libsio Lua binding",
    "bare": "bare ceiling",
    "bare-handoff": "bare + hand-off",
    "node": "Node.js socket.io",
    "python": "python-socketio",
}


def full_timing():
    """(warmup, duration) seconds of the full run, from scenarios.sh."""
    text = open(os.path.join(BENCH, "scenarios.sh")).read()
    timing = re.search(r'FULL_TIMING="([^"]*)"', text).group(1)
    duration = re.search(r"--duration (\S+)", timing).group(1)
    warmup = re.search(r"--warmup (\S+)", timing).group(1)
    return warmup, duration


def scenario_titles():
    """id -> description, from the FULL_SCENARIOS table of scenarios.sh."""
    titles = {}
    text = open(os.path.join(BENCH, "scenarios.sh")).read()
    full = text.split("FULL_SCENARIOS=(", 1)[1].split(")\n", 1)[0]
    for m in re.finditer(r'"([^|"]+)\|([^|"]+)\|', full):
        titles[m.group(1)] = m.group(2)
    return titles


# What each scenario is judged by: (key, heading, unit, lower_is_better)
def main_metric(scenario_id):
    if scenario_id == "latency":
        return ("lat_p99_us", "p99 latency", "µs", True)
    if "bcast" in scenario_id:
        return ("msgs_per_s", "deliveries/s", "", False)
    if scenario_id == "ramp":
        return ("conn_per_s", "connections/s", "", False)
    if scenario_id in ("idle-10k", "max-conns"):
        return ("rss_per_client_b", "server RSS per client", "B", True)
    return ("msgs_per_s", "messages/s", "", False)


def fmt_number(v, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float) and v != int(v) and abs(v) < 100:
        s = f"{v:.2f}"
    else:
        s = f"{int(round(v)):,}"
    return f"{s} {unit}".strip()


def fmt_ratio(v, ref):
    if v is None or not ref:
        return "–"
    return f"{v / ref:.2f}×"


def read_status(path):
    status = {}
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3:
            status[(parts[0], parts[1])] = parts[2]
    return status


def read_results(path):
    results = {}
    for line in open(path):
        line = line.strip()
        if line:
            r = json.loads(line)
            results[(r["label"], r["id"])] = r
    return results


def run_quiet(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_lines(fd_limit):
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    return [
        f"- Machine: {os.cpu_count()} cores ({cpu}), {mem_kb / 1048576:.1f} GiB memory, "
        f"Linux {platform.release()}, descriptor limit {fd_limit}",
    ]


def version_lines():
    commit = run_quiet(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    node = run_quiet(["node", "--version"])
    sio_js = "?"
    try:
        pkg = os.path.join(BENCH, "node", "node_modules", "socket.io", "package.json")
        sio_js = json.load(open(pkg))["version"]
    except (OSError, ValueError, KeyError):
        pass
    pins = open(os.path.join(BENCH, "requirements.txt")).read().split()
    py = run_quiet([os.path.join(BENCH, ".venv", "bin", "python"), "--version"])
    luajit = run_quiet(["luajit", "-v"]).split(" -- ")[0]
    return [
        f"- libsio: `examples/sio_test_server` at commit {commit}, Release build",
        "- libsio Python binding: `bench/servers/libsio_python_server.py` (asyncio mode), "
        "`bindings/python` built into `bench/.venv-libsio-full`",
        f"- libsio Lua binding: `tests/lua/test_server.lua` on {luajit or 'luajit'} with the "
        "same build's `libsio.so`",
        "- bare ceiling: `bench/bare_server`, one epoll thread, no Socket.IO layer",
        "- bare + hand-off: `bench/bare_server --handoff`, the same with every event answered "
        "on a second thread through batched queues and eventfds as libsio's: the two-thread "
        "design's own ceiling",
        f"- Node.js {node}, socket.io {sio_js} (`bench/servers/node_server.mjs`)",
        f"- {py}, {', '.join(pins)} (`bench/servers/python_server.py`)",
        "- Load generator: `bench/loadgen`, one epoll thread on the same machine; each run "
        "warms up {} s and measures {} s; scenario by scenario, every server in turn, "
        "each started afresh"
        .format(*full_timing()),
    ]


def cell(results, status, server, sid, key, unit):
    r = results.get((server, sid))
    st = status.get((server, sid)) or status.get((server, "*"))
    if r is None:
        return st or "not run", None
    v = r.get(key)
    text = fmt_number(v, unit)
    if st and st != "ok":
        text += f" ({st}, {r.get('errors', 0)} errors, {r.get('connected')}/{r.get('clients')} joined)"
    return text, v


def summary_table(results, status, titles):
    out = ["| scenario | metric | " + " | ".join(SERVER_NAMES[s] for s in SERVERS) + " |",
           "|---|---|" + "---|" * len(SERVERS)]
    for sid, title in titles.items():
        key, heading, unit, lower = main_metric(sid)
        node_v = results.get(("node", sid), {}).get(key)
        cells = []
        for s in SERVERS:
            text, v = cell(results, status, s, sid, key, unit)
            if text.startswith("skipped"):
                text = "skipped"
            if v is not None and s != "node" and node_v:
                text += f" ({fmt_ratio(v, node_v)})"
            cells.append(text)
        better = "lower is better" if lower else "higher is better"
        out.append(f"| {title} | {heading} ({better}) | " + " | ".join(cells) + " |")
    return out


def detail_table(results, status, sid, title):
    key, heading, unit, lower = main_metric(sid)
    node_v = results.get(("node", sid), {}).get(key)
    out = [f"### {title}", "",
           f"| server | {heading} | vs Node.js | MiB/s | p50 µs | p99 µs | connections/s | "
           "clients joined | errors | server RSS after | server peak RSS |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in SERVERS:
        text, v = cell(results, status, s, sid, key, unit)
        r = results.get((s, sid))
        if r is None:
            out.append(f"| {SERVER_NAMES[s]} | {text} |" + " |" * 9)
            continue
        rss = r.get("server_rss_kb")
        hwm = r.get("server_hwm_kb")
        out.append(
            f"| {SERVER_NAMES[s]} | {text} | {fmt_ratio(v, node_v)} | {fmt_number(r['mib_per_s'])} | "
            f"{fmt_number(r['lat_p50_us'])} | {fmt_number(r['lat_p99_us'])} | "
            f"{fmt_number(r['conn_per_s'])} | {r['connected']}/{r['clients']} | {r['errors']} | "
            f"{fmt_number(rss / 1024 if rss else None, 'MiB')} | "
            f"{fmt_number(hwm / 1024 if hwm else None, 'MiB')} |")
    return out + [""]


def target_lines(results):
    def get(server, sid, key):
        return results.get((server, sid), {}).get(key)

    lines = []
    if not any(k[0] == "libsio" for k in results):
        lines.append("libsio's server was not measured in this run (see the status above), so "
                     "no target can be judged yet. The figures the targets compare with:")
    checks = [
        ("echo-w8", "msgs_per_s", "Echo, 8 in flight: ≥ 10× Node.js and ≥ 70% of bare", 10, 0.7),
        ("echo-w32", "msgs_per_s", "Echo, 32 in flight: ≥ 10× Node.js and ≥ 70% of bare", 10, 0.7),
        ("ack-w8", "msgs_per_s", "Acks, 8 in flight: ≥ 10× Node.js and ≥ 70% of bare", 10, 0.7),
        ("ack-w32", "msgs_per_s", "Acks, 32 in flight: ≥ 10× Node.js and ≥ 70% of bare", 10, 0.7),
        ("bcast-1k", "msgs_per_s", "Broadcast to 1,000: ≥ 2.5× Node.js and ≥ 70% of bare", 2.5, 0.7),
        ("bcast-10k", "msgs_per_s", "Broadcast to 10,000: ≥ 2.5× Node.js and ≥ 70% of bare", 2.5, 0.7),
        ("ramp", "conn_per_s", "Connection rate: ≥ 5× Node.js", 5, None),
    ]
    for sid, key, text, node_factor, bare_share in checks:
        sio, node, bare = get("libsio", sid, key), get("node", sid, key), get("bare", sid, key)
        handoff = get("bare-handoff", sid, key)
        need = [f"Node.js {fmt_number(node)} → needs {fmt_number(node * node_factor) if node else '–'}"]
        if bare_share:
            need.append(f"bare {fmt_number(bare)} → needs {fmt_number(bare * bare_share) if bare else '–'}")
        verdict = "not measured"
        if sio is not None:
            ok = (node is None or sio >= node * node_factor) and (
                not bare_share or bare is None or sio >= bare * bare_share)
            shares = []
            if node:
                shares.append(f"{sio / node:.2f}× Node.js")
            if bare_share and bare:
                shares.append(f"{100 * sio / bare:.0f}% of bare")
            if bare_share and handoff:
                shares.append(f"{100 * sio / handoff:.0f}% of bare + hand-off")
            verdict = (f"libsio {fmt_number(sio)} = {', '.join(shares)}: "
                       f"**{'met' if ok else 'missed'}**")
        lines.append(f"- {text}: {'; '.join(need)}; {verdict}")
    sio_idle = get("libsio", "idle-10k", "rss_per_client_b")
    lines.append(
        "- Memory: ≤ 4 KiB server RSS per idle WebSocket client at 10,000 clients: "
        + (f"libsio {fmt_number(sio_idle, 'B')}: **{'met' if sio_idle <= 4096 else 'missed'}**"
           if sio_idle is not None else "not measured")
        + f" (Node.js {fmt_number(get('node', 'idle-10k', 'rss_per_client_b'), 'B')}, "
        f"bare {fmt_number(get('bare', 'idle-10k', 'rss_per_client_b'), 'B')})")
    held = get("libsio", "max-conns", "connected")
    asked = get("libsio", "max-conns", "clients")
    held_text = "not measured"
    if held is not None:
        held_text = (f"libsio held {held:,} of {asked:,} asked, "
                     f"{get('libsio', 'max-conns', 'errors')} errors")
        if asked < 50000:
            held_text += (" (**not measurable here**: the descriptor limit is below 50,000 "
                          "for the server as for the generator)")
    lines.append("- 50,000 concurrent clients without errors: " + held_text)
    sio_p99, node_p99 = get("libsio", "latency", "lat_p99_us"), get("node", "latency", "lat_p99_us")
    lines.append("- p99 latency at moderate load no worse than Node.js: "
                 + (f"libsio {fmt_number(sio_p99, 'µs')}, Node.js {fmt_number(node_p99, 'µs')}: "
                    f"**{'met' if node_p99 is None or sio_p99 <= node_p99 else 'missed'}**"
                    if sio_p99 is not None else
                    f"not measured (Node.js {fmt_number(node_p99, 'µs')})"))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--status", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--fd-limit", default="?")
    args = ap.parse_args()
    results = read_results(args.results)
    status = read_status(args.status)
    titles = scenario_titles()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    out = ["# Benchmarks", "",
           "Written by `bench/run.sh` from one run; do not edit by hand. **The figures are "
           "provisional**: the machine has 2 cores, shared by the server under test, the load "
           "generator and, while this run was taken, other engineers' builds and tests.", "",
           f"- Date: {now}",
           f"- Command: `{args.command.strip()}` (from the repository root)"]
    out += machine_lines(args.fd_limit)
    out += version_lines()
    skipped = sorted({(s, v) for (s, sid), v in status.items() if sid == "*"})
    for s, v in skipped:
        out.append(f"- **{SERVER_NAMES.get(s, s)}: {v}**; its columns are empty")
    out += ["", "Ratios in parentheses are to the Node.js server. The generator and the "
            "server share the 2 cores, so the bare ceiling is the most this machine can show "
            "with this generator, and bare + hand-off the most a server with libsio's two "
            "threads can show (libsio's distance to it is the Socket.IO layer's cost); "
            "broadcast figures are capped by the generator reading deliveries, not by the "
            "servers' fan-out.", "", "## Summary", ""]
    out += summary_table(results, status, titles)
    out += ["", "## Targets (issue 7)", ""]
    out += target_lines(results)
    out += ["", "## Scenarios", ""]
    for sid, title in titles.items():
        out += detail_table(results, status, sid, title)
    out += ["## How the figures are taken", "",
            "- Every client speaks Engine.IO v4 + Socket.IO v5 itself (WebSocket with masked "
            "frames, or long-polling with a pending GET and POSTs on a second connection), "
            "answers pings and joins `/`.",
            "- Echo/ack: each client keeps the stated number of events in flight and sends the "
            "next one when a reply comes; messages/s counts replies. Latency is send to reply.",
            "- Broadcast: client 0 emits `bcast` with the stated number of broadcasts in flight "
            "(one is done when every client has it); deliveries/s counts receipts on all clients.",
            "- Connection ramp: connections/s from the first connect to the last `40` reply.",
            "- Idle: server RSS (`VmRSS` of /proc/PID/status) before connecting and 2 s after the "
            "last client joined, divided by the clients; peak RSS is `VmHWM`.",
            "- max-conns asks for 50,000 clients unless the descriptor limit is lower (the server "
            "needs one per client too); connections are spread over source addresses "
            "127.0.0.1.. to stay under the ~28k ephemeral ports of one address.",
            "- Raw results of the run (one JSON line per server and scenario) are under "
            "`build-bench/results/`.", ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
