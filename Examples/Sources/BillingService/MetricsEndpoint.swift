import Hummingbird
import Logging
import Prometheus

/// The HTTP endpoint Prometheus scrapes: `GET /metrics` answers the registry in the Prometheus
/// text format; a Hummingbird application, so a swift-service-lifecycle `Service`.
enum MetricsEndpoint {
    /// The content type of Prometheus' text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// An application serving `registry` on `host`:`port`.
    static func application(
        registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    }
}
