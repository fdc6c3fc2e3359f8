import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// hiredis 0.14 has no TLS: a broker reaches a Redis across a network through an stunnel
/// tunnel, set up as docs/SECURITY.md describes. Here all on loopback: Redis, the server end
/// (TLS in, plain out to Redis), a relay that records the bytes between the two ends, and the
/// client end (plain in from the brokers, TLS out, checking the server's certificate).
@Suite(.timeLimit(.minutes(2))) struct TLSTunnelTests {
    /// A throwaway self-signed certificate for `localhost` and 127.0.0.1 and its key, made with
    /// openssl in `directory`.
    static func makeCertificate(named name: String, in directory: URL) async throws -> (certificate: String, key: String) {
        let openssl = try #require(BackgroundProcess.find("openssl"), "openssl makes the test certificates")
        let certificate = directory.appending(path: "\(name).pem").path(percentEncoded: false)
        let key = directory.appending(path: "\(name).key").path(percentEncoded: false)
        let made = try await runProcess(
            URL(filePath: openssl),
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key, "-out", certificate,
            ])
        try #require(made.status == 0, "openssl failed: \(made.standardError)")
        return (certificate, key)
    }

    /// The server end's settings: its certificate and key.
    static func serverSettings(certificate: String, key: String) -> [String] {
        ["cert = \(certificate)", "key = \(key)"]
    }

    /// The client end's settings: it speaks TLS to the server end and accepts only a certificate
    /// that `trusted` signed (here the self-signed one itself) for the name `localhost`.
    static func clientSettings(trusting trusted: String) -> [String] {
        ["client = yes", "verifyChain = yes", "CAfile = \(trusted)", "checkHost = localhost"]
    }

    /// Runs `body` with a fresh server listening on loopback, the server end of a tunnel in
    /// front of it, the end's certificate, its TLS port, and a temporary directory; then stops
    /// the end and removes the directory.
    func withServerEnd(
        _ body: (_ redis: TestRedis, _ certificate: String, _ tlsPort: Int, _ directory: URL) async throws -> Void
    ) async throws {
        try await TestRedis.with(
            .init(listenOnLoopbackPort: true), brokers: .init(cluster: TestRedis.BrokerSettings.clusterWithEveryKeyOnTheServer)
        ) { redis in
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (certificate, key) = try await Self.makeCertificate(named: "redis", in: directory)
            let tlsPort = try RedisServerProcess.freeLoopbackPort()
            let serverEnd = try await Stunnel.start(
                accept: tlsPort, connect: try #require(redis.server.port),
                settings: Self.serverSettings(certificate: certificate, key: key))
            defer { serverEnd.stop() }
            try await body(redis, certificate, tlsPort, directory)
        }
    }

    @Test func brokersWorkThroughATLSTunnelAndNothingCrossesItInPlainText() async throws {
        try await withServerEnd { redis, certificate, tlsPort, _ in
            let wire = try RecordingRelay(forwardingTo: tlsPort)
            defer { wire.stop() }
            let clientPort = try RedisServerProcess.freeLoopbackPort()
            let clientEnd = try await Stunnel.start(
                accept: clientPort, connect: wire.port, settings: Self.clientSettings(trusting: certificate))
            defer { clientEnd.stop() }

            let url = redis.url(viaLoopbackPort: clientPort)
            let billing = try await redis.broker("billing") { $0.redisURL = url }
            let shop = try await redis.broker("shop") { $0.redisURL = url }
            try await billing.subscribe("orders")
            let ledger = Ledger()
            billing.pickOnNotification { ledger.record(billing, $0) }
            let marker = "plain-text-marker-\(UUID().uuidString)"
            var published: [String] = []
            for number in 1...50 {
                published.append(
                    try await shop.publishEvent(
                        Event(streamId: "order-\(number)", topic: "orders", message: marker,
                              payload: Order(number: number, item: marker))))
            }
            try await eventually("billing handled every order") { ledger.all.count == published.count }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            #expect(clientEnd.log().contains("Certificate accepted at depth=0: CN=localhost"))
            try await billing.shutdown()
            try await shop.shutdown()

            let towardsRedis = wire.bytesTowardsTarget
            let fromRedis = wire.bytesFromTarget
            #expect(towardsRedis.starts(with: [0x16, 0x03]), "the wire starts with a TLS handshake record")
            #expect(fromRedis.count > 50 * marker.utf8.count, "the events' replies crossed the wire")
            for (direction, bytes) in [("towards Redis", towardsRedis), ("from Redis", fromRedis)] {
                for plainText in [marker, "EVALSHA", "billing"] {
                    #expect(bytes.firstRange(of: Array(plainText.utf8)) == nil, "'\(plainText)' in plain text \(direction)")
                }
            }
        }
    }

    @Test func aClientEndThatDoesNotTrustTheServersCertificateConnectsNothing() async throws {
        try await withServerEnd { redis, _, tlsPort, directory in
            let (impostor, _) = try await Self.makeCertificate(named: "impostor", in: directory)
            let clientPort = try RedisServerProcess.freeLoopbackPort()
            let clientEnd = try await Stunnel.start(
                accept: clientPort, connect: tlsPort, settings: Self.clientSettings(trusting: impostor))
            defer { clientEnd.stop() }

            var configuration = redis.configuration("billing")
            configuration.redisURL = redis.url(viaLoopbackPort: clientPort)
            configuration.connectTimeout = .seconds(1)
            let error = await #expect(throws: RedisError.self) { try await RedisEventBroker(configuration) }
            switch error {
            case .connectionFailed?, .connectionLost?: break
            default: Issue.record("expected a connection failure, got \(String(describing: error))")
            }
            #expect(clientEnd.log().contains("certificate verify failed"))
            #expect(try await redis.command("DBSIZE").integer == 0)
        }
    }
}
