import ServiceLifecycle

extension RedisEventBroker: Service {
    /// Runs until the service group shuts down gracefully (or the task is cancelled), then shuts
    /// the broker down as ``shutdown()`` does: running handlers finish within the grace period.
    ///
    /// ```swift
    /// let group = ServiceGroup(services: [broker], gracefulShutdownSignals: [.sigterm], logger: logger)
    /// try await group.run()
    /// ```
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }
}
