import EventBrokerTestSupport
import Foundation
import LuaScriptKit
import Testing

@testable import ScriptEmbedder

/// The linting of the built `ScriptEmbedder`: in build mode, findings fail the build except the
/// lock findings that only say the lock is out of date (warnings); in lint mode every finding fails.
@Suite struct LintingTests {
    /// The built tool: SwiftPM puts it next to the test runner executable.
    let embedder = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "ScriptEmbedder")

    /// The lock line of `name` at `version` for the text `text`.
    func entry(_ name: String, _ version: Int, _ text: String) -> String {
        "\(name) \(version) \(SHA1.hexDigest(of: Array(text.utf8)))\n"
    }

    /// A folder with `ack.lua` at version 2 (the lock records 1), `nack.lua` (no entry) and a lock
    /// entry for the missing `gone.lua`: three findings that only say the lock is out of date.
    func folderWithAStaleLock() throws -> (folder: URL, scripts: [String], lock: String) {
        let folder = try makeTemporaryDirectory()
        let ack = try writeFile(header(name: "ack", version: "2") + "return 2\n", named: "ack.lua", in: folder)
        let nack = try writeFile(header(name: "nack") + "return 0\n", named: "nack.lua", in: folder)
        let lockText = entry("ack", 1, header(name: "ack") + "return 1\n") + entry("gone", 1, "gone")
        let lock = try writeFile(lockText, named: "scripts.lock", in: folder)
        return (folder, [ack, nack], lock)
    }

    @Test func buildModeWarnsAboutAStaleLockAndStillEmbeds() async throws {
        let (folder, scripts, lock) = try folderWithAStaleLock()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appending(path: "EmbeddedScripts.swift").path(percentEncoded: false)

        let result = try await runProcess(embedder, ["--lock", lock, output] + scripts)
        #expect(result.status == 0)
        #expect(result.standardError.split(separator: "\n") == [
            "\(scripts[0]):3: warning: lock: the lock records version 1: run `event-broker lint --update-lock`",
            "\(scripts[1]):3: warning: lock: scripts.lock has no entry for 'nack': run `event-broker lint --update-lock`",
            "\(lock):2: warning: lock: the lock has an entry for 'gone', but there is no gone.lua: run `event-broker lint --update-lock`",
        ])
        #expect(FileManager.default.fileExists(atPath: output))
    }

    @Test func buildModeFailsOnATextChangedUnderTheSameVersion() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ack = try writeFile(header(name: "ack") + "return 2\n", named: "ack.lua", in: folder)
        let lock = try writeFile(entry("ack", 1, header(name: "ack") + "return 1\n"), named: "scripts.lock", in: folder)
        let output = folder.appending(path: "EmbeddedScripts.swift").path(percentEncoded: false)

        let result = try await runProcess(embedder, ["--lock", lock, output, ack])
        #expect(result.status == 1)
        #expect(result.standardError == "\(ack):3: error: lock: the text changed but the version did not: raise `-- version:` and run `event-broker lint --update-lock`\n")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func buildModeFailsOnEveryOtherRule() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ack = try writeFile(header(name: "ack") + "print(table.unpack({}))\n", named: "ack.lua", in: folder)
        let output = folder.appending(path: "EmbeddedScripts.swift").path(percentEncoded: false)

        let result = try await runProcess(embedder, [output, ack])
        #expect(result.status == 1)
        #expect(result.standardError.split(separator: "\n") == [
            "\(ack):12: error: lua51-library: table.unpack is not available to Redis's Lua 5.1 scripts: use unpack",
            "\(ack):12: error: unknown-global: reads the global 'print', which Redis does not provide to scripts: log with redis.log(redis.LOG_NOTICE, ...)",
        ])
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func lintModeFailsOnEveryLockFindingAndUpdatesTheLock() async throws {
        let (folder, scripts, lock) = try folderWithAStaleLock()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path(percentEncoded: false)

        let lint = try await runProcess(embedder, ["lint", path])
        #expect(lint.status == 1)
        #expect(lint.standardOutput.split(separator: "\n") == [
            "\(scripts[0]):3: error: lock: the lock records version 1: run `event-broker lint --update-lock`",
            "\(scripts[1]):3: error: lock: scripts.lock has no entry for 'nack': run `event-broker lint --update-lock`",
            "\(lock):2: error: lock: the lock has an entry for 'gone', but there is no gone.lua: run `event-broker lint --update-lock`",
            "2 scripts, 3 findings",
        ])

        let update = try await runProcess(embedder, ["lint", "--update-lock", path])
        #expect(update.status == 0)
        #expect(update.standardOutput == "wrote \(lock)\n2 scripts, no findings\n")
        let again = try await runProcess(embedder, ["lint", path])
        #expect(again.status == 0 && again.standardOutput == "2 scripts, no findings\n")
    }

    @Test func lintModeRejectsBadArguments() async throws {
        let unknown = try await runProcess(embedder, ["lint", "--fix", "Scripts"])
        #expect(unknown.status == 1 && unknown.standardError.hasPrefix("unknown option '--fix'"))
        let none = try await runProcess(embedder, ["lint"])
        #expect(none.status == 1 && none.standardError == EmbedderCommand.usage + "\n")
        let missing = try await runProcess(embedder, ["lint", "/nonexistent/Scripts"])
        #expect(missing.status == 1 && missing.standardError == "/nonexistent/Scripts: error: no such file or folder\n")
    }
}
