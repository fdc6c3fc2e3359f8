/// A strict RFC 8259 reader over UTF-8 bytes that moves forward through one JSON text.
///
/// It validates everything it passes over (string escapes, UTF-8, number syntax, nesting) and
/// never recurses: nested arrays and objects are tracked in a stack limited to
/// ``JSONCodec/maximumNestingDepth`` entries, so hostile input costs at most its own length in memory.
struct JSONScanner {
    /// The whole JSON text being read.
    let bytes: [UInt8]
    /// The index of the next byte to read.
    private(set) var offset = 0

    /// Creates a scanner positioned at the first byte of `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset == bytes.count }

    /// Skips the whitespace JSON allows between tokens: space, tab, line feed, carriage return.
    mutating func skipWhitespace() {
        while offset < bytes.count, Self.isWhitespace(bytes[offset]) {
            offset += 1
        }
    }

    /// Whether `byte` is one of the four whitespace bytes of JSON.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    /// The byte at `offset`, or `nil` at the end of the input.
    var current: UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    /// The next byte without consuming it; the end of the input is an error naming what was `expected`.
    func peek(expecting expected: String) throws(JSONCodecError) -> UInt8 {
        guard let byte = current else { throw unexpectedByte(expected: expected) }
        return byte
    }

    /// An ``JSONCodecError/invalidJSON(offset:reason:)`` at the current byte, naming what was expected.
    func unexpectedByte(expected: String) -> JSONCodecError {
        guard offset < bytes.count else {
            return .invalidJSON(offset: offset, reason: "unexpected end of input, expected \(expected)")
        }
        let byte = bytes[offset]
        let found = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(Self.hex(byte))"
        return .invalidJSON(offset: offset, reason: "expected \(expected) but found \(found)")
    }

    // MARK: Objects

