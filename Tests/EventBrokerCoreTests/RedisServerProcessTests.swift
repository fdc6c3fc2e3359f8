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
        let options = RedisServerProcess.Options(listenOnLoopbackPort: true)
        let servers = [try await RedisServerProcess.start(options), try await RedisServerProcess.start(options)]
        let ports = servers.compactMap(\.port)
        #expect(ports.count == 2)
        for port in ports {
            let connection = try #require(connectToLoopbackPort(port), "server on \(port) listens")
            close(connection)
        }
        await RedisServerProcess.stopAll(servers)
        for server in servers {
            #expect(!FileManager.default.fileExists(atPath: server.directory.path))
        }
        // The directory holds the unix socket, not the TCP listener: only an exited server closes it.
        for port in ports {
            #expect(connectToLoopbackPort(port) == nil, "nothing listens on \(port) any more")
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
