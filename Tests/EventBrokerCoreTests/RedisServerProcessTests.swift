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

    @Test func aBackgroundProcessInheritsNoDescriptorButItsStandardStreams() throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { pipeEnds.forEach { close($0) } }

        let sleeper = try BackgroundProcess(executable: "/bin/sleep", arguments: ["60"])
        defer { sleeper.terminate() }
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(sleeper.pid)/fd")
        #expect(descriptors.sorted() == ["0", "1", "2"])
    }
}
