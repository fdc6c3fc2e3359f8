import EventBrokerCore
import RedisServerProcess
import Testing

/// The process-wide request counters that benchmarks read: requests by kind and round trips.
@Suite(.timeLimit(.minutes(1))) struct RedisTrafficTests {
    @Test(arguments: [
        ("EVALSHA", RedisTraffic.Kind.script), ("evalsha", .script), ("Eval", .script), ("FCALL_RO", .script),
        ("BLPOP", .blockingWait), ("bzpopmin", .blockingWait), ("BLMOVE", .blockingWait),
        ("GET", .other), ("BITCOUNT", .other), ("EVALSHAX", .other), ("LPOP", .other), ("B", .other),
    ])
    func commandsAreCountedByKind(name: String, kind: RedisTraffic.Kind) {
        #expect(RedisTraffic.kind(of: Array(name.utf8)) == kind)
    }

    @Test func everyConnectionAddsItsRequestsAndBatches() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(server.url, clientName: "traffic")
            try await redis.connect()
            // Other tests of the process send requests meanwhile: only lower bounds hold.
            let before = RedisTraffic.totals
            _ = try await redis.send("EVAL", "return 1", "0")
            _ = try await redis.send("BLPOP", "traffic-list", "0.01")
            for _ in 0..<3 { _ = try await redis.send("PING") }
            let traffic = RedisTraffic.totals - before
            #expect(traffic.scripts >= 1)
            #expect(traffic.blockingWaits >= 1)
            #expect(traffic.others >= 3)
            #expect(traffic.batches >= 5)
            #expect(traffic.requests == traffic.scripts + traffic.blockingWaits + traffic.others)
            await redis.close()
        }
    }
}
