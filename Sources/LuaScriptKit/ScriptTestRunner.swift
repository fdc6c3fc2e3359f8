/// Runs the script tests of a ``ScriptTestSuite`` on one ``ScriptTestBackend``.
///
/// Each test file runs in a Lua 5.4 state of its own with these globals:
///
/// - `test(name, function() … end)` registers a test; tests run in file order.
/// - `call(command, ...)` runs a Redis command on the backend (no `KEYS` check) and returns its
///   reply as `redis.call` would; an error reply raises.
/// - `run(script, keys, argv)` runs `Scripts/<script>.lua` on the backend and returns its reply
///   as `redis.call` would, except that an error reply comes back as `{err = message}`.
/// - `published()` lists this test's PUBLISH calls: `{ {channel, message}, … }`.
/// - `mask_score(key, member)` hides a clock-dependent score from the test's keyspace dump.
/// - `assert_equal(actual, expected, message)` (deep, with the first difference),
///   `assert_not_equal`, `assert_true`, `assert_false`, `assert_error(reply, prefix, message)`,
///   `assert_between(value, low, high, message)`, `fail(message)`, and `sorted(list)`.
///
/// Before each test the backend is reset (FLUSHALL, published messages forgotten); after it, the
/// runner records a ``KeyspaceDump``. Everything runs on the calling thread, synchronously.
///
/// ```swift
/// let run = ScriptTestRunner(suite: try ScriptTestSuite(directory: "Scripts")).run(on: EmbeddedBackend())
/// print(run.report)
/// ```
package struct ScriptTestRunner: Sendable {
    /// The scripts and test files.
    package var suite: ScriptTestSuite
    /// Only tests whose `<file>: <name>` contains this text (ignoring case) run, when set.
    package var filter: String?

    /// Creates a runner.
    package init(suite: ScriptTestSuite, filter: String? = nil) {
        self.suite = suite
        self.filter = filter
    }

    /// Runs every (selected) test on `backend`.
    package func run(on backend: some ScriptTestBackend) -> ScriptTestRun {
        ScriptTestRun(backend: backend.name, files: suite.testFiles.compactMap { run($0, on: backend) })
    }

    /// Runs one file; `nil` when the filter selects none of its tests.
    private func run(_ file: ScriptTestFile, on backend: some ScriptTestBackend) -> ScriptTestFileResult? {
        let lua = LuaState()
        let session = Session()
        lua.openDebugLibrary()
        registerBackendFunctions(on: lua, backend: backend, session: session)
        let chunkName = "@" + file.name
        do {
            try lua.load(Array(ScriptTestHarnessPrelude.source.utf8), chunkName: "=script-test-harness")
            lua.push(chunkName)
            try lua.call(arguments: 1, results: 1)
        } catch {
            preconditionFailure("the script test harness does not load: \(error)")
        }
        let harness = lua.top

        var loadFailure: ScriptTestFailureReport?
        do {
            lua.rawGet(table: harness, field: "load")
            try lua.load(file.source, chunkName: chunkName)
            loadFailure = try outcome(of: lua, arguments: 1)
        } catch {
            loadFailure = ScriptTestFailureReport(message: "\(error)", line: nil)
        }

        var names: [String] = []
        if loadFailure == nil {
            lua.rawGet(table: harness, field: "names")
            do {
                try lua.call(arguments: 0, results: 1)
            } catch {
                preconditionFailure("the script test harness could not list the tests: \(error)")
            }
            for index in 0..<lua.rawLength(at: -1) {
                lua.rawGet(table: -1, index: Int64(index + 1))
                names.append(lua.string(at: -1) ?? "")
                lua.pop(1)
            }
            lua.pop(1)
        }

        var results: [ScriptTestResult] = []
        for (index, name) in names.enumerated() where selects(file: file.name, test: name) {
            session.maskedScores = []
            var failure: ScriptTestFailureReport?
            do throws(ScriptTestFailure) {
                try backend.reset()
            } catch {
                failure = ScriptTestFailureReport(message: "the backend could not be reset: \(error.message)", line: nil)
            }
            if failure == nil {
                lua.rawGet(table: harness, field: "run")
                lua.push(Int64(index + 1))
                do {
                    failure = try outcome(of: lua, arguments: 1)
                } catch {
                    failure = ScriptTestFailureReport(message: "\(error)", line: nil)
                }
            }
            var dump: KeyspaceDump?
            do throws(ScriptTestFailure) {
                dump = try KeyspaceDump.capture(from: backend, masking: session.maskedScores)
            } catch {
                failure = failure ?? ScriptTestFailureReport(message: "the keyspace dump failed: \(error.message)", line: nil)
            }
            results.append(ScriptTestResult(name: name, outcome: failure.map { .failed($0) } ?? .passed, dump: dump))
        }
        if loadFailure == nil && results.isEmpty && filter != nil { return nil }
        return ScriptTestFileResult(file: file.name, loadFailure: loadFailure, tests: results)
    }

    private func selects(file: String, test: String) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        return "\(file): \(test)".lowercased().contains(filter.lowercased())
    }

    /// Calls the harness function under its `arguments` and reads `true` or `false, message, line`.
    private func outcome(of lua: LuaState, arguments: Int32) throws(LuaError) -> ScriptTestFailureReport? {
        try lua.call(arguments: arguments, results: 3)
        defer { lua.pop(3) }
        if lua.boolean(at: -3) == true { return nil }
        return ScriptTestFailureReport(
            message: lua.string(at: -2) ?? "the test failed", line: lua.integer(at: -1).map { Int($0) })
    }

    /// What the Swift functions of one file share.
    private final class Session {
        var maskedScores: Set<KeyspaceDump.MaskedScore> = []
    }

    /// Defines `call`, `run`, `published` and `mask_score`.
    private func registerBackendFunctions(on lua: LuaState, backend: some ScriptTestBackend, session: Session) {
        let scripts = suite.scripts
        lua.setGlobalFunction("call") { lua in
            guard lua.top > 0 else { return .error("call needs a command") }
            var words: [[UInt8]] = []
            for index in 1...lua.top {
                guard let word = lua.redisArgument(at: index) else {
                    return .error("call: argument \(index) is a \(lua.typeName(at: index)); commands take strings and numbers")
                }
                words.append(word)
            }
            do throws(ScriptTestFailure) {
                let reply = try backend.call(words)
                if case .error(let message) = reply { return .error(message) }
                lua.push(reply: reply)
                return .results(1)
            } catch {
                return .error(error.message)
            }
        }
        lua.setGlobalFunction("run") { lua in
            guard let name = lua.string(at: 1) else { return .error("run needs the name of a script") }
            guard let script = scripts[name] else { return .error("run: there is no script \(name).lua") }
            let keys: [[UInt8]]
            let arguments: [[UInt8]]
            switch (Self.words(in: lua, at: 2, what: "keys"), Self.words(in: lua, at: 3, what: "argv")) {
            case (.success(let readKeys), .success(let readArguments)):
                (keys, arguments) = (readKeys, readArguments)
            case (.failure(let problem), _), (_, .failure(let problem)):
                return .error(problem.message)
            }
            do throws(ScriptTestFailure) {
                lua.push(reply: try backend.run(script, keys: keys, arguments: arguments))
                return .results(1)
            } catch {
                return .error(error.message)
            }
        }
        lua.setGlobalFunction("published") { lua in
            do throws(ScriptTestFailure) {
                let messages = try backend.published()
                lua.pushTable(arrayCapacity: Int32(clamping: messages.count))
                for (index, message) in messages.enumerated() {
                    lua.pushTable(arrayCapacity: 2)
                    lua.push(bytes: message.channel)
                    lua.rawSet(table: -2, index: 1)
                    lua.push(bytes: message.message)
                    lua.rawSet(table: -2, index: 2)
                    lua.rawSet(table: -2, index: Int64(index + 1))
                }
                return .results(1)
            } catch {
                return .error(error.message)
            }
        }
        lua.setGlobalFunction("mask_score") { lua in
            guard let key = lua.redisArgument(at: 1), let member = lua.redisArgument(at: 2) else {
                return .error("mask_score needs a key and a member")
            }
            session.maskedScores.insert(KeyspaceDump.MaskedScore(key: key, member: member))
            return .results(0)
        }
    }

    /// The strings of the list at `index` (`nil` reads as empty), numbers converted as Redis does.
    private static func words(in lua: LuaState, at index: Int32, what: String) -> Result<[[UInt8]], ScriptTestFailure> {
        switch lua.type(at: index) {
        case .none, .nil:
            return .success([])
        case .table:
            var words: [[UInt8]] = []
            var element: Int64 = 1
            while true {
                lua.rawGet(table: index, index: element)
                defer { lua.pop(1) }
                if lua.type(at: -1) == .nil { return .success(words) }
                guard let word = lua.redisArgument(at: -1) else {
                    return .failure(ScriptTestFailure(message: "run: \(what)[\(element)] is a \(lua.typeName(at: -1)); use strings and numbers"))
                }
                words.append(word)
                element += 1
            }
        default:
            return .failure(ScriptTestFailure(message: "run: \(what) must be a list, not a \(lua.typeName(at: index))"))
        }
    }
}
