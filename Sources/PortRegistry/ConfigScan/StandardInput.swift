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

    /// The project name of a Compose stream: the folder of `--stdin-name` (`shop` for
    /// `shop/compose.yaml`), else the name without its extension, as Docker normalizes a
    /// folder's name (lowercase, `a-z0-9_-`); `stdin` when nothing is left.
    package static func projectName(_ name: String) -> String {
        let parts = name.split(separator: "/").filter { $0 != "." && $0 != ".." }
        let source = parts.count > 1 ? parts[parts.count - 2] : (parts.last?.split(separator: ".").first ?? "")
        let kept = String(
            String.UnicodeScalarView(
                source.lowercased().unicodeScalars.filter {
                    ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
                }))
        return kept.isEmpty ? "stdin" : kept
    }

    /// Why a stream is not what `kind` says, as `parse` errors (65): a NUL byte (YAML has
    /// none, and C strings would cut the stream there), YAML that does not parse, no document
    /// at all (a failed `helm template` prints nothing on standard output), and for
    /// Kubernetes a document that is no object with `apiVersion` and `kind` (helm's error
    /// text, or a Compose file given without `--stdin-kind compose`). nil: read it.
    package static func refusal(_ text: String, kind: StdinKind, name: String) -> [Finding]? {
        func finding(_ line: Int?, _ message: String) -> Finding {
            Finding(
                severity: .error, kind: .parse, message: message,
                places: [Finding.Place(location: SourceLocation(file: name, line: line))])
        }
        var line = 1
        for byte in text.utf8 {
            if byte == 0 { return [finding(line, "a NUL byte: standard input is not a YAML stream")] }
            if byte == 0x0A { line += 1 }
        }
        let (documents, failure) = YAMLDocuments.parse(text)
        if let failure { return [finding(failure.line, failure.message)] }
        let present = documents.filter { !$0.isNull }
        guard !present.isEmpty else {
            return [finding(nil, "no YAML document in standard input (did the command before the pipe fail?)")]
        }
        guard kind == .kubernetes else { return nil }
        var findings: [Finding] = []
        for document in present
        where !(document.isMapping && document.value("apiVersion")?.text != nil && document.value("kind")?.text != nil)
        {
            let isCompose = document.value("services") != nil || document.value("include") != nil
            findings.append(
                finding(
                    document.line ?? 1,
                    isCompose
                        ? "a Compose file, read as Kubernetes: give --stdin-kind compose"
                        : "not a Kubernetes object (no apiVersion and kind): standard input must be a stream of manifests"
                ))
        }
        return findings.isEmpty ? nil : findings
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
        if let refusal = refusal(text, kind: kind, name: name) {
            result.findings = refusal
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
            // Docker names a project after its folder: the stream's folder is named after
            // `--stdin-name`, so that the registry sees the project the user named.
            let projectFolder = folder + "/" + projectName(name)
            let file = projectFolder + "/compose.yaml"
            defer {
                unlink(file)
                rmdir(projectFolder)
                rmdir(folder)
            }
            let bytes = Array(text.utf8)
            let written =
                mkdir(projectFolder, 0o700) == 0
                && bytes.withUnsafeBufferPointer { buffer -> Bool in
                    guard let stream = fopen(file, "w") else { return false }
                    let ok = fwrite(buffer.baseAddress, 1, buffer.count, stream) == buffer.count
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
            let project = loader.loadProject(directory: projectFolder, files: [file], variables: variables)
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
