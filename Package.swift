// swift-tools-version: 6.1
import PackageDescription

/// Settings every target of the package shares.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "RedisEventBroker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "EventBrokerCore", targets: ["EventBrokerCore"]),
        .library(name: "RedisServerProcess", targets: ["RedisServerProcess"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(
            name: "EventBrokerCore",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "RedisServerProcess"),
        .testTarget(
            name: "EventBrokerCoreTests",
            dependencies: [
                "EventBrokerCore",
                "RedisServerProcess",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
