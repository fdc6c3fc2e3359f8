import Foundation

/// The envelope as Foundation's `JSONDecoder` reads it, to check our bytes against another parser.
/// (`JSONSerialization` on Linux drops a leading U+FEFF from strings, so it is not used for this.)
struct FoundationEnvelope: Decodable, Equatable {
    var v: Int64
    var id: String
    var streamId: String
    var topic: String
    var message: String?
    var headers: [String: String]?
    var publishedAt: Int64
}

extension FoundationEnvelope {
    /// Decodes `bytes` with a fresh `JSONDecoder`.
    init(bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(bytes))
    }
}
