/// Why a query was not answered, for a person and for the HTTP status: a bad request names the
/// parameter; a query over its limits says which; an unavailable index says why.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request cannot be answered as asked (HTTP 400).
        case badRequest
        /// It ran longer than the configured timeout (HTTP 503).
        case timedOut
        /// The index could not be read (HTTP 503).
        case unavailable
    }

    public let kind: Kind
    /// The parameter at fault, when one is.
    public let parameter: String?
    public let message: String

    public init(_ kind: Kind, parameter: String? = nil, _ message: String) {
        self.kind = kind
        self.parameter = parameter
        self.message = message
    }

    public init(_ error: QueryParameterError) {
        self.init(.badRequest, parameter: error.parameter, error.description)
    }

    public var description: String { message }
}
