#!/usr/bin/env python3
"""Writes Tests/SparkplugBTests/Fixtures/pysparkplug-0.6.1.json: Sparkplug B payloads encoded by an
independent implementation (PyPI pysparkplug 0.6.1), with the values the Swift decoder must read from them.

The Swift tests read the committed file, so they need no Python. Regenerate it with

    python3 scripts/sparkplug-fixtures.py

which, unless it already runs where pysparkplug 0.6.1 is installed, creates the venv
.build/pysparkplug-venv (Debian's python3-venv, which scripts/install-deps installs), installs
pysparkplug 0.6.1 and its dependencies there, pinned, from PyPI, and runs itself again with that venv
(scripts/pysparkplug_venv.py, shared with scripts/sparkplug-edge.py).

Each payload is built with pysparkplug's payload classes (NBirth, DBirth, NData, DData, NDeath, DDeath,
NCmd) and encoded with its encoder; the script then decodes every payload again with pysparkplug and
checks it gets its input back, so the expectations are pysparkplug's reading too. Timestamps are fixed,
so the output is the same on every run.

Expected values, per metric: name, alias, timestamp, datatype (absent when the payload leaves it out),
the flags, and the value as the gateway reads it:
  {"number": <as text>, "bits": <the IEEE 754 double's bits in hex>}  Int8…UInt64, Float, Double
  {"boolean": b}, {"string": s}, {"dateTime": ms}, {"null": true}
  {"unsupported": n}                                                 datatype n gives no reading
Floats are the float32 pysparkplug sends, widened to double; integers above 2^53 are rounded to the
nearest double, as Python's float() and Swift's Double() both do.
"""

import datetime
import json
import struct
import sys

import pysparkplug_venv  # scripts/pysparkplug_venv.py: the pinned venv both pysparkplug scripts share

pysparkplug_venv.ensure(__file__)

import pysparkplug as sp  # noqa: E402 (only importable once the venv is set up)
from pysparkplug import DataType as T  # noqa: E402

VERSION = pysparkplug_venv.VERSION
OUTPUT = pysparkplug_venv.ROOT / "Tests/SparkplugBTests/Fixtures" / f"pysparkplug-{VERSION}.json"
T0 = 1_714_564_800_000  # 2024-05-01T12:00:00Z in ms
NUMERIC = {T.INT8, T.INT16, T.INT32, T.INT64, T.UINT8, T.UINT16, T.UINT32, T.UINT64, T.FLOAT, T.DOUBLE}
STRINGS = {T.STRING, T.TEXT, T.UUID}


def metric(name, datatype, value, *, alias=None, ts=T0, historical=False, transient=False):
    return sp.Metric(
        timestamp=ts,
        name=name,
        datatype=datatype,
        value=value,
        alias=alias,
        is_historical=historical,
        is_transient=transient,
        is_null=value is None,
    )


def number(value):
    return {"number": repr(value), "bits": struct.pack(">d", value).hex()}


def expected_value(m):
    if m.value is None:
        return {"null": True}
    if m.datatype == T.FLOAT:
        return number(struct.unpack("<f", struct.pack("<f", m.value))[0])
    if m.datatype in NUMERIC:
        return number(float(m.value))
    if m.datatype == T.BOOLEAN:
        return {"boolean": m.value}
    if m.datatype in STRINGS:
        return {"string": m.value}
    if m.datatype == T.DATETIME:
        return {"dateTime": round(m.value.timestamp() * 1000)}
    return {"unsupported": int(m.datatype)}


def expected_metric(m, include_dtypes):
    entry = {"name": m.name, "alias": m.alias, "timestamp": m.timestamp}
    if include_dtypes:
        entry["datatype"] = int(m.datatype)
    entry.update(
        is_historical=m.is_historical,
        is_transient=m.is_transient,
        is_null=m.value is None,
        value=expected_value(m),
    )
    return entry


