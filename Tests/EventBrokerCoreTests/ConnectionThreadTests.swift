import Foundation
import Synchronization
import Testing

@testable import EventBrokerCore

@Suite(.timeLimit(.minutes(1)))
struct ConnectionThreadTests {
    #if os(Linux)
        /// A connection's thread shows under its role's name in `top -H`, `perf` and `/proc`, not
        /// under the name of the pool thread that started it.
        @Test func aConnectionThreadCarriesItsNameInTheKernel() async throws {
            let control = ConnectionThreadControl()
            let seen = Mutex<String?>(nil)
            control.startThread(name: "reb-named-test") {
                let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
                seen.withLock { $0 = comm?.trimmingCharacters(in: .newlines) }
            }
            await control.waitForExit()
            #expect(seen.withLock { $0 } == "reb-named-test")
        }
    #endif
}
