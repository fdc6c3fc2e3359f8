/// Redis's glob matching (`stringmatchlen`, case-sensitive), as KEYS uses it: `*`, `?`,
/// `[abc]`, `[^abc]`, `[a-z]` and `\` escapes.
struct GlobPattern {
    /// The pattern's bytes.
    let pattern: [UInt8]

    /// Whether `string` matches the whole pattern.
    func matches(_ string: [UInt8]) -> Bool {
        var skipLongerMatches = false
        return match(string, patternStart: 0, stringStart: 0, skipLongerMatches: &skipLongerMatches)
    }

    /// The byte at `index`, or 0 past the end (Redis reads the terminating NUL there).
    private func patternByte(_ index: Int) -> UInt8 {
        index < pattern.count ? pattern[index] : 0
    }

    private func match(_ string: [UInt8], patternStart: Int, stringStart: Int, skipLongerMatches: inout Bool) -> Bool {
        var p = patternStart
        var s = stringStart
        while p < pattern.count && s < string.count {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while p + 1 < pattern.count && pattern[p + 1] == UInt8(ascii: "*") { p += 1 }
                if p + 1 == pattern.count { return true }
                while s < string.count {
                    if match(string, patternStart: p + 1, stringStart: s, skipLongerMatches: &skipLongerMatches) { return true }
                    if skipLongerMatches { return false }
                    s += 1
                }
                skipLongerMatches = true
                return false
            case UInt8(ascii: "?"):
                s += 1
            case UInt8(ascii: "["):
                p += 1
                let negated = patternByte(p) == UInt8(ascii: "^")
                if negated { p += 1 }
                var matched = false
                let character = signed(string[s])
                while true {
                    if patternByte(p) == UInt8(ascii: "\\") && pattern.count - p >= 2 {
                        p += 1
                        if pattern[p] == string[s] { matched = true }
                    } else if patternByte(p) == UInt8(ascii: "]") {
                        break
                    } else if p >= pattern.count {
                        p -= 1
                        break
                    } else if pattern.count - p >= 3 && pattern[p + 1] == UInt8(ascii: "-") {
                        var low = signed(pattern[p])
                        var high = signed(pattern[p + 2])
                        if low > high { swap(&low, &high) }
                        p += 2
                        if character >= low && character <= high { matched = true }
                    } else if pattern[p] == string[s] {
                        matched = true
                    }
                    p += 1
                }
                if negated { matched.toggle() }
                if !matched { return false }
                s += 1
            default:
                if pattern[p] == UInt8(ascii: "\\") && pattern.count - p >= 2 { p += 1 }
                if pattern[p] != string[s] { return false }
                s += 1
            }
            p += 1
            if s == string.count {
                while patternByte(p) == UInt8(ascii: "*") { p += 1 }
                break
            }
        }
        return p >= pattern.count && s == string.count
    }

    /// C's `char` is signed on the platforms Redis runs on; ranges compare that way.
    private func signed(_ byte: UInt8) -> Int { Int(Int8(bitPattern: byte)) }
}
