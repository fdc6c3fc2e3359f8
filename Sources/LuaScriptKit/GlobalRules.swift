/// The rules `global-write` and `unknown-global`: scripts keep their state in locals and read only the globals Redis provides.
enum GlobalRules {
    /// The globals Redis provides to scripts that a script may read.
    static let allowedGlobals: Set<String> = [
        "redis", "KEYS", "ARGV", "cjson", "cmsgpack", "bit", "struct", "assert", "error", "ipairs", "next", "pairs",
        "pcall", "rawequal", "rawget", "rawset", "select", "tonumber", "tostring", "type", "unpack", "xpcall",
        "getmetatable", "setmetatable", "_VERSION", "math", "string", "table",
    ]

    /// The allowed globals that are libraries Redis makes read-only: assigning into them fails at run time.
    static let readOnlyLibraries: Set<String> = ["redis", "cjson", "cmsgpack", "bit", "struct", "math", "string", "table"]

    /// The findings of both rules for `facts`.
    static func findings(_ facts: ScriptFacts, path: String) -> [Finding] {
        var findings: [Finding] = []
        for write in facts.globalWrites {
            if let field = write.field {
                guard readOnlyLibraries.contains(write.name) else { continue }
                let target = field.isEmpty ? "a field of '\(write.name)'" : "'\(write.name).\(field)'"
                let message = "assigns \(target), but Redis makes '\(write.name)' read-only: keep your own values in a local table"
                findings.append(Finding(path: path, line: write.line, rule: .globalWrite, message: message))
            } else if write.isFunction {
                let message = "'function \(write.name)' assigns the global '\(write.name)': write 'local function \(write.name)'"
                findings.append(Finding(path: path, line: write.line, rule: .globalWrite, message: message))
            } else {
                let message = "assigns the global '\(write.name)': declare it with 'local'"
                findings.append(Finding(path: path, line: write.line, rule: .globalWrite, message: message))
            }
        }
        for read in facts.globalReads where !allowedGlobals.contains(read.name) && Lua51LibraryRule.globals[read.name] == nil {
            let advice = read.name == "print" ? "log with redis.log(redis.LOG_NOTICE, ...)" : "a typo, or a missing 'local'?"
            let message = "reads the global '\(read.name)', which Redis does not provide to scripts: \(advice)"
            findings.append(Finding(path: path, line: read.line, rule: .unknownGlobal, message: message))
        }
        return findings
    }
}
