#!/usr/bin/env python3
"""Broker-bound load test: how many messages/s and readings/s `gateway run` sustains next to what
`mosquitto_sub` drains from the same local broker under the same publisher load.

For every configuration of the matrix (QoS × readings per message; by default QoS 0 and 1 ×
1 and 20 readings, 10,000 series) and every run it starts a fresh Mosquitto on a free loopback
port (settings that never drop) twice: once with `mosquitto_sub` (output to /dev/null) as the
only subscriber, once with `gateway run` (validation, aggregation, rollup writing, checkpoints
on), and each time runs the simulator at full speed for the same number of seconds with the
same options. One reading per message uses the `ts` shape; more use the `batch` shape (several
samples of the device's metrics, exactly N readings). The series are devices × metrics per
device, all of them reached in every configuration. `--format line` (or `json,line`) runs the
matrix in InfluxDB line protocol too: the simulator's `--format line` (one line per sample, on
the site's topic, the device in a tag), read by a `line` subscription of the gateway.
`--format sparkplug` runs it in Sparkplug B: the simulator's `--format sparkplug` (each site an
edge node, DDATA by alias, births first and deaths at the end, which count as messages on both
sides), read by a `sparkplug_b` subscription (the gateway as a Sparkplug host on `spBv1.0/#`);
with two publisher processes each runs edge nodes of its own (`--edge-node-suffix=-p0`, `-p1`),
as two processes sending as one edge node would interleave its seq.

`ratio` is gateway / mosquitto_sub per run (the two are paired: same load, back to back), as
the median across runs, and `min` the lowest run; the rate columns are medians of their own.
Rates are sustained rates between samples taken while messages flow, from the first sample
with traffic to the last before everything was received: for `mosquitto_sub` the bytes it has
read (/proc/PID/io, sampled every 10 ms, converted with the run's bytes per message), for the
gateway its status.json (messages and readings processed, rewritten 4 times a second). The
gateway's peak RSS is VmHWM; CPU is its user + system time from the first publish until it has
processed everything. Each run's line on stderr also gives the CPU seconds of the gateway's
MQTT network thread, of the subscriber, the broker and the publishers.
`close p50/p99` times each complete 10 s rollup line as it appears while the publishers run,
from the moment a reading could first move its device's watermark past the window's end
(window end + allowed lateness): the end-to-end delay, the broker's queue included.
`gw close p50/p99` is the gateway's own share, from its status.json (`close_delay_ms`, every
window of the run): from the receipt of the message that moved a device's watermark past a
window's end to the window's rollup line.
`drain gw/sub` is, within each run, the time from the publishers' exit to the last message
processed (the gateway, by status.json, to its 0.25 s) or received (`mosquitto_sub`, by its
bytes read); the largest of the runs. A subscriber that keeps pace with the broker drains in a
fraction of a second; one that falls behind has a backlog left when publishing stops, so this
shows within one run whether the gateway was the bottleneck, whatever slowed the publishers.

Publishers: `--publishers auto` (default) first measures, per configuration, `mosquitto_sub`'s
rate with one simulator process and with two (each with half of the devices): when two drain
more than 5 % faster, one process cannot saturate the broker and the runs use two.

The gateway runs as deployed: query index and HTTP API on (the API on a free loopback port).
`--index off` turns both off, for comparison. `--query-loop` also runs a client beside the
gateway while the publishers run, asking the HTTP API one request after another (a grouped
query of the whole park at `1m`, one device at `10s`, the device list, `/metrics`), or
`--query-rate` requests per second, and prints how many it answered, their latency p50/p99 and
any that failed: queries must not slow ingestion. The client runs at the publishers' nice value
and on the same cores, so it also slows the publishers of the gateway's run and lowers its
ratio without slowing ingestion; `drain` tells the two apart.

Usage: scripts/loadtest.py [--seconds S] [--qos 0,1] [--readings 1,20] [--format json,line,sparkplug] [--series N] [--runs N]
                           [--publishers auto|N] [--fsync POLICY] [--index on|off]
                           [--query-loop [--query-rate R]] [--bin-dir DIR]
Binaries: --bin-dir DIR (e.g. .build-release-load/release), else `swift build -c release`'s
bin path (built if missing).
"""
import argparse
import datetime
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Metrics per device kind (environment, machine, utility meter) and the simulator's layout:
# device i has kind (i + i // 6) % 3 (sensors-sim/README.md, "Fleet").
KIND_METRICS = (6, 6, 2)
LATENESS_SECONDS = 5.0
FORMATS = ("json", "line", "sparkplug")