    /// Consumes the `{` of an object and the whitespace after it; returns whether a member follows
    /// (`false` when the object is empty and its `}` was consumed too).
    mutating func beginObject() throws(JSONCodecError) -> Bool {
        guard current == UInt8(ascii: "{") else { throw unexpectedByte(expected: "'{'") }
        offset += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return false
        }
        return true
    }

    /// Reads a member name and the `:` after it, leaving the scanner at the member's value.
    mutating func readMemberName() throws(JSONCodecError) -> String {
        let name = try readString()
        try consumeColon()
        return name
    }

    /// After a member's value: consumes `,` and returns `true`, or consumes `}` and returns `false`.
    mutating func endMember() throws(JSONCodecError) -> Bool {
        skipWhitespace()
        switch try peek(expecting: "',' or '}'") {
        case UInt8(ascii: ","):
            offset += 1
            skipWhitespace()
            return true
        case UInt8(ascii: "}"):
            offset += 1
            return false
        default:
            throw unexpectedByte(expected: "',' or '}'")
        }
    }

    /// Consumes the whitespace around a member's `:`.
    private mutating func consumeColon() throws(JSONCodecError) {
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw unexpectedByte(expected: "':'") }
        offset += 1
        skipWhitespace()
    }

    // MARK: Any value

    /// Validates one complete JSON value after optional whitespace and returns its byte range,
    /// which starts at the value's first byte and ends after its last.
    mutating func skipValue() throws(JSONCodecError) -> Range<Int> {
        skipWhitespace()
        let start = offset
        // The opening byte (`[` or `{`) of every container the value is inside, innermost last.
        var openContainers: [UInt8] = []
        valueExpected: while true {
            skipWhitespace()
            let first = try peek(expecting: "a JSON value")
            switch first {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                guard openContainers.count < JSONCodec.maximumNestingDepth else {
                    throw .nestingTooDeep(offset: offset)
                }
                offset += 1
                skipWhitespace()
                let close = first == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                if current == close {
                    offset += 1
                } else {
                    openContainers.append(first)
                    if first == UInt8(ascii: "{") { try skipMemberName() }
                    continue valueExpected
                }
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try skipNumber()
            case UInt8(ascii: "t"):
                try skipLiteral("true")
            case UInt8(ascii: "f"):
                try skipLiteral("false")
            case UInt8(ascii: "n"):
                try skipLiteral("null")
            default:
                throw unexpectedByte(expected: "a JSON value")
            }
            // A value just ended: close the containers it completes, or move on to the next element.
            while let open = openContainers.last {
                skipWhitespace()
                let close = open == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                let expected = open == UInt8(ascii: "[") ? "',' or ']'" : "',' or '}'"
                switch try peek(expecting: expected) {
                case UInt8(ascii: ","):
                    offset += 1
                    if open == UInt8(ascii: "{") {
                        skipWhitespace()
                        try skipMemberName()
                    }
                    continue valueExpected
                case close:
                    offset += 1
                    openContainers.removeLast()
                default:
                    throw unexpectedByte(expected: expected)
                }
            }
            return start..<offset
        }
    }

    /// Validates a member name and the `:` after it.
    private mutating func skipMemberName() throws(JSONCodecError) {
        try skipString()
        try consumeColon()
    }

    /// Consumes `literal` (`true`, `false` or `null`).
    private mutating func skipLiteral(_ literal: String) throws(JSONCodecError) {
        let start = offset
        for byte in literal.utf8 {
            guard offset < bytes.count, bytes[offset] == byte else {
                throw .invalidJSON(offset: start, reason: "invalid literal, expected \(literal)")
            }
            offset += 1
        }
    }

    // MARK: Numbers

    /// Validates a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Returns whether it is an integer, that is without fraction and exponent.
    @discardableResult
    mutating func skipNumber() throws(JSONCodecError) -> Bool {
        if current == UInt8(ascii: "-") { offset += 1 }
        if current == UInt8(ascii: "0") {
            offset += 1
        } else {
            try skipDigits()
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            offset += 1
            try skipDigits()
            isInteger = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            try skipDigits()
            isInteger = false
        }
        return isInteger
    }

    /// Reads a number and returns it when it is an integer that fits `Int64`, otherwise `nil`.
    mutating func readInt64() throws(JSONCodecError) -> Int64? {
        let start = offset
        guard try skipNumber() else { return nil }
        var digits = bytes[start..<offset]
        let isNegative = digits.first == UInt8(ascii: "-")
        if isNegative { digits = digits.dropFirst() }
        // Accumulated as a negative number, because Int64.min has no positive counterpart.
        var negated: Int64 = 0
        for digit in digits {
            let (shifted, shiftOverflow) = negated.multipliedReportingOverflow(by: 10)
            let (next, addOverflow) = shifted.subtractingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            if shiftOverflow || addOverflow { return nil }
            negated = next
        }
        if isNegative { return negated }
        let (value, overflow) = Int64(0).subtractingReportingOverflow(negated)
        return overflow ? nil : value
    }

    /// Consumes one or more decimal digits.
    private mutating func skipDigits() throws(JSONCodecError) {
        guard let byte = current, Self.isDigit(byte) else { throw unexpectedByte(expected: "a digit") }
        while let byte = current, Self.isDigit(byte) {
            offset += 1
        }
    }

    /// Whether `byte` is `0` to `9`.
    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    // MARK: Strings

    /// Reads a string and returns its decoded value.
    mutating func readString() throws(JSONCodecError) -> String {
        let contentStart = offset + 1
        // scanString validated the UTF-8 and every escape, so String(decoding:) never repairs anything.
        if let unescaped = try scanString(decoding: true) {
            return String(decoding: unescaped, as: UTF8.self)
        }
        return String(decoding: bytes[contentStart..<offset - 1], as: UTF8.self)
    }

    /// Validates a string without keeping its value.
    mutating func skipString() throws(JSONCodecError) {
        _ = try scanString(decoding: false)
    }

    /// Reads the string at `offset` (its opening quote), validating escapes and UTF-8. When `decoding`
    /// and the string contains escapes, returns its content with the escapes decoded; otherwise
    /// returns `nil`, the content being exactly the bytes between the quotes.
    private mutating func scanString(decoding: Bool) throws(JSONCodecError) -> [UInt8]? {
        guard current == UInt8(ascii: "\"") else { throw unexpectedByte(expected: "a string") }
        offset += 1
        var unescaped: [UInt8] = []
        var hasEscape = false
        // Bytes from runStart to offset need no decoding; they are copied in one go.
        var runStart = offset
        while true {
            let byte = try peek(expecting: "'\"' closing the string")
            switch byte {
            case UInt8(ascii: "\""):
                guard hasEscape else {
                    offset += 1
                    return nil
                }
                unescaped.append(contentsOf: bytes[runStart..<offset])
                offset += 1
                return unescaped
            case UInt8(ascii: "\\"):
                let run = runStart..<offset
                let scalar = try readEscape()
                if decoding {
                    unescaped.append(contentsOf: bytes[run])
                    UTF8.encode(scalar) { unescaped.append($0) }
                    hasEscape = true
                }
                runStart = offset
            case 0x00..<0x20:
                throw .invalidJSON(
                    offset: offset,
                    reason: "control character 0x\(Self.hex(byte)) inside a string must be written as an escape")
            case 0x20..<0x80:
                offset += 1
            default:
                try skipMultiByteUTF8()
            }
        }
    }

    /// Reads an escape sequence starting at its backslash, a `\uXXXX\uXXXX` surrogate pair included.
    private mutating func readEscape() throws(JSONCodecError) -> Unicode.Scalar {
        let start = offset
        offset += 1
        let letter = try peek(expecting: "an escape letter")
        offset += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(letter)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): break
        default:
            throw .invalidJSON(offset: start, reason: "unknown escape sequence in a string")
        }
        let unit = try readHex4()
        switch unit {
        case 0xD800...0xDBFF:
            guard bytes[offset...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                throw Self.loneSurrogate(unit, at: start)
            }
            offset += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw Self.loneSurrogate(unit, at: start) }
            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            // Always valid: a surrogate pair encodes U+10000...U+10FFFF.
            return Unicode.Scalar(value)!
        case 0xDC00...0xDFFF:
            throw Self.loneSurrogate(unit, at: start)
        default:
            // Always valid: every UInt16 outside the surrogate range is a scalar.
            return Unicode.Scalar(unit)!
        }
    }

    /// The error for a `\uXXXX` escape of a UTF-16 surrogate that has no partner.
    private static func loneSurrogate(_ unit: UInt16, at offset: Int) -> JSONCodecError {
        .invalidJSON(
            offset: offset,
            reason: "\\u\(String(unit, radix: 16, uppercase: true)) is a UTF-16 surrogate without its partner")
    }

    /// Reads the four hexadecimal digits of a `\u` escape.
    private mutating func readHex4() throws(JSONCodecError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = try peek(expecting: "a hexadecimal digit of a \\u escape")
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw unexpectedByte(expected: "a hexadecimal digit of a \\u escape")
            }
            value = value << 4 | UInt16(digit)
            offset += 1
        }
        return value
    }

    /// Consumes one well-formed UTF-8 sequence of two to four bytes (Unicode Table 3-7: no overlong
    /// forms, no surrogates, nothing above U+10FFFF).
    private mutating func skipMultiByteUTF8() throws(JSONCodecError) {
        let start = offset
        let continuationCount: Int
        let secondByteRange: ClosedRange<UInt8>
        switch bytes[start] {
        case 0xC2...0xDF: (continuationCount, secondByteRange) = (1, 0x80...0xBF)
        case 0xE0: (continuationCount, secondByteRange) = (2, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (continuationCount, secondByteRange) = (2, 0x80...0xBF)
        case 0xED: (continuationCount, secondByteRange) = (2, 0x80...0x9F)
        case 0xF0: (continuationCount, secondByteRange) = (3, 0x90...0xBF)
        case 0xF1...0xF3: (continuationCount, secondByteRange) = (3, 0x80...0xBF)
        case 0xF4: (continuationCount, secondByteRange) = (3, 0x80...0x8F)
        default: throw .invalidUTF8(offset: start)
        }
        for index in start + 1...start + continuationCount {
            let allowed = index == start + 1 ? secondByteRange : 0x80...0xBF
            guard index < bytes.count, allowed.contains(bytes[index]) else { throw .invalidUTF8(offset: start) }
        }
        offset = start + 1 + continuationCount
    }

    /// `byte` as two uppercase hexadecimal digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
