/// Where a Redis server is and how to log in, parsed from a `REDIS_URL`.
///
/// Accepted forms:
/// - `redis://[[user][:password]@]host[:port][/db]` — host defaults to `127.0.0.1`, port to
///   6379, db to 0; IPv6 hosts go in brackets (`redis://[::1]:6380`); user and password are
///   percent-decoded.
/// - `unix://[[user][:password]@]/path/to/socket[?db=N]`
///
/// The ``description`` never shows the password.
package struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the server.
    package enum Address: Sendable, Hashable {
        /// A TCP host name or IP address, and a port.
        case tcp(host: String, port: Int)
        /// The path of a unix domain socket.
        case unix(path: String)
    }

    /// How to reach the server.
    package var address: Address
    /// The ACL user name, or `nil` for the default user.
    package var username: String?
    /// The password, or `nil` when no AUTH is sent.
    package var password: String?
    /// The database number selected after connecting.
    package var database: Int

    /// The default port of Redis.
    package static let defaultPort = 6379
    /// The host used when a `redis://` URL names none.
    package static let defaultHost = "127.0.0.1"
    /// The longest unix socket path the kernel accepts (`sun_path` less its terminating zero).
    package static let maximumSocketPathLength = 107

    /// Creates an endpoint from its parts.
    package init(address: Address, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.address = address
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a `redis://` or `unix://` URL; anything else throws ``RedisError/invalidURL(url:reason:)``.
    package init(url: String) throws(RedisError) {
        self = try URLParser(url: url).parse()
    }

    /// The URL without its password, for logs and errors: `redis://alice@10.0.0.5:6379/2`.
    package var description: String {
        let user = username.map { "\(Self.percentEncode($0))@" } ?? ""
        switch address {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            let db = database == 0 ? "" : "/\(database)"
            return "redis://\(user)\(shownHost):\(port)\(db)"
        case .unix(let path):
            let db = database == 0 ? "" : "?db=\(database)"
            return "unix://\(user)\(path)\(db)"
        }
    }

    /// `url` with the password of its user-info part replaced by `***`, for error messages.
    package static func redact(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@")
        else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }

    private static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80, character.isLetter || character.isNumber || "-._~".contains(character) {
                result.append(character)
            } else {
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}

/// The parser behind ``RedisEndpoint/init(url:)``.
private struct URLParser {
    let url: String

    func fail(_ reason: String) -> RedisError {
        .invalidURL(url: RedisEndpoint.redact(url), reason: reason)
    }

    func parse() throws(RedisError) -> RedisEndpoint {
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw fail("expected redis://host:port/db or unix:///path/to/socket")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        if rest.contains("#") { throw fail("a URL fragment ('#...') is not supported; percent-encode '#' as %23") }
        switch scheme {
        case "redis":
            return try parseRedis(rest)
        case "unix":
            return try parseUnix(rest)
        case "rediss":
            throw fail(
                "TLS (rediss://) is not supported: the hiredis 0.14 client has no TLS; run a TLS proxy "
                    + "such as stunnel on loopback and point a redis:// URL at it")
        default:
            throw fail("unsupported scheme '\(scheme)'; use redis:// or unix://")
        }
    }

    /// `[[user][:password]@]host[:port][/db]`
    func parseRedis(_ rest: Substring) throws(RedisError) -> RedisEndpoint {
        if rest.contains("?") {
            throw fail("query parameters are not supported in redis:// URLs; percent-encode a '?' in a password as %3F")
        }
        let authorityEnd = authorityEnd(of: rest)
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        let (username, password, hostPort) = try splitUserInfo(authority)

        var host = Substring(RedisEndpoint.defaultHost)
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("missing ']' after the IPv6 address") }
            // An IPv6 zone is percent-encoded: [fe80::1%25eth0].
            host = Substring(
                try percentDecode(hostPort[hostPort.index(after: hostPort.startIndex)..<close], what: "host"))
            if host.isEmpty { throw fail("the host is empty") }
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("expected ':port' after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.firstIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
            if portText?.contains(":") == true {
                throw fail("put an IPv6 address in brackets, as in redis://[::1]:6379")
            }
            if host.isEmpty { throw fail("the host is empty; write the host before ':port', as in redis://127.0.0.1:6379") }
        } else if !hostPort.isEmpty {
            host = hostPort
        }
        if host.contains(where: { $0.isWhitespace || $0 == "\0" || $0 == "/" })
            || (!hostPort.hasPrefix("[") && host.contains("%"))
        {
            throw fail("the host '\(host)' contains characters a host name cannot have")
        }

        var port = RedisEndpoint.defaultPort
        if let portText {
            guard let value = Int(portText), portText.allSatisfy(\.isASCIIDigit), (1...65535).contains(value) else {
                throw fail("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        }

        var database = 0
        if path.count > 1 {
            database = try parseDatabase(path.dropFirst())
        }
        return RedisEndpoint(
            address: .tcp(host: String(host), port: port), username: username, password: password,
            database: database)
    }

    /// `[[user][:password]@]/path/to/socket[?db=N]`
    func parseUnix(_ rest: Substring) throws(RedisError) -> RedisEndpoint {
        guard let slash = rest.firstIndex(of: "/") else {
            throw fail("expected an absolute socket path, as in unix:///var/run/redis.sock")
        }
        let prefix = rest[..<slash]
        var username: String?
        var password: String?
        if !prefix.isEmpty {
            guard prefix.hasSuffix("@") else {
                throw fail(
                    "the socket path must be absolute, as in unix:///var/run/redis.sock (three slashes); "
                        + "percent-encode any '/' in the user name or password as %2F")
            }
            (username, password, _) = try splitUserInfo(prefix)
        }

        let pathAndQuery = rest[slash...]
        let path: Substring
        var database = 0
        if let question = pathAndQuery.firstIndex(of: "?") {
            path = pathAndQuery[..<question]
            let query = pathAndQuery[pathAndQuery.index(after: question)...]
            for item in query.split(separator: "&", omittingEmptySubsequences: true) {
                guard item.hasPrefix("db=") else {
                    throw fail("unknown query parameter '\(item.prefix { $0 != "=" })'; only db=N is supported")
                }
                database = try parseDatabase(item.dropFirst(3))
            }
        } else {
            path = pathAndQuery
        }
        let decodedPath = try percentDecode(path, what: "socket path")
        if decodedPath == "/" || decodedPath.hasSuffix("/") {
            throw fail("the socket path names a directory, not a socket")
        }
        if decodedPath.contains("\0") { throw fail("the socket path contains a zero byte") }
        if decodedPath.utf8.count > RedisEndpoint.maximumSocketPathLength {
            throw fail(
                "the socket path is \(decodedPath.utf8.count) bytes long; unix sockets allow at most "
                    + "\(RedisEndpoint.maximumSocketPathLength)")
        }
        return RedisEndpoint(
            address: .unix(path: decodedPath), username: username, password: password, database: database)
    }

    /// Where the authority of a `redis://` URL ends: at the first `/` after the user info.
    func authorityEnd(of rest: Substring) -> Substring.Index {
        // A password may contain '/' in careless URLs; the user info ends at the last '@'.
        let searchStart = rest.lastIndex(of: "@").map { rest.index(after: $0) } ?? rest.startIndex
        return rest[searchStart...].firstIndex(of: "/") ?? rest.endIndex
    }

    /// Splits `user:password@hostport` into its parts, percent-decoding user and password.
    func splitUserInfo(_ authority: Substring) throws(RedisError) -> (String?, String?, Substring) {
        guard let at = authority.lastIndex(of: "@") else { return (nil, nil, authority) }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        let userPart: Substring
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            userPart = userInfo[..<colon]
            password = try percentDecode(userInfo[userInfo.index(after: colon)...], what: "password")
        } else {
            userPart = userInfo
        }
        let username = userPart.isEmpty ? nil : try percentDecode(userPart, what: "user name")
        return (username, password, hostPort)
    }

    func parseDatabase(_ text: Substring) throws(RedisError) -> Int {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Int32(text) else {
            throw fail("the database '\(text)' is not a number from 0 to \(Int32.max)")
        }
        return Int(value)
    }

    func percentDecode(_ text: Substring, what: String) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw fail("the \(what) has a '%' not followed by two hex digits; write a literal '%' as %25")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw fail("the \(what) is not valid UTF-8 once percent-decoded")
        }
        return decoded
    }

    func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
