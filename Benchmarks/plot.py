"""Draws the results of `event-broker bench broker --json` as one PNG.

    python plot.py REPORT.json OUT.png

Left: delivered events per second per shape (consumers x fan-out), one bar per payload, with
the pipelined ceiling of each payload as a dashed line and the peers' drained jobs per second
as bars of their own when the report has them. Right: latency at the fixed rate, p50 and p99, per shape.
Run by `event-broker bench broker --plot`, with the Python environment of Benchmarks/peers.
"""
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(report_path, out_path):
    with open(report_path) as f:
        data = json.load(f)
    report, medians = data["report"], data["medians"]
    shapes = [s["shape"] for s in report["shapes"]]
    payloads = sorted({s["payloadBytes"] for s in shapes})
    labels = sorted({(s["consumers"], s["fanOut"]) for s in shapes}, key=lambda k: (k[1], k[0]))
    by_shape = {(s["consumers"], s["fanOut"], s["payloadBytes"]): m for s, m in zip(shapes, medians)}

    fig, (throughput, latency) = plt.subplots(1, 2, figsize=(14, 5.5))
    width = 0.8 / len(payloads)
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    for i, payload in enumerate(payloads):
        xs = [j + i * width for j in range(len(labels))]
        ys = [by_shape.get((c, f, payload), {}).get("deliveredPerSecond", 0) for c, f in labels]
        throughput.bar(xs, ys, width, label=f"delivered/s, {payload} B", color=colors[i % len(colors)])
        ceilings = [c["eventsPerSecond"] for c in report.get("ceilings", [])
                    if c["payloadBytes"] == payload and c["load"]["pipeline"] > 1]
        if ceilings:
            throughput.axhline(statistics.median(ceilings), linestyle="--", color=colors[i % len(colors)],
                               label=f"ceiling, pipelined scripts, {payload} B")
    peer_names = [peer["peer"] for peer in (report.get("peers") or [{"peers": []}])[0]["peers"]]
    for i, payload in enumerate(payloads):
        drained = {peer["peer"]: peer["median"]["drainedPerSecond"]
                   for peers in report.get("peers", []) if peers["payloadBytes"] == payload for peer in peers["peers"]}
        xs = [len(labels) + j + i * width for j in range(len(peer_names))]
        throughput.bar(xs, [drained.get(name, 0) for name in peer_names], width, color=colors[i % len(colors)],
                       hatch="//", alpha=0.5, label=f"peers drained/s, {payload} B" if peer_names else None)
    ticks = labels + peer_names
    throughput.set_xticks([j + width * (len(payloads) - 1) / 2 for j in range(len(ticks))])
    throughput.set_xticklabels([f"{c} × {f}" for c, f in labels] + peer_names)
    throughput.set_xlabel("ours: consumer instances per service × services (fan-out); then the peers (4 consumers)")
    throughput.set_ylabel("events per second")
    throughput.set_title(f"At saturation ({report['events']:,} events, {report['codec']})")
    throughput.legend(fontsize=7, loc="upper left")

    for i, payload in enumerate(payloads):
        xs = [j + i * width for j in range(len(labels))]
        p50 = [by_shape.get((c, f, payload), {}).get("fixedRateLatency", {}).get("p50", 0) for c, f in labels]
        p99 = [by_shape.get((c, f, payload), {}).get("fixedRateLatency", {}).get("p99", 0) for c, f in labels]
        latency.bar(xs, p99, width, color=colors[i % len(colors)], alpha=0.35, label=f"p99, {payload} B")
        latency.bar(xs, p50, width, color=colors[i % len(colors)], label=f"p50, {payload} B")
    latency.set_xticks([j + width * (len(payloads) - 1) / 2 for j in range(len(labels))])
    latency.set_xticklabels([f"{c} × {f}" for c, f in labels])
    latency.set_xlabel("consumer instances per service × services (fan-out)")
    latency.set_ylabel("milliseconds, publish call → handler start")
    latency.set_title(f"At {report['rate']:,} events per second")
    latency.legend(fontsize=7, loc="upper left")

    fig.tight_layout()
    fig.savefig(out_path, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py REPORT.json OUT.png")
    main(sys.argv[1], sys.argv[2])
