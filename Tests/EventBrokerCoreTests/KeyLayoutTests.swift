import Testing

@testable import EventBrokerCore

@Suite struct KeyLayoutTests {
    @Test func keysCarryTheHashTagTheLayoutVersionAndTheEncodedName() throws {
        let layout = try KeyLayout(prefix: "shop")
        #expect(layout.service("billing").published == "{shop}:v1:s:billing:published")
        #expect(layout.topic("orders").version == "{shop}:v1:t:orders:version")
        #expect(layout.service("billing").notifyChannel == "{shop}:v1:s:billing:notify")
    }

    @Test(arguments: [
        ("billing-v2.eu_1", "billing-v2.eu_1"),
        ("a{b}c", "a%7Bb%7Dc"),
        ("with space", "with%20space"),
        ("%41", "%2541"),
        ("a:b*", "a%3Ab%2A"),
        ("é", "%C3%A9"),
    ])
    func namesArePercentEncoded(name: String, encoded: String) {
        #expect(KeyLayout.encode(name) == encoded)
    }

    /// The per-service placement: each service's keys share a hash tag of their own, the topic
    /// keys and the registry keep the prefix's, and the ACL patterns cover both.
    @Test func perServicePlacementGivesEachServiceASlotOfItsOwn() throws {
        let layout = try KeyLayout(prefix: "shop", placement: .perService)
        let billing = layout.service("billing")
        #expect(billing.published == "{shop/billing}:v2:published")
        #expect(billing.notifyChannel == "{shop/billing}:v2:notify")
        #expect(layout.topic("orders").subscribers == "{shop}:v2:t:orders:subscribers")
        #expect(layout.services == "{shop}:v2:services")
        #expect(layout.otherPlacementServices == "{shop}:v1:services")
        #expect(try KeyLayout(prefix: "shop").otherPlacementServices == "{shop}:v2:services")
        let slots = Set(
            [billing.published, billing.events, billing.wake, billing.topics, billing.recent, billing.notifyChannel].map {
                HashSlot.of($0)
            })
        #expect(slots == [HashSlot.of("shop/billing")])
        #expect(HashSlot.of(layout.service("a{b}c").published) == HashSlot.of("shop/a%7Bb%7Dc"))
        #expect(layout.patterns == ["{shop}:*", "{shop/*"])
        #expect(layout.patterns == (try KeyLayout(prefix: "shop").patterns))
    }

    @Test(arguments: ["billing-v2.eu_1", "a{b}c", "with space", "%41", "a:b*", "é", ""])
    func encodedNamesDecodeBack(name: String) {
        #expect(KeyLayout.decode(KeyLayout.encode(name)) == name)
    }

    @Test(arguments: ["%4", "%zz", "%41", "a b", "%C3", "a%3ab"])
    func textEncodeNeverWritesDoesNotDecode(text: String) {
        #expect(KeyLayout.decode(text) == nil)
    }

    @Test func topicsAreFoundFromTheirSubscriberSets() throws {
        let layout = try KeyLayout(prefix: "shop")
        #expect(layout.topicSubscribersPattern == "{shop}:v1:t:*:subscribers")
        #expect(layout.topic(subscribersKey: layout.topic("a:b{c}").subscribers) == "a:b{c}")
        #expect(layout.topic(subscribersKey: layout.topic("orders").version) == nil)
        #expect(layout.topic(subscribersKey: "{reb}:v1:t:orders:subscribers") == nil, "another prefix")
        #expect(layout.topic(subscribersKey: "{shop}:v1:t::subscribers") == nil)
    }

    @Test func distinctNamesNeverShareAKey() throws {
        let layout = try KeyLayout(prefix: "reb")
        let names = ["A", "%41", "a", "a:b", "a%3Ab", "{reb}", "", " ", "é", "e\u{301}"]
        let keys = Set(names.map { layout.service($0).published })
        #expect(keys.count == names.count)
    }

    /// Glob characters included: the ACL pattern `~{<prefix>}:*` must match no other prefix's keys.
    @Test(arguments: [
        "", "a{b", "a}", "with space", String(repeating: "p", count: 65), "ü", "a*", "a?", "a[bc]", "a\\",
        "a\r\n*1\r\n$8\r\nFLUSHALL\r\n", "a\u{0}",
    ])
    func unusablePrefixesAreRefused(prefix: String) {
        #expect(throws: BrokerError.self) { try KeyLayout(prefix: prefix) }
    }
}
