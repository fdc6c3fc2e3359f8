import EventBrokerCore
import Foundation

/// Shows how the demo goes. On a terminal: a table of the services redrawn in place, with the
/// demo's notes (kills, restarts) printed above it. Otherwise (a pipe, a log file, CI): the notes
/// as lines, and one progress line a second.
final class DemoProgress {
    /// One service's line of the table.
    struct Row {
        var service: String
        var running: Int
        var instances: Int
        /// `placed` for the orders service, `handled` for the others.
        var done: Int
        /// What `done` counts towards: the orders to place or the orders placed so far.
        var of: Int
        var inFlight: Int?
        var redelivered: Int?
    }

    private let isTerminal: Bool
    private var start = ContinuousClock.now
    private var drawnLines = 0
    private var lastShown: ContinuousClock.Instant?

    /// `isTerminal`: whether standard output is a terminal that understands ANSI escapes.
    init(isTerminal: Bool) {
        self.isTerminal = isTerminal
    }

    /// Whether standard output is a terminal.
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    private var elapsed: String {
        String(format: "%5.1f s", (ContinuousClock.now - start).secondsValue)
    }

    /// Counts the time of the notes from now on.
    func startClock() {
        start = .now
    }

    /// Prints `text` as it is, on lines of its own.
    func say(_ text: String) {
        write(clearTable() + text + "\n")
        drawnLines = 0
    }

    /// Prints `text` as a note of what happened, stamped with the time since the demo started.
    func note(_ text: String) {
        write(clearTable() + "\(elapsed)  \(text)\n")
        drawnLines = 0
    }

    /// Shows `rows`: redraws the table on a terminal ten times a second, else prints a line a
    /// second; at once when `force`.
    func show(_ rows: [Row], force: Bool = false) {
        let interval: Duration = isTerminal ? .milliseconds(100) : .seconds(1)
        guard force || lastShown.map({ ContinuousClock.now - $0 >= interval }) ?? true else { return }
        lastShown = .now
        if isTerminal {
            let lines = table(rows).lines
            write(clearTable() + lines.map { $0 + "\n" }.joined())
            drawnLines = lines.count
        } else {
            let parts = rows.map { row in
                var part = "\(row.service) \(row.done)/\(row.of)"
                if let inFlight = row.inFlight, inFlight > 0 { part += " (\(inFlight) in flight)" }
                return part
            }
            write("\(elapsed)  " + parts.joined(separator: " · ") + "\n")
        }
    }

    private func table(_ rows: [Row]) -> TextTable {
        var table = TextTable(
            ["service", "instances", "orders", "", "in flight", "redelivered"], rightAligned: [2, 4, 5])
        for row in rows {
            table.rows.append([
                row.service, "\(row.running) of \(row.instances) running", "\(row.done) / \(row.of)",
                bar(row.done, of: row.of), row.inFlight.map(String.init) ?? "", row.redelivered.map(String.init) ?? "",
            ])
        }
        return table
    }

    /// Leaves the table drawn last in place: what is printed next goes below it.
    func keepTable() {
        drawnLines = 0
    }

    /// A 20-character bar filled to `done` of `total`.
    private func bar(_ done: Int, of total: Int) -> String {
        let filled = total == 0 ? 0 : min(20, done * 20 / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
    }

    /// The escapes that move the cursor to the first line of the drawn table and clear the rest.
    private func clearTable() -> String {
        drawnLines == 0 ? "" : "\u{1B}[\(drawnLines)A\u{1B}[J"
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
