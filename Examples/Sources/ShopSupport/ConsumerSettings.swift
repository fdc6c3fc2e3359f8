/// The settings every shop service that consumes orders reads from its environment.
public struct ConsumerSettings: Sendable {
    /// `MICROSERVICE_NAME`: the broker's service, which the service's instances share.
    public var serviceName: String
    /// `PROCESSING_TIMEOUT` in seconds, default 30: the lease of an event while a handler runs;
    /// an instance that dies holding events gives them back after it.
    public var processingTimeout: Duration
    /// `CONCURRENCY`, default 4: handlers in flight at once in this instance.
    public var concurrency: Int
    /// `WORK_MS`, `20-60` for example: how long handling one order takes, in milliseconds.
    public var workMilliseconds: ClosedRange<Int>

    /// Reads the settings from `environment`, with the service's own defaults.
    public init(environment: ServiceEnvironment, serviceName: String, work: ClosedRange<Int>) throws {
        self.serviceName = environment.string("MICROSERVICE_NAME") ?? serviceName
        processingTimeout = .seconds(try environment.integer("PROCESSING_TIMEOUT", default: 30, in: 1...86_400))
        concurrency = try environment.integer("CONCURRENCY", default: 4, in: 1...1_000)
        workMilliseconds = try environment.milliseconds("WORK_MS", default: work)
    }
}
