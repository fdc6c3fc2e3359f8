import Foundation
import Testing

@testable import EventBrokerCLI

/// `event-broker lint`, run as the built executable.
@Suite struct LintCommandTests {
    /// The built `event-broker`: SwiftPM puts it next to the test runner executable.
    let executable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "event-broker")

    /// The root folder of this package, found from this file's path.
    let packageRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What a finished `event-broker` printed, and its exit status.
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs `event-broker` with `arguments` in `directory` and waits for it; output goes to files, so it never blocks.
    func run(_ arguments: [String], in directory: URL) throws -> Output {
        let outputs = try makeFolder()
        defer { try? FileManager.default.removeItem(at: outputs) }
        let outputURL = outputs.appending(path: "stdout")
        let errorURL = outputs.appending(path: "stderr")
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }

    /// A new, empty folder under the system's temporary directory; the caller removes it.
    func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "LintCommandTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A folder `Scripts` in a new temporary folder, holding `ack.lua` with a valid header and `code` from line 12.
    func scriptsFolder(code: String) throws -> URL {
        let root = try makeFolder()
        let scripts = root.appending(path: "Scripts")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
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
        try Data((header + code).utf8).write(to: scripts.appending(path: "ack.lua"))
        return root
    }

    @Test func lintsTheRepositorysScriptsByDefault() throws {
        let result = try run(["lint"], in: packageRoot)
        #expect(result.status == 0)
        #expect(result.standardOutput == "6 scripts, no findings\n")
    }

    @Test func printsOneLinePerFindingAndASummaryAndFails() throws {
        let root = try scriptsFolder(code: "redis.call('DEL', 'events:' .. KEYS[1])\nreturn result\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try run(["lint"], in: root)
        #expect(result.status == 1)
        #expect(result.standardOutput.split(separator: "\n") == [
            "Scripts/ack.lua:12: undeclared-key: argument 1 of DEL is a key, but it is a concatenation: every key must come from KEYS",
            "Scripts/ack.lua:13: unknown-global: reads the global 'result', which Redis does not provide to scripts: a typo, or a missing 'local'?",
            "1 script, 2 findings",
        ])
    }

    @Test func printsJSON() throws {
        let root = try scriptsFolder(code: "return table.unpack(KEYS[1])\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try run(["lint", "--json", "Scripts/ack.lua"], in: root)
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

    @Test func updatesTheLock() throws {
        let root = try scriptsFolder(code: "return redis.call('HLEN', KEYS[1])\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let update = try run(["lint", "--update-lock"], in: root)
        #expect(update.status == 0)
        #expect(update.standardOutput == "wrote Scripts/scripts.lock\n1 script, no findings\n")
        let lock = String(decoding: try Data(contentsOf: root.appending(path: "Scripts/scripts.lock")), as: UTF8.self)
        #expect(lock.split(separator: "\n").last?.hasPrefix("ack 1 ") == true)

        try Data("#!lua\n-- name: ack\n-- version: 1\n".utf8).write(to: root.appending(path: "Scripts/ack.lua"))
        let changed = try run(["lint", "--update-lock"], in: root)
        #expect(changed.status == 1)
        #expect(changed.standardOutput.split(separator: "\n").suffix(2) == [
            "not updating the lock: fix the findings above first", "1 script, 5 findings",
        ])
    }

    @Test func reportsAPathThatDoesNotExist() throws {
        let root = try makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try run(["lint"], in: root)
        #expect(result.status == 1)
        #expect(result.standardError == "Error: Scripts: no such file or folder\n")
    }
}
