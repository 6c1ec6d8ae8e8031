/// Ports in a Procfile (`Procfile`, `Procfile.*`): each `name: command` line whose command
/// passes a fixed port as `-p N`, `--port N`, `--port=N` or `PORT=N`. A port from the
/// environment (`-p $PORT`) is not fixed and claims nothing.
enum Procfile {
    static func isProcfileName(_ name: String) -> Bool { name == "Procfile" || name.hasPrefix("Procfile.") }

    static func ports(path: String, text: String) -> [PublishedPort] {
        let directory = ConfigFile.directory(of: path)
        let folder = ConfigFile.baseName(ConfigFile.canonical(directory) ?? directory)
        let canonical = ConfigFile.canonical(path) ?? path
        let ignored = ConfigFile.ignoredLines(text)
        var result: [PublishedPort] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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
                if let value, let port = Int(value), (1...65535).contains(port) { found.append(port) }
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
        return result
    }
}

/// A `.env` file in a folder without Compose files configures a process directly: `PORT=` and
/// `*_PORT=` with a port number are tcp claims of a service named after the folder.
enum StandaloneEnv {
    static func ports(path: String, text: String) -> [PublishedPort] {
        let directory = ConfigFile.directory(of: path)
        let folder = ConfigFile.baseName(ConfigFile.canonical(directory) ?? directory)
        let identity = "env\u{1}\(ConfigFile.canonical(directory) ?? directory)"
        let ignored = ConfigFile.ignoredLines(text)
        return EnvFile(text: text).entries.compactMap { entry in
            guard entry.key == "PORT" || entry.key.hasSuffix("_PORT"), let port = Int(entry.value),
                let ports = PortRange(port: port), port > 0
            else { return nil }
            return PublishedPort(
                name: folder, label: "\(folder) (.env)", identity: identity, aliases: [], ports: ports,
                location: SourceLocation(file: path, line: entry.line), origin: .env,
                isIgnored: ignored.contains(entry.line))
        }
    }
}
