/// The rule `lock`: each script's version and SHA1 match its folder's `scripts.lock`, so a script
/// whose text changed always gets a new version.
enum LockRule {
    /// How to bring the lock up to date, for messages.
    static let updateAdvice = "run `event-broker lint --update-lock`"

    /// The findings for `scripts`, all of the folder `folder`, against `lock`, read from `lockPath`.
    ///
    /// Only a changed text under an unchanged version is the script's fault; every other finding
    /// goes away when the lock is rewritten. A script without a valid version is left to the header rule.
    static func findings(
        scripts: [LintedScript], lock: ScriptLock, lockPath: String, folder: String, fileExists: (String) -> Bool
    ) -> [Finding] {
        var findings = lock.findings
        for script in scripts {
            guard let version = script.version else { continue }
            let line = script.versionLine ?? 1
            guard let (entry, _) = lock.entry(named: script.name) else {
                let message = "\(ScriptLock.fileName) has no entry for '\(script.name)': \(updateAdvice)"
                findings.append(Finding(path: script.path, line: line, rule: .lock, message: message, isResolvedByUpdatingLock: true))
                continue
            }
            if entry.version != version {
                let message = "the lock records version \(entry.version): \(updateAdvice)"
                findings.append(Finding(path: script.path, line: line, rule: .lock, message: message, isResolvedByUpdatingLock: true))
            } else if entry.sha1 != script.sha1 {
                let message = "the text changed but the version did not: raise `-- version:` and \(updateAdvice)"
                findings.append(Finding(path: script.path, line: line, rule: .lock, message: message))
            }
        }
        for (entry, line) in lock.entries where !fileExists(ScriptLinter.path(folder, entry.name + ".lua")) {
            let message = "the lock has an entry for '\(entry.name)', but there is no \(entry.name).lua: \(updateAdvice)"
            findings.append(Finding(path: lockPath, line: line, rule: .lock, message: message, isResolvedByUpdatingLock: true))
        }
        return findings
    }

    /// The entries of the rewritten lock: one for each of `scripts`, plus the entries of `lock` for
    /// other scripts of `folder` that still exist (they were not linted, so they stay as they are).
    static func updatedEntries(
        scripts: [LintedScript], lock: ScriptLock?, folder: String, fileExists: (String) -> Bool
    ) -> [ScriptLock.Entry] {
        var entries: [ScriptLock.Entry] = scripts.compactMap { script in
            script.version.map { ScriptLock.Entry(name: script.name, version: $0, sha1: script.sha1) }
        }
        let linted = Set(scripts.map(\.name))
        for (entry, _) in lock?.entries ?? []
        where !linted.contains(entry.name) && fileExists(ScriptLinter.path(folder, entry.name + ".lua")) {
            entries.append(entry)
        }
        return entries
    }
}
