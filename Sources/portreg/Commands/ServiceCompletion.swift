import ArgumentParser
import PortRegistry

/// Shell completion of service names (bash, zsh, fish): the generated scripts call
/// `portreg ---completion …`, which runs these closures; they read the registry named by the
/// command line's `--db` (or the environment), and never create one.
enum ServiceCompletion {
    /// Assigned service names (add, reserve, remove, list --service).
    static let assigned = CompletionKind.custom { words, _, prefix in names(words, prefix, catalog: false) }

    /// Assigned names, then catalog names and aliases (lookup).
    static let anyName = CompletionKind.custom { words, _, prefix in names(words, prefix, catalog: true) }

    static func names(_ words: [String], _ prefix: String, catalog: Bool) -> [String] {
        var explicit: String?
        for (index, word) in words.enumerated() {
            if word == "--db", index + 1 < words.count { explicit = words[index + 1] }
            if word.hasPrefix("--db=") { explicit = String(word.dropFirst(5)) }
        }
        return Registry.serviceNames(matching: prefix, at: RegistryLocation(db: explicit), catalog: catalog)
    }
}
