/// The rules of the script linter; the raw value is the rule id printed in every finding.
package enum LintRule: String, Sendable, CaseIterable, Encodable {
    /// The script does not compile with Lua 5.4.
    case syntax
    /// Lua 5.2+ syntax that the Lua 5.1 of Redis rejects or reads differently.
    case lua51Syntax = "lua51-syntax"
    /// A library function or module that the Lua 5.1 of Redis lacks.
    case lua51Library = "lua51-library"
    /// An assignment to a global variable, or into one of the tables Redis makes read-only.
    case globalWrite = "global-write"
    /// A read of a global variable that Redis does not provide.
    case unknownGlobal = "unknown-global"
    /// A key argument of `redis.call` or `redis.pcall` that is not taken from `KEYS`.
    case undeclaredKey = "undeclared-key"
    /// A `redis.call` of a command that ``RedisCommandKeys`` does not know.
    case unknownCommand = "unknown-command"
    /// A `redis.call` whose command is not a string literal, or `redis.call` used other than by calling it.
    case dynamicCommand = "dynamic-command"
    /// A missing or malformed header.
    case header
    /// The header's keys disagree with how the code uses `KEYS`.
    case headerKeys = "header-keys"
    /// The header's argv disagree with how the code uses `ARGV`.
    case headerArgv = "header-argv"
    /// The script and `scripts.lock` disagree, or the lock file is malformed.
    case lock
}
