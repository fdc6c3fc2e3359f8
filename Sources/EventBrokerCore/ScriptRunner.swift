import Logging

/// Runs embedded scripts by `EVALSHA`, loading a script with `SCRIPT LOAD` when Redis answers
/// `NOSCRIPT` (after a restart, a failover or `SCRIPT FLUSH`) and retrying once; each such
/// reload is told to the observers. In a cluster, a script runs on the master of its first
/// key's slot (the key layout puts all of a script's keys in one slot), and is loaded there.
package struct ScriptRunner: Sendable {
    /// Where the scripts run.
    let target: RedisCommandTarget
    /// Where reloads are logged.
    let logger: Logger
    /// Told of every reload after `NOSCRIPT`.
    let observers: [any BrokerObserver]
    /// The service reloads are reported for (empty for the standalone checker, which serves every service).
    let serviceName: String

    /// Creates a runner on `connection` whose reloads are reported to `observers` as `serviceName`'s.
    package init(connection: RedisConnection, logger: Logger, observers: [any BrokerObserver] = [], serviceName: String = "") {
        self.init(target: .server(connection), logger: logger, observers: observers, serviceName: serviceName)
    }

    /// Creates a runner on `target` whose reloads are reported to `observers` as `serviceName`'s.
    package init(target: RedisCommandTarget, logger: Logger, observers: [any BrokerObserver] = [], serviceName: String = "") {
        self.target = target
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
        let key = call.keys.first
        do {
            return try await target.send(command, key: key)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            try await load(call.script, key: key)
            for observer in observers {
                observer.scriptReloaded(service: serviceName, script: call.script.name)
            }
            return try await target.send(command, key: key)
        }
    }

    /// Loads `script` where a script of `key` runs and checks that Redis computed the SHA1
    /// embedded at build time.
    private func load(_ script: RedisScript, key: String?) async throws {
        let reply = try await target.send("SCRIPT", "LOAD", script.source, key: key)
        guard let loaded = reply.string, loaded == script.sha1 else {
            throw BrokerError.scriptHashMismatch(script: script.name, expected: script.sha1, loaded: "\(reply)")
        }
        logger.notice("Loaded script into Redis", metadata: ["script": "\(script.name)", "version": "\(script.version)"])
    }
}
