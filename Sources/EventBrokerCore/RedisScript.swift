/// One Lua script of `Scripts/`, embedded at build time by the ScriptEmbedder plugin.
///
/// Each script is one atomic broker operation; it runs by `EVALSHA` and is loaded with
/// `SCRIPT LOAD` when Redis answers `NOSCRIPT`.
public struct RedisScript: Sendable, Hashable {
    /// The script's name, equal to its file name without `.lua`.
    public let name: String
    /// The version from the script's header; raised whenever the text changes.
    public let version: Int
    /// The lowercase hex SHA1 of ``source``, as Redis computes it.
    public let sha1: String
    /// The script's text, byte for byte as in its file.
    public let source: String

    /// Creates a script description; generated code calls this for each file of `Scripts/`.
    public init(name: String, version: Int, sha1: String, source: String) {
        self.name = name
        self.version = version
        self.sha1 = sha1
        self.source = source
    }
}
