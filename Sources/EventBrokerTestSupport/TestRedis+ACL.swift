import EventBrokerCore
import RedisServerProcess

/// ACL users on the fixture's server: the least-privilege user of ``TestRedis/BrokerSettings/aclUser``,
/// others a test defines, and what the server's ACL refused them.
extension TestRedis {
    /// The least-privilege user the brokers log in as with ``BrokerSettings/aclUser``.
    package static let aclUser = "reb-broker"
    /// The password of ``aclUser``.
    package static let aclUserPassword = "broker-secret"
    /// The default user's password with ``BrokerSettings/aclUser``.
    package static let adminPassword = "admin-secret"

    /// The `redis-server` arguments that define `user` with `password` and `rules`, by default
    /// ``BrokerACL/rules(keyPrefix:)`` of the default key prefix.
    package static func userArguments(_ user: String, password: String, rules: [String]? = nil) throws -> [String] {
        ["--user", user, "on", ">\(password)"] + (try rules ?? BrokerACL.rules())
    }

    /// The URL of the server's unix socket with `user` and `password` (neither percent-encoded);
    /// on a cluster, the `redis-cluster://` URL of every node with them.
    package func url(user: String, password: String) -> String {
        settings.cluster ? clusterURL(login: "\(user):\(password)@") : "unix://\(user):\(password)@\(server.socketPath)"
    }

    /// The URL of ``TestRedis/server``'s own unix socket with `user` and `password`, on a cluster
    /// too: for a connection of a test's own to that one server.
    package func serverURL(user: String, password: String) -> String {
        "unix://\(user):\(password)@\(server.socketPath)"
    }

    /// How errors and tools name the server holding `key` (by default, the registry of
    /// services of the prefix `reb`) when `user` (or the default user) logged in: its unix
    /// socket, or on a cluster the master serving the key's slot.
    package func endpointDescription(user: String? = nil, key: String = "{reb}") async throws -> String {
        let login = user.map { "\($0)@" } ?? ""
        guard settings.cluster else { return "unix://\(login)\(server.socketPath)" }
        let master = try await ClusterNodes.master(forKey: key, among: nodes, password: settings.aclUser ? Self.adminPassword : nil)
        return "redis://\(login)127.0.0.1:\(master.port ?? 0)"
    }

    /// The keys of `service` under `keyPrefix` in the layout of the brokers' slot placement.
    package func serviceKeys(_ service: String, keyPrefix: String = "reb") throws -> ServiceKeys {
        try KeyLayout(prefix: keyPrefix, placement: settings.slotPlacement).service(service)
    }

    /// What the server's ACL refused `user` so far (`ACL LOG`), one line per entry: why (a
    /// command, key or channel), what, and where (top level or script); on a cluster, what
    /// every node refused.
    package func aclRefusals(of user: String) async throws -> [String] {
        var refusals: [String] = []
        for connection in nodeAdmins {
            refusals += try await Self.aclRefusals(of: user, on: connection)
        }
        return refusals
    }

    /// What the ACL of the server of `connection` (whose user may run `ACL LOG`) refused `user`
    /// so far, as ``aclRefusals(of:)`` describes it.
    package static func aclRefusals(of user: String, on connection: RedisConnection) async throws -> [String] {
        let entries = try await connection.send("ACL", "LOG").array ?? []
        return entries.compactMap { entry -> String? in
            let fields = entry.array?.map { $0.string ?? "\($0)" } ?? []
            var values: [String: String] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                values[fields[index]] = fields[index + 1]
            }
            guard values["username"] == user else { return nil }
            return "\(values["reason"] ?? "?") \(values["object"] ?? "?") (\(values["context"] ?? "?"))"
        }
    }
}

/// The server's ACL refused the least-privilege user something during a test.
package struct ACLRefusals: Error, CustomStringConvertible {
    /// The user refused.
    package let user: String
    /// What was refused, as ``TestRedis/aclRefusals(of:)`` describes it.
    package let entries: [String]

    package var description: String {
        "the server's ACL refused \(user): \(entries.joined(separator: "; ")); the broker needs a command, "
            + "key or channel that BrokerACL.rules(keyPrefix:) does not grant"
    }
}
