/// The contents of a `scripts.lock`: the name, version and SHA1 of each script of its folder.
///
/// The format: one `<name> <version> <sha1>` line per script, sorted by name; blank lines and
/// lines starting with `#` are ignored.
struct ScriptLock {
    /// One script's line.
    struct Entry {
        /// The script's name, its file name without `.lua`.
        let name: String
        /// The version the script had when the lock was written.
        let version: Int
        /// The lowercase hex SHA1 of the script's bytes when the lock was written.
        let sha1: String
    }

    /// The file name of a folder's lock.
    static let fileName = "scripts.lock"

    /// The comment at the top of every lock this linter writes.
    private static let preamble = """
        # The version and SHA1 of every script in this folder: one '<name> <version> <sha1>' line each, sorted by name.
        # The linter fails when a script's text changes and its '-- version:' does not.
        # Written by `event-broker lint --update-lock`; do not edit.

        """

    /// The well-formed entries, with their lines, in file order (the first of duplicates only).
    let entries: [(entry: Entry, line: Int)]
    /// Malformed, duplicate and out-of-order lines.
    let findings: [Finding]

    /// Parses the text of the lock at `path`.
    init(text: String, path: String) {
        var entries: [(entry: Entry, line: Int)] = []
        var findings: [Finding] = []
        var firstLineByName: [String: Int] = [:]
        var reportedOrder = false
        func fail(_ line: Int, _ message: String) {
            findings.append(Finding(path: path, line: line, rule: .lock, message: message, isResolvedByUpdatingLock: true))
        }
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            let fields = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty || fields[0].hasPrefix("#") {
                continue
            }
            guard fields.count == 3, let version = HeaderIndex.positiveInteger(fields[1]),
                Self.isName(fields[0]), Self.isSHA1(fields[2])
            else {
                fail(line, "malformed lock line '\(rawLine)': expected '<name> <version> <sha1>'; run `event-broker lint --update-lock`")
                continue
            }
            let entry = Entry(name: String(fields[0]), version: version, sha1: String(fields[2]))
            if let first = firstLineByName[entry.name] {
                fail(line, "duplicate entry for '\(entry.name)'; the first is on line \(first): run `event-broker lint --update-lock`")
                continue
            }
            if let previous = entries.last, previous.entry.name > entry.name, !reportedOrder {
                fail(line, "the lock is not sorted by name: '\(entry.name)' follows '\(previous.entry.name)'; "
                    + "run `event-broker lint --update-lock`")
                reportedOrder = true
            }
            firstLineByName[entry.name] = line
            entries.append((entry, line))
        }
        self.entries = entries
        self.findings = findings
    }

    /// The entry of the script `name`, with its line.
    func entry(named name: String) -> (entry: Entry, line: Int)? {
        entries.first { $0.entry.name == name }
    }

    /// The text of a lock holding `entries`, sorted by name.
    static func text(of entries: [Entry]) -> String {
        preamble + entries.sorted { $0.name < $1.name }.map { "\($0.name) \($0.version) \($0.sha1)\n" }.joined()
    }

    /// Whether `text` matches `[a-z][a-z0-9-]*`.
    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, ("a"..."z").contains(first) else { return false }
        return text.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Whether `text` is 40 lowercase hex digits.
    private static func isSHA1(_ text: Substring) -> Bool {
        text.count == 40 && text.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
