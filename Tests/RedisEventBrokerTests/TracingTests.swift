import EventBrokerTestSupport
import InMemoryTracing
import Testing
import Tracing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// Trace propagation from a publisher to a consumer in another broker instance, through a real
/// redis-server, with in-memory tracers injected into the configurations (nothing is bootstrapped).
@Suite(.timeLimit(.minutes(2))) struct TracingTests {
    @Test func configurationsWithAndWithoutATracerDoNotShareAnInstance() async throws {
        try await TestRedis.with { redis in
            let plain = redis.configuration("billing")
            var traced = plain
            traced.tracer = InMemoryTracer()
            var tracedAgain = plain
            tracedAgain.tracer = InMemoryTracer()
            let untracedBroker = try await RedisEventBroker.shared(plain)
            let tracedBroker = try await RedisEventBroker.shared(traced)
            #expect(untracedBroker !== tracedBroker)
            #expect(try await RedisEventBroker.shared(tracedAgain) === tracedBroker, "tracers of one type count as equal")
            try await untracedBroker.shutdown()
            try await tracedBroker.shutdown()
        }
    }
}
