import Foundation

/// Runs a service's `main`: an error that ends it (a bad setting, Redis unreachable at start) is
/// written as one line on standard error, and the process exits with status 1.
public enum ServiceLauncher {
    /// Runs `body`; on a throw, reports it as `<executable>: <error>` and exits with status 1.
    @MainActor public static func run(_ executable: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            FileHandle.standardError.write(Data("\(executable): \(error)\n".utf8))
            exit(1)
        }
    }
}
