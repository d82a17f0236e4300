import Foundation
import Testing

@testable import Telemetry

/// The differential test against the reference implementation, PyPI `ddsketch` 3.0.1
/// (`LogCollapsingLowestDenseDDSketch`), run through `scripts/ddsketch-reference`, which installs
/// it into `.build/ddsketch-venv` on first use. Same values, same α and bin limit: the bins
/// (keys, counts, zero count, collapse flags) must be identical, and so must every quantile of
/// the grid, to the bit; each is also checked within α of the exact quantile when no bin
/// collapsed. Without python3, its venv module or PyPI the test fails, saying which.
@Suite("QuantileSketch against ddsketch 3.0.1")
struct QuantileSketchReferenceTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Case {
        var name: String
        var values: [Double]
        var relativeAccuracy = 0.01
        var binLimit = 2048
    }

    /// What `scripts/ddsketch-reference.py` prints.
    struct ReferenceOutput: Decodable {
        struct Bins: Decodable {
            var bins: [[Int]]
            var collapsed: Bool
        }
        var count: Int
        var zero_count: Int
        var quantiles: [String]
        var positive: Bins
        var negative: Bins
    }

    static func cases() -> [Case] {
        var cases = SketchStream.allCases.map { Case(name: "\($0)", values: $0.values(count: 200_000, seed: 31)) }
        cases.append(Case(name: "mixed signs", values: QuantileSketchMergeTests.mixedValues(count: 50_000, seed: 8)))
        cases.append(
            Case(
                name: "mixed signs, α 2 %, 64 bins (collapsed)",
                values: QuantileSketchMergeTests.mixedValues(count: 50_000, seed: 9), relativeAccuracy: 0.02, binLimit: 64))
        // Values on and next to bin boundaries γ^k, where rounding decides the key.
        let gamma = LogarithmicMapping(relativeAccuracy: 0.01).gamma
        cases.append(
            Case(
                name: "bin boundaries",
                values: (-300...300).flatMap { k -> [Double] in
                    let boundary = pow(gamma, Double(k))
                    return [boundary, boundary.nextUp, boundary.nextDown, -boundary]
                }))
        return cases
    }

    @Test func binsAndQuantilesEqualTheReferences() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ddsketch-reference-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for testCase in Self.cases() {
            let sketch = try sketch(
                of: testCase.values, relativeAccuracy: testCase.relativeAccuracy, binLimit: testCase.binLimit)
            let reference = try Self.runReference(testCase, in: directory)

            #expect(reference.count == testCase.values.count, "\(testCase.name)")
            #expect(UInt64(reference.zero_count) == sketch.zeroCount, "\(testCase.name): zero count")
            #expect(reference.positive.bins == Self.pairs(sketch.positive), "\(testCase.name): positive bins")
            #expect(reference.negative.bins == Self.pairs(sketch.negative), "\(testCase.name): negative bins")
            #expect(reference.positive.collapsed == sketch.positive.isCollapsed, "\(testCase.name)")
            #expect(reference.negative.collapsed == sketch.negative.isCollapsed, "\(testCase.name)")

            let sorted = testCase.values.sorted()
            var worstAgainstExact = 0.0
            for (q, text) in zip(quantileGrid, reference.quantiles) {
                let theirs = try #require(Double(text), "\(testCase.name): \(text) is not a float")
                let ours = try #require(sketch.quantile(q))
                #expect(ours == theirs, "\(testCase.name) q \(q): \(ours) here, \(theirs) in ddsketch")
                if !sketch.isCollapsed {
                    // Magnitudes up to DBL_MIN · γ (here: subnormals) are counted as zero.
                    let exact = exactQuantile(q, of: sorted)
                    let expected = exact.magnitude <= sketch.mapping.smallestIndexable ? 0 : exact
                    let error = relativeError(ours, expected)
                    #expect(error <= testCase.relativeAccuracy * (1 + 1e-9), "\(testCase.name) q \(q)")
                    worstAgainstExact = max(worstAgainstExact, error)
                }
            }
            let againstExact =
                sketch.isCollapsed
                ? "collapsed, not compared with exact" : "max relative error against exact \(worstAgainstExact)"
            print(
                "sketch vs ddsketch 3.0.1: \(testCase.name), \(testCase.values.count) values, \(sketch.nonEmptyBinCount) bins: bins and quantiles compared; \(againstExact)"
            )
        }
    }

    static func pairs(_ bins: SketchBins) -> [[Int]] {
        bins.counts.enumerated().compactMap { index, count in
            count > 0 ? [Int(bins.lowestKey) + index, Int(count)] : nil
        }
    }

    /// Writes the values, runs the reference script and decodes its output; a failure to run
    /// it (no python3, no venv module, no PyPI) is an error carrying the script's message.
    static func runReference(_ testCase: Case, in directory: URL) throws -> ReferenceOutput {
        let valuesURL = directory.appendingPathComponent("values.txt")
        let outputURL = directory.appendingPathComponent("output.json")
        let errorURL = directory.appendingPathComponent("stderr.txt")
        let text = testCase.values.map { "\($0)\n" }.joined()
        try Data(text.utf8).write(to: valuesURL)
        for url in [outputURL, errorURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            repositoryRoot.appendingPathComponent("scripts/ddsketch-reference").path,
            "--relative-accuracy", "\(testCase.relativeAccuracy)", "--bin-limit", "\(testCase.binLimit)",
            "--quantiles", quantileGrid.map { "\($0)" }.joined(separator: ","), valuesURL.path,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw ReferenceUnavailable(
                "scripts/ddsketch-reference exited with \(process.terminationStatus) for \(testCase.name); "
                    + "the differential test needs python3 with venv and PyPI access:\n\(stderr.suffix(2000))")
        }
        return try JSONDecoder().decode(ReferenceOutput.self, from: Data(contentsOf: outputURL))
    }

    struct ReferenceUnavailable: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
