#!/usr/bin/env python3
"""An independent Sparkplug B 3.0.0 edge-node publisher for the gateway's integration tests: simulated
edge nodes publish real Sparkplug B messages, every payload encoded by PyPI pysparkplug 0.6.1 (not by
our SparkplugB module), to an MQTT broker, and a ledger says what the gateway must make of them.

    scripts/sparkplug-edge.py --port 1883 --group hoa-lac-hitech --nodes 3 --devices-per-node 4 \\
        --messages 2000 --rate 500 --ledger /tmp/spb.jsonl [--aliases] [--seed 1] \\
        [--births-first (--wait-file F | --start-delay S)]

It runs itself in the venv .build/pysparkplug-venv (scripts/pysparkplug_venv.py, shared with
sparkplug-fixtures.py). The fleet and its values are in scripts/sparkplug_edge_fleet.py: edge nodes
f01, f02, … of group --group, each with its own metrics (temperature_c Double, humidity_pct Float) and
--devices-per-node devices env-/mch-/utl-NNNN (Double, Float, UInt16, Int32, UInt64, Int64 and String
metrics of config/metrics.yaml, values within range, counters growing and resetting rarely).
The same --seed, --nodes and --devices-per-node give the same messages and values; only the
timestamps differ. pysparkplug's EdgeNode is not used: its DATA always carry names and datatypes, it does not answer
rebirths, its Will is QoS 0, its NDEATH carries the next bdSeq and its bdSeq counter is shared by all
EdgeNodes of a process. Payloads are pysparkplug's NBirth/DBirth/NData/DData/DDeath/NDeath classes and
encoder; the MQTT session is driven here with paho-mqtt 1.6.1 (the version pysparkplug pins).

What goes out, per edge node, on its own MQTT connection (3.1.1, clean session, keepalive 30 s):
* Will: NDEATH on spBv1.0/G/NDEATH/E, QoS 1, not retained, metric bdSeq (Int64) = --bdseq (0).
* Subscribes spBv1.0/G/NCMD/E at QoS 1 (waits for the SUBACK), then NBIRTH (seq 0; metrics
  `Node Control/Rebirth` Boolean false, the node's metrics, bdSeq = the Will's) and one DBIRTH per
  device, QoS 0. Births carry names, datatypes and current values; with --aliases also aliases 1, 2, …
  unique over the edge node (never on the two control metrics).
* --messages NDATA/DDATA (QoS 0) at --rate per second (0: unpaced), message i from edge node i % N
  and entity ((i // N) + node) % entities: a random non-empty subset of the entity's metrics, each
  stepped to a new value at the publish time in ms (increasing per entity); 5 % of messages carry
  two samples of their first metric, 1 ms apart. Without --aliases DATA metrics have name and
  datatype (as pysparkplug's EdgeNode sends them); with --aliases, alias only, no name, no datatype.
* seq: 0–255 per edge node over NBIRTH, DBIRTH, NDATA, DDATA, DDEATH, wrapping; a rebirth's NBIRTH
  continues the count (--rebirth-seq-zero restarts it at 0). NDEATH carries none.
* An NCMD with `Node Control/Rebirth` = true, at any time: before that node's next DATA the script
  publishes its NBIRTH (same bdSeq) and every DBIRTH again, restating each metric's current value at
  the timestamp it was taken, in time order (--rebirth-now: stamped now instead, so all are new
  readings). Outside --births-first such a request is unexpected (a warning, counted).
* At the end (or on SIGINT/SIGTERM): DDEATH per device, then NDEATH with the NBIRTH's bdSeq (QoS 1,
  awaited: the broker has everything before it), DISCONNECT (so the Will is not sent). Unlike
  pysparkplug's EdgeNode.disconnect(), whose NDEATH carries the *next* bdSeq.

--births-first (the gateway starts after the births): births are published before the gateway runs
and are left out of the ledger (counted as unseen in the summary). The script then waits for
--wait-file to exist (up to --wait-timeout) and/or --start-delay seconds. Each node then sends one
DATA (ledger: fault sparkplug_not_born) and sends nothing more until the gateway's rebirth NCMD
comes; it then republishes its births (ledger: readings, as the gateway has taken none from those
devices) and the DATA goes on. No NCMD within --rebirth-timeout (10 s): exit 1, naming the node.
The restated values keep the timestamps of the unseen births (older by the wait) except those the
not-born DATA changed; --rebirth-now stamps them all at the rebirth instead.

Ledger (--ledger): JSON Lines, one line per published message in publish order (per edge node: each
has its own connection, so the broker may interleave nodes otherwise), in the format of sensors-sim's
ledger as Tests/IntegrationTests/Support/SimulatorLedger.swift reads it:
  {"n", "topic", "type": "NBIRTH|DBIRTH|NDATA|DDATA|DDEATH|NDEATH", "park": group, "site": edge node,
   "device": device id (the edge node id for NBIRTH/NDATA/NDEATH), "spb_seq": seq or null,
   "bdSeq" (NBIRTH, NDEATH), "fault": null | "sparkplug_not_born", "payload": hex bytes,
   "readings": [{"metric", "kind": gauge|counter|state, "ts": ms, "v": number|string, "fault": null}],
   "restated": [metric names] (births only, when some)}
* readings: the values the gateway must aggregate, in payload order; Float values are the float32
  sent, widened to double. Never bdSeq nor Node Control/Rebirth. Deaths: [].
* A BIRTH value is a reading unless its timestamp is at or before the newest reading the gateway
  took from that device before this BIRTH: then it is a restatement, listed in "restated" only.
* A message with a top-level "fault" counts as a message; its readings (listed) are not aggregated.
* seq is "spb_seq", not "seq": it counts per edge node across topics and wraps, which the ledger
  reader's per-topic seq figures (sensors-sim's) do not expect.
Exit status: 0 done, 1 connection, publish or rebirth failure, 2 invalid options.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time

import pysparkplug_venv  # scripts/pysparkplug_venv.py

pysparkplug_venv.ensure(__file__)

import paho.mqtt.client as mqtt  # noqa: E402 (paho-mqtt 1.6.1, pysparkplug's pin)
import pysparkplug as sp  # noqa: E402
from sparkplug_edge_fleet import build_node  # noqa: E402

REBIRTH = "Node Control/Rebirth"
CONNECT_TIMEOUT = 10.0


class Failure(Exception):
    pass


def now_ms():
    return time.time_ns() // 1_000_000


class Ledger:
    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8") if path else None
        self.n = self.readings = 0
        self.counts = {}

    def write(self, node, entity, topic, kind, seq, raw, readings=(), fault=None, bdseq=None, restated=()):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if fault is None:
            self.readings += len(readings)
        line = {"n": self.n, "topic": topic, "type": kind, "park": node.group, "site": node.edge_id}
        line.update(device=entity.device if entity else node.edge_id, spb_seq=seq)
        if bdseq is not None:
            line["bdSeq"] = bdseq
        line.update(fault=fault, payload=raw.hex(), readings=list(readings))
        if restated:
            line["restated"] = list(restated)
        self.n += 1
        if self.file:
            self.file.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self):
        if self.file:
            self.file.close()


def reading(series, ts, value):
    return {"metric": series.name, "kind": series.kind, "ts": ts, "v": value, "fault": None}


class Node:
    """One edge node: its MQTT session, seq and bdSeq, its entities, and the rebirth requests it got."""

    def __init__(self, args, index):
        self.group, self.edge_id = args.group, f"f{index + 1:02d}"
        self.entities = build_node(self.edge_id, index, args.devices_per_node, args.seed, args.aliases)
        self.aliases, self.bdseq, self.seq, self.seq_zero = args.aliases, args.bdseq, 0, args.rebirth_seq_zero
        self.rebirth_now = args.rebirth_now
        self.cond = threading.Condition()
        self.requests = self.rebirths = self.unexpected = 0
        self.connack = self.suback = self.lost = None
        self.client = mqtt.Client(client_id=f"sparkplug-edge-{os.getpid()}-{self.edge_id}", clean_session=True)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def topic(self, kind, entity=None):
        device = f"/{entity.device_id}" if entity and entity.device_id else ""
        return f"spBv1.0/{self.group}/{kind}/{self.edge_id}{device}"

    def next_seq(self):
        seq, self.seq = self.seq, (self.seq + 1) % 256
        return seq

    # paho's network thread
    def _notify(self, **changes):
        with self.cond:
            for key, value in changes.items():
                setattr(self, key, value)
            self.cond.notify_all()

    def _on_connect(self, client, userdata, flags, rc):
        self._notify(connack=rc)

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        self._notify(suback=granted_qos)

    def _on_disconnect(self, client, userdata, rc):
        if rc != mqtt.MQTT_ERR_SUCCESS:
            self._notify(lost=mqtt.error_string(rc))

    def _on_message(self, client, userdata, message):
        try:
            command = sp.NCmd.decode(message.payload)
        except Exception as error:  # noqa: BLE001 (a bad command must not stop the publisher)
            print(f"sparkplug-edge: {self.edge_id}: undecodable NCMD ignored: {error}", file=sys.stderr)
            return
        if any(m.name == REBIRTH and m.value is True for m in command.metrics):
            with self.cond:
                self.requests += 1
                self.cond.notify_all()

    # the main thread
    def wait(self, predicate, timeout, what):
        with self.cond:
            if not self.cond.wait_for(lambda: predicate() or self.lost, timeout):
                raise Failure(f"{self.edge_id}: {what}")
            if self.lost:
                raise Failure(f"{self.edge_id}: connection lost: {self.lost}")

    def take_requests(self):
        with self.cond:
            if self.lost:
                raise Failure(f"{self.edge_id}: connection lost: {self.lost}")
            requests, self.requests = self.requests, 0
            return requests

    def bdseq_metric(self, ts):
        return sp.Metric(timestamp=ts, name="bdSeq", datatype=sp.DataType.INT64, value=self.bdseq)

    def connect(self, host, port):
        will = sp.NDeath(timestamp=now_ms(), bd_seq_metric=self.bdseq_metric(now_ms()))
        self.client.will_set(self.topic("NDEATH"), will.encode(), qos=1, retain=False)
        try:
            self.client.connect(host, port, keepalive=30)
        except OSError as error:
            raise Failure(f"{self.edge_id}: cannot connect to {host}:{port}: {error}") from None
        self.client.loop_start()
        self.wait(lambda: self.connack is not None, CONNECT_TIMEOUT, f"no CONNACK from {host}:{port}")
        if self.connack != 0:
            raise Failure(f"{self.edge_id}: {host}:{port} refused: {mqtt.connack_string(self.connack)}")
        self.client.subscribe(self.topic("NCMD"), qos=1)
        self.wait(lambda: self.suback is not None, CONNECT_TIMEOUT, "no SUBACK for its NCMD topic")

    def publish(self, topic, raw, qos=0):
        info = self.client.publish(topic, raw, qos=qos, retain=False)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise Failure(f"{topic}: publish failed: {mqtt.error_string(info.rc)}")
        return info

    def metric(self, series, ts, value, birth):
        name = series.name if birth or not self.aliases else None
        datatype = sp.DataType[series.datatype]
        return sp.Metric(timestamp=ts, name=name, datatype=datatype, value=value, alias=series.alias)

    def births(self, ledger, seen, rebirth=False):
        """NBIRTH and every DBIRTH. A first birth stamps every value now; a rebirth restates them
        (in time order) at their own timestamps, or with --rebirth-now stamps them now as well."""
        if rebirth:
            self.rebirths += 1
            if self.seq_zero:
                self.seq = 0
        t = now_ms()
        for entity in self.entities:
            node = entity.device_id is None
            if not rebirth or self.rebirth_now:
                ts = entity.stamp(t)[0]
                for series in entity.series:
                    series.ts = ts
            ordered = sorted(entity.series, key=lambda s: s.ts)
            metrics = [self.metric(s, s.ts, s.value, birth=True) for s in ordered]
            if node:
                rebirth_metric = sp.Metric(timestamp=t, name=REBIRTH, datatype=sp.DataType.BOOLEAN, value=False)
                metrics = [rebirth_metric, *metrics, self.bdseq_metric(t)]
            kind = "NBIRTH" if node else "DBIRTH"
            seq = self.next_seq()
            raw = (sp.NBirth if node else sp.DBirth)(timestamp=t, seq=seq, metrics=tuple(metrics)).encode()
            topic = self.topic(kind, entity)
            self.publish(topic, raw)
            if not seen:
                ledger.counts["unseen"] = ledger.counts.get("unseen", 0) + 1
                continue
            newest = entity.newest
            taken = [s for s in ordered if newest is None or s.ts > newest]
            restated = [s.name for s in ordered if s not in taken]
            readings = [reading(s, s.ts, s.value) for s in taken]
            if taken:
                entity.newest = max(s.ts for s in taken)
            ledger.write(self, entity, topic, kind, seq, raw, readings, bdseq=self.bdseq if node else None, restated=restated)

    def data(self, entity, ledger, fault=None):
        """One NDATA or DDATA of a random subset of the entity's metrics, each stepped to a new value."""
        rng = entity.rng
        chosen = [s for s in entity.series if rng.random() < 0.6] or [rng.choice(entity.series)]
        t = now_ms()
        stamps = entity.stamp(t, 2 if rng.random() < 0.05 else 1)
        metrics, readings = [], []
        for index, series in enumerate(chosen):
            for ts in stamps if index == 0 else stamps[-1:]:
                value = series.step(entity.machine_state)
                series.ts = ts
                metrics.append(self.metric(series, ts, value, birth=False))
                readings.append(reading(series, ts, value))
        kind = "NDATA" if entity.device_id is None else "DDATA"
        seq = self.next_seq()
        payload = (sp.NData if kind == "NDATA" else sp.DData)(timestamp=t, seq=seq, metrics=tuple(metrics))
        raw = payload.encode(include_dtypes=not self.aliases)
        topic = self.topic(kind, entity)
        self.publish(topic, raw)
        if fault is None:
            entity.newest = max(entity.newest or 0, stamps[-1])
        ledger.write(self, entity, topic, kind, seq, raw, readings, fault=fault)

    def end(self, ledger):
        """DDEATH per device, NDEATH with the NBIRTH's bdSeq (QoS 1, awaited), DISCONNECT."""
        for entity in self.entities[1:]:
            seq = self.next_seq()
            raw = sp.DDeath(timestamp=now_ms(), seq=seq).encode()
            topic = self.topic("DDEATH", entity)
            self.publish(topic, raw)
            ledger.write(self, entity, topic, "DDEATH", seq, raw)
        t = now_ms()
        raw = sp.NDeath(timestamp=t, bd_seq_metric=self.bdseq_metric(t)).encode()
        info = self.publish(self.topic("NDEATH"), raw, qos=1)
        ledger.write(self, None, self.topic("NDEATH"), "NDEATH", None, raw, bdseq=self.bdseq)
        info.wait_for_publish(timeout=CONNECT_TIMEOUT)
        if not info.is_published():
            raise Failure(f"{self.edge_id}: the broker did not acknowledge its NDEATH")
        self.client.disconnect()
        self.client.loop_stop()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=1883)
    add("--group", default="hoa-lac-hitech", help="Sparkplug group id (the park)")
    add("--nodes", type=int, default=3, help="edge nodes f01, f02, … (the sites)")
    add("--devices-per-node", type=int, default=4)
    add("--messages", type=int, default=2000, help="NDATA/DDATA messages in all")
    add("--rate", type=float, default=500, help="DATA messages per second; 0 = as fast as possible")
    add("--ledger", help="JSON Lines ledger to write (truncated)")
    add("--aliases", action="store_true", help="DATA by alias only (births define the aliases)")
    add("--seed", type=int, default=1)
    add("--bdseq", type=int, default=0, help="bdSeq of the Will, the NBIRTH and the NDEATH (0-255)")
    add("--births-first", action="store_true", help="births unseen, then wait, then expect a rebirth request")
    add("--wait-file", help="with --births-first: send DATA once this file exists")
    add("--wait-timeout", type=float, default=120.0, help="seconds to wait for --wait-file")
    add("--start-delay", type=float, default=0.0, help="seconds to wait before the first DATA")
    add("--rebirth-timeout", type=float, default=10.0, help="seconds to wait for the rebirth NCMD")
    add("--rebirth-seq-zero", action="store_true", help="a rebirth's NBIRTH restarts seq at 0")
    add("--rebirth-now", action="store_true", help="a rebirth stamps its values now (new readings)")
    args = parser.parse_args()
    if any(c in args.group for c in "+/#") or not args.group:
        parser.error(f"--group {args.group!r}: must be non-empty without + / #")
    if not 1 <= args.nodes <= 99 or args.devices_per_node < 0 or args.messages < 0 or args.rate < 0:
        parser.error("--nodes must be 1-99; --devices-per-node, --messages and --rate must be >= 0")
    if not 0 <= args.bdseq <= 255:
        parser.error(f"--bdseq {args.bdseq}: must be 0-255")
    if args.births_first and args.messages < args.nodes:
        parser.error("--births-first needs --messages >= --nodes (one not-born DATA per node)")
    if args.wait_file and not args.births_first:
        parser.error("--wait-file needs --births-first")
    return args


