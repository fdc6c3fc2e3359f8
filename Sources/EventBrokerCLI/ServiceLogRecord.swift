import Foundation

/// One line a shop service of the Examples package logs with `LOG_FORMAT=json`: the record's
/// level, message and metadata, and the demo's view of it, the `step` metadata that marks the
/// life of an order (`ready`, `placed`, `finished`, `started`, `done`).
struct ServiceLogRecord: Decodable {
    /// swift-log's level name.
    var level: String
    /// The message.
    var message: String
    /// The metadata, every value a string.
    var metadata: [String: String]

    /// The step of an order's life the line marks, if any.
    var step: String? { metadata["step"] }
    /// The event the line is about.
    var eventID: String? { metadata["event"] }
    /// The order's number.
    var order: Int? { metadata["order"].flatMap { Int($0) } }
    /// The delivery count of the event when its handler started.
    var delivery: Int? { metadata["delivery"].flatMap { Int($0) } }
    /// How long the order waited between being placed and its handler starting, in milliseconds.
    var waitedMilliseconds: Double? { metadata["waited_ms"].flatMap { Double($0) } }
}

/// Reads what a service instance appended to its log file since the last read: the complete
/// lines, parsed where they are JSON records; the last lines that are not are kept, to explain
/// an instance that failed.
struct ServiceLogReader {
    /// The log file.
    let path: String
    private var offset: UInt64 = 0
    private var partialLine: [UInt8] = []
    /// The last lines that were not JSON records (an error on standard error, say), at most five.
    private(set) var otherLines: [String] = []

    init(path: String) {
        self.path = path
    }

    /// The records of the complete lines appended since the last call.
    mutating func newRecords() throws -> [ServiceLogRecord] {
        guard let file = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? file.close() }
        try file.seek(toOffset: offset)
        let bytes = try file.readToEnd() ?? Data()
        offset += UInt64(bytes.count)
        partialLine += bytes
        guard let lastNewline = partialLine.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = partialLine[...lastNewline]
        partialLine = Array(partialLine[(lastNewline + 1)...])
        let decoder = JSONDecoder()
        var records: [ServiceLogRecord] = []
        for line in complete.split(separator: UInt8(ascii: "\n")) {
            if let record = try? decoder.decode(ServiceLogRecord.self, from: Data(line)) {
                records.append(record)
            } else {
                otherLines = Array((otherLines + [String(decoding: line, as: UTF8.self)]).suffix(5))
            }
        }
        return records
    }
}
