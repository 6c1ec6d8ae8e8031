import Foundation
import PortregTestSupport
import Testing

@Suite("concurrency")
struct ConcurrencyTests {
    /// Starts every run at once and waits for all of them.
    private static func runAll(_ cli: CLI, _ commands: [[String]]) async throws -> [CLIResult] {
        try await withThrowingTaskGroup(of: (Int, CLIResult).self) { group in
            for (index, command) in commands.enumerated() {
                group.addTask { (index, try await cli.run(command)) }
            }
            var results = [CLIResult?](repeating: nil, count: commands.count)
            for try await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    @Test func parallelReservationsOnAFreshDatabaseGetDistinctPortsAndNoneIsLost() async throws {
        let cli = try CLI()
        #expect(!cli.exists(cli.database))
        let count = 32
        let results = try await ConcurrencyTests.runAll(
            cli, (1...count).map { ["reserve", "svc-\($0)", "--no-probe"] })
        for result in results { result.expect(status: 0, stderrIsEmpty: true) }
        let ports = results.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(ports.allSatisfy { Int($0) != nil }, "\(ports)")
        #expect(Set(ports).count == count, "duplicate ports: \(ports.sorted())")

        let list = try await cli.run("list", "--format", "csv")
        list.expect(status: 0)
        let rows = list.csvRows
        #expect(rows.count == count, "\(list)")
        #expect(Set(rows.compactMap { $0["service"] }) == Set((1...count).map { "svc-\($0)" }))
        for (index, port) in ports.enumerated() {
            #expect(
                rows.contains { $0["service"] == "svc-\(index + 1)" && $0["port"] == port },
                "svc-\(index + 1) lost \(port)")
        }
        let doctor = try await cli.run("doctor", "--format", "json")
        doctor.expect(status: 0)
        let report = try #require(try doctor.json() as? [String: Any])
        #expect(report["integrity"] as? String == "ok")
        #expect((report["catalog_rows"] as? Int ?? 0) > 0, "seeded exactly once, not skipped")
        try await cli.run("conflicts", "--no-warnings").expect(status: 0)
    }

    @Test func parallelReservationsOfOneServiceShareOnePort() async throws {
        let cli = try CLI()
        let database = cli.path("fresh/nested/registry.db")
        let results = try await withThrowingTaskGroup(of: CLIResult.self) { group in
            for _ in 1...16 {
                group.addTask {
                    try await cli.run(["reserve", "shared-svc", "--no-probe"], environment: ["PORTREG_DB": database])
                }
            }
            var results: [CLIResult] = []
            for try await result in group { results.append(result) }
            return results
        }
        for result in results { result.expect(status: 0, stderrIsEmpty: true) }
        let ports = Set(results.map(\.stdout))
        #expect(ports.count == 1, "\(ports)")
        #expect(ports.first.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } != nil)
        let list = try await cli.run("list", "--db", database, "--format", "csv")
        list.expect(status: 0)
        #expect(list.csvRows.count == 1, "\(list)")
        #expect(list.csvRows.first?["service"] == "shared-svc")
    }

    @Test func parallelAddsOfOnePortLetExactlyOneWin() async throws {
        let cli = try CLI()
        let results = try await ConcurrencyTests.runAll(cli, (1...12).map { ["add", "contender-\($0)", "19999"] })
        let winners = results.filter { $0.status == 0 }
        #expect(winners.count == 1, "\(results.map(\.status))")
        for result in results where result.status != 0 { result.expectFailure(1, "collides with") }
        let list = try await cli.run("list", "--format", "csv")
        #expect(list.csvRows.count == 1, "\(list)")
    }
}
