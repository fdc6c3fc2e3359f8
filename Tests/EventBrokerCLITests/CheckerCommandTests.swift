import EventBrokerTestSupport
import Foundation
import Logging
import RedisEventBroker
import Testing

@testable import EventBrokerCLI
@testable import EventBrokerCore

/// `event-broker checker`, run as the built executable against a throwaway redis-server.
@Suite(.timeLimit(.minutes(2))) struct CheckerCommandTests {
    @Test func sweepsAnExpiredLeaseBackToTheQueueAndStopsOnSIGTERM() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let id = try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let checker = try redis.start(["checker", "--interval", "100ms"])
            try await eventually("the checker started") { checker.standardErrorSoFar.contains("Checker started") }

            await #expect(throws: BrokerError.leaseLost(eventId: id)) {
                try await billing.pick { _ in
                    // As if this instance had crashed: its lease ends now, and no broker runs a
                    // lease checker, so only the command can put the event back.
                    try await redis.command("ZADD", billing.serviceKeys.leases, "0", id)
                    try await eventually("the checker put the event back in the queue") {
                        let queued = try await redis.command("LRANGE", billing.serviceKeys.published, "0", "-1")
                        return queued.array?.compactMap(\.string) == [id]
                    }
                }
            }
            let redelivered = try #require(try await nextEvent(billing))
            #expect(redelivered.id == id)
            #expect(redelivered.deliveryCount == 2)

            checker.send(SIGTERM)
            let output = try #require(try await checker.exit(within: .seconds(10)), "SIGTERM stops the checker")
            #expect(output.status == 0)
            #expect(output.standardOutput == "", "the checker logs to standard error only")
            let swept = output.standardError.split(separator: "\n").filter { $0.contains("Swept the queue") }
            #expect(swept.count == 1)
            #expect(swept.first?.contains("expired-requeued=1") == true)
            #expect(swept.first?.contains("service=billing") == true)
            #expect(output.standardError.contains("Checker stopped"))
        }
    }

    @Test func takesTheURLFromREDIS_URLAndStopsOnSIGINT() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let checker = try ChildProcess(
                eventBrokerExecutable, ["checker", "--interval", "50ms", "--log-level", "debug"],
                environment: ["REDIS_URL": redis.url])
            try await eventually("the checker started") { checker.standardErrorSoFar.contains("Checker started") }
            #expect(checker.standardErrorSoFar.contains("redis=\(redis.url)"))
            checker.send(SIGINT)
            let output = try #require(try await checker.exit(within: .seconds(10)), "SIGINT stops the checker")
            #expect(output.status == 0)
            #expect(output.standardError.contains("Checker stopped"))
        }
    }

    @Test(arguments: [
        (
            ["--interval", "5x"],
            "Error: The value '5x' is invalid for '--interval <interval>': expected \(DurationArgument.forms)"
        ),
        (["--interval", "0ms"], "Error: --interval must be longer than zero"),
        (["--max-deliveries", "0"], "Error: --max-deliveries must be at least 1"),
        (["--dead-letter-limit", "0"], "Error: --dead-letter-limit must be at least 1"),
        (
            ["--log-level", "loud"],
            "Error: The value 'loud' is invalid for '--log-level <log-level>': use one of \(Logger.levelNames)"
        ),
    ])
    func refusesBadOptions(arguments: [String], error: String) async throws {
        let output = try await runEventBroker(["checker"] + arguments, environment: ["REDIS_URL": unreachableRedisURL])
        #expect(output.status != 0)
        #expect(output.standardError.split(separator: "\n").first.map(String.init) == error)
    }

    @Test func refusesABadURLWithOneLine() async throws {
        let output = try await runEventBroker(["checker", "--redis-url", "redis://127.0.0.1:0"])
        #expect(output.status == 1)
        #expect(output.standardError == "Error: Invalid Redis URL 'redis://127.0.0.1:0': the port '0' is not a number from 1 to 65535\n")
    }
}
