import CLibPQ

/// libpq's functions, resolved with dlopen/dlsym the first time a PostgreSQL URL is used.
///
/// Linking libpq would load it and its 24 libraries (libssl, GSSAPI, LDAP…) into every
/// process: +6 ms and +12 M instructions on `portreg lookup 5432`, measured in
/// docs/DECISIONS.md. Loaded lazily, a SQLite user pays nothing.
package final class LibPQ: @unchecked Sendable {
    /// Written once by `cpq_load`, read-only afterwards, hence safe to share.
    package let api: cpq_api

    private init(api: cpq_api) { self.api = api }

    /// Swift runs a global's initialiser once, thread-safely, on first access.
    package static let loaded: Result<LibPQ, PostgresError> = {
        var api = cpq_api()
        if let failure = cpq_load(&api) {
            return .failure(PostgresError(.library, "cannot load libpq: \(String(cString: failure))"))
        }
        return .success(LibPQ(api: api))
    }()

    package static func shared() throws(PostgresError) -> LibPQ { try loaded.get() }

    /// libpq's version as `major.minor` (e.g. 15.20 is 150020).
    package var version: String {
        let number = Int(api.libVersion!())
        return "\(number / 10_000).\(number % 10_000)"
    }
}

extension LibPQ {
    /// A C string from libpq (which may return NULL), as Swift text; "" for NULL.
    package static func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
}
