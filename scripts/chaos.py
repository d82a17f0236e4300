#!/usr/bin/env python3
"""Chaos run: kill -9 the gateway many times under QoS 1 load, then compare the merged
rollups with the simulator's ledger and print kills, readings, lost and double-counted.

Starts its own Mosquitto on a free loopback port, a gateway (release build) and the simulator
with a ledger (timestamped shapes, some faults); kills the gateway with SIGKILL at random
intervals and restarts it at once; when the simulator is done, stops the gateway cleanly and
counts, per (series, 10 s window), readings in the rollups against readings in the ledger.
Exit status 0 only when lost = 0 and double-counted = 0.

With --no-seq the devices send no seq. Two simulators share the 60 devices and the message
count: devices 0-29 send plain, ts and array payloads, devices 30-59 only ts and array, and also
repeat their previous message byte for byte (--fault-duplicate: duplicate_payload). The gateway
syncs the ring before each PUBACK (rollup_log.fsync always), so kills leave messages it already has
unacknowledged and the broker redelivers them. A plain reading gets the receive time (so after a
restart the backlog's plain readings run seconds ahead of their device's timestamped ones:
allowed_lateness is 2m), hence the check is per series (park, site, device, metric), the 10 s
rollup counts of all windows against the ledgers: lost = sum of max(0, expected - counted),
extra = sum of max(0, counted - expected). Plain messages redelivered after a kill are counted
again and reported as redelivered_readings in status.json (read after the final clean stop).
Exit status 0 only when lost = 0 and extra = redelivered_readings.

Usage: scripts/chaos.py [--kills 25] [--messages 40000] [--rate 1500] [--seed 1] [--no-seq]
"""
import argparse
import collections
import datetime
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"chaos: timed out waiting for {what}")


