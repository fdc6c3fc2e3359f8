import Logging

/// How a shop service logs: `LOG_FORMAT` chooses the handler, `LOG_LEVEL` the level.
public enum ServiceLogging {
    /// Bootstraps swift-log for the process from `environment`: `LOG_FORMAT=json` writes one JSON
    /// object per line (``JSONLogHandler``), `text` (the default) swift-log's own lines, both on
    /// standard output. Returns the service's logger, labelled `service`.
    public static func bootstrap(service: String, environment: ServiceEnvironment) throws -> Logger {
        let level = try environment.logLevel()
        switch environment.string("LOG_FORMAT") ?? "text" {
        case "json":
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        case "text":
            LoggingSystem.bootstrap(StreamLogHandler.standardOutput)
        case let other:
            throw ServiceEnvironment.Invalid(description: "LOG_FORMAT must be 'text' or 'json', not '\(other)'")
        }
        var logger = Logger(label: service)
        logger.logLevel = level
        return logger
    }
}
