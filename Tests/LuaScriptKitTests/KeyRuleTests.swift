import Testing

@testable import LuaScriptKit

/// The rules `undeclared-key`, `unknown-command` and `dynamic-command`.
@Suite struct KeyRuleTests {
    @Test(arguments: [
        "redis.call('GET', KEYS[1])",
        "redis.pcall('set', KEYS[2], ARGV[1])",
        "local k = KEYS[1]\nredis.call('DEL', k)",
        "local a, b = KEYS[1], KEYS[2]\nredis.call('RPOPLPUSH', a, b)",
        "local a\nif ARGV[1] then a = KEYS[1] else a = KEYS[2] end\nredis.call('INCR', a)",
        "local a = KEYS[1]\nlocal b = a\nlocal c = (b)\nredis.call('LLEN', c)",
        "local a, b = KEYS[1], KEYS[2]\na, b = b, a\nredis.call('SMOVE', a, b, ARGV[1])",
        "for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end",
        "redis.call('MSET', KEYS[1], ARGV[1], KEYS[2], ARGV[2])",
        "redis.call('PUBLISH', ARGV[1], ARGV[2])",
        "local t = redis.call('TIME')",
        "redis.call([[ZADD]], KEYS[1], 1, ARGV[1])",
        "local redis = { call = function() end }\nredis.call('GET', ARGV[1])",
    ])
    func acceptsKeysTakenFromKEYS(code: String) {
        let found = lint(code + "\n", keys: 2, argv: 2).filter { !$0.hasSuffix("header-keys") && !$0.hasSuffix("header-argv") }
        #expect(found.isEmpty, "\(found)")
    }

    @Test(arguments: [
        ("redis.call('GET', ARGV[1])", "an ARGV value"),
        ("redis.call('GET', KEYS[1] .. ':owner')", "a concatenation"),
        ("redis.call('GET', 'broker:leases')", "a string literal"),
        ("redis.call('GET', tostring(KEYS[1]))", "a function result"),
        ("redis.call('GET', KEYS[1] or KEYS[2])", "the result of 'or'"),
        ("local t = { KEYS[1] }\nredis.call('GET', t[1])", "a table field"),
        ("redis.call('DEL', unpack(KEYS))", "a function result"),
        ("redis.call('MSET', KEYS[1], ARGV[1], ARGV[2], ARGV[1])", "an ARGV value"),
        ("redis.call('RPOPLPUSH', KEYS[1], ARGV[1])", "an ARGV value"),
    ])
    func reportsKeysNotTakenFromKEYS(code: String, origin: String) {
        let findings = lintFindings(code + "\n", keys: 2, argv: 2).filter { $0.rule == .undeclaredKey }
        #expect(findings.map(\.location) == ["test.lua:\(codeLine + code.filter { $0 == "\n" }.count): undeclared-key"])
        #expect(findings.first?.message.contains("but it is \(origin): every key must come from KEYS") == true, "\(findings)")
    }

    @Test func explainsWhichAssignmentSpoilsALocal() {
        let code = """
            local key = KEYS[1]
            if ARGV[1] == 'x' then
              key = 'other:' .. ARGV[1]
            end
            redis.call('GET', key)
            """
        let findings = lintFindings(code + "\n", keys: 1, argv: 1)
        #expect(findings.map(\.description) == [
            "test.lua:21: undeclared-key: argument 1 of GET is a key, but it is the local 'key', which gets a concatenation on line 19: every key must come from KEYS"
        ])
    }

    @Test(arguments: [
        ("local function touch(key) redis.call('GET', key) end", "an argument of its function"),
        ("for _, key in ipairs(KEYS) do redis.call('DEL', key) end", "a value from the iterator of a generic for"),
        ("for i = 1, 2 do redis.call('DEL', i) end", "a numeric for counter"),
    ])
    func reportsParametersAndLoopVariables(code: String, origin: String) {
        let findings = lintFindings(code + "\n", keys: 2).filter { $0.rule == .undeclaredKey }
        #expect(findings.map(\.location) == ["test.lua:17: undeclared-key"])
        #expect(findings.first?.message.contains("which gets \(origin) on line 17") == true, "\(findings)")
    }

    @Test func reportsALocalThatIsNeverAssigned() {
        let findings = lintFindings("local key\nredis.call('GET', key)\n")
        #expect(findings.map(\.location) == ["test.lua:18: undeclared-key"])
        #expect(findings.first?.message.contains("the local 'key', which is never assigned a value") == true)
    }

    @Test func reportsALocalThatHidesKEYS() {
        #expect(lint("local KEYS = { 'a' }\nredis.call('GET', KEYS[1])\n") == ["test.lua:18: undeclared-key"])
    }

    @Test func reportsCommandsTheKeyTableDoesNotKnow() {
        let findings = lintFindings("redis.call('EVALSHA', ARGV[1], 0)\n", argv: 1)
        #expect(findings.map(\.location) == ["test.lua:17: unknown-command"])
        #expect(findings.first?.message.hasPrefix("RedisCommandKeys does not know the command 'EVALSHA'") == true)
    }

    @Test(arguments: [
        "local command = 'GET'\nredis.call(command, KEYS[1])",
        "redis.call(ARGV[1], KEYS[1])",
        "redis.pcall('G' .. 'ET', KEYS[1])",
        "redis.call()",
        "local call = redis.call",
        "pcall(redis.call, 'GET', KEYS[1])",
        "local f = redis['pcall']",
    ])
    func reportsCommandsItCannotCheck(code: String) {
        let line = codeLine + code.filter { $0 == "\n" }.count
        let findings = lintFindings(code + "\n", keys: 1, argv: 1).filter { $0.rule != .headerKeys && $0.rule != .headerArgv }
        #expect(findings.map(\.location) == ["test.lua:\(line): dynamic-command"])
    }
}
