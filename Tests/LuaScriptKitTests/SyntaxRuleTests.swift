import Testing

@testable import LuaScriptKit

/// The rules `syntax` (Lua 5.4 compiles the script) and `lua51-syntax` (nothing Lua 5.1 rejects or reads differently).
@Suite struct SyntaxRuleTests {
    @Test func reportsWhatLua54CannotCompileWithItsLineAndMessage() {
        #expect(lintFindings("local a = 1\nlocal = 2\n").map(\.description) == ["test.lua:18: syntax: <name> expected near '='"])
    }

    @Test func reportsAnUnclosedBlockAtTheEnd() {
        #expect(lint("if ARGV then\n  return 1\n") == ["test.lua:19: syntax"])
    }

    @Test func blanksTheShebangLineAndKeepsLineNumbers() {
        let source = "#!lua flags=no-writes\n" + testHeader(keys: 0, argv: 0) + "return +\n"
        let findings = ScriptLinter.lint(source: Array(source.utf8), path: "test.lua").findings
        #expect(findings.map(\.location) == ["test.lua:18: syntax"])
    }

    @Test func acceptsValidCode() {
        #expect(lint("local t = { 1, 2; x = 3, ['y'] = 4 }\nreturn #t + t.x * 2 ^ 2 .. 'a'\n").isEmpty)
    }

    /// Each Lua 5.2+ construct, on the second line of the code (`goto` comes with its label).
    @Test(arguments: [
        "local a = 7 // 2",
        "local a = 6 & 3",
        "local a = 6 | 3",
        "local a = 6 ~ 3",
        "local a = ~6",
        "local a = 1 << 4",
        "local a = 16 >> 4",
        "for i = 1, 2 do goto done; ::done:: end",
        "::done::",
        "local a <const> = 1",
        "local a <close> = nil",
        "local a = 9007199254740993",
        "local a = 0x20000000000001",
        "local a = 0x1p4",
        "local a = 0xA.8",
        "local a = '\\u{48}'",
        "local a = '\\x41'",
        "local a = 'a\\z   b'",
        "local a = 1;;",
        "for i = 1, 2 do break; local b = i end",
        "local a = [[ [[ ]]",
        "--[[ a [[ nested ]]",
    ])
    func reportsLua52Syntax(line: String) {
        let found = lint("local first = 1\n" + line + "\n")
        #expect(!found.isEmpty && found.allSatisfy { $0 == "test.lua:18: lua51-syntax" }, "\(found)")
    }

    @Test func reportsACallWhoseParenthesisStartsANewLine() {
        #expect(lint("local f = type\nlocal a = f\n('x')\n") == ["test.lua:19: lua51-syntax"])
    }

    @Test func explainsWhatToUseInstead() {
        let messages = lintFindings("local a = 6 & 3\n").map(\.message)
        #expect(messages == ["the operator & needs Lua 5.3+: use bit.band"])
    }

    /// What looks like Lua 5.2+ syntax but is Lua 5.1.
    @Test(arguments: [
        "local a = 1 ~= 2",
        "local a = 9007199254740992",
        "local a = 0x20000000000000",
        "local a = 1e300 + .5 + 3. + 0x1F",
        "local a = [=[ [[ ]=]",
        "local a = '\\65\\066\\n\\\\'",
        "local a = 1; local b = 2;",
        "for i = 1, 2 do if i then break end end",
        "while true do break end",
        "local t = {}\nt\n:insert(1)",
        "local s = ('x'):rep(2)",
        "local goto = 1",
    ])
    func acceptsLua51Syntax(code: String) {
        #expect(lint(code + "\n").filter { $0.hasSuffix("lua51-syntax") }.isEmpty)
    }
}

/// The linter's own parser accepts what Lua 5.4 accepts and rejects what it rejects, so the code
/// rules see every script that compiles.
@Suite struct LuaParserTests {
    /// Whether Lua 5.4 compiles `code`.
    func compiles(_ code: String) -> Bool {
        (try? LuaState().load(Array(code.utf8), chunkName: "=test")) != nil
    }

    @Test(arguments: [
        "return",
        "return 1, 2;",
        "local a, b, c = 1, ...",
        "local function f(a, b, ...) return select('#', ...) end",
        "local t = {} function t.a() end function t:b(x) return self, x end",
        "local t = { f = function() end, [1] = 2, 3; 4, }",
        "local a = not not nil and (1 or 2) or -3 ^ -2",
        "local s = 'a' .. 'b' .. 1 .. 2",
        "local x = ({ 1 })[1]",
        "local f = print f 'x' f [[y]] f { 1 }",
        "local t = { a = { b = { c = 1 } } } t.a.b.c = t['a'].b['c'] + #t",
        "repeat local x = 1 until x == 1",
        "for k, v in pairs({}) do end for i = 10, 1, -1 do end",
        "if a then elseif b then else end",
        "while false do end do end",
        "local a = {} a[1], a[2] = 1, 2",
        "local f = function(...) local a, b = ... return a end",
        "--[==[ long\ncomment ]==] return 1 -- trailing",
        "local s = [[\nfirst line break skipped]]",
        "local s = \"tab\\tquote\\\"\\\nnew line\"",
        "local n = 3 % 2 - 1 * 4 / 2 + 0xff - 1e-3",
        "a = 1 < 2 == (3 >= 4) ~= (5 <= 6)",
        "local x = f(g(h(1)))[2]:m().n",
        "local a = 7 // 2 | 1 & 3 ~ 4 << 1 >> 1",
        "local a <const> = 1 goto x ::x::",
    ])
    func acceptsWhatLua54Compiles(code: String) {
        #expect(compiles(code), "Lua 5.4 should compile: \(code)")
        #expect(LuaParser.parse(Array(code.utf8)).error == nil, "\(code)")
    }

    @Test(arguments: [
        "local = 1",
        "x",
        "f() = 1",
        "return return",
        "local a = (1",
        "local t = { 1 2 }",
        "if a then",
        "for i do end",
        "function f( end",
        "local s = 'unfinished",
        "local s = [[ unfinished",
        "local n = 3x",
        "local n = 0x",
        "local s = '\\q'",
        "local s = '\\300'",
        "x = @",
        "local a = 1 +",
        "return 1 2",
    ])
    func rejectsWhatLua54Rejects(code: String) {
        #expect(!compiles(code), "Lua 5.4 should reject: \(code)")
        #expect(LuaParser.parse(Array(code.utf8)).error != nil, "\(code)")
    }

    @Test func refusesNestingDeeperThanLuaAllows() {
        let code = "return " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
        #expect(!compiles(code))
        #expect(LuaParser.parse(Array(code.utf8)).error?.message == "chunk has too many syntax levels")
    }

    @Test func decodesStringEscapesAsLuaDoes() throws {
        let result = LuaParser.parse(Array("return '\\65\\x42\\u{20AC}\\z   \\n', [==[\nx]]y]==]".utf8))
        let chunk = try #require(result.chunk)
        guard case .returnValues(let values) = chunk.statements.first?.kind else {
            Issue.record("expected a return statement")
            return
        }
        #expect(values.map(\.stringValue) == ["AB€\n", "x]]y"])
    }

    @Test func countsLinesAcrossEveryKindOfLineBreak() {
        let result = LuaParser.parse(Array("local a = 1\r\nlocal b = [[\n\r\n]]\n\rlocal c = 1 // 2".utf8))
        #expect(result.lua51Issues.map(\.line) == [5])
    }
}
