import Testing

@testable import EventBrokerCore

@Suite struct BrokerNameTests {
    @Test(arguments: ["orders", "a{b}c", "заказы-📦", "]]..redis.call('FLUSHALL')..[[", String(repeating: "x", count: 1024)])
    func dataLikeNamesAreAccepted(name: String) throws {
        try BrokerName.validate(name, as: .topic)
    }

    @Test func theReasonNamesTheFirstControlCharacter() {
        #expect(throws: BrokerError.invalidName(kind: .serviceName, value: "a\tb\n", reason: "it contains the control character U+0009 at position 1")) {
            try BrokerName.validate("a\tb\n", as: .serviceName)
        }
        #expect(throws: BrokerError.invalidName(kind: .topic, value: "x\u{85}", reason: "it contains the control character U+0085 at position 1")) {
            try BrokerName.validate("x\u{85}", as: .topic)
        }
    }
}
