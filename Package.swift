// swift-tools-version: 6.0
// portreg is licensed under the Apache License 2.0 (LICENSE). Package.resolved is committed: the
// release pins swift-argument-parser, which writes its help, man pages and completions.
import PackageDescription

/// Swift 7's rule now (SE-0444): a member is visible in a file only when that file imports the
/// module that declares it, so a file's imports say which layers it really uses.
let memberImportVisibility: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]
/// Targets with a file that still lacks an import the rule needs, each owned by work in
/// progress: Assignments (Allocator.swift uses CatalogStore's members without `import
/// PortRegistryCatalog`) and portreg (Output/CheckOutput.swift needs `import
/// PortRegistryModel`), portregCLITests (Hardening2Tests.swift and Hardening3Tests.swift need
/// `import PortregTestSupport`). Empty once those lines are added.
let memberImportsPending: Set<String> = []

let package = Package(
    name: "portreg",
    products: [
        .executable(name: "portreg", targets: ["portreg"])
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
        // libpq's API as portreg uses it, declared in Sources/CLibPQ/shim.h: the build needs no
        // libpq-dev. No pkgConfig and no `link`: libpq (Debian: libpq5) is opened with dlopen
        // when a PostgreSQL URL is used, so SQLite users never load it (docs/DECISIONS.md).
        .systemLibrary(name: "CLibPQ"),
        // libyaml (Debian: libyaml-dev) for `check`, linked statically (libyaml.a, see PortRegistry).
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        // Turns Migrations/*.sql and Seeds/*.csv into string literals, so the binary is self-contained.
        .executableTarget(name: "EmbedFiles", swiftSettings: memberImportVisibility),
        .plugin(
            name: "EmbedFilesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedFiles"]
        ),
        // Names the commit the binary is built from, for `portreg --version` (docs/DECISIONS.md).
        .executableTarget(name: "BuildCommit", swiftSettings: memberImportVisibility),
        .plugin(
            name: "BuildCommitPlugin",
            capability: .buildTool(),
            dependencies: ["BuildCommit"]
        ),
        // The library, one target per layer (docs/ARCHITECTURE.md). Every target lists the
        // lower layers it uses; SwiftPM refuses a cycle and the compiler an undeclared import, so
        // an upward reference does not build. All of them live under Sources/PortRegistry/<Layer>.
        layer("Model"),
        layer("System", ["Model"]),
        layer("Formats", ["Model", "System"]),
        layer("Storage", ["Model", "CSQLite"], embeds: true),
        layer("PostgreSQL", ["Model", "Formats", "CLibPQ"], embeds: true),
        layer("Catalog", ["Model", "System", "Formats", "Storage"], embeds: true),
        layer("Assignments", ["Model", "System", "Formats", "Storage", "Catalog"]),
        layer("Conflicts", ["Model", "System", "Storage", "Assignments"]),
        layer("Search", ["Model", "Catalog"]),
        layer("Exchange", ["Model", "Formats", "Assignments"]),
        layer("ConfigScan", ["Model", "System", "Formats", "Conflicts", "CYAML"]),
        layer("Map", ["Model", "Catalog"]),
        // The front door: one call per use case, owning every transaction.
        .target(
            name: "PortRegistry",
            dependencies: [
                "PortRegistryModel", "PortRegistrySystem", "PortRegistryFormats", "PortRegistryStorage",
                "PortRegistryPostgreSQL", "PortRegistryCatalog", "PortRegistryAssignments",
                "PortRegistryConflicts", "PortRegistrySearch", "PortRegistryExchange",
                "PortRegistryConfigScan", "PortRegistryMap",
            ],
            path: "Sources/PortRegistry/Registry",
            // libyaml is linked statically (libyaml.a): the binary still needs only libc and
            // libsqlite3. See docs/DECISIONS.md, "check".
            swiftSettings: memberImportVisibility,
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libyaml.a"])]
        ),
        .executableTarget(
            name: "portreg",
            // The front door and the layers whose values the commands print; never Storage or
            // PostgreSQL (.ci/run builds with --explicit-target-dependency-import-check).
            dependencies: [
                "PortRegistry", "PortRegistryModel", "PortRegistrySystem", "PortRegistryFormats",
                "PortRegistryCatalog", "PortRegistryAssignments", "PortRegistryConflicts", "PortRegistrySearch",
                "PortRegistryExchange", "PortRegistryConfigScan", "PortRegistryMap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: memberImportsPending.contains("portreg") ? [] : memberImportVisibility,
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
        .target(name: "PortregTestSupport", path: "Tests/TestSupport", swiftSettings: memberImportVisibility),
        .testTarget(
            name: "PortRegistryTests",
            dependencies: [
                "PortRegistry", "PortRegistryModel", "PortRegistrySystem", "PortRegistryFormats", "PortRegistryStorage",
                "PortRegistryPostgreSQL", "PortRegistryCatalog", "PortRegistryAssignments", "PortRegistryConflicts",
                "PortRegistrySearch", "PortRegistryExchange", "PortRegistryConfigScan", "PortRegistryMap",
                "PortregTestSupport",
            ],
            swiftSettings: memberImportVisibility
        ),
        .testTarget(
            name: "portregCLITests", dependencies: ["portreg", "BuildCommit", "PortregTestSupport"],
            swiftSettings: memberImportsPending.contains("portregCLITests") ? [] : memberImportVisibility),
    ]
)

/// A layer of the library: the folder Sources/PortRegistry/NAME as the target PortRegistryNAME,
/// depending on the lower layers named (`C…` names are the system libraries). `embeds` runs the
/// EmbedFiles plugin, which compiles in the migrations or seeds that this layer reads.
func layer(_ name: String, _ dependencies: [String] = [], embeds: Bool = false) -> Target {
    let systemLibraries: Set = ["CSQLite", "CLibPQ", "CYAML"]
    return .target(
        name: "PortRegistry\(name)",
        dependencies: dependencies.map { .target(name: systemLibraries.contains($0) ? $0 : "PortRegistry\($0)") },
        path: "Sources/PortRegistry/\(name)",
        // Thirteen modules: in a release build the optimiser inlines and specialises across them
        // as it did within one (docs/DECISIONS.md, "Layers as targets").
        swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
            + (memberImportsPending.contains(name) ? [] : memberImportVisibility),
        plugins: embeds ? ["EmbedFilesPlugin"] : []
    )
}