def wait_to_start(args, stop):
    if args.wait_file:
        print(f"sparkplug-edge: births published, waiting for {args.wait_file}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + args.wait_timeout
        while not os.path.exists(args.wait_file):
            if stop.is_set():
                return
            if time.monotonic() > deadline:
                raise Failure(f"{args.wait_file} did not appear within {args.wait_timeout:g} s")
            time.sleep(0.05)
    stop.wait(args.start_delay)


def run(args, nodes, ledger, stop):
    def pick(i):
        node = nodes[i % len(nodes)]
        return node, node.entities[(i // len(nodes) + i % len(nodes)) % len(node.entities)]

    for node in nodes:
        node.connect(args.host, args.port)
    for node in nodes:
        node.births(ledger, seen=not args.births_first)
    i = 0
    if args.births_first:
        wait_to_start(args, stop)
        for i in range(len(nodes)):
            node, entity = pick(i)
            if stop.is_set():
                break
            node.take_requests()  # none expected: the gateway has not heard of this node
            node.data(entity, ledger, fault="sparkplug_not_born")
        deadline = time.monotonic() + args.rebirth_timeout
        for node in nodes if not stop.is_set() else []:
            what = f"no rebirth request (NCMD {REBIRTH}) within {args.rebirth_timeout:g} s of its not-born DATA"
            node.wait(lambda n=node: n.requests > 0, max(0.0, deadline - time.monotonic()), what)
            node.take_requests()
            node.births(ledger, seen=True, rebirth=True)
        i = len(nodes)
    first, start = i, time.monotonic()
    while i < args.messages and not stop.is_set():
        if args.rate:
            due = start + (i - first) / args.rate
            ahead = due - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            elif ahead < -1.0:  # after a stall, no burst to catch up
                first, start = i, time.monotonic()
        node, entity = pick(i)
        if node.take_requests():
            print(f"sparkplug-edge: {node.edge_id}: unexpected rebirth request, births sent again", file=sys.stderr)
            node.unexpected += 1
            node.births(ledger, seen=True, rebirth=True)
        node.data(entity, ledger)
        i += 1
    for node in nodes:
        node.end(ledger)


def main():
    args = parse_args()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    nodes = [Node(args, k) for k in range(args.nodes)]
    ledger = Ledger(args.ledger)
    started = time.monotonic()
    try:
        run(args, nodes, ledger, stop)
    except Failure as failure:
        sys.exit(f"sparkplug-edge: {failure}")
    finally:
        ledger.close()
    c = ledger.counts
    data = c.get("NDATA", 0) + c.get("DDATA", 0)
    rebirths = sum(node.rebirths for node in nodes)
    unexpected = sum(node.unexpected for node in nodes)
    print(
        f"sparkplug-edge: {ledger.n} ledger messages ({data} DATA, {c.get('NBIRTH', 0) + c.get('DBIRTH', 0)} births, "
        f"{c.get('DDEATH', 0) + c.get('NDEATH', 0)} deaths), {ledger.readings} readings, "
        f"in {time.monotonic() - started:.3f} s; {c.get('unseen', 0)} births unseen (not in the ledger); "
        f"rebirths {rebirths} ({unexpected} unexpected)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
