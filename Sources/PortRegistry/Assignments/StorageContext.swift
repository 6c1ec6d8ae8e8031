import PortRegistryCatalog
import PortRegistryModel

/// What one use case works on, inside the transaction the front door (`Registry`) opened:
/// the assignments, the catalog, and the one "now" that every statement of the transaction
/// binds.
package struct StorageContext {
    package var assignments: any AssignmentStorage
    package var catalog: CatalogStore
    package var now: Timestamp

    package init(assignments: any AssignmentStorage, catalog: CatalogStore, now: Timestamp) {
        self.assignments = assignments
        self.catalog = catalog
        self.now = now
    }
}
