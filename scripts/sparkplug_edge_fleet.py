"""The simulated fleet of scripts/sparkplug-edge.py: edge nodes, their devices, and the values of their
metrics (names, kinds and ranges from config/metrics.yaml). Plain Python, no pysparkplug.

Each edge node has its own metrics (an electrical cabinet: temperature_c, humidity_pct) and
`devices_per_node` devices, device g (counting over the whole fleet from 0) of kind
[environment, machine, utility][g % 3], named env-/mch-/utl-NNNN like sensors-sim's devices. Every
entity draws its values from its own generator seeded by (seed, edge node, device), so a run's values
follow from --seed and the order of messages alone.
"""

import random
import struct

# Datatype names are pysparkplug's DataType members.
GAUGE, COUNTER, STATE = "gauge", "counter", "state"
MACHINE_STATES = ("running", "idle", "fault", "off")
# Gauges: lowest and highest value drawn (well inside the catalogue's range), step size, decimals.
GAUGES = {
    "temperature_c": (18.0, 38.0, 0.4, 2),
    "humidity_pct": (35.0, 95.0, 1.0, 1),
    "co2_ppm": (400, 2500, 30, 0),
    "noise_dba": (45.0, 100.0, 1.5, 1),
    "vibration_rms_mms": (0.2, 15.0, 0.4, 2),
    "power_kw": (0, 480, 20, 0),
    "water_flow_m3h": (20.0, 600.0, 10.0, 2),
    "pressure_bar": (2.0, 8.0, 0.08, 2),
}
PREFIXES = {"environment": "env", "machine": "mch", "utility": "utl"}
COUNTER_RESET_CHANCE = 0.001  # per update, as sensors-sim's counters


def float32(value):
    """The float32 a Float metric carries, widened back to a double: what the gateway reads."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


class Series:
    """One metric of one entity: its name, catalogue kind, Sparkplug datatype, alias, and the current
    value with its timestamp (what a BIRTH restates)."""

    def __init__(self, name, kind, datatype, rng):
        self.name, self.kind, self.datatype, self.alias = name, kind, datatype, None
        self.rng = rng
        if kind == GAUGE:
            low, high, _, decimals = GAUGES[name]
            self.value = self._round(rng.uniform(low, high), decimals)
        elif kind == COUNTER:
            self.value = self._round(rng.uniform(0, 5000), 3)
        else:
            self.value = "running"
        self.ts = None

    def _round(self, value, decimals):
        if self.datatype in ("FLOAT", "DOUBLE"):
            value = float(round(value, decimals))
            return float32(value) if self.datatype == "FLOAT" else value
        return int(round(value))

    def step(self, machine_state):
        """Moves to the next value; counters grow (parts only while running) and rarely reset to 0."""
        rng = self.rng
        if self.kind == GAUGE:
            low, high, size, decimals = GAUGES[self.name]
            if self.name == "power_kw" and machine_state == "off":
                value = 0
            else:
                value = min(high, max(low, self.value + rng.gauss(0, size)))
            self.value = self._round(value, decimals)
        elif self.kind == COUNTER:
            if rng.random() < COUNTER_RESET_CHANCE:
                self.value = self._round(0, 3)
            elif self.name != "parts_total" or machine_state == "running":
                self.value = self._round(self.value + rng.uniform(0, 3), 3)
        elif rng.random() < 0.1:
            self.value = rng.choice([s for s in MACHINE_STATES if s != self.value])
        return self.value


class Entity:
    """An edge node's own metrics (device_id None: its ledger device is the edge node id) or a device."""

    def __init__(self, edge_id, device_id, metrics, seed):
        self.edge_id, self.device_id = edge_id, device_id
        self.device = device_id or edge_id
        rng = random.Random(f"{seed}/{edge_id}/{self.device}")
        self.rng = rng
        self.series = [Series(name, kind, datatype, rng) for name, kind, datatype in metrics]
        self.last_ts = 0  # newest timestamp this entity sent, so its timestamps only increase
        self.newest = None  # newest reading the gateway took from it (restatement rule)

    @property
    def machine_state(self):
        return next((s.value for s in self.series if s.name == "machine_state"), "running")

    def stamp(self, now_ms, count=1):
        """`count` increasing timestamps, the last one `now_ms` unless that would not pass the
        entity's previous one."""
        first = max(now_ms - count + 1, self.last_ts + 1)
        self.last_ts = first + count - 1
        return list(range(first, first + count))


def node_metrics():
    return [("temperature_c", GAUGE, "DOUBLE"), ("humidity_pct", GAUGE, "FLOAT")]


def device_kind_and_metrics(g):
    """Device g's name and metrics; odd machines use the other integer datatypes the gateway reads."""
    kind = ("environment", "machine", "utility")[g % 3]
    if kind == "environment":
        metrics = [
            ("temperature_c", GAUGE, "DOUBLE"),
            ("humidity_pct", GAUGE, "FLOAT"),
            ("co2_ppm", GAUGE, "UINT16"),
            ("noise_dba", GAUGE, "FLOAT"),
        ]
    elif kind == "machine":
        odd = (g // 3) % 2 == 1
        metrics = [
            ("machine_state", STATE, "STRING"),
            ("power_kw", GAUGE, "UINT16" if odd else "INT32"),
            ("energy_kwh", COUNTER, "UINT64" if odd else "DOUBLE"),
            ("parts_total", COUNTER, "INT64"),
            ("vibration_rms_mms", GAUGE, "FLOAT"),
        ]
    else:
        metrics = [("water_flow_m3h", GAUGE, "DOUBLE"), ("pressure_bar", GAUGE, "FLOAT")]
    return f"{PREFIXES[kind]}-{g:04d}", metrics


def build_node(edge_id, node_index, devices_per_node, seed, aliases):
    """The entities of one edge node, the node's own first; with `aliases`, every metric gets an alias
    unique over the whole edge node (1, 2, … in this order), as Sparkplug requires."""
    entities = [Entity(edge_id, None, node_metrics(), seed)]
    for j in range(devices_per_node):
        name, metrics = device_kind_and_metrics(node_index * devices_per_node + j)
        entities.append(Entity(edge_id, name, metrics, seed))
    if aliases:
        series = [s for entity in entities for s in entity.series]
        for alias, s in enumerate(series, start=1):
            s.alias = alias
    return entities
