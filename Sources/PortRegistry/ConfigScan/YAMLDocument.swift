import CYAML

/// A YAML node with the line it starts on. Aliases are the same instance as their anchor, so
/// a document is a graph as big as its text, whatever its aliases expand to.
package final class Node: Sendable {
    package enum Content: Sendable {
        /// The text exactly as written; `isPlain` is false for quoted and block scalars.
        case scalar(String, isPlain: Bool)
        case mapping([(key: Node, value: Node)])
        case sequence([Node])
    }

    package let content: Content
    /// 1-based.
    package let line: Int?
    /// The explicit tag (`!reset`, `!override`, `!!str`), or "".
    package let tagName: String
    /// Nodes this one stands for once every alias is expanded (saturating).
    package let expandedSize: Int
    /// A large mapping's keys (as written, merge keys aside) to their first entry, so that a
    /// lookup (`services.web`, each service of a 40,000-service file) costs O(1), not a scan.
    private let keyIndex: [String: Int]?
    /// The mapping has a `<<` merge key.
    private let hasMergeKey: Bool

    /// Mappings with at least this many entries get a key index; smaller ones are scanned.
    package static let indexThreshold = 16

    package init(_ content: Content, line: Int?, tagName: String = "", expandedSize: Int = 1) {
        self.content = content
        self.line = line
        self.tagName = tagName
        self.expandedSize = expandedSize
        var index: [String: Int]?
        var merge = false
        if case .mapping(let entries) = content {
            if entries.count >= Self.indexThreshold { index = Dictionary(minimumCapacity: entries.count) }
            for (position, entry) in entries.enumerated() {
                guard let name = entry.key.text else { continue }
                if name == "<<" {
                    merge = true
                } else if index != nil, index![name] == nil {
                    index![name] = position
                }
            }
        }
        keyIndex = index
        hasMergeKey = merge
    }

    package static let emptyMapping = Node(.mapping([]), line: nil)

    /// The scalar's text exactly as written (quoted or not). Compose reads YAML 1.2, where
    /// `22:22` is a string, not the YAML 1.1 sexagesimal 1342 some parsers make of it.
    package var text: String? { if case .scalar(let text, _) = content { text } else { nil } }

    package var isNull: Bool {
        guard case .scalar(let text, let isPlain) = content, isPlain, tagName.isEmpty else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    package var isMapping: Bool { if case .mapping = content { true } else { false } }
    package var isSequence: Bool { if case .sequence = content { true } else { false } }
    package var items: [Node] { if case .sequence(let items) = content { items } else { [] } }

    /// Key/value pairs with YAML merge keys (`<<: *base`, `<<: [*a, *b]`) applied: keys written
    /// in the mapping win over merged ones, and earlier merged mappings win over later ones.
    package var pairs: [(key: String, value: Node)] { pairs(depth: 0) }

    private func pairs(depth: Int) -> [(key: String, value: Node)] {
        guard case .mapping(let entries) = content else { return [] }
        var result: [(key: String, value: Node)] = []
        var seen = Set<String>()
        var merged: [Node] = []
        for (key, value) in entries {
            guard let name = key.text else { continue }
            if name == "<<", case .scalar(_, true) = key.content {
                if case .sequence(let sources) = value.content { merged += sources } else { merged.append(value) }
                continue
            }
            if seen.insert(name).inserted { result.append((name, value)) }
        }
        // Merge chains are as deep as the anchors before them; a bound keeps a hostile file
        // from exhausting the stack.
        guard depth < 64 else { return result }
        for source in merged {
            for (name, value) in source.pairs(depth: depth + 1) where seen.insert(name).inserted {
                result.append((name, value))
            }
        }
        return result
    }

    /// The value of `key`, merge keys applied.
    package func value(_ key: String) -> Node? {
        guard case .mapping(let entries) = content else { return nil }
        if key != "<<" {
            if let keyIndex {
                if let position = keyIndex[key] { return entries[position].value }
            } else {
                for (candidate, value) in entries where candidate.text == key { return value }
            }
        }
        guard hasMergeKey else { return nil }
        return pairs.first { $0.key == key }?.value
    }
}

/// YAML text read through libyaml's event parser into `Node`s that keep their lines.
///
/// Written on libyaml directly rather than through a Swift YAML library: those bring
/// Foundation, whose static copy doubled every command's start-up time (conformance tables
/// and relocations), and `check` needs only nodes, lines, tags and anchors. The "billion
/// laughs" is measured, not walked: each node knows its expanded size when it is built, and
/// a document past `expansionLimit` is refused. Nesting is bounded too, and the composer
/// keeps its own stack, so no input can exhaust the thread's.
package enum YAMLDocuments {
    /// Nodes a document may expand to, aliases counted at every use. Real Compose files and
    /// manifests stay in the thousands.
    package static let expansionLimit = 1_000_000
    package static let depthLimit = 1_000

    package struct Failure: Error {
        var line: Int?
        var message: String
    }

    /// Parses every document of `text`; stops at the first error, returning what parsed before.
    package static func parse(_ text: String) -> (documents: [Node], failure: Failure?) {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return ([], Failure(line: nil, message: "out of memory"))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = Composer()
            var documents: [Node] = []
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return (documents, parserFailure(parser))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return (documents, nil) }
                do {
                    if let root = try composer.consume(event) { documents.append(root) }
                } catch let failure as Failure {
                    return (documents, failure)
                } catch {
                    return (documents, Failure(line: nil, message: "\(error)"))
                }
            }
        }
    }

    private static func parserFailure(_ parser: yaml_parser_t) -> Failure {
        let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
        let context = parser.context.map { " " + String(cString: $0) } ?? ""
        let line = parser.problem_mark.line + 1
        return Failure(line: Int(line), message: "invalid YAML: \(problem)\(context)")
    }

    package static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String? {
        guard let pointer else { return nil }
        if let length {
            return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        }
        return String(cString: pointer)
    }

    /// Builds nodes from events with an explicit stack.
    ///
    /// Each open collection is a frame whose arrays are appended to in place
    /// (`stack[top].items.append`), so building a document is linear in its events: a frame
    /// held in an enum payload would have to be copied out and back for every item, which made
    /// one 50,000-item list take 48 s.
    package struct Composer {
        private struct Frame {
            var isMapping: Bool
            var line: Int
            var tag: String
            var anchor: String?
            var items: [Node] = []
            var entries: [(key: Node, value: Node)] = []
            /// The key read, waiting for its value.
            var key: Node?
            var size = 1
        }

        private var stack: [Frame] = []
        private var anchors: [String: Node] = [:]
        private var root: Node?

        /// Returns a document's root when its end is reached.
        mutating func consume(_ event: yaml_event_t) throws -> Node? {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
                root = nil
            case YAML_DOCUMENT_END_EVENT:
                defer { root = nil }
                return root ?? Node(.scalar("", isPlain: true), line: line)
            case YAML_ALIAS_EVENT:
                let name = YAMLDocuments.string(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else {
                    throw Failure(line: line, message: "invalid YAML: alias *\(name) names no anchor before it")
                }
                try add(node, at: line)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let node = Node(
                    .scalar(
                        YAMLDocuments.string(scalar.value, length: scalar.length) ?? "",
                        isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE),
                    line: line, tagName: YAMLDocuments.string(scalar.tag) ?? "")
                if let anchor = YAMLDocuments.string(scalar.anchor) { anchors[anchor] = node }
                try add(node, at: line)
            case YAML_SEQUENCE_START_EVENT:
                guard stack.count < depthLimit else {
                    throw Failure(line: line, message: "invalid YAML: nested deeper than \(depthLimit) levels")
                }
                let start = event.data.sequence_start
                stack.append(
                    Frame(
                        isMapping: false, line: line, tag: YAMLDocuments.string(start.tag) ?? "",
                        anchor: YAMLDocuments.string(start.anchor)))
            case YAML_MAPPING_START_EVENT:
                guard stack.count < depthLimit else {
                    throw Failure(line: line, message: "invalid YAML: nested deeper than \(depthLimit) levels")
                }
                let start = event.data.mapping_start
                stack.append(
                    Frame(
                        isMapping: true, line: line, tag: YAMLDocuments.string(start.tag) ?? "",
                        anchor: YAMLDocuments.string(start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { break }
                let node: Node
                if frame.isMapping {
                    var keys = Set<String>(minimumCapacity: frame.entries.count)
                    for (key, _) in frame.entries {
                        guard let text = key.text, text != "<<" else { continue }
                        guard keys.insert(text).inserted else {
                            throw Failure(line: key.line, message: "invalid YAML: duplicate key '\(text)' in a mapping")
                        }
                    }
                    node = Node(.mapping(frame.entries), line: frame.line, tagName: frame.tag, expandedSize: frame.size)
                } else {
                    node = Node(.sequence(frame.items), line: frame.line, tagName: frame.tag, expandedSize: frame.size)
                }
                if let anchor = frame.anchor { anchors[anchor] = node }
                try add(node, at: line)
            default:
                break
            }
            return nil
        }

        private mutating func add(_ node: Node, at line: Int) throws {
            guard !stack.isEmpty else {
                guard node.expandedSize <= expansionLimit else { throw bomb(line) }
                root = node
                return
            }
            let top = stack.count - 1
            let total = stack[top].size + node.expandedSize
            guard total <= expansionLimit else { throw bomb(stack[top].line) }
            stack[top].size = total
            if !stack[top].isMapping {
                stack[top].items.append(node)
            } else if let key = stack[top].key {
                stack[top].entries.append((key, node))
                stack[top].key = nil
            } else {
                stack[top].key = node
            }
        }

        private func bomb(_ line: Int) -> Failure {
            Failure(
                line: line,
                message: "aliases expand past \(expansionLimit) nodes (an alias bomb?); the document is not read")
        }
    }
}
