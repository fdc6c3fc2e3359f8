import Foundation

/// The executables of the shop's services in the Examples package, which the demo runs.
struct ExampleServices {
    /// Why the services cannot be run.
    enum Failure: Error, CustomStringConvertible {
        case buildFailed(package: String, status: Int32?)
        case missingExecutable(String)

        var description: String {
            switch self {
            case .buildFailed(let package, let status):
                "swift build --package-path \(package) failed (\(status.map { "exit status \($0)" } ?? "killed by a signal"))"
            case .missingExecutable(let path):
                "no executable at \(path): build the Examples package (swift build --package-path Examples)"
            }
        }
    }

    /// The executables the demo needs.
    static let names = ["orders-service", "billing-service", "shipping-service"]

    /// The directory that holds them.
    let directory: URL

    /// The executables in `directory`, which must hold all of them.
    init(directory: URL) throws {
        for name in Self.names where !FileManager.default.isExecutableFile(atPath: directory.appending(path: name).path) {
            throw Failure.missingExecutable(directory.appending(path: name).path)
        }
        self.directory = directory
    }

    /// The path of `name`'s executable.
    func path(of name: String) -> String {
        directory.appending(path: name).path
    }

    /// Builds the Examples package at `packagePath` with `swift build`, its output going to this
    /// process's, and returns its executables. `scratch` holds the bin path's output.
    static func build(packagePath: String, scratch: URL) async throws -> ExampleServices {
        let build = try SpawnedProcess.spawn("swift", ["build", "--package-path", packagePath], log: nil)
        _ = await build.waitForExit(timeout: .seconds(3600))
        guard build.exitCode == 0 else { throw Failure.buildFailed(package: packagePath, status: build.exitCode) }
        let output = scratch.appending(path: "bin-path.txt").path
        let binPath = try SpawnedProcess.spawn(
            "swift", ["build", "--package-path", packagePath, "--show-bin-path"], log: output)
        _ = await binPath.waitForExit(timeout: .seconds(600))
        guard binPath.exitCode == 0 else { throw Failure.buildFailed(package: packagePath, status: binPath.exitCode) }
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let directory = text.split(separator: "\n").last.map { String($0) } ?? ""
        return try ExampleServices(directory: URL(filePath: directory))
    }
}
