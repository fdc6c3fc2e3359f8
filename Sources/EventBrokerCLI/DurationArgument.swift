import ArgumentParser

/// The parser of every duration the commands take: a whole number and a unit, as in `500ms`,
/// `2s`, `1m` or `1h`.
enum DurationArgument {
    /// The units a duration may end with, and how many milliseconds one of each lasts.
    private static let units: [String: Int64] = ["ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000]

    /// What the options taking a duration say about its form, for their help.
    static let forms = "a whole number and a unit (ms, s, m or h), as in 500ms, 2s or 1m"

    /// Parses `text`; throws a `ValidationError` saying what is expected.
    static func parse(_ text: String) throws -> Duration {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let unit = units[String(text[digits.endIndex...])] else {
            throw ValidationError("expected \(forms)")
        }
        guard let count = Int64(digits), case (let milliseconds, false) = count.multipliedReportingOverflow(by: unit)
        else {
            throw ValidationError("\(text) is too long a duration")
        }
        return .milliseconds(milliseconds)
    }
}
