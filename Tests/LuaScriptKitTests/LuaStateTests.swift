import Testing

@testable import LuaScriptKit

@Suite struct LuaStateTests {
    @Test func runsCodeAndReturnsValues() throws {
        let lua = LuaState()
        try lua.load(Array("return 1 + 2, 'a' .. 'b', 7 / 2, {}".utf8), chunkName: "=test")
        try lua.call(arguments: 0, results: 4)
        #expect(lua.integer(at: 1) == 3)
        #expect(lua.string(at: 2) == "ab")
        #expect(lua.number(at: 3) == 3.5)
        #expect(lua.type(at: 4) == .table)
    }

    @Test func swiftFunctionsReturnResultsAndRaiseErrorsAtTheirCaller() throws {
        let lua = LuaState()
        lua.setGlobalFunction("twice") { lua in
            guard let value = lua.integer(at: 1) else { return .error("twice needs an integer") }
            lua.push(value * 2)
            return .results(1)
        }
        try lua.load(Array("return twice(21)".utf8), chunkName: "=test")
        try lua.call(arguments: 0, results: 1)
        #expect(lua.integer(at: -1) == 42)
        lua.pop(1)

        try lua.load(Array("local ok, message = pcall(twice, 'x')\nreturn message".utf8), chunkName: "=caught")
        try lua.call(arguments: 0, results: 1)
        #expect(lua.string(at: -1) == "twice needs an integer")
        lua.pop(1)

        try lua.load(Array("\n\ntwice('x')".utf8), chunkName: "=script")
        do {
            try lua.call(arguments: 0, results: 0)
            Issue.record("the error did not reach the caller")
        } catch {
            #expect("\(error)".hasPrefix("script:3: twice needs an integer"))
        }
        #expect(lua.top == 0)
    }

    @Test func syntaxErrorsNameTheLine() {
        let lua = LuaState()
        #expect(throws: LuaError.syntax("pick.lua:2: unexpected symbol near '+'")) {
            try lua.load(Array("local a = 1\nlocal b = + +".utf8), chunkName: "@pick.lua")
        }
    }

    @Test func onlyTheRedisLibrariesAreOpen() throws {
        let lua = LuaState()
        try lua.load(Array("return type(io), type(os), type(string), type(table), type(math), type(require)".utf8), chunkName: "=libs")
        try lua.call(arguments: 0, results: 6)
        #expect((1...6).map { lua.string(at: $0) } == ["nil", "nil", "table", "table", "table", "nil"])
    }
}
