import ArgumentParser
import EventBrokerTestSupport
import Foundation
import LuaScriptKit
import Testing

@testable import EventBrokerCLI

/// The script tests on both backends: everything passes on each, and they agree.
@Suite(.timeLimit(.minutes(2))) struct ScriptTestBackendsTests {
    static let scriptsDirectory = packageRoot.appending(path: "Scripts").path(percentEncoded: false)

    @Test func everyTestFilePassesOnBothBackendsWithTheSameKeyspaceAfterEveryTest() async throws {
        let suite = try ScriptTestSuite(directory: Self.scriptsDirectory)
        let runs = try await ScriptTestSession.run(suite: suite, filter: nil, on: [.embedded, .redis])
        try #require(runs.map(\.backend) == ["embedded", "redis"])
        let (embedded, redis) = (runs[0], runs[1])
        #expect(embedded.succeeded, "\(embedded.report)")
        #expect(redis.succeeded, "\(redis.report)")
        #expect(BackendAgreement.disagreements(between: embedded, and: redis) == [])

        try #require(embedded.files.map(\.file) == redis.files.map(\.file))
        for (one, other) in zip(embedded.files, redis.files) {
            try #require(one.tests.map(\.name) == other.tests.map(\.name))
            for (test, counterpart) in zip(one.tests, other.tests) {
                #expect(test.passed == counterpart.passed, "\(one.file): \(test.name)")
                #expect(test.dump != nil && test.dump == counterpart.dump, "\(one.file): \(test.name)")
            }
        }
        let written = redis.files.flatMap(\.tests).filter { $0.dump?.entries.isEmpty == false }
        #expect(written.count > redis.passed / 2, "most tests leave keys behind to compare")
    }

    @Test func theCommandExitsWithFailureWhenATestFails() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeFile("return redis.call('INCR', KEYS[1])", named: "count.lua", in: directory)
        let testFile = "tests/count.test.lua"

        try writeFile("test('counts', function() assert_equal(run('count', {'n'}), 1) end)", named: testFile, in: directory)
        let passing = try #require(
            try EventBrokerCommand.parseAsRoot(["test-scripts", "--scripts", directory.path]) as? TestScriptsCommand)
        try await passing.run()

        try writeFile("test('counts', function() assert_equal(run('count', {'n'}), 2) end)", named: testFile, in: directory)
        let failing = try TestScriptsCommand.parse(["--backend", "embedded", "--scripts", directory.path])
        await #expect(throws: ExitCode.failure) {
            try await failing.run()
        }
    }
}
