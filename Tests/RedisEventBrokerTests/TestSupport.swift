import EventBrokerTestSupport
import Foundation
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

extension TestRedis {
    /// Every key and its DUMP: equal snapshots mean Redis holds exactly the same data.
    func snapshot() async throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for key in try await keys() {
            result[key] = try await command("DUMP", key).bytes ?? []
        }
        return result
    }

    /// Every key in the database (of every node of a cluster) but the lease checkers' sweep
    /// guards, which expire on their own and come and go with each sweep, and, with
    /// ``SlotPlacement/perService``, the ids each service remembers for the dedup window (they
    /// expire too) and the topics each service subscribes to (where the per-prefix placement
    /// keeps subscriptions only in the topic keys).
    func keys() async throws -> [String] {
        var keys: [String] = []
        for node in nodes {
            var cursor = "0"
            repeat {
                let reply = try await command(on: node, "SCAN", cursor, "COUNT", "1000").array ?? []
                cursor = reply.first?.string ?? "0"
                keys += reply.last?.array?.compactMap(\.string) ?? []
            } while cursor != "0"
        }
        let placement = settings.slotPlacement
        return keys.filter { key in
            !key.hasSuffix(":sweep-guard") && !(placement == .perService && (key.hasSuffix(":recent") || key.hasSuffix(":topics")))
        }
    }

    /// The lines of `INFO <section>` of every server (every node of a cluster).
    func info(_ section: String) async throws -> [Substring] {
        var lines: [Substring] = []
        for node in nodes {
            lines += (try await command(on: node, "INFO", section).string ?? "").split(separator: "\r\n")
        }
        return lines
    }

    /// The total number of commands Redis executed (on every node of a cluster), from INFO
    /// commandstats (commands run inside scripts included), leaving out the admin commands that
    /// ask (`INFO`, `SCAN`, …) and a cluster client's reads of the slot map.
    func commandCount() async throws -> Int {
        var total = 0
        for line in try await info("commandstats") where line.hasPrefix("cmdstat_") {
            let name = line.dropFirst("cmdstat_".count).prefix { $0 != ":" }
            guard !["info", "scan", "config|resetstat", "client|list", "cluster|slots"].contains(name) else { continue }
            if let calls = line.split(separator: ",").first?.split(separator: "=").last, let count = Int(calls) {
                total += count
            }
        }
        return total
    }

    /// Whether `key` is one of the brokers' keys under `prefix`, in the layout of the fixture's placement.
    func isBrokerKey(_ key: String, prefix: String = "reb") -> Bool {
        switch settings.slotPlacement {
        case .perPrefix: key.hasPrefix("{\(prefix)}:v1:")
        case .perService: key.hasPrefix("{\(prefix)}:v2:") || (key.hasPrefix("{\(prefix)/") && key.contains("}:v2:"))
        }
    }

    /// The names of the clients connected to the server. On a cluster, a broker's connection of
    /// one role is a connection to each master it needs, all under its name: each name counts
    /// as often as it is connected to the node that has it most.
    func clientNames() async throws -> [String] {
        var most: [String: Int] = [:]
        for node in nodes {
            let list = try await command(on: node, "CLIENT", "LIST").string ?? ""
            let names = list.split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("name=") }.map { String($0.dropFirst(5)) }
            }.filter { !$0.isEmpty && $0 != "test-admin" }
            for (name, count) in names.reduce(into: [String: Int](), { $0[$1, default: 0] += 1 }) {
                most[name] = max(most[name] ?? 0, count)
            }
        }
        return most.sorted { $0.key < $1.key }.flatMap { Array(repeating: $0.key, count: $0.value) }
    }
}

/// The id of the event ``nextEvent(_:)`` picks.
func nextEventId(_ broker: RedisEventBroker) async throws -> String? {
    try await nextEvent(broker)?.id
}

/// Every handling of every event, by which broker instance: the ledger a test checks.
final class Ledger: Sendable {
    /// One handler run.
    struct Entry: Sendable, Equatable {
        let service: String
        let instance: String
        let eventId: String
        let deliveryCount: Int
        let succeeded: Bool
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ broker: RedisEventBroker, _ event: DeliveredEvent, succeeded: Bool = true) {
        let entry = Entry(
            service: broker.serviceName, instance: broker.instanceId, eventId: event.id,
            deliveryCount: event.deliveryCount, succeeded: succeeded)
        entries.withLock { $0.append(entry) }
    }

    var all: [Entry] { entries.withLock { $0 } }

    /// The successful handlings of `service`, by event id.
    func handled(by service: String) -> [String: Int] {
        all.filter { $0.service == service && $0.succeeded }.reduce(into: [:]) { $0[$1.eventId, default: 0] += 1 }
    }
}

/// A payload used across the tests.
struct Order: Codable, Equatable, Sendable {
    var number: Int
    var item: String
}
