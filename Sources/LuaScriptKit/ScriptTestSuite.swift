import Foundation

/// The scripts and their test files: `Scripts/*.lua` and `Scripts/tests/*.test.lua`.
package struct ScriptTestSuite: Sendable {
    /// The scripts, by name.
    package var scripts: [String: ScriptUnderTest]
    /// The test files, sorted by name.
    package var testFiles: [ScriptTestFile]

    /// Creates a suite from scripts and test files already read.
    package init(scripts: [ScriptUnderTest], testFiles: [ScriptTestFile]) {
        self.scripts = Dictionary(scripts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.testFiles = testFiles.sorted { $0.name < $1.name }
    }

    /// Reads `directory/*.lua` as the scripts and `directory/tests/*.test.lua` as the tests.
    package init(directory: String) throws(ScriptTestSuiteError) {
        let scriptsURL = URL(fileURLWithPath: directory, isDirectory: true)
        let scripts = try Self.files(in: scriptsURL, endingWith: ".lua").map { name, source in
            ScriptUnderTest(name: String(name.dropLast(".lua".count)), source: source)
        }
        let tests = try Self.files(in: scriptsURL.appendingPathComponent("tests"), endingWith: ".test.lua")
            .map { name, source in ScriptTestFile(name: name, source: source) }
        if tests.isEmpty {
            throw ScriptTestSuiteError(message: "there are no *.test.lua files in \(directory)/tests")
        }
        self.init(scripts: scripts, testFiles: tests)
    }

    private static func files(in directory: URL, endingWith suffix: String) throws(ScriptTestSuiteError)
        -> [(String, [UInt8])]
    {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ScriptTestSuiteError(message: "cannot list \(directory.path): \(error.localizedDescription)")
        }
        var files: [(String, [UInt8])] = []
        for name in names.sorted() where name.hasSuffix(suffix) {
            let url = directory.appendingPathComponent(name)
            do {
                files.append((name, Array(try Data(contentsOf: url))))
            } catch {
                throw ScriptTestSuiteError(message: "cannot read \(url.path): \(error.localizedDescription)")
            }
        }
        return files
    }
}

/// One test file.
package struct ScriptTestFile: Sendable, Hashable {
    /// The file name, such as `pick.test.lua`.
    package var name: String
    /// The file's bytes (Lua 5.4).
    package var source: [UInt8]

    /// Creates a test file.
    package init(name: String, source: [UInt8]) {
        self.name = name
        self.source = source
    }
}

/// Why the scripts or their tests could not be read.
package struct ScriptTestSuiteError: Error, CustomStringConvertible {
    /// What went wrong, with the path.
    package var message: String

    /// The message.
    package var description: String { message }
}
