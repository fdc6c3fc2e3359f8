import Testing
@testable import ScriptEmbedder

@Suite struct ScriptHeaderTests {
    /// The diagnostics `ScriptHeader.parse` reports for `source` read from `path`, as `line: message`; empty if it parses.
    func errors(in source: String, path: String = "Scripts/renew-lease.lua") -> [String] {
        do {
            _ = try ScriptHeader.parse(source, path: path)
            return []
        } catch {
            #expect(error.diagnostics.allSatisfy { $0.path == path })
            return error.diagnostics.map { "\($0.line): \($0.message)" }
        }
    }

    @Test func readsNameVersionAndTheNameLine() throws {
        let source = """
            #!lua flags=no-writes,allow-stale
            -- name: renew-lease
            -- summary: Extends a lease: the key: value form of this line is ignored.
            --   continuation lines without a colon are ignored too
            -- version:   7\t
            -- keys: 1 = {broker}:leases
            local x = 1
            """
        let header = try ScriptHeader.parse(source, path: "/repo/Scripts/renew-lease.lua")
        #expect(header == ScriptHeader(name: "renew-lease", version: 7, nameLine: 2))
    }

    @Test func acceptsAPlainShebangAndNoShebang() throws {
        #expect(try ScriptHeader.parse("#!lua\n-- name: ack\n-- version: 1\n", path: "ack.lua").nameLine == 2)
        #expect(try ScriptHeader.parse("-- version: 3\n-- name: ack\nreturn 1", path: "ack.lua").version == 3)
    }

    @Test func acceptsWindowsLineEndings() throws {
        let header = try ScriptHeader.parse("-- name: ack\r\n-- version: 2\r\nreturn 1\r\n", path: "ack.lua")
        #expect(header == ScriptHeader(name: "ack", version: 2, nameLine: 1))
    }

    @Test func reportsAMissingName() {
        #expect(errors(in: "-- version: 1\nreturn 1\n") == ["1: the header has no '-- name: <name>' line"])
    }

    @Test func reportsAMissingVersion() {
        #expect(errors(in: "-- name: renew-lease\nreturn 1\n") == ["1: the header has no '-- version: <positive integer>' line"])
    }

    @Test func readsOnlyTheLeadingCommentBlock() {
        let source = "-- name: renew-lease\n\n-- version: 1\n"
        #expect(errors(in: source) == ["1: the header has no '-- version: <positive integer>' line"])
        #expect(errors(in: "\n-- name: renew-lease\n-- version: 1\n").count == 2)
    }

    @Test(arguments: ["abc", "0", "-1", "+1", "01", "1.5", "1 2", "", "99999999999999999999"])
    func reportsAVersionThatIsNotAPositiveInteger(version: String) {
        let source = "#!lua\n-- name: renew-lease\n-- version: \(version)\n"
        let message = "the version must be a positive integer without leading zeros, found '\(version)'"
        #expect(errors(in: source) == ["3: \(message)"])
    }

    @Test func reportsANameThatIsNotTheFileName() {
        let source = "-- version: 1\n-- summary: renews\n-- name: renew-leases\n"
        #expect(errors(in: source) == ["3: the name 'renew-leases' must equal the file name without '.lua', 'renew-lease'"])
    }

    @Test(arguments: ["Renew", "renew_lease", "9lives", "-lease", "lease.v2", "lease lease", "lease✓"])
    func reportsANameWithBadCharacters(name: String) {
        let source = "-- name: \(name)\n-- version: 1\n"
        #expect(errors(in: source, path: "Scripts/\(name).lua") == ["1: the name '\(name)' must match [a-z][a-z0-9-]*"])
    }

    @Test func reportsAnEmptyName() {
        #expect(
            errors(in: "-- name:\n-- version: 1\n", path: "Scripts/.lua") == ["1: the name '' must match [a-z][a-z0-9-]*"]
        )
    }

    @Test func reportsRepeatedNameAndVersionLines() {
        let source = "-- name: renew-lease\n-- version: 1\n-- name: renew-lease\n-- version: 2\n"
        #expect(
            errors(in: source) == [
                "3: duplicate '-- name:' line; the first is on line 1",
                "4: duplicate '-- version:' line; the first is on line 2",
            ])
    }

    @Test func reportsAShebangForAnotherEngine() {
        let source = "#!/usr/bin/env lua\n-- name: renew-lease\n-- version: 1\n"
        #expect(errors(in: source) == ["1: the first line must be '#!lua' or '#!lua flags=...', found '#!/usr/bin/env lua'"])
    }

    @Test func reportsNamesTheGeneratedCodeCannotDeclare() {
        #expect(
            errors(in: "-- name: all\n-- version: 1\n", path: "all.lua") == [
                "1: the name 'all' is reserved: RedisScript already has a member of that name"
            ])
    }

    @Test func reportsEveryProblemAtOnce() {
        let source = "#!python\n-- name: Renew\n-- version: zero\n"
        #expect(
            errors(in: source) == [
                "1: the first line must be '#!lua' or '#!lua flags=...', found '#!python'",
                "2: the name 'Renew' must match [a-z][a-z0-9-]*",
                "2: the name 'Renew' must equal the file name without '.lua', 'renew-lease'",
                "3: the version must be a positive integer without leading zeros, found 'zero'",
            ])
    }
}
