import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One delivery of one event to one consumer process, as the chaos ledger names it.
struct LedgerDelivery: Hashable, Sendable {
    /// The service the delivery belongs to.
    var service: String
    /// The event's id.
    var eventId: String
    /// The event's delivery count for this delivery (1 for the first).
    var number: Int
    /// The consumer process that took it.
    var pid: Int32
}

/// How the ack of a completed handler ended, as a `pick` loop saw it.
enum AckOutcome: String, Sendable {
    /// `pick` returned `true`: the event left Redis.
    case ok
    /// `pick` threw ``BrokerError/leaseLost(eventId:)``: the lease had passed to another delivery.
    case lost
    /// `pick` threw another error (connection trouble): the ack may or may not have run.
    case error
}

/// One line of a chaos ledger. Every process of a run appends to a file of its own; a line is
/// written only after what it records happened (a publish only after `publishEvent` returned).
///
/// ```
/// Y <service> <pid> <ms>                                   consumer subscribed and ready
/// S|H|F <service> <eventId> <delivery> <pid> <ms>          handler started, completed, threw on purpose
/// A <service> <eventId> <delivery> <pid> ok|lost|error <ms> ack outcome of a completed handler
/// P <eventId> <ms>                                         publish acknowledged by the broker
/// U <ms>                                                   publish failed; retried with a new event
/// N <service> <pid> <ms> / Q <pid> <ms>                    orchestrator started a consumer / the producer
/// K|T|C <pid> <ms>                                         SIGKILL / SIGSTOP / SIGCONT sent
/// R <from-ms> <to-ms>                                      redis-server restarted (down from … to …)
/// X <ms>                                                   SCRIPT FLUSH (stamped with its start)
/// L <connections> <ms>                                     CLIENT KILL of the consumers' connections (its start)
/// ```
enum LedgerEntry: Equatable, Sendable {
    case ready(service: String, pid: Int32, at: Int64)
    case started(LedgerDelivery, at: Int64)
    case handled(LedgerDelivery, at: Int64)
    case failed(LedgerDelivery, at: Int64)
    case acked(LedgerDelivery, AckOutcome, at: Int64)
    case published(eventId: String, at: Int64)
    case publishUnacknowledged(at: Int64)
    case consumerStarted(service: String, pid: Int32, at: Int64)
    case producerStarted(pid: Int32, at: Int64)
    case killed(pid: Int32, at: Int64)
    case stopped(pid: Int32, at: Int64)
    case continued(pid: Int32, at: Int64)
    case restarted(from: Int64, to: Int64)
    case scriptsFlushed(at: Int64)
    case clientsKilled(connections: Int, at: Int64)

    /// The entry as one ledger line, without its newline.
    var line: String {
        switch self {
        case .ready(let service, let pid, let at): return "Y \(service) \(pid) \(at)"
        case .started(let delivery, let at): return "S \(Self.fields(delivery)) \(at)"
        case .handled(let delivery, let at): return "H \(Self.fields(delivery)) \(at)"
        case .failed(let delivery, let at): return "F \(Self.fields(delivery)) \(at)"
        case .acked(let delivery, let outcome, let at): return "A \(Self.fields(delivery)) \(outcome.rawValue) \(at)"
        case .published(let eventId, let at): return "P \(eventId) \(at)"
        case .publishUnacknowledged(let at): return "U \(at)"
        case .consumerStarted(let service, let pid, let at): return "N \(service) \(pid) \(at)"
        case .producerStarted(let pid, let at): return "Q \(pid) \(at)"
        case .killed(let pid, let at): return "K \(pid) \(at)"
        case .stopped(let pid, let at): return "T \(pid) \(at)"
        case .continued(let pid, let at): return "C \(pid) \(at)"
        case .restarted(let from, let to): return "R \(from) \(to)"
        case .scriptsFlushed(let at): return "X \(at)"
        case .clientsKilled(let connections, let at): return "L \(connections) \(at)"
        }
    }

    private static func fields(_ delivery: LedgerDelivery) -> String {
        "\(delivery.service) \(delivery.eventId) \(delivery.number) \(delivery.pid)"
    }

