import ArgumentParser
import EventBrokerCore
import Foundation
import RedisServerProcess

/// The Redis a benchmark runs on: a throwaway redis-server unless `--redis-url` or `REDIS_URL`
/// names one, which must be on loopback (or a unix socket) unless `--allow-remote`, since the
/// benchmarks flush its data.
struct BenchRedisOptions: ParsableArguments {
    /// The Redis to use instead of a throwaway one.
    @Option(help: "The Redis to use (redis:// or unix:// URL), which is flushed; default: REDIS_URL, else a throwaway redis-server.")
    var redisURL: String?

    /// Whether a Redis elsewhere than on loopback may be used.
    @Flag(help: "Accept a --redis-url or REDIS_URL that is not on loopback or a unix socket.")
    var allowRemote = false

    func validate() throws {
        if let url = givenURL, !allowRemote {
            let endpoint = try RedisEndpoint(url: url)
            guard Self.isLocal(endpoint) else {
                throw ValidationError(
                    "\(endpoint) is not on loopback, and the benchmark flushes its data; pass --allow-remote to use it anyway.")
            }
        }
    }

    /// --redis-url, else a non-empty REDIS_URL.
    var givenURL: String? {
        redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The given Redis, or a throwaway redis-server started now (the caller stops it), and a
    /// line saying which.
    func redis() async throws -> (server: RedisServerProcess?, url: String, line: String) {
        if let givenURL { return (nil, givenURL, "Using the Redis at \(givenURL)") }
        let server = try await RedisServerProcess.start()
        return (server, server.url, "Started a throwaway redis-server at \(server.url)")
    }

    /// Whether `endpoint` is a unix socket or a loopback address.
    static func isLocal(_ endpoint: RedisEndpoint) -> Bool {
        switch endpoint.address {
        case .unix:
            return true
        case .tcp(let host, _):
            let host = host.lowercased()
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            let isIPv4Loopback = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
            return host == "localhost" || host == "::1" || isIPv4Loopback
        }
    }
}

/// Writes a progress line to standard error, so that standard output carries only the results.
func benchProgress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
