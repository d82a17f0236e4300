#!/usr/bin/env python3
"""Measures API query latency against a running `gateway serve` (or `gateway run`).

Usage: query-latency.py --url http://127.0.0.1:8080 [--runs 50]

Runs the issue's three query shapes over the synthetic park of make-rollup-log.py (start
2026-12-01T00:00Z) and prints p50 and p99 wall time of each, measured by this client:
  one series, a day at 1m; one site grouped, the whole range at 1h; all devices, last value.
"""
import argparse
import statistics
import time
import urllib.request

QUERIES = {
    "one series, 1 day at 1m": "/api/v1/query?device=dev-00001&metric=metric_1&step=1m"
    "&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&agg=mean,max",
    "one site grouped, all at 1h": "/api/v1/query?site=f01&group_by=site&step=1h"
    "&from=2026-11-24T00:00:00Z&to=2026-12-08T00:00:00Z&agg=mean,max",
    "all devices, last value": "/api/v1/series",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    for name, path in QUERIES.items():
        times = []
        size = 0
        for _ in range(args.runs):
            began = time.perf_counter()
            with urllib.request.urlopen(args.url + path, timeout=60) as response:
                size = len(response.read())
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{name:32s} p50 {statistics.median(times):8.1f} ms  p99 {p99:8.1f} ms  ({size} bytes, {args.runs} runs)")


if __name__ == "__main__":
    main()
