// swift-tools-version: 6.1
import PackageDescription

/// Swift 6 language mode plus the upcoming features the root package enables.
var strictSettings: [SwiftSetting] {
    [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
}

/// What metrics and tracing cost end to end, with the backends a service would run in production:
/// swift-prometheus for metrics, swift-otel exporting spans over OTLP/HTTP. A package of its own so
/// that neither is a dependency of the library.
let package = Package(
    name: "ObservabilityBenchmark",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "observability-benchmark", targets: ["ObservabilityBenchmark"]),
    ],
    dependencies: [
        .package(name: "RedisEventBroker", path: "../.."),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // OTLP over HTTP only: the gRPC exporter would double the build for nothing measured here.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "ObservabilityBenchmark",
            dependencies: [
                .product(name: "RedisEventBroker", package: "RedisEventBroker"),
                .product(name: "EventBrokerCore", package: "RedisEventBroker"),
                .product(name: "EventBrokerCodecJSON", package: "RedisEventBroker"),
                .product(name: "EventBrokerMetrics", package: "RedisEventBroker"),
                .product(name: "RedisServerProcess", package: "RedisEventBroker"),
                .product(name: "EventBrokerTestSupport", package: "RedisEventBroker"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ObservabilityBenchmarkTests",
            dependencies: [
                "ObservabilityBenchmark",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "EventBrokerTestSupport", package: "RedisEventBroker"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
