import ArgumentParser
import EventBrokerCodecBinary
import EventBrokerCodecJSON
import Foundation
import RedisEventBroker

/// `event-broker publish`: one event from the command line, published through the broker API
/// as a service would publish it.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish one event on a topic, as a service would.",
        discussion: """
            The event is queued once for every service subscribed to the topic, as publishEvent does \
            (none subscribed: it is dropped). The payload is one JSON value; with --codec json it is \
            stored as that JSON, with --codec binary as the values a matching Codable type reads: whole \
            numbers as integers, numbers with a fraction or an exponent (10.0, 1e3) as Doubles. Bad \
            input (a payload that is no JSON, a header without '=') is refused before anything is \
            written. Prints the new event's id; with --json, a JSON object {"id": ..., "topic": ...}.
            """)

    /// The topic to publish on.
    @Argument(help: "The topic to publish on.")
    var topic: String

    /// The event's stream id.
    @Option(help: "The stream the event belongs to (Event.streamId).")
    var streamId: String

    /// The event's message name.
    @Option(help: "The event's message name (Event.message).")
    var message: String?

    /// The payload, as JSON text.
    @Option(help: "The payload: one JSON value, such as '{\"number\": 15, \"total\": 9.5}'.")
    var payload: String?

    /// The headers, each `name=value`.
    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("A header as name=value; repeat for several.", valueName: "name=value"),
        transform: PublishCommand.header)
    var headers: [EventHeader] = []

    /// The publishing service's name, for the broker instance that publishes.
    @Option(help: "The name of the publishing service, as its broker instance is named in CLIENT LIST.")
    var service = "event-broker"

    /// The codec the event is stored with.
    @Option(help: "How the event is stored: json (also readable by other languages) or binary (compact, Swift only).")
    var codec: CodecChoice = .json

    /// Whether to print a JSON object instead of the id alone.
    @Flag(help: "Print a JSON object {\"id\": ..., \"topic\": ...} instead of the id alone.")
    var json = false

    /// Which Redis, and which key prefix.
    @OptionGroup var redis: RedisOptions

    /// A header given as `name=value`.
    struct EventHeader {
        let name: String
        let value: String
    }

    /// The codecs `--codec` names.
    enum CodecChoice: String, CaseIterable, ExpressibleByArgument {
        case json, binary

        /// The codec itself.
        var codec: any EventCodec {
            switch self {
            case .json: JSONCodec()
            case .binary: BinaryCodec()
            }
        }
    }

    /// Parses a `--header` value.
    static func header(_ text: String) throws -> EventHeader {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError("expected name=value")
        }
        return EventHeader(name: String(text[..<equals]), value: String(text[text.index(after: equals)...]))
    }

    /// The parsed `--payload`, if given; throws a `ValidationError` saying where the JSON is wrong.
    func payloadValue() throws -> JSONValue? {
        guard let payload else { return nil }
        do {
            return try JSONValueParser.parse(payload)
        } catch {
            throw ValidationError("--payload is not valid JSON: \(error)")
        }
    }

    func validate() throws {
        _ = try payloadValue()
        var names: Set<String> = []
        for header in headers where !names.insert(header.name).inserted {
            throw ValidationError("the header '\(header.name)' is given twice")
        }
    }

    func run() async throws {
        let event = Event(
            streamId: streamId, topic: topic, message: message, payload: try payloadValue(),
            headers: Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) }))
        let id = try await redis.withBroker(service: service, label: "event-broker.publish") {
            $0.codec = codec.codec
        } _: { broker in
            try await broker.publishEvent(event)
        }
        print(json ? try Self.json(["id": id, "topic": topic]) : id)
    }

    /// `object` as one line of JSON, keys sorted.
    static func json(_ object: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }
}
