import Logging

/// A service's settings as its environment gives them, as a container or a unit file would set
/// them; every reader throws ``ServiceEnvironment/Invalid`` for a value it does not understand.
public struct ServiceEnvironment: Sendable {
    /// Why a variable was refused: its name, its value and what was expected.
    public struct Invalid: Error, CustomStringConvertible {
        /// A one-line explanation.
        public let description: String
    }

    private let variables: [String: String]

    /// Reads from `variables` (usually `ProcessInfo.processInfo.environment`).
    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The value of `name`; `nil` when it is unset or empty.
    public func string(_ name: String) -> String? {
        variables[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The whole number in `name`, `defaultValue` when unset; it must lie in `range`.
    public func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw Invalid(description: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// The range of milliseconds in `name`, written `20-60` (or `40` for a fixed time),
    /// `defaultValue` when unset.
    public func milliseconds(_ name: String, default defaultValue: ClosedRange<Int>) throws -> ClosedRange<Int> {
        guard let text = string(name) else { return defaultValue }
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
            low >= 0, low <= high, high <= 600_000
        else {
            throw Invalid(description: "\(name) must be milliseconds like '40' or '20-60' (at most 600000), not '\(text)'")
        }
        return low...high
    }

    /// `LOG_LEVEL`, default `info`.
    public func logLevel() throws -> Logger.Level {
        let text = string("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw Invalid(description: "LOG_LEVEL must be one of \(levels), not '\(text)'")
        }
        return level
    }
}
