import Telemetry
import Testing

@testable import Gateway

@Suite("Metric catalogue loader")
struct MetricCatalogueLoaderTests {
    /// The default catalogue, exactly as the simulator publishes it.
    static let defaultDefinitions: [MetricDefinition] = [
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "humidity_pct", kind: .gauge, unit: "%", validRange: 0...100),
        MetricDefinition(name: "pm25_ugm3", kind: .gauge, unit: "µg/m³", validRange: 0...1_000),
        MetricDefinition(name: "pm10_ugm3", kind: .gauge, unit: "µg/m³", validRange: 0...2_000),
        MetricDefinition(name: "co2_ppm", kind: .gauge, unit: "ppm", validRange: 0...10_000),
        MetricDefinition(name: "noise_dba", kind: .gauge, unit: "dBA", validRange: 0...160),
        MetricDefinition(name: "vibration_rms_mms", kind: .gauge, unit: "mm/s", validRange: 0...100),
        MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW", validRange: 0...5_000),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "rejected_parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(
            name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault", "off"]),
        MetricDefinition(name: "water_flow_m3h", kind: .gauge, unit: "m³/h", validRange: 0...10_000),
        MetricDefinition(name: "pressure_bar", kind: .gauge, unit: "bar", validRange: 0...100),
    ]

    private let file = "config/metrics.yaml"

    private func issues(_ yaml: String) -> [ConfigIssue] {
        MetricCatalogueLoader.read(yaml: yaml, file: file).issues
    }

    private func issue(_ line: Int?, _ column: Int?, _ key: String, _ message: String) -> ConfigIssue {
        ConfigIssue(file: file, line: line, column: column, key: key, message: message)
    }

    @Test func theShippedMetricsYAMLLoadsWithNoIssueAndHoldsTheDefaultCatalogue() throws {
        let path = ConfigFixture.repositoryRoot + "/config/metrics.yaml"
        let catalogue = try MetricCatalogueLoader.load(path: path)
        #expect(catalogue.definitions == Self.defaultDefinitions)
        #expect(catalogue.strict)
        #expect(catalogue.definition(named: "machine_state")?.states == ["running", "idle", "fault", "off"])
        #expect(catalogue.definition(named: "speed_rpm") == nil)
    }

