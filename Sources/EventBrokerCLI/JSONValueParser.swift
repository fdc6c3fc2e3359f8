/// A strict RFC 8259 reader of one JSON text into a ``JSONValue``, keeping what a generic
/// decoder loses: whether a number was written as a whole number (`10`) or not (`10.0`, `1e1`).
struct JSONValueParser {
    /// Why a text is no JSON, and where.
    struct Failure: Error, CustomStringConvertible {
        /// The offset of the offending byte in the UTF-8 text.
        let offset: Int
        /// What was expected or wrong.
        let reason: String

        var description: String { "\(reason) at byte \(offset)" }
    }

    /// The deepest arrays and objects may nest.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var offset = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses `text`, which must hold exactly one JSON value (whitespace around it allowed).
    static func parse(_ text: String) throws(Failure) -> JSONValue {
        var parser = JSONValueParser(text)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == parser.bytes.count else { throw parser.failure("expected the end of the text") }
        return value
    }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// A failure at the current byte, naming what was expected and what was found.
    private func failure(_ expected: String) -> Failure {
        guard let byte = current else { return Failure(offset: offset, reason: "unexpected end of the text, \(expected)") }
        let found = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(byte)"
        return Failure(offset: offset, reason: "\(expected), found \(found)")
    }

    private mutating func skipWhitespace() {
        while let byte = current, [0x20, 0x0A, 0x0D, 0x09].contains(byte) {
            offset += 1
        }
    }

    /// Consumes `byte` if it is next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        offset += 1
        return true
    }

    /// The value at the current byte; `depth` counts the arrays and objects around it.
    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard let byte = current else { throw failure("expected a JSON value") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("expected a JSON value")
        }
    }

    /// `true`, `false` or `null`, spelt out in full.
    private mutating func literal(_ word: String, _ value: JSONValue) throws(Failure) -> JSONValue {
        for byte in word.utf8 {
            guard consume(byte) else { throw failure("expected '\(word)'") }
        }
        return value
    }

    /// An object at its `{`; a member name may occur once.
    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth)") }
        offset += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let keyOffset = offset
            let key = try string()
            guard members[key] == nil else { throw Failure(offset: keyOffset, reason: "duplicate member name \"\(key)\"") }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw failure("expected ':'") }
            skipWhitespace()
            members[key] = try value(depth: depth)
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw failure("expected ',' or '}'") }
        return .object(members)
    }

    /// An array at its `[`.
    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth)") }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw failure("expected ',' or ']'") }
        return .array(elements)
    }

    /// A number: an integer when written without fraction and exponent and within Int64, else a `Double`.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = offset
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard digits() else { throw failure("expected a digit") }
        }
        var whole = true
        if consume(UInt8(ascii: ".")) {
            whole = false
            guard digits() else { throw failure("expected a digit after '.'") }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            whole = false
            _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
            guard digits() else { throw failure("expected a digit in the exponent") }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if whole, let integer = Int64(text) { return .integer(integer) }
        guard let number = Double(text), number.isFinite else {
            throw Failure(offset: start, reason: "the number \(text) is too large")
        }
        return .number(number)
    }

    /// Consumes a run of digits; returns whether there was at least one.
    private mutating func digits() -> Bool {
        let start = offset
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            offset += 1
        }
        return offset > start
    }

    /// A string at its opening quote, escapes resolved.
    private mutating func string() throws(Failure) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var run = offset
        func flush(_ end: Int) {
            scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let byte = current else { throw failure("expected '\"' to end the string") }
            switch byte {
            case UInt8(ascii: "\""):
                flush(offset)
                offset += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(offset)
                offset += 1
                scalars.append(try escape())
                run = offset
            case 0..<0x20:
                throw failure("expected a control character to be escaped")
            default:
                offset += 1
            }
        }
    }

    /// The character an escape after its backslash stands for; `\u` pairs of surrogates included.
    private mutating func escape() throws(Failure) -> Unicode.Scalar {
        guard let byte = current else { throw failure("expected an escape") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let start = offset - 2
            let unit = try hex4()
            if let scalar = Unicode.Scalar(unit) { return scalar }
            guard (0xD800..<0xDC00).contains(unit), consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
                throw Failure(offset: start, reason: "a lone surrogate")
            }
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low),
                let scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
            else { throw Failure(offset: start, reason: "a lone surrogate") }
            return scalar
        default:
            offset -= 1
            throw failure("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)")
        }
    }

    /// The four hex digits of a `\u` escape.
    private mutating func hex4() throws(Failure) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = current.flatMap({ Character(Unicode.Scalar($0)).hexDigitValue }) else {
                throw failure("expected four hex digits")
            }
            unit = unit << 4 | UInt16(digit)
            offset += 1
        }
        return unit
    }
}