    /// Parses one ledger line; `nil` when it is not one.
    init?(line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let tag = fields.first else { return nil }
        let rest = Array(fields.dropFirst())
        func delivery() -> LedgerDelivery? {
            guard rest.count >= 4, let number = Int(rest[2]), let pid = Int32(rest[3]) else { return nil }
            return LedgerDelivery(service: rest[0], eventId: rest[1], number: number, pid: pid)
        }
        func time(_ index: Int) -> Int64? { index < rest.count ? Int64(rest[index]) : nil }
        func pid(_ index: Int) -> Int32? { index < rest.count ? Int32(rest[index]) : nil }
        switch (tag, rest.count) {
        case ("Y", 3):
            guard let pid = pid(1), let at = time(2) else { return nil }
            self = .ready(service: rest[0], pid: pid, at: at)
        case ("S", 5), ("H", 5), ("F", 5):
            guard let delivery = delivery(), let at = time(4) else { return nil }
            self = tag == "S" ? .started(delivery, at: at) : tag == "H" ? .handled(delivery, at: at) : .failed(delivery, at: at)
        case ("A", 6):
            guard let delivery = delivery(), let outcome = AckOutcome(rawValue: rest[4]), let at = time(5) else { return nil }
            self = .acked(delivery, outcome, at: at)
        case ("P", 2):
            guard let at = time(1) else { return nil }
            self = .published(eventId: rest[0], at: at)
        case ("U", 1):
            guard let at = time(0) else { return nil }
            self = .publishUnacknowledged(at: at)
        case ("N", 3):
            guard let pid = pid(1), let at = time(2) else { return nil }
            self = .consumerStarted(service: rest[0], pid: pid, at: at)
        case ("Q", 2), ("K", 2), ("T", 2), ("C", 2):
            guard let pid = pid(0), let at = time(1) else { return nil }
            switch tag {
            case "Q": self = .producerStarted(pid: pid, at: at)
            case "K": self = .killed(pid: pid, at: at)
            case "T": self = .stopped(pid: pid, at: at)
            default: self = .continued(pid: pid, at: at)
            }
        case ("R", 2):
            guard let from = time(0), let to = time(1) else { return nil }
            self = .restarted(from: from, to: to)
        case ("X", 1):
            guard let at = time(0) else { return nil }
            self = .scriptsFlushed(at: at)
        case ("L", 2):
            guard let connections = Int(rest[0]), let at = time(1) else { return nil }
            self = .clientsKilled(connections: connections, at: at)
        default:
            return nil
        }
    }

    /// Milliseconds since 1970 on the wall clock: the time stamp of every line. All processes of
    /// a run share one machine, so their stamps compare.
    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// One process's append-only ledger file. Each line reaches the kernel in one `write(2)` as it
/// is recorded, with no buffer in the process, so a SIGKILL never loses a line recorded before it.
final class LedgerWriter: Sendable {
    private let descriptor: Mutex<Int32>

    /// Opens (or creates) the file at `path` for appending.
    init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Appends `entry` as one line. A ledger that cannot be written makes the run's evidence
    /// worthless, so that stops the process.
    func record(_ entry: LedgerEntry) {
        let bytes = Array((entry.line + "\n").utf8)
        descriptor.withLock { descriptor in
            var written = 0
            while written < bytes.count {
                let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { fatalError("could not append to the chaos ledger: errno \(errno)") }
                written += result
            }
        }
    }
}

/// What one ledger file holds.
struct LedgerFile {
    /// Every complete line that parsed, in file order.
    var entries: [LedgerEntry] = []
    /// Lines that did not parse, a last line without its newline included (none is expected:
    /// every line is written whole).
    var unreadableLines: [String] = []

    /// Reads the file at `url`.
    init(contentsOf url: URL) throws {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let last = lines.last, last.isEmpty {
            lines.removeLast()
        } else if let last = lines.popLast() {
            unreadableLines.append(String(last))
        }
        for line in lines {
            if let entry = LedgerEntry(line: line) {
                entries.append(entry)
            } else {
                unreadableLines.append(String(line))
            }
        }
    }

    /// Every `*.ledger` file of `directory`, read.
    static func all(in directory: URL) throws -> [LedgerFile] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "ledger" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { try LedgerFile(contentsOf: $0) }
    }
}

/// Follows a growing ledger file and counts its lines of one tag, reading only what was added
/// since the last look.
final class LedgerTail {
    private let handle: FileHandle
    private let tag: UInt8
    private var atLineStart = true
    /// Lines of the tag seen so far.
    private(set) var count = 0

    /// Follows the file at `url` (which must exist), counting lines that start with `tag`.
    init(url: URL, tag: Character) throws {
        handle = try FileHandle(forReadingFrom: url)
        self.tag = tag.asciiValue ?? 0
    }

    deinit {
        try? handle.close()
    }

    /// Reads what was appended since the last call and returns the new count.
    @discardableResult
    func update() throws -> Int {
        guard let data = try handle.readToEnd() else { return count }
        for byte in data {
            if atLineStart && byte == tag { count += 1 }
            atLineStart = byte == UInt8(ascii: "\n")
        }
        return count
    }
}
