import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A blocking HTTP GET for tests: status, headers and body, with an optional bearer token.
enum HTTPGet {
    struct Answer: @unchecked Sendable {
        var status: Int
        var headers: [AnyHashable: Any]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(text.prefix(500))")
            }
            return object
        }
    }

    static func fetch(_ url: String, token: String? = nil, accept: String? = nil) throws -> Answer {
        guard let address = URL(string: url) else { throw TestFailure("bad URL \(url)") }
        var request = URLRequest(url: address, timeoutInterval: 30)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Answer, any Error> = .failure(TestFailure("no answer from \(url)"))
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                outcome = .failure(error)
            } else if let response = response as? HTTPURLResponse {
                outcome = .success(Answer(status: response.statusCode, headers: response.allHeaderFields, body: data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try outcome.get()
    }
}
