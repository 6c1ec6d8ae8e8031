// The library's layers, built by fuzz/run.sh with SwiftPM (debug, instrumented).
@testable import PortRegistryConfigScan

import Glibc

// The confined reader (`SourceTree`, issue 19) on trees the input builds: folders, files and
// links (to names of the tree, `..` out of it, `.git`, `/proc`, absolute paths in and out),
// then paths the input names. Whatever the tree, a path that resolves lies under the root's
// physical path, passes through no `.git` and no link; a read never returns the secret kept
// beside the tree; and no input traps or hangs.
let secret = "FUZZ-SECRET-OUTSIDE-THE-TREE"
let scratch: String = {
    var template = Array("/tmp/portreg-fuzz-tree-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: made!)
}()
let names = ["a", "b", "c", ".git", "..", ".", "compose.yaml", ".env", "x.yml"]
let targets = [
    "a", "b/c", "../outside/secret.env", "../../outside/secret.env", "/proc/self/environ", ".git/config", "..",
    "/", "/etc/hostname", "a/../..", "c", "./a", "b/../a", "link", "x.yml",
]

func remove(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if info.st_mode & S_IFMT == S_IFDIR, let folder = opendir(path) {
        var children: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { children.append(name) }
        }
        closedir(folder)
        for child in children { remove(path + "/" + child) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTree(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    remove(scratch + "/root")
    remove(scratch + "/outside")
    mkdir(scratch + "/root", 0o755)
    mkdir(scratch + "/outside", 0o755)
    let secretFile = scratch + "/outside/secret.env"
    let descriptor = open(secretFile, O_CREAT | O_WRONLY, 0o600)
    _ = secret.withCString { write(descriptor, $0, strlen($0)) }
    close(descriptor)
    // Operations, three bytes each: what, where (a path of up to two names), and a target.
    var index = 0
    var paths: [String] = []
    while index + 2 < bytes.count {
        let (operation, place, target) = (bytes[index], bytes[index + 1], bytes[index + 2])
        index += 3
        let first = names[Int(place & 0x0F) % names.count]
        let second = names[Int(place >> 4) % names.count]
        let relative = place & 0x80 == 0 ? first : first + "/" + second
        let full = scratch + "/root/" + relative
        switch operation % 5 {
        case 0: mkdir(full, 0o755)
        case 1:
            let file = open(full, O_CREAT | O_WRONLY, 0o600)
            if file >= 0 {
                _ = "services: {}\n".withCString { write(file, $0, strlen($0)) }
                close(file)
            }
        case 2: symlink(targets[Int(target) % targets.count], full)
        case 3: symlink(scratch + "/" + targets[Int(target) % targets.count], full)
        default: paths.append(relative + (target & 1 == 0 ? "" : "/" + names[Int(target >> 1) % names.count]))
        }
    }
    paths += ["a", ".env", "../outside/secret.env", "a/../../outside/secret.env", "link", "/proc/self/environ"]
    let tree = SourceTree(root: scratch + "/root")
    guard let root = tree.roots.first?.physical else { return 0 }
    for relative in paths {
        for spelled in [scratch + "/root/" + relative, relative] {
            switch tree.resolve(spelled) {
            case .success(let physical):
                precondition(physical == root || physical.hasPrefix(root + "/"), "resolved out: \(physical)")
                let inside = physical.dropFirst(root.count).split(separator: "/")
                precondition(!inside.contains(".git"), "through .git: \(physical)")
                var info = stat()
                if lstat(physical, &info) == 0 {
                    precondition(info.st_mode & S_IFMT != S_IFLNK, "a link left: \(physical)")
                }
            case .failure: break
            }
            if case .success(let text) = tree.read(spelled) {
                precondition(!text.contains(secret), "read the secret through \(spelled)")
            }
        }
    }
    return 0
}
