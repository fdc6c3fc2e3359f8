import Testing

@testable import LuaScriptKit

/// One way to break a script for one lint rule: a small text change that applies to any script
/// of `Scripts/`, and knows which line the rule's finding must point at.
struct ScriptBreakage: Sendable, CustomTestStringConvertible {
    /// The rule the broken copy must fail, and no other.
    let rule: LintRule
    /// How the copy is broken.
    let mutation: ScriptMutation

    var testDescription: String { "\(rule.rawValue): \(mutation)" }

    /// One breakage per rule, in the order of ``LintRule``.
    static let all: [ScriptBreakage] = [
        // Lua 5.4 cannot compile a `local` without a name.
        ScriptBreakage(rule: .syntax, mutation: .insertBeforeLastReturn("local = 1")),
        // `//` is Lua 5.3+; Redis's Lua 5.1 rejects it.
        ScriptBreakage(rule: .lua51Syntax, mutation: .insertBeforeLastReturn("local halved = 3 // 2")),
        // `string.pack` is Lua 5.3+; Redis offers `struct` instead.
        ScriptBreakage(rule: .lua51Library, mutation: .insertBeforeLastReturn("local packed = string.pack('>I4', 1)")),
        // An assignment to an undeclared name writes a global.
        ScriptBreakage(rule: .globalWrite, mutation: .insertBeforeLastReturn("leaked = true")),
        // `print` is no global of Redis's Lua (use `redis.log`).
        ScriptBreakage(rule: .unknownGlobal, mutation: .insertBeforeLastReturn("print('done')")),
        // A key built by concatenation: Redis (and Cluster) cannot know the script touches it.
        ScriptBreakage(rule: .undeclaredKey, mutation: .insertBeforeLastReturn("redis.call('GET', 'events:' .. KEYS[1])")),
        // The command of the script's first `redis.call` misspelt.
        ScriptBreakage(rule: .unknownCommand, mutation: .replaceFirstInCode("redis.call('", with: "redis.call('X-")),
        // The command of the script's first `redis.call` computed rather than a string literal.
        ScriptBreakage(rule: .dynamicCommand, mutation: .replaceFirstInCode("redis.call('", with: "redis.call('' .. '")),
        // A header without its `-- version:` line.
        ScriptBreakage(rule: .header, mutation: .deleteHeaderField("version")),
        // A header that says the script takes no keys, though its code uses KEYS.
        ScriptBreakage(rule: .headerKeys, mutation: .misdeclare(section: "keys")),
        // A header that says the script takes no arguments, though its code uses ARGV, or
        // declares one that its code never reads.
        ScriptBreakage(rule: .headerArgv, mutation: .misdeclare(section: "argv")),
        // One byte of the code changed under the version the lock records.
        ScriptBreakage(rule: .lock, mutation: .changeOneByteOfTheLastReturn),
    ]
}

/// A text change that breaks a script, and where the finding it causes must point.
///
/// Every case applies to every script of `Scripts/`: each has a header after a `#!lua` line, at
/// least one key, a `redis.call` with a literal command, and ends with a
/// top-level `return`. ``apply(to:)`` returns nil for a script where that does not hold, and the
/// test then fails rather than passing without a change.
enum ScriptMutation: Sendable, CustomStringConvertible {
    /// Inserts a line before the script's last top-level `return`; the finding points at that line.
    case insertBeforeLastReturn(String)
    /// Replaces the first occurrence of a text in the code (after the header) by another; the
    /// finding points at its line.
    case replaceFirstInCode(String, with: String)
    /// Deletes the header's `-- <field>:` line; the finding points at the header's first line,
    /// where the linter reports missing fields.
    case deleteHeaderField(String)
    /// Replaces the items of the header's `-- keys:` or `-- argv:` section by `--   none`, or
    /// a section that says `none` by one item, which the code then never reads.
    ///
    /// With `none`, the finding points at the code's first use of `KEYS` (`ARGV`) that does not
    /// index it with an integer literal (`#KEYS`, `KEYS[i]`), which needs repeating items; when
    /// every use is such a literal index, at the first of them, which the header no longer lists.
    /// With the added item, it points at that item.
    case misdeclare(section: String)
    /// Turns the space after the last top-level `return` into a tab: the same code, another
    /// text, and so another SHA1 under the same version; the finding points at `-- version:`.
    case changeOneByteOfTheLastReturn

