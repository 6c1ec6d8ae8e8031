// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "sha-crypto",
    dependencies: [.package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3")],
    targets: [
        .target(name: "PortregHash"),
        .executableTarget(
            name: "sha-crypto",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), "PortregHash"],
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-lswiftSynchronization"])]),
    ]
)
