import Synchronization

/// The `namespace:` that kustomize gives the resources of a kustomization, read from the tree
/// without rendering it. The nearest kustomization above a file (`kustomization.yaml`,
/// `kustomization.yml` or `Kustomization` in its folder or a folder above it) decides whether
/// the file is a resource (listed in `resources` or the older `bases`, by itself or by a folder
/// that holds it): if not (a patch, a stray manifest), kustomize gives it nothing. If it is,
/// that kustomization's `namespace` applies; where it sets none, a kustomization further up
/// that lists this one's folder may set one, and so on. Overlays in sibling folders (`resources:
/// [../base]`) are not consulted: they give the same objects other namespaces, which an
/// unknown namespace matches anyway.
///
/// One per `check` run: each folder's kustomization is read once (through the tree's confined
/// reader, `SourceTree.read`: within the size bound, only inside the checked tree, no link
/// out), whatever many manifests sit
/// below it. Safe to use from several threads.
package final class Kustomizations: Sendable {
    package static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// One folder's kustomization, as far as namespaces go: canonical paths of what it lists.
    struct Entry: Sendable {
        var namespace: String?
        var resources: [String]

        /// True when `path` (canonical) is a listed file or lies under a listed folder.
        func lists(_ path: String) -> Bool {
            resources.contains { path == $0 || path.hasPrefix($0 + "/") }
        }
    }

    /// The checked trees (canonical): no kustomization outside them is read.
    private let roots: [String]
    private let tree: SourceTree
    private let cache = Mutex<[String: Entry?]>([:])

    package init(tree: SourceTree) {
        self.tree = tree
        self.roots = tree.roots.map(\.physical)
    }

    /// The namespace kustomize gives the manifest at `path`, nil when none says.
    package func namespace(of path: String) -> String? {
        guard let file = ConfigFile.canonical(path), let root = roots.first(where: { file.hasPrefix($0 + "/") })
        else { return nil }
        // The nearest kustomization above the file decides whether it is a resource.
        var folder = ConfigFile.directory(of: file)
        var listing: (folder: String, entry: Entry)?
        while folder.count >= root.count {
            if let entry = entry(in: folder) {
                guard entry.lists(file) else { return nil }
                listing = (folder, entry)
                break
            }
            guard folder != root else { break }
            folder = ConfigFile.directory(of: folder)
        }
        // Up the chain while a kustomization sets no namespace and another above lists it.
        while let current = listing {
            let (below, entry) = current
            if let namespace = entry.namespace { return namespace }
            listing = nil
            guard below != root else { return nil }
            var folder = ConfigFile.directory(of: below)
            while folder.count >= root.count {
                if let above = self.entry(in: folder) {
                    if above.lists(below) { listing = (folder, above) }
                    break
                }
                guard folder != root else { break }
                folder = ConfigFile.directory(of: folder)
            }
        }
        return nil
    }

    private func entry(in folder: String) -> Entry? {
        if let known = cache.withLock({ $0[folder] }) { return known }
        var found: Entry?
        for name in Self.fileNames {
            let path = ConfigFile.join(folder, name)
            // A link out of the tree is not followed.
            guard case .success(let text) = tree.read(path) else { continue }
            found = Self.parse(text, folder: folder)
            break
        }
        cache.withLock { $0[folder] = .some(found) }
        return found
    }

    /// `namespace` and the local entries of `resources`/`bases` (a URL or a remote base lists
    /// nothing of this tree), resolved against `folder`. A file that does not parse lists
    /// nothing: kustomize would refuse it, and the manifests keep their own namespaces.
    static func parse(_ text: String, folder: String) -> Entry? {
        let (documents, _) = YAMLDocuments.parse(text)
        guard let document = documents.first, document.isMapping else { return nil }
        var resources: [String] = []
        for key in ["resources", "bases"] {
            for item in document.value(key)?.items ?? [] {
                guard let entry = item.text, !entry.isEmpty, !entry.contains("://"), !entry.hasPrefix("github.com/")
                else { continue }
                resources.append(ConfigFile.join(folder, entry))
            }
        }
        let namespace = document.value("namespace")?.text.flatMap { $0.isEmpty ? nil : $0 }
        return Entry(namespace: namespace, resources: resources)
    }
}
