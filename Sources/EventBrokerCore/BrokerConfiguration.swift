import Foundation
import Logging
import Tracing

/// Everything a broker instance needs to know: which service it serves, which Redis, how long
/// a handler may take, and how events are encoded.
///
/// ```swift
/// var configuration = BrokerConfiguration(serviceName: "billing", redisURL: "redis://127.0.0.1:6379",
///                                         processingTimeout: .seconds(30), codec: JSONCodec())
/// configuration.consumerConcurrency = 8
/// ```
/// The `RedisEventBroker` module adds an initializer without `codec:` that uses JSON.
public struct BrokerConfiguration: Sendable {
    /// The microservice this instance belongs to; queues are per service. `nil` only when
    /// neither the initializer nor `MICROSERVICE_NAME` gave one, which the broker refuses.
    public var serviceName: String?
    /// `redis://[user[:password]@]host[:port][/db]`, `unix://[user[:password]@]/path[?db=N]`, or
    /// `redis-cluster://[user[:password]@]host1:port1,host2:port2` for a Redis Cluster.
    public var redisURL: String
    /// How long one delivery may run before another instance may take the event (its lease),
    /// unless ``timeoutPolicy`` says otherwise. A running handler's lease is renewed automatically.
    public var processingTimeout: Duration
    /// How new events are turned into bytes; events are read back with the codec that wrote them.
    public var codec: any EventCodec
    /// Further codecs this instance reads (besides ``codec``), so events written by instances
    /// with another codec are understood during a switch. The `RedisEventBroker` module's
    /// default reads JSON and binary.
    public var readableCodecs: [any EventCodec] = []
    /// The first part of every Redis key, so several applications can share one Redis.
    public var keyPrefix: String = "reb"
    /// How the prefix's keys spread over a Redis Cluster's hash slots: all in one
    /// (``SlotPlacement/perPrefix``, the default) or a slot per service
    /// (``SlotPlacement/perService``). Every instance and tool of a prefix must use the same.
    public var slotPlacement: SlotPlacement = .perPrefix
    /// With ``SlotPlacement/perService``, how long each service remembers the ids of the events
    /// queued for it, so that a publish sent again within it (after a failure on another
    /// service's node) is not queued twice. Each id costs about 100 bytes of Redis memory for
    /// this long.
    public var publishDedupWindow: Duration = .seconds(60)
    /// How many handlers one consumer (``RedisEventBroker/consume(concurrency:_:)`` or
    /// ``RedisEventBroker/pickOnNotification(_:)``) runs at once.
    public var consumerConcurrency: Int = 1
    /// How many events a consumer takes beyond those its free handlers start, held under lease
    /// until a handler is free (from 0 to 1000): when the queue has a backlog, one pick script
    /// run then takes many events instead of one per finished handler. 0, the default, takes
    /// only what the free handlers start. Keep it 0 for long handlers: events prefetched by a
    /// busy instance wait for its handlers while idle instances could handle them.
    public var consumerPrefetch: Int = 0
    /// How long an idle consumer waits for a wake-up before it looks at the queue anyway; this
    /// bounds how long an event can wait when a wake-up was lost or a lease expired.
    public var idlePollInterval: Duration = .seconds(2)
    /// How long a call waits for a (re)connection to Redis before it fails.
    public var connectTimeout: Duration = .seconds(5)
    /// How long a call waits for Redis to answer before the connection counts as lost.
    public var commandTimeout: Duration = .seconds(30)
    /// Leases, retry delays and the most deliveries per event; `nil` means a lease of
    /// ``processingTimeout``, a failed event back at the front of the queue at once, and at most
    /// 10 deliveries (``StandardTimeoutPolicy``'s defaults).
    public var timeoutPolicy: (any TimeoutPolicy)?
    /// Whether a publish returns only once replicas hold its events (Redis `WAIT`); `nil`, the
    /// default, returns as soon as the master has them.
    public var publishReplication: PublishReplication?
    /// The most dead letters the service keeps; the oldest beyond it are deleted, so dead letters
    /// cannot eat Redis's memory.
    public var deadLetterLimit: Int = 10_000
    /// How long ``RedisEventBroker/shutdown()`` lets running handlers finish before it gives their
    /// events back to the queue for other instances.
    public var shutdownGracePeriod: Duration = .seconds(30)
    /// Work that runs beside each broker instance, such as the lease checker of
    /// `EventBrokerChecker` (the `RedisEventBroker` module adds it by default).
    public var companions: [any BrokerCompanion] = []
    /// What sees each step of an event's life, the checker's sweeps, reconnects, script reloads
    /// and the queue depths, such as `EventBrokerMetrics`' `BrokerMetrics`. None by default: the
    /// broker then reads no clock and samples no depths for them.
    public var observers: [any BrokerObserver] = []
    /// How often each instance reads its service's queue depths for the ``observers``, with one
    /// script call; only instances with observers sample.
    public var depthSamplingInterval: Duration = .seconds(15)
    /// Where the broker logs; metadata carries the service, topic and event id.
    public var logger: Logger = Logger(label: "RedisEventBroker")
    /// The tracer of the producer and consumer spans, whose trace context travels in the events'
    /// headers; `nil` means the tracer of `InstrumentationSystem` (bootstrapped, or bound with
    /// `withTracer`), looked up at each publish and handler run. A `NoOpTracer`, what
    /// `InstrumentationSystem` gives when no tracer is bootstrapped, starts no span and adds no header.
    /// For ``RedisEventBroker/shared(_:)``, two tracers of the same type count as equal.
    public var tracer: (any Tracer)?

