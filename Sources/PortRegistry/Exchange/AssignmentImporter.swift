import PortRegistryAssignments
import PortRegistryFormats
import PortRegistryModel

/// How a registry CSV is merged into the assignments.
package struct AssignmentImportOptions: Sendable {
    /// Delete every assignment first, so the file becomes the registry.
    package var replace = false
    /// Do everything, report, and roll back.
    package var dryRun = false
    /// Record collisions instead of refusing the file.
    package var force = false

    package init(replace: Bool = false, dryRun: Bool = false, force: Bool = false) {
        self.replace = replace
        self.dryRun = dryRun
        self.force = force
    }
}

package struct AssignmentImportReport: Sendable {
    package var rows = 0
    package var added = 0
    /// Rows whose claim already existed and whose owner, note or expiry the file changed.
    package var updated = 0
    /// Rows whose claim already existed exactly as the file gives it.
    package var unchanged = 0
    /// With `--replace`: assignments that existed and are not in the file, deleted.
    package var removed = 0
    package var collisions: [Collision] = []
    package var dryRun = false
}

/// Imports a registry CSV (SPEC.md) in one transaction: a bad row exits 65 naming its line,
/// a collision exits 1 naming both holders, and either way nothing is imported. Rows stream
/// from the reader; memory stays bounded however long the file.
package enum AssignmentImporter {
    /// `reader` must be positioned after the header. Runs inside the caller's write
    /// transaction (`Registry.importAssignments`), which a dry run rolls back.
    package static func run(
        _ reader: inout CSVReader, options: AssignmentImportOptions, in context: StorageContext,
        changes: ((AssignmentChange) throws -> Void)? = nil
    ) throws -> AssignmentImportReport {
        let report = AssignmentImportReport(dryRun: options.dryRun)
        reader.computesDigest = false
        let now = context.now
        let store = context.assignments
        let merge = try store.merge(replace: options.replace, now: now, changes: changes) { insert in
            // Rows are read and validated on a second thread while this one inserts.
            let input = Handoff(value: reader)
            try BatchPipeline<Assignment>.run(
                producer: { emit in
                    var reader = input.value
                    var batch: [Assignment] = []
                    batch.reserveCapacity(2048)
                    while let record = try reader.next() {
                        if record.fields.count == 1 && record.fields[0].isEmpty { continue }
                        batch.append(try RegistryCSV.assignment(record, file: reader.name))
                        if batch.count == 2048 {
                            guard emit(batch) else { return }
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    if !batch.isEmpty { _ = emit(batch) }
                },
                consume: { batch in
                    for assignment in batch { try insert(assignment) }
                })
        }
        return try finish(merge, report: report, file: reader.name, options: options, in: context)
    }

    /// Every row of a registry CSV (`reader` after the header), read and checked: a bad row
    /// is 65 naming its line. For a backend that must not hold a transaction open while
    /// the file is parsed.
    package static func readAll(_ reader: inout CSVReader) throws -> [Assignment] {
        reader.computesDigest = false
        var rows: [Assignment] = []
        while let record = try reader.next() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
            rows.append(try RegistryCSV.assignment(record, file: reader.name))
        }
        return rows
    }

    /// Imports rows already read (`readAll`) from `file`, as `run` does from a reader.
    package static func run(
        _ rows: [Assignment], file: String, options: AssignmentImportOptions, in context: StorageContext,
        changes: ((AssignmentChange) throws -> Void)? = nil
    ) throws -> AssignmentImportReport {
        let report = AssignmentImportReport(dryRun: options.dryRun)
        let merge = try context.assignments.merge(replace: options.replace, now: context.now, changes: changes) {
            insert in
            for assignment in rows { try insert(assignment) }
        }
        return try finish(merge, report: report, file: file, options: options, in: context)
    }

    private static func finish(
        _ merge: AssignmentMerge, report: AssignmentImportReport, file: String, options: AssignmentImportOptions,
        in context: StorageContext
    ) throws -> AssignmentImportReport {
        var report = report
        let now = context.now
        let store = context.assignments
        report.rows = merge.rows
        report.added = merge.added
        report.updated = merge.updated
        report.unchanged = merge.unchanged
        report.removed = merge.removed
        report.collisions = try CollisionFinder(storage: store).collisions(now: now) { id in merge.touched(id) }
        if !report.collisions.isEmpty && !options.force {
            throw RegistryError(.refused, AssignmentImporter.describe(report.collisions, file: file))
        }
        return report
    }

    package static func describe(_ collisions: [Collision], file: String) -> String {
        let shown = collisions.prefix(5).map { collision in
            "\(collision.ports)/\(collision.first.transport.rawValue): \(collision.second.service) collides with \(collision.first.service)"
                + (collision.first.host == collision.second.host
                    ? "" : " (hosts \(collision.first.host), \(collision.second.host))")
        }
        let more = collisions.count > 5 ? "; and \(collisions.count - 5) more" : ""
        return
            "\(file): \(collisions.count) collision\(collisions.count == 1 ? "" : "s"), nothing imported (use --force to record them anyway): "
            + shown.joined(separator: "; ") + more
    }
}
