/// The nodes a cluster client first asks for the slot map, parsed from a `redis-cluster://` URL:
/// `redis-cluster://[[user][:password]@]host1:port1,host2:port2,...`. Every node gets the URL's
/// user and password; a cluster has only database 0, so the URL names none. Any one reachable
/// node is enough: the others are learned from its map.
package struct RedisClusterSeeds: Sendable, Hashable, CustomStringConvertible {
    /// The URL scheme of a cluster.
    package static let scheme = "redis-cluster"

    /// The seed nodes, in the URL's order.
    package let endpoints: [RedisEndpoint]

    /// Whether `url` names a cluster rather than one server.
    package static func isClusterURL(_ url: String) -> Bool {
        url.hasPrefix(scheme + "://")
    }

    /// Parses a `redis-cluster://` URL; throws ``RedisError/invalidURL(url:reason:)`` for anything else.
    package init(url: String) throws(RedisError) {
        let redacted = RedisEndpoint.redact(url)
        guard Self.isClusterURL(url) else {
            throw .invalidURL(url: redacted, reason: "a cluster URL starts with \(Self.scheme)://")
        }
        let rest = url.dropFirst(Self.scheme.count + 3)
        let at = rest.lastIndex(of: "@")
        let userInfo = at.map { rest[..<$0] + "@" } ?? ""
        let hosts = at.map { rest[rest.index(after: $0)...] } ?? rest
        guard !hosts.contains("/"), !hosts.contains("?") else {
            throw .invalidURL(url: redacted, reason: "a cluster has only database 0; name no database")
        }
        var endpoints: [RedisEndpoint] = []
        for host in hosts.split(separator: ",", omittingEmptySubsequences: false) {
            guard !host.isEmpty else { throw .invalidURL(url: redacted, reason: "an empty node in the list") }
            do {
                endpoints.append(try RedisEndpoint(url: "redis://\(userInfo)\(host)"))
            } catch .invalidURL(_, let reason) {
                throw .invalidURL(url: redacted, reason: "node \(host): \(reason)")
            }
        }
        self.endpoints = endpoints
    }

    /// Seeds given as endpoints.
    package init(endpoints: [RedisEndpoint]) {
        self.endpoints = endpoints
    }

    /// The URL without the password: `redis-cluster://alice@10.0.0.5:7000,10.0.0.6:7000`.
    package var description: String {
        let user = endpoints.first?.username.map { "\($0)@" } ?? ""
        let hosts = endpoints.map { endpoint in
            switch endpoint.address {
            case .tcp(let host, let port): "\(host.contains(":") ? "[\(host)]" : host):\(port)"
            case .unix(let path): path
            }
        }
        return "\(Self.scheme)://\(user)\(hosts.joined(separator: ","))"
    }
}
