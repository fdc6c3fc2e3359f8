import EventBrokerCore
import Foundation
import Logging
import EventBrokerTestSupport
import RedisEventBroker

/// What Redis itself can do with the broker's scripts: redis-benchmark runs the publish, pick and
/// ack scripts by EVALSHA, with the keys and arguments the broker sends (a JSON envelope of the
/// payload's size, one service subscribed), from 1 and 50 clients and pipelined. An event needs
/// one run of each, so the ceiling in events per second is `1 / (1/publish + 1/pick + 1/ack)`.
///
/// Publish runs first, with random event ids (`__rand_int__`), filling the queue; pick then takes
/// as many events as were published. An ack must name a held delivery, which redis-benchmark
/// cannot learn from a pick: the ack phase acks random ids among ten times as many deliveries
/// prepared in flight beforehand, so about 95% of its runs remove a delivery (the rest find it
/// gone and return early).
struct ScriptCeiling {
    /// One way of driving the scripts.
    struct Load: Codable, Hashable {
        var clients: Int
        var pipeline: Int
    }

    /// The script runs per second of one load, and the ceiling they make.
    struct Rates: Codable {
        var load: Load
        var payloadBytes: Int
        var publishPerSecond: Double
        var pickPerSecond: Double
        var ackPerSecond: Double
        var eventsPerSecond: Double
    }

    /// The loads measured: 1 client, 50 clients, and 50 clients pipelining 16 requests each.
    static let loads = [Load(clients: 1, pipeline: 1), Load(clients: 50, pipeline: 1), Load(clients: 50, pipeline: 16)]

    let redisURL: String
    let admin: RedisConnection
    /// Runs of each script per load.
    let requests: Int
    let logger: Logger

    private static let service = "ceiling"
    private static let topic = "orders"

    /// Measures every load for a payload of `payloadBytes`.
    func measure(payloadBytes: Int) async throws -> [Rates] {
        var rates: [Rates] = []
        for load in Self.loads {
            rates.append(try await measure(load, payloadBytes: payloadBytes))
        }
        return rates
    }

    private func measure(_ load: Load, payloadBytes: Int) async throws -> Rates {
        _ = try await admin.send("FLUSHALL")
        let layout = try KeyLayout(prefix: "reb")
        let keys = layout.service(Self.service)
        let envelope = try await subscribeAndEncode(payloadBytes: payloadBytes, keys: keys)
        let version = try await admin.send("GET", layout.topic(Self.topic).version).string ?? "0"

        let publish = BrokerScripts.publishCall(
            layout: layout, events: [("__rand_int__", envelope)], topic: Self.topic, assumedVersion: version,
            subscribers: [Self.service])
        let publishRate = try await benchmark(publish, load: load, requests: requests, keyspace: 2_000_000_000)
        let queued = try await admin.send("LLEN", keys.published).integer ?? 0
        let pick = BrokerScripts.pickCall(service: keys, owner: "ceiling", lease: .seconds(600))
        let pickRate = try await benchmark(pick, load: load, requests: Int(queued), keyspace: nil)

        let held = requests * 10
        try await prepareDeliveries(held, keys: keys, envelope: envelope)
        let ack = BrokerScripts.ackCall(service: keys, deliveries: [("ack:__rand_int__", "ceiling:1")])
        let ackRate = try await benchmark(ack, load: load, requests: requests, keyspace: held)
        return Rates(
            load: load, payloadBytes: payloadBytes, publishPerSecond: publishRate, pickPerSecond: pickRate,
            ackPerSecond: ackRate, eventsPerSecond: 1 / (1 / publishRate + 1 / pickRate + 1 / ackRate))
    }

