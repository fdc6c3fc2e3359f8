import Foundation
import RedisServerProcess
import Testing

@Suite struct RedisServerProcessTests {
    @Test func startsOnASocketAndRemovesItsDirectoryWhenStopped() async throws {
        let server = try await RedisServerProcess.start(.init(listenOnLoopbackPort: true))
        #expect(FileManager.default.fileExists(atPath: server.socketPath))
        #expect(server.port != nil && server.port != 0)
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.directory.path))
    }
}