def topic_filter(wire):
    """What a subscriber of the simulator's messages subscribes to in format `wire`."""
    return "spBv1.0/#" if wire == "sparkplug" else "iiot/#"


def series_of(devices):
    return sum(KIND_METRICS[(i + i // 6) % 3] for i in range(devices))


def devices_for(series):
    devices = 0
    total = 0
    while total < series:
        total += KIND_METRICS[(devices + devices // 6) % 3]
        devices += 1
    return devices


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"loadtest: broker did not listen on 127.0.0.1:{port}")


def start_broker(workdir, port):
    conf = os.path.join(workdir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "max_queued_messages 100000000\nmax_queued_bytes 0\nmax_inflight_messages 100\nlog_dest none\n")
    broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return broker


def stop(process, sig=signal.SIGTERM, timeout=60):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid, task=None):
    path = f"/proc/{pid}/task/{task}/stat" if task else f"/proc/{pid}/stat"
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """CPU seconds by thread name."""
    result = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                name = f.read().strip()
            result[name] = result.get(name, 0.0) + cpu_seconds(pid, task)
        except OSError:
            pass
    return result


def rchar(pid):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def sustained(samples, total):
    """Rate between the first sample with traffic and the last one before `total` was reached."""
    flowing = [s for s in samples if 0 < s[1] < total]
    if len(flowing) < 2:
        flowing = [s for s in samples if s[1] > 0]
    if len(flowing) < 2 or flowing[-1][0] <= flowing[0][0]:
        return 0.0
    (t0, v0), (t1, v1) = flowing[0][:2], flowing[-1][:2]
    return (v1 - v0) / (t1 - t0)


class Publishers:
    """`count` simulator processes at full speed for `seconds`, sharing out the devices."""

    def __init__(self, workdir, bin_dir, port, config, args, seed, count, seconds):
        self.logs = []
        self.processes = []
        self.cpu = 0.0
        share = math.ceil(config["devices"] / count)
        for k in range(count):
            first = k * share
            devices = min(share, config["devices"] - first)
            log = os.path.join(workdir, f"sim-{k}.log")
            self.logs.append(log)
            command = [os.path.join(bin_dir, "sensors-sim"), "--port", str(port), "--rate", "0",
                       "--duration", f"{seconds}s", "--qos", str(config["qos"]), "--devices", str(devices),
                       "--first-device", str(first), "--seed", str(seed), "--shapes", config["shape"],
                       "--readings-per-message", str(config["readings"]), "--format", config["format"]]
            if config["format"] == "sparkplug" and count > 1:
                command.append(f"--edge-node-suffix=-p{k}")
            lower = (lambda: os.nice(args.publisher_nice)) if args.publisher_nice else None
            with open(log, "w") as out:
                self.processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=out, preexec_fn=lower))

    def finished(self):
        """True once every process has exited; reaps them with wait4 to keep their CPU time."""
        for process in self.processes:
            if process.returncode is None:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid == 0:
                    return False
                process.returncode = os.waitstatus_to_exitcode(status)
                self.cpu += usage.ru_utime + usage.ru_stime
        return True

    def wait(self):
        deadline = time.time() + 600
        while not self.finished():
            if time.time() > deadline:
                raise SystemExit("loadtest: simulators did not finish")
            time.sleep(0.01)
        messages = readings = 0
        for process, log in zip(self.processes, self.logs):
            text = open(log).read()
            if process.returncode != 0:
                raise SystemExit(f"loadtest: simulator failed ({log}):\n{text}")
            summary = next(line for line in text.splitlines() if line.startswith("sensors-sim: ") and "messages," in line)
            words = summary.split()
            messages += int(words[1])
            readings += int(words[3])
        return messages, readings

    def kill(self):
        for process in self.processes:
            stop(process, signal.SIGKILL)


def run_mosquitto_sub(workdir, bin_dir, config, args, seed, publishers, seconds):
    port = free_port()
    broker = start_broker(workdir, port)
    sim = None
    try:
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", str(config["qos"]),
                                "-t", topic_filter(config["format"]), "-V", "mqttv311"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        base = rchar(sub.pid)
        samples = []
        sim = Publishers(workdir, bin_dir, port, config, args, seed, publishers, seconds)
        published = None
        quiet_since = None
        deadline = time.time() + seconds + 300
        while time.time() < deadline:
            now, value = time.time(), rchar(sub.pid) - base
            if samples and value == samples[-1][1]:
                quiet_since = quiet_since or now
            else:
                quiet_since = None
            samples.append((now, value))
            if published is None and sim.finished():
                published = sim.wait()
                publish_end = now
            if published is not None and quiet_since is not None and now - quiet_since > 1.0:
                break
            time.sleep(0.01)
        last_growth = next((t for (t, v), (_, before) in zip(reversed(samples), reversed(samples[:-1])) if v != before),
                           samples[-1][0])
        cpu = {"subscriber": cpu_seconds(sub.pid), "broker": cpu_seconds(broker.pid), "publishers": sim.cpu,
               "drain": max(0.0, last_growth - publish_end) if published else None}
        stop(sub)
    finally:
        if sim:
            sim.kill()
        stop(broker, signal.SIGKILL)
    total_bytes = samples[-1][1]
    if not published or total_bytes == 0:
        return 0.0, cpu
    return sustained(samples, total_bytes) / (total_bytes / published[0]), cpu


def seconds_of(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class CloseDelays(threading.Thread):
    """Timestamps each complete 10 s rollup line as it appears in rollups.jsonl while the
    publishers run: delay = seen - (window end + allowed lateness). Lines are not parsed as
    JSON (10,000 series close 10,000 lines at once; the parsing would compete for the CPU)."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.delays = path, []
        self.running, self.publishing = True, True
        self.ends = {}

    def run(self):
        offset, partial = 0, b""
        while self.running:
            try:
                with open(self.path, "rb") as f:
                    f.seek(offset)
                    chunk = f.read()
            except OSError:
                chunk = b""
            if chunk:
                seen = time.time()
                offset += len(chunk)
                lines = (partial + chunk).split(b"\n")
                partial = lines.pop()
                if self.publishing:
                    for line in lines:
                        if line.startswith(b'{"tier":"10s"') and line.endswith(b'"complete":true}'):
                            at = line.index(b'"end":"') + 7
                            end = line[at:at + 24]
                            if end not in self.ends:
                                self.ends[end] = seconds_of(end.decode())
                            self.delays.append((seen - self.ends[end] - LATENESS_SECONDS) * 1000)
            time.sleep(0.005)


class QueryLoop(threading.Thread):
    """A pilot's client beside the gateway: HTTP requests one after another, no pause, while the
    publishers run. Every request is timed; anything but a 200 is counted as failed. Like the
    publishers, it stands for a program on another machine, so its thread runs at their nice
    value: what is measured is the gateway's share of the work, not the client's."""

    def __init__(self, port, nice, rate):
        super().__init__(daemon=True)
        self.nice = nice
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.base = f"http://127.0.0.1:{port}"
        self.running = True
        self.latencies = []
        self.failed = []
        self.devices = []

    def get(self, path):
        began = time.monotonic()
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                body = response.read()
                self.latencies.append((time.monotonic() - began) * 1000)
                return body
        except (urllib.error.URLError, OSError) as error:
            self.failed.append(f"{path}: {error}")
            return None

    def run(self):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
        turn = 0
        next_at = time.monotonic()
        while self.running:
            if self.interval:
                next_at += self.interval
                time.sleep(max(0.0, next_at - time.monotonic()))
            kind = turn % 4
            turn += 1
            if kind == 0:
                self.get("/api/v1/query?" + urllib.parse.urlencode(
                    {"step": "1m", "from": "-10m", "group_by": "site", "agg": "count,mean,max"}))
            elif kind == 1 and self.devices:
                device = self.devices[turn % len(self.devices)]
                self.get("/api/v1/query?" + urllib.parse.urlencode(
                    {"device": device, "step": "10s", "from": "-5m", "agg": "count,mean,min,max,last"}))
            elif kind == 2:
                body = self.get("/api/v1/devices")
                if body:
                    self.devices = [d["device"] for d in json.loads(body).get("devices", [])]
            else:
                self.get("/metrics")


def run_gateway(workdir, bin_dir, config, args, seed, publishers, seconds):
    port = free_port()
    broker = start_broker(workdir, port)
    data = os.path.join(workdir, "gateway-data")
    shutil.rmtree(data, ignore_errors=True)
    gateway_config = os.path.join(workdir, "gateway.yaml")
    http_port = free_port()
    with open(gateway_config, "w") as f:
        f.write(f"mqtt:\n  port: {port}\n  client_id: loadtest-{os.getpid()}\n  qos: {config['qos']}\n"
                f"  topics: ['{topic_filter(config['format'])}']\n"
                f"ingest:\n  catalogue: {os.path.join(ROOT, 'config', 'metrics.yaml')}\n"
                + ("  subscriptions:\n"
                   "    - {format: json, topic: 'iiot/{park}/{site}/{device}/telemetry'}\n"
                   "    - {format: line, topic: 'iiot/{park}/{site}/line', device_tag: device, precision: ms}\n"
                   if config["format"] == "line" else "")
                + ("  subscriptions:\n    - {format: sparkplug_b}\n" if config["format"] == "sparkplug" else "") +
                f"storage:\n  data_directory: {data}\n"
                f"  rollup_log: {{fsync: {args.fsync}}}\n  quarantine_log: {{fsync: {args.fsync}}}\n"
                "logging:\n  status_interval: 0s\n")
        if args.index == "on":
            f.write(f"query:\n  index: true\nhttp:\n  enabled: true\n  listen: 127.0.0.1:{http_port}\n")
        else:
            f.write("query:\n  index: false\nhttp:\n  enabled: false\n")
    log_path = os.path.join(workdir, "gateway.log")
    log = open(log_path, "w")
    gateway = subprocess.Popen([os.path.join(bin_dir, "gateway"), "run", "--config", gateway_config],
                               stdout=log, stderr=log)
    status_path = os.path.join(data, "status.json")
    samples, peak_rss_kb, sim, delays, queries, drain = [], 0, None, None, None, None
    try:
        deadline = time.time() + 30
        while not (os.path.exists(status_path) and "subscribed" in open(log_path).read()):
            if time.time() > deadline or gateway.poll() is not None:
                raise SystemExit("loadtest: gateway did not start; see " + log_path)
            time.sleep(0.05)
        delays = CloseDelays(os.path.join(data, "rollups", "rollups.jsonl"))
        delays.start()
        cpu_before, threads_before = cpu_seconds(gateway.pid), thread_cpu(gateway.pid)
        started = time.time()
        sim = Publishers(workdir, bin_dir, port, config, args, seed, publishers, seconds)
        if args.query_loop:
            queries = QueryLoop(http_port, args.publisher_nice, args.query_rate)
            queries.start()
        published = None
        last_updated = None
        own_delays = {}
        deadline = time.time() + seconds + 600
        while time.time() < deadline:
            if published is None and sim.finished():
                published = sim.wait()
                publish_end = time.time()
                delays.publishing = False
                if queries:
                    queries.running = False
            try:
                with open(status_path) as f:
                    status = json.load(f)
            except (OSError, ValueError):
                time.sleep(0.02)
                continue
            if status["updated"] != last_updated:
                last_updated = status["updated"]
                samples.append((seconds_of(status["updated"]), status["messages"], status["readings_accepted"]))
                own_delays = status.get("close_delay_ms", {})
            if published is not None and status["messages"] >= published[0]:
                drain = max(0.0, seconds_of(status["updated"]) - publish_end)
                break
            time.sleep(0.02)
        finished = time.time()
        with open(f"/proc/{gateway.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak_rss_kb = int(line.split()[1])
        cpu = cpu_seconds(gateway.pid) - cpu_before
        threads = {name: value - threads_before.get(name, 0.0) for name, value in thread_cpu(gateway.pid).items()}
        broker_cpu = cpu_seconds(broker.pid)
    finally:
        if delays:
            delays.running = False
        if queries:
            queries.running = False
            queries.join(timeout=35)
        if sim:
            sim.kill()
        stop(gateway)
        stop(broker, signal.SIGKILL)
        log.close()
    if published is None:
        raise SystemExit("loadtest: publishers did not finish")
    total = published[0]
    received = samples[-1][1] if samples else 0
    message_rate = sustained([(t, m) for t, m, _ in samples], total)
    flowing = [s for s in samples if 0 < s[1] < total] or [s for s in samples if s[1] > 0]
    reading_rate = 0.0
    if len(flowing) >= 2 and flowing[-1][0] > flowing[0][0]:
        reading_rate = (flowing[-1][2] - flowing[0][2]) / (flowing[-1][0] - flowing[0][0])
    return {
        "rate": message_rate, "readings": reading_rate, "received": received, "published": total,
        "rss_kb": peak_rss_kb, "cpu": cpu, "cores": cpu / max(finished - started, 1e-9),
        "net_cpu": threads.get("mosquitto loop", 0.0), "broker_cpu": broker_cpu, "publishers_cpu": sim.cpu,
        "delays": delays.delays, "own_p50": own_delays.get("p50"), "own_p99": own_delays.get("p99"),
        "queries": queries.latencies if queries else [], "queries_failed": queries.failed if queries else [],
        "drain": drain,
    }


def median_of(runs, key):
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values) if values else float("nan")


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def note(text):
    print(text, file=sys.stderr, flush=True)


def choose_publishers(workdir, bin_dir, config, args):
    if args.publishers != "auto":
        return int(args.publishers)
    rates = {}
    for count in (1, 2):
        rates[count], _ = run_mosquitto_sub(workdir, bin_dir, config, args, 99, count, args.probe_seconds)
    chosen = 2 if rates[2] > 1.05 * rates[1] else 1
    note(f"  publishers probe (mosquitto_sub msg/s, {args.probe_seconds} s each): 1 process {rates[1]:,.0f}, "
         f"2 processes {rates[2]:,.0f} -> {chosen}")
    return chosen


def binaries(args):
    if args.bin_dir:
        bin_dir = os.path.abspath(args.bin_dir)
        for product in ("gateway", "sensors-sim"):
            if not os.path.exists(os.path.join(bin_dir, product)):
                raise SystemExit(f"loadtest: {product} not found in {bin_dir}")
        return bin_dir
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
    for product in ("gateway", "sensors-sim"):
        if not os.path.exists(os.path.join(bin_dir, product)):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
    return bin_dir


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="publishing time per run (default 30)")
    parser.add_argument("--qos", default="0,1", help="QoS levels, comma-separated (default 0,1)")
    parser.add_argument("--readings", default="1,20", help="readings per message, comma-separated (default 1,20)")
    parser.add_argument("--format", default="json",
                        help="wire formats, comma-separated: json, line (InfluxDB line protocol: sensors-sim --format "
                             "line, read by a line subscription), sparkplug (Sparkplug B: sensors-sim --format sparkplug, "
                             "read by a sparkplug_b subscription); default json")
    parser.add_argument("--series", type=int, default=10_000, help="series = devices x metrics (default 10000)")
    parser.add_argument("--runs", type=int, default=1, help="repetitions; medians are printed")
    parser.add_argument("--publishers", default="auto", help="simulator processes, or auto (default)")
    parser.add_argument("--probe-seconds", type=float, default=8, help="publishing time of each publishers probe")
    parser.add_argument("--fsync", default="interval", choices=["interval", "always", "never"],
                        help="fsync policy of both logs (and checkpoints: any but never fsyncs them)")
    parser.add_argument("--index", default="on", choices=["on", "off"],
                        help="the query index and the HTTP API (default on, as deployed)")
    parser.add_argument("--query-loop", action="store_true",
                        help="run HTTP queries one after another beside the gateway while the publishers run")
    parser.add_argument("--query-rate", type=float, default=0,
                        help="requests per second of the query loop (default 0: one after another, no pause)")
    parser.add_argument("--bin-dir", help="directory holding release gateway and sensors-sim binaries")
    parser.add_argument("--publisher-nice", type=int, default=10,
                        help="nice value of the simulator processes (default 10): they stand for devices on other "
                             "machines, so they take what the broker and the subscriber leave; 0 = compete equally")
    args = parser.parse_args()
    if args.publishers != "auto" and not args.publishers.isdigit():
        parser.error("--publishers: expected auto or a number")
    if any(f not in FORMATS for f in args.format.split(",")):
        parser.error("--format: expected json, line, sparkplug or several of them, comma-separated (json,line,sparkplug)")
    if args.query_loop and args.index == "off":
        parser.error("--query-loop needs --index on")

    bin_dir = binaries(args)
    devices = devices_for(args.series)
    series = series_of(devices)
    print(f"loadtest: {args.seconds:g} s of publishing per run, {devices} devices = {series} series, "
          f"fsync {args.fsync}, publishers at nice {args.publisher_nice}, {args.runs} run(s), medians; "
          f"index and HTTP {args.index}"
          f"{(', query loop beside at ' + (f'{args.query_rate:g}/s' if args.query_rate else 'full speed')) if args.query_loop else ''}; "
          f"binaries {bin_dir}")
    width = max(6, *(len(wire) for wire in args.format.split(",")))
    header = (f"{'format':>{width}} {'QoS':>3} {'rd/msg':>6} {'pubs':>4}  {'mosquitto_sub msg/s':>19}  {'gateway msg/s':>13}  "
              f"{'readings/s':>10}  {'ratio':>5}  {'min':>5}  {'lost':>4}  {'peak RSS':>8}  {'CPU s':>5}  {'cores':>5}  "
              f"{'close p50/p99 ms':>16}  {'gw close p50/p99 ms':>19}  {'drain gw/sub s':>13}")
    rows, query_rows = [], []
    with tempfile.TemporaryDirectory(prefix="gateway-loadtest-") as workdir:
        for qos, readings, wire in [(int(q), int(r), f) for f in args.format.split(",") for q in args.qos.split(",")
                                    for r in args.readings.split(",")]:
                config = {"qos": qos, "readings": readings, "devices": devices,
                          "shape": "ts" if readings == 1 else "batch", "format": wire}
                note(f"{wire}, QoS {qos}, {readings} reading(s)/message ({config['shape']} shape):")
                publishers = choose_publishers(workdir, bin_dir, config, args)
                subs, runs, sub_drains = [], [], []
                for run in range(args.runs):
                    sub_rate, sub_cpu = run_mosquitto_sub(workdir, bin_dir, config, args, run + 1, publishers, args.seconds)
                    result = run_gateway(workdir, bin_dir, config, args, run + 1, publishers, args.seconds)
                    note(f"  run {run + 1}: ratio {result['rate'] / sub_rate if sub_rate else 0:.2f}; drain after publishing: "
                         f"gateway {result['drain'] if result['drain'] is not None else float('nan'):.2f} s, "
                         f"mosquitto_sub {sub_cpu['drain'] if sub_cpu['drain'] is not None else float('nan'):.2f} s; "
                         f"mosquitto_sub {sub_rate:,.0f} msg/s (CPU s: subscriber {sub_cpu['subscriber']:.1f}, "
                         f"broker {sub_cpu['broker']:.1f}, publishers {sub_cpu['publishers']:.1f}); gateway {result['rate']:,.0f} "
                         f"msg/s, {result['readings']:,.0f} readings/s, {result['received']}/{result['published']} messages "
                         f"(CPU s: gateway {result['cpu']:.1f} of which network thread {result['net_cpu']:.1f}, "
                         f"broker {result['broker_cpu']:.1f}, publishers {result['publishers_cpu']:.1f}); "
                         f"{len(result['delays'])} closed 10 s windows timed"
                         + (f"; {len(result['queries'])} HTTP requests answered, p50 {percentile(result['queries'], 0.5):.1f} "
                            f"p99 {percentile(result['queries'], 0.99):.1f} ms, {len(result['queries_failed'])} failed"
                            if args.query_loop else ""))
                    for failure in result["queries_failed"][:5]:
                        note(f"    failed: {failure}")
                    subs.append(sub_rate)
                    runs.append(result)
                    sub_drains.append(sub_cpu["drain"])
                sub_rate = statistics.median(subs)
                gateway_rate = statistics.median(r["rate"] for r in runs)
                # Each run pairs the two subscribers under the same load, back to back: the ratio
                # is taken per run, then its median (and its lowest) across runs.
                ratios = [r["rate"] / s if s else 0.0 for r, s in zip(runs, subs)]
                closes = [d for r in runs for d in r["delays"]]
                rows.append(
                    f"{wire:>{width}} {qos:>3} {readings:>6} {publishers:>4}  {sub_rate:>19,.0f}  {gateway_rate:>13,.0f}  "
                    f"{statistics.median(r['readings'] for r in runs):>10,.0f}  "
                    f"{statistics.median(ratios):>5.2f}  {min(ratios):>5.2f}  "
                    f"{max(r['published'] - r['received'] for r in runs):>4}  "
                    f"{max(r['rss_kb'] for r in runs) / 1024:>6.0f}MB  {statistics.median(r['cpu'] for r in runs):>5.1f}  "
                    f"{statistics.median(r['cores'] for r in runs):>5.2f}  "
                    f"{percentile(closes, 0.5):>7.0f}/{percentile(closes, 0.99):<8.0f}  "
                    f"{median_of(runs, 'own_p50'):>10.0f}/{median_of(runs, 'own_p99'):<8.0f}  "
                    f"{max((r['drain'] for r in runs if r['drain'] is not None), default=float('nan')):>6.2f}/"
                    f"{max((d for d in sub_drains if d is not None), default=float('nan')):<6.2f}")
                if args.query_loop:
                    answered = [q for r in runs for q in r["queries"]]
                    failed = sum(len(r["queries_failed"]) for r in runs)
                    query_rows.append(
                        f"{qos:>3} {readings:>6}  {len(answered):>8}  {percentile(answered, 0.5):>8.1f}  "
                        f"{percentile(answered, 0.99):>8.1f}  {failed:>6}")
    print(header)
    for row in rows:
        print(row)
    if query_rows:
        print(f"HTTP requests beside the gateway (all runs):\n{'QoS':>3} {'rd/msg':>6}  {'answered':>8}  "
              f"{'p50 ms':>8}  {'p99 ms':>8}  {'failed':>6}")
        for row in query_rows:
            print(row)


if __name__ == "__main__":
    main()
