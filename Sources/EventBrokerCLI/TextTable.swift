/// Rows of text in aligned columns, for the human output of the commands: each column as wide
/// as its widest cell, two spaces apart, numbers right-aligned, no trailing spaces.
struct TextTable {
    /// The column titles.
    let header: [String]
    /// The columns whose cells are right-aligned (numbers).
    let rightAligned: Set<Int>
    /// The rows, each with one cell per column.
    var rows: [[String]] = []

    /// Creates an empty table with `header`; `rightAligned` lists the columns of numbers.
    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    /// The header and the rows, one line each.
    var lines: [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            let padded = cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                return rightAligned.contains(column) ? padding + cells[column] : cells[column] + padding
            }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
    }
}
