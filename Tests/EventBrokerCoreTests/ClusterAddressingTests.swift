import Testing

@testable import EventBrokerCore

/// Hash slots, cluster URLs and redirections: what the cluster client computes before it talks
/// to a node (ClusterTests checks the same against a real cluster).
@Suite struct ClusterAddressingTests {
    @Test func slotsAreCRC16OfTheKeyOrItsHashTag() {
        // CRC16/XMODEM of "123456789" is 0x31C3; Redis's documentation gives "foo" slot 12182.
        #expect(HashSlot.of("123456789") == 0x31C3)
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("user1000"))
        #expect(HashSlot.of("foo{}{bar}") != HashSlot.of("bar"), "an empty tag hashes the whole key")
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"), "the tag ends at the first } after the first {")
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        #expect(HashSlot.of("") == 0)
    }

    @Test func everyKeyOfOnePrefixSharesItsSlot() throws {
        let layout = try KeyLayout(prefix: "shop")
        let keys = layout.service("billing")
        let slots = Set([keys.published, keys.events, keys.inflight, keys.leases, keys.wake, layout.topic("orders").version].map(HashSlot.of))
        #expect(slots == [HashSlot.of("shop")])
    }

    @Test func aClusterURLListsItsSeedsWithTheirCredentials() throws {
        let seeds = try RedisClusterSeeds(url: "redis-cluster://alice:s3cret@10.0.0.5:7000,10.0.0.6:7001,[::1]:7002")
        #expect(seeds.endpoints.map(\.address) == [
            .tcp(host: "10.0.0.5", port: 7000), .tcp(host: "10.0.0.6", port: 7001), .tcp(host: "::1", port: 7002),
        ])
        #expect(seeds.endpoints.allSatisfy { $0.username == "alice" && $0.password == "s3cret" && $0.database == 0 })
        #expect(seeds.description == "redis-cluster://alice@10.0.0.5:7000,10.0.0.6:7001,[::1]:7002")
        #expect(RedisClusterSeeds.isClusterURL("redis-cluster://127.0.0.1:7000"))
        #expect(!RedisClusterSeeds.isClusterURL("redis://127.0.0.1:7000"))
    }

    @Test func aClusterURLWithADatabaseOrAnEmptyNodeIsRefusedWithoutItsPassword() {
        for url in [
            "redis-cluster://:s3cret@10.0.0.5:7000/2", "redis-cluster://:s3cret@10.0.0.5:7000,,10.0.0.6:7000",
            "redis-cluster://:s3cret@10.0.0.5:notaport", "redis://:s3cret@10.0.0.5:7000",
        ] {
            #expect {
                try RedisClusterSeeds(url: url)
            } throws: { error in
                guard case .invalidURL(let shown, _) = error as? RedisError else { return false }
                return !shown.contains("s3cret")
            }
        }
    }

    @Test func redirectionsAreReadFromErrorReplies() {
        #expect(ClusterRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381") == .moved(slot: 3999, host: "127.0.0.1", port: 6381))
        #expect(ClusterRedirection(errorMessage: "ASK 3999 ::1:6381") == .ask(slot: 3999, host: "::1", port: 6381))
        #expect(ClusterRedirection(errorMessage: "TRYAGAIN Multiple keys request during rehashing of slot") == .retryLater)
        #expect(ClusterRedirection(errorMessage: "CLUSTERDOWN The cluster is down") == .retryLater)
        #expect(ClusterRedirection(errorMessage: "NOSCRIPT No matching script") == nil)
        #expect(ClusterRedirection(errorMessage: "MOVED 3999") == nil)
    }
}
