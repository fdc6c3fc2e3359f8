import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCLI

/// `event-broker lint`, run as the built executable.
@Suite struct LintCommandTests {
    /// The built `event-broker`: SwiftPM puts it next to the test runner executable.
    let executable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "event-broker")

    /// Runs `event-broker` with `arguments` in `directory` and waits for it.
    func run(_ arguments: [String], in directory: URL) async throws -> ProcessOutput {
        try await runProcess(executable, arguments, in: directory)
    }

    /// A folder `Scripts` in a new temporary folder, holding `ack.lua` with a valid header and `code` from line 12.
    func scriptsFolder(code: String) throws -> URL {
        let root = try makeTemporaryDirectory()
        let header = """
            #!lua
            -- name: ack
            -- version: 1
            -- summary: A script for the tests.
            -- keys:
            --   1. events: a hash
            -- argv:
            --   none
            -- returns:
            --   1


            """
        try writeFile(header + code, named: "Scripts/ack.lua", in: root)
        return root
    }

    @Test func lintsTheRepositorysScriptsByDefault() async throws {
        let result = try await run(["lint"], in: packageRoot)
        #expect(result.status == 0)
        #expect(result.standardOutput == "15 scripts, no findings\n")
    }

    @Test func printsOneLinePerFindingAndASummaryAndFails() async throws {
        let root = try scriptsFolder(code: "redis.call('DEL', 'events:' .. KEYS[1])\nreturn result\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await run(["lint"], in: root)
        #expect(result.status == 1)
        #expect(result.standardOutput.split(separator: "\n") == [
            "Scripts/ack.lua:12: undeclared-key: argument 1 of DEL is a key, but it is a concatenation: every key must come from KEYS",
            "Scripts/ack.lua:13: unknown-global: reads the global 'result', which Redis does not provide to scripts: a typo, or a missing 'local'?",
            "1 script, 2 findings",
        ])
    }

    @Test func printsJSON() async throws {
        let root = try scriptsFolder(code: "return table.unpack(KEYS[1])\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await run(["lint", "--json", "Scripts/ack.lua"], in: root)
        #expect(result.status == 1)
        let findings = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
        #expect(findings?.count == 1)
        #expect(findings?.first?["path"] as? String == "Scripts/ack.lua")
        #expect(findings?.first?["line"] as? Int == 12)
        #expect(findings?.first?["rule"] as? String == "lua51-library")
        #expect(findings?.first?["message"] as? String == "table.unpack is not available to Redis's Lua 5.1 scripts: use unpack")
        #expect(findings?.first?.count == 4)
    }

    @Test func printsAnEmptyJSONArrayForCleanScripts() throws {
        let (text, status) = try LintCommand.output(paths: [packageRoot.appending(path: "Scripts").path(percentEncoded: false)], updateLock: false, json: true)
        #expect(text == "[\n\n]" || text == "[]")
        #expect(status == 0)
    }

    @Test func updatesTheLock() async throws {
        let root = try scriptsFolder(code: "return redis.call('HLEN', KEYS[1])\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let update = try await run(["lint", "--update-lock"], in: root)
        #expect(update.status == 0)
        #expect(update.standardOutput == "wrote Scripts/scripts.lock\n1 script, no findings\n")
        let lock = String(decoding: try Data(contentsOf: root.appending(path: "Scripts/scripts.lock")), as: UTF8.self)
        #expect(lock.split(separator: "\n").last?.hasPrefix("ack 1 ") == true)

        try Data("#!lua\n-- name: ack\n-- version: 1\n".utf8).write(to: root.appending(path: "Scripts/ack.lua"))
        let changed = try await run(["lint", "--update-lock"], in: root)
        #expect(changed.status == 1)
        #expect(changed.standardOutput.split(separator: "\n").suffix(2) == [
            "not updating the lock: fix the findings above first", "1 script, 5 findings",
        ])
    }

    @Test func reportsAPathThatDoesNotExist() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await run(["lint"], in: root)
        #expect(result.status == 1)
        #expect(result.standardError == "Error: Scripts: no such file or folder\n")
    }
}
