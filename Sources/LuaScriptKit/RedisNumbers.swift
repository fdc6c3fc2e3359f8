#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How Redis 7.0 reads numbers from strings and writes them back.
enum RedisNumbers {
    /// Redis's `string2ll`: optional `-`, no `+`, no spaces, no leading zeros, no `-0`, within 64 bits.
    static func integer(_ bytes: [UInt8]) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        if bytes == [UInt8(ascii: "0")] { return 0 }
        let negative = bytes[0] == UInt8(ascii: "-")
        let digits = negative ? bytes.dropFirst() : bytes[...]
        guard let first = digits.first, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first) else { return nil }
        var magnitude: UInt64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, overflowPlus) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowPlus else { return nil }
            magnitude = plus
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Redis's `string2d` (ZADD scores): all of the string is a `strtod` number, no leading
    /// space, not NaN, no overflow; `inf` and `-inf` are fine.
    static func double(_ bytes: [UInt8]) -> Double? {
        guard let first = bytes.first, !isSpace(first) else { return nil }
        guard let (value, consumed, rangeError) = strtodPrefix(bytes), consumed == bytes.count else { return nil }
        if value.isNaN { return nil }
        if rangeError && (value.isInfinite || value == 0) { return nil }
        return value
    }

    /// One bound of ZRANGEBYSCORE (`zslParseRange`): `(` makes it exclusive; `strtod` must read
    /// up to the end or a NUL (so leading spaces pass, and the empty string reads as 0).
    static func scoreBound(_ bytes: [UInt8]) -> (value: Double, exclusive: Bool)? {
        let exclusive = bytes.first == UInt8(ascii: "(")
        let text = exclusive ? Array(bytes.dropFirst()) : bytes
        guard let (value, consumed, _) = strtodPrefix(text), !value.isNaN,
            consumed == text.count || text[consumed] == 0
        else { return nil }
        return (value, exclusive)
    }

    /// A double as Redis 7.0 replies with it (`addReplyDouble`, RESP2): `inf`, `-inf`, else `%.17g`.
    static func format(_ value: Double) -> [UInt8] {
        if value.isInfinite { return Array((value > 0 ? "inf" : "-inf").utf8) }
        return printf17g(value)
    }

    /// `printf("%.17g", value)`.
    static func printf17g(_ value: Double) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { pointer in
                vsnprintf(pointer.baseAddress, pointer.count, "%.17g", arguments)
            }
        }
        return buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }
    }

    /// `strtod` on the bytes (which may hold a NUL, where it stops): the value, how many bytes it
    /// read, and whether it set ERANGE.
    private static func strtodPrefix(_ bytes: [UInt8]) -> (Double, Int, Bool)? {
        let terminated = bytes.map { CChar(bitPattern: $0) } + [0]
        return terminated.withUnsafeBufferPointer { buffer -> (Double, Int, Bool)? in
            guard let start = buffer.baseAddress else { return nil }
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(start, &end)
            let rangeError = errno == ERANGE
            guard let end else { return nil }
            return (value, start.distance(to: UnsafePointer(end)), rangeError)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
