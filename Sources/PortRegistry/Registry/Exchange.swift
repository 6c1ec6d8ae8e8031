import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryExchange
import PortRegistryFormats
import PortRegistryMap
import PortRegistryModel
import PortRegistrySearch
import PortRegistrySystem

/// Assignments in and out: the registry CSV import (merge or replace, dry run), and the
/// exports (registry CSV, JSON, services(5) lines, environment variables).
extension Registry {
    /// Merges (or with `replace`, installs) a registry CSV; `reader` is after the header.
    /// One transaction: a bad row or a refused collision leaves everything as it was, and
    /// a dry run is rolled back once the report is made.
    /// `changes`, when given, hears each change as it is made (for `--verbose`), dry run or not.
    package func importAssignments(
        _ reader: inout CSVReader, options: AssignmentImportOptions,
        changes: ((AssignmentChange) throws -> Void)? = nil
    ) throws -> AssignmentImportReport {
        if options.dryRun,
            try isReadOnly || !read({ (context: StorageContext) in try context.assignments.acceptsWrites() })
        {
            let rows = try AssignmentImporter.readAll(&reader)
            return try dryRunOnCopy(rows, file: reader.name, options: options, changes: changes)
        }
        guard server != nil else {
            return try write(dryRun: options.dryRun) { context in
                try AssignmentImporter.run(&reader, options: options, in: context, changes: changes)
            }
        }
        // On a server the file is read and checked whole before a transaction opens: parsing
        // inside one would leave the session idle in it, which a server's
        // idle_in_transaction_session_timeout ends (and a retry would end the same way).
        let rows = try AssignmentImporter.readAll(&reader)
        let name = reader.name
        return try write(dryRun: options.dryRun) { context in
            try AssignmentImporter.run(rows, file: name, options: options, in: context, changes: changes)
        }
    }

    /// A dry run where nothing can be written (a hot standby, a read-only registry file):
    /// the assignments are copied into a private in-memory registry and the import runs
    /// there, so that the report (counts, collisions) is the one a real import would give.
    private func dryRunOnCopy(
        _ rows: [Assignment], file: String, options: AssignmentImportOptions,
        changes: ((AssignmentChange) throws -> Void)?
    ) throws -> AssignmentImportReport {
        let scratch = try Registry.inMemory(clock: clock)
        try read { (context: StorageContext) in
            try scratch.write { (copy: StorageContext) in
                _ = try copy.assignments.merge(replace: false, now: copy.now, changes: nil) { insert in
                    var filter = AssignmentFilter()
                    filter.includeExpired = true
                    try context.assignments.forEach(filter, now: context.now) { try insert($0) }
                }
            }
        }
        return try scratch.write(dryRun: true) { context in
            try AssignmentImporter.run(rows, file: file, options: options, in: context, changes: changes)
        }
    }

    /// Writes the registry CSV, every assignment (expired leases too), in export order.
    package func exportAssignmentsCSV(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try read { context in try context.assignments.exportCSV(emit) }
    }

    /// Every assignment (expired leases too), in export order.
    package func exportAssignments(_ body: (Assignment) throws -> Void) throws {
        try list(AssignmentFilter(includeExpired: true), body)
    }

    /// `export --format services`: the header, then the live assignments as services(5)
    /// lines, one per port of a block, in export order.
    package func exportServices(_ emit: (String) throws -> Void) throws {
        try read { context in
            try emit(ServicesExport.header)
            try context.assignments.forEach(AssignmentFilter(), now: context.now) { assignment in
                try ServicesExport.lines(assignment, emit)
            }
        }
    }

    /// `export --format env`: the header, then `NAME_PORT=N` per live assignment. Two
    /// services that would export as one variable are refused before anything is written.
    package func exportEnvironment(_ emit: (String) throws -> Void) throws {
        var live: [Assignment] = []
        try list { live.append($0) }
        let variables = try EnvExport.variables(live)
        try emit(EnvExport.header)
        for variable in variables { try emit("\(variable.name)=\(variable.value)") }
    }
}
