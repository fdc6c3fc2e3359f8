import EventBrokerTestSupport
import Foundation
import Testing

@testable import LuaScriptKit

/// Every test file in Scripts/tests/ passes on the embedded backend, and every script has one.
@Suite struct ScriptTestFilesTests {
    /// The package's Scripts directory.
    static let scriptsDirectory = packageRoot.appending(path: "Scripts").path(percentEncoded: false)

    @Test func everyScriptHasATestFile() throws {
        let suite = try ScriptTestSuite(directory: Self.scriptsDirectory)
        #expect(!suite.scripts.isEmpty)
        for name in suite.scripts.keys.sorted() {
            #expect(suite.testFiles.contains { $0.name == "\(name).test.lua" }, "Scripts/tests/\(name).test.lua")
        }
    }

    @Test func everyTestFilePassesOnTheEmbeddedBackend() throws {
        let run = ScriptTestRunner(suite: try ScriptTestSuite(directory: Self.scriptsDirectory)).run(on: EmbeddedBackend())
        #expect(run.succeeded, "\(run.report)")
        #expect(run.passed >= 180)
        for file in run.files {
            #expect(!file.tests.isEmpty, "\(file.file) has tests")
        }
    }
}
