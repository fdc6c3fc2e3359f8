/// One script after linting: its findings under every rule but `lock`, and what the lock rule needs.
package struct LintedScript {
    /// The script's path, as given to the linter.
    package let path: String
    /// The script's name in the lock: its file name without `.lua`.
    let name: String
    /// The findings of every rule but `lock`, by line.
    package let findings: [Finding]
    /// The header's version, when it is valid.
    let version: Int?
    /// The line of `-- version:`, when there is one.
    let versionLine: Int?
    /// The lowercase hex SHA1 of the script's bytes.
    let sha1: String
}
