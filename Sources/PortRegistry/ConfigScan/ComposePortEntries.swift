import PortRegistryModel

/// A Compose service's `ports` entries, and the claims a merged service makes of them.
extension ComposeLoader {
    /// Where a project's claims come from, for their identities.
    package struct PortContext {
        /// The project's name (`name:`, else its folder's, normalised): a service is
        /// (project name, service name), so folders that share a project name share services.
        var project: String
        var folderName: String
        /// The project folder, physical: the key its alternatives are grouped under.
        var directory: String
        var selection: Selection
    }

    /// The identity of a Compose service: Docker's container is (project name, service name).
    package static func serviceIdentity(project: String, service: String) -> String {
        "compose\u{1}\(project)\u{1}\(service)"
    }

    /// The published ports of one merged service; its entries that publish nothing go to
    /// `silentEntries` with the reason.
    mutating func ports(of service: Service, named name: String, context: PortContext) -> [PublishedPort] {
        func silent(_ reason: String, _ entries: [Entry]? = nil) -> [PublishedPort] {
            for entry in entries ?? service.entries {
                silentEntries.append(SilentEntry(location: entry.location, service: name, reason: reason))
            }
            return []
        }
        let project = context.project
        let identity = Self.serviceIdentity(project: project, service: name)
        var aliases = [
            project, context.folderName.lowercased(), "\(project)-\(name)".lowercased(),
            "\(project)_\(name)".lowercased(), "\(project)/\(name)".lowercased(),
        ]
        if let image = service.image.flatMap(Self.imageName) { aliases.append(image) }
        // `scale: 0` (or `deploy.replicas: 0`) starts no container: nothing is published.
        if service.replicas?.count == 0 { return silent("scale 0: no container starts") }
        if let active = context.selection.activeProfiles, !service.profiles.isEmpty, !active.contains("*"),
            active.isDisjoint(with: service.profiles)
        {
            return silent("its profiles are not in COMPOSE_PROFILES: it does not start")
        }
        if service.sharesNetwork == true, service.networkModeHost != true {
            return silent("network_mode service:/container: it publishes nothing of its own")
        }
        var result: [PublishedPort] = []
        for entry in service.entries {
            // Under `network_mode: host` Docker ignores `ports` (with a warning) and the
            // container listens on the host itself: the target port is the host port.
            let host = service.networkModeHost == true
            guard let ports = host ? entry.mapping.target : entry.mapping.published else {
                _ = silent("a container port only: Docker picks a free host port", [entry])
                continue
            }
            var port = PublishedPort(
                name: name, label: "service \(name)", identity: identity, aliases: aliases, ports: ports,
                transport: entry.mapping.transport, bind: host ? .wildcard : entry.mapping.bind,
                location: entry.location, target: entry.mapping.target,
                isDynamic: !host && entry.mapping.isDynamic, origin: .compose, isIgnored: entry.ignored)
            port.project = "compose\u{1}\(context.directory)"
            port.image = service.image.map(Self.imageRepository)
            // Without COMPOSE_PROFILES, services of disjoint profile sets are alternatives;
            // with it, every service that runs runs together.
            if context.selection.activeProfiles == nil { port.profiles = service.profiles }
            if entry.usesVariables, let source = entry.valueSource {
                port.valueSource = source
                port.label += " (value from \(source))"
            }
            if let replicas = service.replicas, replicas.count > 1 {
                port.replicas = replicas.count
                port.replicasLocation = replicas.location
            }
            port.isIngress = !host && entry.mapping.isIngress
            result.append(port)
        }
        return result
    }

