import EventBrokerTestSupport
import Foundation
import Testing
@testable import EventBrokerCore

/// Checks that the ScriptEmbedder plugin embedded every file of `Scripts/` exactly, and nothing else.
@Suite struct EmbeddedScriptsTests {
    /// The repository's `Scripts/` folder.
    let scriptsDirectory = packageRoot.appending(path: "Scripts")

    /// The `*.lua` files directly in `Scripts/` (not in subfolders such as `Scripts/tests/`); none if it does not exist.
    func scriptFiles() throws -> [URL] {
        let path = scriptsDirectory.path(percentEncoded: false)
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { $0.hasSuffix(".lua") && !$0.hasPrefix(".") }
            .map { scriptsDirectory.appending(path: $0) }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }

    /// Why a script added or removed since the last build planning may be missing: SwiftPM re-runs build-tool plugins
    /// only when the package structure (target folders, Package.swift) changes, and `Scripts/` is in no target.
    let staleHint = "if Scripts/ just gained or lost a file, `touch Package.swift` and build again"

    @Test func embedsEveryScriptByteForByteWithItsSHA1() throws {
        for file in try scriptFiles() {
            let name = file.deletingPathExtension().lastPathComponent
            let script = try #require(RedisScript.all.first { $0.name == name }, "\(name).lua is not embedded; \(staleHint)")
            #expect(Array(script.source.utf8) == Array(try Data(contentsOf: file)), "source of \(name).lua")
            #expect(script.sha1 == (try sha1sum(file)), "SHA1 of \(name).lua")
        }
    }

    @Test func embedsNothingButTheScripts() throws {
        #expect(RedisScript.all.count == (try scriptFiles()).count, "\(staleHint)")
    }

    @Test func listsScriptsSortedByName() {
        let names = RedisScript.all.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
    }
}
