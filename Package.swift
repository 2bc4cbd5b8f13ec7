// swift-tools-version:6.1
import PackageDescription

/// Settings every Switchyard target compiles with.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // An import is internal unless it says otherwise: a module reached only transitively cannot be used by accident.
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Nonisolated async functions run on their caller's executor (SE-0461): no executor hop at each call.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        // The gateway's building blocks, for the benchmarks package (Benchmarks/).
        .library(
            name: "SwitchyardKit",
            targets: ["SwitchyardWire", "SwitchyardCore", "SwitchyardTranslation", "SwitchyardGateway", "SwitchyardTokenizer", "SwitchyardGuardrails"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Test support only: the loopback TLS upstream's certificates.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Tracing only, exported over OTLP/HTTP: the gRPC exporter and its dependencies are not built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Wire formats: JSON scanning and splicing, SSE codec, OpenAI wire types.
        .target(
            name: "SwitchyardWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Event-loop building blocks shared by the server and the upstream transport.
        .target(
            name: "SwitchyardNetworking",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Domain values and ports.
        .target(
            name: "SwitchyardCore",
            dependencies: [
                "SwitchyardWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        // Exact token counts for OpenAI's byte-pair encodings (cl100k_base, o200k_base), from vocabularies shipped here.
        .target(
            name: "SwitchyardTokenizer",
            exclude: ["Resources/VOCABULARIES.md"],
            resources: [.copy("Resources/cl100k_base.tiktoken"), .copy("Resources/o200k_base.tiktoken")],
            swiftSettings: strictSettings
        ),
        // Guardrail detectors (personal data, secrets, patterns, word lists) over text; no I/O.
        .target(
            name: "SwitchyardGuardrails",
            swiftSettings: strictSettings
        ),
        // Prompt templates: definitions, typed variables, rendering (Mustache) and diffs; no I/O.
        .target(
            name: "SwitchyardPrompts",
            dependencies: [
                "SwitchyardCore", "SwitchyardWire", .product(name: "Mustache", package: "swift-mustache"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // YAML configuration into typed values.
        .target(
            name: "SwitchyardConfig",
            dependencies: ["SwitchyardCore", "SwitchyardGuardrails", "SwitchyardPrompts", "SwitchyardWire", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // Pure translators between dialects, one per direction; no I/O.
        .target(
            name: "SwitchyardTranslation",
            dependencies: ["SwitchyardCore", "SwitchyardWire"],
            swiftSettings: strictSettings
        ),
        // Upstream adapters.
        .target(
            name: "SwitchyardProviders",
            dependencies: [
                "SwitchyardCore", "SwitchyardWire", "SwitchyardTranslation", "SwitchyardNetworking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        // The use cases: one pipeline per endpoint.
        .target(
            name: "SwitchyardGateway",
            dependencies: [
                "SwitchyardCore", "SwitchyardWire", "SwitchyardTranslation", "SwitchyardTokenizer", "SwitchyardGuardrails", "SwitchyardPrompts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Resources/model-prices.json")],
            swiftSettings: strictSettings
        ),
        // SQLite (and later PostgreSQL) implementations of the storage ports.
        .target(
            name: "SwitchyardStorage",
            dependencies: [
                "SwitchyardCore", "SwitchyardWire",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Telemetry backends: the Prometheus registry, the OTLP trace exporter, the log handlers. Nothing emits from here.
        .target(
            name: "SwitchyardTelemetry",
            dependencies: [
                "SwitchyardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Hummingbird: routes, middleware, error rendering, SSE writing.
        .target(
            name: "SwitchyardHTTP",
            dependencies: [
                "SwitchyardGateway", "SwitchyardCore", "SwitchyardWire", "SwitchyardNetworking", "SwitchyardPrompts",
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Resources/ui")],
            swiftSettings: strictSettings
        ),
        // The composition root.
        .target(
            name: "SwitchyardApp",
            dependencies: [
                "SwitchyardCore", "SwitchyardConfig", "SwitchyardProviders",
                "SwitchyardGateway", "SwitchyardStorage", "SwitchyardHTTP", "SwitchyardTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardApp", "SwitchyardConfig", "SwitchyardCore", "SwitchyardTelemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings,
            // Foundation's ICU named once more at the end of the link line: with `--static-swift-stdlib` the linker
            // otherwise leaves the symbols Foundation's internationalization needs from it unresolved.
            linkerSettings: [.linkedLibrary("_FoundationICU", .when(platforms: [.linux]))]
        ),
        // The open-loop load generator of the end-to-end benchmark (Benchmarks/run).
        .executableTarget(
            name: "switchyard-loadgen",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/LoadGenerator",
            swiftSettings: strictSettings
        ),
        // The end-to-end benchmark's SwiftNIO reference: a minimal reverse proxy (Benchmarks/run).
        .executableTarget(
            name: "switchyard-proxy-floor",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/ProxyFloor",
            swiftSettings: strictSettings
        ),
        // Test support: upstream doubles speaking each provider's wire format on loopback.
        .target(
            name: "SwitchyardTesting",
            dependencies: [
                "SwitchyardCore", "SwitchyardWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardPromptsTests",
            dependencies: ["SwitchyardPrompts", "SwitchyardCore", "SwitchyardWire"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardGuardrailsTests",
            dependencies: ["SwitchyardGuardrails"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardTokenizerTests",
            dependencies: ["SwitchyardTokenizer", "SwitchyardTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardWireTests",
            dependencies: ["SwitchyardWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardTranslationTests",
            dependencies: ["SwitchyardTranslation", "SwitchyardCore", "SwitchyardWire", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardProvidersTests",
            dependencies: [
                "SwitchyardProviders", "SwitchyardTesting", "SwitchyardCore", "SwitchyardWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardGatewayTests",
            dependencies: [
                "SwitchyardGateway", "SwitchyardTranslation", "SwitchyardTesting", "SwitchyardCore", "SwitchyardWire", "SwitchyardTokenizer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardTelemetryTests",
            dependencies: [
                "SwitchyardTelemetry", "SwitchyardGateway", "SwitchyardCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardConfigTests",
            dependencies: ["SwitchyardConfig", "SwitchyardCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardStorageTests",
            dependencies: [
                "SwitchyardStorage", "SwitchyardCore", "SwitchyardWire", .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardHTTPTests",
            dependencies: [
                "SwitchyardHTTP", "SwitchyardTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardEndToEndTests",
            dependencies: [
                "SwitchyardApp", "SwitchyardTesting", "SwitchyardConfig", "SwitchyardCore", "SwitchyardWire", "SwitchyardStorage",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
    ]
)
