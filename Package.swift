// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target of the package shares.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "RedisEventBroker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RedisEventBroker", targets: ["RedisEventBroker"]),
        .library(name: "EventBrokerCore", targets: ["EventBrokerCore"]),
        .library(name: "EventBrokerChecker", targets: ["EventBrokerChecker"]),
        .library(name: "EventBrokerCodecJSON", targets: ["EventBrokerCodecJSON"]),
        .library(name: "EventBrokerCodecBinary", targets: ["EventBrokerCodecBinary"]),
        .library(name: "EventBrokerMetrics", targets: ["EventBrokerMetrics"]),
        .library(name: "RedisServerProcess", targets: ["RedisServerProcess"]),
        // Not part of the API: what the project's tests and its benchmark packages share.
        .library(name: "EventBrokerTestSupport", targets: ["EventBrokerTestSupport"]),
        .executable(name: "event-broker", targets: ["EventBrokerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
    ],
    targets: [
        // C at the edge: hiredis 0.14 (RESP2) from Debian's libhiredis-dev.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // Embedded Lua 5.4 from Debian's liblua5.4-dev, for linting and testing the scripts.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // A safe Lua state, the script linter and the script test runner with its Redis model.
        .target(
            name: "LuaScriptKit",
            dependencies: ["CLua"]
        ),
        // Lints Scripts/*.lua and embeds them into EventBrokerCore as generated Swift (name, version, SHA1, source);
        // `ScriptEmbedder lint` is the linter for the lint-scripts command plugin.
        .executableTarget(
            name: "ScriptEmbedder",
            dependencies: ["LuaScriptKit"]
        ),
        .plugin(
            name: "ScriptEmbedderPlugin",
            capability: .buildTool(),
            dependencies: ["ScriptEmbedder"]
        ),
        // `swift package lint-scripts`: lints Scripts/*.lua against Scripts/scripts.lock.
        .plugin(
            name: "LintScriptsPlugin",
            capability: .command(
                intent: .custom(
                    verb: "lint-scripts",
                    description: "Lint the Lua scripts of Scripts/ (Lua 5.1 compatibility, globals, keys, headers, lock)"
                )
            ),
            dependencies: ["ScriptEmbedder"]
        ),
        // The broker: API, Lua-script runner, key layout, hiredis connection layer, plug-in protocols,
        // and trace propagation through event headers.
        .target(
            name: "EventBrokerCore",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            plugins: ["ScriptEmbedderPlugin"]
        ),
        // The lease checker: sweeps expired leases and due retries, beside each broker instance
        // or alone for every service (`event-broker checker`).
        .target(
            name: "EventBrokerChecker",
            dependencies: [
                "EventBrokerCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Events as JSON that other languages can read and write.
        .target(
            name: "EventBrokerCodecJSON",
            dependencies: ["EventBrokerCore"]
        ),
        // Events in a compact binary format with its own Codable encoder and decoder (docs/CODECS.md).
        .target(
            name: "EventBrokerCodecBinary",
            dependencies: ["EventBrokerCore"]
        ),
        // BrokerMetrics: the broker's counters, timers and gauges on swift-metrics (docs/OBSERVABILITY.md).
        .target(
            name: "EventBrokerMetrics",
            dependencies: [
                "EventBrokerCore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The umbrella most users import: the core, the lease checker, JSON as the default codec and binary readable.
        .target(
            name: "RedisEventBroker",
            dependencies: ["EventBrokerCore", "EventBrokerChecker", "EventBrokerCodecJSON", "EventBrokerCodecBinary"]
        ),
        // glibc's posix_spawn extension that closes inherited descriptors, which Swift's Glibc module hides.
        .target(name: "CPosixSpawn"),
        // A throwaway redis-server for tests, the demo and benchmarks.
        .target(name: "RedisServerProcess", dependencies: ["CPosixSpawn"]),
        // The `event-broker` command line.
        .executableTarget(
            name: "EventBrokerCLI",
            dependencies: [
                "RedisEventBroker",
                "EventBrokerCodecJSON",
                "EventBrokerCodecBinary",
                "EventBrokerChecker",
                "EventBrokerMetrics",
                "RedisServerProcess",
                "LuaScriptKit",
                "EventBrokerTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Helpers the test targets share (child processes, temporary files, the package root, a seeded
        // random generator, sha1sum, the TestRedis fixture), and what the benchmarks share (the
        // order payload, the ledger of handled events), used by the CLI's `chaos` and `bench` too
        // and by the benchmark packages under Benchmarks/. It must never depend on
        // EventBrokerCLI, which depends on it.
        .target(
            name: "EventBrokerTestSupport",
            dependencies: [
                "EventBrokerCore",
                "RedisEventBroker",
                "RedisServerProcess",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EventBrokerCoreTests",
            dependencies: [
                "EventBrokerCore",
                "EventBrokerTestSupport",
                "RedisServerProcess",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EventBrokerCodecJSONTests",
            dependencies: ["EventBrokerCodecJSON", "EventBrokerTestSupport"]
        ),
        .testTarget(
            name: "EventBrokerCodecBinaryTests",
            dependencies: ["EventBrokerCodecBinary", "EventBrokerCore", "EventBrokerTestSupport"]
        ),
        // Properties every codec must have, checked on all of them with the same random events.
        .testTarget(
            name: "EventBrokerCodecTests",
            dependencies: ["EventBrokerCodecJSON", "EventBrokerCodecBinary", "EventBrokerCore", "EventBrokerTestSupport"]
        ),
        .testTarget(
            name: "ScriptEmbedderTests",
            dependencies: ["ScriptEmbedder", "LuaScriptKit", "EventBrokerTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LuaScriptKitTests",
            dependencies: ["LuaScriptKit", "EventBrokerTestSupport"]
        ),
        .testTarget(
            name: "EventBrokerCLITests",
            dependencies: [
                "EventBrokerCLI",
                "RedisEventBroker",
                "EventBrokerCore",
                "EventBrokerTestSupport",
                "RedisServerProcess",
                "LuaScriptKit",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Every metric of BrokerMetrics, recorded by real brokers on a throwaway redis-server.
        .testTarget(
            name: "EventBrokerMetricsTests",
            dependencies: [
                "EventBrokerMetrics",
                "RedisEventBroker",
                "EventBrokerCore",
                "EventBrokerChecker",
                "EventBrokerTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RedisEventBrokerTests",
            dependencies: [
                "RedisEventBroker",
                "EventBrokerCore",
                "EventBrokerChecker",
                "EventBrokerTestSupport",
                "RedisServerProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
