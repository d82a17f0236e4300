import Hummingbird

/// Requires `Authorization: Bearer <token>` on every request when a token is configured;
/// compares in constant time so the token cannot be guessed byte by byte from response times.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let given = request.headers[.authorization].map { Array($0.utf8) } ?? []
        let prefix = Array("Bearer ".utf8)
        guard given.count == prefix.count + token.count, given.starts(with: prefix),
            zip(given.dropFirst(prefix.count), token).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
        else {
            return APIError(.unauthorized, "this API needs Authorization: Bearer <token> (http.token_env or http.token_file)")
                .response
        }
        return try await next(request, context)
    }
}
