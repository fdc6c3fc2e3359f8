// swift-tools-version: 6.1
import PackageDescription

/// Services that embed RedisEventBroker as real deployments would, built against this checkout.
let package = Package(
    name: "RedisEventBrokerExamples",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "billing-service", targets: ["BillingService"])
    ],
    dependencies: [
        .package(name: "RedisEventBroker", path: ".."),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The HTTP server of /metrics; no default traits (swift-configuration support, full Foundation).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
    ],
    targets: [
        // Billing: consumes orders, logs them, and serves its metrics to Prometheus.
        .executableTarget(
            name: "BillingService",
            dependencies: [
                .product(name: "RedisEventBroker", package: "RedisEventBroker"),
                .product(name: "EventBrokerMetrics", package: "RedisEventBroker"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
