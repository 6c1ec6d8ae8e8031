import Testing
@testable import PortRegistry
@testable import PortRegistryModel
@testable import PortRegistryStorage

@testable import PortRegistry

@Suite struct MigrationMessageTests {
    /// A failing migration said "migration … failed:" and then every line of its SQL.
    @Test func aFailingMigrationPrintsSQLitesMessageNotItsScript() throws {
        let script = (1...40).map { "CREATE TABLE t\($0) (x INTEGER);" }.joined(separator: "\n") + "\nSELEC broken;"
        let broken = Migrator(files: [(name: "0001_broken.sql", text: script)])
        let database = try Database.inMemory()
        do {
            _ = try Registry(database: database, migrator: broken)
            Issue.record("the broken migration was applied")
        } catch let error as RegistryError {
            #expect(error.message.contains("0001_broken.sql"))
            #expect(error.message.contains("syntax error"))
            #expect(!error.message.contains("\n"), "\(error.message)")
            #expect(!error.message.contains("CREATE TABLE t1"), "\(error.message)")
        }
    }
}
