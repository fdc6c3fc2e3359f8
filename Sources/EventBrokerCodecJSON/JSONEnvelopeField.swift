/// The keys of the stored JSON envelope, named as in the original Node package so that services
/// written in other languages read and write the same objects. The writer emits them in this order.
enum JSONEnvelopeField: Int {
    case version
    case id
    case streamId
    case topic
    case message
    case payload
    case headers
    case publishedAt

    /// The field whose key is `name`, or `nil` for a key this version does not know.
    init?(name: String) {
        switch name {
        case "v": self = .version
        case "id": self = .id
        case "streamId": self = .streamId
        case "topic": self = .topic
        case "message": self = .message
        case "payload": self = .payload
        case "headers": self = .headers
        case "publishedAt": self = .publishedAt
        default: return nil
        }
    }

    /// The key as written in JSON.
    var name: String {
        switch self {
        case .version: "v"
        case .id: "id"
        case .streamId: "streamId"
        case .topic: "topic"
        case .message: "message"
        case .payload: "payload"
        case .headers: "headers"
        case .publishedAt: "publishedAt"
        }
    }

    /// The field's bit in a set of fields kept as a bit mask.
    var bit: UInt8 { 1 << rawValue }
}
