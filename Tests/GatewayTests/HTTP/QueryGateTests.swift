import Testing

@testable import Gateway

/// `http.max_concurrent_queries`: requests beyond the cap are refused at once, and a slot is
/// free again as soon as its request ends, whether it answered or failed.
@Suite("Query gate")
struct QueryGateTests {
    @Test func aRequestBeyondTheCapIsRefusedAndASlotFreesWhenARequestEnds() async throws {
        let gate = QueryGate(limit: 2)
        let (started, startedFeed) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseFeed) = AsyncStream.makeStream(of: Void.self)
        let running = Task {
            await withTaskGroup(of: Int?.self) { group in
                for number in 1...2 {
                    group.addTask {
                        await gate.run {
                            startedFeed.yield()
                            for await _ in release { break }
                            return number
                        }
                    }
                }
                var answered: [Int] = []
                for await result in group { answered += result.map { [$0] } ?? [] }
                return answered.sorted()
            }
        }
        var iterator = started.makeAsyncIterator()
        for _ in 1...2 { await iterator.next() }

        #expect(await gate.run { 3 } == nil)
        releaseFeed.yield()
        releaseFeed.yield()
        #expect(await running.value == [1, 2])

        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
        #expect(await gate.run { 4 } == 4)
    }
}
