import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a hiredis call failed, in words for logs and errors.
struct HiredisFailure: Error {
    /// What went wrong, from hiredis' `errstr` or our own wording.
    var reason: String
}

/// Why ``HiredisConnection/open(endpoint:clientName:options:control:)`` failed.
enum HiredisOpenError: Error {
    /// The server could not be reached or did not answer in time: try again later.
    case unreachable(reason: String)
    /// The server refused AUTH, SELECT or CLIENT SETNAME: retrying will not help.
    case refused(message: String)
    /// The owner closed the connection meanwhile.
    case closing
}

/// One open hiredis context (blocking API, RESP2).
///
/// Created, used and freed on its connection's thread only: it is deliberately not `Sendable`,
/// and the context pointer never leaves this class. Only the socket descriptor is published, to
/// ``ConnectionThreadControl``, so that the owner can interrupt a blocking read.
final class HiredisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    private let control: ConnectionThreadControl
    /// The socket timeout in force, named in the message of an expired one.
    private var socketTimeout: (value: Duration, name: String)?

    private init(context: UnsafeMutablePointer<redisContext>, control: ConnectionThreadControl) {
        self.context = context
        self.control = control
    }

    deinit { close() }

    /// Connects (TCP with keepalive, or unix socket), publishes the socket to `control`, sends
    /// AUTH, SELECT and CLIENT SETNAME as needed in one round trip, and sets the command timeout.
    static func open(
        endpoint: RedisEndpoint,
        clientName: String?,
        options: RedisConnectionOptions,
        control: ConnectionThreadControl
    ) -> Result<HiredisConnection, HiredisOpenError> {
        let connectTimeout = options.connectTimeout.asTimeval
        let rawContext: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port):
            rawContext = redisConnectWithTimeout(host, Int32(port), connectTimeout)
        case .unix(let path):
            rawContext = redisConnectUnixWithTimeout(path, connectTimeout)
        }
        guard let rawContext else { return .failure(.unreachable(reason: "hiredis could not allocate a context")) }
        if rawContext.pointee.err != 0 {
            let reason = Self.errorString(of: rawContext, timeout: nil)
            redisFree(rawContext)
            return .failure(.unreachable(reason: reason))
        }
        // hiredis 0.14 creates sockets without SOCK_CLOEXEC: a child process spawned meanwhile
        // (posix_spawn, Process) would inherit the socket and keep it open after we close it.
        let descriptor = rawContext.pointee.fd
        _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        if case .tcp = endpoint.address {
            _ = redisEnableKeepAlive(rawContext)
        }
        guard control.publish(descriptor: descriptor) else {
            redisFree(rawContext)
            return .failure(.closing)
        }
        let connection = HiredisConnection(context: rawContext, control: control)
        // The setup exchange is bounded by the connect timeout, not the (longer) command timeout.
        guard connection.setSocketTimeout(options.connectTimeout, name: "connectTimeout") else {
            return .failure(.unreachable(reason: connection.lastError))
        }

        var setup: [(label: String, arguments: [String])] = []
        if let password = endpoint.password {
            setup.append(("AUTH", ["AUTH"] + (endpoint.username.map { [$0] } ?? []) + [password]))
        } else if let username = endpoint.username {
            // A user without password: only a `nopass` ACL user accepts this.
            setup.append(("AUTH", ["AUTH", username, ""]))
        }
        if endpoint.database != 0 {
            setup.append(("SELECT", ["SELECT", String(endpoint.database)]))
        }
        if let clientName {
            setup.append(("CLIENT SETNAME", ["CLIENT", "SETNAME", clientName]))
        }
        if !setup.isEmpty {
            for command in setup {
                guard connection.append(command.arguments.map { Array($0.utf8) }) else {
                    return .failure(.unreachable(reason: connection.lastError))
                }
            }
            var refusal: String?
            for command in setup {
                switch connection.readReply() {
                case .success(.error(let message)):
                    if refusal == nil { refusal = "\(command.label) refused: \(message)" }
                case .success:
                    break
                case .failure(let failure):
                    return .failure(control.isClosing ? .closing : .unreachable(reason: failure.reason))
                }
            }
            if let refusal {
                return .failure(Self.isTransient(refusal) ? .unreachable(reason: refusal) : .refused(message: refusal))
            }
        }
        guard connection.setSocketTimeout(options.commandTimeout, name: "commandTimeout") else {
            return .failure(.unreachable(reason: connection.lastError))
        }
        return .success(connection)
    }

    /// Error replies during setup that come from a busy or starting server, not from the
    /// configuration: the connect is retried for them.
    private static func isTransient(_ refusal: String) -> Bool {
        let message = refusal.drop { $0 != ":" }.dropFirst(2)
        return ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN"].contains { message.hasPrefix($0) }
            || message.contains("max number of clients")
    }

    /// The socket descriptor, or -1 once closed.
    var descriptor: Int32 { context?.pointee.fd ?? -1 }

    /// hiredis' description of its last error.
    var lastError: String {
        guard let context else { return "the connection is closed" }
        return Self.errorString(of: context, timeout: socketTimeout)
    }

    private static func errorString(
        of context: UnsafeMutablePointer<redisContext>, timeout: (value: Duration, name: String)?
    ) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        // hiredis reports an expired SO_RCVTIMEO/SO_SNDTIMEO as EAGAIN.
        if context.pointee.err == REDIS_ERR_IO,
            text == String(cString: strerror(EAGAIN)) || text == String(cString: strerror(EWOULDBLOCK))
        {
            let limit = timeout.map { "\($0.value.shortDescription) (\($0.name))" } ?? "the socket timeout"
            return "no reply within \(limit); the server may be overloaded or paused"
        }
        return text.isEmpty ? "unknown hiredis error \(context.pointee.err)" : text
    }

    /// Sets the socket read/write timeout; `nil` means none.
    private func setSocketTimeout(_ timeout: Duration?, name: String) -> Bool {
        guard let context else { return false }
        socketTimeout = timeout.map { ($0, name) }
        let value = timeout?.asTimeval ?? timeval(tv_sec: 0, tv_usec: 0)
        return redisSetTimeout(context, value) == REDIS_OK
    }

    /// Appends one command to the output buffer; nothing is written yet.
    func append(_ arguments: [[UInt8]]) -> Bool {
        guard let context else { return false }
        // One contiguous copy of the arguments, so every pointer stays valid during the call.
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(0) { $0 + $1.count })
        for argument in arguments {
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        if storage.isEmpty { storage.append(0) }  // a valid base pointer even when all are empty
        return storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(arguments.count)
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                redisAppendCommandArgv(context, Int32(arguments.count), argv.baseAddress, lengths) == REDIS_OK
            }
        }
    }

    /// Writes any buffered output, then blocks until the next reply has been read.
    func readReply() -> Result<RedisReply, HiredisFailure> {
        guard let context else { return .failure(HiredisFailure(reason: "the connection is closed")) }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            return .failure(HiredisFailure(reason: lastError))
        }
        defer { freeReplyObject(raw) }
        return .success(RedisReply(raw.assumingMemoryBound(to: redisReply.self)))
    }

    /// Writes the whole output buffer.
    func flush() -> Result<Void, HiredisFailure> {
        guard let context else { return .failure(HiredisFailure(reason: "the connection is closed")) }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else {
                return .failure(HiredisFailure(reason: lastError))
            }
        }
        return .success(())
    }

    /// A reply already read from the socket and buffered, if any; never blocks.
    func bufferedReply() -> Result<RedisReply?, HiredisFailure> {
        guard let context else { return .failure(HiredisFailure(reason: "the connection is closed")) }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else {
            return .failure(HiredisFailure(reason: lastError))
        }
        guard let raw else { return .success(nil) }
        defer { freeReplyObject(raw) }
        return .success(RedisReply(raw.assumingMemoryBound(to: redisReply.self)))
    }

    /// Reads what the socket has into hiredis' buffer; call after ``waitUntilReadable(timeout:)``.
    func readAvailable() -> Result<Void, HiredisFailure> {
        guard let context else { return .failure(HiredisFailure(reason: "the connection is closed")) }
        guard redisBufferRead(context) == REDIS_OK else { return .failure(HiredisFailure(reason: lastError)) }
        return .success(())
    }

    /// Waits until the socket is readable (`true`) or `timeout` passed (`false`); `nil` waits forever.
    func waitUntilReadable(timeout: Duration?) -> Result<Bool, HiredisFailure> {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let result = poll(&entry, 1, timeout?.pollMilliseconds ?? -1)
            if result > 0 { return .success(true) }
            if result == 0 { return .success(false) }
            if errno != EINTR { return .failure(HiredisFailure(reason: String(cString: strerror(errno)))) }
        }
    }

    /// Whether the server closed this idle connection (CLIENT KILL, restart, idle timeout):
    /// while no reply is expected the socket must be neither readable nor hung up.
    func serverHasClosed() -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN) | Self.readHangUp, revents: 0)
        let result = poll(&entry, 1, 0)
        return result != 0
    }

    #if os(Linux)
    /// POLLRDHUP: the peer shut down its writing side (Linux only; not exported to Swift).
    private static let readHangUp: Int16 = 0x2000
    #else
    private static let readHangUp: Int16 = 0
    #endif

    /// Retracts the descriptor from the owner, then shuts the socket down (so the server sees
    /// the close even if a child process inherited a copy of the descriptor) and frees the
    /// context.
    func close() {
        guard let context else { return }
        control.retractDescriptor()
        _ = shutdown(context.pointee.fd, Int32(SHUT_RDWR))
        redisFree(context)
        self.context = nil
    }
}

@available(*, unavailable, message: "a hiredis context must stay on its connection's thread")
extension HiredisConnection: Sendable {}
