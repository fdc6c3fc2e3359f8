/// Runs a script as Redis 7.0 runs `EVAL`, against a ``RedisModel``, in a Lua state of its own:
/// the shebang line is checked and blanked (line numbers stay), `KEYS` and `ARGV` are set, the
/// globals are Redis's (read-only; reading a missing one raises), `redis.call` and
/// `redis.pcall` reach the model, and the result or error is converted to a reply as Redis does.
///
/// It is stricter than Redis where a test should fail: a command given a key that is not in
/// `KEYS`, or a command the model does not implement, throws ``ScriptTestFailure``.
///
/// ```swift
/// let reply = try RedisScriptSandbox.run(pick, keys: keys, arguments: argv, against: model)
/// ```
package enum RedisScriptSandbox {
    /// Runs `script` and returns its reply (a script error is an ``RedisValue/error(_:)`` reply).
    package static func run(
        _ script: ScriptUnderTest, keys: [[UInt8]], arguments: [[UInt8]], against model: RedisModel
    ) throws(ScriptTestFailure) -> RedisValue {
        let body: [UInt8]
        switch blankingShebang(of: script.source) {
        case .failure(let error): return .error("ERR \(error.message)")
        case .success(let rest): body = rest
        }
        let lua = LuaState()
        let failures = FailureRecorder()
        do {
            lua.openDebugLibrary()
            try lua.load(Array(RedisScriptPrelude.source.utf8), chunkName: "=redis-script-prelude")
            pushRawCommand(on: lua, script: script, keys: Set(keys), model: model, failures: failures)
            lua.pushNullLightUserdata()
            lua.push(LuaCJSON.source)
            lua.push(LuaBitLibrary.source)
            try lua.call(arguments: 4, results: 1)
            lua.push(bytes: body)
            push(strings: keys, on: lua)
            push(strings: arguments, on: lua)
            try lua.call(arguments: 3, results: 2)
        } catch {
            throw ScriptTestFailure(message: "the embedded Lua failed while running \(script.name).lua: \(error)")
        }
        if let failure = failures.first {
            throw ScriptTestFailure(message: failure)
        }
        switch lua.string(at: -2) {
        case "ok":
            return lua.reply(at: -1)
        case "compile":
            return .error("ERR Error compiling script (new function): \(lua.string(at: -1) ?? "")")
        default:
            return errorReply(from: lua, script: script)
        }
    }

    /// The reply of a script that raised: Redis's `<err> script: <sha>, on @user_script:<line>.`,
    /// with the script's name where Redis gives its SHA1.
    private static func errorReply(from lua: LuaState, script: ScriptUnderTest) -> RedisValue {
        lua.rawGet(table: -1, field: "err")
        let message = lua.bytes(at: -1)
        lua.rawGet(table: -2, field: "line")
        let line = lua.integer(at: -1)
        lua.pop(2)
        guard let message else { return .error("ERR the script raised a table without an 'err' string") }
        var text = String(decoding: LuaState.oneLine(message), as: UTF8.self)
        if let line {
            text += " script: \(script.name), on @user_script:\(line)."
        }
        return .error(text)
    }

    /// The first reason the running test must fail, if any.
    private final class FailureRecorder {
        var first: String?
    }

    /// Pushes the function behind `redis.call` and `redis.pcall`: the reply converted to Lua
    /// and whether it is an error reply, the checks of Redis's `scriptCall` included.
    private static func pushRawCommand(
        on lua: LuaState, script: ScriptUnderTest, keys: Set<[UInt8]>, model: RedisModel, failures: FailureRecorder
    ) {
        lua.pushFunction { lua in
            func errorReply(_ message: String) -> LuaCallResult {
                lua.push(reply: .error(message))
                lua.push(true)
                return .results(2)
            }
            let line = lua.integer(at: 1)
            func fail(_ message: String) -> LuaCallResult {
                let text = "\(script.name).lua\(line.map { ":\($0)" } ?? ""): \(message)"
                if failures.first == nil { failures.first = text }
                return .error(text)
            }
            guard lua.top > 1 else { return errorReply("ERR Please specify at least one argument for this redis lib call") }
            var words: [[UInt8]] = []
            for index in 2...lua.top {
                guard let word = lua.redisArgument(at: index) else {
                    return errorReply("ERR Lua redis lib command arguments must be strings or integers")
                }
                words.append(word)
            }
            let name = String(decoding: words[0], as: UTF8.self).uppercased()
            guard let arity = RedisModel.arity(of: name) else {
                return fail("redis.call('\(name)'): the Redis model does not implement this command")
            }
            guard RedisModel.accepts(arity: arity, count: words.count) else {
                return errorReply("ERR Wrong number of args calling Redis command from script")
            }
            guard let positions = RedisCommandKeys.keyPositions(of: name, argumentCount: words.count - 1) else {
                return fail("redis.call('\(name)'): RedisCommandKeys does not say which arguments of \(name) are keys")
            }
            for position in positions where !keys.contains(words[position + 1]) {
                return fail(
                    "redis.call('\(name)') uses the key \(quoted(words[position + 1])), which is not in KEYS; "
                        + "every key a script touches must arrive in KEYS")
            }
            let reply: RedisValue
            do throws(RedisModelLimitation) {
                reply = try model.execute(words)
            } catch {
                return fail("redis.call('\(name)'): \(error.message)")
            }
            lua.push(reply: reply)
            if case .error = reply { lua.push(true) } else { lua.push(false) }
            return .results(2)
        }
    }

    private static func push(strings: [[UInt8]], on lua: LuaState) {
        lua.pushTable(arrayCapacity: Int32(clamping: strings.count))
        for (index, string) in strings.enumerated() {
            lua.push(bytes: string)
            lua.rawSet(table: -2, index: Int64(index + 1))
        }
    }

    /// Why a shebang line was refused, in Redis's words.
    struct ShebangError: Error {
        let message: String
    }

    /// Checks a `#!lua [flags=...]` first line as Redis 7.0 does and blanks it, keeping its
    /// line break so that line numbers stay; a script without a shebang is returned as is.
    static func blankingShebang(of source: [UInt8]) -> Result<[UInt8], ShebangError> {
        guard source.starts(with: Array("#!".utf8)) else { return .success(source) }
        guard let end = source.firstIndex(of: UInt8(ascii: "\n")) else {
            return .failure(ShebangError(message: "Invalid script shebang"))
        }
        let parts = source[..<end].split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            .map { String(decoding: $0, as: UTF8.self) }
        guard let engine = parts.first, engine == "#!lua" else {
            return .failure(ShebangError(message: "Unexpected engine in script shebang: \(parts.first ?? "")"))
        }
        for option in parts.dropFirst() {
            guard option.hasPrefix("flags=") else {
                return .failure(ShebangError(message: "Unknown lua shebang option: \(option)"))
            }
            for flag in option.dropFirst("flags=".count).split(separator: ",", omittingEmptySubsequences: false)
            where !knownFlags.contains(String(flag)) {
                return .failure(ShebangError(message: "Unexpected flag in script shebang: \(flag)"))
            }
        }
        return .success(Array(source[end...]))
    }

    /// The shebang flags of Redis 7.0; the model checks their names and enforces none of them.
    private static let knownFlags: Set<String> = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]
}
