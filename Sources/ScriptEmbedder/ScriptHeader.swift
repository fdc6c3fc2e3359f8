import Foundation

/// The name and version from a script's header, the leading comment block of its file.
///
/// The header is an optional first line `#!lua` or `#!lua flags=...` followed by consecutive lines
/// that start with `--`; the first other line ends it. It must contain `-- name: <name>` and
/// `-- version: <positive integer>`. Other header lines (summary, keys, argv, returns) are the
/// linter's business and are ignored here.
struct ScriptHeader: Equatable {
    /// The script's name: equal to the file name without `.lua`, matching `[a-z][a-z0-9-]*`.
    let name: String
    /// The script's version, a positive integer.
    let version: Int
    /// The 1-based line of `-- name:`, where errors about the name point.
    let nameLine: Int

    /// One `-- key: value` line of the header.
    private struct Field {
        /// The trimmed text after the colon.
        let value: String
        /// The field's 1-based line.
        let line: Int
    }

    /// Swift identifiers a script may not take: `all` is the generated list, the others name every type's own members.
    private static let reservedIdentifiers: Set<String> = ["all", "init", "self"]

    /// Parses and validates the header of `source`, the text of the file at `path`; reports every problem it finds.
    static func parse(_ source: String, path: String) throws(ScriptErrors) -> ScriptHeader {
        var errors: [ScriptDiagnostic] = []
        func fail(_ line: Int, _ message: String) {
            errors.append(ScriptDiagnostic(path: path, line: line, message: message))
        }

        var nameField: Field?
        var versionField: Field?
        for (index, text) in headerLines(of: source).enumerated() {
            let line = index + 1
            if index == 0 && text.hasPrefix("#!") {
                if text != "#!lua" && !text.hasPrefix("#!lua flags=") {
                    fail(line, "the first line must be '#!lua' or '#!lua flags=...', found '\(text)'")
                }
                continue
            }
            let body = text.dropFirst(2)
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon].trimmingCharacters(in: .whitespaces)
            let field = Field(value: body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces), line: line)
            switch key {
            case "name":
                if let first = nameField {
                    fail(line, "duplicate '-- name:' line; the first is on line \(first.line)")
                } else {
                    nameField = field
                }
            case "version":
                if let first = versionField {
                    fail(line, "duplicate '-- version:' line; the first is on line \(first.line)")
                } else {
                    versionField = field
                }
            default:
                continue
            }
        }

        if let nameField {
            let fileName = URL(filePath: path).lastPathComponent
            let expectedName = fileName.hasSuffix(".lua") ? String(fileName.dropLast(4)) : fileName
            if !isValidName(nameField.value) {
                fail(nameField.line, "the name '\(nameField.value)' must match [a-z][a-z0-9-]*")
            } else if reservedIdentifiers.contains(SwiftCodeGenerator.identifier(forScriptName: nameField.value)) {
                fail(nameField.line, "the name '\(nameField.value)' is reserved: RedisScript already has a member of that name")
            }
            if nameField.value != expectedName {
                fail(nameField.line, "the name '\(nameField.value)' must equal the file name without '.lua', '\(expectedName)'")
            }
        } else {
            fail(1, "the header has no '-- name: <name>' line")
        }
        var version: Int?
        if let versionField {
            version = positiveInteger(versionField.value)
            if version == nil {
                fail(versionField.line, "the version must be a positive integer without leading zeros, found '\(versionField.value)'")
            }
        } else {
            fail(1, "the header has no '-- version: <positive integer>' line")
        }

        guard errors.isEmpty, let nameField, let version else {
            throw ScriptErrors(diagnostics: errors)
        }
        return ScriptHeader(name: nameField.value, version: version, nameLine: nameField.line)
    }

    /// The header's lines without line terminators: line 1 if it starts with `#!`, then every line starting with `--`.
    ///
    /// Splits on Unicode scalars, not Characters: as a Character, `"\r\n"` is one grapheme that is not `"\n"`.
    private static func headerLines(of source: String) -> [String] {
        var result: [String] = []
        for scalars in source.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(String.UnicodeScalarView(scalars))
            if line.hasSuffix("\r") {
                line.removeLast()
            }
            let isShebang = result.isEmpty && line.hasPrefix("#!")
            guard isShebang || line.hasPrefix("--") else { break }
            result.append(line)
        }
        return result
    }

    /// Whether `name` matches `[a-z][a-z0-9-]*`.
    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// The value of `text` if it is `[1-9][0-9]*` and fits in an `Int`, else nil.
    private static func positiveInteger(_ text: String) -> Int? {
        guard let first = text.unicodeScalars.first, ("1"..."9").contains(first),
            text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) })
        else { return nil }
        return Int(text)
    }
}
