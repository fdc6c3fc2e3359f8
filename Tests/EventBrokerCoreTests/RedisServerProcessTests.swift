import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Testing

@testable import RedisServerProcess

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

    @Test func aServersCPUTimeGrowsWithTheWorkItDoesAndIsUnknownOnceStopped() async throws {
        let server = try await RedisServerProcess.start(.init(listenOnLoopbackPort: true))
        defer { server.stop() }
        let before = try #require(server.cpuSeconds())
        let connection = try makeConnection(server.url)
        // About half a second of Lua on this machine: far more than the clock's 10 ms ticks.
        _ = try await connection.send("EVAL", "local n = 0 for i = 1, 40000000 do n = n + i end return 1", "0")
        await connection.close()
        let after = try #require(server.cpuSeconds())
        #expect(after - before > 0.1, "\(before) s, then \(after) s")
        server.terminate()
        #expect(server.cpuSeconds() == nil)
    }

    @Test func theCPUTimeOfAProcessIsItsUserAndSystemTicksWhateverItsName() {
        let fields = "S 1 812 812 0 -1 4194560 1100 0 0 0 37 25 0 0 20 0 5 0 98765 75853824 2270"
        #expect(RedisServerProcess.cpuTicks(stat: "812 (redis-server *:0) \(fields)") == 62)
        #expect(RedisServerProcess.cpuTicks(stat: "812 (a) (b) c) \(fields)") == 62)
        #expect(RedisServerProcess.cpuTicks(stat: "812 (redis-server) S 1 812 812 0 -1 4194560 1100 0 0 0 37") == nil)
        #expect(RedisServerProcess.cpuTicks(stat: "812 redis-server \(fields)") == nil)
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
