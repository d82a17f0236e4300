// libFuzzer target `Pipeline`: arbitrary sequences of MQTT messages, clock steps, window
// closes, checkpoints and redeliveries through the whole `IngestPipeline` (optionally through a
// `MessageRing` first), with small limits so that short programs reach them: tiers of a few
// seconds, 3 or 6 series, a 64-number sequence window, a redelivery window of 3 messages, 2
// payload excerpts a second, 1 KiB payloads, 12 readings a message. Checked after every
// operation; a broken invariant traps and libFuzzer keeps the input.
//
// Input: a program (ProgramReader: bytes past the end read as 0, so every input is valid).
// Byte 0: bit 0 strict catalogue, bit 1 the primary pipeline's messages go through the ring,
// bits 2–3 allowed lateness 0 / 0.5 / 2 / 5 s, bits 4–5 the tier set, bit 6 no redelivery
// window, bit 7 `maxSeries` 3 instead of 6. Byte 1: bit 0 only 2 rejected readings of a message
// written one by one (the rest in a summary record), bit 1 retained deliveries accepted, bit 2
// `maxNameBytes` 12 instead of 128 (PipelineFixture). Then operations until the input ends,
// each an op byte (mod 16) and its operands:
//   0–4   message: topic index (16 topics: 10 devices, two in one park spelled NFC and NFD,
//         one invalid UTF-8, a too-long topic, topics that do not fit the pattern), packet id, then
//         a payload built by PayloadGenerator from the next bytes (shape; seq 0, 1, 2⁶³,
//         2⁶⁴ − 1, near the topic's previous one, random; ts now, earlier, later, at and past
//         the future tolerance, 0, 2⁵³; names from the catalogue, unknown, NFC/NFD, escaped,
//         long, empty, invalid UTF-8; values small, ±0, ±1e308, 5e-324, 1e100, 1e101, 1e999,
//         ±1e154, strings, states, other JSON types)
//   5     the same, delivered with MQTT's retain flag
//   6–7   raw message: topic index, packet id, 2-byte length (bits 0–11: that many payload
//         bytes follow; bit 15: they are the start of a payload of 1025 + 1000 × bits 12–14
//         bytes, cut to fit the ring)
//   8–9   receive clock: mode (bits 6–7: +n ms, +n × 100 ms, +n × 10 s, −n ms), n
//   10–11 closeWindows: ingest clock now + (bits 0–5) × 250 ms, bit 6 receiving resumed now,
//         bit 7 time the closes
//   12    checkpoint + restore: choice (bit 0 the old twin's checkpoint must equal the
//         primary's, bit 1 also restore a damaged copy into a scratch pipeline, cut (bit 3) or
//         with one byte changed at the 2-byte position that follows, bit 2 restore into the old
//         twin instead of a new pipeline), 2-byte position
//   13    the previous message again with its packet id (the broker's QoS 1 redelivery)
//   14    flushAll
//   15    the previous message again under the next packet id (the device resending it)
// At the end every open window is flushed. PIPELINE_FUZZ_TRACE=1 in the environment prints
// what a program does (each message as JSON, its outcome, each rollup).
//
// Invariants:
// * Each message: `stats.messages` grows by one. A retained delivery (not accepted) changes
//   nothing else. Otherwise the message is quarantined as a whole (exactly one record without
//   a metric, no reading accepted), or it has a usable topic and size, decodes, and accepted
//   readings + per-reading records + readings of the one summary record = its readings, every
//   record with the message's device and seq and a metric among its readings. Through the
//   ring, the consumed message is the one pushed. The previous message delivered again: its
//   `seq` is exactly one `duplicate_seq`; readings that all carry `ts`, one `duplicate_payload`;
//   readings with receive time under the same packet id, one counted redelivery.
// * Every operation: no counter of `PipelineStats` negative (`seqMissing`, every
//   `seqMissingByDevice` value), the monotonic ones never decreasing, quarantine counts grown
//   by the readings rejected, `rollupsWritten` by the rollups written, `seqMissing` the sum of
//   `seqMissingByDevice` (until a count nears Int64.max). Each rollup (RollupCheck): configured
//   tier, aligned window, `complete` true from closeWindows and false from flushAll, every
//   number finite (its line has no `null` but a readingless state window's first/last),
//   counts consistent, first/last inside the window, state time at most the window and no
//   state with 0 ms, `state_at_stop` only from flushAll in a window holding the stop that
//   credited that state; no window has counted more readings than were accepted into it
//   (WindowLedger).
// * Checkpoint: the restored pipeline checkpoints to the bytes it was restored from and has
//   the same stats; from then on both get the same operations and must keep equal stats,
//   clocks, series and open windows, and write equal rollups and quarantine records (payload
//   excerpts aside: their per-second rate limit is not checkpointed). A damaged checkpoint
//   never traps, and a refused one leaves the pipeline as it was.
// * End: after flushAll no window is open, each tier's rollups count every accepted reading,
//   and each window exactly the readings accepted into it (WindowLedger).

/// libFuzzer's entry point: one program, 0 when done (a broken invariant traps instead).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    PipelineProgram.run(input)
    return 0
}
