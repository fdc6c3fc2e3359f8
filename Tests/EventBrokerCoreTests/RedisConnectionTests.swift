import EventBrokerCore
import EventBrokerTestSupport
import Logging
import RedisServerProcess
import Testing

@Suite(.timeLimit(.minutes(1)))
struct RedisConnectionTests {
    @Test func everyReplyType() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(server.url)
            #expect(try await redis.send("PING") == .status("PONG"))
            #expect(try await redis.send("SET", "key", "value") == .status("OK"))
            #expect(try await redis.send("GET", "key") == .bulk("value"))
            #expect(try await redis.send("GET", "missing") == .null)
            #expect(try await redis.send("INCR", "counter") == .integer(1))
            #expect(try await redis.send("INCRBY", "counter", "-5") == .integer(-4))
            #expect(try await redis.send("LRANGE", "missing", "0", "-1") == .array([]))
            #expect(try await redis.send("MGET", "key", "missing") == .array([.bulk("value"), .null]))
            #expect(
                try await redis.send("EVAL", "return {1, {'a', {2, 'b', {}}}, redis.status_reply('FINE')}", "0")
                    == .array([
                        .integer(1), .array([.bulk("a"), .array([.integer(2), .bulk("b"), .array([])])]),
                        .status("FINE"),
                    ]))
            // An error nested in an array stays a value; only a top-level error throws.
            #expect(try await redis.send("MULTI") == .status("OK"))
            #expect(try await redis.send("SET", "string", "x") == .status("QUEUED"))
            #expect(try await redis.send("LPUSH", "string", "y") == .status("QUEUED"))
            let exec = try await redis.send("EXEC")
            #expect(exec.array?.count == 2)
            #expect(exec.array?.first == .status("OK"))
            guard case .error(let message)? = exec.array?.last else {
                Issue.record("expected a nested error, got \(exec)")
                return
            }
            #expect(message.hasPrefix("WRONGTYPE"))

            // Accessors.
            #expect(RedisReply.status("OK").string == "OK")
            #expect(RedisReply.bulk("héllo").string == "héllo")
            #expect(RedisReply.integer(3).string == nil)
            #expect(RedisReply.integer(3).integer == 3)
            #expect(RedisReply.bulk("3").integer == nil)
            #expect(RedisReply.array([.null]).array == [.null])
            #expect(RedisReply.null.array == nil)
            #expect(RedisReply.bulk([0, 255]).bytes == [0, 255])
            #expect(RedisReply.status("OK").bytes == Array("OK".utf8))
            #expect(RedisReply.null.bytes == nil)
            #expect(RedisReply.null.isNull)
            await redis.close()
        }
    }

    @Test func binarySafeRoundTripOfEveryByte() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(server.url)
            let allBytes = (0...255).map { UInt8($0) }
            let key = Array("bin:".utf8) + allBytes
            let value = allBytes + allBytes.reversed() + [0, 0, 13, 10]
            #expect(try await redis.send([Array("SET".utf8), key, value]) == .status("OK"))
            #expect(try await redis.send([Array("GET".utf8), key]) == .bulk(value))
            #expect(try await redis.send([Array("STRLEN".utf8), key]) == .integer(Int64(value.count)))

            let empty: [UInt8] = []
            #expect(try await redis.send([Array("SET".utf8), empty, empty]) == .status("OK"))
            #expect(try await redis.send([Array("GET".utf8), empty]) == .bulk(empty))

            let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            #expect(try await redis.send([Array("SET".utf8), Array("large".utf8), large]) == .status("OK"))
            #expect(try await redis.send("GET", "large") == .bulk(large))
            await redis.close()
        }
    }

    @Test func concurrentSendsArePipelinedAndEachGetsItsOwnReply() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(server.url)
            let count = 1_000
            let increments = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<count {
                    group.addTask { try await redis.send("INCR", "pipelined").integer ?? -1 }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(increments.sorted() == Array(1...Int64(count)))

            for index in 0..<count {
                _ = try await redis.send("SET", "key:\(index)", "value:\(index)")
            }
            let before = (requests: redis.requestsSent, batches: redis.batchesSent)
            try await withThrowingTaskGroup(of: (Int, RedisReply).self) { group in
                for index in 0..<count {
                    group.addTask { (index, try await redis.send("GET", "key:\(index)")) }
                }
                for try await (index, reply) in group {
                    #expect(reply == .bulk("value:\(index)"))
                }
            }
            #expect(redis.requestsSent - before.requests == count)
            #expect(redis.batchesSent - before.batches <= count)
            print("1000 concurrent GETs took \(redis.batchesSent - before.batches) batches")
            await redis.close()
        }
    }

    @Test func errorRepliesThrowServerErrors() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(server.url)
            let noScript = await #expect(throws: RedisError.self) {
                try await redis.send("EVALSHA", String(repeating: "0", count: 40), "0")
            }
            guard case .server(let message)? = noScript else {
                Issue.record("expected a server error, got \(String(describing: noScript))")
                return
            }
            #expect(message.hasPrefix("NOSCRIPT"))

            _ = try await redis.send("SET", "string", "x")
            let wrongType = await #expect(throws: RedisError.self) { try await redis.send("LPUSH", "string", "y") }
            guard case .server(let wrongTypeMessage)? = wrongType else {
                Issue.record("expected a server error, got \(String(describing: wrongType))")
                return
            }
            #expect(wrongTypeMessage.hasPrefix("WRONGTYPE"))
            // The connection is still in step after errors.
            #expect(try await redis.send("GET", "string") == .bulk("x"))
            await redis.close()
        }
    }

    @Test func requirePassAuthentication() async throws {
        try await withRedisServer(.init(extraArguments: ["--requirepass", "s3cret!"])) { server in
            let path = server.socketPath
            let recorder = LogRecorder()
            let good = try makeConnection("unix://:s3cret%21@\(path)", logger: recorder.logger)
            try await good.connect()
            #expect(try await good.send("SET", "k", "v") == .status("OK"))
            await good.close()

            let wrong = try makeConnection("unix://:wrong@\(path)", logger: recorder.logger)
            let wrongError = await #expect(throws: RedisError.self) { try await wrong.connect() }
            guard case .authenticationFailed(_, let message)? = wrongError else {
                Issue.record("expected authenticationFailed, got \(String(describing: wrongError))")
                return
            }
            #expect(message.contains("AUTH"))
            // Refusal is permanent for the queued requests but later requests try again.
            await #expect(throws: RedisError.self) { try await wrong.send("GET", "k") }
            await wrong.close()

            let missing = try makeConnection("unix://\(path)", logger: recorder.logger)
            let missingError = await #expect(throws: RedisError.self) { try await missing.connect() }
            guard case .authenticationFailed(_, let noAuth)? = missingError else {
                Issue.record("expected authenticationFailed, got \(String(describing: missingError))")
                return
            }
            #expect(noAuth.hasPrefix("NOAUTH"))
            await missing.close()
            #expect(!recorder.text.contains("s3cret"))
        }
    }

    @Test func aclUserAuthentication() async throws {
        try await withRedisServer(.init(listenOnLoopbackPort: true)) { server in
            let admin = try makeConnection(server.url)
            #expect(try await admin.send("ACL", "SETUSER", "alice", "on", ">p@ss:w/rd", "~*", "&*", "+@all") == .status("OK"))

            let recorder = LogRecorder()
            let overSocket = try makeConnection("unix://alice:p%40ss%3Aw%2Frd@\(server.socketPath)", logger: recorder.logger)
            #expect(try await overSocket.send("ACL", "WHOAMI") == .bulk("alice"))
            await overSocket.close()

            let port = try #require(server.port)
            let overTCP = try makeConnection("redis://alice:p%40ss%3Aw%2Frd@127.0.0.1:\(port)", logger: recorder.logger)
            try await overTCP.connect()
            #expect(try await overTCP.send("ACL", "WHOAMI") == .bulk("alice"))
            await overTCP.close()

            let wrong = try makeConnection("redis://alice:nope@127.0.0.1:\(port)", logger: recorder.logger)
            let error = await #expect(throws: RedisError.self) { try await wrong.send("PING") }
            guard case .authenticationFailed(let endpoint, let message)? = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                return
            }
            #expect(endpoint == "redis://alice@127.0.0.1:\(port)")
            #expect(message.contains("WRONGPASS"))
            await wrong.close()
            await admin.close()
            #expect(!recorder.text.contains("p@ss"))
        }
    }

    @Test func databaseNumberSelectsTheDatabase() async throws {
        try await withRedisServer(.init(listenOnLoopbackPort: true)) { server in
            let port = try #require(server.port)
            let db3 = try makeConnection("unix://\(server.socketPath)?db=3")
            let db0 = try makeConnection(server.url)
            let db3OverTCP = try makeConnection("redis://127.0.0.1:\(port)/3")
            #expect(try await db3.send("SET", "where", "three") == .status("OK"))
            #expect(try await db0.send("GET", "where") == .null)
            #expect(try await db3OverTCP.send("GET", "where") == .bulk("three"))
            #expect(try await db3.send("CLIENT", "INFO").string?.contains(" db=3 ") == true)

            let outOfRange = try makeConnection("unix://\(server.socketPath)?db=999")
            let error = await #expect(throws: RedisError.self) { try await outOfRange.connect() }
            guard case .authenticationFailed(_, let message)? = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                return
            }
            #expect(message.contains("SELECT"))
            for connection in [db3, db0, db3OverTCP, outOfRange] { await connection.close() }
        }
    }

    @Test func nextSendSucceedsAfterClientKill() async throws {
        try await withRedisServer { server in
            let reconnects = Counter()
            let recorder = LogRecorder()
            let redis = try makeConnection(
                server.url, clientName: "reb-kill-me", logger: recorder.logger, onReconnect: { reconnects.increment() })
            let admin = try makeConnection(server.url)
            #expect(try await redis.send("SET", "k", "v") == .status("OK"))
            let id = try #require(try await clientID(named: "reb-kill-me", using: admin))
            #expect(try await admin.send("CLIENT", "KILL", "ID", id) == .integer(1))

            #expect(try await redis.send("GET", "k") == .bulk("v"))
            #expect(reconnects.value == 1)
            let newID = try #require(try await clientID(named: "reb-kill-me", using: admin), "the name is set again")
            #expect(newID != id)
            #expect(recorder.entries.contains { $0.message == "Reconnected to Redis" && $0.level == .notice })
            #expect(recorder.entries.allSatisfy { $0.metadata["redis.client"] == "reb-kill-me" })
            #expect(recorder.entries.allSatisfy { $0.metadata["redis.endpoint"] == "\(server.url)" })

            // Killed twice in a row, still fine.
            _ = try await admin.send("CLIENT", "KILL", "ID", newID)
            #expect(try await redis.send("PING") == .status("PONG"))
            #expect(reconnects.value == 2)
            await redis.close()
            await admin.close()
        }
    }

    @Test func nextSendSucceedsAfterServerRestart() async throws {
        try await withRedisServer(.init(appendOnly: true)) { server in
            let reconnects = Counter()
            let redis = try makeConnection(server.url, onReconnect: { reconnects.increment() })
            #expect(try await redis.send("SET", "durable", "yes") == .status("OK"))
            try await server.restartRetrying()
            #expect(try await redis.send("GET", "durable") == .bulk("yes"))
            #expect(reconnects.value == 1)
            await redis.close()
        }
    }

    @Test func stoppedServerFailsWithConnectionFailedThenRecovers() async throws {
        try await withRedisServer { server in
            let options = RedisConnectionOptions(connectTimeout: .milliseconds(300))
            let recorder = LogRecorder()
            let redis = try makeConnection(server.url, options: options, logger: recorder.logger)
            #expect(try await redis.send("PING") == .status("PONG"))
            server.terminate()

            let results = await withTaskGroup(of: RedisError?.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        do {
                            _ = try await redis.send("PING")
                            return nil
                        } catch {
                            return error as? RedisError
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for result in results {
                guard case .connectionFailed(let endpoint, let reason)? = result else {
                    Issue.record("expected connectionFailed, got \(String(describing: result))")
                    continue
                }
                #expect(endpoint == server.url)
                #expect(!reason.isEmpty)
            }
            #expect(recorder.entries.contains { $0.level == .warning })

            try await server.startAgainRetrying()
            #expect(try await redis.send("PING") == .status("PONG"))
            await redis.close()
        }
    }

    @Test func commandTimeoutFailsAnUnansweredRequestThenRecovers() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(
                server.url, options: RedisConnectionOptions(connectTimeout: .seconds(10), commandTimeout: .milliseconds(200)))
            #expect(try await redis.send("PING") == .status("PONG"))
            server.pause()
            let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
            server.resume()
            guard case .connectionLost(let reason)? = error else {
                Issue.record("expected connectionLost, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("commandTimeout"), "\(reason)")
            #expect(try await redis.send("PING") == .status("PONG"))
            await redis.close()
        }
    }

    @Test func connectReportsAMissingServer() async throws {
        let redis = try makeConnection(
            "unix:///tmp/reb-no-such-dir/redis.sock", options: RedisConnectionOptions(connectTimeout: .milliseconds(100)))
        let error = await #expect(throws: RedisError.self) { try await redis.connect() }
        guard case .connectionFailed(let endpoint, let reason)? = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(endpoint == "unix:///tmp/reb-no-such-dir/redis.sock")
        #expect(reason.contains("No such file"))
        await redis.close()
    }

    @Test func closeInterruptsABlockingCommand() async throws {
        try await withRedisServer { server in
            let admin = try makeConnection(server.url)
            let blocking = try makeConnection(
                server.url, clientName: "reb-blocked", options: RedisConnectionOptions(commandTimeout: nil))
            let blocked = Task { try await blocking.send("BLPOP", "never-filled", "0") }
            try await waitUntil { try await clientFields(named: "reb-blocked", using: admin)?["cmd"] == "blpop" }

            await blocking.close()
            let result = await blocked.result
            switch result {
            case .failure(RedisError.closed), .failure(RedisError.connectionLost):
                break
            default:
                Issue.record("expected closed or connectionLost, got \(result)")
            }
            await #expect(throws: RedisError.closed) { try await blocking.send("PING") }
            await blocking.close()  // idempotent
            try await waitUntil { try await clientFields(named: "reb-blocked", using: admin) == nil }
            await admin.close()
        }
    }

    @Test func closeFailsQueuedRequestsAndLaterOnes() async throws {
        try await withRedisServer { server in
            let unused = try makeConnection(server.url)
            await unused.close()
            await #expect(throws: RedisError.closed) { try await unused.send("PING") }

            server.terminate()
            let waiting = try makeConnection(server.url, options: RedisConnectionOptions(connectTimeout: .seconds(60)))
            let queued = Task { try await waiting.send("PING") }
            try await Task.sleep(for: .milliseconds(50))
            await waiting.close()
            await #expect(throws: RedisError.closed) { try await queued.value }
        }
    }

    @Test func cancellingAQueuedRequest() async throws {
        try await withRedisServer { server in
            server.terminate()
            let redis = try makeConnection(server.url, options: RedisConnectionOptions(connectTimeout: .seconds(60)))
            let queued = Task { try await redis.send("PING") }
            try await Task.sleep(for: .milliseconds(50))
            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }
            try await server.startAgainRetrying()
            #expect(try await redis.send("PING") == .status("PONG"))
            await redis.close()
        }
    }

    @Test func writingToAConnectionTheServerClosedDoesNotRaiseSIGPIPE() async throws {
        // The server drops a client whose bulk string exceeds proto-max-bulk-len as soon as it
        // has read the length, while this client is still writing megabytes: EPIPE, not SIGPIPE.
        try await withRedisServer(.init(extraArguments: ["--proto-max-bulk-len", "1mb"])) { server in
            let redis = try makeConnection(server.url)
            let tooLarge = [UInt8](repeating: 0x61, count: 8 << 20)
            let error = await #expect(throws: RedisError.self) {
                try await redis.send([Array("SET".utf8), Array("big".utf8), tooLarge])
            }
            switch error {
            case .connectionLost?, .server?: break
            default: Issue.record("expected connectionLost, got \(String(describing: error))")
            }
            #expect(try await redis.send("PING") == .status("PONG"))
            await redis.close()
        }
    }

    @Test func requestsSentCountsWrittenCommands() async throws {
        try await withRedisServer(.init(extraArguments: ["--requirepass", "pw"])) { server in
            let redis = try makeConnection("unix://:pw@\(server.socketPath)?db=1", clientName: "counted")
            #expect(redis.requestsSent == 0)
            try await redis.connect()
            for _ in 0..<10 { _ = try await redis.send("PING") }
            #expect(redis.requestsSent == 11, "AUTH, SELECT and CLIENT SETNAME are not counted")
            await redis.close()
        }
    }

    @Test func aCommandSentBehindABlockingWaitRunsWhenTheWaitReturnsInTheSameRoundTrip() async throws {
        try await withRedisServer { server in
            let redis = try makeConnection(server.url)
            let other = try makeConnection(server.url)
            try await redis.connect()
            _ = try await redis.send("RPUSH", "queue", "a", "b")
            let before = (requests: redis.requestsSent, batches: redis.batchesSent)
            let popping = Task {
                try await redis.send(
                    ["LPOP", "queue"].map { Array($0.utf8) }, behind: ["BLPOP", "wake", "30"].map { Array($0.utf8) })
            }
            try await eventually("the wait blocks") {
                try await other.send("INFO", "clients").string?.contains("blocked_clients:1") == true
            }
            #expect(try await other.send("LLEN", "queue") == .integer(2), "nothing runs behind the wait while it blocks")
            _ = try await other.send("LPUSH", "wake", "1")
            let woken = try await popping.value
            #expect(woken.reply == .bulk("a"))
            #expect(woken.precedingError == nil)
            #expect(try await other.send("LLEN", "wake") == .integer(0), "the wait took the marker")
            #expect(redis.requestsSent - before.requests == 2)
            #expect(redis.batchesSent - before.batches == 1)

            // The command behind runs whatever the command in front got.
            _ = try await redis.send("SET", "string", "x")
            let refused = try await redis.send(
                ["LPOP", "queue"].map { Array($0.utf8) }, behind: ["BLPOP", "string", "1"].map { Array($0.utf8) })
            #expect(refused.reply == .bulk("b"))
            guard case .server(let message)? = refused.precedingError else {
                Issue.record("expected WRONGTYPE, got \(String(describing: refused.precedingError))")
                return
            }
            #expect(message.hasPrefix("WRONGTYPE"))
            await redis.close()
            await other.close()
        }
    }
}
