/// Splits Lua source into tokens, the way Lua 5.4's lexer does, and notes the lexical
/// constructs that the Lua 5.1 of Redis rejects or reads differently.
///
/// It reads bytes, not characters: like Lua, it treats every byte above 127 as neither a letter
/// nor a digit, so such bytes can only appear in strings and comments.
struct LuaLexer {
    /// The source being read.
    private let source: [UInt8]
    /// The index of the next byte to read.
    private var position = 0
    /// The 1-based line of the next byte to read.
    private var line = 1
    /// The Lua 5.2+ constructs seen so far.
    private(set) var lua51Issues: [Lua51SyntaxIssue] = []

    /// The reserved words of Lua 5.1 (Lua 5.2+ adds `goto`, which this lexer reads as a name).
    private static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in", "local", "nil",
        "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    /// The symbols of Lua 5.4, longest first so that `...` wins over `..` and `.`.
    private static let symbols: [String] = [
        "...", "..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::",
        "+", "-", "*", "/", "%", "^", "#", "&", "~", "|", "<", ">", "=", "(", ")", "{", "}", "[", "]", ";",
        ":", ",", ".",
    ].sorted { $0.count > $1.count }

    /// 2^53 in decimal: the largest integer up to which a double, as which Lua 5.1 stores every number, is exact.
    private static let largestExactDecimal = "9007199254740992"
    /// 2^53 in hex.
    private static let largestExactHex = "20000000000000"

    /// Creates a lexer at the start of `source`.
    init(source: [UInt8]) {
        self.source = source
    }

