import Synchronization

/// What every ``RedisConnection`` of the process has sent since it started: requests by kind and
/// batches (each batch is one write of pipelined requests and the read of their replies: one
/// round trip). Benchmarks read it before and after a run; setup commands (AUTH, SELECT, CLIENT
/// SETNAME) are not counted, nor is pub/sub traffic.
package enum RedisTraffic {
    /// A reading of the counters.
    package struct Totals: Sendable, Equatable {
        /// EVALSHA and EVAL requests: the broker's scripts.
        package var scripts: Int
        /// Blocking waits (BLPOP, BRPOP, BLMOVE, BZPOPMIN…).
        package var blockingWaits: Int
        /// Every other request.
        package var others: Int
        /// Batches written: round trips.
        package var batches: Int

        /// Every request.
        package var requests: Int { scripts + blockingWaits + others }

        /// The traffic between `earlier` and this reading.
        package static func - (later: Totals, earlier: Totals) -> Totals {
            Totals(
                scripts: later.scripts - earlier.scripts, blockingWaits: later.blockingWaits - earlier.blockingWaits,
                others: later.others - earlier.others, batches: later.batches - earlier.batches)
        }
    }

    private static let scripts = Atomic<Int>(0)
    private static let blockingWaits = Atomic<Int>(0)
    private static let others = Atomic<Int>(0)
    private static let batches = Atomic<Int>(0)

    /// The counters now.
    package static var totals: Totals {
        Totals(
            scripts: scripts.load(ordering: .relaxed), blockingWaits: blockingWaits.load(ordering: .relaxed),
            others: others.load(ordering: .relaxed), batches: batches.load(ordering: .relaxed))
    }

    /// Counts one batch of requests whose command names are `commands`.
    static func record<Commands: Sequence<[UInt8]>>(batchOf commands: Commands) {
        var counts = (scripts: 0, blockingWaits: 0, others: 0)
        for command in commands {
            switch kind(of: command) {
            case .script: counts.scripts += 1
            case .blockingWait: counts.blockingWaits += 1
            case .other: counts.others += 1
            }
        }
        scripts.add(counts.scripts, ordering: .relaxed)
        blockingWaits.add(counts.blockingWaits, ordering: .relaxed)
        others.add(counts.others, ordering: .relaxed)
        batches.add(1, ordering: .relaxed)
    }

    /// What a request is, for the counters.
    package enum Kind: Equatable { case script, blockingWait, other }

    private static let scriptCommands = ["EVALSHA", "EVAL", "EVALSHA_RO", "EVAL_RO", "FCALL", "FCALL_RO"].map { Array($0.utf8) }
    private static let blockingCommands = ["BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP"]
        .map { Array($0.utf8) }

    /// The kind of a command by its name, in any letter case; allocates nothing.
    package static func kind(of name: [UInt8]) -> Kind {
        if scriptCommands.contains(where: { equalIgnoringCase(name, $0) }) { return .script }
        if name.first.map({ $0 | 0x20 }) == UInt8(ascii: "b"),
            blockingCommands.contains(where: { equalIgnoringCase(name, $0) })
        {
            return .blockingWait
        }
        return .other
    }

    /// Whether `name` is `upper` (an upper-case ASCII command name) in any letter case.
    private static func equalIgnoringCase(_ name: [UInt8], _ upper: [UInt8]) -> Bool {
        guard name.count == upper.count else { return false }
        for index in name.indices where name[index] != upper[index] && name[index] != upper[index] | 0x20 {
            return false
        }
        return true
    }
}
