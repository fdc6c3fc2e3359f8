/// A condition that did not come true in time.
package struct ConditionTimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    package let what: String
    /// How long it was awaited.
    package let timeout: Duration

    package var description: String { "timed out after \(timeout) waiting until \(what)" }
}

/// Waits until `condition` holds, checking every 20 ms; throws ``ConditionTimedOut`` after `timeout`.
package func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ConditionTimedOut(what: what, timeout: timeout)
}
