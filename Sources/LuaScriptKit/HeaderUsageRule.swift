/// The rules `header-keys` and `header-argv`: the header's keys and argv match how the code uses `KEYS` and `ARGV`.
///
/// When the code indexes the table only with integer literals, the header lists exactly the items
/// 1…N, N the largest index used, and no repeating items. When it indexes the table with a computed
/// expression, takes its length or uses the table as a whole, the header declares at least one
/// repeating item.
enum HeaderUsageRule {
    /// The findings of both rules for `facts` against `declarations`.
    static func findings(_ facts: ScriptFacts, declarations: HeaderDeclarations, path: String) -> [Finding] {
        var findings: [Finding] = []
        if let keys = declarations.keys {
            findings += check(facts, table: "KEYS", section: "keys", list: keys, rule: .headerKeys, path: path)
        }
        if let argv = declarations.argv {
            findings += check(facts, table: "ARGV", section: "argv", list: argv, rule: .headerArgv, path: path)
        }
        return findings
    }

    /// The findings for one table, `KEYS` or `ARGV`, against its header section.
    private static func check(
        _ facts: ScriptFacts, table: String, section: String, list: HeaderList, rule: LintRule, path: String
    ) -> [Finding] {
        let uses = facts.argumentTableUses.filter { $0.table == table }
        var literalUses: [(index: Int, line: Int)] = []
        for use in uses {
            guard case .literalIndex(let index) = use.use else {
                guard list.repeatingItems.isEmpty else { return [] }
                let how: String
                switch use.use {
                case .length: how = "takes #\(table)"
                case .whole: how = "uses \(table) as a whole"
                default: how = "indexes \(table) with a computed expression"
                }
                let example = HeaderIndex.repeating(base: list.fixedItems.count + 1, step: 1)
                let message = "the code \(how), so the header's \(section) must declare repeating items, such as '\(example).'"
                return [Finding(path: path, line: use.line, rule: rule, message: message)]
            }
            literalUses.append((index, use.line))
        }
        var findings: [Finding] = []
        if let first = list.repeatingItems.first {
            let message = "the header declares the repeating \(section) item \(first.index), "
                + "but the code indexes \(table) only with integer literals"
            findings.append(Finding(path: path, line: first.line, rule: rule, message: message))
        }
        let declared = list.fixedItems.count
        let highest = literalUses.map(\.index).max() ?? 0
        if let beyond = literalUses.first(where: { $0.index > declared }) {
            let listed = declared == 0 ? "says none" : "list only \(declared) item" + (declared == 1 ? "" : "s")
            let message = "the code uses \(table)[\(beyond.index)], but the header's \(section) \(listed)"
            findings.append(Finding(path: path, line: beyond.line, rule: rule, message: message))
        } else if highest < declared {
            let unused = list.fixedItems[highest]
            let used = highest == 0 ? "never uses \(table)" : "uses no \(table) index above \(highest)"
            let message = "the header declares \(section) item \(unused.index), but the code \(used)"
            findings.append(Finding(path: path, line: unused.line, rule: rule, message: message))
        }
        return findings
    }
}
