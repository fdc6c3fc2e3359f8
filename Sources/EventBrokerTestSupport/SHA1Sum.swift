import Foundation

/// `/usr/bin/sha1sum` failed: its exit status and what it wrote to standard error.
package struct SHA1SumFailure: Error, CustomStringConvertible {
    /// The exit status.
    package let status: Int32
    /// What `sha1sum` wrote to standard error.
    package let standardError: String

    /// The failure, for a test's report.
    package var description: String { "sha1sum failed (exit status \(status)): \(standardError)" }
}

/// The SHA1 of `bytes` as `/usr/bin/sha1sum` computes it, in lowercase hex; throws ``SHA1SumFailure`` if it fails.
package func sha1sum(_ bytes: [UInt8]) throws -> String {
    let output = try runProcess(URL(filePath: "/usr/bin/sha1sum"), [], input: bytes)
    guard output.status == 0 else {
        throw SHA1SumFailure(status: output.status, standardError: output.standardError)
    }
    return String(output.standardOutput.prefix(40))
}

/// The SHA1 of the file at `url` as `/usr/bin/sha1sum` computes it, in lowercase hex.
package func sha1sum(_ url: URL) throws -> String {
    try sha1sum(Array(try Data(contentsOf: url)))
}
