import EventBrokerTestSupport
import Foundation
import Testing

@testable import LuaScriptKit

/// Every script of `Scripts/`, broken for every rule at test time (``ScriptBreakage``): each
/// broken copy must be rejected with exactly the one finding its breakage predicts.
///
/// Each copy is linted alone in a temporary folder. Only the `lock` breakage gets a lock there,
/// the script's own entry of `Scripts/scripts.lock`: the others change the text under the same
/// version too, which the lock would report as well.
@Suite struct BrokenScriptsTests {
    /// The repository's `Scripts/` folder.
    static let scriptsFolder = packageRoot.appending(path: "Scripts")

    /// The names of the scripts of `Scripts/`, without `.lua`, sorted.
    static let scripts: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: scriptsFolder.path(percentEncoded: false))) ?? []
        return names.filter { $0.hasSuffix(".lua") }.map { String($0.dropLast(4)) }.sorted()
    }()

    /// The text of the real script `name`.
    static func source(of name: String) throws -> String {
        String(decoding: try Data(contentsOf: scriptsFolder.appending(path: "\(name).lua")), as: UTF8.self)
    }

    /// The lines of the real `Scripts/scripts.lock`.
    static func realLockLines() throws -> [String] {
        let text = String(decoding: try Data(contentsOf: scriptsFolder.appending(path: "scripts.lock")), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The real lock with only its comments and the entry of `name`.
    static func lock(for name: String) throws -> String {
        try realLockLines().filter { $0.hasPrefix("#") || $0.isEmpty || $0.hasPrefix("\(name) ") }.joined(separator: "\n")
    }

    /// The findings of linting the scripts of `folder` with its lock, if it has one.
    static func lint(_ folder: URL) throws -> [Finding] {
        try ScriptLinter.run(paths: [folder.path(percentEncoded: false)], updateLock: false).findings
    }

    @Test(arguments: ScriptBreakage.all, scripts)
    func rejectsTheBrokenCopy(breakage: ScriptBreakage, script: String) throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.source(of: script)

        // The unbroken copy lints clean, lock included, so the finding below is the breakage's.
        try writeFile(source, named: "\(script).lua", in: folder)
        try writeFile(try Self.lock(for: script), named: "scripts.lock", in: folder)
        #expect(try Self.lint(folder).map(\.description) == [])

        let broken = try #require(breakage.mutation.apply(to: source), "\(breakage) does not apply to \(script).lua")
        #expect(broken.text != source, "\(breakage) left \(script).lua as it was")
        try writeFile(broken.text, named: "\(script).lua", in: folder)
        if breakage.rule != .lock {
            try FileManager.default.removeItem(at: folder.appending(path: "scripts.lock"))
        }
        let findings = try Self.lint(folder)
        #expect(findings.map(\.location) == ["\(script).lua:\(broken.line): \(breakage.rule.rawValue)"], "\(findings)")
        if breakage.rule == .lock {
            #expect(findings.allSatisfy { !$0.isResolvedByUpdatingLock }, "a changed text must not be fixed by relocking")
        }
    }

    @Test func coversEveryRuleForEveryScript() throws {
        #expect(ScriptBreakage.all.map(\.rule) == LintRule.allCases)
        // Every script of the folder, and only those, has a lock entry: none is left out.
        let locked = try Self.realLockLines().filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { String($0.prefix { $0 != " " }) }
        #expect(!Self.scripts.isEmpty)
        #expect(Self.scripts == locked)
    }

    /// The real scripts against a lock that misses one, records another at a lower version, has
    /// an entry for a script that does not exist, and a third script changed under its version.
    @Test func reportsEveryKindOfStaleLockOnTheRealScripts() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try #require(Self.scripts.count >= 3)
        let (missing, raised, changed) = (Self.scripts[0], Self.scripts[1], Self.scripts[2])
        var versionLines: [String: Int] = [:]
        for script in Self.scripts {
            var source = try Self.source(of: script)
            if script == changed {
                let breakage = try #require(ScriptBreakage.all.first { $0.rule == .lock })
                source = try #require(breakage.mutation.apply(to: source)).text
            }
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            versionLines[script] = try #require(lines.firstIndex { $0.hasPrefix("-- version:") }) + 1
            try writeFile(source, named: "\(script).lua", in: folder)
        }
        var lock = try Self.realLockLines().filter { !$0.hasPrefix("\(missing) ") }
        let raisedIndex = try #require(lock.firstIndex { $0.hasPrefix("\(raised) ") })
        let raisedEntry = lock[raisedIndex].split(separator: " ")
        lock[raisedIndex] = "\(raised) \(Int(raisedEntry[1])! + 1) \(raisedEntry[2])"
        let ghostLine = try #require(lock.lastIndex { !$0.isEmpty }) + 2
        lock.insert("zzz-removed 1 \(String(repeating: "0", count: 40))", at: ghostLine - 1)
        try writeFile(lock.joined(separator: "\n"), named: "scripts.lock", in: folder)

        let findings = try Self.lint(folder)
        #expect(findings.map(\.location) == [
            "\(missing).lua:\(versionLines[missing]!): lock",
            "\(raised).lua:\(versionLines[raised]!): lock",
            "\(changed).lua:\(versionLines[changed]!): lock",
            "scripts.lock:\(ghostLine): lock",
        ], "\(findings)")
        #expect(findings.filter { !$0.isResolvedByUpdatingLock }.map(\.location) == ["\(changed).lua:\(versionLines[changed]!): lock"])
    }
}
