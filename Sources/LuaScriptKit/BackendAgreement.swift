/// Whether two runs of the same script tests on different backends agree: the same files load,
/// the same tests exist and pass, and after every test the keyspace dumps are equal. This is
/// what keeps the embedded model honest against a real redis-server.
package enum BackendAgreement {
    /// Every way `second` differs from `first`, in words; empty when they agree.
    package static func disagreements(between first: ScriptTestRun, and second: ScriptTestRun) -> [String] {
        let (a, b) = (first.backend, second.backend)
        guard first.files.map(\.file) == second.files.map(\.file) else {
            return ["the test files differ: \(a) ran \(first.files.map(\.file)), \(b) ran \(second.files.map(\.file))"]
        }
        var found: [String] = []
        for (one, other) in zip(first.files, second.files) {
            if (one.loadFailure == nil) != (other.loadFailure == nil) {
                found.append("\(one.file): loads on \(one.loadFailure == nil ? a : b) only")
                continue
            }
            guard one.tests.map(\.name) == other.tests.map(\.name) else {
                found.append("\(one.file): the tests differ: \(a) ran \(one.tests.map(\.name)), \(b) ran \(other.tests.map(\.name))")
                continue
            }
            for (test, counterpart) in zip(one.tests, other.tests) {
                let name = "\(one.file): \(test.name)"
                if test.passed != counterpart.passed {
                    found.append("\(name): \(test.passed ? "passes" : "fails") on \(a), \(counterpart.passed ? "passes" : "fails") on \(b)")
                }
                switch (test.dump, counterpart.dump) {
                case (let dump?, let other?) where dump != other:
                    let lines = dump.difference(to: other).map { "    " + $0 }
                    found.append(
                        (["\(name): the keyspaces differ after the test (- only on \(a), + only on \(b))"] + lines)
                            .joined(separator: "\n"))
                case (nil, _?), (_?, nil):
                    found.append("\(name): the keyspace could be dumped on \(test.dump == nil ? b : a) only")
                default:
                    break
                }
            }
        }
        return found
    }
}
