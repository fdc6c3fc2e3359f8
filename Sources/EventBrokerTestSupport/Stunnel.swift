import Foundation
import RedisServerProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `stunnel` (Debian package `stunnel4`) for one test, serving one tunnel: it accepts
/// connections on a loopback port and forwards each to another, with TLS on one of the two
/// sides. It runs in the foreground of a temporary directory holding its configuration and log;
/// ``stop()`` stops it and removes the directory.
///
/// ```swift
/// let server = try await Stunnel.start(
///     accept: tlsPort, connect: redisPort, settings: ["cert = \(certificate)", "key = \(key)"])
/// defer { server.stop() }
/// ```
package final class Stunnel: Sendable {
    /// Why a tunnel could not be started.
    package enum StartError: Error, CustomStringConvertible {
        /// No `stunnel` executable was found.
        case executableNotFound
        /// stunnel exited, or did not accept connections within 10 seconds; `log` is the end of its log.
        case notReady(log: String)

        package var description: String {
            switch self {
            case .executableNotFound:
                return "stunnel was not found on PATH; install it (apt-get install -y stunnel4, or make deps)"
            case .notReady(let log):
                return "stunnel did not accept connections; its log ends with:\n\(log)"
            }
        }
    }

    /// The directory of the configuration file and the log.
    package let directory: URL
    private let process: BackgroundProcess

    private init(directory: URL, process: BackgroundProcess) {
        self.directory = directory
        self.process = process
    }

    /// Starts a tunnel from `127.0.0.1:accept` to `127.0.0.1:connect`, whose service section
    /// also holds `settings` (certificate, key, `client = yes`, verification), and returns once
    /// it accepts connections.
    package static func start(accept: Int, connect: Int, settings: [String]) async throws -> Stunnel {
        guard let executable = BackgroundProcess.find("stunnel4") ?? BackgroundProcess.find("stunnel") else {
            throw StartError.executableNotFound
        }
        let directory = try makeTemporaryDirectory()
        let lines = [
            "foreground = yes",
            "pid =",
            "output = \(directory.appending(path: "stunnel.log").path(percentEncoded: false))",
            "[redis]",
            "accept = 127.0.0.1:\(accept)",
            "connect = 127.0.0.1:\(connect)",
        ] + settings
        let process: BackgroundProcess
        do {
            let configuration = try writeFile(lines.joined(separator: "\n") + "\n", named: "stunnel.conf", in: directory)
            process = try BackgroundProcess(executable: executable, arguments: [configuration])
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        let tunnel = Stunnel(directory: directory, process: process)
        for _ in 0..<1000 where !process.hasExited {
            if let probe = connectToLoopbackPort(accept) {
                close(probe)
                return tunnel
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let log = String(tunnel.log().suffix(2000))
        tunnel.stop()
        throw StartError.notReady(log: log)
    }

    /// The text of stunnel's log.
    package func log() -> String {
        (try? String(contentsOf: directory.appending(path: "stunnel.log"), encoding: .utf8)) ?? ""
    }

    /// Stops stunnel (SIGTERM, then SIGKILL if it lingers) and removes its directory.
    package func stop() {
        process.terminate()
        try? FileManager.default.removeItem(at: directory)
    }
}
