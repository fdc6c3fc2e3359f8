import EventBrokerCore
import Foundation

/// What the demo ends with: orders placed and handled per service and instance, what the kill
/// did, what was lost, and how long orders waited for their handlers.
struct DemoSummary {
    /// The instance killed with SIGKILL and the events its handlers held.
    struct Kill {
        /// `billing#2`.
        var instance: String
        /// The events whose handlers never finished, with their orders.
        var held: [String: Int]
        /// When it was killed.
        var at: ContinuousClock.Instant
    }

    /// Every event the services logged.
    let ledger: DemoLedger
    /// The instances that ran.
    let instances: [DemoInstance]
    /// Orders the demo asked the orders service to place.
    let orders: Int
    /// The kill, if one hit an instance while it handled events.
    let kill: Kill?
    /// Instances that did not stop with status 0 on SIGTERM.
    let unclean: [String]

    /// Placed orders a consuming service never handled, over both services.
    var lost: Int {
        ["billing", "shipping"].reduce(0) { $0 + ledger.unhandledOrders($1).count } + (orders - ledger.placedOrders.count)
    }

    /// The held events that were delivered again and handled.
    var recovered: [String] {
        guard let kill else { return [] }
        return kill.held.keys.filter { ledger.redeliveries["billing"]?[$0] != nil && ledger.done["billing"]?[$0] != nil }
    }

    /// Whether the demo showed what it should: nothing lost, the kill's events handled again, a clean stop.
    var succeeded: Bool {
        lost == 0 && kill != nil && recovered.count == kill?.held.count && unclean.isEmpty
    }

    /// The summary as the demo prints it.
    func report() -> String {
        var lines = ["", "Summary"]
        let published = instances.filter { $0.service == "orders" }
            .map { "\($0.name) \(ledger.placedPerInstance[$0.name] ?? 0)" }.joined(separator: ", ")
        lines.append(row("orders", "placed \(ledger.placedOrders.count) of \(orders) orders (\(published))"))
        for service in ["billing", "shipping"] {
            let perInstance = instances.filter { $0.service == service }
                .map { "\($0.name) \(ledger.donePerInstance[$0.name] ?? 0)" }.joined(separator: ", ")
            lines.append(
                row(
                    service,
                    "handled \(ledger.handledCount(service)) of \(ledger.placedOrders.count), "
                        + "\(ledger.extraHandlings(service)) twice (\(perInstance))"))
        }
        if let kill {
            let orders = kill.held.values.sorted().map(String.init).joined(separator: ", ")
            lines.append(row("killed", "\(kill.instance) by SIGKILL while it handled order\(kill.held.count == 1 ? "" : "s") \(orders); started again \(ShopDemo.downtime) later"))
            let pickedAgain = kill.held.keys.compactMap { ledger.redeliveries["billing"]?[$0]?.first }
            let by = Set(pickedAgain.map(\.instance)).sorted().joined(separator: ", ")
            let after = pickedAgain.map { $0.seenAt - kill.at }.max().map { String(format: "%.1f s", $0.secondsValue) } ?? "-"
            lines.append(
                row(
                    "redelivered",
                    "\(recovered.count) of \(kill.held.count) after the kill, when their leases expired"
                        + (pickedAgain.isEmpty ? "" : " (by \(by), within \(after))")))
        } else {
            lines.append(row("killed", "no instance: none was handling an order when the demo tried"))
        }
        lines.append(row("lost", "\(lost)"))
        let waits = ledger.firstDeliveryWaits.sorted()
        if !waits.isEmpty {
            lines.append(
                row(
                    "latency",
                    "order placed → handler start: p50 \(milliseconds(percentile(waits, 0.50))), "
                        + "p99 \(milliseconds(percentile(waits, 0.99))) (first deliveries, \(waits.count) handlings)"))
        }
        lines.append(
            row("stopped", unclean.isEmpty ? "every instance, on SIGTERM, with status 0" : "not cleanly: \(unclean.joined(separator: ", "))"))
        if !ledger.errors.isEmpty {
            lines.append(row("errors", "\(ledger.errors.count) logged; first: \(ledger.errors[0])"))
        }
        return lines.joined(separator: "\n")
    }

    private func row(_ title: String, _ text: String) -> String {
        "  " + title.padding(toLength: 12, withPad: " ", startingAt: 0) + text
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    private func milliseconds(_ value: Double) -> String {
        String(format: "%.1f ms", value)
    }
}
