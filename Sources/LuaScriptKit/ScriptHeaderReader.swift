/// What a script's header declares, as far as it is well-formed.
struct HeaderDeclarations {
    /// The `-- version:` value, when it is a positive integer.
    var version: Int?
    /// The line of `-- version:`, when there is one.
    var versionLine: Int?
    /// The `-- keys:` items, when the section is well-formed.
    var keys: HeaderList?
    /// The `-- argv:` items, when the section is well-formed.
    var argv: HeaderList?
}

/// The numbered items of a well-formed `-- keys:` or `-- argv:` section.
struct HeaderList {
    /// The items with a fixed index, numbered 1, 2, ...
    let fixedItems: [HeaderItem]
    /// The repeating items that follow them, such as `3+3i`.
    let repeatingItems: [HeaderItem]
}

/// One item of a `-- keys:` or `-- argv:` section.
struct HeaderItem {
    /// The item's index.
    let index: HeaderIndex
    /// The item's line.
    let line: Int
}

/// The index of a header item: a position, or a repeating form `a+bi` that stands for a, a+b, a+2b, ...
enum HeaderIndex: CustomStringConvertible {
    /// A fixed position, such as `2`.
    case fixed(Int)
    /// A repeating form `base+step i`, for each i = 0, 1, …; `5+i` has step 1.
    case repeating(base: Int, step: Int)

    /// Parses `12`, `3+3i` or `5+i`; nil for anything else (positive integers only, no leading zeros).
    init?(_ text: Substring) {
        if let value = Self.positiveInteger(text) {
            self = .fixed(value)
            return
        }
        guard text.hasSuffix("i"), let plus = text.firstIndex(of: "+"),
            let base = Self.positiveInteger(text[..<plus])
        else { return nil }
        let stepText = text[text.index(after: plus)...].dropLast()
        guard let step = stepText.isEmpty ? 1 : Self.positiveInteger(stepText) else { return nil }
        self = .repeating(base: base, step: step)
    }

    /// The index as written in a header.
    var description: String {
        switch self {
        case .fixed(let value): return "\(value)"
        case .repeating(let base, let step): return step == 1 ? "\(base)+i" : "\(base)+\(step)i"
        }
    }

    /// The value of `text` if it is `[1-9][0-9]*` and fits an `Int`.
    static func positiveInteger(_ text: Substring) -> Int? {
        guard let first = text.first, ("1"..."9").contains(first), text.allSatisfy({ ("0"..."9").contains($0) }) else {
            return nil
        }
        return Int(text)
    }
}

