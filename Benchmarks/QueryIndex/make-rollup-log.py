#!/usr/bin/env python3
"""Writes a synthetic rollup log shaped like a park, for measuring the query index.

Usage: make-rollup-log.py DATA_DIR --series N --hours H [--tier-seconds 60]

DATA_DIR/rollups/ receives one gauge rollup line per series and window of the tier (every
field of docs/formats.md), series spread over 4 parks x 5 sites x devices of 10 metrics, and
one line per series and hour for the 1h tier. Then `gateway reindex --data-dir DATA_DIR`
measures index writes, and `query-latency.py` queries. Values are deterministic.
"""
import argparse
import datetime
import os


def stamp(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--hours", type=int, default=6)
    parser.add_argument("--tier-seconds", type=int, default=60)
    parser.add_argument("--start", default="2026-12-01T00:00:00Z")
    args = parser.parse_args()
    start = int(datetime.datetime.fromisoformat(args.start.replace("Z", "+00:00")).timestamp() * 1000)
    tier = args.tier_seconds * 1000
    os.makedirs(os.path.join(args.data_dir, "rollups"), exist_ok=True)
    names = []
    for index in range(args.series):
        device, metric = divmod(index, 10)
        names.append((f"park-{device % 4}", f"f{device % 5:02d}", f"dev-{device:05d}", f"metric_{metric}"))
    lines = 0
    with open(os.path.join(args.data_dir, "rollups", "rollups.jsonl"), "w") as out:
        for window in range(args.hours * 3_600_000 // tier):
            begin = start + window * tier
            for number, (park, site, device, metric) in enumerate(names):
                count = 6
                base = (number * 7 + window) % 100
                values = [base + i * 0.5 for i in range(count)]
                mean = sum(values) / count
                m2 = sum((v - mean) ** 2 for v in values)
                out.write(
                    f'{{"tier":"{args.tier_seconds}s","start":"{stamp(begin)}","end":"{stamp(begin + tier)}",'
                    f'"park":"{park}","site":"{site}","device":"{device}","metric":"{metric}","kind":"gauge",'
                    f'"unit":"u","count":{count},"sum":{sum(values)},"min":{min(values)},"max":{max(values)},'
                    f'"mean":{mean},"m2":{m2},"first":{{"ts":"{stamp(begin + 1)}","v":{values[0]}}},'
                    f'"last":{{"ts":"{stamp(begin + tier - 1)}","v":{values[-1]}}},"complete":true}}\n')
                lines += 1
            if (begin + tier) % 3_600_000 == 0:
                hour = begin + tier - 3_600_000
                for park, site, device, metric in names:
                    out.write(
                        f'{{"tier":"1h","start":"{stamp(hour)}","end":"{stamp(hour + 3_600_000)}","park":"{park}",'
                        f'"site":"{site}","device":"{device}","metric":"{metric}","kind":"gauge","unit":"u",'
                        f'"count":360,"sum":18000.0,"min":1.0,"max":99.0,"mean":50.0,"m2":1000.0,"first":null,'
                        f'"last":{{"ts":"{stamp(hour + 3_599_999)}","v":50.0}},"complete":true}}\n')
                    lines += 1
    print(f"{lines} rollup lines for {args.series} series over {args.hours} h in {args.data_dir}/rollups")


if __name__ == "__main__":
    main()
