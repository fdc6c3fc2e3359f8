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
