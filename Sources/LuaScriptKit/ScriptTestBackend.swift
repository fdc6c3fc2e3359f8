/// Where a script test's `call`, `run` and `published` go: the in-memory ``RedisModel``
/// (``EmbeddedBackend``) or a real redis-server. The test file itself always runs in embedded
/// Lua 5.4; only these calls reach the backend, one at a time, on the runner's thread.
package protocol ScriptTestBackend {
    /// A short name for reports, such as `embedded` or `redis`.
    var name: String { get }

    /// Empties the keyspace and forgets the published messages; runs before every test.
    func reset() throws(ScriptTestFailure)

    /// Runs one command (its name first) as a client would; an error reply is a value, not a
    /// failure.
    func call(_ arguments: [[UInt8]]) throws(ScriptTestFailure) -> RedisValue

    /// Runs a script as `EVALSHA` would and returns its reply; an error reply is a value.
    func run(_ script: ScriptUnderTest, keys: [[UInt8]], arguments: [[UInt8]]) throws(ScriptTestFailure)
        -> RedisValue

    /// The PUBLISH calls since the last ``reset()``, in order.
    func published() throws(ScriptTestFailure) -> [PublishedMessage]
}

/// Why the running test fails regardless of its assertions: the backend could not answer (a
/// lost connection, a command the model lacks) or a script broke a rule (a key not in `KEYS`).
package struct ScriptTestFailure: Error, Equatable, CustomStringConvertible {
    /// What went wrong, in words.
    package var message: String

    /// Creates a failure.
    package init(message: String) {
        self.message = message
    }

    /// The message.
    package var description: String { message }
}
