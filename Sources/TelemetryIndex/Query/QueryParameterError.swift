/// A query parameter that could not be accepted: which one, what was given, what is wrong and what
/// would do, so that the HTTP and CLI layers can answer with one sentence a person can act on.
public struct QueryParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The parameter at fault as the request named it (`step`, or an unknown name such as `stpe`).
    public let parameter: String
    /// The whole value given for the parameter, verbatim.
    public let value: String
    /// What is wrong, as a clause that follows `parameter: ` and quotes the offending text
    /// (`"7x" is not a duration`).
    public let problem: String
    /// What would have been accepted, for a person (`a whole number followed by s, m, h or d`).
    public let expected: String

    /// An error for `parameter` given `value`; `problem` and `expected` as the properties describe.
    public init(parameter: String, value: String, problem: String, expected: String) {
        self.parameter = parameter
        self.value = value
        self.problem = problem
        self.expected = expected
    }

    /// One sentence, e.g. `step: "7x" is not a duration; expected a whole number followed by s, m, h or d (…)`.
    public var description: String { "\(parameter): \(problem); expected \(expected)" }

    /// The common case: `text` (the value or one item of it) "is not …".
    static func invalid(
        _ parameter: String, _ value: String, item: String? = nil, is problem: String, expected: String
    ) -> QueryParameterError {
        QueryParameterError(
            parameter: parameter, value: value, problem: "\"\(item ?? value)\" \(problem)", expected: expected)
    }
}
