import EventBrokerTestSupport
import MetricsTestKit
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

extension TestMetrics {
    /// The total of the counter `label` with exactly `dimensions`; 0 when it was never made.
    func count(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        (try? expectCounter(label, dimensions))?.totalValue ?? 0
    }

    /// How many values the timer `label` with exactly `dimensions` recorded; 0 when it was never made.
    func timings(_ label: String, _ dimensions: [(String, String)]) -> Int {
        (try? expectTimer(label, dimensions))?.values.count ?? 0
    }

    /// The last value of the gauge `label` of `service`; nil when it was never set.
    func gauge(_ label: String, service: String) -> Double? {
        (try? expectGauge(label, [("service", service)]))?.lastValue
    }
}

/// The dimensions of a per-event metric of `service` and `topic`.
func on(_ service: String, _ topic: String) -> [(String, String)] {
    [("service", service), ("topic", topic)]
}

extension TestRedis {
    /// The client id of the connection of `broker` that plays `role` (`commands`, `wait`, `notify`).
    func clientId(of broker: RedisEventBroker, role: String) async throws -> String? {
        let name = RedisEventBroker.clientName(serviceName: broker.serviceName, instanceId: broker.instanceId, role: role)
        let list = try await command("CLIENT", "LIST").string ?? ""
        for line in list.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.contains(where: { $0 == "name=\(name)" }) else { continue }
            return fields.first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
        }
        return nil
    }
}