# Every numeric datatype at its extremes, with negatives of every signed width (pysparkplug sends
# them as the two's complement of the declared width: Int16 -3 as 65533).
NODE_METRICS = (
    metric("Node Control/Rebirth", T.BOOLEAN, False),
    metric("int8/min", T.INT8, -128, alias=1),
    metric("int8/minus-one", T.INT8, -1, alias=2),
    metric("int8/max", T.INT8, 127, alias=3),
    metric("int16/minus-three", T.INT16, -3, alias=4),
    metric("int16/min", T.INT16, -32768, alias=5),
    metric("int32/min", T.INT32, -2147483648, alias=6),
    metric("int32/max", T.INT32, 2147483647, alias=7),
    metric("int64/min", T.INT64, -(2**63), alias=8),
    metric("int64/minus-one", T.INT64, -1, alias=9),
    metric("int64/past-2^53", T.INT64, 2**53 + 1, alias=10),
    metric("uint8/max", T.UINT8, 255, alias=11),
    metric("uint16/max", T.UINT16, 65535, alias=12),
    metric("uint32/max", T.UINT32, 4294967295, alias=13),
    metric("uint64/max", T.UINT64, 2**64 - 1, alias=14),
    metric("uint64/zero", T.UINT64, 0, alias=15),
    metric("float/pi", T.FLOAT, 3.14159, alias=16),
    metric("float/negative", T.FLOAT, -0.1, alias=17),
    metric("double/e", T.DOUBLE, 2.718281828459045, alias=18),
    metric("double/tiny", T.DOUBLE, 5e-324, alias=19),
    metric("double/null", T.DOUBLE, None, alias=20),
    metric("running", T.BOOLEAN, True, alias=21),
    metric("mode", T.STRING, "auto ⚙", alias=22),
    metric("note", T.TEXT, "line one\nline two", alias=23),
    metric("serial", T.UUID, "3f1c8a2e-5b7d-4e9a-9c61-0d2f4b8e7a15", alias=24),
    metric("last-service", T.DATETIME, datetime.datetime(2024, 4, 30, 8, 15, 0, tzinfo=datetime.timezone.utc), alias=25),
    metric("firmware", T.BYTES, b"\x00\x01\xfe\xff", alias=26),
    metric("profile", T.INT16_ARRAY, (-1, 2, -3), alias=27),
    metric("flags", T.BOOLEAN_ARRAY, (True, False, True), alias=28),
)
BIRTH_DATATYPES = {m.alias: m.datatype for m in NODE_METRICS if m.alias is not None}

DEVICE_METRICS = (
    metric("temperature", T.FLOAT, 21.5, alias=101),
    metric("pressure", T.DOUBLE, -1.25e5, alias=102),
    metric("rpm", T.UINT16, 1480, alias=103),
    metric("offset", T.INT8, -7, alias=104),
    metric("counter", T.UINT64, 2**53, alias=105),
    metric("state", T.STRING, "running", alias=106),
    metric("alarm", T.BOOLEAN, False, alias=107, transient=True),
    metric("vibration", T.DOUBLE, None, alias=108),
)


def data_by_alias(alias, value, **kwargs):
    """A DATA metric as senders with aliases write it: alias only, datatype from the BIRTH."""
    return metric(None, BIRTH_DATATYPES[alias], value, alias=alias, **kwargs)


