import Logging

/// Reads the depths of one service's queues (queued, in flight, delayed, dead letters) with one
/// `depths` script call at start and then once per interval, and hands them to the observers.
/// A broker instance runs one only when observers are configured.
struct DepthSampler: Sendable {
    let scripts: BrokerScripts
    let service: ServiceKeys
    let serviceName: String
    let interval: Duration
    let observers: [any BrokerObserver]
    let logger: Logger

    /// Samples until the task is cancelled; a failed sample is logged and the next interval tries again.
    func run() async {
        while !Task.isCancelled {
            do {
                let depths = try await scripts.depths(service: service)
                for observer in observers {
                    observer.queueDepthsSampled(service: serviceName, depths: depths)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("Could not sample the queue depths", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
