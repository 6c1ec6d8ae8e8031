import PortRegistryModel

/// Ports in a Procfile (`Procfile`, `Procfile.*`): each `name: command` line whose command
/// passes a fixed port as `-p N`, `--port N`, `--port=N` or `PORT=N`. A port from the
/// environment (`-p $PORT`) is not fixed and claims nothing; a number that is no port
/// (`-p 99999`) is a `parse` error, so that a typo cannot pass the gate unseen.
package enum Procfile {
    package static func isProcfileName(_ name: String) -> Bool { name == "Procfile" || name.hasPrefix("Procfile.") }

    package static func ports(path: String, text: String) -> (ports: [PublishedPort], findings: [Finding]) {
        let directory = ConfigFile.directory(of: path)
        let folder = ConfigFile.baseName(ConfigFile.canonical(directory) ?? directory)
        let canonical = ConfigFile.canonical(path) ?? path
        let ignored = ConfigFile.ignoredLines(text, syntax: .shell)
        var result: [PublishedPort] = []
        var findings: [Finding] = []
        for (index, rawLine) in text.lines().enumerated() {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            let process = String(line[..<colon])
            guard !process.isEmpty, process.unicodeScalars.allSatisfy({ $0.isASCIIName }) else { continue }
            let words = line[line.index(after: colon)...].split(whereSeparator: {
                $0 == " " || $0 == "\t" || $0 == "\r"
            })
            var found: [Int] = []
            var position = 0
            while position < words.count {
                let word = words[position].trimmingCharacters(in: "\"';")
                var value: String?
                if word == "-p" || word == "--port", position + 1 < words.count {
                    value = words[position + 1].trimmingCharacters(in: "\"';")
                    position += 1
                } else if word.hasPrefix("--port=") {
                    value = String(word.dropFirst(7))
                } else if word.hasPrefix("PORT=") {
                    value = String(word.dropFirst(5))
                }
                if let value, let port = Int(value), (1...65535).contains(port) {
                    found.append(port)
                } else if let value, NotAPort.isOutOfRange(value), !ignored.contains(index + 1) {
                    findings.append(
                        NotAPort.finding(value, SourceLocation(file: path, line: index + 1), service: process))
                }
                position += 1
            }
            for port in found {
                result.append(
                    PublishedPort(
                        name: process, label: "process \(process)",
                        identity: "procfile\u{1}\(canonical)\u{1}\(process)",
                        aliases: [folder.lowercased(), "\(folder)-\(process)".lowercased()],
                        ports: PortRange(port: port)!, location: SourceLocation(file: path, line: index + 1),
                        origin: .procfile, isIgnored: ignored.contains(index + 1)))
            }
        }
        return (result, findings)
    }
}

/// A number where a port belongs that no port can be (`70000`, `123456`): the same `parse`
/// error Compose entries get. Words that are not numbers (`$PORT`, `tcp://…`) are left alone.
package enum NotAPort {
    package static func isOutOfRange(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && (Int(value) ?? Int.max) > 65535
    }

    package static func finding(_ value: String, _ location: SourceLocation, service: String) -> Finding {
        let shown = value.count > 20 ? String(value.prefix(20)) + "…" : value
        return Finding(
            severity: .error, kind: .parse, message: "invalid port '\(shown)': a port is 1-65535",
            places: [Finding.Place(location: location, service: service)])
    }
}

/// A `.env` file in a folder without Compose files configures a process directly: `PORT=` and
/// `*_PORT=` with a port number are tcp claims of a service named after the folder.
package enum StandaloneEnv {
    package static func ports(path: String, text: String) -> (ports: [PublishedPort], findings: [Finding]) {
        let directory = ConfigFile.directory(of: path)
        let folder = ConfigFile.baseName(ConfigFile.canonical(directory) ?? directory)
        let identity = "env\u{1}\(ConfigFile.canonical(directory) ?? directory)"
        let ignored = ConfigFile.ignoredLines(text, syntax: .shell)
        var findings: [Finding] = []
        let ports = EnvFile(text: text).entries.compactMap { entry -> PublishedPort? in
            guard entry.key == "PORT" || entry.key.hasSuffix("_PORT") else { return nil }
            guard let port = Int(entry.value), let ports = PortRange(port: port), port > 0 else {
                if NotAPort.isOutOfRange(entry.value), !ignored.contains(entry.line) {
                    findings.append(
                        NotAPort.finding(
                            entry.value, SourceLocation(file: path, line: entry.line), service: "\(folder) (.env)"))
                }
                return nil
            }
            return PublishedPort(
                name: folder, label: "\(folder) (.env)", identity: identity, aliases: [], ports: ports,
                location: SourceLocation(file: path, line: entry.line), origin: .env,
                isIgnored: ignored.contains(entry.line))
        }
        return (ports, findings)
    }
}

extension Procfile {
    /// A process manager (foreman, overmind, `bin/dev`) runs one Procfile of a folder with all
    /// its processes: the Procfiles of one folder (`Procfile`, `Procfile.dev`,
    /// `Procfile.dev-static-assets`) are alternatives, the judge's variants of one project
    /// (the folder), each named after its file.
    package static func asAlternatives(_ ports: [PublishedPort], path: String) -> [PublishedPort] {
        let directory = ConfigFile.directory(of: path)
        let project = "procfile\u{1}" + (ConfigFile.canonical(directory) ?? directory)
        let variant = ConfigFile.baseName(path)
        return ports.map { port in
            var port = port
            port.project = project
            port.variant = variant
            return port
        }
    }
}
