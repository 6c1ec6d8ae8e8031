import Yams

/// A YAML file read through libyaml (Yams), kept as nodes so that every value still knows its
/// line. Only `check` touches this type: Yams is never loaded on the paths of other commands.
///
/// Aliases are shared, not copied, when libyaml composes a document, but anything that walks
/// the tree pays for every expansion: ten nested aliases of ten items each are 10^10 nodes (the
/// "billion laughs"). Each document's expanded size is therefore measured first, in time linear
/// in the file (one visit per anchor), and a document past `expansionLimit` is refused.
struct YAMLDocuments {
    /// Nodes a document may expand to, aliases counted at every use. Real Compose files and
    /// manifests stay in the thousands; a million is generous and walks in milliseconds.
    static let expansionLimit = 1_000_000

    struct Failure: Error {
        var line: Int?
        var message: String
    }

    var documents: [Node]
    /// The parser owns the anchors that aliased nodes refer to weakly: it lives as long as the nodes.
    private let parser: Parser?

    /// Parses every document of `text`; stops at the first syntax error. `documentsBeforeFailure`
    /// holds what parsed before it, so a caller can decide whether the file was ever its kind.
    static func parse(_ text: String) -> (YAMLDocuments, Failure?) {
        let parser: Parser
        do {
            // The encoding is given: Yams's default reads the whole process environment each time.
            parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
        } catch {
            return (YAMLDocuments(documents: [], parser: nil), failure(error))
        }
        var documents: [Node] = []
        while true {
            do {
                guard let root = try parser.nextRoot() else { break }
                var memo: [ObjectIdentifier: Int] = [:]
                var budget = expansionLimit
                guard expandedSize(root, memo: &memo, budget: &budget) else {
                    return (
                        YAMLDocuments(documents: documents, parser: parser),
                        Failure(
                            line: root.mark?.line,
                            message:
                                "aliases expand past \(expansionLimit) nodes (an alias bomb?); the document is not read"
                        )
                    )
                }
                documents.append(root)
            } catch {
                return (YAMLDocuments(documents: documents, parser: parser), failure(error))
            }
        }
        return (YAMLDocuments(documents: documents, parser: parser), nil)
    }

    private init(documents: [Node], parser: Parser?) {
        self.documents = documents
        self.parser = parser
    }

    /// Subtracts the node's expanded size from `budget`; false once it runs out. A node with an
    /// anchor is measured once and its size reused at every alias.
    private static func expandedSize(_ node: Node, memo: inout [ObjectIdentifier: Int], budget: inout Int) -> Bool {
        let anchor: Anchor? =
            switch node {
            case .scalar(let scalar): scalar.anchor
            case .mapping(let mapping): mapping.anchor
            case .sequence(let sequence): sequence.anchor
            case .alias: nil
            }
        if let anchor, let size = memo[ObjectIdentifier(anchor)] {
            budget -= size
            return budget >= 0
        }
        let before = budget
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: break
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard expandedSize(key, memo: &memo, budget: &budget), expandedSize(value, memo: &memo, budget: &budget)
                else { return false }
            }
        case .sequence(let sequence):
            for item in sequence {
                guard expandedSize(item, memo: &memo, budget: &budget) else { return false }
            }
        }
        if let anchor { memo[ObjectIdentifier(anchor)] = before - budget }
        return true
    }

    private static func failure(_ error: Error) -> Failure {
        guard let error = error as? YamlError else { return Failure(line: nil, message: "\(error)") }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " \($0.text)" } ?? ""
            return Failure(line: mark.line, message: "invalid YAML: \(problem)\(detail)")
        case .reader(let problem, _, _, _):
            return Failure(line: nil, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Failure(
                line: context.mark.line,
                message: "invalid YAML: duplicate key \(duplicates.joined(separator: ", ")) in a mapping")
        default:
            return Failure(line: nil, message: "invalid YAML: \(error)")
        }
    }
}

extension Node {
    /// The scalar's text exactly as written (quoted or not). Compose reads YAML 1.2, where
    /// `22:22` is a string, not the YAML 1.1 sexagesimal 1342 some parsers make of it.
    var text: String? { if case .scalar(let scalar) = self { scalar.string } else { nil } }

    var line: Int? { mark?.line }

    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    var tagName: String { tag.rawValue }

    /// Key/value pairs with YAML merge keys (`<<: *base`, `<<: [*a, *b]`) applied: keys written
    /// in the mapping win over merged ones, and earlier merged mappings win over later ones.
    var pairs: [(key: String, value: Node)] {
        guard case .mapping(let mapping) = self else { return [] }
        var result: [(key: String, value: Node)] = []
        var seen = Set<String>()
        var merged: [Node] = []
        for (key, value) in mapping {
            guard let name = key.text else { continue }
            if name == "<<", case .scalar(let scalar) = key, scalar.style == .plain {
                if case .sequence(let sources) = value { merged += sources } else { merged.append(value) }
                continue
            }
            if seen.insert(name).inserted { result.append((name, value)) }
        }
        for source in merged {
            for (name, value) in source.pairs where seen.insert(name).inserted {
                result.append((name, value))
            }
        }
        return result
    }

    /// The value of `key`, merge keys applied.
    func value(_ key: String) -> Node? {
        if case .mapping(let mapping) = self {
            for (candidate, value) in mapping where candidate.text == key && key != "<<" { return value }
            if !mapping.contains(where: { $0.key.text == "<<" }) { return nil }
        } else {
            return nil
        }
        return pairs.first { $0.key == key }?.value
    }

    var items: [Node] { if case .sequence(let sequence) = self { Array(sequence) } else { [] } }

    var isMapping: Bool { if case .mapping = self { true } else { false } }
    var isSequence: Bool { if case .sequence = self { true } else { false } }
}
