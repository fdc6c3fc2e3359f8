import ArgumentParser
import Logging

extension Logger {
    /// A logger writing to standard error at `level`, so that standard output carries only
    /// what a command prints; built without `LoggingSystem.bootstrap`, so nothing global changes.
    static func standardError(label: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }

    /// The names a `--log-level` option accepts, least severe first.
    static let levelNames = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    /// Parses a `--log-level` value: one of ``levelNames``.
    static func parseLevel(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text) else { throw ValidationError("use one of \(levelNames)") }
        return level
    }
}
