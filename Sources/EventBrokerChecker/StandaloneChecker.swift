import EventBrokerCore
import Logging
import ServiceLifecycle

/// The lease checker as a process of its own (the original package's checker process, and
/// `event-broker checker`): every ``interval`` it sweeps the queue of every service that ever
/// subscribed under the key prefix, whatever their ``SlotPlacement``. It shares the `SET NX PX`
/// guard with the checkers inside the broker instances, so running both does no work twice.
/// Its ``observers`` hear of each service's sweeps, of its reconnects (role `checker`) and
/// script reloads, with an empty service name for the latter two, since they serve every service.
///
/// ```swift
/// let checker = try StandaloneChecker(redisURL: "redis://127.0.0.1:6379", logger: logger)
/// // or, on a Redis Cluster: redisURL: "redis-cluster://10.0.0.1:6379,10.0.0.2:6379"
/// try await ServiceGroup(services: [checker], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct StandaloneChecker: Service {
    /// How often every service is swept.
    public var interval: Duration
    /// The most expired leases, and due retries, one sweep script handles before the next.
    public var batchLimit: Int
    /// The most deliveries an event gets before an expired lease dead-letters it; use the
    /// services' own value (their ``TimeoutPolicy/maxDeliveries``).
    public var maxDeliveries: Int
    /// The most dead letters a service keeps.
    public var deadLetterLimit: Int
    /// What hears of the sweeps, reconnects and script reloads, such as `EventBrokerMetrics`' `BrokerMetrics`.
    public var observers: [any BrokerObserver]

    private let redisURL: String
    /// The prefix's layouts: one per slot placement, each with its own registry of services.
    private let layouts: [KeyLayout]
    private let logger: Logger

    /// Creates a checker for the services of `keyPrefix` on the Redis of `redisURL` (same URL
    /// forms as ``BrokerConfiguration/redisURL``, `redis-cluster://` included), told to
    /// `observers`; throws for a bad URL or prefix.
    public init(
        redisURL: String, keyPrefix: String = "reb", interval: Duration = .seconds(1), batchLimit: Int = 500,
        maxDeliveries: Int = StandardTimeoutPolicy().maxDeliveries, deadLetterLimit: Int = 10_000,
        observers: [any BrokerObserver] = [], logger: Logger = Logger(label: "RedisEventBroker.Checker")
    ) throws {
        guard interval > .zero, batchLimit >= 1, maxDeliveries >= 1, deadLetterLimit >= 1 else {
            throw BrokerError.invalidConfiguration(
                setting: "checker", reason: "use an interval > 0 and a batch limit, max deliveries and dead-letter limit >= 1")
        }
        // Parsed now, so a bad URL fails here; run() makes the connections.
        _ = try RedisCommandTarget(url: redisURL, clientName: nil, options: .init(), logger: logger, onReconnect: nil)
        self.redisURL = redisURL
        self.layouts = try SlotPlacement.allCases.map { try KeyLayout(prefix: keyPrefix, placement: $0) }
        self.interval = interval
        self.batchLimit = batchLimit
        self.maxDeliveries = maxDeliveries
        self.deadLetterLimit = deadLetterLimit
        self.observers = observers
        self.logger = logger
    }

    /// Sweeps every service once per ``interval`` until graceful shutdown or cancellation.
    public func run() async throws {
        let commands = try RedisCommandTarget(
            url: redisURL, clientName: "reb:checker", options: .init(), logger: logger,
            onReconnect: RedisEventBroker.reconnectObserver(observers, service: "", role: "checker"))
        let runner = ScriptRunner(target: commands, logger: logger, observers: observers)
        let scripts = layouts.map { BrokerScripts(runner: runner, layout: $0) }
        logger.info("Checker started", metadata: ["redis": "\(commands)", "interval": "\(interval)"])
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for placement in scripts {
                    await sweepEveryService(scripts: placement, commands: commands)
                }
                try? await Task.sleep(for: interval)
            }
        }
        await commands.close()
        logger.info("Checker stopped")
    }

    /// One round for the layout of `scripts`: reads its registry of services and sweeps each;
    /// failures are logged.
    func sweepEveryService(scripts: BrokerScripts, commands: RedisCommandTarget) async {
        let layout = scripts.layout
        let services: [String]
        do {
            services =
                try await commands.send("SMEMBERS", layout.services, key: layout.services).array?.compactMap(\.string) ?? []
        } catch is CancellationError {
            return  // the checker is stopping
        } catch {
            logger.error("The checker could not read the registry of services", metadata: ["error": "\(error)"])
            return
        }
        for name in services.sorted() {
            let sweep = ServiceSweep(
                scripts: scripts, service: layout.service(name), serviceName: name, interval: interval,
                batchLimit: batchLimit, maxDeliveries: maxDeliveries, deadLetterLimit: deadLetterLimit, logger: logger,
                observers: observers)
            do {
                try await sweep.run()
            } catch is CancellationError {
                return  // the checker is stopping
            } catch {
                logger.error("The checker could not sweep a service", metadata: ["service": "\(name)", "error": "\(error)"])
            }
        }
    }
}
