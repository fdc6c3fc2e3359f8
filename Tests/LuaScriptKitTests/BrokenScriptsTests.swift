import Foundation
import Testing

@testable import LuaScriptKit

/// Deliberately broken copies of each real script, one per rule, in
/// `Fixtures/Broken/<rule>/<script>.lua`: each must be rejected with exactly the expected findings.
///
/// The rule folders have no lock, so only `Broken/lock/` is checked against one: there `ack` and
/// `publish` changed under version 1, `nack` and `subscribe` raised their version, `pick` and
/// `unsubscribe` have no entry, and the lock has an entry for a script that does not exist.
@Suite struct BrokenScriptsTests {
    /// Each fixture and the findings it must produce, as `<file>:<line>: <rule>`.
    static let cases: [(fixture: String, expected: [String])] = [
        ("syntax/ack.lua", ["ack.lua:19: syntax"]),
        ("syntax/nack.lua", ["nack.lua:28: syntax"]),
        ("syntax/pick.lua", ["pick.lua:39: syntax"]),
        ("syntax/publish.lua", ["publish.lua:42: syntax"]),
        ("syntax/subscribe.lua", ["subscribe.lua:17: syntax"]),
        ("syntax/unsubscribe.lua", ["unsubscribe.lua:19: syntax"]),
        ("lua51-syntax/ack.lua", ["ack.lua:25: lua51-syntax"]),
        ("lua51-syntax/nack.lua", ["nack.lua:27: lua51-syntax"]),
        ("lua51-syntax/pick.lua", ["pick.lua:33: lua51-syntax", "pick.lua:38: lua51-syntax"]),
        ("lua51-syntax/publish.lua", ["publish.lua:44: lua51-syntax"]),
        ("lua51-syntax/subscribe.lua", ["subscribe.lua:14: lua51-syntax"]),
        ("lua51-syntax/unsubscribe.lua", ["unsubscribe.lua:15: lua51-syntax"]),
        ("lua51-library/ack.lua", ["ack.lua:25: lua51-library"]),
        ("lua51-library/nack.lua", ["nack.lua:20: lua51-library"]),
        ("lua51-library/pick.lua", ["pick.lua:29: lua51-library"]),
        ("lua51-library/publish.lua", ["publish.lua:45: lua51-library"]),
        ("lua51-library/subscribe.lua", ["subscribe.lua:14: lua51-library"]),
        ("lua51-library/unsubscribe.lua", ["unsubscribe.lua:15: lua51-library"]),
        ("global-write/ack.lua", ["ack.lua:18: global-write"]),
        ("global-write/nack.lua", ["nack.lua:28: global-write"]),
        ("global-write/pick.lua", ["pick.lua:40: global-write"]),
        ("global-write/publish.lua", ["publish.lua:52: global-write"]),
        ("global-write/subscribe.lua", ["subscribe.lua:14: global-write"]),
        ("global-write/unsubscribe.lua", ["unsubscribe.lua:15: global-write"]),
        ("unknown-global/ack.lua", ["ack.lua:18: unknown-global"]),
        ("unknown-global/nack.lua", ["nack.lua:28: unknown-global"]),
        ("unknown-global/pick.lua", ["pick.lua:29: unknown-global"]),
        ("unknown-global/publish.lua", ["publish.lua:26: unknown-global"]),
        ("unknown-global/subscribe.lua", ["subscribe.lua:14: unknown-global"]),
        ("unknown-global/unsubscribe.lua", ["unsubscribe.lua:15: unknown-global"]),
        ("undeclared-key/ack.lua", ["ack.lua:25: undeclared-key"]),
        ("undeclared-key/nack.lua", ["nack.lua:25: undeclared-key"]),
        ("undeclared-key/pick.lua", ["pick.lua:41: undeclared-key"]),
        ("undeclared-key/publish.lua", ["publish.lua:59: undeclared-key"]),
        ("undeclared-key/subscribe.lua", ["subscribe.lua:14: undeclared-key"]),
        ("undeclared-key/unsubscribe.lua", ["unsubscribe.lua:15: undeclared-key"]),
        ("unknown-command/ack.lua", ["ack.lua:25: unknown-command"]),
        ("unknown-command/nack.lua", ["nack.lua:26: unknown-command"]),
        ("unknown-command/pick.lua", ["pick.lua:34: unknown-command"]),
        ("unknown-command/publish.lua", ["publish.lua:34: unknown-command"]),
        ("unknown-command/subscribe.lua", ["subscribe.lua:14: unknown-command"]),
        ("unknown-command/unsubscribe.lua", ["unsubscribe.lua:15: unknown-command"]),
        ("dynamic-command/ack.lua", ["ack.lua:25: dynamic-command"]),
        ("dynamic-command/nack.lua", ["nack.lua:25: dynamic-command"]),
        ("dynamic-command/pick.lua", ["pick.lua:44: dynamic-command"]),
        ("dynamic-command/publish.lua", ["publish.lua:56: dynamic-command"]),
        ("dynamic-command/subscribe.lua", ["subscribe.lua:14: dynamic-command"]),
        ("dynamic-command/unsubscribe.lua", ["unsubscribe.lua:15: dynamic-command"]),
        ("header/ack.lua", ["ack.lua:3: header"]),
        ("header/nack.lua", ["nack.lua:2: header"]),
        ("header/pick.lua", ["pick.lua:4: header"]),
        ("header/publish.lua", ["publish.lua:10: header"]),
        ("header/subscribe.lua", ["subscribe.lua:2: header"]),
        ("header/unsubscribe.lua", ["unsubscribe.lua:1: header"]),
        ("header-keys/ack.lua", ["ack.lua:11: header-keys"]),
        ("header-keys/nack.lua", ["nack.lua:28: header-keys"]),
        ("header-keys/pick.lua", ["pick.lua:29: header-keys"]),
        ("header-keys/publish.lua", ["publish.lua:25: header-keys"]),
        ("header-keys/subscribe.lua", ["subscribe.lua:9: header-keys"]),
        ("header-keys/unsubscribe.lua", ["unsubscribe.lua:7: header-keys", "unsubscribe.lua:15: header-keys"]),
        ("header-argv/ack.lua", ["ack.lua:18: header-argv"]),
        ("header-argv/nack.lua", ["nack.lua:17: header-argv"]),
        ("header-argv/pick.lua", ["pick.lua:31: header-argv"]),
        ("header-argv/publish.lua", ["publish.lua:26: header-argv"]),
        ("header-argv/subscribe.lua", ["subscribe.lua:14: header-argv"]),
        ("header-argv/unsubscribe.lua", ["unsubscribe.lua:11: header-argv", "unsubscribe.lua:15: header-argv"]),
        ("lock/ack.lua", ["ack.lua:3: lock"]),
        ("lock/nack.lua", ["nack.lua:3: lock"]),
        ("lock/pick.lua", ["pick.lua:3: lock"]),
        ("lock/publish.lua", ["publish.lua:3: lock"]),
        ("lock/subscribe.lua", ["subscribe.lua:3: lock"]),
        ("lock/unsubscribe.lua", ["unsubscribe.lua:3: lock"]),
    ]

