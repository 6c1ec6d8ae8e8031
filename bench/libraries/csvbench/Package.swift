// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "csvbench",
    dependencies: [
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
    ],
    targets: [
        .target(name: "PortregCSV"),
        .executableTarget(
            name: "csvbench",
            dependencies: [
                "PortregCSV",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ]),
    ]
)