    /// Reads the next token; at the end of the source, returns `.endOfFile` again and again.
    mutating func next() throws(LuaSyntaxError) -> LuaToken {
        try skipWhitespaceAndComments()
        let startLine = line
        guard let byte = current else {
            return LuaToken(kind: .endOfFile, line: line, endLine: line)
        }
        let kind: LuaTokenKind
        if isLetter(byte) {
            kind = readName()
        } else if isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(isDigit) == true) {
            kind = .number(try readNumber())
        } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            kind = .string(try readShortString())
        } else if byte == UInt8(ascii: "["), let level = longBracketLevel() {
            kind = .string(try readLongBracket(level: level, what: "string"))
        } else {
            kind = .symbol(try readSymbol())
        }
        return LuaToken(kind: kind, line: startLine, endLine: line)
    }

    // MARK: Bytes

    /// The next byte, or nil at the end.
    private var current: UInt8? {
        position < source.count ? source[position] : nil
    }

    /// The byte `offset` bytes after the next one, or nil past the end.
    private func peek(_ offset: Int) -> UInt8? {
        position + offset < source.count ? source[position + offset] : nil
    }

    /// Whether `byte` can start a name.
    private func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    /// Whether `byte` is a decimal digit.
    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Whether `byte` is a hexadecimal digit.
    private func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// Whether `byte` ends a line.
    private func isNewline(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Skips one line break: `\n`, `\r`, `\r\n` or `\n\r`, as Lua counts them.
    private mutating func skipNewline() {
        let first = source[position]
        position += 1
        if let second = current, isNewline(second), second != first {
            position += 1
        }
        line += 1
    }

    /// Notes a Lua 5.2+ construct on the current line.
    private mutating func noteLua51Issue(_ message: String, line issueLine: Int? = nil) {
        lua51Issues.append(Lua51SyntaxIssue(line: issueLine ?? line, message: message))
    }

    // MARK: Whitespace and comments

    /// Skips spaces, line breaks, `--` line comments and `--[[ ]]` long comments.
    private mutating func skipWhitespaceAndComments() throws(LuaSyntaxError) {
        while let byte = current {
            if isNewline(byte) {
                skipNewline()
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 0x0B || byte == 0x0C {
                position += 1
            } else if byte == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                position += 2
                if current == UInt8(ascii: "["), let level = longBracketLevel() {
                    _ = try readLongBracket(level: level, what: "comment")
                } else {
                    while let byte = current, !isNewline(byte) {
                        position += 1
                    }
                }
            } else {
                return
            }
        }
    }

    // MARK: Names and symbols

    /// Reads a name or a keyword.
    private mutating func readName() -> LuaTokenKind {
        let start = position
        while let byte = current, isLetter(byte) || isDigit(byte) {
            position += 1
        }
        let word = String(decoding: source[start..<position], as: UTF8.self)
        return Self.keywords.contains(word) ? .keyword(word) : .name(word)
    }

    /// Reads the longest symbol at the current position.
    private mutating func readSymbol() throws(LuaSyntaxError) -> String {
        for symbol in Self.symbols where source[position...].starts(with: symbol.utf8) {
            position += symbol.utf8.count
            return symbol
        }
        let byte = source[position]
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "'<\\\(byte)>'"
        throw LuaSyntaxError(line: line, message: "unexpected symbol near \(shown)")
    }

    // MARK: Numbers

    /// Reads a numeral as Lua 5.4 delimits it, checks its form and notes the forms Lua 5.1 reads differently.
    private mutating func readNumber() throws(LuaSyntaxError) -> LuaNumberLiteral {
        let start = position
        var exponentMarks: [UInt8] = [UInt8(ascii: "e"), UInt8(ascii: "E")]
        let isHex = current == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X"))
        if isHex {
            position += 2
            exponentMarks = [UInt8(ascii: "p"), UInt8(ascii: "P")]
        }
        while let byte = current {
            if exponentMarks.contains(byte) {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                    position += 1
                }
            } else if isHexDigit(byte) || byte == UInt8(ascii: ".") {
                position += 1
            } else {
                break
            }
        }
        if let byte = current, isLetter(byte) {
            position += 1
        }
        let text = String(decoding: source[start..<position], as: UTF8.self)
        let malformed = LuaSyntaxError(line: line, message: "malformed number near '\(text)'")
        if isHex {
            let digits = text.dropFirst(2)
            guard let shape = NumberShape(digits, isDigit: isHexDigit, exponentMarks: exponentMarks) else {
                throw malformed
            }
            if !shape.isInteger {
                noteLua51Issue("the hexadecimal number \(text) has a fraction or an exponent, which needs Lua 5.2+")
            } else if exceeds(digits, limit: Self.largestExactHex) {
                noteLua51Issue(
                    "the hexadecimal integer \(text) is beyond 2^53: Lua 5.1 reads it as a rounded double, Lua 5.4 as a 64-bit integer"
                )
            }
            return LuaNumberLiteral(text: text, decimalInteger: nil)
        }
        guard let shape = NumberShape(text[...], isDigit: isDigit, exponentMarks: exponentMarks) else {
            throw malformed
        }
        guard shape.isInteger else {
            return LuaNumberLiteral(text: text, decimalInteger: nil)
        }
        if exceeds(text[...], limit: Self.largestExactDecimal) {
            noteLua51Issue(
                "the integer \(text) is beyond 2^53: Lua 5.1 keeps every number as a double and rounds it; pass it as a string"
            )
        }
        return LuaNumberLiteral(text: text, decimalInteger: Int(text))
    }

    /// Whether the unsigned digits `digits` (decimal or hex, same base as `limit`) denote a number above `limit`.
    private func exceeds(_ digits: Substring, limit: String) -> Bool {
        let significant = digits.drop { $0 == "0" }.lowercased()
        if significant.count != limit.count {
            return significant.count > limit.count
        }
        return significant > limit
    }

    // MARK: Strings

    /// Reads a quoted string, decoding its escapes; notes the escapes Lua 5.1 reads differently.
    private mutating func readShortString() throws(LuaSyntaxError) -> [UInt8] {
        let quote = source[position]
        position += 1
        var bytes: [UInt8] = []
        while true {
            guard let byte = current, !isNewline(byte) else {
                throw LuaSyntaxError(line: line, message: "unfinished string")
            }
            position += 1
            if byte == quote {
                return bytes
            }
            if byte == UInt8(ascii: "\\") {
                try readEscape(into: &bytes)
            } else {
                bytes.append(byte)
            }
        }
    }

    /// Reads the escape after a backslash in a quoted string and appends the bytes it stands for.
    private mutating func readEscape(into bytes: inout [UInt8]) throws(LuaSyntaxError) {
        guard let byte = current else {
            throw LuaSyntaxError(line: line, message: "unfinished string")
        }
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "f"): 12, UInt8(ascii: "n"): 10,
            UInt8(ascii: "r"): 13, UInt8(ascii: "t"): 9, UInt8(ascii: "v"): 11, UInt8(ascii: "\\"): 92,
            UInt8(ascii: "\""): 34, UInt8(ascii: "'"): 39,
        ]
        if let decoded = simple[byte] {
            position += 1
            bytes.append(decoded)
        } else if isNewline(byte) {
            skipNewline()
            bytes.append(10)
        } else if byte == UInt8(ascii: "x") {
            noteLua51Issue("the escape \\x needs Lua 5.2+: Lua 5.1 reads \\x41 as the text 'x41'; use a decimal escape such as \\65")
            position += 1
            guard let high = current, isHexDigit(high), let low = peek(1), isHexDigit(low) else {
                throw LuaSyntaxError(line: line, message: "hexadecimal digit expected")
            }
            position += 2
            bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        } else if byte == UInt8(ascii: "z") {
            noteLua51Issue("the escape \\z needs Lua 5.2+: Lua 5.1 reads it as the letter 'z'")
            position += 1
            while let next = current, next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || isNewline(next) {
                if isNewline(next) { skipNewline() } else { position += 1 }
            }
        } else if byte == UInt8(ascii: "u") {
            noteLua51Issue(
                "the escape \\u{XXXX} needs Lua 5.3+: Lua 5.1 reads it as the text 'u{XXXX}'; write the UTF-8 bytes as decimal escapes"
            )
            try readUnicodeEscape(into: &bytes)
        } else if isDigit(byte) {
            var value = 0
            var count = 0
            while count < 3, let digit = current, isDigit(digit) {
                value = value * 10 + Int(digit - UInt8(ascii: "0"))
                position += 1
                count += 1
            }
            guard value <= 255 else {
                throw LuaSyntaxError(line: line, message: "decimal escape too large")
            }
            bytes.append(UInt8(value))
        } else {
            throw LuaSyntaxError(line: line, message: "invalid escape sequence")
        }
    }

    /// Reads `u{XXX}` after a backslash and appends the code point's UTF-8 bytes (Lua allows up to 2^31).
    private mutating func readUnicodeEscape(into bytes: inout [UInt8]) throws(LuaSyntaxError) {
        position += 1
        guard current == UInt8(ascii: "{") else {
            throw LuaSyntaxError(line: line, message: "missing '{' in \\u{xxxx}")
        }
        position += 1
        var value: UInt32 = 0
        var count = 0
        while let digit = current, isHexDigit(digit) {
            value = value * 16 + UInt32(String(decoding: [digit], as: UTF8.self), radix: 16)!
            guard value < 0x8000_0000 else {
                throw LuaSyntaxError(line: line, message: "UTF-8 value too large")
            }
            position += 1
            count += 1
        }
        guard count > 0, current == UInt8(ascii: "}") else {
            throw LuaSyntaxError(line: line, message: "missing '}' in \\u{xxxx}")
        }
        position += 1
        bytes += Self.utf8(value)
    }

    /// The bytes of `value` in Lua's extended UTF-8, which reaches 2^31 with up to six bytes.
    private static func utf8(_ value: UInt32) -> [UInt8] {
        if value < 0x80 {
            return [UInt8(value)]
        }
        var continuation: [UInt8] = []
        var rest = value
        var firstByteLimit: UInt32 = 0x3F
        while rest > firstByteLimit {
            continuation.insert(UInt8(0x80 | (rest & 0x3F)), at: 0)
            rest >>= 6
            firstByteLimit >>= 1
        }
        let marker = UInt8(truncatingIfNeeded: ~firstByteLimit << 1)
        return [marker | UInt8(rest)] + continuation
    }

    /// The level (number of `=`) of a long bracket `[==[` at the current position, or nil if there is none.
    private func longBracketLevel() -> Int? {
        var offset = 1
        while peek(offset) == UInt8(ascii: "=") {
            offset += 1
        }
        return peek(offset) == UInt8(ascii: "[") ? offset - 1 : nil
    }

    /// Reads a long string or comment from its opening bracket to its closing one and returns its content.
    ///
    /// Lua 5.1 (as Redis builds it) rejects `[[` inside a level-0 long string or comment; that is noted.
    private mutating func readLongBracket(level: Int, what: String) throws(LuaSyntaxError) -> [UInt8] {
        let startLine = line
        position += level + 2
        if let byte = current, isNewline(byte) {
            skipNewline()
        }
        var bytes: [UInt8] = []
        var notedNesting = false
        while let byte = current {
            if byte == UInt8(ascii: "]"), closesLongBracket(level: level) {
                position += level + 2
                return bytes
            }
            if level == 0, !notedNesting, byte == UInt8(ascii: "["), peek(1) == UInt8(ascii: "[") {
                noteLua51Issue("Lua 5.1 rejects '[[' inside a [[...]] long \(what): use the [=[ ... ]=] form")
                notedNesting = true
            }
            if isNewline(byte) {
                skipNewline()
                bytes.append(10)
            } else {
                bytes.append(byte)
                position += 1
            }
        }
        throw LuaSyntaxError(line: line, message: "unfinished long \(what) (starting at line \(startLine))")
    }

    /// Whether a closing long bracket of `level` starts at the current position.
    private func closesLongBracket(level: Int) -> Bool {
        for offset in 1...(level + 1) {
            let expected = offset == level + 1 ? UInt8(ascii: "]") : UInt8(ascii: "=")
            if peek(offset) != expected {
                return false
            }
        }
        return true
    }
}

/// The form of a numeral's text: digits, an optional fraction and an optional signed exponent.
private struct NumberShape {
    /// Whether the numeral has neither a fraction point nor an exponent.
    let isInteger: Bool

    /// Checks `text` against `digits [. digits] [mark [sign] decimal-digits]` with at least one mantissa digit;
    /// nil if it does not match.
    init?(_ text: Substring, isDigit: (UInt8) -> Bool, exponentMarks: [UInt8]) {
        let bytes = Array(text.utf8)
        var index = 0
        var mantissaDigits = 0
        while index < bytes.count, isDigit(bytes[index]) {
            index += 1
            mantissaDigits += 1
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            while index < bytes.count, isDigit(bytes[index]) {
                index += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return nil }
        if index < bytes.count, exponentMarks.contains(bytes[index]) {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                index += 1
            }
            guard index > exponentStart else { return nil }
        }
        guard index == bytes.count else { return nil }
        self.isInteger = isInteger
    }
}
