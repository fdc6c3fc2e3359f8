/// What a cluster node's error reply tells a client to do instead.
package enum ClusterRedirection: Equatable, Sendable {
    /// `MOVED <slot> <host>:<port>`: the slot lives on that node now; send there from now on.
    case moved(slot: Int, host: String, port: Int)
    /// `ASK <slot> <host>:<port>`: the slot is migrating and this key is already there; send
    /// this one command there, behind `ASKING`.
    case ask(slot: Int, host: String, port: Int)
    /// `TRYAGAIN` (a multi-key command during a migration) or `CLUSTERDOWN` (no quorum, or a
    /// failover under way): send again shortly.
    case retryLater

    /// The redirection an error reply carries, or nil for any other error.
    package init?(errorMessage message: String) {
        if message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN") {
            self = .retryLater
            return
        }
        let parts = message.split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = Int(parts[1]),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else { return nil }
        let host = String(parts[2][..<colon])
        self = parts[0] == "MOVED" ? .moved(slot: slot, host: host, port: port) : .ask(slot: slot, host: host, port: port)
    }
}
