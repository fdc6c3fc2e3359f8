import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RedisServerProcess {
    /// The CPU time the running server has used since it started, user and system, all its
    /// threads, in seconds (Linux's `/proc/<pid>/stat`, counted in clock ticks, usually of 10
    /// ms). Nil while the server is stopped, and where there is no `/proc`. The kernel writes
    /// the file as it is read, waiting on no device, as `getrusage(2)` does for this process.
    public func cpuSeconds() -> Double? {
        guard let pid = processID,
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let ticks = Self.cpuTicks(stat: stat)
        else { return nil }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `utime + stime` of a `/proc/<pid>/stat` line (its 14th and 15th fields), nil when the
    /// line has no such fields. The fields are counted after the command name, which is in
    /// parentheses and may hold spaces and parentheses itself.
    static func cpuTicks(stat: String) -> Int? {
        guard let nameEnd = stat.lastIndex(of: ")") else { return nil }
        // From the 3rd field, the state, on.
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
