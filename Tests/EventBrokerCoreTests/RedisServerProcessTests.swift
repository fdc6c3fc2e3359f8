import EventBrokerTestSupport
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

    @Test func serversStoppedTogetherAreGoneWithTheirDirectories() async throws {
        let servers = [try await RedisServerProcess.start(), try await RedisServerProcess.start()]
        await RedisServerProcess.stopAll(servers)
        for server in servers {
            #expect(!FileManager.default.fileExists(atPath: server.directory.path))
        }
    }

    @Test func aProcessThatIgnoresSIGTERMIsKilledWhenTerminatedWithoutBlocking() async throws {
        let stubborn = try BackgroundProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; exec sleep 60"])
        defer { stubborn.send(SIGKILL) }
        // Once sh became sleep, SIGTERM is ignored for good.
        try await eventually("sh replaced itself with sleep") {
            (try? String(contentsOfFile: "/proc/\(stubborn.pid)/comm", encoding: .utf8)) == "sleep\n"
        }
        await stubborn.terminateWithoutBlocking()
        #expect(stubborn.hasExited, "SIGKILL followed the ignored SIGTERM")
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
