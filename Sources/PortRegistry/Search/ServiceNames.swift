/// Service names for shell completion: what a user is likely to type after `remove`,
/// `reserve` or `lookup`. Plain values in, plain values out: `Registry.serviceNames` reads
/// the names in one transaction and hands them here.
package enum ServiceNames {
    /// `assigned` names starting with `prefix` (case-insensitively), sorted and without
    /// duplicates, then the `catalog` names not already offered; at most `limit`. A name that
    /// could drive the terminal (a control character) is never offered.
    package static func matching(_ prefix: String, assigned: [String], catalog: [String] = [], limit: Int = 500)
        -> [String]
    {
        let folded = prefix.lowercased()
        func offered(_ name: String) -> Bool {
            name.lowercased().hasPrefix(folded) && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        }
        var seen = Set<String>()
        var names: [String] = []
        for name in assigned.filter(offered).sorted() where names.count < limit && seen.insert(name).inserted {
            names.append(name)
        }
        let known = Set(names.map { $0.lowercased() })
        for name in catalog.filter(offered).sorted()
        where names.count < limit && !known.contains(name.lowercased()) && seen.insert(name).inserted {
            names.append(name)
        }
        return names
    }
}
