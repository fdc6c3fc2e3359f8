/// What the demo learned from the services' logs: every order placed, every handler that started
/// and finished, per service and per instance. Instances are named `billing#2`.
struct DemoLedger {
    /// One finished handling of an event.
    struct Handling {
        /// The instance whose handler finished it.
        var instance: String
        /// The event's delivery count then.
        var delivery: Int
    }

    /// A start of a handler for an event delivered before (delivery count 2 or more).
    struct Redelivery {
        /// The instance that picked the event again.
        var instance: String
        /// Its delivery count.
        var delivery: Int
        /// When the demo read the line.
        var seenAt: ContinuousClock.Instant
    }

    /// The order of each published event, by event id.
    private(set) var placedOrders: [String: Int] = [:]
    /// Orders placed per instance of the orders service.
    private(set) var placedPerInstance: [String: Int] = [:]
    /// Instances of the orders service that placed all their orders.
    private(set) var finishedPublishers: Set<String> = []
    /// Instances that logged that they are ready to consume, since they last started.
    private(set) var readyInstances: Set<String> = []
    /// Finished handlings per service, by event id.
    private(set) var done: [String: [String: [Handling]]] = [:]
    /// Finished handlings per instance.
    private(set) var donePerInstance: [String: Int] = [:]
    /// Events whose handler started and has not finished, per instance, with their orders.
    private(set) var inFlight: [String: [String: Int]] = [:]
    /// Starts of redelivered events per service, by event id.
    private(set) var redeliveries: [String: [String: [Redelivery]]] = [:]
    /// How long each order waited for a handler on its first delivery, in milliseconds.
    private(set) var firstDeliveryWaits: [Double] = []
    /// Lines logged at level `error` or `critical`, as `instance: message`.
    private(set) var errors: [String] = []

    /// Takes in one record logged by `instance` of `service`, read at `seenAt`.
    mutating func record(
        _ record: ServiceLogRecord, service: String, instance: String, seenAt: ContinuousClock.Instant
    ) {
        if record.level == "error" || record.level == "critical" {
            errors.append("\(instance): \(record.message) \(record.metadata.sorted { $0.key < $1.key })")
        }
        switch record.step {
        case "ready":
            readyInstances.insert(instance)
        case "placed":
            guard let event = record.eventID, let order = record.order else { return }
            placedOrders[event] = order
            placedPerInstance[instance, default: 0] += 1
        case "finished":
            finishedPublishers.insert(instance)
        case "started":
            guard let event = record.eventID, let order = record.order, let delivery = record.delivery else { return }
            inFlight[instance, default: [:]][event] = order
            if delivery == 1 {
                if let waited = record.waitedMilliseconds { firstDeliveryWaits.append(waited) }
            } else {
                redeliveries[service, default: [:]][event, default: []].append(
                    Redelivery(instance: instance, delivery: delivery, seenAt: seenAt))
            }
        case "done":
            guard let event = record.eventID, let delivery = record.delivery else { return }
            inFlight[instance]?[event] = nil
            done[service, default: [:]][event, default: []].append(Handling(instance: instance, delivery: delivery))
            donePerInstance[instance, default: 0] += 1
        default:
            break
        }
    }

    /// Forgets the handlers of an instance that was killed, and returns the events they held
    /// with their orders: handlers that never finished, whose events were never acknowledged.
    mutating func instanceDied(_ instance: String) -> [String: Int] {
        readyInstances.remove(instance)
        defer { inFlight[instance] = nil }
        return inFlight[instance] ?? [:]
    }

    /// Placed orders that `service` finished handling at least once.
    func handledCount(_ service: String) -> Int {
        let handled = done[service] ?? [:]
        return placedOrders.keys.count { handled[$0] != nil }
    }

    /// Finished handlings of placed orders by `service` beyond the first, per event.
    func extraHandlings(_ service: String) -> Int {
        let handled = done[service] ?? [:]
        return placedOrders.keys.reduce(0) { $0 + max(0, (handled[$1]?.count ?? 0) - 1) }
    }

    /// Placed orders that `service` never finished handling.
    func unhandledOrders(_ service: String) -> [Int] {
        let handled = done[service] ?? [:]
        return placedOrders.filter { handled[$0.key] == nil }.map(\.value).sorted()
    }

    /// Handlers of `service`'s instances running now.
    func inFlightCount(_ service: String) -> Int {
        inFlight.reduce(0) { $0 + ($1.key.hasPrefix(service + "#") ? $1.value.count : 0) }
    }

    /// Events of `service` that were delivered again after a failure or an expired lease.
    func redeliveredCount(_ service: String) -> Int {
        redeliveries[service]?.count ?? 0
    }
}
