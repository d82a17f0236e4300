#!/usr/bin/env python3
"""Device churn soak: does the gateway's cost follow the devices that are live, or every device
it has ever seen?

Runs a fresh Mosquitto on a free loopback port and `gateway run` beside it, then publishes
`--populations` populations of devices one after another, each for `--period` seconds at
`--rate` messages/s (QoS `--qos`, `--readings` readings per message). With churn (the default)
each population is a new set of devices (the simulator's `--first-device` moves on), as when
machines are swapped or sensors re-flashed with new ids; with `--no-churn` one simulator
publishes the same devices for the whole time (so their `seq` numbering runs on), the run to
compare against. The gateway retires devices silent for
`--retire-after` (its `ingest.retire_after`); tiers are `10s` and `1m` and the state horizon
`--state-horizon` (its `rollup.state_horizon`), so that a silent device has nothing left to
write soon after it stops: a machine's state is credited up to the horizon after its last
reading, and the device cannot be retired before that.

Every `--interval` seconds it prints: the gateway's RSS, series live (in memory) and ever seen
(live + retired), devices retired, the pipeline thread's CPU per reading over the interval, the
checkpoint's size and the gateway's own close delay p99 (`close_delay_ms`, since start). At the
end, one summary line, and the accounting: messages published = processed.

With `--align` the first population starts at a whole minute: with a period of whole minutes,
each population then stops as a `1m` window ends, and the one before it has nothing left to
write (and retires) seconds later instead of up to a minute later.

Usage: scripts/soak.py [--populations 10] [--period 120] [--series 20000] [--rate 15000]
                       [--qos 1] [--readings 5] [--retire-after 60s] [--state-horizon 30s]
                       [--interval 10] [--align]
                       [--no-churn] [--bin-dir DIR]
Binaries: --bin-dir DIR, else `swift build -c release`'s bin path (built if missing).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadtest  # noqa: E402  (free ports, the broker, /proc readers, devices per series, binaries)


def status_of(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--populations", type=int, default=10)
    parser.add_argument("--period", type=float, default=120, help="seconds each population publishes")
    parser.add_argument("--series", type=int, default=20_000, help="series per population (devices x metrics)")
    parser.add_argument("--rate", type=float, default=15_000, help="messages per second")
    parser.add_argument("--qos", type=int, default=1)
    parser.add_argument("--readings", type=int, default=5, help="readings per message")
    parser.add_argument("--retire-after", default="60s", help="the gateway's ingest.retire_after")
    parser.add_argument("--state-horizon", default="30s", help="the gateway's rollup.state_horizon")
    parser.add_argument("--interval", type=float, default=10, help="seconds between printed samples")
    parser.add_argument("--no-churn", action="store_true", help="every population is the same devices")
    parser.add_argument("--align", action="store_true",
                        help="start at a whole minute, so that with a period of whole minutes each population stops "
                             "at the end of a 1m window and the one before it can retire soon after")
    parser.add_argument("--bin-dir")
    parser.add_argument("--publisher-nice", type=int, default=10)
    args = parser.parse_args()
    bin_dir = loadtest.binaries(args)
    devices = loadtest.devices_for(args.series)

    with tempfile.TemporaryDirectory(prefix="gateway-soak-") as workdir:
        port = loadtest.free_port()
        broker = loadtest.start_broker(workdir, port)
        data = os.path.join(workdir, "data")
        config = os.path.join(workdir, "gateway.yaml")
        with open(config, "w") as f:
            f.write(f"mqtt:\n  port: {port}\n  client_id: soak-{os.getpid()}\n  qos: {args.qos}\n  topics: ['iiot/#']\n"
                    f"ingest:\n  catalogue: {os.path.join(loadtest.ROOT, 'config', 'metrics.yaml')}\n"
                    f"  retire_after: {args.retire_after}\n"
                    f"rollup:\n  tiers: [10s, 1m]\n  state_horizon: {args.state_horizon}\n"
                    f"storage:\n  data_directory: {data}\n"
                    "query:\n  index: false\nhttp:\n  enabled: false\nlogging:\n  status_interval: 0s\n")
        log_path = os.path.join(workdir, "gateway.log")
        log = open(log_path, "w")
        gateway = subprocess.Popen([os.path.join(bin_dir, "gateway"), "run", "--config", config], stdout=log, stderr=log)
        status_path = os.path.join(data, "status.json")
        published = 0
        try:
            deadline = time.time() + 30
            while not (os.path.exists(status_path) and "subscribed" in open(log_path).read()):
                if time.time() > deadline or gateway.poll() is not None:
                    raise SystemExit("soak: gateway did not start; see " + log_path)
                time.sleep(0.05)
            print(f"soak: {args.populations} populations of {devices} devices ({loadtest.series_of(devices)} series) "
                  f"for {args.period:g} s each, {'the same devices each time' if args.no_churn else 'new devices each time'}; "
                  f"{args.rate:g} msg/s, QoS {args.qos}, {args.readings} readings/message; retire_after "
                  f"{args.retire_after}, state_horizon {args.state_horizon}; binaries {bin_dir}", flush=True)
            print(f"{'t s':>5} {'pop':>3}  {'RSS MB':>6}  {'series live':>11}  {'ever seen':>9}  {'dev retired':>11}  "
                  f"{'µs CPU/reading':>14}  {'checkpoint KB':>13}  {'close p99 ms':>12}", flush=True)
            if args.align:
                time.sleep(60 - time.time() % 60)
            began = time.time()
            last = {"t": began, "cpu": loadtest.thread_cpu(gateway.pid).get("pipeline", 0.0), "readings": 0}
            samples = []
            runs = 1 if args.no_churn else args.populations
            for population in range(runs):
                first = population * devices
                # Each population ends on its period's boundary (the simulator's start-up is not
                # added to every period), so that with --align they stop as a 1m window ends.
                end = began + args.period * (args.populations if args.no_churn else population + 1)
                duration = max(1.0, end - time.time())
                sim_log = os.path.join(workdir, f"sim-{population}.log")
                lower = (lambda: os.nice(args.publisher_nice)) if args.publisher_nice else None
                with open(sim_log, "w") as out:
                    sim = subprocess.Popen(
                        [os.path.join(bin_dir, "sensors-sim"), "--port", str(port), "--qos", str(args.qos),
                         "--devices", str(devices), "--first-device", str(first), "--seed", "1",
                         "--rate", str(args.rate), "--duration", f"{duration:.3f}s", "--shapes", "batch",
                         "--readings-per-message", str(args.readings)],
                        stdout=subprocess.DEVNULL, stderr=out, preexec_fn=lower)
                while sim.poll() is None:
                    time.sleep(min(args.interval, 1.0))
                    if time.time() - last["t"] >= args.interval:
                        current = int((time.time() - began) // args.period)
                        samples.append(sample(gateway, status_path, data, last, began, min(current, args.populations - 1)))
                if sim.returncode != 0:
                    raise SystemExit(f"soak: simulator failed, see {sim_log}:\n{open(sim_log).read()}")
                summary = next(line for line in open(sim_log).read().splitlines()
                               if line.startswith("sensors-sim: ") and "messages," in line)
                published += int(summary.split()[1])
            deadline = time.time() + 120
            while (status_of(status_path) or {}).get("messages", 0) < published and time.time() < deadline:
                time.sleep(0.25)
            samples.append(sample(gateway, status_path, data, last, began, args.populations - 1))
            final = status_of(status_path) or {}
            steady = [s for s in samples[len(samples) // 2:] if s["cpu_per_reading"] is not None]
            cpu = sorted(s["cpu_per_reading"] for s in steady)
            print(f"soak summary: RSS now {samples[-1]['rss']:.0f} MB, peak {max(s['rss'] for s in samples):.0f} MB; "
                  f"pipeline CPU per reading, median of the second half's intervals "
                  f"{cpu[len(cpu) // 2] if cpu else float('nan'):.2f} µs; close p99 {final.get('close_delay_ms', {}).get('p99')} ms; "
                  f"series live {final.get('series')}, retired {final.get('series_retired')}; checkpoint "
                  f"{samples[-1]['checkpoint_kb']:.0f} KB; messages published {published}, processed {final.get('messages')}",
                  flush=True)
            if final.get("messages") != published:
                raise SystemExit("soak: the gateway did not process every published message")
        finally:
            loadtest.stop(gateway)
            loadtest.stop(broker, signal.SIGKILL)
            log.close()
            if os.environ.get("SOAK_KEEP"):
                shutil.copytree(workdir, os.environ["SOAK_KEEP"], dirs_exist_ok=True)


def sample(gateway, status_path, data, last, began, population):
    now = time.time()
    status = status_of(status_path) or {}
    cpu = loadtest.thread_cpu(gateway.pid).get("pipeline", 0.0)
    readings = status.get("readings_accepted", 0)
    per_reading = (cpu - last["cpu"]) / (readings - last["readings"]) * 1e6 if readings > last["readings"] else None
    last.update(t=now, cpu=cpu, readings=readings)
    try:
        checkpoint_kb = os.path.getsize(os.path.join(data, "checkpoint")) / 1024
    except OSError:
        checkpoint_kb = 0.0
    row = {"rss": rss_mb(gateway.pid), "cpu_per_reading": per_reading, "checkpoint_kb": checkpoint_kb}
    live, retired = status.get("series", 0), status.get("series_retired", 0)
    print(f"{now - began:>5.0f} {population + 1:>3}  {row['rss']:>6.0f}  {live:>11}  {live + retired:>9}  "
          f"{status.get('devices_retired', 0):>11}  {per_reading if per_reading is not None else float('nan'):>14.2f}  "
          f"{checkpoint_kb:>13.0f}  {status.get('close_delay_ms', {}).get('p99')!s:>12}", flush=True)
    return row


if __name__ == "__main__":
    main()
