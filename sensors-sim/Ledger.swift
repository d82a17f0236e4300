import Foundation

/// The record of every published message, as JSON Lines in publish order: the independent
/// source of truth a test compares the gateway's rollups and quarantine against.
///
/// One line per message:
/// `{"n":0,"topic":…,"park":…,"site":…,"device":…,"seq":17|null,"shape":"ts"|null,
/// "fault":null|"malformed_payload"|"duplicate_seq"|"duplicate_payload","payload":"<exact payload>",
/// "readings":[{"metric":…,"kind":"gauge"|null,"ts":…|null,"v":<as in payload>,"fault":…|null}]}`.
/// A Sparkplug B message also has `"type"` (NBIRTH, DBIRTH, DDATA, DDEATH, NDEATH), `"spb_seq"` (its
/// edge node's seq, or null) and, in an NBIRTH or NDEATH, `"bdSeq"`; its payload is written in
/// hexadecimal (protobuf is binary), and its reading faults are the gateway's Sparkplug reasons.
/// Lines are buffered and written in chunks of 64 KiB; `close()` writes the rest. Not thread-safe:
/// one publishing loop owns it.
final class Ledger {
    /// Where the ledger is written.
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 64 * 1024

    /// Creates (or truncates) the ledger file at `path`.
    init(path: String) throws(SimError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SimError("cannot create ledger file \(path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(Self.flushThreshold * 2)
    }

    /// Appends the message's line; writes to the file when the buffer passes 64 KiB.
    func append(_ message: SimMessage) throws(SimError) {
        buffer.append(contentsOf: Self.line(for: message))
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes buffered lines to the file.
    func flush() throws(SimError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw SimError("cannot write ledger file \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, syncs and closes the file. Further appends are an error.
    func close() throws(SimError) {
        guard descriptor >= 0 else { return }
        try flush()
        let synced = fsync(descriptor)
        let syncError = errno
        let closed = Foundation.close(descriptor)
        descriptor = -1
        guard synced == 0, closed == 0 else {
            throw SimError("cannot close ledger file \(path): \(String(cString: strerror(synced == 0 ? errno : syncError)))")
        }
    }

    deinit {
        if descriptor >= 0 { _ = Foundation.close(descriptor) }
    }

    /// The ledger line of a message, newline included.
    static func line(for message: SimMessage) -> [UInt8] {
        var writer = JSONWriter(capacity: 2 * message.payload.count + 160 + 96 * message.readings.count)
        writer.raw("{\"n\":")
        writer.integer(message.index)
        writer.raw(",\"topic\":")
        writer.string(message.topic)
        writer.raw(",\"park\":")
        writer.string(message.park)
        writer.raw(",\"site\":")
        writer.string(message.site)
        writer.raw(",\"device\":")
        writer.string(message.device)
        writer.raw(",\"seq\":")
        if let seq = message.seq { writer.integer(seq) } else { writer.null() }
        if let sparkplug = message.sparkplug {
            writer.raw(",\"type\":")
            writer.string(sparkplug.type.rawValue)
            writer.raw(",\"spb_seq\":")
            if let seq = sparkplug.seq { writer.integer(seq) } else { writer.null() }
            if let bdSeq = sparkplug.bdSeq {
                writer.raw(",\"bdSeq\":")
                writer.integer(bdSeq)
            }
        }
        writer.raw(",\"shape\":")
        if let shape = message.shape { writer.string(shape.rawValue) } else { writer.null() }
        writer.raw(",\"fault\":")
        if let fault = message.messageFault { writer.string(fault.rawValue) } else { writer.null() }
        writer.raw(",\"payload\":")
        if message.sparkplug == nil { writer.string(utf8: message.payload) } else { writer.hex(message.payload) }
        writer.raw(",\"readings\":[")
        for (position, reading) in message.readings.enumerated() {
            if position > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.raw("{\"metric\":")
            writer.string(reading.metric)
            writer.raw(",\"kind\":")
            if let kind = reading.kind { writer.string(kind.rawValue) } else { writer.null() }
            writer.raw(",\"ts\":")
            if let ts = reading.ts { writer.integer(ts) } else { writer.null() }
            writer.raw(",\"v\":")
            writer.value(reading.value)
            writer.raw(",\"fault\":")
            if let fault = reading.fault {
                writer.string(message.sparkplug == nil ? fault.rawValue : fault.sparkplugReason)
            } else {
                writer.null()
            }
            writer.byte(UInt8(ascii: "}"))
        }
        writer.raw("]}\n")
        return writer.bytes
    }
}
