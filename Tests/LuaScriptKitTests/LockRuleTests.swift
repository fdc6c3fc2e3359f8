import EventBrokerTestSupport
import Foundation
import Testing

@testable import LuaScriptKit

/// The rule `lock` and `--update-lock`, on scripts in a temporary folder.
@Suite struct LockRuleTests {
    /// A valid script `name` at `version` whose code is `body`; its `-- version:` is on line 2.
    func script(_ name: String, version: Int = 1, body: String = "return 1") -> String {
        "-- name: \(name)\n-- version: \(version)\n-- summary: A script.\n-- keys:\n--   none\n-- argv:\n--   none\n"
            + "-- returns:\n--   1\n\n\(body)\n"
    }

    /// The lock line of `name` at `version` for the text `text`.
    func entry(_ name: String, _ version: Int, _ text: String) -> String {
        "\(name) \(version) \(SHA1.hexDigest(of: Array(text.utf8)))\n"
    }

    /// The preamble every written lock starts with.
    let preamble = """
        # The version and SHA1 of every script in this folder: one '<name> <version> <sha1>' line each, sorted by name.
        # The linter fails when a script's text changes and its '-- version:' does not.
        # Written by `event-broker lint --update-lock`; do not edit.

        """

    /// The text of the file at `path`.
    func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(filePath: path)), as: UTF8.self)
    }

    /// The findings of linting `paths`, as `<file>:<line>: <rule>: <message>`.
    func lint(_ paths: [String]) throws -> [String] {
        try ScriptLinter.run(paths: paths, updateLock: false).findings.map {
            "\($0.path.split(separator: "/").last!):\($0.line): \($0.rule.rawValue): \($0.message)"
        }
    }

    @Test func updateLockWritesTheLockAndTheScriptsThenLintClean() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path(percentEncoded: false)
        try writeFile(script("beta"), named: "beta.lua", in: folder)
        try writeFile(script("alpha", version: 4), named: "alpha.lua", in: folder)

        let report = try ScriptLinter.run(paths: [path], updateLock: true)
        let lockPath = folder.appending(path: "scripts.lock").path(percentEncoded: false)
        #expect(report.lockUpdate == .written([ScriptLinter.path(path, "scripts.lock")]))
        #expect(report.findings.isEmpty && report.exitStatus == 0)
        #expect(try contents(lockPath) == preamble + entry("alpha", 4, script("alpha", version: 4)) + entry("beta", 1, script("beta")))
        #expect(try lint([path]).isEmpty)
        #expect(try ScriptLinter.run(paths: [path], updateLock: true).lockUpdate == .written([]))
    }

    @Test func reportsAChangedTextUnderAnUnchangedVersionAndRefusesToLockIt() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path(percentEncoded: false)
        let lock = preamble + entry("alpha", 1, script("alpha"))
        let lockPath = try writeFile(lock, named: "scripts.lock", in: folder)
        try writeFile(script("alpha", body: "return 2"), named: "alpha.lua", in: folder)

        #expect(try lint([path]) == [
            "alpha.lua:2: lock: the text changed but the version did not: raise `-- version:` and run `event-broker lint --update-lock`"
        ])
        let report = try ScriptLinter.run(paths: [path], updateLock: true)
        #expect(report.lockUpdate == .refused && report.exitStatus == 1 && report.findings.count == 1)
        #expect(try contents(lockPath) == lock)
    }

    @Test func reportsARaisedVersionAsAStaleLockThatUpdatingResolves() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path(percentEncoded: false)
        let lockPath = try writeFile(preamble + entry("alpha", 1, script("alpha")), named: "scripts.lock", in: folder)
        let raised = script("alpha", version: 2, body: "return 2")
        try writeFile(raised, named: "alpha.lua", in: folder)

        let findings = try ScriptLinter.run(paths: [path], updateLock: false).findings
        #expect(findings.map(\.location) == ["alpha.lua:2: lock"])
        #expect(findings.first?.message == "the lock records version 1: run `event-broker lint --update-lock`")
        #expect(findings.first?.isResolvedByUpdatingLock == true)

        #expect(try ScriptLinter.run(paths: [path], updateLock: true).exitStatus == 0)
        #expect(try contents(lockPath) == preamble + entry("alpha", 2, raised))
        #expect(try lint([path]).isEmpty)
    }

    @Test func reportsAScriptWithoutEntryAndAnEntryWithoutScript() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path(percentEncoded: false)
        let lockText = preamble + entry("alpha", 1, script("alpha")) + entry("gone", 1, script("gone"))
        let lockPath = try writeFile(lockText, named: "scripts.lock", in: folder)
        try writeFile(script("alpha"), named: "alpha.lua", in: folder)
        try writeFile(script("new"), named: "new.lua", in: folder)

        #expect(try lint([path]) == [
            "new.lua:2: lock: scripts.lock has no entry for 'new': run `event-broker lint --update-lock`",
            "scripts.lock:5: lock: the lock has an entry for 'gone', but there is no gone.lua: run `event-broker lint --update-lock`",
        ])
        #expect(try ScriptLinter.run(paths: [path], updateLock: true).exitStatus == 0)
        #expect(try contents(lockPath) == preamble + entry("alpha", 1, script("alpha")) + entry("new", 1, script("new")))
    }

    @Test func reportsMalformedDuplicateAndUnsortedLockLines() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeFile(script("alpha"), named: "alpha.lua", in: folder)
        try writeFile(script("beta"), named: "beta.lua", in: folder)
        let lock = "# comment\n\n" + entry("beta", 1, script("beta")) + entry("alpha", 1, script("alpha"))
            + entry("alpha", 1, script("alpha")) + "gamma one 123\n"
        try writeFile(lock, named: "scripts.lock", in: folder)

        let findings = try ScriptLinter.run(paths: [folder.path(percentEncoded: false)], updateLock: false).findings
        #expect(findings.map(\.location) == ["scripts.lock:4: lock", "scripts.lock:5: lock", "scripts.lock:6: lock"])
        #expect(findings.map { String($0.message.prefix(24)) } == [
            "the lock is not sorted b", "duplicate entry for 'alp", "malformed lock line 'gam",
        ])
        #expect(findings.allSatisfy { $0.isResolvedByUpdatingLock })
    }

    @Test func refusesToUpdateWhileOtherFindingsRemain() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeFile(script("alpha", body: "leaked = 1"), named: "alpha.lua", in: folder)

        let report = try ScriptLinter.run(paths: [folder.path(percentEncoded: false)], updateLock: true)
        #expect(report.lockUpdate == .refused)
        #expect(report.findings.map(\.location) == ["alpha.lua:11: global-write"])
        #expect(report.summary == ["not updating the lock: fix the findings above first", "1 script, 1 finding"])
        #expect(!FileManager.default.fileExists(atPath: folder.appending(path: "scripts.lock").path(percentEncoded: false)))
    }

    @Test func checksNoLockInAFolderWithoutOne() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let alpha = try writeFile(script("alpha"), named: "alpha.lua", in: folder)
        #expect(try lint([folder.path(percentEncoded: false)]).isEmpty)
        #expect(try lint([alpha]).isEmpty)
    }

    @Test func updatingOneScriptKeepsTheOtherEntries() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lockPath = try writeFile(
            preamble + entry("alpha", 1, script("alpha")) + entry("beta", 1, script("beta")), named: "scripts.lock", in: folder)
        let alpha = try writeFile(script("alpha", version: 2, body: "return 2"), named: "alpha.lua", in: folder)
        try writeFile(script("beta", version: 5), named: "beta.lua", in: folder)

        #expect(try ScriptLinter.run(paths: [alpha], updateLock: true).exitStatus == 0)
        let expected = preamble + entry("alpha", 2, script("alpha", version: 2, body: "return 2")) + entry("beta", 1, script("beta"))
        #expect(try contents(lockPath) == expected)
        #expect(try lint([folder.path(percentEncoded: false)]).map { String($0.prefix(17)) } == ["beta.lua:2: lock:"])
    }

    @Test func reportsPathsItCannotRead() {
        #expect(throws: LintInputError.self) {
            try ScriptLinter.run(paths: ["/nonexistent/Scripts"], updateLock: false)
        }
    }
}
