import Testing

@testable import TelemetryIndex

struct NameFilterTests {
    private func filter(_ text: String) throws -> NameFilter {
        try NameFilter.parse(text, parameter: "device")
    }

    @Test func anEmptyParameterSelectsEveryName() throws {
        let any = try filter("")
        #expect(any == .any)
        #expect(any.isAny)
        #expect(any.patterns.isEmpty)
        #expect(any.matches("f01"))
        #expect(any.matches(""))
        #expect(any.description == "*")
    }

    @Test(arguments: ["*", "**", "f01,*", "*,f01", "a*,***,b"])
    func aListWithAStarAloneSelectsEveryName(text: String) throws {
        #expect(try filter(text) == .any)
        #expect(try filter(text).isAny)
    }

    @Test func anExactNameMatchesOnlyItsOwnBytes() throws {
        let exact = try filter("f01")
        #expect(!exact.isAny)
        #expect(exact.matches("f01"))
        #expect(exact.matches(Array("f01".utf8)))
        #expect(!exact.matches("f011"))
        #expect(!exact.matches("f0"))
        #expect(!exact.matches("F01"))
        #expect(!exact.matches(""))
    }

    @Test func aCommaListMatchesAnyOfItsItems() throws {
        let list = try filter("f01,f02,line3-*")
        #expect(list.patterns == [Array("f01".utf8), Array("f02".utf8), Array("line3-*".utf8)])
        for name in ["f01", "f02", "line3-", "line3-a", "line3-inverter-7"] {
            #expect(list.matches(name), "\(name)")
        }
        for name in ["f03", "f0", "line4-a", "xline3-a", "line3", ""] {
            #expect(!list.matches(name), "\(name)")
        }
        #expect(list.description == "f01,f02,line3-*")
    }

    @Test func namesDifferingOnlyInUnicodeNormalizationAreDifferentNames() throws {
        let precomposed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)  // what String equality would wrongly merge
        let onlyPrecomposed = try filter(precomposed)
        let onlyDecomposed = try filter(decomposed)
        #expect(onlyPrecomposed.matches(precomposed))
        #expect(!onlyPrecomposed.matches(decomposed))
        #expect(onlyDecomposed.matches(decomposed))
        #expect(!onlyDecomposed.matches(precomposed))
        #expect(onlyPrecomposed != onlyDecomposed)
        #expect(try filter("*\u{E9}").matches(precomposed))
        #expect(try !filter("*\u{E9}").matches(decomposed))
        #expect(try filter("caf*").matches(precomposed))
        #expect(try filter("caf*").matches(decomposed))
    }

    @Test func theAngstromSignAndTheLetterAWithRingAreDifferentNames() throws {
        #expect(try filter("\u{212B}").matches("\u{212B}"))
        #expect(try !filter("\u{212B}").matches("\u{C5}"))
    }

    @Test(arguments: [
        ("a*b", "ab", true), ("a*b", "axxb", true), ("a*b", "ba", false), ("a*b", "a", false), ("a*b", "abx", false),
        ("*a", "a", true), ("*a", "bca", true), ("*a", "ab", false), ("a*", "a", true), ("a*", "abc", true),
        ("a*", "ba", false), ("a*b*c", "abc", true), ("a*b*c", "a_b_c", true), ("a*b*c", "acb", false),
        ("ab*ba", "aba", false), ("ab*ba", "abba", true), ("ab*ba", "abXba", true), ("*ab*ab*", "abab", true),
        ("*ab*ab*", "aab", false), ("*ab*ab*", "xxabyyabzz", true), ("a*a", "a", false), ("a*a", "aa", true),
        ("a**b", "ab", true), ("*x*", "", false), ("*x*", "x", true), ("f*1", "f01", true), ("f*1", "f012", false),
        ("*aab", "aaab", true), ("*aab*c", "aaabaabc", true), ("a*ab", "aab", true), ("a*ab", "ab", false),
    ])
    func starMatchesAnyRunOfBytesIncludingNone(pattern: String, name: String, expected: Bool) throws {
        #expect(try filter(pattern).matches(name) == expected)
    }

    @Test func aStarMatchesAnyBytesEvenInsideOneCharacter() throws {
        // "e" + U+0301 is one Character but three bytes: a star can stop between them.
        #expect(try filter("cafe*").matches("cafe\u{301}"))
        #expect(try filter("caf*\u{301}").matches("cafe\u{301}"))
    }

    @Test func aPathologicalPatternFinishesAtOnce() throws {
        let pattern = try filter(String(repeating: "a*", count: 40) + "b")
        let noMatch = String(repeating: "a", count: 20_000)
        let match = noMatch + "b"
        let pattern2 = try filter(String(repeating: "*a", count: 40) + "*c")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(!pattern.matches(noMatch))
            #expect(pattern.matches(match))
            #expect(!pattern2.matches(match))
        }
        #expect(elapsed < .milliseconds(500))
    }

    @Test func anyByteCollectionCanBeMatched() throws {
        let exact = try filter("f01,line3-*")
        #expect(exact.matches(Array("xf01".utf8).dropFirst()))
        #expect(exact.matches("f01".utf8.lazy.map { $0 }))  // not contiguous
        #expect(exact.matches("line3-b".utf8.lazy.map { $0 }))
        #expect(!exact.matches("f02".utf8.lazy.map { $0 }))
    }

    @Test func duplicatesAreDroppedAndOrderKept() throws {
        #expect(try filter("f02,f01,f02").patterns == [Array("f02".utf8), Array("f01".utf8)])
        #expect(try filter("f02,f01,f02") == filter("f02,f01"))
    }

    @Test(arguments: ["a,,b", "a,", ",a", ",", ",,"])
    func anEmptyItemInAListIsAnError(text: String) {
        let error = #expect(throws: QueryParameterError.self) { try NameFilter.parse(text, parameter: "park") }
        #expect(
            error?.description
                == "park: \"\(text)\" has an empty item in its list; "
                + "expected names or * globs separated by commas (f01,f02,line3-*)")
        #expect(error?.parameter == "park")
        #expect(error?.value == text)
    }

    @Test func aFilterMadeInCodeEqualsTheParsedOne() throws {
        #expect(try filter("f01,f*") == NameFilter(patterns: [Array("f01".utf8), Array("f*".utf8)]))
        #expect(NameFilter(patterns: [Array("*".utf8)]) == .any)
    }
}