    /// Creates a configuration. A `nil` service name or URL is taken from the environment
    /// (`MICROSERVICE_NAME`, `REDIS_URL`); the URL then defaults to `redis://127.0.0.1:6379`.
    public init(
        serviceName: String? = nil,
        redisURL: String? = nil,
        processingTimeout: Duration = .seconds(30),
        codec: any EventCodec,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.serviceName = serviceName ?? environment["MICROSERVICE_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        self.redisURL = redisURL ?? environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "redis://127.0.0.1:6379"
        self.processingTimeout = processingTimeout
        self.codec = codec
    }

    /// The service name, or ``BrokerError/missingServiceName``; then checks every setting.
    func validatedServiceName() throws -> String {
        guard let serviceName else { throw BrokerError.missingServiceName }
        try BrokerName.validate(serviceName, as: .serviceName)
        try Self.requirePositive(processingTimeout, "processingTimeout")
        try Self.requirePositive(idlePollInterval, "idlePollInterval")
        try Self.requirePositive(connectTimeout, "connectTimeout")
        try Self.requirePositive(commandTimeout, "commandTimeout")
        try Self.requirePositive(shutdownGracePeriod, "shutdownGracePeriod")
        try Self.requirePositive(depthSamplingInterval, "depthSamplingInterval")
        guard publishDedupWindow >= .milliseconds(1) else {
            throw BrokerError.invalidConfiguration(setting: "publishDedupWindow", reason: "must be at least 1 ms")
        }
        guard (0...BrokerScripts.batchLimit).contains(consumerPrefetch) else {
            throw BrokerError.invalidConfiguration(
                setting: "consumerPrefetch", reason: "must be from 0 to \(BrokerScripts.batchLimit)")
        }
        guard consumerConcurrency >= 1 else {
            throw BrokerError.invalidConfiguration(setting: "consumerConcurrency", reason: "must be at least 1")
        }
        try publishReplication?.validate()
        guard deadLetterLimit >= 1 else {
            throw BrokerError.invalidConfiguration(setting: "deadLetterLimit", reason: "must be at least 1")
        }
        if let standard = timeoutPolicy as? StandardTimeoutPolicy {
            try standard.validate()
        } else if let timeoutPolicy, timeoutPolicy.maxDeliveries < 1 {
            throw BrokerError.invalidConfiguration(setting: "timeoutPolicy.maxDeliveries", reason: "must be at least 1")
        }
        return serviceName
    }

    /// The timeout policy in force: ``timeoutPolicy`` or the default built from ``processingTimeout``.
    var effectiveTimeoutPolicy: any TimeoutPolicy {
        timeoutPolicy ?? StandardTimeoutPolicy(lease: .fixed(processingTimeout))
    }

    private static func requirePositive(_ duration: Duration, _ setting: String) throws {
        guard duration > .zero else {
            throw BrokerError.invalidConfiguration(setting: setting, reason: "must be longer than zero")
        }
    }

    /// The settings that decide whether two configurations may share one broker instance.
    var sharingKey: SharingKey {
        SharingKey(
            serviceName: serviceName, redisURL: redisURL, processingTimeout: processingTimeout,
            codecName: codec.name, readableCodecNames: readableCodecs.map(\.name), keyPrefix: keyPrefix,
            slotPlacement: slotPlacement, publishDedupWindow: publishDedupWindow, consumerConcurrency: consumerConcurrency,
            consumerPrefetch: consumerPrefetch,
            idlePollInterval: idlePollInterval, connectTimeout: connectTimeout, commandTimeout: commandTimeout,
            timeoutPolicy: timeoutPolicy.map { String(reflecting: $0) }, publishReplication: publishReplication,
            deadLetterLimit: deadLetterLimit,
            shutdownGracePeriod: shutdownGracePeriod, companions: companions.map { String(reflecting: $0) },
            observers: observers.map { String(reflecting: $0) }, depthSamplingInterval: depthSamplingInterval,
            tracer: tracer.map { String(reflecting: type(of: $0)) })
    }

    /// Every value setting of a configuration, policies, companions and observers by their
    /// description, the tracer by its type; the logger is left out.
    struct SharingKey: Hashable, Sendable {
        let serviceName: String?
        let redisURL: String
        let processingTimeout: Duration
        let codecName: String
        let readableCodecNames: [String]
        let keyPrefix: String
        let slotPlacement: SlotPlacement
        let publishDedupWindow: Duration
        let consumerConcurrency: Int
        let consumerPrefetch: Int
        let idlePollInterval: Duration
        let connectTimeout: Duration
        let commandTimeout: Duration
        let timeoutPolicy: String?
        let publishReplication: PublishReplication?
        let deadLetterLimit: Int
        let shutdownGracePeriod: Duration
        let companions: [String]
        let observers: [String]
        let depthSamplingInterval: Duration
        let tracer: String?
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds as a floating-point number.
    package var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
