// swift-tools-version: 6.1
import PackageDescription

/// Swift 6 language mode plus the upcoming features the root package enables.
var strictSettings: [SwiftSetting] {
    [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
}

/// Services that embed RedisEventBroker as real deployments would, built against this checkout.
let package = Package(
    name: "RedisEventBrokerExamples",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orders-service", targets: ["OrdersService"]),
        .executable(name: "billing-service", targets: ["BillingService"]),
        .executable(name: "shipping-service", targets: ["ShippingService"]),
    ],
    dependencies: [
        .package(name: "RedisEventBroker", path: ".."),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The HTTP server of /metrics; no default traits (swift-configuration support, full Foundation).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
    ],
    targets: [
        // What the shop's services share: the order event, settings from the environment, logging.
        .target(
            name: "ShopSupport",
            dependencies: [
                .product(name: "EventBrokerCore", package: "RedisEventBroker"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Orders: places orders and publishes them; the core and the binary codec only.
        .executableTarget(
            name: "OrdersService",
            dependencies: [
                "ShopSupport",
                .product(name: "EventBrokerCore", package: "RedisEventBroker"),
                .product(name: "EventBrokerCodecBinary", package: "RedisEventBroker"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Billing: consumes orders and serves its metrics to Prometheus; the umbrella and EventBrokerMetrics.
        .executableTarget(
            name: "BillingService",
            dependencies: [
                "ShopSupport",
                .product(name: "RedisEventBroker", package: "RedisEventBroker"),
                .product(name: "EventBrokerMetrics", package: "RedisEventBroker"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // Shipping: consumes orders; the umbrella alone.
        .executableTarget(
            name: "ShippingService",
            dependencies: [
                "ShopSupport",
                .product(name: "RedisEventBroker", package: "RedisEventBroker"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
