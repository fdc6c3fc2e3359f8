import EventBrokerTestSupport
import Foundation
import Testing
@testable import ScriptEmbedder

@Suite struct EmbedderCommandTests {
    /// The diagnostics `generateCode` reports for `paths`, as printed; empty if it succeeds.
    func errors(for paths: [String]) -> [String] {
        do {
            _ = try EmbedderCommand.generateCode(scriptPaths: paths)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func reportsADuplicateNameAtTheSecondScript() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try writeFile("-- name: ack\n-- version: 1\n", named: "a/ack.lua", in: directory)
        let second = try writeFile("#!lua\n-- version: 2\n-- name: ack\n", named: "b/ack.lua", in: directory)
        #expect(errors(for: [first, second]) == ["\(second):3: error: duplicate script name 'ack'; also declared at \(first):1"])
    }

    @Test func reportsNamesThatBecomeTheSameIdentifier() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try writeFile("-- name: lease2x\n-- version: 1\n", named: "lease2x.lua", in: directory)
        let second = try writeFile("-- name: lease-2x\n-- version: 1\n", named: "lease-2x.lua", in: directory)
        #expect(
            errors(for: [first, second]) == [
                "\(second):1: error: the names 'lease-2x' and 'lease2x' (\(first):1) both become the Swift identifier 'lease2x'"
            ])
    }

    @Test func reportsTheLineOfTheFirstInvalidUTF8() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appending(path: "ack.lua")
        try Data("-- name: ack\n-- version: 1\nreturn 'é'\nreturn '".utf8 + [0xC3, 0x28] + Data("'\n".utf8)).write(to: url)
        let path = url.path(percentEncoded: false)
        #expect(errors(for: [path]) == ["\(path):4: error: the file is not valid UTF-8"])
    }

    @Test func reportsTheErrorsOfEveryScript() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try writeFile("-- name: good\n-- version: 1\n", named: "good.lua", in: directory)
        let noName = try writeFile("-- version: 1\n", named: "no-name.lua", in: directory)
        let badVersion = try writeFile("-- name: bad-version\n-- version: 0\n", named: "bad-version.lua", in: directory)
        let missing = directory.appending(path: "missing.lua").path(percentEncoded: false)
        let reported = errors(for: [good, noName, badVersion, missing])
        try #require(reported.count == 3)
        #expect(reported[0] == "\(noName):1: error: the header has no '-- name: <name>' line")
        #expect(reported[1] == "\(badVersion):2: error: the version must be a positive integer without leading zeros, found '0'")
        #expect(reported[2].hasPrefix("\(missing):1: error: cannot read the file: "))
    }

    @Test func writesTheOutputOnlyWhenItChanges() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "EmbeddedScripts.swift").path(percentEncoded: false)
        let longAgo = Date(timeIntervalSince1970: 1_000_000_000)
        try EmbedderCommand.writeIfChanged("first", to: path)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: path)

        try EmbedderCommand.writeIfChanged("first", to: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == longAgo)

        try EmbedderCommand.writeIfChanged("second", to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("second".utf8))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date != longAgo)
    }
}

/// Tests of the `ScriptEmbedder` executable that `swift build` produced, run as the plugin runs it.
@Suite struct BuiltEmbedderTests {
    /// The built tool: SwiftPM puts it next to the test runner executable.
    let embedder = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "ScriptEmbedder")

    /// The fixture scripts' paths, sorted.
    func fixturePaths() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixtureScripts.path(percentEncoded: false))
            .filter { $0.hasSuffix(".lua") }
            .sorted()
            .map { fixtureScripts.appending(path: $0).path(percentEncoded: false) }
    }

    @Test func failsWithClickableErrorsAndWritesNothing() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try writeFile(header(name: "ack", version: "-1") + "return 1\n", named: "ack.lua", in: directory)
        let output = directory.appending(path: "EmbeddedScripts.swift")
        let result = try await runProcess(embedder, [output.path(percentEncoded: false), script])
        #expect(result.status == 1)
        #expect(result.standardError == "\(script):3: error: header: the version must be a positive integer without leading zeros, found '-1'\n")
        #expect(result.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output.path(percentEncoded: false)))
    }

    @Test func printsUsageWithoutArguments() async throws {
        let result = try await runProcess(embedder, [])
        #expect(result.status == 1)
        #expect(result.standardError == EmbedderCommand.usage + "\n")
    }

    /// Compiles the generated file with `swiftc`, together with a copy of `RedisScript` and this module's SHA1,
    /// into a program that prints each embedded script's name, version, stored SHA1, recomputed SHA1 and source bytes.
    @Test(.timeLimit(.minutes(5)))
    func generatedCodeCompilesAndHoldsTheExactBytes() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = directory.appending(path: "EmbeddedScripts.swift").path(percentEncoded: false)
        let scripts = try fixturePaths()
        let embed = try await runProcess(embedder, [generated] + scripts)
        try #require(embed.status == 0, "\(embed.standardError)")

        let main = try writeFile(
            #"""
            func hex(_ bytes: some Sequence<UInt8>) -> String {
                bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            }
            precondition(RedisScript.trickyText.version == 12 && RedisScript.renewLease.name == "renew-lease")
            for script in RedisScript.all {
                let bytes = Array(script.source.utf8)
                print(script.name, script.version, script.sha1, SHA1.hexDigest(of: bytes), hex(bytes))
            }
            """#, named: "main.swift", in: directory)
        let program = directory.appending(path: "print-scripts")
        let compile = try await runProcess(
            URL(filePath: "/usr/bin/env"),
            [
                "swiftc", "-o", program.path(percentEncoded: false),
                "-module-cache-path", directory.appending(path: "module-cache").path(percentEncoded: false),
                generated, main,
                packageRoot.appending(path: "Sources/EventBrokerCore/RedisScript.swift").path(percentEncoded: false),
                packageRoot.appending(path: "Sources/LuaScriptKit/SHA1.swift").path(percentEncoded: false),
                "-package-name", "EmbedderTest",
            ])
        try #require(compile.status == 0, "\(compile.standardError)")

        let run = try await runProcess(program, [])
        try #require(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map { $0.split(separator: " ") }
        try #require(lines.map(\.count) == [5, 5])
        #expect(lines.map { String($0[0]) } == ["renew-lease", "tricky-text"])
        for (line, path) in zip(lines, scripts) {
            let bytes = Array(try Data(contentsOf: URL(filePath: path)))
            let expectedSHA1 = try sha1sum(bytes)
            #expect(line[2] == expectedSHA1[...], "stored SHA1 of \(path)")
            #expect(line[3] == expectedSHA1[...], "recomputed SHA1 of \(path)")
            #expect(line[4] == bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()[...], "bytes of \(path)")
        }
    }
}