PAYLOADS = [
    ("nbirth", "spBv1.0/Plant1/NBIRTH/Edge1", sp.NBirth(timestamp=T0, seq=0, metrics=NODE_METRICS), True),
    ("dbirth", "spBv1.0/Plant1/DBIRTH/Edge1/Pump7", sp.DBirth(timestamp=T0 + 1, seq=1, metrics=DEVICE_METRICS), True),
    (
        # Alias-only NDATA without datatypes, with two historical values of one metric (store and
        # forward, older timestamps) before its current one, and a null.
        "ndata-aliases",
        "spBv1.0/Plant1/NDATA/Edge1",
        sp.NData(
            timestamp=T0 + 5000,
            seq=2,
            metrics=(
                data_by_alias(4, -300, ts=T0 + 1000, historical=True),
                data_by_alias(4, -200, ts=T0 + 2000, historical=True),
                data_by_alias(4, -100, ts=T0 + 4990),
                data_by_alias(2, -1, ts=T0 + 4990),
                data_by_alias(9, -9007199254740993, ts=T0 + 4990),
                data_by_alias(13, 4000000000, ts=T0 + 4990),
                data_by_alias(16, 1.5, ts=T0 + 4990),
                data_by_alias(21, False, ts=T0 + 4990),
                data_by_alias(22, "manual", ts=T0 + 4990),
                data_by_alias(20, None, ts=T0 + 4990),
            ),
        ),
        False,
    ),
    (
        # DDATA as pysparkplug's EdgeNode sends it: names and datatypes, no aliases.
        "ddata-names",
        "spBv1.0/Plant1/DDATA/Edge1/Pump7",
        sp.DData(
            timestamp=T0 + 6000,
            seq=3,
            metrics=(
                metric("temperature", T.FLOAT, -40.0, ts=T0 + 5999),
                metric("offset", T.INT8, -128, ts=T0 + 5999),
                metric("rpm", T.UINT16, 0, ts=T0 + 5999),
                metric("vibration", T.DOUBLE, 0.007, ts=T0 + 5999),
                metric("pressure", T.DOUBLE, None, ts=T0 + 5999),
            ),
        ),
        True,
    ),
    (
        "ndeath",
        "spBv1.0/Plant1/NDEATH/Edge1",
        sp.NDeath(timestamp=T0 + 9000, bd_seq_metric=metric("bdSeq", T.INT64, 0, ts=None)),
        True,
    ),
    ("ddeath", "spBv1.0/Plant1/DDEATH/Edge1/Pump7", sp.DDeath(timestamp=T0 + 8000, seq=4), True),
    (
        # The rebirth request, as another implementation writes it: the Swift encoder must write the same bytes.
        "ncmd-rebirth",
        "spBv1.0/Plant1/NCMD/Edge1",
        sp.NCmd(timestamp=T0 + 10000, metrics=(metric("Node Control/Rebirth", T.BOOLEAN, True, ts=None),)),
        True,
    ),
]


def metrics_of(payload):
    if isinstance(payload, sp.NDeath):
        return (payload.bd_seq_metric,)
    return getattr(payload, "metrics", ())


def check_round_trip(name, payload, raw, include_dtypes):
    """pysparkplug's own decoder must read back what was encoded (with the NBIRTH for alias-only DATA)."""
    cls = type(payload)
    if isinstance(payload, (sp.NDeath, sp.DDeath)):
        return
    birth = sp.NBirth(timestamp=T0, seq=0, metrics=NODE_METRICS) if not include_dtypes else None
    decoded = cls.decode(raw, birth=birth)
    for sent, got in zip(metrics_of(payload), decoded.metrics, strict=True):
        if sent.value != got.value and not (sent.datatype == T.FLOAT and abs(sent.value - got.value) < 1e-6):
            sys.exit(f"sparkplug-fixtures: {name}: {sent.name or sent.alias} sent {sent.value!r}, read back {got.value!r}")


def main():
    fixtures = []
    for name, topic, payload, include_dtypes in PAYLOADS:
        raw = payload.encode(include_dtypes=include_dtypes)
        check_round_trip(name, payload, raw, include_dtypes)
        fixtures.append(
            {
                "name": name,
                "topic": topic,
                "hex": raw.hex(),
                "timestamp": payload.timestamp,
                "seq": getattr(payload, "seq", None),
                "metrics": [expected_metric(m, include_dtypes) for m in metrics_of(payload)],
            }
        )
    document = {
        "generator": f"pysparkplug {VERSION} (PyPI), scripts/sparkplug-fixtures.py",
        "payloads": fixtures,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"sparkplug-fixtures: wrote {len(fixtures)} payloads to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
