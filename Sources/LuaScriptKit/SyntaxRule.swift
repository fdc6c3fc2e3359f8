/// The rule `syntax`: the script must compile with Lua 5.4 (after its `#!` line is blanked, as Redis strips it).
enum SyntaxRule {
    /// The chunk name Lua's messages start with: `script:<line>: <message>`.
    private static let chunkName = "script"

    /// The finding for `code` (the script with its `#!` line blanked), or nil when it compiles.
    static func finding(code: [UInt8], path: String) -> Finding? {
        let lua = LuaState()
        do {
            try lua.load(code, chunkName: "=" + chunkName)
            return nil
        } catch {
            let (line, message) = locate(error.description)
            return Finding(path: path, line: line, rule: .syntax, message: message)
        }
    }

    /// Splits Lua's `script:<line>: <message>` into its line and message; line 1 and the whole text otherwise.
    private static func locate(_ text: String) -> (Int, String) {
        let prefix = chunkName + ":"
        guard text.hasPrefix(prefix) else { return (1, text) }
        let rest = text.dropFirst(prefix.count)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let line = Int(digits), rest.dropFirst(digits.count).hasPrefix(": ") else { return (1, text) }
        return (line, String(rest.dropFirst(digits.count + 2)))
    }
}
