import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway `redis-server` in a temporary directory, for tests, the demo and benchmarks.
///
/// It listens on a unix socket in its directory (and, when asked, on a free loopback port),
/// never on anything but loopback, and removes its directory when stopped.
///
/// ```swift
/// let server = try await RedisServerProcess.start()
/// defer { server.stop() }
/// let config = BrokerConfiguration(serviceName: "billing", redisURL: server.url)
/// ```
public final class RedisServerProcess: Sendable {
    /// How to run the server.
    public struct Options: Sendable {
        /// Log every write to an append-only file, so the data survives ``restart()``.
        public var appendOnly: Bool
        /// Also listen on a free TCP port on 127.0.0.1.
        public var listenOnLoopbackPort: Bool
        /// Further `redis-server` arguments, for example `["--requirepass", "secret"]`.
        public var extraArguments: [String]
        /// The `redis-server` executable; found on `PATH` when `nil`.
        public var executable: String?

        /// Creates options; the defaults run a unix-socket-only server without persistence.
        public init(
            appendOnly: Bool = false,
            listenOnLoopbackPort: Bool = false,
            extraArguments: [String] = [],
            executable: String? = nil
        ) {
            self.appendOnly = appendOnly
            self.listenOnLoopbackPort = listenOnLoopbackPort
            self.extraArguments = extraArguments
            self.executable = executable
        }
    }

    /// Why a server could not be started.
    public enum StartError: Error, CustomStringConvertible {
        /// No `redis-server` executable was found.
        case executableNotFound
        /// The process started but never said it was ready; `log` is the tail of its log file.
        case notReady(log: String)

        public var description: String {
            switch self {
            case .executableNotFound:
                return "redis-server was not found on PATH; install it (apt-get install -y redis-server)"
            case .notReady(let log):
                return "redis-server did not become ready; its log ends with:\n\(log)"
            }
        }
    }

    /// The temporary directory holding the socket, the log and any data files.
    public let directory: URL
    /// The unix socket the server listens on.
    public let socketPath: String
    /// The loopback TCP port, when ``Options/listenOnLoopbackPort`` was set.
    public let port: Int?
    /// The options the server runs with.
    public let options: Options

    /// The running server, nil while stopped.
    private let process = Mutex<BackgroundProcess?>(nil)

    /// The running server's process id; nil while stopped.
    var processID: pid_t? { process.withLock { $0?.pid } }

    /// A `unix://` URL of the socket, usable as `REDIS_URL`.
    public var url: String { "unix://\(socketPath)" }

    /// A `redis://127.0.0.1:<port>` URL, when the server listens on a loopback port.
    public var tcpURL: String? { port.map { "redis://127.0.0.1:\($0)" } }

    private init(directory: URL, port: Int?, options: Options) {
        self.directory = directory
        self.socketPath = directory.appendingPathComponent("redis.sock").path
        self.port = port
        self.options = options
    }

    /// Starts a server and returns once it accepts connections.
    ///
    /// With ``Options/listenOnLoopbackPort``, the port is one the kernel found free a moment
    /// before; another process can take it first. The server then starts again on another
    /// port, up to three times in all.
    public static func start(_ options: Options = Options()) async throws -> RedisServerProcess {
        var attempt = 1
        while true {
            do {
                return try await startOnce(options)
            } catch StartError.notReady(let log)
                where options.listenOnLoopbackPort && attempt < 3 && log.contains("Address already in use")
            {
                attempt += 1
            }
        }
    }

    /// One attempt of ``start(_:)``, in a new directory.
    private static func startOnce(_ options: Options) async throws -> RedisServerProcess {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("reb-XXXXXX").path
        var templateBytes = Array(template.utf8CString)
        guard mkdtemp(&templateBytes) != nil else {
            throw CocoaError(.fileWriteUnknown)
        }
        let directory = URL(fileURLWithPath: String(decoding: templateBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let port = options.listenOnLoopbackPort ? try freeLoopbackPort() : nil
        let server = RedisServerProcess(directory: directory, port: port, options: options)
        do {
            try await server.launch()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Stops the server (SIGTERM, then SIGKILL if it lingers) and keeps its directory, so
    /// ``startAgain()`` can reload its append-only file.
    public func terminate() {
        takeProcess()?.terminate()
    }

    /// The running server's process, which the caller stops; nil when none runs.
    private func takeProcess() -> BackgroundProcess? {
        process.withLock { process in
            defer { process = nil }
            return process
        }
    }

    /// Starts the server again in the same directory, on the same socket and port.
    public func startAgain() async throws {
        try await launch()
    }

    /// Stops the server and then starts it again: what a Redis restart looks like to clients.
    public func restart() async throws {
        terminate()
        try await launch()
    }

    /// Stops the server and removes its directory. Blocks the calling thread until the server
    /// exited (usually a few milliseconds); from a task, prefer ``stopAll(_:)``.
    public func stop() {
        terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops `servers` together and removes their directories, as ``stop()`` does each, waiting
    /// as tasks, so no thread of Swift's cooperative pool is blocked meanwhile.
    public static func stopAll(_ servers: [RedisServerProcess]) async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers {
                group.addTask {
                    await server.takeProcess()?.terminateWithoutBlocking()
                    try? FileManager.default.removeItem(at: server.directory)
                }
            }
        }
    }

    /// Kills the server at once (SIGKILL), as a crash or a power cut does, and keeps its
    /// directory; unlike ``terminate()``, the server gets no chance to save or to tell anyone.
    public func crash() {
        guard let crashed = takeProcess() else { return }
        crashed.send(SIGKILL)
        while !crashed.hasExited { usleep(10_000) }
    }

    /// Pauses the server process (SIGSTOP) until ``resume()``.
    public func pause() {
        process.withLock { $0?.send(SIGSTOP) }
    }

    /// Resumes a server paused by ``pause()``.
    public func resume() {
        process.withLock { $0?.send(SIGCONT) }
    }

    /// The text of the server's log file.
    public func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    private var logURL: URL { directory.appendingPathComponent("redis.log") }

    private func launch() async throws {
        guard let executable = options.executable ?? BackgroundProcess.find("redis-server") else {
            throw StartError.executableNotFound
        }
        try? FileManager.default.removeItem(at: logURL)
        var arguments = [
            "--port", String(port ?? 0),
            "--bind", "127.0.0.1",
            "--unixsocket", socketPath,
            "--unixsocketperm", "700",
            "--dir", directory.path,
            "--logfile", logURL.path,
            "--save", "",
            "--daemonize", "no",
            "--appendonly", options.appendOnly ? "yes" : "no",
        ]
        if options.appendOnly {
            arguments += ["--appendfsync", "always"]
        }
        arguments += options.extraArguments
        let server = try BackgroundProcess(executable: executable, arguments: arguments)
        process.withLock { $0 = server }
        // redis-server writes "Ready to accept connections" (TCP) or "The server is now ready
        // to accept connections at <socket>" (unix socket) once its listeners are open.
        for _ in 0..<1000 {
            if log().lowercased().contains("ready to accept connections") { return }
            if server.hasExited { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw StartError.notReady(log: String(log().suffix(2000)))
    }

    /// A loopback port that was free a moment ago (the kernel's choice when binding port 0),
    /// for a server started next to listen on.
    public static func freeLoopbackPort() throws -> Int {
        let (descriptor, port) = try bindLoopbackSocket()
        close(descriptor)
        return port
    }
}
