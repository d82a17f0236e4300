import Testing

@testable import SensorsSim

@Suite("Fleet layout")
struct FleetTests {
    @Test func device3IsYenMyF01Env0003AsInTheDesignsExamples() {
        let device = Fleet(count: 60, seed: 1).devices[3]
        #expect(device.topic == "iiot/yen-my/f01/env-0003/telemetry")
        #expect(device.kind == .environment)
    }

    @Test func firstDeviceAFleetFromIndex10IsDevices10OfTheWholeFleetValuesIncluded() {
        var part = Fleet(count: 4, seed: 3, firstIndex: 10).devices
        var whole = Array(Fleet(count: 14, seed: 3).devices.suffix(4))
        #expect(part.map(\.name) == ["utl-0010", "env-0011", "utl-0012", "env-0013"])
        #expect(part.map(\.topic) == whole.map(\.topic))
        #expect(part.map(\.index) == [10, 11, 12, 13])
        for position in part.indices {
            #expect(
                part[position].sample(atMilliseconds: testEpochMilliseconds)
                    == whole[position].sample(atMilliseconds: testEpochMilliseconds))
        }
    }

    @Test func devicesGoRoundRobinOverParksThenSitesAndKindsRotatePerPass() {
        let devices = Fleet(count: 25, seed: 9, topicPrefix: "plant").devices
        #expect(
            devices.prefix(7).map(\.name) == ["env-0000", "mch-0001", "utl-0002", "env-0003", "mch-0004", "utl-0005", "mch-0006"])
        #expect(
            devices.prefix(7).map(\.park) == [
                "hoa-lac-hitech", "thang-long-ii", "pho-noi-a", "yen-my", "yen-my-ii", "dinh-vu", "hoa-lac-hitech",
            ])
        #expect(devices.map(\.site).filter { $0 == "f01" }.count == 7)
        #expect(devices[6].site == "f02")
        #expect(devices[18].site == "f04")
        #expect(devices[24].site == "f01")
        #expect(devices[24].topic == "plant/hoa-lac-hitech/f01/mch-0024/telemetry")
    }

    @Test func with18DevicesEveryParkHasOneDeviceOfEveryKind() {
        let devices = Fleet(count: 18, seed: 1).devices
        for park in Fleet.parks {
            let kinds = Set(devices.filter { $0.park == park }.map(\.kind))
            #expect(kinds == Set(DeviceKind.allCases), "park \(park)")
        }
    }

    @Test func namesKeepGrowingPast9999Devices() {
        let device = SimulatedDevice(
            index: 12345, kind: .machine, park: "dinh-vu", site: "f02", topicPrefix: "iiot", seed: 1, seqStart: 1)
        #expect(device.name == "mch-12345")
    }

    @Test func catalogueMetricNamesKindsAndRangesPerDeviceKind() {
        #expect(
            DeviceKind.environment.metrics.map(\.name) == [
                "temperature_c", "humidity_pct", "pm25_ugm3", "pm10_ugm3", "co2_ppm", "noise_dba",
            ])
        #expect(DeviceKind.machine.metrics.map(\.kind) == [.gauge, .gauge, .counter, .counter, .counter, .state])
        #expect(DeviceKind.utilityMeter.metrics.map(\.range) == [0...10000, 0...100])
        #expect(DeviceKind.environment.metrics[0].range == -40...150)
        #expect(DeviceKind.machine.metrics[5].states == ["running", "idle", "fault", "off"])
    }
}
