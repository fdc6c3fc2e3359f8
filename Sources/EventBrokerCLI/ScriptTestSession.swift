import LuaScriptKit

/// One run of the script tests on one or more backends, on a dedicated thread.
enum ScriptTestSession {
    /// A backend to run the tests on.
    enum BackendKind: Sendable {
        /// ``EmbeddedBackend``: the in-memory Redis model.
        case embedded
        /// ``RedisScriptTestBackend``: a throwaway redis-server.
        case redis
    }

    /// Runs every selected test of `suite` on each backend in turn; one ``ScriptTestRun`` each.
    static func run(suite: ScriptTestSuite, filter: String?, on backends: [BackendKind]) async throws -> [ScriptTestRun] {
        let runner = ScriptTestRunner(suite: suite, filter: filter)
        return try await ScriptTestThread.run {
            try backends.map { kind in
                switch kind {
                case .embedded:
                    return runner.run(on: EmbeddedBackend())
                case .redis:
                    let backend = try RedisScriptTestBackend()
                    defer { backend.close() }
                    return runner.run(on: backend)
                }
            }
        }
    }
}
