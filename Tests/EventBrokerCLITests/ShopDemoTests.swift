import EventBrokerTestSupport
import Foundation
import Testing

/// The demo end to end, short: the Examples package's services as processes on a throwaway
/// redis-server, one billing instance killed while it works.
@Suite(.timeLimit(.minutes(20))) struct ShopDemoTests {
    @Test func theDemoLosesNoOrderWhenAnInstanceIsKilledMidWork() async throws {
        // Builds the Examples package first when it is not built (make test builds it before).
        let child = try ChildProcess(
            eventBrokerExecutable,
            ["demo", "--orders", "40", "--examples", packageRoot.appending(path: "Examples").path],
            environment: ["REDIS_URL": ""])
        try child.closeInput()
        let output = try #require(try await child.exit(within: .seconds(1_080)), "the demo did not end")
        let text = output.standardOutput
        #expect(output.status == 0, "\(text)\n\(output.standardError)")
        #expect(text.contains("placed 40 of 40 orders"))
        #expect(text.contains("billing     handled 40 of 40"))
        #expect(text.contains("shipping    handled 40 of 40"))
        #expect(text.contains("lost        0"))
        #expect(text.contains(#/killed      billing#\d by SIGKILL while it handled orders? \d+/#))
        #expect(text.contains(#/redelivered (\d+) of \1 after the kill/#))
        #expect(text.contains("stopped     every instance, on SIGTERM, with status 0"))
        #expect(text.contains("p50"))
    }
}
