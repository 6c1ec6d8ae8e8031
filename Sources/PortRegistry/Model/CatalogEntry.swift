/// Where a catalog row came from.
package enum CatalogSource: String, CaseIterable, Sendable, Codable {
    /// The IANA Service Name and Transport Protocol Port Number Registry.
    case iana
    /// De-facto ports of popular software, written by this project.
    case common
    /// The host's /etc/services.
    case system
}

/// One row of the catalog: what the world says a port (or a name) is for.
package struct CatalogEntry: Hashable, Sendable {
    package var source: CatalogSource
    /// Nil for Reserved and Unassigned rows.
    package var service: String?
    /// Nil for name-only registrations.
    package var ports: PortRange?
    /// Nil when the row covers both tcp and udp.
    package var transport: TransportProtocol?
    package var description: String = ""
    package var assignee: String = ""
    package var contact: String = ""
    package var registrationDate: String = ""
    package var modificationDate: String = ""
    package var reference: String = ""
    package var serviceCode: String = ""
    package var unauthorizedUse: String = ""
    package var notes: String = ""
    /// Other names of the service (/etc/services aliases).
    package var aliases: [String] = []

    @inlinable package init(
        source: CatalogSource, service: String?, ports: PortRange?, transport: TransportProtocol?,
        description: String = "", assignee: String = "", contact: String = "",
        registrationDate: String = "", modificationDate: String = "", reference: String = "",
        serviceCode: String = "", unauthorizedUse: String = "", notes: String = "", aliases: [String] = []
    ) {
        self.source = source
        self.service = service
        self.ports = ports
        self.transport = transport
        self.description = description
        self.assignee = assignee
        self.contact = contact
        self.registrationDate = registrationDate
        self.modificationDate = modificationDate
        self.reference = reference
        self.serviceCode = serviceCode
        self.unauthorizedUse = unauthorizedUse
        self.notes = notes
        self.aliases = aliases
    }
}
