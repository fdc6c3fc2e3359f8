import Testing

@testable import LuaScriptKit

/// The rules `global-write`, `unknown-global` and `lua51-library`, and the scoping they rest on.
@Suite struct GlobalRulesTests {
    @Test(arguments: [
        "count = 1",
        "function helper() end",
        "local a\na, b = 1, 2",
        "string.trimmed = function() end",
        "function redis.helper() end",
        "math[1] = 0",
    ])
    func reportsAssignmentsToGlobalsAndReadOnlyLibraries(code: String) {
        let expectedLine = code.hasPrefix("local a") ? 18 : 17
        #expect(lint(code + "\n") == ["test.lua:\(expectedLine): global-write"])
    }

    @Test func suggestsALocalDeclaration() {
        #expect(lintFindings("function helper() end\n").map(\.message) == ["'function helper' assigns the global 'helper': write 'local function helper'"])
    }

    @Test(arguments: [
        "local count = 1\ncount = 2",
        "local function helper() end\nhelper = nil",
        "local t = {}\nt.x, t[1] = 1, 2\nfunction t.f() end\nfunction t:m() return self end",
        "local a, b\na, b = 1, 2",
    ])
    func acceptsAssignmentsToLocalsAndTheirFields(code: String) {
        #expect(lint(code + "\n").isEmpty)
    }

    @Test func acceptsAssignmentsIntoKEYSAndARGV() {
        #expect(lint("KEYS[1], ARGV[1] = 'copy', 'copy'\n", keys: 1, argv: 1).isEmpty)
    }

    @Test(arguments: ["print('hi')", "local x = undefinedThing", "local g = _G", "setfenv(1, {})", "local n = collectgarbage('count')"])
    func reportsReadsOfGlobalsRedisDoesNotProvide(code: String) {
        #expect(lint(code + "\n") == ["test.lua:17: unknown-global"])
    }

    @Test func acceptsEveryGlobalRedisProvides() {
        let reads = GlobalRules.allowedGlobals.sorted().map { "local _\($0) = \($0)" }
        #expect(lint(reads.joined(separator: "\n") + "\n").filter { !$0.hasSuffix("header-keys") && !$0.hasSuffix("header-argv") }.isEmpty)
    }

    /// Lua's scoping: a block's locals end with the block, `repeat`'s condition sees the body's, a
    /// local is not visible in its own initializer, and `local function` sees itself.
    @Test func resolvesNamesWithLuasScopes() {
        let code = """
            do local inner = 1 end
            local a = inner
            for i = 1, 2 do end
            local b = i
            repeat local done = true until done
            local self = self
            local function loop(n) if n > 0 then return loop(n - 1) end end
            local f = function(x, ...) return x, ... end
            """
        #expect(lint(code + "\n") == ["test.lua:18: unknown-global", "test.lua:20: unknown-global", "test.lua:22: unknown-global"])
    }

    @Test(arguments: [
        ("local u = table.unpack({ 1 })", "use unpack"),
        ("local m = table.move", "copy the elements in a loop"),
        ("local n = utf8.len('x')", "there is no utf8 library; work on the bytes with the string functions"),
        ("local p = string.pack('>I4', 1)", "use struct.pack"),
        ("local p = string.unpack('>I4', 'abcd')", "use struct.unpack"),
        ("local p = string['packsize']('>I4')", "use struct.size"),
        ("local i = math.tointeger(3)", "use math.floor (after tonumber)"),
        ("local t = math.type(3)", "use type(x) == 'number' and math.floor(x) == x"),
        ("local u = math.ult(1, 2)", "compare the numbers directly: Lua 5.1 numbers are doubles"),
        ("local c = coroutine.wrap(type)", "Redis runs a script as one atomic step; write the loop without coroutines"),
        ("local f = io.open", "there is no io library; return data to the caller instead"),
        ("local t = os.time()", "there is no os library; take the time from redis.call('TIME')"),
        ("local ok = pcall(require, 'x')", "a script cannot load modules; keep the whole operation in one script"),
        ("local f = load('return 1')", "a script cannot compile code; keep the whole operation in one script"),
        ("local f = loadstring('return 1')", "a script cannot compile code; keep the whole operation in one script"),
        ("local f = loadfile", "a script cannot read files"),
        ("local f = dofile", "a script cannot read files"),
        ("local p = package.path", "a script cannot load modules"),
        ("local d = debug.traceback", "the debug library is not for scripts"),
    ])
    func reportsLibraryFunctionsLua51Lacks(code: String, advice: String) {
        let findings = lintFindings(code + "\n")
        #expect(findings.map(\.location) == ["test.lua:17: lua51-library"])
        #expect(findings.first?.message.hasSuffix(": " + advice) == true, "\(findings)")
    }

    @Test func acceptsTheLua51Library() {
        let code = """
            local a = unpack({ 1, 2 })
            local s = string.format('%d', 1) .. string.rep('x', 2) .. table.concat({})
            local n = math.floor(1.5) + math.max(1, 2)
            local table = { unpack = unpack }
            local b = table.unpack({ 3 })
            """
        #expect(lint(code + "\n").isEmpty)
    }
}
