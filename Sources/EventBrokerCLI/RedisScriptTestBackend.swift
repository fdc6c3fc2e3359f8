import Dispatch
import EventBrokerCore
import Logging
import LuaScriptKit
import RedisServerProcess

/// The script-test backend on a real redis-server: a throwaway server of its own (it never
/// talks to any other Redis, since the tests FLUSHALL), scripts loaded with SCRIPT LOAD and run
/// with EVALSHA, and published messages collected by a `PSUBSCRIBE *` connection, synchronised
/// with a sentinel PUBLISH whenever the tests read them.
///
/// Create, use and close it on a thread started by ``ScriptTestThread/run(_:)``: every call
/// blocks that thread until Redis answers.
final class RedisScriptTestBackend: ScriptTestBackend {
    /// `redis`.
    let name = "redis"

    private let server: RedisServerProcess
    private let connection: RedisConnection
    private let subscriber: PubSubConnection
    private let collector: PublishedMessageCollector
    private var scriptHashes: [ScriptUnderTest: String] = [:]
    private var sentinels = 0

    /// Starts a redis-server and connects to it.
    init() throws {
        let server = try ScriptTestThread.wait { try await RedisServerProcess.start() }
        let endpoint: RedisEndpoint
        do {
            endpoint = try RedisEndpoint(url: server.url)
        } catch {
            server.stop()
            throw error
        }
        var logger = Logger(label: "RedisEventBroker.ScriptTests")
        logger.logLevel = .warning
        self.server = server
        connection = RedisConnection(endpoint: endpoint, clientName: "script-tests", logger: logger)
        subscriber = PubSubConnection(
            endpoint: endpoint, channels: [], patterns: ["*"], clientName: "script-tests-published", logger: logger)
        collector = PublishedMessageCollector()
        collector.collect(subscriber.messages)
        do {
            try ScriptTestThread.wait { [connection, subscriber] in
                try await connection.connect()
                try await subscriber.waitForSubscription()
            }
        } catch {
            close()
            throw error
        }
    }

    /// Closes the connections and stops the server.
    func close() {
        _ = try? ScriptTestThread.wait { [connection, subscriber] in
            await connection.close()
            await subscriber.close()
        }
        server.stop()
    }

    /// FLUSHALL, then forgets every message published so far.
    func reset() throws(ScriptTestFailure) {
        if case .error(let message) = try call([Array("FLUSHALL".utf8)]) {
            throw ScriptTestFailure(message: "FLUSHALL failed: \(message)")
        }
        try synchronizePublished()
        collector.clear()
    }

    /// Sends the command; an error reply is a value, a connection problem a failure.
    func call(_ arguments: [[UInt8]]) throws(ScriptTestFailure) -> RedisValue {
        do {
            return RedisValue(try ScriptTestThread.wait { [connection] in try await connection.send(arguments) })
        } catch RedisError.server(let message) {
            return .error(message)
        } catch {
            throw ScriptTestFailure(message: "redis-server did not answer \(Self.commandName(arguments)): \(error)")
        }
    }

    /// EVALSHA, after a SCRIPT LOAD the first time the script runs; a script that does not
    /// compile answers SCRIPT LOAD's error.
    func run(_ script: ScriptUnderTest, keys: [[UInt8]], arguments: [[UInt8]]) throws(ScriptTestFailure)
        -> RedisValue
    {
        let hash: String
        if let known = scriptHashes[script] {
            hash = known
        } else {
            switch try call([Array("SCRIPT".utf8), Array("LOAD".utf8), script.source]) {
            case .bulk(let bytes):
                hash = String(decoding: bytes, as: UTF8.self)
                scriptHashes[script] = hash
            case .error(let message):
                return .error(message)
            case let other:
                throw ScriptTestFailure(message: "SCRIPT LOAD of \(script.name).lua answered \(other)")
            }
        }
        let count = Array(String(keys.count).utf8)
        return try call([Array("EVALSHA".utf8), Array(hash.utf8), count] + keys + arguments)
    }

    /// The messages published since the last reset, complete up to this call.
    func published() throws(ScriptTestFailure) -> [PublishedMessage] {
        try synchronizePublished()
        return collector.messages.map { PublishedMessage(channel: Array($0.channel.utf8), message: $0.payload) }
    }

    /// Publishes a sentinel and waits until the subscriber has received it, so that every
    /// message published before has been collected.
    private func synchronizePublished() throws(ScriptTestFailure) {
        sentinels += 1
        let reply = try call(["PUBLISH", collector.sentinelChannel, String(sentinels)].map { Array($0.utf8) })
        guard case .integer = reply else {
            throw ScriptTestFailure(message: "PUBLISH of the sentinel answered \(reply)")
        }
        guard collector.waitForSentinel(sentinels, timeout: .seconds(10)) else {
            throw ScriptTestFailure(message: "the published messages did not arrive within 10 seconds")
        }
    }

    private static func commandName(_ arguments: [[UInt8]]) -> String {
        arguments.first.map { String(decoding: $0, as: UTF8.self) } ?? "an empty command"
    }
}

extension RedisValue {
    /// The same reply as the connection layer delivered it.
    init(_ reply: RedisReply) {
        switch reply {
        case .status(let text): self = .status(text)
        case .error(let message): self = .error(message)
        case .integer(let value): self = .integer(value)
        case .bulk(let bytes): self = .bulk(bytes)
        case .null: self = .null
        case .array(let items): self = .array(items.map(RedisValue.init))
        }
    }
}
