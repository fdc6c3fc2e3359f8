/// One script of `Scripts/`, as the test runner hands it to a backend.
package struct ScriptUnderTest: Sendable, Hashable {
    /// The file name without `.lua`, as tests name it in `run(name, keys, argv)`.
    package var name: String
    /// The exact bytes of the file.
    package var source: [UInt8]

    /// Creates a script.
    package init(name: String, source: [UInt8]) {
        self.name = name
        self.source = source
    }
}
