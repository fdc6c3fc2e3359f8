import EventBrokerCore
import Logging

/// The lease checker that runs beside a broker instance: at start and then once per
/// ``interval`` it sweeps the instance's service, putting deliveries whose lease expired (their
/// instance crashed or hung) back at the front of the queue, moving retries whose delay passed
/// back, dead-lettering events whose deliveries are used up, and waking one instance per event.
/// The broker's ``BrokerConfiguration/observers`` hear of each sweep.
///
/// Every instance of a service runs one; a `SET NX PX` guard in the sweep script makes one
/// sweep per service per interval do the work. The `RedisEventBroker` module's default
/// configuration includes it; with `EventBrokerCore` alone, add it yourself:
///
/// ```swift
/// configuration.companions.append(LeaseChecker(interval: .seconds(1)))
/// ```
public struct LeaseChecker: BrokerCompanion, CustomStringConvertible {
    /// How often the service is swept; an expired lease waits at most this long to be put back.
    public var interval: Duration
    /// The most expired leases, and due retries, one sweep script handles before the next.
    public var batchLimit: Int

    /// Creates a checker sweeping every `interval`.
    public init(interval: Duration = .seconds(1), batchLimit: Int = 500) {
        self.interval = interval
        self.batchLimit = batchLimit
    }

    public var description: String { "LeaseChecker(interval: \(interval), batchLimit: \(batchLimit))" }

    /// Sweeps at once, then every ``interval``, until the task is cancelled; sweep failures are
    /// logged and the next interval tries again.
    public func run(alongside broker: RedisEventBroker) async throws {
        let sweep = ServiceSweep(
            scripts: broker.scripts, service: broker.serviceKeys, serviceName: broker.serviceName,
            interval: interval, batchLimit: batchLimit, maxDeliveries: broker.timeoutPolicy.maxDeliveries,
            deadLetterLimit: broker.configuration.deadLetterLimit, logger: broker.logger,
            observers: broker.configuration.observers)
        while !Task.isCancelled {
            do {
                try await sweep.run()
            } catch is CancellationError {
                return  // the broker is shutting down: no failure to report
            } catch {
                broker.logger.error("The lease checker could not sweep", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }
}
