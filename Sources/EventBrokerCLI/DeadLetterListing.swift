import Foundation
import RedisEventBroker

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One page of a service's dead letters as `dead-letters list` prints it: a table for people,
/// or JSON for programs.
struct DeadLetterListing {
    /// How many dead letters the service holds.
    let total: Int
    /// How many of the oldest were skipped before the page.
    let offset: Int
    /// The dead letters shown, oldest first.
    let page: [DeadLetter]

    /// The widest a topic column gets; longer topics are shortened.
    static let topicWidth = 32
    /// The narrowest the error column gets, however narrow the output.
    static let minimumErrorWidth = 16

    /// The table, its lines at most `width` characters wide as long as that leaves the error
    /// column ``minimumErrorWidth`` characters, and a last line with the total.
    func table(width: Int) -> String {
        let header = ["ID", "DEAD AT", "TOPIC", "DELIVERIES"]
        let numberColumn = 3
        let rows = page.map { letter in
            [
                letter.eventId, letter.deadAt.formatted(Date.ISO8601FormatStyle()),
                Self.shortened(letter.topic ?? "-", to: Self.topicWidth), String(letter.deliveries),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        let errorWidth = max(width - widths.reduce(0, +) - 2 * widths.count, Self.minimumErrorWidth)
        func line(_ cells: [String], error: String) -> String {
            let padded = cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                return column == numberColumn ? padding + cells[column] : cells[column] + padding
            }
            return (padded + [Self.shortened(error, to: errorWidth)]).joined(separator: "  ")
        }
        guard !page.isEmpty else { return summary }
        let lines = [line(header, error: "ERROR")] + zip(rows, page).map { line($0, error: $1.error) }
        return (lines + [summary]).joined(separator: "\n")
    }

    /// The table's last line: how many dead letters there are, and which of them the page shows.
    var summary: String {
        if total == 0 { return "No dead letters." }
        if page.count == total { return "\(DeadLettersCommand.counted(total))." }
        if page.isEmpty { return "No dead letters from offset \(offset); \(total) in all." }
        return "Dead letters \(offset + 1)–\(offset + page.count) of \(total)."
    }

    /// The page as a JSON array of objects, one per dead letter.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(page.map(JSONEntry.init)), as: UTF8.self)
    }

    /// One dead letter in the JSON output; absent values are `null`, never left out.
    private struct JSONEntry: Encodable {
        let letter: DeadLetter

        enum CodingKeys: String, CodingKey {
            case id, deadAt, topic, streamId, message, deliveries, error, decodingError
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(letter.eventId, forKey: .id)
            try container.encode(
                letter.deadAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), forKey: .deadAt)
            try container.encode(letter.topic, forKey: .topic)
            try container.encode(letter.event?.streamId, forKey: .streamId)
            try container.encode(letter.event?.message, forKey: .message)
            try container.encode(letter.deliveries, forKey: .deliveries)
            try container.encode(letter.error, forKey: .error)
            try container.encode(letter.decodingError, forKey: .decodingError)
        }
    }

    /// `text` on one line, control characters (line breaks, tabs, escapes) turned into spaces,
    /// cut to `width` characters with a final "…" when longer.
    static func shortened(_ text: String, to width: Int) -> String {
        let flat = String(text.map { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } ? " " : $0 })
        return flat.count <= width ? flat : flat.prefix(width - 1) + "…"
    }

    /// How wide the table may be: `COLUMNS`, else the terminal's width when standard output is
    /// one, else 120.
    static func outputWidth() -> Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 {
            return columns
        }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 120
    }
}
