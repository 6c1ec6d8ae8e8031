import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Regression tests for issue 8: what broke when portreg was pushed.
@Suite struct HardeningTests {
    /// A registry CSV of `rows` assignments on distinct sockets, services `svc0`…
    static func registryCSV(rows: Int) -> String {
        var text = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        text.reserveCapacity(rows * 48)
        for index in 0..<rows {
            text += "svc\(index),\(1024 + index % 60000),tcp,h\(index / 60000),*,,,2026-01-01T00:00:00Z,\n"
        }
        return text
    }

    // MARK: SQLite failing part-way through an import

    /// A trigger raising an error on the 150,000th row of a 200,000-row import: the
    /// two-thread pipeline used to trap (exit 132) in its deinit.
    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func sqliteFailingPartWayThroughARegistryImportExits74() async throws {
        let cli = try CLI()
        try await cli.run("add", "keep", "19000").expect(status: 0)
        _ = try SQLiteShell.run(
            cli.database,
            "CREATE TRIGGER late BEFORE INSERT ON assignment WHEN NEW.service='svc150000' BEGIN SELECT RAISE(ABORT,'late trigger says no'); END;"
        )
        let before = try await cli.exported()
        let file = try cli.write("big.csv", Self.registryCSV(rows: 200_000))
        for extra in [[], ["--replace"]] {
            let result = try await cli.run(["import", file] + extra)
            result.expect(status: 74, stderr: ["late trigger says no"])
            #expect(try await cli.exported() == before)
        }
    }

    /// The same for a catalog import: the catalog pipeline shares the code.
    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func sqliteFailingPartWayThroughACatalogImportExits74() async throws {
        let cli = try CLI()
        try await cli.run("lookup", "5432").expect(status: 0)
        _ = try SQLiteShell.run(
            cli.database,
            "CREATE TRIGGER late BEFORE INSERT ON catalog_entry WHEN NEW.service='name15000' BEGIN SELECT RAISE(ABORT,'late trigger says no'); END;"
        )
        var text =
            "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\r\n"
        for index in 0..<20_000 { text += "name\(index),\(1 + index),tcp,d,,,,,,,,\r\n" }
        let file = try cli.write("iana.csv", text)
        let before = try await cli.run("export", "--kind", "catalog", "--source", "common").stdout
        try await cli.run("import", file).expect(status: 74, stderr: ["late trigger says no"])
        #expect(try await cli.run("export", "--kind", "catalog", "--source", "common").stdout == before)
        try await cli.run("lookup", "name3").expect(status: 1)
    }
}