    var description: String {
        switch self {
        case .insertBeforeLastReturn(let line): return "insert '\(line)' before the last return"
        case .replaceFirstInCode(let old, let new): return "replace the first \"\(old)\" by \"\(new)\""
        case .deleteHeaderField(let field): return "delete the '-- \(field):' line"
        case .misdeclare(let section): return "declare '\(section)' none, or one unread item"
        case .changeOneByteOfTheLastReturn: return "a tab after the last return"
        }
    }

    /// The broken text of `source` and the 1-based line its finding must point at; nil when this
    /// mutation does not apply to `source`.
    func apply(to source: String) -> (text: String, line: Int)? {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch self {
        case .insertBeforeLastReturn(let line):
            guard let index = Self.lastReturn(in: lines) else { return nil }
            lines.insert(line, at: index)
            return (Self.text(lines), index + 1)
        case .replaceFirstInCode(let old, let new):
            guard let index = lines.indices.dropFirst(Self.codeStart(of: lines)).first(where: { lines[$0].contains(old) }),
                let range = lines[index].firstRange(of: old)
            else { return nil }
            lines[index].replaceSubrange(range, with: new)
            return (Self.text(lines), index + 1)
        case .deleteHeaderField(let field):
            let headerStart = lines.first?.hasPrefix("#!") == true ? 1 : 0
            guard let index = lines[..<Self.codeStart(of: lines)].firstIndex(where: { $0.hasPrefix("-- \(field):") }) else {
                return nil
            }
            lines.remove(at: index)
            return (Self.text(lines), headerStart + 1)
        case .misdeclare(let section):
            guard let index = lines.firstIndex(of: "-- \(section):") else { return nil }
            let items = lines[(index + 1)...].prefix { $0.hasPrefix("--   ") }
            if items == ["--   none"] {
                lines[index + 1] = "--   1. unread: an item the code never reads"
                return (Self.text(lines), index + 2)
            }
            guard !items.isEmpty else { return nil }
            lines.replaceSubrange(items.startIndex..<items.endIndex, with: ["--   none"])
            guard let line = Self.firstUseNeedingItems(of: section.uppercased(), in: lines) else { return nil }
            return (Self.text(lines), line)
        case .changeOneByteOfTheLastReturn:
            guard let index = Self.lastReturn(in: lines), lines[index].hasPrefix("return "),
                let versionLine = lines.firstIndex(where: { $0.hasPrefix("-- version:") })
            else { return nil }
            lines[index] = "return\t" + lines[index].dropFirst("return ".count)
            return (Self.text(lines), versionLine + 1)
        }
    }

    /// `lines` joined again with the line breaks `split` took out.
    private static func text(_ lines: [String]) -> String {
        lines.joined(separator: "\n")
    }

    /// The index of the first line after the `#!` line and the header's comment block.
    private static func codeStart(of lines: [String]) -> Int {
        let headerStart = lines.first?.hasPrefix("#!") == true ? 1 : 0
        return lines[headerStart...].firstIndex { !$0.hasPrefix("--") } ?? lines.count
    }

    /// The index of the last line that is an unindented `return`: the script's top-level one.
    private static func lastReturn(in lines: [String]) -> Int? {
        lines.lastIndex { $0 == "return" || $0.hasPrefix("return ") }
    }

    /// The 1-based line of the first use of `table` (`KEYS` or `ARGV`) in the code that is not
    /// an integer-literal index, or else of the first use; nil when the code never uses it.
    ///
    /// A crude scan of the text: comments are cut at `--`, which no string of the scripts holds.
    private static func firstUseNeedingItems(of table: String, in lines: [String]) -> Int? {
        let use = try! Regex("\\b\(table)\\b(\\[[0-9]+\\])?")
        var firstUse: Int?
        for index in lines.indices.dropFirst(codeStart(of: lines)) {
            let code = lines[index].split(separator: "--", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for match in code.matches(of: use) {
                if match.output[1].substring == nil { return index + 1 }
                firstUse = firstUse ?? index + 1
            }
        }
        return firstUse
    }
}
