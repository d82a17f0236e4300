import Testing

@testable import Telemetry

/// Arithmetic on values that came from devices holds at the bounds instead of trapping.
@Suite("Saturating arithmetic")
struct SaturatingArithmeticTests {
    @Test func sumsAndDifferencesHoldAtTheBounds() {
        #expect(Int64.max.addingSaturated(1) == .max)
        #expect(Int64.min.addingSaturated(-1) == .min)
        #expect(Int64(5).addingSaturated(-7) == -2)
        #expect(Int64(1_000).subtractingSaturated(.min) == .max)
        #expect(Int64.min.subtractingSaturated(1) == .min)
        #expect(Int64(5).subtractingSaturated(7) == -2)
    }
}
