import Testing

@testable import LuaScriptKit

/// Scripts run as Redis 7.0 runs them. Expected replies are what redis-server 7.0.15 answers
/// (with the script's name where Redis prints its SHA1); `ModelFidelityTests` compares the two on
/// every run.
@Suite struct RedisScriptSandboxTests {
    private let model = RedisModel()

    private func run(_ source: String, keys: [String] = [], argv: [String] = []) throws(ScriptTestFailure) -> RedisValue {
        try RedisScriptSandbox.run(
            ScriptUnderTest(name: "probe", source: Array(source.utf8)), keys: keys.map { Array($0.utf8) },
            arguments: argv.map { Array($0.utf8) }, against: model)
    }

    private func failure(_ source: String, keys: [String] = []) -> String? {
        do throws(ScriptTestFailure) {
            _ = try run(source, keys: keys)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func returnValuesBecomeRepliesAsInRedis() throws {
        #expect(try run("return {1, 2.7, -2.7, 'a', true, false, nil, 5}") == .array([
            .integer(1), .integer(2), .integer(-2), .bulk("a"), .integer(1), .null,
        ]))
        #expect(try run("return 3.99") == .integer(3))
        #expect(try run("return 1e20") == .integer(.min), "out of range: x86's integer indefinite, as Redis")
        #expect(try run("return 0/0") == .integer(.min))
        #expect(try run("return nil") == .null)
        #expect(try run("return") == .null)
        #expect(try run("return 'x', 'y'") == .bulk("x"))
        #expect(try run("return {a = 1}") == .array([]))
        #expect(try run("return {ok = 'a\\r\\nb'}") == .status("a  b"))
        #expect(try run("return {err = 'E x', ok = 'y'}") == .error("E x"))
        #expect(try run("return {1, {err = 'x y'}, {ok = 's'}}") == .array([.integer(1), .error("x y"), .status("s")]))
        #expect(try run("return {err = 5}") == .array([]))
    }

    @Test func repliesBecomeLuaValuesAsInRedis() throws {
        _ = try model.execute(["RPUSH", "list", "a", "b"].map { Array($0.utf8) })
        let source = """
            local missing = redis.call('GET', KEYS[2])
            local status = redis.call('TYPE', KEYS[1])
            local count = redis.call('LLEN', KEYS[1])
            return {type(missing), tostring(missing), status.ok, type(count), count, redis.call('LRANGE', KEYS[1], 0, -1)}
            """
        #expect(try run(source, keys: ["list", "missing"]) == .array([
            .bulk("boolean"), .bulk("false"), .bulk("list"), .bulk("number"), .integer(2), .array([.bulk("a"), .bulk("b")]),
        ]))
    }

    @Test func numbersAsArgumentsArePrintedLikeRedisPrintsThem() throws {
        for (number, stored) in [("0.1", "0.10000000000000001"), ("1e20", "1e+20"), ("123456789012", "123456789012"),
            ("-0.0", "-0"), ("1/0", "inf"), ("2^53 + 2", "9007199254740994")]
        {
            #expect(try run("redis.call('SET', KEYS[1], \(number)) return redis.call('GET', KEYS[1])", keys: ["k"]) == .bulk(stored))
        }
    }

    @Test func errorRepliesAndStatusReplies() throws {
        #expect(try run("return redis.error_reply('BROKER_X hello')") == .error("BROKER_X hello"))
        #expect(try run("return redis.error_reply('oops')") == .error("ERR oops"))
        #expect(try run("return redis.error_reply('-CODE foo')") == .error("CODE foo"))
        #expect(try run("return redis.error_reply(5)") == .error("ERR wrong number or type of arguments"))
        #expect(try run("return redis.status_reply('FINE')") == .status("FINE"))
        #expect(try run("return redis.status_reply()") == .error("ERR wrong number or type of arguments"))
    }

    @Test func redisCallRaisesAndPcallReturnsTheError() throws {
        _ = try model.execute(["SET", "k", "abc"].map { Array($0.utf8) })
        let notAnInteger = "ERR value is not an integer or out of range"
        #expect(try run("\n\nreturn redis.call('INCR', KEYS[1])", keys: ["k"]) == .error(notAnInteger + " script: probe, on @user_script:3."))
        #expect(try run("local x = redis.call('INCR', KEYS[1])\nreturn x", keys: ["k"]) == .error(notAnInteger + " script: probe, on @user_script:1."))
        #expect(try run("return redis.pcall('INCR', KEYS[1])", keys: ["k"]) == .error(notAnInteger))
        #expect(try run("local ok, e = pcall(redis.call, 'INCR', KEYS[1]) return {tostring(ok), e}", keys: ["k"])
            == .array([.bulk("false"), .bulk(notAnInteger)]), "Redis's pcall hands back the message")
        #expect(try run("return redis.pcall('GET')") == .error("ERR Wrong number of args calling Redis command from script"))
        #expect(try run("return redis.pcall()") == .error("ERR Please specify at least one argument for this redis lib call"))
        #expect(try run("return redis.pcall('SET', KEYS[1], {})", keys: ["k"]) == .error("ERR Lua redis lib command arguments must be strings or integers"))
        #expect(try run("error('boom')") == .error("ERR user_script:1: boom script: probe, on @user_script:1."))
        #expect(try run("error({err = 'MY bad'})") == .error("MY bad script: probe, on @user_script:1."))
    }

    @Test func globalsAreReadOnlyAndMissingOnesRaise() throws {
        #expect(try run("x = 1") == .error("ERR user_script:1: Attempt to modify a readonly table script: probe, on @user_script:1."))
        #expect(try run("local function f() z = 1 end f()") == .error(
            "ERR user_script:1: Attempt to modify a readonly table script: probe, on @user_script:1."))
        #expect(try run("string.foo = 1") == .error("ERR user_script:1: Attempt to modify a readonly table script: probe, on @user_script:1."))
        #expect(try run("rawset(_G, 'x', 1)") == .error("ERR Attempt to modify a readonly table script: probe, on @user_script:1."))
        #expect(try run("return y") == .error(
            "ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: probe, on @user_script:1."))
        #expect(try run("KEYS[1] = 'x' return KEYS[1]") == .bulk("x"), "KEYS and ARGV are ordinary tables")
        #expect(try run("local t = {} t.x = 1 return t.x") == .integer(1))
    }

    @Test func onlyTheLua51NamesRedisOffersExist() throws {
        #expect(try run("return {type(unpack), type(table.unpack), type(math.tointeger), type(string.pack), type(cjson), type(bit)}")
            == .array(["function", "nil", "nil", "nil", "table", "table"].map { .bulk($0) }))
        for name in ["print", "os", "io", "require", "utf8", "setfenv", "debug"] {
            #expect(try run("return type(\(name))") == .error(
                "ERR user_script:1: Script attempted to access nonexistent global variable '\(name)' script: probe, on @user_script:1."))
        }
    }

    @Test func theShebangIsCheckedAndLineNumbersStay() throws {
        #expect(try run("#!lua\n\nreturn nil .. 1") == .error(
            "ERR user_script:3: attempt to concatenate a nil value script: probe, on @user_script:3."))
        #expect(try run("#!lua flags=allow-oom,no-cluster\nreturn 1") == .integer(1))
        #expect(try run("#!lua flags=foo\nreturn 1") == .error("ERR Unexpected flag in script shebang: foo"))
        #expect(try run("#!lua name=x\nreturn 1") == .error("ERR Unknown lua shebang option: name=x"))
        #expect(try run("#!luax\nreturn 1") == .error("ERR Unexpected engine in script shebang: #!luax"))
        #expect(try run("#!lua") == .error("ERR Invalid script shebang"))
        #expect(try run("return (") == .error("ERR Error compiling script (new function): user_script:1: unexpected symbol near <eof>"))
    }

    @Test func aKeyNotInKeysFailsTheTestWithTheScriptLine() {
        #expect(failure("redis.call('SET', KEYS[1], 'x')\nreturn redis.call('GET', 'undeclared')", keys: ["k"])
            == "probe.lua:2: redis.call('GET') uses the key \"undeclared\", which is not in KEYS; every key a script touches must arrive in KEYS")
        #expect(failure("local ok = pcall(redis.call, 'DEL', KEYS[1], 'other')", keys: ["k"])
            == "probe.lua:1: redis.call('DEL') uses the key \"other\", which is not in KEYS; every key a script touches must arrive in KEYS",
            "a script's pcall cannot hide it")
        #expect(failure("return redis.call('HGET', KEYS[1], 'not a key')", keys: ["k"]) == nil, "only key positions count")
    }

    @Test func aCommandTheModelLacksFailsTheTest() {
        #expect(failure("return redis.call('EXPIRE', KEYS[1], 10)", keys: ["k"])
            == "probe.lua:1: redis.call('EXPIRE'): the Redis model does not implement this command")
        #expect(failure("return redis.call('KEYS', '*')")
            == "probe.lua:1: redis.call('KEYS'): RedisCommandKeys does not say which arguments of KEYS are keys")
        #expect(failure("return redis.call('SET', KEYS[1], 'v', 'PXAT', 5)", keys: ["k"])
            == "probe.lua:1: redis.call('SET'): the Redis model does not support SET's EXAT and PXAT options")
    }

    @Test func cjsonEncodesAndDecodesLikeLuaCJSON() throws {
        #expect(try run("return cjson.encode(string.char(127, 1, 8, 47, 34, 92, 200))") == .bulk(
            [UInt8]("\"\\u007f\\u0001\\b\\/\\\"\\\\".utf8) + [200, UInt8(ascii: "\"")]))
        #expect(try run("return cjson.encode({1, 2, nil, 4})") == .bulk("[1,2,null,4]"))
        #expect(try run("return cjson.encode({})") == .bulk("{}"))
        #expect(try run("return cjson.encode({a = 1, [2] = 3})") == .bulk("{\"2\":3,\"a\":1}"))
        #expect(try run("return cjson.encode({1.5, 1e20, 0.1, 2^53, true, cjson.null})") == .bulk(
            "[1.5,1e+20,0.1,9.007199254741e+15,true,null]"))
        #expect(try run("return cjson.encode({[1] = 1, [20] = 2})") == .error(
            "ERR user_script:1: Cannot serialise table: excessively sparse array script: probe, on @user_script:1."))
        #expect(try run("return cjson.encode(function() end)") == .error(
            "ERR user_script:1: Cannot serialise function: type not supported script: probe, on @user_script:1."))
        #expect(try run("return cjson.decode('{\"a\":[1,{\"b\":\"x\\\\u00e9\\\\ud83d\\\\ude00\"}]}').a[2].b") == .bulk("xé😀"))
        #expect(try run("return {tostring(cjson.decode('3.0')), tostring(cjson.decode('1e2')), cjson.decode('[0x10]')[1]}")
            == .array([.bulk("3"), .bulk("100"), .integer(16)]))
        #expect(try run("return type(cjson.decode('null'))") == .bulk("userdata"))
        for (text, message) in [
            ("[1", "Expected comma or array end but found T_END at character 3"),
            ("", "Expected value but found T_END at character 1"),
            ("[1,]", "Expected value but found T_ARR_END at character 4"),
            ("tru", "Expected value but found invalid token at character 1"),
            ("{\"a\":1} x", "Expected the end but found invalid token at character 9"),
        ] {
            #expect(try run("return cjson.decode(ARGV[1])", argv: [text]) == .error(
                "ERR user_script:1: \(message) script: probe, on @user_script:1."))
        }
    }

    @Test func bitOperatesOnSigned32BitNumbers() throws {
        let source = """
            return {bit.tohex(-1), bit.tohex(255, -4), bit.tobit(2^32 + 5), bit.band(0xff, 0x0f, 0x3), bit.bnot(0),
              bit.lshift(1, 33), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(0x80000000, 1), bit.ror(1, 1),
              bit.bswap(0x12345678), bit.tobit(2.5), bit.tobit(3.5), bit.tobit(-2.5), bit.tohex(0x1234, 2), bit.band('3', 1)}
            """
        #expect(try run(source) == .array([
            .bulk("ffffffff"), .bulk("00FF"), .integer(5), .integer(3), .integer(-1), .integer(2), .integer(15),
            .integer(-16), .integer(1), .integer(-2_147_483_648), .integer(2_018_915_346), .integer(2), .integer(4),
            .integer(-2), .bulk("34"), .integer(1),
        ]))
        #expect(try run("return bit.bor()") == .error(
            "ERR user_script:1: bad argument #1 to 'bor' (number expected, got no value) script: probe, on @user_script:1."))
    }
}
