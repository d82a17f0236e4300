import Hummingbird
import Telemetry
import TelemetryIndex

/// An error response of the API: `{"error": {"status", "parameter"?, "message"}}`, so a client
/// can tell which parameter to fix.
struct APIError: Error {
    let status: HTTPResponse.Status
    let parameter: String?
    let message: String

    init(_ status: HTTPResponse.Status, parameter: String? = nil, _ message: String) {
        self.status = status
        self.parameter = parameter
        self.message = message
    }

    init(_ error: QueryError) {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .badRequest: .badRequest
            case .timedOut, .unavailable: .serviceUnavailable
            }
        self.init(status, parameter: error.parameter, error.message)
    }

    var response: Response {
        var json = JSONLineBuilder()
        json.openObject()
        json.key("error")
        json.openObject()
        json.key("status")
        json.integer(status.code)
        if let parameter {
            json.key("parameter")
            json.string(parameter)
        }
        json.key("message")
        json.string(message)
        json.closeObject()
        json.closeObject()
        var response = APIResponse.json(json.bytes, status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

/// Response bodies of the API.
enum APIResponse {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        body(bytes + [UInt8(ascii: "\n")], contentType: "application/json", status: status)
    }

    static func body(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
