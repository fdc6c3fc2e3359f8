/// One run of a broker script as the broker makes it: the script, its keys and its arguments.
/// Benchmarks replay such runs outside the broker (`event-broker bench broker`'s ceiling).
package struct ScriptCall: Sendable {
    /// The script.
    package let script: RedisScript
    /// Its keys, in the order its header lists them.
    package let keys: [String]
    /// Its arguments.
    package let arguments: [[UInt8]]

    /// A run of `script` with `keys` and `arguments`.
    package init(script: RedisScript, keys: [String], arguments: [[UInt8]]) {
        self.script = script
        self.keys = keys
        self.arguments = arguments
    }

    /// The `EVALSHA` command of the run.
    package var command: [[UInt8]] {
        var command: [[UInt8]] = [Array("EVALSHA".utf8), Array(script.sha1.utf8), Array(String(keys.count).utf8)]
        command.reserveCapacity(3 + keys.count + arguments.count)
        command += keys.map { Array($0.utf8) }
        command += arguments
        return command
    }
}