    /// One service publishing one host socket twice (`8080:80` and `8080:81`): Docker refuses
    /// to start it ("port is already allocated"). One finding per such pair of entries, by a
    /// sweep over the entries sorted by port: nothing per port, nothing quadratic in the
    /// entries that do not overlap.
    static func socketsPublishedTwice(_ claims: [PublishedPort], service name: String) -> [Finding] {
        let fixed = claims.filter { !$0.isDynamic && !$0.isIgnored && $0.replicas <= 1 }
        guard fixed.count > 1 else { return [] }
        var findings: [Finding] = []
        var reported = Set<[SourceLocation]>()
        PortSweep.overlappingPairs(fixed.map(\.ports), fixed.map(\.ports)) { i, j in
            guard i < j else { return }
            let (a, b) = (fixed[i], fixed[j])
            guard a.transport == b.transport, a.bind.overlaps(b.bind), a.location != b.location,
                reported.insert([a.location, b.location].sorted()).inserted
            else { return }
            let shared = PortRange(uncheckedLow: max(a.ports.low, b.ports.low), high: min(a.ports.high, b.ports.high))
            let (first, second) = a.location < b.location ? (a, b) : (b, a)
            findings.append(
                Finding(
                    severity: .error, kind: .collision, ports: shared, transport: a.transport,
                    message:
                        "service \(name) publishes \(shared)/\(a.transport.rawValue) twice: Docker refuses to start it (port is already allocated)",
                    places: [
                        Finding.Place(location: first.location, service: name),
                        Finding.Place(location: second.location, service: name),
                    ]
                ).claimed(by: [ConfigCheck.claimant(first)]))
        }
        return findings
    }

    /// What makes two claims of a project's deployments one claim: the same service
    /// publishing the same socket the same way from the same entry.
    package static func sameClaim(_ port: PublishedPort) -> String {
        [
            port.identity, port.ports.description, port.transport.rawValue, port.bind.text,
            port.isDynamic ? "dynamic" : "", String(port.replicas), port.isIngress ? "ingress" : "",
            port.profiles.joined(separator: ","), port.isIgnored ? "ignored" : "", port.location.description,
            port.target?.description ?? "",
        ].joined(separator: "\u{1}")
    }

    /// Compose's project-name rule: lowercase letters, digits, `-` and `_`.
    package static func normalizedProjectName(_ name: String) -> String {
        String(
            name.lowercased().unicodeScalars.filter {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }.map(Character.init))
    }

    /// `ghcr.io/acme/postgres:16@sha256:…` → `postgres`.
    package static func imageName(_ image: String) -> String? {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return name.isEmpty ? nil : name.lowercased()
    }

