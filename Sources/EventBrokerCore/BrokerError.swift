/// What went wrong in a broker call, with cases a caller can switch on.
///
/// Failures of Redis itself (connection, authentication, error replies) arrive as ``RedisError``.
public enum BrokerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither the configuration nor the `MICROSERVICE_NAME` environment variable names the service.
    case missingServiceName
    /// A service name, topic, stream id or key prefix is unusable; nothing was written.
    case invalidName(kind: NameKind, value: String, reason: String)
    /// A configuration value is out of range.
    case invalidConfiguration(setting: String, reason: String)
    /// The event's payload could not be encoded; nothing was written.
    case payloadEncodingFailed(topic: String, reason: String)
    /// ``DeliveredEvent/payload(as:)`` could not decode the payload as the requested type.
    case payloadDecodingFailed(eventId: String, type: String, reason: String)
    /// ``DeliveredEvent/payload(as:)`` was called on an event published without a payload.
    case missingPayload(eventId: String)
    /// A stored event could not be decoded by the configured codec; it stays leased and comes
    /// back after the processing timeout.
    case envelopeDecodingFailed(eventId: String, reason: String)
    /// The handler finished after the event's lease had passed to another delivery; the broker
    /// did not remove the event, which another instance handles (or has handled) again.
    case leaseLost(eventId: String)
    /// The subscribers of the topic kept changing while the event was being published; nothing was written.
    case subscribersKeptChanging(topic: String)
    /// A script answered something the broker does not understand: scripts and library disagree.
    case unexpectedScriptReply(script: String, reply: String)
    /// `SCRIPT LOAD` returned another SHA1 than the one embedded at build time.
    case scriptHashMismatch(script: String, expected: String, loaded: String)
    /// The broker was shut down; create a new one to go on.
    case shutDown
    /// A publish queued its events on the master, but only `acknowledged` replicas confirmed
    /// them within ``PublishReplication/timeout``, fewer than the `required` ones: a failure of
    /// the master before its replicas catch up would lose them. Publishing again queues them twice.
    case notReplicated(acknowledged: Int, required: Int)

    /// Which kind of name a ``BrokerError/invalidName(kind:value:reason:)`` is about.
    public enum NameKind: String, Sendable {
        /// The microservice's name.
        case serviceName = "service name"
        /// An event topic.
        case topic
        /// An event's stream id.
        case streamId = "stream id"
        /// The prefix of every Redis key of the broker.
        case keyPrefix = "key prefix"
    }

    public var description: String {
        switch self {
        case .missingServiceName:
            return "no service name: pass BrokerConfiguration(serviceName:) or set MICROSERVICE_NAME"
        case .invalidName(let kind, let value, let reason):
            return "invalid \(kind.rawValue) \(String(reflecting: String(value.prefix(80)))): \(reason)"
        case .invalidConfiguration(let setting, let reason):
            return "invalid configuration \(setting): \(reason)"
        case .payloadEncodingFailed(let topic, let reason):
            return "the payload of an event on topic \(String(reflecting: topic)) could not be encoded: \(reason)"
        case .payloadDecodingFailed(let eventId, let type, let reason):
            return "the payload of event \(eventId) could not be decoded as \(type): \(reason)"
        case .missingPayload(let eventId):
            return "event \(eventId) was published without a payload"
        case .envelopeDecodingFailed(let eventId, let reason):
            return "stored event \(eventId) could not be decoded: \(reason)"
        case .leaseLost(let eventId):
            return "event \(eventId) was handled after its lease expired; it is delivered again"
        case .subscribersKeptChanging(let topic):
            return "the subscribers of topic \(String(reflecting: topic)) kept changing; nothing was published"
        case .unexpectedScriptReply(let script, let reply):
            return "script \(script) answered \(reply), which this library version does not understand"
        case .scriptHashMismatch(let script, let expected, let loaded):
            return "script \(script): Redis computed SHA1 \(loaded), the build embedded \(expected)"
        case .shutDown:
            return "the broker was shut down"
        case .notReplicated(let acknowledged, let required):
            return "the events were queued on the master, but \(acknowledged) of the \(required) replicas required "
                + "confirmed them in time; they are lost if the master fails before its replicas catch up"
        }
    }
}
