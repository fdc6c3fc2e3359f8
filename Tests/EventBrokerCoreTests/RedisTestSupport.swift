import EventBrokerCore
import Logging
import RedisServerProcess
import Synchronization
import Testing

/// Starts a throwaway server, runs `body`, and stops the server.
func withRedisServer(
    _ options: RedisServerProcess.Options = RedisServerProcess.Options(),
    _ body: (RedisServerProcess) async throws -> Void
) async throws {
    // RedisServerProcess waits for the log line "Ready to accept connections", which
    // redis-server 7.0 writes only for a TCP listener (a unix socket gets "The server is now
    // ready to accept connections at ..."), so every test server also listens on loopback.
    var options = options
    options.listenOnLoopbackPort = true
    let server = try await RedisServerProcess.start(options)
    defer { server.stop() }
    try await body(server)
}

extension RedisServerProcess {
    /// ``startAgain()``, tried a few times: while the server was down, its loopback port may
    /// have been taken for a moment by another test's free-port probe.
    func startAgainRetrying() async throws {
        var attempt = 1
        while true {
            do {
                try await startAgain()
                return
            } catch let error as RedisServerProcess.StartError where attempt < 3 {
                print("redis-server did not start again (attempt \(attempt)), trying again: \(error)")
                terminate()
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// ``restart()`` with ``startAgainRetrying()``.
    func restartRetrying() async throws {
        terminate()
        try await startAgainRetrying()
    }
}

/// A thread-safe counter for callbacks.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    /// Adds one.
    func increment() { storage.add(1, ordering: .relaxed) }
    /// The current count.
    var value: Int { storage.load(ordering: .relaxed) }
}

/// Collects what the connection layer logs, to check messages and that no secret leaks.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let storage = Mutex<[Entry]>([])

    /// A logger writing into this recorder.
    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    /// Everything logged so far.
    var entries: [Entry] { storage.withLock { $0 } }

    /// Every message with its metadata as one string.
    var text: String {
        entries.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n")
    }

    fileprivate func record(_ entry: Entry) { storage.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.record(
                Entry(
                    level: event.level, message: event.message.description,
                    metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}

/// Makes a connection to `url`.
func makeConnection(
    _ url: String,
    clientName: String? = nil,
    options: RedisConnectionOptions = RedisConnectionOptions(),
    logger: Logger = LogRecorder().logger,
    onReconnect: (@Sendable () -> Void)? = nil
) throws -> RedisConnection {
    RedisConnection(
        endpoint: try RedisEndpoint(url: url), clientName: clientName, options: options, logger: logger,
        onReconnect: onReconnect)
}

/// The `id=` of the client named `name` in CLIENT LIST, or nil.
func clientID(named name: String, using admin: RedisConnection) async throws -> String? {
    try await clientFields(named: name, using: admin)?["id"]
}

/// The fields of the CLIENT LIST line of the client named `name`, or nil.
func clientFields(named name: String, using admin: RedisConnection) async throws -> [String: String]? {
    let list = try await admin.send("CLIENT", "LIST").string ?? ""
    for line in list.split(whereSeparator: \.isNewline) {
        var fields: [String: String] = [:]
        for field in line.split(separator: " ") {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        if fields["name"] == name { return fields }
    }
    return nil
}

/// Polls `condition` every 10 ms until it holds; the test's time limit catches a hang.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    while try await !condition() {
        try await Task.sleep(for: .milliseconds(10))
    }
}

extension RedisReply {
    /// A bulk reply of UTF-8 text.
    static func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }
}
