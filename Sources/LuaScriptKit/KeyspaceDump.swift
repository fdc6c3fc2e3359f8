/// Every key of a backend with its type and contents, in one canonical form: keys sorted by
/// bytes, hash fields, set members and sorted-set members sorted by bytes, lists in order.
///
/// Both backends are dumped by the same code, through ``ScriptTestBackend/call(_:)`` (KEYS,
/// TYPE, then GET, LRANGE, HGETALL, SMEMBERS or ZRANGE WITHSCORES), so two dumps compare equal
/// exactly when the keyspaces hold the same data. A sorted-set score that depends on the server
/// clock can be masked (`mask_score` in a test), so that dumps of two runs still compare.
package struct KeyspaceDump: Sendable, Hashable, CustomStringConvertible {
    /// One key.
    package struct Entry: Sendable, Hashable {
        /// The key.
        package var key: [UInt8]
        /// What it holds.
        package var contents: Contents
    }

    /// The contents of a key, by type.
    package enum Contents: Sendable, Hashable {
        /// A string.
        case string([UInt8])
        /// A list, head first.
        case list([[UInt8]])
        /// A hash, fields sorted.
        case hash([Field])
        /// A set, members sorted.
        case set([[UInt8]])
        /// A sorted set, members sorted by bytes; each value is the score as Redis prints it, or
        /// `<masked>`.
        case sortedSet([Field])
    }

    /// A hash field and its value, or a sorted-set member and its score.
    package struct Field: Sendable, Hashable {
        /// The field or member.
        package var name: [UInt8]
        /// The value or score.
        package var value: [UInt8]
    }

    /// A member of a sorted set whose score the dump hides.
    package struct MaskedScore: Sendable, Hashable {
        /// The sorted set's key.
        package var key: [UInt8]
        /// The member.
        package var member: [UInt8]

        /// Creates a mask.
        package init(key: [UInt8], member: [UInt8]) {
            self.key = key
            self.member = member
        }
    }

    /// The keys, sorted.
    package var entries: [Entry]

    /// What a masked score shows.
    static let masked = Array("<masked>".utf8)

    /// Dumps every key of `backend`, hiding the `masked` scores.
    package static func capture(from backend: some ScriptTestBackend, masking masked: Set<MaskedScore> = [])
        throws(ScriptTestFailure) -> KeyspaceDump
    {
        let keys = try strings(try backend.call([Array("KEYS".utf8), Array("*".utf8)]), "KEYS *")
        var entries: [Entry] = []
        for key in keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let type = try backend.call([Array("TYPE".utf8), key])
            guard case .status(let name) = type else { throw unexpected(type, "TYPE", key) }
            let contents: Contents
            switch String(decoding: name, as: UTF8.self) {
            case "string":
                let value = try backend.call([Array("GET".utf8), key])
                guard case .bulk(let bytes) = value else { throw unexpected(value, "GET", key) }
                contents = .string(bytes)
            case "list":
                contents = .list(try strings(try backend.call(command("LRANGE", key, "0", "-1")), "LRANGE", key))
            case "hash":
                let flat = try strings(try backend.call([Array("HGETALL".utf8), key]), "HGETALL", key)
                contents = .hash(sortedFields(flat, key: key, masked: []))
            case "set":
                let members = try strings(try backend.call([Array("SMEMBERS".utf8), key]), "SMEMBERS", key)
                contents = .set(members.sorted { $0.lexicographicallyPrecedes($1) })
            case "zset":
                let flat = try strings(try backend.call(command("ZRANGE", key, "0", "-1", "WITHSCORES")), "ZRANGE", key)
                contents = .sortedSet(sortedFields(flat, key: key, masked: masked))
            case let other:
                throw ScriptTestFailure(message: "the dump does not know keys of type \(other) (key \(quoted(key)))")
            }
            entries.append(Entry(key: key, contents: contents))
        }
        return KeyspaceDump(entries: entries)
    }

    /// One line per key: `"key" type contents`.
    package var description: String {
        entries.map(\.line).joined(separator: "\n")
    }

    /// The lines of `self` missing from `other` (`- `) and those of `other` missing here (`+ `).
    package func difference(to other: KeyspaceDump) -> [String] {
        let mine = entries.map(\.line)
        let theirs = other.entries.map(\.line)
        return mine.filter { !theirs.contains($0) }.map { "- " + $0 } + theirs.filter { !mine.contains($0) }.map { "+ " + $0 }
    }

    private static func command(_ name: String, _ key: [UInt8], _ rest: String...) -> [[UInt8]] {
        [Array(name.utf8), key] + rest.map { Array($0.utf8) }
    }

    private static func strings(_ reply: RedisValue, _ command: String, _ key: [UInt8]? = nil)
        throws(ScriptTestFailure) -> [[UInt8]]
    {
        guard case .array(let items) = reply else { throw unexpected(reply, command, key) }
        var strings: [[UInt8]] = []
        for item in items {
            guard case .bulk(let bytes) = item else { throw unexpected(reply, command, key) }
            strings.append(bytes)
        }
        return strings
    }

    private static func sortedFields(_ flat: [[UInt8]], key: [UInt8], masked: Set<MaskedScore>) -> [Field] {
        stride(from: 0, to: flat.count - 1, by: 2).map { index in
            let hidden = masked.contains(MaskedScore(key: key, member: flat[index]))
            return Field(name: flat[index], value: hidden ? Self.masked : flat[index + 1])
        }.sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    private static func unexpected(_ reply: RedisValue, _ command: String, _ key: [UInt8]?) -> ScriptTestFailure {
        ScriptTestFailure(
            message: "the dump got an unexpected reply to \(command)\(key.map { " " + quoted($0) } ?? ""): \(reply)")
    }
}

extension KeyspaceDump.Entry {
    /// The entry on one line.
    var line: String {
        let body: String
        switch contents {
        case .string(let value):
            body = "string " + quoted(value)
        case .list(let items):
            body = "list [" + items.map(quoted).joined(separator: ", ") + "]"
        case .hash(let fields):
            body = "hash {" + fields.map { quoted($0.name) + ": " + quoted($0.value) }.joined(separator: ", ") + "}"
        case .set(let members):
            body = "set {" + members.map(quoted).joined(separator: ", ") + "}"
        case .sortedSet(let members):
            body = "zset {" + members.map { quoted($0.name) + ": " + String(decoding: $0.value, as: UTF8.self) }
                .joined(separator: ", ") + "}"
        }
        return quoted(key) + " " + body
    }
}