    /// Subscribes the service through a broker (which loads the scripts and sets the topic's
    /// version) and returns an event's envelope as the broker stores it.
    private func subscribeAndEncode(payloadBytes: Int, keys: ServiceKeys) async throws -> [UInt8] {
        var configuration = BrokerConfiguration(serviceName: Self.service, redisURL: redisURL)
        configuration.logger = logger
        configuration.companions = []
        let broker = try await RedisEventBroker(configuration)
        do {
            try await broker.subscribe(Self.topic)
            _ = try await broker.publishEvent(
                Event(
                    streamId: "0", topic: Self.topic, message: "orderPlaced",
                    payload: BrokerBenchmark.Payload(sentAt: 0, padding: BrokerBenchmark.Payload.padding(for: payloadBytes))))
            try await broker.shutdown()
        } catch {
            try? await broker.shutdown()
            throw error
        }
        guard let id = try await admin.send("RPOP", keys.published).string,
            let envelope = try await admin.send("HGET", keys.events, id).bytes
        else { throw BenchmarkFailure(description: "the ceiling's setup event was not queued") }
        _ = try await admin.send("DEL", keys.events, keys.published, keys.wake)
        return envelope
    }

    /// Puts `count` deliveries in flight, `ack:000000000000` onwards, as picks would leave them.
    private func prepareDeliveries(_ count: Int, keys: ServiceKeys, envelope: [UInt8]) async throws {
        let script = """
            for i = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1 do
              local id = string.format('ack:%012d', i)
              redis.call('HSET', KEYS[1], id, 'ceiling:1')
              redis.call('ZADD', KEYS[2], 9999999999999, id)
              redis.call('HSET', KEYS[3], id, ARGV[3])
              redis.call('HSET', KEYS[4], id, 1)
            end
            return 1
            """
        for start in stride(from: 0, to: count, by: 50_000) {
            _ = try await admin.send([
                Array("EVAL".utf8), Array(script.utf8), Array("4".utf8), Array(keys.inflight.utf8),
                Array(keys.leases.utf8), Array(keys.events.utf8), Array(keys.deliveries.utf8),
                Array(String(start).utf8), Array(String(min(count, start + 50_000)).utf8), envelope,
            ])
        }
    }

    /// Runs redis-benchmark with `call` `requests` times under `load`; returns runs per second.
    private func benchmark(_ call: ScriptCall, load: Load, requests: Int, keyspace: Int?) async throws -> Double {
        guard requests > 0 else { throw BenchmarkFailure(description: "nothing to run for \(call.script.name)") }
        let endpoint = try RedisEndpoint(url: redisURL)
        var arguments: [String] = []
        switch endpoint.address {
        case .unix(let path): arguments += ["-s", path]
        case .tcp(let host, let port): arguments += ["-h", host, "-p", String(port)]
        }
        if let password = endpoint.password { arguments += ["-a", password, "--no-auth-warning"] }
        if let username = endpoint.username { arguments += ["--user", username] }
        if endpoint.database != 0 { arguments += ["--dbnum", String(endpoint.database)] }
        arguments += ["-c", String(load.clients), "-P", String(load.pipeline), "-n", String(requests), "--csv"]
        if let keyspace { arguments += ["-r", String(keyspace)] }
        arguments += call.command.map { String(decoding: $0, as: UTF8.self) }
        let result = try await runProcess(try Self.redisBenchmark(), arguments)
        let output = result.standardOutput
        guard result.status == 0 else {
            throw BenchmarkFailure(description: "redis-benchmark failed (status \(result.status)): \(result.standardError.prefix(300))")
        }
        let lines = output.split(separator: "\n")
        // The test's name (the command, with the envelope's commas and quotes) comes first: the
        // rate is the seventh field from the end.
        let fields = lines.count >= 2 ? lines[1].split(separator: ",") : []
        guard fields.count >= 8,
            let rate = Double(fields[fields.count - 7].trimmingCharacters(in: CharacterSet(charactersIn: "\""))), rate > 0
        else {
            throw BenchmarkFailure(description: "redis-benchmark answered no rate for \(call.script.name): \(output.prefix(300))")
        }
        return rate
    }

    /// The redis-benchmark executable on `PATH` (Debian's redis-tools, installed with redis-server).
    private static func redisBenchmark() throws -> URL {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for directory in directories {
            let candidate = URL(filePath: String(directory)).appending(path: "redis-benchmark")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BenchmarkFailure(description: "redis-benchmark is not on PATH (apt-get install redis-tools)")
    }
}
