import PortRegistryFormats
import PortRegistryModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `check -`: one YAML stream from standard input (`helm template . | portreg check -`),
/// read with the size limit of a file, named `--stdin-name` in findings.
package enum StdinKind: String, CaseIterable, Sendable {
    /// A Kubernetes multi-document stream (what `helm template` and `kustomize build` print).
    case kubernetes
    /// One Compose file.
    case compose
}

package enum StandardInput {
    /// Reads descriptor 0 up to `ConfigFile.sizeLimit`; past it, or not UTF-8, a failure.
    package static func read() -> Result<String, ConfigFile.Unreadable> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(ConfigFile.Unreadable(message: "cannot read: \(ConfigFile.systemMessage(errno))"))
            }
            if got == 0 { break }
            bytes += chunk[0..<got]
            if bytes.count > ConfigFile.sizeLimit {
                return .failure(ConfigFile.Unreadable(message: "larger than 10 MiB; not read"))
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(ConfigFile.Unreadable(line: TextFile.firstInvalidLine(bytes), message: "not valid UTF-8"))
        }
        return .success(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
    }

    /// What the stream publishes, its locations named `name`.
    package static func scan(kind: StdinKind, name: String, variables: [String: String]) -> ConfigScanResult {
        var result = ConfigScanResult()
        result.files = [name]
        let text: String
        switch read() {
        case .success(let read): text = read
        case .failure(let failure):
            result.findings.append(
                Finding(
                    severity: .error, kind: .parse, message: failure.message,
                    places: [Finding.Place(location: SourceLocation(file: name, line: failure.line))]))
            return result
        }
        switch kind {
        case .kubernetes:
            let manifest = KubernetesManifest.scan(path: name, text: text)
            result.ports = manifest.ports
            result.findings = manifest.findings
        case .compose:
            // The loader reads files by path: the stream goes into a private folder of its
            // own, and its locations are renamed after.
            var template = Array("/tmp/portreg-stdin-XXXXXX".utf8CString)
            guard
                let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({
                    String(cString: $0)
                })
            else {
                result.findings.append(
                    Finding(
                        severity: .error, kind: .parse, message: "cannot create a folder for standard input",
                        places: [Finding.Place(location: SourceLocation(file: name))]))
                return result
            }
            let file = folder + "/compose.yaml"
            defer {
                unlink(file)
                rmdir(folder)
            }
            let written = text.withCString { pointer -> Bool in
                guard let stream = fopen(file, "w") else { return false }
                let length = strlen(pointer)
                let ok = fwrite(pointer, 1, length, stream) == length
                return fclose(stream) == 0 && ok
            }
            guard written else {
                result.findings.append(
                    Finding(
                        severity: .error, kind: .parse, message: "cannot keep standard input for reading",
                        places: [Finding.Place(location: SourceLocation(file: name))]))
                return result
            }
            // The stream's tree is its private folder: a reference it makes is refused.
            var loader = ComposeLoader(tree: SourceTree(root: folder))
            let project = loader.loadProject(directory: folder, files: [file], variables: variables)
            func rename(_ location: SourceLocation) -> SourceLocation {
                guard location.file.hasPrefix(folder) else { return location }
                return SourceLocation(file: name, line: location.line, column: location.column)
            }
            result.ports = project.ports.map { port in
                var port = port
                port.location = rename(port.location)
                port.replicasLocation = port.replicasLocation.map(rename)
                return port
            }
            result.findings = (loader.findings + project.findings).map { finding in
                var finding = finding
                finding.places = finding.places.map {
                    Finding.Place(location: rename($0.location), service: $0.service)
                }
                finding.message = finding.message.replacing(file, with: name)
                return finding
            }
        }
        return result
    }
}
