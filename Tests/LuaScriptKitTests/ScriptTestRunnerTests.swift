import Testing

@testable import LuaScriptKit

/// The harness itself: what test files can call, how failures are reported, what is dumped.
@Suite struct ScriptTestRunnerTests {
    private let counter = ScriptUnderTest(
        name: "counter",
        source: Array("#!lua\nredis.call('PUBLISH', 'counted', KEYS[1])\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])".utf8))
    private let sneaky = ScriptUnderTest(name: "sneaky", source: Array("#!lua\n\nreturn redis.call('GET', 'elsewhere')".utf8))

    private func run(_ source: String, filter: String? = nil) -> ScriptTestRun {
        let suite = ScriptTestSuite(
            scripts: [counter, sneaky], testFiles: [ScriptTestFile(name: "counter.test.lua", source: Array(source.utf8))])
        return ScriptTestRunner(suite: suite, filter: filter).run(on: EmbeddedBackend())
    }

    @Test func aFailingAssertionIsReportedWithFileLineAndDifference() throws {
        let results = run("""
            test('counts', function()
              assert_equal(run('counter', {'n'}, {2}), 2)
            end)
            test('a wrong expectation', function()
              local reply = run('counter', {'n'}, {5})
              assert_equal({reply, 'x'}, {6, 'x'}, 'the counter')
            end)
            """)
        #expect(results.passed == 1)
        #expect(results.failed == 1)
        let test = try #require(results.files.first?.tests.last)
        #expect(test.outcome == .failed(ScriptTestFailureReport(
            message: "the counter: expected {6, \"x\"}\n     got {5, \"x\"}\n     first difference at [1]: expected 6, got 5",
            line: 6)))
        #expect(results.report.contains("✔ counter.test.lua: counts"))
        #expect(results.report.contains("✘ counter.test.lua:6: a wrong expectation\n    the counter: expected {6, \"x\"}"))
        #expect(results.report.hasSuffix("embedded: 2 tests, 1 passed, 1 failed"))
    }

    @Test func aFailureInAHelperNamesTheHelperLine() throws {
        let results = run("""
            local function check(value)
              assert_true(value, 'checked')
            end
            test('uses a helper', function()
              check(false)
            end)
            """)
        #expect(results.files.first?.tests.first?.outcome == .failed(ScriptTestFailureReport(
            message: "checked: expected a true value, got false", line: 2)))
    }

    @Test func errorRepliesComeBackAsTablesAndAssertErrorChecksTheirPrefix() {
        let results = run("""
            test('errors', function()
              call('SET', 'n', 'text')
              local reply = run('counter', {'n'}, {1})
              assert_error(reply, 'ERR value is not an integer')
              assert_equal(reply.err, 'ERR value is not an integer or out of range script: counter, on @user_script:3.')
              assert_false(pcall(call, 'INCR', 'n'), 'call raises on an error reply')
            end)
            """)
        #expect(results.succeeded, "\(results.report)")
    }

    @Test func aScriptTouchingAKeyNotInKeysFailsTheTest() {
        let results = run("""
            test('sneaks', function()
              run('sneaky', {}, {})
            end)
            """)
        #expect(results.files.first?.tests.first?.outcome == .failed(ScriptTestFailureReport(
            message: "sneaky.lua:3: redis.call('GET') uses the key \"elsewhere\", which is not in KEYS; "
                + "every key a script touches must arrive in KEYS",
            line: 2)))
    }

    @Test func eachTestStartsEmptyAndSeesOnlyItsOwnPublishes() {
        let results = run("""
            test('first', function()
              run('counter', {'a'}, {1})
              assert_equal(published(), {{'counted', 'a'}})
            end)
            test('second', function()
              assert_equal(call('KEYS', '*'), {})
              assert_equal(published(), {})
            end)
            """)
        #expect(results.succeeded, "\(results.report)")
    }

    @Test func theDumpRecordsEveryKeySortedAndMasksScores() throws {
        let results = run("""
            test('fills the keyspace', function()
              call('RPUSH', 'list', 'b', 'a')
              call('HSET', 'hash', 'z', '1', 'a', '2')
              call('SADD', 'set', 'y', 'x')
              call('ZADD', 'zset', 1700000000123, 'lease', 2.5, 'other')
              call('SET', 'string', 'text')
              mask_score('zset', 'lease')
            end)
            """)
        let dump = try #require(results.files.first?.tests.first?.dump)
        #expect(dump.description == """
            "hash" hash {"a": "2", "z": "1"}
            "list" list ["b", "a"]
            "set" set {"x", "y"}
            "string" string "text"
            "zset" zset {"lease": <masked>, "other": 2.5}
            """)
    }

    @Test func aFileThatDoesNotLoadIsOneFailure() {
        let results = run("test('a', function() end)\nlocal = 1")
        #expect(results.files.first?.loadFailure?.message.hasPrefix("counter.test.lua:2:") == true)
        #expect(results.failed == 1)
        #expect(results.report.contains("✘ counter.test.lua: the file did not load"))
    }

    @Test func anErrorOutsideTheTestsIsALoadFailureWithItsLine() {
        let results = run("\nerror('broken setup')")
        #expect(results.files.first?.loadFailure == ScriptTestFailureReport(message: "broken setup", line: 2))
    }

    @Test func theFilterSelectsTestsByFileAndName() {
        let source = "test('alpha', function() end)\ntest('beta', function() fail('no') end)"
        #expect(run(source, filter: "ALPHA").files.first?.tests.map(\.name) == ["alpha"])
        #expect(run(source, filter: "counter.test.lua: b").files.first?.tests.map(\.name) == ["beta"])
        #expect(run(source, filter: "nothing").files.isEmpty)
    }

    @Test func backendAgreementNamesEveryDifference() {
        let dump = KeyspaceDump(entries: [KeyspaceDump.Entry(key: Array("k".utf8), contents: .string(Array("1".utf8)))])
        let other = KeyspaceDump(entries: [KeyspaceDump.Entry(key: Array("k".utf8), contents: .string(Array("2".utf8)))])
        let passed = ScriptTestResult(name: "t", outcome: .passed, dump: dump)
        let first = ScriptTestRun(backend: "embedded", files: [ScriptTestFileResult(file: "f.test.lua", tests: [passed])])
        var second = first
        second.backend = "redis"
        #expect(BackendAgreement.disagreements(between: first, and: second).isEmpty)
        second.files[0].tests[0] = ScriptTestResult(
            name: "t", outcome: .failed(ScriptTestFailureReport(message: "x", line: 1)), dump: other)
        #expect(BackendAgreement.disagreements(between: first, and: second) == [
            "f.test.lua: t: passes on embedded, fails on redis",
            "f.test.lua: t: the keyspaces differ after the test (- only on embedded, + only on redis)\n"
                + "    - \"k\" string \"1\"\n    + \"k\" string \"2\"",
        ])
    }
}