    @Test func strictDefaultsToTrueOneSidedAndAbsentRanges() throws {
        let catalogue = try MetricCatalogueLoader.parse(
            yaml: """
                metrics:
                  a: {kind: gauge, min: 0}
                  b: {kind: counter, max: 10.5}
                  c: {kind: gauge}
                  d: {kind: gauge, unit: "", min: -1.5, max: 1e3}
                """,
            sourcePath: file)
        #expect(catalogue.strict)
        #expect(
            catalogue.definitions.map(\.validRange) == [
                0...Double.infinity, -Double.infinity...10.5, nil, -1.5...1_000,
            ])
        #expect(catalogue.definitions.map(\.unit) == ["", "", "", ""])
        let lax = try MetricCatalogueLoader.parse(
            yaml: "strict: false\nmetrics: {x: {kind: gauge}}\n", sourcePath: file)
        #expect(lax.strict == false)
    }

    @Test func statesThatDifferOnlyInUnicodeNormalisationAreTwoStatesBytesNotOneListedTwice() throws {
        let (nfc, nfd) = ("caf\u{E9}", "cafe\u{301}")
        let catalogue = try MetricCatalogueLoader.parse(
            yaml: "metrics:\n  state: {kind: state, states: [\(nfc), \(nfd)]}\n", sourcePath: file)
        #expect(catalogue.definition(named: "state")?.states.map { Array($0.utf8) } == [Array(nfc.utf8), Array(nfd.utf8)])
    }

    @Test func catalogueErrorsCarryTheCatalogueFilesNameLineAndColumn() {
        let yaml = """
            strict: true
            metrics:
              temperature_c: {kind: gauge, unit: "°C", min: 150, max: -40}
              machine_state: {kind: state, states: [running, idle, running]}
              humidity_pct: {kind: guage, unit: "%"}
              co2_ppm: {kind: gauge, unti: ppm}
              noise_dba: {unit: dBA}
            """
        #expect(
            issues(yaml) == [
                issue(3, 59, "metrics.temperature_c.max", "expected max to be at least min (150), got -40"),
                issue(4, 56, "metrics.machine_state.states[2]", "state \"running\" is listed twice"),
                issue(
                    5, 24, "metrics.humidity_pct.kind",
                    "expected gauge, counter or state, got \"guage\"; did you mean gauge?"),
                issue(6, 26, "metrics.co2_ppm.unti", "unknown key; did you mean \"unit\"?"),
                issue(7, 3, "metrics.noise_dba", "missing kind; expected kind: gauge, counter or state"),
            ])
    }

    @Test func kindSpecificRulesStatesOnlyForStateMetricsNoRangeOrUnitOnStates() {
        #expect(
            issues(
                "metrics:\n  s: {kind: state, states: [on], min: 0, unit: x}\n  g: {kind: gauge, states: [a]}\n  t: {kind: state}\n  u: {kind: state, states: []}\n"
            )
                == [
                    issue(2, 39, "metrics.s.min", "a state metric has no range; remove min"),
                    issue(2, 48, "metrics.s.unit", "a state metric has no unit; remove unit"),
                    issue(
                        3, 28, "metrics.g.states", "states is only for kind: state; a gauge has min and max"),
                    issue(
                        4, 3, "metrics.t",
                        "missing states; a state metric lists its states, e.g. states: [running, idle, fault, off]"
                    ),
                    issue(5, 28, "metrics.u.states", "expected at least one state, got an empty list"),
                ])
    }

    @Test func upPlannedAndFaultStatesDefaultToTheListedOnesOfRunningIdleAndFault() throws {
        let catalogue = try MetricCatalogueLoader.parse(
            yaml: """
                metrics:
                  machine_state: {kind: state, states: [running, idle, fault, off]}
                  press: {kind: state, states: [running, fault, setup]}
                  oven: {kind: state, states: [heating, holding, alarm, off], up_states: [heating, holding], \
                planned_states: [heating, holding, alarm], fault_states: [alarm]}
                  pump: {kind: state, states: [on, off], up_states: [], planned_states: [], fault_states: []}
                """, sourcePath: file)
        let machine = try #require(catalogue.definition(named: "machine_state"))
        #expect(machine.upStates == ["running"] && machine.plannedStates == ["running", "idle", "fault"])
        #expect(machine.faultStates == ["fault"])
        let press = try #require(catalogue.definition(named: "press"))
        #expect(press.upStates == ["running"] && press.plannedStates == ["running", "fault"] && press.faultStates == ["fault"])
        let oven = try #require(catalogue.definition(named: "oven"))
        #expect(oven.upStates == ["heating", "holding"] && oven.plannedStates == ["heating", "holding", "alarm"])
        #expect(oven.faultStates == ["alarm"])
        let pump = try #require(catalogue.definition(named: "pump"))
        #expect(pump.upStates.isEmpty && pump.plannedStates.isEmpty && pump.faultStates.isEmpty)
    }

    @Test func upPlannedAndFaultStatesMustBeTheMetricsOwnStatesAndUpTimeMustBePlanned() {
        #expect(
            issues(
                """
                metrics:
                  a: {kind: state, states: [run, stop], up_states: [running]}
                  b: {kind: state, states: [run, stop], fault_states: [stop, stop]}
                  c: {kind: state, states: [run, stop], up_states: [run], planned_states: [stop]}
                  d: {kind: gauge, fault_states: [x]}
                  e: {kind: state, states: [running, off], planned_states: [off]}
                """
            )
                == [
                    issue(2, 53, "metrics.a.up_states[0]", "\"running\" is not one of the metric's states (run, stop)"),
                    issue(3, 62, "metrics.b.fault_states[1]", "state \"stop\" is listed twice"),
                    issue(
                        4, 52, "metrics.c.up_states",
                        "up state \"run\" is not in planned_states (stop): availability = up time / planned time, "
                            + "so every up state must be planned"),
                    issue(5, 34, "metrics.d.fault_states", "fault_states is only for kind: state; a gauge has min and max"),
                    issue(
                        6, 60, "metrics.e.planned_states",
                        "up state \"running\" is not in planned_states (off): availability = up time / planned time, "
                            + "so every up state must be planned"),
                ])
    }

    @Test func reservedNamesMissingMetricsWrongShapesAndYAMLErrors() {
        #expect(
            issues("metrics:\n  ts: {kind: gauge}\n")
                == [
                    issue(
                        2, 3, "metrics.ts",
                        "\"ts\" is a key of the payload format (ts, values, seq) and cannot be a metric name")
                ])
        #expect(
            issues("strict: true\n") == [
                issue(1, 1, "metrics", "expected a metrics: section listing at least one metric")
            ])
        #expect(
            issues("") == [
                issue(nil, nil, "metrics", "expected a metrics: section listing at least one metric")
            ])
        #expect(
            issues("metrics: [a, b]\n")
                == [
                    issue(
                        1, 10, "metrics",
                        "expected a mapping from metric name to {kind, unit, min, max}, got a list")
                ])
        #expect(
            issues("metrics:\n  a: {kind: gauge, min: .nan}\n")
                == [issue(2, 25, "metrics.a.min", "expected a number like 150 or -40.5, got .nan")])
        #expect(
            issues("metrics:\n  a: {kind: gauge\n")
                == [
                    issue(
                        3, 1, "",
                        "invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 6)"
                    )
                ])
        #expect(
            issues("metrics:\n  a: {kind: gauge}\n  a: {kind: counter}\n")
                == [issue(2, 3, "", "duplicate key \"a\": a key may appear only once in a mapping")])
    }

    @Test func aMissingCatalogueFileGivenDirectlyIsOneIssue() {
        #expect(throws: ConfigErrors.self) {
            try MetricCatalogueLoader.load(path: "/nonexistent/metrics.yaml")
        }
    }
}
