/// Which master serves each hash slot of a Redis Cluster, as `CLUSTER SLOTS` tells it.
package struct ClusterSlotMap: Sendable, Equatable {
    /// The master of each slot, by slot number; nil for a slot no master serves.
    private var masters: [RedisEndpoint?]

    /// A map that knows no slot.
    package init() {
        masters = Array(repeating: nil, count: HashSlot.count)
    }

    /// Parses a `CLUSTER SLOTS` reply: one entry per range, `[first, last, [host, port, id, ...],
    /// replica...]`. The masters get the user and password of `credentials`; an empty host
    /// (a node that does not know its own address) stands for `fallbackHost`.
    package init(clusterSlots reply: RedisReply, credentials: RedisEndpoint, fallbackHost: String) throws(RedisError) {
        self.init()
        guard let ranges = reply.array else { throw Self.malformed(reply) }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let first = fields[0].integer, let last = fields[1].integer,
                let master = fields[2].array, master.count >= 2, let host = master[0].string, let port = master[1].integer,
                0 <= first, first <= last, last < HashSlot.count
            else { throw Self.malformed(reply) }
            var endpoint = credentials
            endpoint.address = .tcp(host: host.isEmpty ? fallbackHost : host, port: Int(port))
            endpoint.database = 0
            for slot in Int(first)...Int(last) {
                masters[slot] = endpoint
            }
        }
    }

    /// The master of `slot`, if one serves it.
    package func master(of slot: Int) -> RedisEndpoint? {
        masters[slot]
    }

    /// Every master the map names, each once.
    package var nodes: Set<RedisEndpoint> {
        Set(masters.compactMap { $0 })
    }

    /// Records that `slot` moved to `node` (a `MOVED` redirection).
    package mutating func move(_ slot: Int, to node: RedisEndpoint) {
        masters[slot] = node
    }

    private static func malformed(_ reply: RedisReply) -> RedisError {
        .server(message: "CLUSTER SLOTS answered something other than slot ranges: \(reply)")
    }
}
