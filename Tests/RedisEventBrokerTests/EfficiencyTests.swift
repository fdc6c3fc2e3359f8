import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(3))) struct EfficiencyTests {
    /// Publishes events one at a time to `instances` sleeping consumers and returns the Redis
    /// commands (INFO commandstats, inside scripts included) and picks per delivered event.
    func cost(instances: Int, events: Int = 20) async throws -> (commands: Double, picks: Double) {
        var result = (commands: 0.0, picks: 0.0)
        try await TestRedis.with { redis in
            let ledger = Ledger()
            for _ in 0..<instances {
                // No idle polling and no lease checker during the measurement: only wake-ups move
                // the consumers. (Both cost per unit of time, not per event.)
                let consumer = try await redis.broker("billing") { configuration in
                    configuration.idlePollInterval = .seconds(3600)
                    configuration.companions = []
                }
                try await consumer.subscribe("orders")
                consumer.pickOnNotification { ledger.record(consumer, $0) }
            }
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            try await publisher.publishEvent(Event(streamId: "warm-up", topic: "orders"))
            try await eventually("the warm-up event was handled") { ledger.all.count == 1 }
            try await redis.waitUntilIdle(consumers: instances)
            try await redis.command("CONFIG", "RESETSTAT")
            for number in 1...events {
                try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders"))
                try await eventually("event \(number) was handled") { ledger.all.count == number + 1 }
                try await redis.waitUntilIdle(consumers: instances)
            }
            let commands = try await redis.commandCount()
            let picks = try await redis.commandCalls("rpop")
            result = (Double(commands) / Double(events), Double(picks) / Double(events))
        }
        return result
    }

    @Test func commandsPerDeliveredEventDoNotGrowWithInstances() async throws {
        let one = try await cost(instances: 1)
        let eight = try await cost(instances: 8)
        // One publish wakes one instance, which picks once: no instance works for events it does not take.
        #expect(one.picks == 1)
        #expect(eight.picks == 1)
        #expect(eight.commands == one.commands, "1 instance: \(one.commands), 8 instances: \(eight.commands)")
    }
}

extension TestRedis {
    /// Waits until every consumer sleeps in BLPOP and every handled event was acked: only the
    /// registry keys remain (the topic's subscribers and version, and the set of services).
    /// Asks with INFO and SCAN alone, which the counts leave out.
    func waitUntilIdle(consumers: Int) async throws {
        try await eventually("every consumer sleeps and every event was acked") {
            let sleeping = try await blockedClients()
            let left = try await keys()
            return sleeping == consumers && left.count == 3
        }
    }

    /// How many times Redis ran `command`, from INFO commandstats.
    func commandCalls(_ command: String) async throws -> Int {
        try await info("commandstats").filter { $0.hasPrefix("cmdstat_\(command):calls=") }.reduce(0) { total, line in
            total + (Int(line.dropFirst("cmdstat_\(command):calls=".count).prefix { $0 != "," }) ?? 0)
        }
    }
}
