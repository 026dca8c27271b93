#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns the "XTCP_BENCH NAME PROTO METRIC VALUE" lines of a `make bench` guest log into
medians per (workload, metric, protocol), XTCP/TCP ratios against the XTCP-F targets, a
human table (stdout), results.csv, results.json, raw.csv and ratios.png (gnuplot).

Usage: scripts/bench-report.py GUEST_LOG OUTDIR
"""
import csv
import json
import os
import re
import statistics
import subprocess
import sys

# metric -> (unit, higher_is_better, target XTCP/TCP ratio, shown in the chart)
METRICS = {
    "mbps": ("Mbit/s", True, 1.0, True),
    "tps": ("trans/s", True, 1.0, True),
    "p50_us": ("us", False, None, False),
    "p99_us": ("us", False, 1.0, True),
    "p999_us": ("us", False, None, False),
    "cps": ("conn/s", True, 1.0, True),
    "established": ("conns", True, 1.0, False),
    "setup_cps": ("conn/s", True, None, False),
    "slab_per_conn": ("B/conn", False, 1.0, True),
    "memfree_per_conn": ("B/conn", False, None, False),
    "retrans": ("segs", False, None, False),
    "retr": ("segs", False, None, False),
    "softnet_drops": ("pkts", False, None, False),
    "cwnd": ("segs", True, None, False),
    "sndbuf_kb": ("KiB", True, None, False),
    "rcvbuf_kb": ("KiB", True, None, False),
    "error": ("rc", False, None, False),
}
LOSS_TARGET = 0.9  # goodput under 1 % loss + 10 ms RTT


def target_for(name, metric):
    unit, higher, target, chart = METRICS.get(metric, ("", True, None, False))
    if name.startswith("loss-") and metric in ("mbps", "tps", "cps"):
        target = LOSS_TARGET
    if name.startswith("loss-") and metric == "p99_us":
        target = None
    if name.startswith("iperf3"):
        target = None if metric == "retr" else target
    return unit, higher, target, chart


def main():
    log, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    samples, info, order = {}, {}, []
    pat = re.compile(r"XTCP_BENCH (\S+) (tcp|xtcp) (\S+) (\S+)\s*$")
    with open(log, errors="replace") as f:
        for line in f:
            line = line.replace("\r", "").rstrip("\n")
            m = re.search(r"XTCP_BENCH_INFO (\S+) (.*)$", line)
            if m:
                info[m.group(1)] = m.group(2).strip()
                continue
            m = pat.search(line)
            if not m:
                continue
            name, proto, metric, val = m.groups()
            try:
                v = float(val)
            except ValueError:
                continue
            key = (name, metric)
            if key not in samples:
                samples[key] = {"tcp": [], "xtcp": []}
                order.append(key)
            samples[key][proto].append(v)

    with open(os.path.join(outdir, "raw.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["workload", "metric", "proto", "run", "value"])
        for (name, metric) in order:
            for proto in ("tcp", "xtcp"):
                for i, v in enumerate(samples[(name, metric)][proto]):
                    w.writerow([name, metric, proto, i + 1, v])

    rows = []
    for (name, metric) in order:
        s = samples[(name, metric)]
        unit, higher, target, chart = target_for(name, metric)
        if metric == "error":
            # a failed run: report how many runs failed per protocol
            rows.append(dict(workload=name, metric="failed_runs", unit="runs",
                             tcp=len(s["tcp"]), xtcp=len(s["xtcp"]), ratio=None,
                             target=None, met=None, n_tcp=len(s["tcp"]),
                             n_xtcp=len(s["xtcp"]), better="lower", chart=False))
            continue
        med = {p: statistics.median(s[p]) if s[p] else None for p in ("tcp", "xtcp")}
        ratio = None
        if med["tcp"] and med["xtcp"] is not None:
            ratio = med["xtcp"] / med["tcp"]
        met = None
        if target is not None and ratio is not None:
            met = ratio >= target if higher else ratio <= target
        elif target is not None and med["xtcp"] is None:
            met = False
        rows.append(dict(workload=name, metric=metric, unit=unit, tcp=med["tcp"],
                         xtcp=med["xtcp"], ratio=ratio, target=target, met=met,
                         n_tcp=len(s["tcp"]), n_xtcp=len(s["xtcp"]),
                         better="higher" if higher else "lower", chart=chart))

    fields = ["workload", "metric", "unit", "better", "tcp", "xtcp", "ratio", "target",
              "met", "n_tcp", "n_xtcp"]
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in rows:
            w.writerow(["" if r[k] is None else
                        (f"{r[k]:.4g}" if isinstance(r[k], float) else r[k]) for k in fields])
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"machine": info, "results": [{k: r[k] for k in fields} for r in rows]},
                  f, indent=1)

    def fmt(v):
        if v is None:
            return "-"
        if isinstance(v, bool):
            return "yes" if v else "NO"
        if isinstance(v, int):
            return str(v)
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:.0f}"

    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    hdr = f"{'workload':<20} {'metric':<17} {'TCP':>10} {'XTCP':>10} {'XTCP/TCP':>9} " \
          f"{'target':>8} {'met':>4}  unit"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        tgt = "-" if r["target"] is None else \
            ("≥" if r["better"] == "higher" else "≤") + f"{r['target']:g}"
        print(f"{r['workload']:<20} {r['metric']:<17} {fmt(r['tcp']):>10} "
              f"{fmt(r['xtcp']):>10} {fmt(r['ratio']):>9} {tgt:>8} {fmt(r['met']):>4}  "
              f"{r['unit']}")

    # chart: one bar per headline ratio, log scale, target lines at 1.0 and 0.9
    dat = os.path.join(outdir, "ratios.dat")
    with open(dat, "w") as f:
        for r in rows:
            if r["chart"] and r["ratio"] and r["target"] is not None:
                f.write(f"\"{r['workload']} {r['metric']}\" {r['ratio']:.5g} "
                        f"{1 if r['met'] else 0}\n")
    png = os.path.join(outdir, "ratios.png")
    gp = f"""
set terminal pngcairo size 1400,700 font ",10"
set output "{png}"
set title "XTCP / TCP (median of {info.get('reps', '?')} interleaved runs, {info.get('cpus', '?')}-vCPU QEMU TCG, kernel {info.get('kernel', '?')})"
set style fill solid 0.8
set boxwidth 0.7
set logscale y
set yrange [0.05:5]
set ylabel "ratio (throughput: higher is better; p99 latency, memory: lower is better)"
set xtics rotate by -50 noenhanced
set bmargin 11
set grid ytics
set key top left
plot "{dat}" using 0:2:($3 > 0 ? 0x2ca02c : 0xd62728):xtic(1) with boxes lc rgb variable notitle, \\
     1 with lines lw 2 lc rgb "black" title "target 1.0", \\
     0.9 with lines dt 2 lc rgb "gray40" title "0.9 (goodput under loss)"
"""
    try:
        subprocess.run(["gnuplot"], input=gp, text=True, check=True)
        print(f"chart: {png}")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"!! gnuplot failed: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
