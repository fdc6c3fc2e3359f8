#!/usr/bin/env bash
# Builds the libFuzzer targets of the codecs into .build-fuzz/ (see docs/CODECS.md, "Fuzzing"):
#   .build-fuzz/fuzz-binary   BinaryCodec: envelope, and payloads as FuzzOrder and FuzzTree
#   .build-fuzz/fuzz-json     JSONCodec: envelope, and its payload as FuzzOrder and FuzzTree
# Each codec is compiled with the two Core files it needs (EventEnvelope.swift, EventCodec.swift),
# instrumented for libFuzzer and AddressSanitizer, optimized as in a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-fuzz
mkdir -p "$out"
flags=(-swift-version 6 -O -parse-as-library -sanitize=fuzzer,address
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility -I "$out")

# A static library and module per Swift module, as SwiftPM would build them.
module() {
    local name=$1; shift
    swiftc "${flags[@]}" -module-name "$name" -emit-library -static -emit-module \
        -emit-module-path "$out/$name.swiftmodule" -o "$out/lib$name.a" "$@"
}

module EventBrokerCore Sources/EventBrokerCore/EventEnvelope.swift Sources/EventBrokerCore/EventCodec.swift
module EventBrokerCodecBinary Sources/EventBrokerCodecBinary/*.swift
module EventBrokerCodecJSON Sources/EventBrokerCodecJSON/*.swift

swiftc "${flags[@]}" -module-name FuzzBinary Fuzz/BinaryCodecFuzz.swift Fuzz/FuzzPayloads.swift \
    -L "$out" -lEventBrokerCodecBinary -lEventBrokerCore -o "$out/fuzz-binary"
swiftc "${flags[@]}" -module-name FuzzJSON Fuzz/JSONCodecFuzz.swift Fuzz/FuzzPayloads.swift \
    -L "$out" -lEventBrokerCodecJSON -lEventBrokerCore -o "$out/fuzz-json"
echo "Built $out/fuzz-binary and $out/fuzz-json"
