import EventBrokerTestSupport
import Foundation
import Testing

@testable import LuaScriptKit

/// The repository's own `Scripts/` lint clean against `Scripts/scripts.lock`.
@Suite struct RealScriptsTests {
    /// The repository's `Scripts/` folder.
    let scripts = packageRoot.appending(path: "Scripts").path(percentEncoded: false)

    @Test func lintClean() throws {
        let report = try ScriptLinter.run(paths: [scripts], updateLock: false)
        #expect(report.findings.map(\.description) == [])
        #expect(report.scriptCount == 15)
    }

    @Test func theLockRecordsEveryScriptAtItsVersion() throws {
        let lock = try String(decoding: Data(contentsOf: URL(filePath: scripts).appending(path: "scripts.lock")), as: UTF8.self)
        let entries = lock.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        #expect(entries == [
            "ack 2", "dead-letters 1", "depths 1", "forget-service 1", "nack 2", "pick 4", "publish 3", "publish-service 1", "purge-dead 1",
            "release 1", "renew 1", "replay-dead 1", "subscribe 2", "sweep 1", "unsubscribe 2",
        ])
    }
}
