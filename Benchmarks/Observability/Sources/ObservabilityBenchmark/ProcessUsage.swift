#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What this process used so far, all its threads together (getrusage(2)).
struct ProcessUsage {
    /// CPU time, user and system, in seconds.
    var cpuSeconds: Double
    /// Context switches, voluntary and involuntary.
    var contextSwitches: Int

    /// The usage until now.
    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessUsage(
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            contextSwitches: usage.ru_nvcsw + usage.ru_nivcsw)
    }

    /// The usage between `start` and `end`.
    static func - (end: ProcessUsage, start: ProcessUsage) -> ProcessUsage {
        ProcessUsage(
            cpuSeconds: end.cpuSeconds - start.cpuSeconds, contextSwitches: end.contextSwitches - start.contextSwitches)
    }
}

#if canImport(Glibc)
/// Glibc imports `RUSAGE_SELF` as an enum case, where `getrusage` takes its raw value.
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif
