/// Where a catalog row came from.
public enum CatalogSource: String, CaseIterable, Sendable, Codable {
    /// The IANA Service Name and Transport Protocol Port Number Registry.
    case iana
    /// De-facto ports of popular software, written by this project.
    case common
    /// The host's /etc/services.
    case system
}

/// One row of the catalog: what the world says a port (or a name) is for.
public struct CatalogEntry: Hashable, Sendable {
    public var source: CatalogSource
    /// Nil for Reserved and Unassigned rows.
    public var service: String?
    /// Nil for name-only registrations.
    public var ports: PortRange?
    /// Nil when the row covers both tcp and udp.
    public var transport: TransportProtocol?
    public var description: String = ""
    public var assignee: String = ""
    public var contact: String = ""
    public var registrationDate: String = ""
    public var modificationDate: String = ""
    public var reference: String = ""
    public var serviceCode: String = ""
    public var unauthorizedUse: String = ""
    public var notes: String = ""
    /// Other names of the service (/etc/services aliases).
    public var aliases: [String] = []

    @inlinable public init(
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