    @Test(arguments: cases)
    func rejectsTheBrokenCopy(fixture: String, expected: [String]) throws {
        let path = fixtures.appending(path: "Broken/\(fixture)").path(percentEncoded: false)
        let findings = try ScriptLinter.run(paths: [path], updateLock: false).findings.filter { $0.path == path }
        #expect(findings.map(\.location) == expected, "\(findings.map(\.description))")
    }

    @Test func coversEveryRuleForEveryScript() {
        let scripts = ["ack", "nack", "pick", "publish", "subscribe", "unsubscribe"]
        let expectedFixtures = LintRule.allCases.flatMap { rule in scripts.map { "\(rule.rawValue)/\($0).lua" } }
        #expect(Set(Self.cases.map(\.fixture)) == Set(expectedFixtures))
        for (fixture, expected) in Self.cases {
            let rule = fixture.prefix { $0 != "/" }
            #expect(expected.allSatisfy { $0.hasSuffix(": \(rule)") }, "\(fixture) must fail its own rule only")
        }
    }

    @Test func reportsTheLockEntryWithoutScript() throws {
        let folder = fixtures.appending(path: "Broken/lock").path(percentEncoded: false)
        let report = try ScriptLinter.run(paths: [folder], updateLock: false)
        #expect(report.findings.filter { $0.path.hasSuffix("scripts.lock") }.map(\.location) == ["scripts.lock:6: lock"])
        #expect(report.findings.count == 7)
        #expect(report.findings.filter { !$0.isResolvedByUpdatingLock }.map(\.location) == ["ack.lua:3: lock", "publish.lua:3: lock"])
    }
}
