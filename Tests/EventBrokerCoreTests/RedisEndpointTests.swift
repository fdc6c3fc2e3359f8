import EventBrokerCore
import Testing

@Suite struct RedisEndpointTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        var url: String
        var expected: RedisEndpoint
        var testDescription: String { url }
    }

    static let validURLs: [Valid] = [
        Valid(url: "redis://", expected: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379))),
        Valid(url: "redis://localhost", expected: RedisEndpoint(address: .tcp(host: "localhost", port: 6379))),
        Valid(url: "REDIS://cache.internal:6380", expected: RedisEndpoint(address: .tcp(host: "cache.internal", port: 6380))),
        Valid(url: "redis://10.0.0.5:6380/2", expected: RedisEndpoint(address: .tcp(host: "10.0.0.5", port: 6380), database: 2)),
        Valid(url: "redis://10.0.0.5/", expected: RedisEndpoint(address: .tcp(host: "10.0.0.5", port: 6379))),
        Valid(url: "redis:///3", expected: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379), database: 3)),
        Valid(
            url: "redis://:s3cret@host",
            expected: RedisEndpoint(address: .tcp(host: "host", port: 6379), password: "s3cret")),
        Valid(
            url: "redis://alice@host:1",
            expected: RedisEndpoint(address: .tcp(host: "host", port: 1), username: "alice")),
        Valid(
            url: "redis://alice:p%40ss%3Aw%2Frd%25@host:65535/15",
            expected: RedisEndpoint(
                address: .tcp(host: "host", port: 65535), username: "alice", password: "p@ss:w/rd%", database: 15)),
        Valid(
            url: "redis://bob:p@ss@host",  // an unencoded '@': the user info ends at the last one
            expected: RedisEndpoint(address: .tcp(host: "host", port: 6379), username: "bob", password: "p@ss")),
        Valid(
            url: "redis://user%20name:@host",
            expected: RedisEndpoint(address: .tcp(host: "host", port: 6379), username: "user name", password: "")),
        Valid(url: "redis://[::1]", expected: RedisEndpoint(address: .tcp(host: "::1", port: 6379))),
        Valid(
            url: "redis://u:p@[fe80::1%25eth0]:6381/1",
            expected: RedisEndpoint(
                address: .tcp(host: "fe80::1%eth0", port: 6381), username: "u", password: "p", database: 1)),
        Valid(url: "redis://[::1]:6380/4", expected: RedisEndpoint(address: .tcp(host: "::1", port: 6380), database: 4)),
        Valid(url: "unix:///tmp/redis.sock", expected: RedisEndpoint(address: .unix(path: "/tmp/redis.sock"))),
        Valid(
            url: "unix:///tmp/redis.sock?db=4",
            expected: RedisEndpoint(address: .unix(path: "/tmp/redis.sock"), database: 4)),
        Valid(
            url: "unix://:pw@/var/run/redis/redis-server.sock",
            expected: RedisEndpoint(address: .unix(path: "/var/run/redis/redis-server.sock"), password: "pw")),
        Valid(
            url: "UNIX://carol:p%2Fw%3F@/tmp/my%20redis.sock?db=1",
            expected: RedisEndpoint(
                address: .unix(path: "/tmp/my redis.sock"), username: "carol", password: "p/w?", database: 1)),
    ]

    @Test(arguments: validURLs)
    func parsesValidURL(_ valid: Valid) throws {
        #expect(try RedisEndpoint(url: valid.url) == valid.expected)
    }

    static let invalidURLs: [(url: String, reasonContains: String)] = [
        ("rediss://cache:6380", "stunnel"),
        ("http://cache:6379", "unsupported scheme 'http'"),
        ("localhost:6379", "expected redis://"),
        ("", "expected redis://"),
        ("redis://host:0", "port '0'"),
        ("redis://host:65536", "port '65536'"),
        ("redis://host:63a9", "port '63a9'"),
        ("redis://host:+6379", "port '+6379'"),
        ("redis://host:", "port ''"),
        ("redis://:6379", "host is empty"),
        ("redis://u:p@:6379", "host is empty"),
        ("redis://[]:6379", "host is empty"),
        ("redis://[::1", "missing ']'"),
        ("redis://[::1]6379", "expected ':port'"),
        ("redis://::1:6379", "brackets"),
        ("redis://ho st", "cannot have"),
        ("redis://host/abc", "database 'abc'"),
        ("redis://host/-1", "database '-1'"),
        ("redis://host/1/2", "database '1/2'"),
        ("redis://host/99999999999", "database '99999999999'"),
        ("redis://host?db=1", "query parameters"),
        ("redis://host#top", "fragment"),
        ("redis://u:%zz@host", "two hex digits"),
        ("redis://u:%ff@host", "UTF-8"),
        ("unix://", "absolute socket path"),
        ("unix://tmp/redis.sock", "must be absolute"),
        ("unix:///", "names a directory"),
        ("unix:///tmp/", "names a directory"),
        ("unix:///tmp/redis.sock?db=x", "database 'x'"),
        ("unix:///tmp/redis.sock?db=", "database ''"),
        ("unix:///tmp/redis.sock?timeout=3", "unknown query parameter 'timeout'"),
        ("unix:///tmp/a%00b", "zero byte"),
        ("unix:///" + String(repeating: "s", count: 120), "at most 107"),
    ]

    @Test(arguments: invalidURLs)
    func rejectsInvalidURL(_ url: String, reasonContains: String) {
        let error = #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
        guard case .invalidURL(let shownURL, let reason) = error else {
            Issue.record("expected invalidURL, got \(String(describing: error))")
            return
        }
        #expect(shownURL == RedisEndpoint.redact(url))
        #expect(!url.contains(":p@") || shownURL.contains(":***@"), "the password is hidden")
        #expect(reason.contains(reasonContains), "\(reason)")
    }

    @Test func descriptionHidesPassword() throws {
        let endpoint = try RedisEndpoint(url: "redis://alice:topsecret@cache:6380/2")
        #expect(endpoint.description == "redis://alice@cache:6380/2")
        #expect(try RedisEndpoint(url: "redis://:topsecret@cache").description == "redis://cache:6379")
        #expect(try RedisEndpoint(url: "redis://[::1]:7000").description == "redis://[::1]:7000")
        #expect(
            try RedisEndpoint(url: "unix://bob%40corp:topsecret@/tmp/r.sock?db=3").description
                == "unix://bob%40corp@/tmp/r.sock?db=3")
        #expect(try RedisEndpoint(url: "unix:///tmp/r.sock").description == "unix:///tmp/r.sock")
    }

    @Test(arguments: [
        "rediss://alice:topsecret@cache:6380",
        "redis://alice:topsecret@cache:port",
        "redis://:topsecret@cache/x",
        "unix://alice:topsecret@/tmp/r.sock?db=x",
        "ftp://alice:topsecret@cache",
        "redis://alice:top%zzsecret@cache",
    ])
    func errorsHidePassword(_ url: String) {
        do {
            _ = try RedisEndpoint(url: url)
            Issue.record("\(url) should not parse")
        } catch {
            #expect(!"\(error)".contains("topsecret"), "\(error)")
            #expect(!String(reflecting: error).contains("topsecret"))
            #expect("\(error)".contains("***"))
        }
    }

    @Test func errorDescriptionsAreActionable() {
        let errors: [RedisError] = [
            .invalidURL(url: "x", reason: "r"),
            .connectionFailed(endpoint: "redis://h:1", reason: "Connection refused"),
            .authenticationFailed(endpoint: "redis://h:1", message: "AUTH refused: WRONGPASS"),
            .connectionLost(reason: "Broken pipe"),
            .server(message: "NOSCRIPT No matching script"),
            .closed,
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
        }
        #expect(RedisError.connectionFailed(endpoint: "redis://h:1", reason: "Connection refused").description.contains("redis://h:1"))
        #expect(RedisError.connectionLost(reason: "Broken pipe").description.contains("may or may not have run"))
        #expect(RedisError.server(message: "NOSCRIPT No matching script").description.contains("NOSCRIPT"))
    }
}
