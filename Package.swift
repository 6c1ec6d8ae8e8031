// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "portreg",
    products: [
        .executable(name: "portreg", targets: ["portreg"]),
        .library(name: "PortRegistry", targets: ["PortRegistry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // The system libsqlite3 (Debian: libsqlite3-dev), through its C API.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // libpq's headers (Debian: libpq-dev). No pkgConfig and no `link`: libpq is opened with
        // dlopen when a PostgreSQL URL is used, so SQLite users never load it (docs/DECISIONS.md).
        .systemLibrary(
            name: "CLibPQ",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // libyaml (Debian: libyaml-dev) for `check`, linked statically (libyaml.a): the
        // binary still needs only libc and libsqlite3. See docs/DECISIONS.md, "check".
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        // Turns Migrations/*.sql and Seeds/*.csv into string literals, so the binary is self-contained.
        .executableTarget(name: "EmbedFiles"),
        .plugin(
            name: "EmbedFilesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedFiles"]
        ),
        // Names the commit the binary is built from, for `portreg --version` (docs/DECISIONS.md).
        .executableTarget(name: "BuildCommit"),
        .plugin(
            name: "BuildCommitPlugin",
            capability: .buildTool(),
            dependencies: ["BuildCommit"]
        ),
        .target(
            name: "PortRegistry",
            dependencies: ["CSQLite", "CLibPQ", "CYAML"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libyaml.a"])],
            plugins: ["EmbedFilesPlugin"]
        ),
        .executableTarget(
            name: "portreg",
            dependencies: [
                "PortRegistry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [
                // A release binary that needs only libc and libsqlite3, and starts 2-3x faster.
                .unsafeFlags(
                    [
                        "-static-stdlib", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections",
                        "-Xlinker", "-lswiftSynchronization",
                    ], .when(configuration: .release))
            ],
            plugins: ["BuildCommitPlugin"]
        ),
        // Fixtures both test targets share: temporary folders, the real data, file helpers.
        .target(name: "PortregTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PortRegistryTests", dependencies: ["PortRegistry", "PortregTestSupport"]),
        .testTarget(name: "portregCLITests", dependencies: ["portreg", "BuildCommit", "PortregTestSupport"]),
    ]
)
