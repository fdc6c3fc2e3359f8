/// One token of Lua source, as ``LuaLexer`` reads it.
struct LuaToken {
    /// What the token is.
    let kind: LuaTokenKind
    /// The 1-based line where the token starts.
    let line: Int
    /// The 1-based line where the token ends; differs from ``line`` only for long strings.
    let endLine: Int
}

/// The kinds of Lua tokens.
enum LuaTokenKind: Equatable {
    /// A name that is not a keyword (`goto` is a name here: it is a keyword only in Lua 5.2+).
    case name(String)
    /// A reserved word of Lua 5.1, such as `local` or `end`.
    case keyword(String)
    /// A string literal, short or long, with its escapes decoded.
    case string([UInt8])
    /// A numeric literal.
    case number(LuaNumberLiteral)
    /// An operator or punctuation, such as `..`, `~=` or `(`.
    case symbol(String)
    /// The end of the source.
    case endOfFile

    /// The token as Lua's error messages quote it.
    var quoted: String {
        switch self {
        case .name(let name): return "'\(name)'"
        case .keyword(let word): return "'\(word)'"
        case .string(let bytes): return "'\(String(decoding: bytes, as: UTF8.self))'"
        case .number(let number): return "'\(number.text)'"
        case .symbol(let symbol): return "'\(symbol)'"
        case .endOfFile: return "<eof>"
        }
    }
}

/// A numeric literal as written.
struct LuaNumberLiteral: Equatable {
    /// The literal's text, such as `42`, `0x1F` or `1e3`.
    let text: String
    /// Its value when it is a decimal integer literal that fits an `Int`; nil for every other number.
    let decimalInteger: Int?
}

/// A syntax error found by the linter's own lexer or parser.
struct LuaSyntaxError: Error {
    /// The 1-based line of the error.
    let line: Int
    /// What is wrong, in Lua's words where possible.
    let message: String
}

/// Lua 5.2+ syntax found in a script: compiles with 5.4, but the Lua 5.1 of Redis rejects it or reads it differently.
struct Lua51SyntaxIssue {
    /// The 1-based line of the construct.
    let line: Int
    /// What the construct is and what to write instead.
    let message: String
}
