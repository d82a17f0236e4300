import Foundation
import Testing

@testable import TelemetryIndex

struct QueryBucketsTests {
    private let utc = TimeZone(identifier: "UTC") ?? .gmt
    private let tiers: [Int64] = [10_000, 60_000, 3_600_000]

    private func zone(_ identifier: String) throws -> TimeZone {
        try #require(TimeZone(identifier: identifier))
    }

    // MARK: Fixed steps

    @Test func fixedBucketsAreAlignedToTheEpochAndReachTo() {
        let buckets = QueryBuckets.buckets(from: 65_000, to: 185_000, step: .fixed(millis: 60_000), timeZone: utc)
        #expect(buckets == [60_000..<120_000, 120_000..<180_000, 180_000..<240_000])
        #expect(QueryBuckets.bucketCount(from: 65_000, to: 185_000, step: .fixed(millis: 60_000), timeZone: utc) == 3)
    }

    @Test func aRangeOnBucketBoundariesHasNoExtraBucket() {
        let buckets = QueryBuckets.buckets(from: 60_000, to: 180_000, step: .fixed(millis: 60_000), timeZone: utc)
        #expect(buckets == [60_000..<120_000, 120_000..<180_000])
    }

    @Test func alignmentFloorsNegativeInstantsToo() {
        let step = QueryStep.fixed(millis: 60_000)
        #expect(
            QueryBuckets.buckets(from: -65_000, to: -5_000, step: step, timeZone: utc) == [-120_000..<(-60_000), -60_000..<0])
        #expect(QueryBuckets.buckets(from: -60_000, to: 1, step: step, timeZone: utc) == [-60_000..<0, 0..<60_000])
        #expect(QueryBuckets.buckets(from: -1, to: 0, step: step, timeZone: utc) == [-60_000..<0])
    }

    @Test func anEmptyOrBackwardRangeHasNoBuckets() {
        let step = QueryStep.fixed(millis: 60_000)
        #expect(QueryBuckets.buckets(from: 60_000, to: 60_000, step: step, timeZone: utc) == [])
        #expect(QueryBuckets.bucketCount(from: 90_000, to: 60_000, step: step, timeZone: utc) == 0)
        #expect(QueryBuckets.bucketCount(from: 90_000, to: 60_000, step: .days(1), timeZone: utc) == 0)
    }

    @Test func tenYearsAtTenSecondsIsCountedWithoutMakingTheBuckets() {
        // 2016-01-01 to 2026-01-01: 3,653 days of 8,640 buckets; refused by count, long before any allocation.
        let clock = ContinuousClock()
        var count: Int?
        let elapsed = clock.measure {
            count = QueryBuckets.bucketCount(
                from: 1_451_606_400_000, to: 1_767_225_600_000, step: .fixed(millis: 10_000), timeZone: utc)
        }
        #expect(count == 31_561_920)
        #expect(elapsed < .milliseconds(100))
    }

    @Test func boundariesBeyondInt64AreNilNotATrap() {
        let step = QueryStep.fixed(millis: 10_000)
        #expect(QueryBuckets.bucketCount(from: Int64.min + 1, to: 0, step: step, timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: Int64.max - 5, to: Int64.max, step: step, timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: Int64.min, to: Int64.max, step: .fixed(millis: 1), timeZone: utc) == nil)
        #expect(QueryBuckets.buckets(from: Int64.max - 5, to: Int64.max, step: step, timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: 0, to: 1, step: .fixed(millis: 0), timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: 0, to: 1, step: .fixed(millis: -60_000), timeZone: utc) == nil)
    }

    @Test func bucketsNearTheEndsOfInt64AreCountedWhenTheyFit() {
        // Int64.min is a multiple of 2^10, so a 1024 ms step can start exactly there.
        #expect(
            QueryBuckets.buckets(from: Int64.min, to: Int64.min + 1, step: .fixed(millis: 1024), timeZone: utc)
                == [Int64.min..<(Int64.min + 1024)])
        #expect(QueryBuckets.bucketCount(from: Int64.max - 1, to: Int64.max, step: .fixed(millis: 1), timeZone: utc) == 1)
    }

    // MARK: Day steps

    @Test func dayBucketsInUTCStartAtMidnightUTC() throws {
        // 2026-12-01T10:00Z to 2026-12-03T00:00Z.
        let buckets = QueryBuckets.buckets(from: 1_796_119_200_000, to: 1_796_256_000_000, step: .days(1), timeZone: utc)
        #expect(buckets == [1_796_083_200_000..<1_796_169_600_000, 1_796_169_600_000..<1_796_256_000_000])
    }

    @Test func theDayDSTBeginsInBerlinIsTwentyThreeHoursLong() throws {
        // 2026-03-28T12:00Z to 2026-03-31T00:00Z; clocks go from 02:00 to 03:00 on 29 March.
        let buckets = try #require(
            QueryBuckets.buckets(from: 1_774_699_200_000, to: 1_774_915_200_000, step: .days(1), timeZone: zone("Europe/Berlin")))
        #expect(
            buckets == [
                1_774_652_400_000..<1_774_738_800_000,  // 28 March, 00:00+01:00
                1_774_738_800_000..<1_774_821_600_000,  // 29 March, 00:00+01:00 to 00:00+02:00
                1_774_821_600_000..<1_774_908_000_000,  // 30 March
                1_774_908_000_000..<1_774_994_400_000,  // 31 March
            ])
        #expect(buckets.map { $0.upperBound - $0.lowerBound } == [86_400_000, 82_800_000, 86_400_000, 86_400_000])
    }

    @Test func theDayDSTEndsInBerlinIsTwentyFiveHoursLong() throws {
        // 2026-10-25T00:00+02:00 to 2026-10-26T00:00+01:00.
        let buckets = QueryBuckets.buckets(
            from: 1_792_879_200_000, to: 1_792_969_200_000, step: .days(1), timeZone: try zone("Europe/Berlin"))
        #expect(buckets == [1_792_879_200_000..<1_792_969_200_000])
        #expect(buckets?.first.map { $0.upperBound - $0.lowerBound } == 90_000_000)
    }

    @Test func aWeekAcrossTheSpringChangeIsOneHourShort() throws {
        // From 2026-03-25T12:00Z: the week runs from 25 March 00:00+01:00 to 1 April 00:00+02:00.
        let buckets = QueryBuckets.buckets(
            from: 1_774_440_000_000, to: 1_774_483_200_000, step: .days(7), timeZone: try zone("Europe/Berlin"))
        #expect(buckets == [1_774_393_200_000..<1_774_994_400_000])
        #expect(buckets?.first.map { $0.upperBound - $0.lowerBound } == 601_200_000)
    }

    @Test func inHoChiMinhCityMidnightIsFivePMUTCTheDayBefore() throws {
        let hcm = try zone("Asia/Ho_Chi_Minh")
        // 2026-12-01T00:00Z (07:00 local) to 2026-12-02T18:00Z (01:00 local on 3 December).
        let buckets = QueryBuckets.buckets(from: 1_796_083_200_000, to: 1_796_234_400_000, step: .days(1), timeZone: hcm)
        #expect(
            buckets == [
                1_796_058_000_000..<1_796_144_400_000,  // 2026-11-30T17:00Z
                1_796_144_400_000..<1_796_230_800_000,  // 2026-12-01T17:00Z
                1_796_230_800_000..<1_796_317_200_000,  // 2026-12-02T17:00Z
            ])
        #expect(QueryBuckets.bucketCount(from: 1_796_083_200_000, to: 1_796_234_400_000, step: .days(1), timeZone: hcm) == 3)
        // One millisecond before local midnight belongs to the day before; midnight itself starts a day.
        #expect(
            QueryBuckets.buckets(from: 1_796_144_399_999, to: 1_796_144_400_000, step: .days(1), timeZone: hcm)
                == [1_796_058_000_000..<1_796_144_400_000])
        #expect(
            QueryBuckets.buckets(from: 1_796_144_400_000, to: 1_796_144_400_001, step: .days(1), timeZone: hcm)
                == [1_796_144_400_000..<1_796_230_800_000])
    }

    @Test func aDayWhoseMidnightIsSkippedStartsAtItsFirstInstant() throws {
        // Chile moves 2026-09-06 00:00-04:00 to 01:00-03:00: that day starts at 04:00Z and lasts 23 hours.
        let santiago = try zone("America/Santiago")
        let buckets = QueryBuckets.buckets(from: 1_788_624_000_000, to: 1_788_710_400_000, step: .days(1), timeZone: santiago)
        #expect(buckets == [1_788_580_800_000..<1_788_667_200_000, 1_788_667_200_000..<1_788_750_000_000])
    }

    @Test func dayStepsOutsideTheCalendarsTrustedRangeAreNil() {
        #expect(QueryBuckets.bucketCount(from: 0, to: 1, step: .days(3_660_001), timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: 0, to: 1, step: .days(3_660_000), timeZone: utc) == 1)
        #expect(QueryBuckets.bucketCount(from: 0, to: 1, step: .days(0), timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: -1_000_000_000_000_000, to: 0, step: .days(1), timeZone: utc) == nil)
        #expect(QueryBuckets.bucketCount(from: 0, to: Int64.max, step: .days(1), timeZone: utc) == nil)
        #expect(QueryBuckets.buckets(from: 0, to: Int64.max, step: .days(1), timeZone: utc) == nil)
        // The years 0 to 9999 in UTC: 3,652,425 days.
        #expect(
            QueryBuckets.bucketCount(
                from: -62_167_219_200_000, to: 253_402_300_800_000, step: .days(1), timeZone: utc) == 3_652_425)
    }

    @Test func countAndBucketsAgreeOnRandomRangesInManyZones() throws {
        let zones = try [
            "UTC", "Europe/Berlin", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe",
            "America/Santiago", "Pacific/Chatham",
        ].map(zone)
        let steps: [QueryStep] = [.days(1), .days(2), .days(7), .fixed(millis: 3_600_000), .fixed(millis: 90_000)]
        var random = SplitMix64(seed: 3)
        for index in 0..<400 {
            let timeZone = zones[index % zones.count]
            let step = steps[index / zones.count % steps.count]
            let from = 1_700_000_000_000 + Int64(random.next() % 200_000_000_000)
            let nominal: Int64 =
                switch step {
                case .fixed(let millis): millis
                case .days(let days): Int64(days) * 86_400_000
                }
            let to = from + 1 + Int64(random.next() % UInt64(40 * nominal))
            let buckets = try #require(QueryBuckets.buckets(from: from, to: to, step: step, timeZone: timeZone))
            #expect(QueryBuckets.bucketCount(from: from, to: to, step: step, timeZone: timeZone) == buckets.count)
            let first = try #require(buckets.first)
            let last = try #require(buckets.last)
            #expect(first.contains(from), "\(timeZone.identifier) \(step) \(from)")
            #expect(last.contains(to - 1), "\(timeZone.identifier) \(step) \(to)")
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            switch step {
            case .fixed(let millis):
                #expect(buckets.allSatisfy { $0.lowerBound % millis == 0 && $0.count == millis })
            case .days(let days):
                for bucket in buckets {
                    let start = Date(timeIntervalSince1970: Double(bucket.lowerBound) / 1000)
                    let end = Date(timeIntervalSince1970: Double(bucket.upperBound) / 1000)
                    let label = "\(timeZone.identifier) \(bucket)"
                    #expect(calendar.startOfDay(for: start) == start, "\(label)")
                    #expect(localDay(end, calendar) - localDay(start, calendar) == days, "\(label)")
                }
            }
        }
    }

    /// The local date of `date` as a day number (DateComponents' difference in days is wall-clock based).
    private func localDay(_ date: Date, _ calendar: Calendar) -> Int {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let days = TimeExpression.daysFromCivil(
            year: Int64(parts.year ?? 0), month: Int64(parts.month ?? 0), day: Int64(parts.day ?? 0))
        return Int(days)
    }

    // MARK: Tiers

    @Test func aFixedStepTakesTheCoarsestTierThatDividesIt() {
        let cases: [(QueryStep, Int64?)] = [
            (.fixed(millis: 10_000), 10_000), (.fixed(millis: 60_000), 60_000), (.fixed(millis: 90_000), 10_000),
            (.fixed(millis: 300_000), 60_000), (.fixed(millis: 7_200_000), 3_600_000), (.fixed(millis: 15_000), nil),
            (.fixed(millis: 5_000), nil), (.fixed(millis: 0), nil),
        ]
        for (step, tier) in cases {
            #expect(QueryBuckets.tier(for: step, tiers: tiers, timeZone: utc, from: 0, to: 86_400_000) == tier, "\(step)")
        }
    }

    @Test func aDayStepInUTCTakesTheDayTierWhenThereIsOne() {
        let day: Int64 = 86_400_000
        #expect(QueryBuckets.tier(for: .days(1), tiers: tiers, timeZone: utc, from: 0, to: 10 * day) == 3_600_000)
        #expect(QueryBuckets.tier(for: .days(1), tiers: tiers + [day], timeZone: utc, from: 0, to: 10 * day) == day)
        #expect(QueryBuckets.tier(for: .days(7), tiers: tiers + [day], timeZone: utc, from: 0, to: 30 * day) == day)
    }

    @Test func berlinMidnightsAreWholeHoursAcrossTheDSTChange() throws {
        let tier = QueryBuckets.tier(
            for: .days(1), tiers: tiers + [86_400_000], timeZone: try zone("Europe/Berlin"), from: 1_774_699_200_000,
            to: 1_774_915_200_000)
        #expect(tier == 3_600_000)
    }

    @Test func kolkataMidnightsOnTheHalfHourRuleOutTheHourTier() throws {
        let kolkata = try zone("Asia/Kolkata")
        // 2026-12-01T00:00Z for a week; local midnight is 18:30Z.
        let from: Int64 = 1_796_083_200_000
        let to = from + 7 * 86_400_000
        #expect(
            QueryBuckets.buckets(from: from, to: from + 1, step: .days(1), timeZone: kolkata)?.first?.lowerBound
                == 1_796_063_400_000)
        #expect(QueryBuckets.tier(for: .days(1), tiers: tiers, timeZone: kolkata, from: from, to: to) == 60_000)
        #expect(
            QueryBuckets.tier(
                for: .days(1), tiers: [10_000, 60_000, 1_800_000, 3_600_000], timeZone: kolkata, from: from, to: to)
                == 1_800_000)
        // A fixed hour step ignores the zone: its buckets are UTC hours, which the hour tier fills.
        #expect(
            QueryBuckets.tier(for: .fixed(millis: 3_600_000), tiers: tiers, timeZone: kolkata, from: from, to: to) == 3_600_000)
    }

    @Test func theLastBucketsEndCountsToo() throws {
        // Lord Howe Island ends DST on 2026-04-05, going from +11:00 to +10:30: 5 April ends on a half hour.
        let lordHowe = try zone("Australia/Lord_Howe")
        let fourthNoon: Int64 = 1_775_264_400_000  // 2026-04-04T12:00+11:00
        #expect(
            QueryBuckets.tier(for: .days(1), tiers: tiers, timeZone: lordHowe, from: fourthNoon, to: fourthNoon + 3_600_000)
                == 3_600_000)
        #expect(
            QueryBuckets.tier(for: .days(1), tiers: tiers, timeZone: lordHowe, from: fourthNoon, to: fourthNoon + 86_400_000)
                == 60_000)
    }

    @Test func noTierFitsWhenNoneDividesTheBoundaries() throws {
        #expect(QueryBuckets.tier(for: .days(1), tiers: [7_000], timeZone: utc, from: 0, to: 86_400_000) == nil)
        #expect(QueryBuckets.tier(for: .days(1), tiers: [], timeZone: utc, from: 0, to: 86_400_000) == nil)
        #expect(QueryBuckets.tier(for: .days(1), tiers: tiers, timeZone: utc, from: 0, to: Int64.max) == nil)
        // Chatham Islands: +13:45 in summer, a quarter past the hour.
        #expect(
            QueryBuckets.tier(
                for: .days(1), tiers: [3_600_000, 1_800_000], timeZone: try zone("Pacific/Chatham"),
                from: 1_796_083_200_000, to: 1_796_169_600_000) == nil)
    }
}
