#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Service names for shell completion: what a user is likely to type after `remove`,
/// `reserve` or `lookup`.
public enum ServiceNames {
    /// The names in the registry at `path`; none when there is no database there yet (a
    /// completion never creates one) or it cannot be read within a short busy timeout.
    public static func matching(_ prefix: String, databasePath path: String, catalog: Bool = false) -> [String] {
        guard path != ":memory:", access(path, F_OK) == 0,
            let registry = try? Registry.open(path: path, busyTimeoutMilliseconds: 250)
        else { return [] }
        return (try? matching(prefix, in: registry, catalog: catalog)) ?? []
    }

    /// Names of the assignments (expired leases too: `remove` takes them), then, with
    /// `catalog`, catalog names and aliases; each starting with `prefix` (case-insensitively),
    /// sorted, at most `limit`.
    public static func matching(
        _ prefix: String, in registry: Registry, catalog: Bool = false, limit: Int = 500
    ) throws -> [String] {
        try registry.read {
            let pattern =
                prefix.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%"
            var names = try registry.database.cached(
                "SELECT DISTINCT service FROM assignment WHERE service LIKE ?1 ESCAPE '\\' ORDER BY service LIMIT ?2"
            ).rows([pattern, limit]) { $0.text(0) }
            if catalog && names.count < limit {
                let known = Set(names.map { $0.lowercased() })
                let more = try registry.database.cached(
                    """
                    SELECT name FROM (
                        SELECT service AS name FROM catalog_entry WHERE service LIKE ?1 ESCAPE '\\'
                        UNION SELECT alias FROM catalog_alias WHERE alias LIKE ?1 ESCAPE '\\')
                    ORDER BY name LIMIT ?2
                    """
                ).rows([pattern, limit]) { $0.text(0) }
                names += more.filter { !known.contains($0.lowercased()) }.prefix(limit - names.count)
            }
            // A name that could drive the terminal is not offered.
            return names.filter { !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }
        }
    }
}
