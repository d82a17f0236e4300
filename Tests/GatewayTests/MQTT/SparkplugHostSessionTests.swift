import Foundation
import Testing

@testable import Gateway

/// The Sparkplug B host's rules without a broker: the STATE payload, when online goes out and
/// when it goes out again, the shutdown's offline step, and the queue of rebirth requests.
@Suite("Sparkplug host session")
struct SparkplugHostSessionTests {
    private func session() -> SparkplugHostSession {
        var settings = SparkplugHostSettings()
        settings.hostID = "gw-1"
        return SparkplugHostSession(settings: settings)
    }

    private func decode(_ text: String) -> SparkplugStatePayload? {
        Array(text.utf8).withUnsafeBytes { SparkplugStatePayload(decoding: $0) }
    }

    @Test func theStatePayloadIsTheSpecificationsJSONAndReadsBack() {
        let online = SparkplugStatePayload(online: true, timestamp: 1_765_000_000_123)
        #expect(String(decoding: online.bytes, as: UTF8.self) == #"{"online":true,"timestamp":1765000000123}"#)
        #expect(decode(String(decoding: online.bytes, as: UTF8.self)) == online)
        #expect(decode(#"{ "timestamp": 5, "online": false, "extra": 1 }"#) == SparkplugStatePayload(online: false, timestamp: 5))
        #expect(decode("OFFLINE") == nil)
        #expect(decode(#"{"online":"false","timestamp":5}"#) == nil)
        #expect(decode(#"{"online":false}"#) == nil)
        #expect(decode(#"{"online":1,"timestamp":5}"#) == nil)
    }

    @Test func onlineGoesOutWithTheConnectsTimestampOnceTheLastSubscriptionIsAcknowledged() {
        let host = session()
        #expect(host.beginConnect(atMillis: 1_000) == SparkplugStatePayload(online: false, timestamp: 1_000))
        #expect(host.connected(awaiting: [1, 2, 3], stateSubscription: 3) == nil)
        #expect(host.subscriptionAcknowledged(1) == (false, nil))
        let last = host.subscriptionAcknowledged(3)
        #expect(last.isStateTopic && last.publishOnline == nil)
        #expect(host.subscriptionAcknowledged(2) == (false, SparkplugStatePayload(online: true, timestamp: 1_000)))
        #expect(host.subscriptionAcknowledged(2) == (false, nil), "a repeated SUBACK publishes nothing more")
        #expect(!host.mayPublishCommands)
        host.onlinePublished()
        #expect(host.isOnline && host.mayPublishCommands)

        // A reconnect: a new T for the will and for the online message that follows it.
        host.disconnected()
        #expect(!host.isOnline && !host.mayPublishCommands)
        #expect(host.beginConnect(atMillis: 2_000).timestamp == 2_000)
        #expect(host.connected(awaiting: [], stateSubscription: nil) == SparkplugStatePayload(online: true, timestamp: 2_000))
    }

    @Test func anythingButOnlineOnTheOwnTopicIsAnsweredWithOnlineWhileOnline() {
        let host = session()
        _ = host.beginConnect(atMillis: 1_000)
        _ = host.connected(awaiting: [7], stateSubscription: 7)
        let staleWill = SparkplugStatePayload(online: false, timestamp: 500)
        #expect(host.onlineToRepublish(after: staleWill) == nil, "before online, the SUBACK publishes it anyway")
        _ = host.subscriptionAcknowledged(7)
        host.onlinePublished()
        let online = SparkplugStatePayload(online: true, timestamp: 1_000)
        #expect(host.onlineToRepublish(after: staleWill) == online)
        #expect(host.onlineToRepublish(after: nil) == online)
        #expect(host.onlineToRepublish(after: online) == nil)
        #expect(host.onlineToRepublish(after: SparkplugStatePayload(online: true, timestamp: 9)) == nil)
    }

    @Test func aShutdownPublishesOfflineOnceAndNothingOnlineAfterIt() {
        let host = session()
        _ = host.beginConnect(atMillis: 1_000)
        _ = host.connected(awaiting: [1], stateSubscription: 1)
        #expect(host.offlineToPublish(atMillis: 3_000) == nil, "not requested yet")
        #expect(host.requestOffline())
        #expect(!host.requestOffline(), "requested once")
        #expect(host.subscriptionAcknowledged(1).publishOnline == nil, "no online after the shutdown began")
        #expect(host.onlineToRepublish(after: SparkplugStatePayload(online: false, timestamp: 3_000)) == nil)
        #expect(!host.mayPublishCommands)
        #expect(host.offlineToPublish(atMillis: 3_000) == SparkplugStatePayload(online: false, timestamp: 3_000))
        host.offlinePublished(messageID: 42)
        #expect(host.offlineToPublish(atMillis: 3_001) == nil, "published once")
        host.published(messageID: 41)
        #expect(host.waitUntilOfflineSettled(timeoutMillis: 10) == nil, "another message's PUBACK settles nothing")
        host.published(messageID: 42)
        #expect(host.waitUntilOfflineSettled(timeoutMillis: 1_000) == .acknowledged)
    }

    @Test func withoutAConnectionOrWhenItDropsTheShutdownDoesNotWait() {
        let idle = session()
        #expect(!idle.requestOffline())
        #expect(idle.waitUntilOfflineSettled(timeoutMillis: 10) == .notConnected)

        let dropping = session()
        _ = dropping.beginConnect(atMillis: 1_000)
        _ = dropping.connected(awaiting: [], stateSubscription: nil)
        #expect(dropping.requestOffline())
        dropping.offlinePublished(messageID: 3)
        dropping.disconnected()
        #expect(dropping.waitUntilOfflineSettled(timeoutMillis: 1_000) == .failed)
    }

    @Test func theOwnStateTopicIsRecognisedByItsExactBytes() {
        let host = session()
        func isOwn(_ topic: String) -> Bool { Array(topic.utf8).withUnsafeBytes { host.isOwnStateTopic($0) } }
        #expect(host.stateTopic == "spBv1.0/STATE/gw-1")
        #expect(isOwn("spBv1.0/STATE/gw-1"))
        #expect(!isOwn("spBv1.0/STATE/gw-10"))
        #expect(!isOwn("spBv1.0/STATE/gw-"))
        #expect(!isOwn("spBv1.0/STATE/other"))
    }

    @Test func rebirthRequestsWaitOncePerEdgeNodeInOrderAndABoundedNumber() {
        let queue = SparkplugCommandQueue()
        #expect(queue.isEmpty)
        queue.requestRebirth(group: "g", edgeNode: "e1")
        queue.requestRebirth(group: "g", edgeNode: "e2")
        queue.requestRebirth(group: "g", edgeNode: "e1")
        let first = queue.takeAll()
        #expect(first.map(\.edgeNode) == ["e1", "e2"])
        #expect(queue.isEmpty)
        queue.requestRebirth(group: "g", edgeNode: "e3")
        queue.putBack(first)
        #expect(queue.takeAll().map(\.edgeNode) == ["e1", "e2", "e3"], "what was put back goes first")

        for index in 0..<(SparkplugCommandQueue.maxPending + 5) {
            queue.requestRebirth(group: "g", edgeNode: "n\(index)")
        }
        #expect(queue.takeAll().count == SparkplugCommandQueue.maxPending)
        queue.countPublished()
        #expect(queue.counts == SparkplugCommandQueue.Counts(published: 1, dropped: 5))
    }
}
