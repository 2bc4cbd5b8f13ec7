// swift-tools-version:6.1
import PackageDescription

/// Micro-benchmarks of Switchyard's hot path (ordo-one/benchmark: time and allocations per operation), a package
/// of their own so the gateway's build and tests never carry the benchmark tooling.
let package = Package(
    name: "switchyard-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "switchyard", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardKit", package: "switchyard"),
            ],
            path: "Benchmarks/HotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
