/// The rule `lua51-library`: no library function or module that the Lua 5.1 of Redis lacks.
enum Lua51LibraryRule {
    /// Globals a script must not touch at all, with what to do instead.
    static let globals: [String: String] = [
        "utf8": "there is no utf8 library; work on the bytes with the string functions",
        "coroutine": "Redis runs a script as one atomic step; write the loop without coroutines",
        "io": "there is no io library; return data to the caller instead",
        "os": "there is no os library; take the time from redis.call('TIME')",
        "package": "a script cannot load modules",
        "debug": "the debug library is not for scripts",
        "require": "a script cannot load modules; keep the whole operation in one script",
        "load": "a script cannot compile code; keep the whole operation in one script",
        "loadstring": "a script cannot compile code; keep the whole operation in one script",
        "loadfile": "a script cannot read files",
        "dofile": "a script cannot read files",
    ]

    /// Fields of the standard tables that Lua 5.1 lacks, with what to use instead.
    static let fields: [String: [String: String]] = [
        "table": ["unpack": "use unpack", "move": "copy the elements in a loop"],
        "string": ["pack": "use struct.pack", "unpack": "use struct.unpack", "packsize": "use struct.size"],
        "math": [
            "tointeger": "use math.floor (after tonumber)",
            "type": "use type(x) == 'number' and math.floor(x) == x",
            "ult": "compare the numbers directly: Lua 5.1 numbers are doubles",
        ],
    ]

    /// The findings for the reads in `facts`.
    static func findings(_ facts: ScriptFacts, path: String) -> [Finding] {
        facts.globalReads.compactMap { read in
            let qualified = read.field.map { "\(read.name).\($0)" } ?? read.name
            let advice: String
            if let globalAdvice = globals[read.name] {
                advice = globalAdvice
            } else if let field = read.field, let fieldAdvice = fields[read.name]?[field] {
                advice = fieldAdvice
            } else {
                return nil
            }
            let message = "\(qualified) is not available to Redis's Lua 5.1 scripts: \(advice)"
            return Finding(path: path, line: read.line, rule: .lua51Library, message: message)
        }
    }
}
