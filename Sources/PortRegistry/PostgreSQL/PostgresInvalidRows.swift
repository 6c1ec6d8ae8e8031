extension PostgresAssignmentStore {
    /// None: PostgreSQL checks every row against the table's CHECK constraints on every
    /// write and has no session setting that skips them (SQLite's `ignore_check_constraints` and
    /// `writable_schema` have no counterpart), so a row this code cannot use cannot be
    /// stored. Answered here rather than by a protocol default, so that a backend that can
    /// hold such rows has to say so.
    package func invalidRows() throws -> [String] { [] }
}