def status(data):
    try:
        with open(os.path.join(data, "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def millis(iso):
    return int(round(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--messages", type=int, default=40_000)
    parser.add_argument("--rate", type=int, default=1_500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-seq", action="store_true",
                        help="devices send no seq; compare per-series totals, extra must equal redelivered_readings")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="gateway-chaos-")
    data = os.path.join(work, "data")
    port = free_port()
    with open(os.path.join(work, "mosquitto.conf"), "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "max_queued_messages 1000000\nmax_inflight_messages 100\nlog_dest none\n")
    config = os.path.join(work, "gateway.yaml")
    storage = f"storage:\n  data_directory: {data}\n"
    if args.no_seq:
        # fsync always: the ring's msync comes before the PUBACKs, so a kill often falls between
        # them and the broker redelivers messages the gateway already has. allowed_lateness 2m:
        # after a restart the backlog's plain readings get a receive time seconds after the
        # timestamped readings published with them, which must not be too_late (the late fault
        # is 10 minutes).
        storage += "  rollup_log:\n    fsync: always\nrollup:\n  allowed_lateness: 2m\n"
    with open(config, "w") as f:
        f.write(f"mqtt:\n  port: {port}\n  client_id: chaos-{os.getpid()}\n  topics: ['iiot/#']\n"
                f"ingest:\n  catalogue: {os.path.join(ROOT, 'config', 'metrics.yaml')}\n"
                + storage + "logging:\n  status_interval: 0s\n")
    broker = subprocess.Popen(["mosquitto", "-c", os.path.join(work, "mosquitto.conf")])
    wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10, "the broker")
    log = open(os.path.join(work, "gateway.log"), "a")

    def start_gateway():
        process = subprocess.Popen([os.path.join(bin_dir, "gateway"), "run", "--config", config], stdout=log, stderr=log)
        wait_for(lambda: status(data).get("broker_connected") is True and not status(data).get("stopped"), 30,
                 "the gateway to connect")
        return process

    gateway = start_gateway()
    if args.no_seq:
        # Plain payloads cannot be repeated without seq (the gateway would take them for new
        # readings), so the duplicates come from a second simulator with timestamped shapes only.
        common = [os.path.join(bin_dir, "sensors-sim"), "--port", str(port), "--seed", str(args.seed), "--no-seq",
                  "--devices", "30", "--rate", str(args.rate / 2), "--drain-timeout", "60s",
                  "--fault-malformed", "1", "--fault-late", "1"]
        half = args.messages // 2
        runs = [(["--count", str(half), "--shapes", "plain,ts,array"], "ledger-plain.jsonl"),
                (["--count", str(args.messages - half), "--first-device", "30", "--shapes", "ts,array",
                  "--fault-duplicate", "1"], "ledger-timestamped.jsonl")]
        ledger_paths = [os.path.join(work, name) for _, name in runs]
        sims = [subprocess.Popen(common + extra + ["--ledger", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for (extra, _), path in zip(runs, ledger_paths)]
    else:
        ledger_paths = [os.path.join(work, "ledger.jsonl")]
        sims = [subprocess.Popen([os.path.join(bin_dir, "sensors-sim"), "--port", str(port), "--seed", str(args.seed),
                                  "--devices", "60", "--rate", str(args.rate), "--count", str(args.messages),
                                  "--shapes", "ts,array", "--ledger", ledger_paths[0], "--drain-timeout", "60s",
                                  "--fault-malformed", "1", "--fault-duplicate", "1", "--fault-late", "1"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    kills = 0
    try:
        while kills < args.kills and any(sim.poll() is None for sim in sims):
            time.sleep(rng.uniform(0.2, 1.2))
            gateway.send_signal(signal.SIGKILL)
            gateway.wait()
            kills += 1
            os.remove(os.path.join(data, "status.json"))
            gateway = start_gateway()
        if any(sim.wait(timeout=300) != 0 for sim in sims):
            raise SystemExit("chaos: simulator failed")
        # Key: series and 10 s window, or with --no-seq the series alone (plain readings have no ts).
        expected = collections.Counter()
        duplicates_sent = 0
        for ledger_path in ledger_paths:
            with open(ledger_path) as f:
                for line in f:
                    message = json.loads(line)
                    duplicates_sent += message["fault"] == "duplicate_payload"
                    if message["fault"]:
                        continue
                    for reading in message["readings"]:
                        if reading["fault"] is None:
                            series = (message["park"], message["site"], message["device"], reading["metric"])
                            ts = reading["ts"]
                            expected[series if args.no_seq else series + (ts - ts % 10_000,)] += 1
        total = sum(expected.values())

        def unique_accepted():
            current = status(data)
            return current.get("readings_accepted", 0) - current.get("redelivered_readings", 0)
        wait_for(lambda: unique_accepted() >= total, 120, "the gateway to catch up")
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=120)
        final = status(data)
        counted = collections.Counter()
        rollups = os.path.join(data, "rollups")
        for name in os.listdir(rollups):
            with open(os.path.join(rollups, name)) as f:
                for line in f:
                    record = json.loads(line)
                    if record["tier"] == "10s" and record["count"] > 0:
                        series = (record["park"], record["site"], record["device"], record["metric"])
                        counted[series if args.no_seq else series + (millis(record["start"]),)] += record["count"]
    finally:
        if gateway.poll() is None:
            gateway.kill()
        for sim in sims:
            if sim.poll() is None:
                sim.kill()
        broker.kill()
        log.close()
    lost = sum(max(0, n - counted[key]) for key, n in expected.items())
    doubled = sum(max(0, n - expected[key]) for key, n in counted.items())
    if args.no_seq:
        redelivered = final.get("redelivered_readings")
        print(f"chaos --no-seq: kills {kills}, messages {args.messages}, readings {total}, "
              f"counted {sum(counted.values())}, lost {lost}, extra {doubled}, redelivered_readings {redelivered}, "
              f"duplicate_payload quarantined {final.get('quarantined', {}).get('duplicate_payload')} "
              f"(sent {duplicates_sent}) (work dir {work})")
        sys.exit(0 if lost == 0 and doubled == redelivered and kills > 0 else 1)
    print(f"chaos: kills {kills}, messages {args.messages}, readings {total}, counted {sum(counted.values())}, "
          f"lost {lost}, double-counted {doubled} (work dir {work})")
    sys.exit(0 if lost == 0 and doubled == 0 and kills > 0 else 1)


if __name__ == "__main__":
    main()
