import Foundation
import Testing

import Glibc

/// Regression tests for issue 13 (hardening, round two): each repro of the issue, run on the
/// built binary.
@Suite struct Hardening3Tests {
    /// Runs `script` with `sh -c` in the test's folder, `$P` the portreg binary.
    static func shell(_ cli: CLI, _ script: String, timeout: Duration = .seconds(60)) async throws -> CLIResult {
        guard let binary = PortregBinary.path else { throw CLIError("portreg binary not found") }
        return try await cli.run([script], environment: ["P": binary], timeout: timeout, via: ["/bin/sh", "-c", script])
    }

    // MARK: #1 a password printed in clear

    static let malformedURIs = [
        "postgresql://ports:Secr3tPW@[::1/portreg", "postgresql://ports:Secr3tPW@[]/portreg",
        "postgresql://ports:Secr3tPW@[::1]x/portreg", "postgresql://ports:Secr3tPW%ZZ@db/portreg",
        "postgresql://ports:Secr3tPW%00@db/portreg", "postgresql://ports:Secr3tPW@db:notaport/portreg",
        "postgresql://ports:Sec/r3tPW@db/portreg", "postgres://db/portreg?password=Secr3tPW&bogus=1",
        "postgres://db/portreg?password=Secr3tPW&sslmode=nonsense",
        "postgres://db/portreg?pass%77ord=Secr3tPW&bogus=1",
    ]

    @Test(arguments: malformedURIs)
    func aMalformedURIIsUsageAndNeverShowsThePassword(uri: String) async throws {
        let cli = try CLI()
        for environment: [String: String?] in [["PORTREG_BUSY_TIMEOUT": "200"], ["PORTREG_DB": uri, "PORTREG_BUSY_TIMEOUT": "200"]] {
            let arguments = environment["PORTREG_DB"] == nil ? ["--db", uri, "list"] : ["list"]
            let result = try await cli.run(arguments, environment: environment)
            result.expect(status: 64, stderr: ["invalid"], stderrLacks: ["Secr3t", "r3tPW", "%ZZ", "%00"])
            #expect(!result.stdout.contains("Secr3t"))
        }
    }
}
