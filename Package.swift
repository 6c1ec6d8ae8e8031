// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "portreg",
    products: [
        .executable(name: "portreg", targets: ["portreg"]),
        .library(name: "PortRegistry", targets: ["PortRegistry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // YAML with line numbers for `check` (Compose files, Kubernetes manifests); libyaml inside.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The system libsqlite3 (Debian: libsqlite3-dev), through its C API.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // Turns Migrations/*.sql and Seeds/*.csv into string literals, so the binary is self-contained.
        .executableTarget(name: "EmbedFiles"),
        .plugin(
            name: "EmbedFilesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedFiles"]
        ),
        .target(
            name: "PortRegistry",
            dependencies: ["CSQLite", .product(name: "Yams", package: "Yams")],
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
                        // Yams (check only) brings Foundation, which needs CoreFoundation and ICU.
                        "-Xlinker", "-lCoreFoundation", "-Xlinker", "-lFoundationInternationalization",
                        "-Xlinker", "-l_FoundationICU", "-Xlinker", "-lFoundationEssentials",
                    ], .when(configuration: .release))
            ]
        ),
        .testTarget(name: "PortRegistryTests", dependencies: ["PortRegistry"]),
        .testTarget(name: "portregCLITests", dependencies: ["portreg"]),
    ]
)
