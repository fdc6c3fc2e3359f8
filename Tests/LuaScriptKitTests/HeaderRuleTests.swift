import Testing

@testable import LuaScriptKit

/// The rule `header`: the header's grammar.
@Suite struct HeaderRuleTests {
    /// A valid script `renew-lease.lua` using every part of the grammar: shebang flags, continuation
    /// lines, a repeating key item and an argv continuation.
    static let valid = """
        #!lua flags=allow-oom,no-writes
        -- name: renew-lease
        -- version: 3
        -- summary: Extends the leases of one consumer.
        --   Each lease is its own key.
        -- keys:
        --   1. leases: sorted set of event id by deadline
        --   then, for each event:
        --   2+i. owner: hash of the owner token
        -- argv:
        --   1. the consumer
        --      (its broker instance id)
        -- returns:
        --   the deadline

        local leases = KEYS[1]
        for i = 2, #KEYS do redis.call('HGET', KEYS[i], ARGV[1]) end
        return redis.call('ZSCORE', leases, ARGV[1])

        """

    /// The findings for `source` as the file `Scripts/renew-lease.lua`, as `<line>: <rule>: <message>`.
    func findings(_ source: String) -> [String] {
        ScriptLinter.lint(source: Array(source.utf8), path: "Scripts/renew-lease.lua").findings.map {
            "\($0.line): \($0.rule.rawValue): \($0.message)"
        }
    }

    /// ``valid`` with `old` replaced by `new`.
    func valid(replacing old: String, with new: String) -> String {
        precondition(Self.valid.contains(old), "the valid script has no '\(old)'")
        return Self.valid.replacing(old, with: new)
    }

    @Test func acceptsAValidHeader() {
        #expect(findings(Self.valid).isEmpty)
    }

    @Test func acceptsAHeaderWithoutShebangAndWithWindowsLineEndings() {
        let source = Self.valid.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\r\n")
        #expect(findings(source).isEmpty)
    }

    @Test(arguments: [
        ("#!lua flags=allow-oom,no-writes", "#!/usr/bin/env lua", "1: header: the first line must be '#!lua' or '#!lua flags=<flag>,...', found '#!/usr/bin/env lua'"),
        ("#!lua flags=allow-oom,no-writes", "#!lua flags=allow-oom,,no-writes", "1: header: unknown script flag '' in the shebang"),
        ("-- name: renew-lease", "-- name: Renew", "2: header: the name 'Renew' must match [a-z][a-z0-9-]*"),
        ("-- name: renew-lease", "-- name: renew", "2: header: the name 'renew' must equal the file name without '.lua', 'renew-lease'"),
        ("-- name: renew-lease", "-- name: renew-lease\n--   and more", "3: header: '-- name:' takes one line"),
        ("-- version: 3", "-- version: 03", "3: header: the version must be a positive integer without leading zeros, found '03'"),
        ("-- version: 3", "-- version: 3\n-- version: 4", "4: header: duplicate '-- version:' line; the first is on line 3"),
        ("-- summary: Extends the leases of one consumer.", "-- summary:", "4: header: the summary is empty"),
        ("-- summary: Extends the leases of one consumer.\n--   Each lease is its own key.\n", "", "2: header: the header has no '-- summary: <text>'"),
        ("--   Each lease is its own key.", "-- Each lease is its own key.", "5: header: malformed header line"),
        ("--   Each lease is its own key.", "--", "5: header: malformed header line"),
        ("--   Each lease is its own key.", "--  Each lease is its own key.", "5: header: malformed header line"),
        ("-- version: 3", "-- version: 3\n-- author: someone", "4: header: unknown header field 'author'"),
        ("-- keys:\n", "-- keys: leases\n", "6: header: write the keys on the lines after '-- keys:'"),
        ("--   1. leases: sorted set of event id by deadline", "--   1. leases sorted set", "7: header: keys items are '--   <index>. <name>: <description>'"),
        ("--   1. leases: sorted set of event id by deadline", "--   none\n--   1. leases: a set", "7: header: 'none' means the script uses no keys, yet the section lists items"),
        ("--   2+i. owner: hash of the owner token", "--   2+j. owner: hash", "9: header: malformed index '2+j'"),
        ("--   2+i. owner: hash of the owner token", "--   3+i. owner: hash", "9: header: this repeating keys item should start at 2, not 3"),
        ("--   2+i. owner: hash of the owner token", "--   2+2i. owner: hash", "9: header: the 1 repeating keys items must each step by 1"),
        ("--   2+i. owner: hash of the owner token", "--   2+i. owner: hash\n--   3. extra: one more", "10: header: the fixed keys item 3 follows repeating items"),
        ("--   1. the consumer", "--   2. the consumer", "11: header: this argv item should be number 1, not 2"),
        ("--   1. the consumer", "--   1.", "11: header: argv items are '--   <index>. <description>'"),
        ("-- argv:\n--   1. the consumer\n--      (its broker instance id)", "-- argv:\n--   (nothing)", "10: header: the argv section lists no items: write '--   none'"),
        ("-- returns:\n--   the deadline", "-- returns:", "13: header: '-- returns:' says nothing"),
    ])
    func reportsMalformedHeaders(old: String, new: String, expected: String) {
        let found = findings(valid(replacing: old, with: new))
        #expect(found.count == 1 && found[0].hasPrefix(expected), "\(found)")
    }

