import Foundation

/// A new, empty directory under the system's temporary directory; the caller removes it.
package func makeTemporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appending(path: "RedisEventBrokerTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Writes `text` to `directory/name`, creating the folders `name` names, and returns the file's path.
@discardableResult
package func writeFile(_ text: String, named name: String, in directory: URL) throws -> String {
    let url = directory.appending(path: name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url.path(percentEncoded: false)
}
