import SparkplugB
import Testing

@testable import SensorsSim

@Suite("Command line")
struct CommandLineTests {
    @Test func durationsMsSMHAndBareSecondsJunkIsRefused() {
        #expect(SimDuration(argument: "30s")?.seconds == 30)
        #expect(SimDuration(argument: "500ms")?.seconds == 0.5)
        #expect(SimDuration(argument: "2m")?.seconds == 120)
        #expect(SimDuration(argument: "1.5h")?.seconds == 5400)
        #expect(SimDuration(argument: "45")?.seconds == 45)
        #expect(SimDuration(argument: "3x") == nil)
        #expect(SimDuration(argument: "-1s") == nil)
        #expect(SimDuration(argument: "s") == nil)
    }

    @Test func shapesParsesNamesDropsRepeatsNamesTheBadOne() throws {
        #expect(try SensorsSim.parseShapes("ts, array,ts") == [.ts, .array])
        #expect(try SensorsSim.parseShapes("batch") == [.batch])
        #expect(throws: SimError("--shapes plain,tss: unknown shape 'tss', expected plain, ts, array or batch")) {
            try SensorsSim.parseShapes("plain,tss")
        }
    }

    @Test func defaultsMatchTheBrief() throws {
        let command = try SensorsSim.parse([])
        #expect(command.host == "127.0.0.1" && command.port == 1883 && command.qos == 1)
        #expect(command.mqttVersion == .v5 && command.seed == 1 && command.devices == 60 && command.rate == 200)
        #expect(command.connections == 1 && command.topicPrefix == "iiot" && command.seqStart == 1)
        #expect(command.count == nil && command.duration == nil && command.readingsPerMessage == 0 && command.firstDevice == 0)
        #expect(try SensorsSim.parseShapes(command.shapes) == [.plain, .ts, .array])
        #expect(command.faultPercentages.values.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [
        (["--count", "5", "--duration", "3s"], "--count and --duration are exclusive"),
        (["--qos", "3"], "--qos 3: expected 0, 1 or 2"),
        (
            ["--no-seq", "--fault-duplicate", "1"],
            "--fault-duplicate 1.0 with --no-seq needs timestamped shapes: the gateway counts a repeated plain payload (no seq, no ts) as a new reading; remove plain from --shapes plain,ts,array or drop --no-seq"
        ),
        (["--no-seq", "--shapes", "ts,plain", "--fault-duplicate", "2"], "remove plain from --shapes ts,plain or drop --no-seq"),
        (["--shapes", "plain", "--fault-late", "1"], "--fault-late/--fault-future need a timestamped shape"),
        (["--fault-malformed", "70", "--fault-wrong-type", "40"], "fault percentages add up to 110.0"),
        (["--connections", "4", "--devices", "3"], "--connections 4: expected 1 to --devices (3)"),
        (["--cert", "c.pem", "--key", "k.pem"], "--cert c.pem: TLS needs --cafile as well"),
        (["--insecure"], "--insecure only applies to TLS"),
        (["--readings-per-message", "1001"], "--readings-per-message 1001: expected 0 (all metrics) to 1000"),
        (["--devices", "10", "--first-device", "9999991"], "--first-device 9999991: expected 0 to 9999990"),
        (["--format", "sparkplug", "--no-seq"], "--no-seq: Sparkplug B messages always carry their edge node's seq"),
        (
            ["--format", "sparkplug", "--devices", "30", "--connections", "25"],
            "--connections 25: with --format sparkplug expected 1 to 24, the number of edge nodes"
        ),
        (["--edge-node-suffix=-b"], "--edge-node-suffix only applies to --format sparkplug"),
        (["--format", "sparkplug", "--edge-node-suffix", "a/b"], "--edge-node-suffix 'a/b': expected text without +, # or /"),
    ])
    func badCombinationsAreRefusedWithTheOptionsNamed(arguments: [String], message: String) {
        do {
            _ = try SensorsSim.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(SensorsSim.message(for: error).contains(message), "\(SensorsSim.message(for: error))")
        }
    }

    @Test func faultDuplicateAsksForDuplicateSeqOrWithNoSeqAndTimestampedShapesOnlyDuplicatePayload() throws {
        let withSeq = try SensorsSim.parse(["--fault-duplicate", "3"])
        #expect(withSeq.faultPercentages[.duplicateSeq] == 3 && withSeq.faultPercentages[.duplicatePayload] == 0)
        let withoutSeq = try SensorsSim.parse(["--no-seq", "--shapes", "ts,array,batch", "--fault-duplicate", "3"])
        #expect(withoutSeq.faultPercentages[.duplicateSeq] == 0 && withoutSeq.faultPercentages[.duplicatePayload] == 3)
        #expect(try SensorsSim.parse(["--no-seq", "--shapes", "plain"]).noSeq)
    }

    @Test func theRunSummaryNamesEveryFaultKind() {
        var summary = RunSummary()
        summary.messages = 10
        summary.readings = 40
        summary.faults = [.duplicateSeq: 2, .duplicatePayload: 1]
        summary.seconds = 4
        #expect(
            summary.render() == """
                sensors-sim: 10 messages, 40 readings in 4.0 s (2.5 msg/s)
                faults: malformed_payload 0, out_of_range 0, unknown_metric 0, wrong_type 0, duplicate_seq 2, duplicate_payload 1, too_late 0, future_timestamp 0

                """)
        summary.unacknowledged = 3
        #expect(
            summary.render().hasSuffix(
                "warning: 3 published messages were never acknowledged by the broker; the ledger lists them\n"))
    }

    @Test func sparkplugCarriesNoJSONSeqAsksForDuplicateSeqAndItsSummaryCountsBirthsAndDeaths() throws {
        let command = try SensorsSim.parse(["--format", "sparkplug", "--fault-duplicate", "3", "--shapes", "plain"])
        #expect(command.faultPercentages[.duplicateSeq] == 3 && command.faultPercentages[.duplicatePayload] == 0)
        var summary = RunSummary()
        summary.messages = 112
        summary.sparkplugControl = [.nodeBirth: 3, .deviceBirth: 4, .deviceDeath: 2, .nodeDeath: 3]
        summary.rebirthRequests = 1
        #expect(summary.dataMessages == 100)
        #expect(summary.render().hasSuffix("sparkplug: 100 DDATA, NBIRTH 3, DBIRTH 4, DDEATH 2, NDEATH 3, rebirth requests 1\n"))
    }

    @Test func theGeneratorsStreamIsFixedForASeed() {
        var random = SeededGenerator(seed: 1)
        #expect(
            (0..<3).map { _ in random.next() } == [
                12_966_619_160_104_079_557, 9_600_361_134_598_540_522, 10_590_380_919_521_690_900,
            ])
        var bounded = SeededGenerator(seed: 7)
        let draws = (0..<10_000).map { _ in bounded.below(6) }
        #expect(Set(draws) == Set(0..<6))
        #expect(draws.filter { $0 == 0 }.count == 1677)
    }
}
