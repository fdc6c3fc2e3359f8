/// What one run of the script tests on one backend found.
package struct ScriptTestRun: Sendable, Equatable {
    /// The backend's name.
    package var backend: String
    /// The test files, in the order they ran.
    package var files: [ScriptTestFileResult]

    /// Creates a run.
    package init(backend: String, files: [ScriptTestFileResult]) {
        self.backend = backend
        self.files = files
    }

    /// How many tests passed.
    package var passed: Int { files.reduce(0) { $0 + $1.tests.filter(\.passed).count } }

    /// How many tests failed, a file that did not load counting as one.
    package var failed: Int {
        files.reduce(0) { $0 + $1.tests.filter { !$0.passed }.count + ($1.loadFailure == nil ? 0 : 1) }
    }

    /// Whether everything passed.
    package var succeeded: Bool { failed == 0 }

    /// One line per test (`✔ pick.test.lua: an empty queue hands out nothing`), the message of
    /// each failure indented below it, and the totals.
    package var report: String {
        var lines = ["\(backend) backend:"]
        for file in files {
            if let failure = file.loadFailure {
                lines.append("✘ \(file.file)\(failure.lineSuffix): the file did not load")
                lines.append(failure.indentedMessage)
            }
            for test in file.tests {
                switch test.outcome {
                case .passed:
                    lines.append("✔ \(file.file): \(test.name)")
                case .failed(let failure):
                    lines.append("✘ \(file.file)\(failure.lineSuffix): \(test.name)")
                    lines.append(failure.indentedMessage)
                }
            }
        }
        lines.append("\(backend): \(passed + failed) tests, \(passed) passed, \(failed) failed")
        return lines.joined(separator: "\n")
    }
}

/// The results of one test file.
package struct ScriptTestFileResult: Sendable, Equatable {
    /// The file name, such as `pick.test.lua`.
    package var file: String
    /// Why the file itself did not load (a syntax error, an error outside any test), if it did not.
    package var loadFailure: ScriptTestFailureReport?
    /// Its tests, in file order.
    package var tests: [ScriptTestResult]
}

/// The result of one test.
package struct ScriptTestResult: Sendable, Equatable {
    /// The test's name.
    package var name: String
    /// Whether it passed.
    package var outcome: Outcome
    /// The keyspace after the test; `nil` only when the backend could not be dumped.
    package var dump: KeyspaceDump?

    /// Passed, or failed and why.
    package enum Outcome: Sendable, Equatable {
        /// Every assertion held.
        case passed
        /// An assertion or error stopped the test.
        case failed(ScriptTestFailureReport)
    }

    /// Whether the test passed.
    package var passed: Bool { outcome == .passed }
}

/// Why a test or a file failed, and where.
package struct ScriptTestFailureReport: Sendable, Equatable {
    /// The message of the assertion or error.
    package var message: String
    /// The line of the test file it happened on, when known.
    package var line: Int?

    /// Creates a report.
    package init(message: String, line: Int?) {
        self.message = message
        self.line = line
    }

    var lineSuffix: String { line.map { ":\($0)" } ?? "" }

    var indentedMessage: String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}