/// Reads and checks the header of a script: the optional `#!lua` line and the `--` comment block after it.
///
/// The grammar (rule `header`):
///
///     [#!lua | #!lua flags=<flag>{,<flag>}]
///     -- name: <[a-z][a-z0-9-]*, the file name without .lua>
///     -- version: <positive integer>
///     -- summary: <text>
///     --   <continuation text>                      (three or more spaces after --)
///     -- keys:
///     --   <index>. <name>: <description>           (or the single line --   none)
///     --   <continuation text>                      (any indented line not starting with an index)
///     -- argv:
///     --   <index>. <description>                   (or --   none; continuations as for keys)
///     -- returns: [<text>]
///     --   <text>                                   (at least one line of text in all)
///
/// The fields may come in any order; each is required once. The block ends at the first line not
/// starting with `--`. An `<index>` is a positive integer or a repeating form `<a>+<b>i` / `<a>+i`;
/// items are numbered 1, 2, … with the repeating forms after the fixed ones, continuing the
/// numbering, and all stepping by their own count (`3+3i. 4+3i. 5+3i.`), so that they tile.
struct ScriptHeaderReader {
    /// The flags a Redis 7.0 script may declare in its shebang.
    static let knownFlags: Set<String> = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]

    /// The header's fields.
    private enum Field: String, CaseIterable {
        case name, version, summary, keys, argv, returns

        /// How the field's line looks, for messages about a missing field.
        var form: String {
            switch self {
            case .name: return "'-- name: <name>'"
            case .version: return "'-- version: <positive integer>'"
            case .summary: return "'-- summary: <text>'"
            case .keys: return "'-- keys:' section (items, or '--   none')"
            case .argv: return "'-- argv:' section (items, or '--   none')"
            case .returns: return "'-- returns:' section"
            }
        }
    }

    /// A field's line and the indented lines after it.
    private struct Section {
        /// The line of `-- field:`.
        let line: Int
        /// The trimmed text after the colon.
        let value: String
        /// The indented lines that follow, trimmed, with their lines.
        var continuations: [(text: String, line: Int)] = []
    }

    /// What the reader is adding indented lines to.
    private enum Current {
        /// Nothing yet: indented lines here are misplaced.
        case nothing
        /// A known field's section.
        case section(Field)
        /// A field already reported (unknown or duplicate): its indented lines are skipped.
        case skipped
    }

    /// The script's path, for findings and the name check.
    private let path: String
    /// The findings so far, in the order they were found.
    private var findings: [Finding] = []

    /// Creates a reader for the script at `path`.
    private init(path: String) {
        self.path = path
    }

    /// Reads the header of the script at `path` whose lines (without line breaks) are `lines`.
    static func read(lines: [String], path: String) -> (HeaderDeclarations, [Finding]) {
        var reader = ScriptHeaderReader(path: path)
        let declarations = reader.read(lines: lines)
        let sorted = reader.findings.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        return (declarations, sorted.map(\.element))
    }

    /// Records a `header` finding at `line`.
    private mutating func fail(_ line: Int, _ message: String) {
        findings.append(Finding(path: path, line: line, rule: .header, message: message))
    }

    /// Reads the shebang and the comment block, checks every field, and returns what the header declares.
    private mutating func read(lines: [String]) -> HeaderDeclarations {
        var index = 0
        if let first = lines.first, first.hasPrefix("#!") {
            checkShebang(first)
            index = 1
        }
        let blockLine = index + 1
        var sections: [Field: Section] = [:]
        var current = Current.nothing
        while index < lines.count, lines[index].hasPrefix("--") {
            let text = lines[index]
            let line = index + 1
            index += 1
            if let (key, value) = Self.fieldLine(text) {
                if let field = Field(rawValue: key) {
                    if let first = sections[field] {
                        fail(line, "duplicate '-- \(key):' line; the first is on line \(first.line)")
                        current = .skipped
                    } else {
                        sections[field] = Section(line: line, value: value)
                        current = .section(field)
                    }
                } else {
                    let fields = Field.allCases.map(\.rawValue).joined(separator: ", ")
                    fail(line, "unknown header field '\(key)': the fields are \(fields)")
                    current = .skipped
                }
            } else if let content = Self.indentedContent(text) {
                switch current {
                case .nothing: fail(line, "an indented header line must follow a '-- <field>:' line")
                case .section(let field): sections[field]?.continuations.append((content, line))
                case .skipped: continue
                }
            } else {
                fail(line, "malformed header line: write '-- <field>: <value>', "
                    + "or continue a field on a line indented by at least three spaces after '--'")
            }
        }
        if sections.isEmpty {
            fail(blockLine, "the script has no header: start it with "
                + "'-- name:', '-- version:', '-- summary:', '-- keys:', '-- argv:' and '-- returns:' lines")
            return HeaderDeclarations()
        }
        for field in Field.allCases where sections[field] == nil {
            fail(blockLine, "the header has no \(field.form)")
        }
        var declarations = HeaderDeclarations()
        if let section = sections[.name] {
            checkName(section)
        }
        if let section = sections[.version] {
            declarations.versionLine = section.line
            declarations.version = checkVersion(section)
        }
        if let section = sections[.summary], section.value.isEmpty {
            fail(section.line, "the summary is empty: write '-- summary: <text>'")
        }
        if let section = sections[.keys] {
            declarations.keys = list(section, of: "keys")
        }
        if let section = sections[.argv] {
            declarations.argv = list(section, of: "argv")
        }
        if let section = sections[.returns], section.value.isEmpty, section.continuations.isEmpty {
            fail(section.line, "'-- returns:' says nothing: describe the reply on it or on indented lines after it")
        }
        return declarations
    }

    /// `(field, value)` when `text` is `-- <lowercase letters>: <value>`.
    private static func fieldLine(_ text: String) -> (String, String)? {
        guard text.hasPrefix("-- "), let colon = text.firstIndex(of: ":") else { return nil }
        let key = text[text.index(text.startIndex, offsetBy: 3)..<colon]
        guard !key.isEmpty, key.allSatisfy({ ("a"..."z").contains($0) }) else { return nil }
        return (String(key), trimmed(text[text.index(after: colon)...]))
    }

    /// The trimmed text of `text` when it is `--` followed by at least three spaces and some text.
    private static func indentedContent(_ text: String) -> String? {
        guard text.hasPrefix("--   ") else { return nil }
        let content = trimmed(text.dropFirst(2))
        return content.isEmpty ? nil : content
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmed(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
    }

    // MARK: Fields

    /// Checks the `#!` line: `#!lua`, or `#!lua flags=` and a comma list of the flags Redis knows.
    private mutating func checkShebang(_ text: String) {
        let flagsPrefix = "#!lua flags="
        if text == "#!lua" {
            return
        }
        guard text.hasPrefix(flagsPrefix) else {
            fail(1, "the first line must be '#!lua' or '#!lua flags=<flag>,...', found '\(text)'")
            return
        }
        for flag in text.dropFirst(flagsPrefix.count).split(separator: ",", omittingEmptySubsequences: false)
        where !Self.knownFlags.contains(String(flag)) {
            let known = Self.knownFlags.sorted().joined(separator: ", ")
            fail(1, "unknown script flag '\(flag)' in the shebang: Redis 7.0 knows \(known)")
        }
    }

    /// Checks that the name matches `[a-z][a-z0-9-]*` and the file name.
    private mutating func checkName(_ section: Section) {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let expected = fileName.hasSuffix(".lua") ? String(fileName.dropLast(4)) : fileName
        let name = section.value
        let isValid = name.first.map { ("a"..."z").contains($0) } == true
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        if !isValid {
            fail(section.line, "the name '\(name)' must match [a-z][a-z0-9-]*")
        } else if name != expected {
            fail(section.line, "the name '\(name)' must equal the file name without '.lua', '\(expected)'")
        }
        noContinuations(section, field: "name")
    }

    /// Checks the version and returns it when it is a positive integer.
    private mutating func checkVersion(_ section: Section) -> Int? {
        noContinuations(section, field: "version")
        guard let version = HeaderIndex.positiveInteger(section.value[...]) else {
            fail(section.line, "the version must be a positive integer without leading zeros, found '\(section.value)'")
            return nil
        }
        return version
    }

    /// Reports an indented line after a one-line field.
    private mutating func noContinuations(_ section: Section, field: String) {
        if let first = section.continuations.first {
            fail(first.line, "'-- \(field):' takes one line; this indented line continues it")
        }
    }

    // MARK: Keys and argv

    /// The items of a `-- keys:` or `-- argv:` section; nil, with findings, when it is malformed.
    private mutating func list(_ section: Section, of field: String) -> HeaderList? {
        let findingsBefore = findings.count
        let itemForm = field == "keys" ? "'--   <index>. <name>: <description>'" : "'--   <index>. <description>'"
        if !section.value.isEmpty {
            fail(section.line, "write the \(field) on the lines after '-- \(field):', as \(itemForm), or '--   none'")
        }
        var items: [HeaderItem] = []
        var noneLine: Int?
        for (text, line) in section.continuations {
            if text == "none" {
                noneLine = line
                continue
            }
            guard let (token, rest) = Self.itemPrefix(text) else { continue }
            guard let index = HeaderIndex(token) else {
                fail(line, "malformed index '\(token)': write a positive integer, or a repeating form such as 3+3i or 5+i")
                continue
            }
            if !Self.isWellFormedItem(rest, named: field == "keys") {
                fail(line, "\(field) items are \(itemForm)")
            }
            items.append(HeaderItem(index: index, line: line))
        }
        if let noneLine, !items.isEmpty {
            fail(noneLine, "'none' means the script uses no \(field), yet the section lists items")
        } else if noneLine == nil, items.isEmpty {
            fail(section.line, "the \(field) section lists no items: write '--   none' when the script uses no \(field)")
        }
        let (fixed, repeating) = checkNumbering(items, of: field)
        return findings.count == findingsBefore ? HeaderList(fixedItems: fixed, repeatingItems: repeating) : nil
    }

    /// `(index, rest)` when `text` starts with an item index: a word starting with a digit, ending with `.`,
    /// followed by a space or nothing.
    private static func itemPrefix(_ text: String) -> (Substring, String)? {
        let word = text.prefix { $0 != " " }
        guard let first = word.first, first.isASCII, first.isNumber, word.hasSuffix(".") else { return nil }
        return (word.dropLast(), trimmed(text.dropFirst(word.count)))
    }

    /// Whether `rest`, the text after an item's index, is `<name>: <description>` (keys) or `<description>` (argv).
    private static func isWellFormedItem(_ rest: String, named: Bool) -> Bool {
        guard named else { return !rest.isEmpty }
        guard let colon = rest.firstIndex(of: ":") else { return false }
        return !trimmed(rest[..<colon]).isEmpty && !trimmed(rest[rest.index(after: colon)...]).isEmpty
    }

    /// Checks that `items` are numbered 1, 2, … with the repeating forms last and tiling; returns them split.
    private mutating func checkNumbering(_ items: [HeaderItem], of field: String) -> ([HeaderItem], [HeaderItem]) {
        var fixed: [HeaderItem] = []
        var repeating: [HeaderItem] = []
        var steps: [Int] = []
        var expected = 1
        for item in items {
            switch item.index {
            case .fixed(let value):
                if !repeating.isEmpty {
                    fail(item.line, "the fixed \(field) item \(value) follows repeating items: list the fixed items first")
                } else if value != expected {
                    fail(item.line, "this \(field) item should be number \(expected), not \(value): number the items 1, 2, … in order")
                }
                fixed.append(item)
                expected = value + 1
            case .repeating(let base, let step):
                if base != expected {
                    fail(item.line, "this repeating \(field) item should start at \(expected), not \(base): "
                        + "repeating items continue the numbering")
                }
                repeating.append(item)
                steps.append(step)
                expected = base + 1
            }
        }
        let count = repeating.count
        if let first = repeating.first, steps.contains(where: { $0 != count }) {
            let example = (0..<count).map { HeaderIndex.repeating(base: fixed.count + 1 + $0, step: count).description }
            fail(first.line, "the \(count) repeating \(field) items must each step by \(count) so that every i gets one of each: "
                + example.joined(separator: ", "))
        }
        return (fixed, repeating)
    }
}
