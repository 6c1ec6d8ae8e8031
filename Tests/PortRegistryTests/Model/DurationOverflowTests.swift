import Testing
@testable import PortRegistryModel

@testable import PortRegistry

@Suite struct DurationOverflowTests {
    /// Each component is below 10^8 units, but enough of them overflowed Int and trapped.
    @Test func manyComponentsAreRefusedNotOverflowed() {
        let text = String(repeating: "99999999w", count: 160_000)
        #expect(throws: RegistryError.self) { try LeaseDuration.seconds(parsing: text) }
        #expect(throws: RegistryError.self) { try LeaseDuration.seconds(parsing: "520w1s") }
        #expect((try? LeaseDuration.seconds(parsing: "519w6d23h59m60s")) == LeaseDuration.longest)
    }
}
