import Foundation

@testable import LuaScriptKit

/// The line where ``lint(_:keys:argv:)`` puts the first line of its code.
let codeLine = 17

/// Lints `code` as the script `test.lua` under a valid header that declares `keys` keys and `argv`
/// arguments (at most 4 each), and returns the findings as `test.lua:<line>: <rule>`.
///
/// The header always takes 16 lines (the `-- keys:` and `-- argv:` sections are padded with
/// continuation lines), so the code starts on line ``codeLine`` whatever is declared.
func lint(_ code: String, keys: Int = 0, argv: Int = 0) -> [String] {
    lintFindings(code, keys: keys, argv: argv).map(\.location)
}

/// The findings ``lint(_:keys:argv:)`` reports, in full.
func lintFindings(_ code: String, keys: Int = 0, argv: Int = 0) -> [Finding] {
    let source = testHeader(keys: keys, argv: argv) + code
    return ScriptLinter.lint(source: Array(source.utf8), path: "test.lua").findings
}

extension Finding {
    /// `<file name>:<line>: <rule>`: where the finding is and which rule found it, without the message.
    var location: String {
        "\(path.split(separator: "/").last ?? ""):\(line): \(rule.rawValue)"
    }
}

/// The 16-line header ``lint(_:keys:argv:)`` uses, ending with a blank line.
func testHeader(keys: Int, argv: Int) -> String {
    precondition(keys <= 4 && argv <= 4, "the test header has room for 4 keys and 4 arguments")
    func section(_ items: [String]) -> [String] {
        let lines = items.isEmpty ? ["--   none"] : items
        return lines + Array(repeating: "--   (the section continues)", count: 4 - lines.count)
    }
    let lines =
        ["-- name: test", "-- version: 1", "-- summary: A script for the tests.", "-- keys:"]
        + section((0..<keys).map { "--   \($0 + 1). key\($0 + 1): a key" })
        + ["-- argv:"]
        + section((0..<argv).map { "--   \($0 + 1). an argument" })
        + ["-- returns:", "--   anything", ""]
    return lines.joined(separator: "\n") + "\n"
}
