import Logging

/// Runs embedded scripts by `EVALSHA`, loading a script with `SCRIPT LOAD` when Redis answers
/// `NOSCRIPT` (after a restart, a failover or `SCRIPT FLUSH`) and retrying once; each such
/// reload is told to the observers.
package struct ScriptRunner: Sendable {
    /// The connection every script runs on.
    let connection: RedisConnection
    /// Where reloads are logged.
    let logger: Logger
    /// Told of every reload after `NOSCRIPT`.
    let observers: [any BrokerObserver]
    /// The service reloads are reported for (empty for the standalone checker, which serves every service).
    let serviceName: String

    /// Creates a runner on `connection` whose reloads are reported to `observers` as `serviceName`'s.
    package init(connection: RedisConnection, logger: Logger, observers: [any BrokerObserver] = [], serviceName: String = "") {
        self.connection = connection
        self.logger = logger
        self.observers = observers
        self.serviceName = serviceName
    }

    /// Runs `script` with its keys and arguments and returns Redis's reply.
    func run(_ script: RedisScript, keys: [String], arguments: [[UInt8]]) async throws -> RedisReply {
        try await run(ScriptCall(script: script, keys: keys, arguments: arguments))
    }

    /// Runs `call` and returns Redis's reply; loads the script first when Redis lost it (NOSCRIPT).
    func run(_ call: ScriptCall) async throws -> RedisReply {
        let command = call.command
        do {
            return try await connection.send(command)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            try await load(call.script)
            for observer in observers {
                observer.scriptReloaded(service: serviceName, script: call.script.name)
            }
            return try await connection.send(command)
        }
    }

    /// Loads `script` and checks that Redis computed the SHA1 embedded at build time.
    func load(_ script: RedisScript) async throws {
        let reply = try await connection.send("SCRIPT", "LOAD", script.source)
        guard let loaded = reply.string, loaded == script.sha1 else {
            throw BrokerError.scriptHashMismatch(script: script.name, expected: script.sha1, loaded: "\(reply)")
        }
        logger.notice("Loaded script into Redis", metadata: ["script": "\(script.name)", "version": "\(script.version)"])
    }
}
