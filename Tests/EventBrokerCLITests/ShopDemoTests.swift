import Logging
import RedisServerProcess
import Testing

@testable import EventBrokerCLI

@Suite(.timeLimit(.minutes(2))) struct ShopDemoTests {
    @Test func theDemoHandlesEveryOrderOncePerServiceAndRedeliversTheFailedOne() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let summary = try await ShopDemo(redisURL: server.url, orders: 6, logLevel: .critical).run()
        #expect(summary.published == 6)
        #expect(summary.lost == 0)
        for entry in summary.handled {
            #expect(entry.distinct == 6, "\(entry.service) handled every order")
            #expect(entry.total == 6, "\(entry.service) handled no order twice")
            #expect(entry.redelivered == (entry.service == "billing" ? 1 : 0))
        }
        #expect(summary.report().contains("lost       0"))
    }
}
