/// What a lint run found and did, for a command line to print.
package struct LintReport {
    /// What happened to the locks when `--update-lock` was given.
    package enum LockUpdate: Equatable {
        /// Nothing was written: findings remain that rewriting the locks would not resolve.
        case refused
        /// The locks were rewritten; these paths changed (none when every lock was already current).
        case written([String])
    }

    /// How many scripts were linted.
    package let scriptCount: Int
    /// The findings left; after a successful `--update-lock`, none.
    package let findings: [Finding]
    /// What happened to the locks; nil without `--update-lock`.
    package let lockUpdate: LockUpdate?

    /// The exit status of a command line: 0 when no finding is left, else 1.
    package var exitStatus: Int32 {
        findings.isEmpty ? 0 : 1
    }

    /// The lines after the findings: what happened to the locks, then a count of scripts and findings.
    package var summary: [String] {
        var lines: [String] = []
        switch lockUpdate {
        case .refused:
            lines.append("not updating the lock: fix the findings above first")
        case .written(let paths) where paths.isEmpty:
            lines.append("the lock is up to date")
        case .written(let paths):
            lines += paths.map { "wrote \($0)" }
        case nil:
            break
        }
        let scripts = scriptCount == 1 ? "1 script" : "\(scriptCount) scripts"
        let count = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        lines.append(findings.isEmpty ? "\(scripts), no findings" : "\(scripts), \(count)")
        return lines
    }
}
