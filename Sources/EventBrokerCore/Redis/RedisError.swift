/// Why talking to Redis failed.
///
/// No case ever carries a password: URLs are redacted before they are stored here.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Redis URL could not be used; `url` has its password replaced by `***`.
    case invalidURL(url: String, reason: String)
    /// No connection could be made within the connect timeout; `reason` is the last error seen.
    case connectionFailed(endpoint: String, reason: String)
    /// The server refused the connection setup (AUTH, SELECT or CLIENT SETNAME): retrying
    /// will not help until the configuration changes.
    case authenticationFailed(endpoint: String, message: String)
    /// The server's ACL rules refused a command, or a key or channel it names: the URL's user
    /// lacks a permission the broker needs (``BrokerACL`` lists them), or the broker's key prefix
    /// is not the one the user may use. A refused command did not run; a script stops at the
    /// refused command inside it.
    case permissionDenied(endpoint: String, message: String)
    /// The request was sent but the connection broke before its reply arrived, so it may or may
    /// not have run.
    case connectionLost(reason: String)
    /// Redis answered with an error reply, for example `NOSCRIPT No matching script...`;
    /// match on the prefix of `message`.
    case server(message: String)
    /// The connection was closed by its owner.
    case closed

    /// What went wrong and what to check, in words; never contains a password.
    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "Invalid Redis URL '\(url)': \(reason)"
        case .connectionFailed(let endpoint, let reason):
            return "Could not connect to Redis at \(endpoint) within the connect timeout: \(reason). "
                + "Check that the server is running and that the URL points at it."
        case .authenticationFailed(let endpoint, let message):
            return "Redis at \(endpoint) refused the connection setup: \(message). "
                + "Check the user name, password and database number of the URL."
        case .permissionDenied(let endpoint, let message):
            return "Redis at \(endpoint) refused a command by its ACL rules: \(message). "
                + "Give the URL's user the rules of BrokerACL.rules(keyPrefix:) for the broker's key prefix "
                + "(docs/SECURITY.md), and check that the key prefix is the one the user is for."
        case .connectionLost(let reason):
            return "The connection to Redis broke before the reply arrived (\(reason)); "
                + "the command may or may not have run."
        case .server(let message):
            return "Redis replied with an error: \(message)"
        case .closed:
            return "The Redis connection was closed by its owner; create a new one to send more commands."
        }
    }
}

extension RedisError {
    /// The error for an error reply of the server at `endpoint`: ``permissionDenied(endpoint:message:)``
    /// when its ACL rules refused the command (`NOPERM`, or, from a script on Redis 7.0,
    /// `ERR The user executing the script can't ...`), ``server(message:)`` for any other.
    init(reply message: String, from endpoint: RedisEndpoint) {
        if message.hasPrefix("NOPERM ") || message.hasPrefix("ERR The user executing the script can't ") {
            self = .permissionDenied(endpoint: endpoint.description, message: message)
        } else {
            self = .server(message: message)
        }
    }

    /// Whether the command may not have reached Redis, or its reply may have been lost, while
    /// Redis is still there: no connection could be made, or it broke under the command. Only
    /// an idempotent command should be sent again for it.
    var mayNotHaveRun: Bool {
        switch self {
        case .connectionFailed, .connectionLost: true
        default: false
        }
    }
}
