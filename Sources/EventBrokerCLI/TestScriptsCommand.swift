import ArgumentParser
import LuaScriptKit

/// `event-broker test-scripts`: runs the Lua unit tests of the broker's scripts on the embedded
/// Redis model, on a throwaway redis-server, or on both, and then checks that the two agree.
struct TestScriptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-scripts",
        abstract: "Run the Lua unit tests in Scripts/tests/ on the embedded Redis model and/or a real redis-server.",
        discussion: """
            Every Scripts/tests/*.test.lua file runs in embedded Lua 5.4; its call(), run() and \
            published() go to the backend. The redis backend starts a throwaway redis-server of its \
            own and never touches any other Redis. With --backend both, the two backends must also \
            agree: the same tests pass and the keyspace is the same after every test. Exits with \
            status 1 on any failure or disagreement.
            """)

    /// Which backends to run the tests on.
    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case embedded, redis, both
    }

    @Option(help: "The backend: embedded (the in-memory model), redis (a throwaway redis-server) or both.")
    var backend: Backend = .both

    @Option(help: "The directory of the scripts, with the tests in its tests/ folder.")
    var scripts = "Scripts"

    @Option(help: "Run only the tests whose '<file>: <name>' contains this text (ignoring case).")
    var filter: String?

    func run() async throws {
        let suite: ScriptTestSuite
        do {
            suite = try ScriptTestSuite(directory: scripts)
        } catch {
            throw ValidationError(error.description)
        }
        let kinds: [ScriptTestSession.BackendKind] =
            switch backend {
            case .embedded: [.embedded]
            case .redis: [.redis]
            case .both: [.embedded, .redis]
            }
        let runs = try await ScriptTestSession.run(suite: suite, filter: filter, on: kinds)
        for run in runs {
            print(run.report)
            print()
        }
        var succeeded = runs.allSatisfy(\.succeeded)
        if runs.count == 2 {
            let disagreements = BackendAgreement.disagreements(between: runs[0], and: runs[1])
            if disagreements.isEmpty {
                print("The backends agree on all \(runs[0].passed + runs[0].failed) tests: the same results and keyspaces.")
            } else {
                print("The backends disagree:")
                disagreements.forEach { print("✘ " + $0) }
                succeeded = false
            }
        }
        if !succeeded { throw ExitCode.failure }
    }
}
