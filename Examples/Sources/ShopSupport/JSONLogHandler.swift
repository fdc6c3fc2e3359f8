import Foundation
import Logging

/// A swift-log handler that writes each record as one line of JSON on standard output, the way
/// log collectors (Loki, Elasticsearch, CloudWatch) take them:
/// `{"label":"billing","level":"info","message":"Billed order","metadata":{"order":"7"},"time":"…"}`.
/// Metadata values are written as strings; a line is written with one `write(2)`, so lines of
/// concurrent tasks never interleave.
public struct JSONLogHandler: LogHandler {
    private struct Record: Encodable {
        var time: String
        var level: String
        var label: String
        var message: String
        var metadata: [String: String]
    }

    private let label: String
    /// The level below which records are dropped.
    public var logLevel: Logger.Level = .info
    /// The handler's own metadata, added to every record.
    public var metadata: Logger.Metadata = [:]
    /// Adds contextual metadata to every record.
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for loggers labelled `label`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// One of the handler's own metadata values.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one line of JSON.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let record = Record(
            time: Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
            level: event.level.rawValue, label: label, message: event.message.description,
            metadata: merged.mapValues(\.description))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(line)
    }
}
