import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal OpenTelemetry collector on loopback: it accepts OTLP/HTTP trace exports
/// (`POST /v1/traces`, protobuf), answers each with an empty success, and counts the spans they
/// carried, so the benchmark can check that the exporter delivered every span of a run.
final class OTLPReceiver: Sendable {
    /// What the receiver has taken in since it was last read.
    struct Intake: Equatable, Sendable {
        /// The spans of the export requests.
        var spans = OTLPSpanCount()
        /// Export requests answered with success.
        var requests = 0
        /// Requests refused: another path or method, or a body that is no export request.
        var refused = 0
        /// Why the last refused request was refused.
        var lastRefusal: String?
    }

    /// The port it listens on, on 127.0.0.1.
    let port: Int
    /// Where an OTLP/HTTP exporter sends traces.
    var tracesEndpoint: String { "http://127.0.0.1:\(port)/v1/traces" }

    private let channel: any Channel
    private let box: IntakeBox

    private init(channel: any Channel, port: Int, box: IntakeBox) {
        self.channel = channel
        self.port = port
        self.box = box
    }

    /// Starts listening on a free port of 127.0.0.1.
    static func start() async throws -> OTLPReceiver {
        // The receiver and its request handlers share one box; each handler records into it on
        // its channel's event loop, and `take()` reads it from anywhere: the mutex orders them.
        let box = IntakeBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ExportHandler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try await channel.close()
            throw OTLPSpanCount.MalformedRequest(description: "the receiver's socket has no port")
        }
        return OTLPReceiver(channel: channel, port: port, box: box)
    }

    /// What arrived since the last call, and starts counting afresh.
    func take() -> Intake {
        box.intake.withLock { intake in
            defer { intake = Intake() }
            return intake
        }
    }

    /// Stops listening.
    func close() async throws {
        try await channel.close()
    }
}

/// The shared record of a receiver and its handlers.
private final class IntakeBox: Sendable {
    let intake = Mutex(OTLPReceiver.Intake())
}

/// Answers the requests of one connection: collects each body, counts its spans, replies.
private final class ExportHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let box: IntakeBox
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(box: IntakeBox) {
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
        case .body(var chunk):
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let status = record(head)
            var responseHead = HTTPResponseHead(version: head.version, status: status)
            responseHead.headers.add(name: "content-type", value: "application/x-protobuf")
            responseHead.headers.add(name: "content-length", value: "0")
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }

    /// Counts the request's spans, or why it was refused; the status to answer with.
    private func record(_ head: HTTPRequestHead) -> HTTPResponseStatus {
        let outcome: Result<OTLPSpanCount, any Error> =
            head.method == .POST && head.uri == "/v1/traces"
            ? Result { try OTLPSpanCount(request: body) }
            : .failure(OTLPSpanCount.MalformedRequest(description: "\(head.method) \(head.uri) is no trace export"))
        return box.intake.withLock { intake in
            switch outcome {
            case .success(let spans):
                intake.spans += spans
                intake.requests += 1
                return .ok
            case .failure(let refusal):
                intake.refused += 1
                intake.lastRefusal = "\(refusal)"
                return .badRequest
            }
        }
    }
}
