/// The script-test backend without a server: commands go to a ``RedisModel`` and scripts run in
/// a ``RedisScriptSandbox`` of their own against it.
///
/// Stricter than Redis in two ways that fail the test: a script touching a key not in `KEYS`,
/// and any command or option the model does not implement.
package final class EmbeddedBackend: ScriptTestBackend {
    /// The keyspace the tests work on.
    package let model = RedisModel()

    /// Creates a backend with an empty keyspace.
    package init() {}

    /// `embedded`.
    package var name: String { "embedded" }

    /// Empties the model's keyspace and its record of PUBLISH calls.
    package func reset() throws(ScriptTestFailure) {
        model.removeAllKeys()
        model.clearPublished()
    }

    /// Runs the command on the model; a command or option it lacks is a failure.
    package func call(_ arguments: [[UInt8]]) throws(ScriptTestFailure) -> RedisValue {
        do throws(RedisModelLimitation) {
            return try model.execute(arguments)
        } catch {
            throw ScriptTestFailure(message: error.message)
        }
    }

    /// Runs the script in a sandbox of its own against the model.
    package func run(_ script: ScriptUnderTest, keys: [[UInt8]], arguments: [[UInt8]]) throws(ScriptTestFailure)
        -> RedisValue
    {
        try RedisScriptSandbox.run(script, keys: keys, arguments: arguments, against: model)
    }

    /// The PUBLISH calls the model recorded since the last reset.
    package func published() throws(ScriptTestFailure) -> [PublishedMessage] {
        model.published
    }
}