    /// The image's repository, tag and digest dropped: `ghcr.io/acme/postgres:16` →
    /// `ghcr.io/acme/postgres`, `postgres:16` → `postgres` (SPEC: "the same image
    /// (repository, tag ignored)").
    package static func imageRepository(_ image: String) -> String {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        let slash = name.lastIndex(of: "/") ?? name.startIndex
        if let colon = name[slash...].lastIndex(of: ":") { name = name[..<colon] }
        for prefix in ["docker.io/library/", "docker.io/", "library/"] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
            break
        }
        return name.lowercased()
    }

    /// The entries of a `ports` list; invalid ones become findings.
    mutating func entries(_ node: Node, in file: ParsedFile, variables: [String: String], service: String)
        -> [Entry]
    {
        guard node.isSequence else {
            if !node.isNull {
                findings.append(
                    Finding(
                        severity: .error, kind: .parse, message: "'ports' must be a list",
                        places: [
                            Finding.Place(location: SourceLocation(file: file.path, line: node.line), service: service)
                        ]))
            }
            return []
        }
        let interpolation = ComposeInterpolation(variables: variables)
        var result: [Entry] = []
        for item in node.items {
            let line = item.line
            let location = SourceLocation(file: file.path, line: line)
            var ignored = line.map { file.ignoredLines.contains($0) } ?? false
            var unset: [String] = []
            var required: [String] = []
            var empty: [String] = []
            var used: [String] = []
            var written: [String] = []
            func value(_ node: Node?) throws -> String? {
                guard let node else { return nil }
                if let line = node.line, file.ignoredLines.contains(line) { ignored = true }
                guard let text = node.text, !node.isNull else {
                    if node.isNull { return nil }
                    throw ComposePortSyntax.Invalid(message: "a port field must be a number or a string")
                }
                written.append(text)
                let result = try interpolation.interpolate(text)
                unset += result.unset
                empty += result.empty
                used += result.used
                required += result.missingRequired
                return result.text
            }
            // A value from outside the tree (`--env-file`, `--use-env`) is never printed: the
            // entry is quoted as the file writes it (SPEC "An untrusted tree").
            func fromOutside() -> Bool { !outsideNames.isDisjoint(with: used) }
            func shownEntry(_ interpolated: String) -> String {
                fromOutside() ? written.joined(separator: ", ") : interpolated
            }
            do {
                let mapping: ComposePortSyntax.Mapping
                var raw: String
                if item.isSequence {
                    throw ComposePortSyntax.Invalid(message: "a port entry must be a string, a number or a mapping")
                } else if item.isMapping {
                    let published = try value(item.value("published"))
                    let target = try value(item.value("target"))
                    let hostIP = try value(item.value("host_ip"))
                    let protocolName = try value(item.value("protocol"))
                    let mode = try value(item.value("mode"))
                    raw = shownEntry("target \(target ?? ""), published \(published ?? "")")
                    let fixed = required.isEmpty && !((published ?? "").isEmpty && !unset.isEmpty)
                    do {
                        // Nothing fixed published: only the warning below is worth saying.
                        mapping = try ComposePortSyntax.long(
                            target: target, published: fixed ? published : nil, hostIP: hostIP,
                            protocolName: protocolName, mode: mode)
                    } catch {
                        // SPEC: an unset variable is a warning whatever the entry then becomes.
                        guard !unset.isEmpty || !empty.isEmpty || !required.isEmpty else { throw error }
                        unsetWarning(
                            unset: unset, required: required, location: location, service: service, raw: raw,
                            ignored: ignored, empty: empty)
                        continue
                    }
                } else if let text = try value(item) {
                    raw = shownEntry(text)
                    if !required.isEmpty {
                        unsetWarning(
                            unset: unset, required: required, location: location, service: service, raw: raw,
                            ignored: ignored)
                        continue
                    }
                    do {
                        mapping = try ComposePortSyntax.short(text)
                    } catch {
                        // `${P}:${P}/udp` with P unset is `:/udp`: a warning naming P, not a
                        // parse error (SPEC).
                        guard !unset.isEmpty || !empty.isEmpty else { throw error }
                        unsetWarning(
                            unset: unset, required: required, location: location, service: service, raw: raw,
                            ignored: ignored, empty: empty)
                        continue
                    }
                } else {
                    throw ComposePortSyntax.Invalid(message: "a port entry must be a string, a number or a mapping")
                }
                if !unset.isEmpty || !required.isEmpty || !empty.isEmpty && mapping.published == nil {
                    unsetWarning(
                        unset: unset, required: required, location: location, service: service, raw: raw,
                        ignored: ignored, published: mapping.published, empty: empty)
                }
                let key =
                    "\(mapping.bind.text)|\(mapping.target)|\(mapping.published?.description ?? "")|\(mapping.transport.rawValue)"
                result.append(
                    Entry(
                        key: key, mapping: mapping, location: location, ignored: ignored,
                        usesVariables: !used.isEmpty, valueSource: used.isEmpty ? nil : valueSource))
            } catch let error as ComposePortSyntax.Invalid {
                let message =
                    fromOutside()
                    ? "invalid port entry \(ConfigText.quoted(written.joined(separator: ", "))) (its values come from outside the tree and are not shown)"
                    : error.message
                if !ignored { parseError(message, location, service: service) }
            } catch let error as ComposeInterpolation.InvalidTemplate {
                if !ignored { parseError(error.message, location, service: service) }
            } catch {
                if !ignored { parseError("\(error)", location, service: service) }
            }
        }
        return result
    }

    mutating func parseError(_ message: String, _ location: SourceLocation, service: String) {
        // Messages quote the entry, cut at 64 characters (`ConfigText.quoted`); a hostile
        // message must not flood the report either.
        let message = message.count > 300 ? String(message.prefix(299)) + "…" : message
        findings.append(
            Finding(
                severity: .error, kind: .parse, message: message,
                places: [Finding.Place(location: location, service: service)]))
    }

    mutating func unsetWarning(
        unset: [String], required: [String], location: SourceLocation, service: String, raw: String, ignored: Bool,
        published: PortRange? = nil, empty: [String] = []
    ) {
        guard !ignored else { return }
        var reasons = required
        var seen = Set<String>()
        for name in unset where seen.insert(name).inserted { reasons.append("\(name) is not set") }
        for name in empty where seen.insert(name).inserted { reasons.append("\(name) is empty") }
        let effect =
            published.map { "the entry publishes \($0) as \(ConfigText.quoted(raw))" }
            ?? "no fixed host port is published"
        findings.append(
            Finding(
                severity: .warning, kind: .parse, ports: published,
                message: "\(reasons.joined(separator: "; ")): \(effect)"
                    + (valueSource.map { " (values from \($0))" } ?? ""),
                places: [Finding.Place(location: location, service: service)]))
    }
}
