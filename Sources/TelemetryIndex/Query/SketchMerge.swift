import Telemetry

/// The merge of the quantile sketches of the windows in a `PartialMerge`. Merging sketches is
/// exact (the merge is the sketch of all their readings), so a bucket's quantiles are those of
/// its readings within the sketches' α. One window without a sketch (a counter, a state, a
/// record written before records carried sketches, a sketch that did not decode), or sketches
/// of different α, leave no sketch: quantiles of part of the readings would be wrong unsaid.
public struct SketchMerge: Sendable, Equatable {
    private enum State: Sendable, Equatable {
        /// No window yet: what `add` starts from.
        case empty
        case merged(QuantileSketch)
        /// A window without a sketch, or sketches that cannot merge, took part.
        case unavailable
    }

    private var state = State.empty

    /// The merge of no window.
    public init() {}

    /// One window's: `sketch`, or nil when the window has none.
    public init(window sketch: QuantileSketch?) {
        state = sketch.map(State.merged) ?? .unavailable
    }

    /// The merged sketch; nil before any window, or when a window had none or α differed.
    public var sketch: QuantileSketch? {
        guard case .merged(let sketch) = state else { return nil }
        return sketch
    }

    /// Adds another window's or merge's sketches.
    public mutating func add(_ other: SketchMerge) {
        guard case .merged(let more) = other.state else {
            if other.state == .unavailable { state = .unavailable }
            return
        }
        // Take the stored sketch out, so that the merge changes its bins in place.
        var current = State.unavailable
        swap(&current, &state)
        switch consume current {
        case .empty: state = other.state
        case .unavailable: break
        case .merged(var sketch):
            do {
                try sketch.merge(more)
                state = .merged(sketch)
            } catch {
                state = .unavailable
            }
        }
    }
}