    @Test func reportsAMissingHeader() {
        #expect(findings("return 1\n").map { String($0.prefix(38)) } == ["1: header: the script has no header: s"])
        #expect(findings("#!lua\n\n-- name: renew-lease\nreturn 1\n").map { String($0.prefix(38)) } == ["2: header: the script has no header: s"])
    }

    @Test func reportsAnIndentedLineBeforeAnyField() {
        let found = findings(valid(replacing: "-- name: renew-lease", with: "--   a stray line\n-- name: renew-lease"))
        #expect(found == ["2: header: an indented header line must follow a '-- <field>:' line"])
    }

    @Test func reportsEveryMissingFieldAtTheStartOfTheBlock() {
        let found = findings("#!lua\n-- name: renew-lease\n-- version: 1\n\nreturn 1\n")
        #expect(found.map { String($0.prefix(29)) } == Array(repeating: "2: header: the header has no ", count: 4))
    }
}

/// The rules `header-keys` and `header-argv`: the header's items match the code's use of `KEYS` and `ARGV`.
@Suite struct HeaderUsageRuleTests {
    @Test func acceptsExactlyTheLiteralIndexesTheCodeUses() {
        #expect(lint("local a, b = KEYS[2], ARGV[1]\nreturn KEYS[1] .. ARGV[2]\n", keys: 2, argv: 2).isEmpty)
        #expect(lint("return 1\n").isEmpty)
    }

    @Test func reportsALiteralIndexBeyondTheHeader() {
        let findings = lintFindings("local a = KEYS[1]\nlocal b = KEYS[3]\nlocal c = ARGV[2]\n", keys: 2, argv: 1)
        #expect(findings.map(\.description) == [
            "test.lua:18: header-keys: the code uses KEYS[3], but the header's keys list only 2 items",
            "test.lua:19: header-argv: the code uses ARGV[2], but the header's argv list only 1 item",
        ])
    }

    @Test func reportsAUseOfATableTheHeaderSaysNoneOf() {
        #expect(lint("return KEYS[1]\n") == ["test.lua:17: header-keys"])
        #expect(lintFindings("return ARGV[1]\n").map(\.message) == ["the code uses ARGV[1], but the header's argv says none"])
    }

    @Test func reportsHeaderItemsTheCodeNeverUses() {
        // The test header's key items are on lines 5 to 8, its argv items on lines 10 to 13.
        let findings = lintFindings("return KEYS[1] .. KEYS[2]\n", keys: 3, argv: 2)
        #expect(findings.map(\.description) == [
            "test.lua:7: header-keys: the header declares keys item 3, but the code uses no KEYS index above 2",
            "test.lua:10: header-argv: the header declares argv item 1, but the code never uses ARGV",
        ])
    }

    @Test(arguments: [
        ("for i = 1, 3 do redis.call('DEL', KEYS[i]) end", "indexes KEYS with a computed expression"),
        ("return #KEYS", "takes #KEYS"),
        ("return unpack(KEYS)", "uses KEYS as a whole"),
    ])
    func reportsComputedUsesWithoutRepeatingItems(code: String, how: String) {
        let findings = lintFindings(code + "\n", keys: 1)
        #expect(findings.map(\.description) == ["test.lua:17: header-keys: the code \(how), so the header's keys must declare repeating items, such as '2+i.'"])
    }

    @Test func reportsRepeatingItemsForLiteralOnlyCode() {
        let source = HeaderRuleTests.valid.replacing("for i = 2, #KEYS do redis.call('HGET', KEYS[i], ARGV[1]) end", with: "")
        let findings = ScriptLinter.lint(source: Array(source.utf8), path: "renew-lease.lua").findings
        #expect(findings.map(\.description) == [
            "renew-lease.lua:9: header-keys: the header declares the repeating keys item 2+i, but the code indexes KEYS only with integer literals"
        ])
    }
}
