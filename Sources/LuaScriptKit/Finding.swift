/// One problem the linter found, located by file and 1-based line.
package struct Finding: Equatable, Sendable, Encodable, CustomStringConvertible {
    /// The file's path, as given to the linter (a script, or a `scripts.lock`).
    package let path: String
    /// The 1-based line the finding points at.
    package let line: Int
    /// The rule that found it.
    package let rule: LintRule
    /// What is wrong, and where there is one, what to do instead.
    package let message: String
    /// Whether rewriting the lock with `--update-lock` resolves it: the lock is out of date, the scripts are fine.
    package let isResolvedByUpdatingLock: Bool

    /// Creates a finding; only `lock` findings about an out-of-date lock set `isResolvedByUpdatingLock`.
    package init(path: String, line: Int, rule: LintRule, message: String, isResolvedByUpdatingLock: Bool = false) {
        self.path = path
        self.line = line
        self.rule = rule
        self.message = message
        self.isResolvedByUpdatingLock = isResolvedByUpdatingLock
    }

    /// `path:line: rule: message`.
    package var description: String {
        "\(path):\(line): \(rule.rawValue): \(message)"
    }

    /// The fields a JSON report holds.
    private enum CodingKeys: String, CodingKey {
        case path, line, rule, message
    }
}
