import Foundation

/// Lints the Lua scripts that Redis runs: a file or a folder at a time, with each folder's `scripts.lock`.
///
/// See ``LintRule`` for the rules. A folder's lock is `<folder>/scripts.lock`; a folder without
/// one is linted without the `lock` rule, and `--update-lock` creates it.
package enum ScriptLinter {
    /// Lints the text of one script with every rule but `lock`.
    ///
    /// The `#!` line is blanked (keeping the line numbers) before the code is compiled, as Redis
    /// strips it. The code rules run only when the script compiles, both with Lua 5.4 and with the
    /// linter's own parser.
    package static func lint(source: [UInt8], path: String) -> LintedScript {
        let (declarations, headerFindings) = ScriptHeaderReader.read(lines: lines(of: source), path: path)
        var findings = headerFindings
        let code = blankingShebang(source)
        let syntaxFinding = SyntaxRule.finding(code: code, path: path)
        findings += [syntaxFinding].compactMap { $0 }
        let parsed = LuaParser.parse(code)
        findings += parsed.lua51Issues.map { Finding(path: path, line: $0.line, rule: .lua51Syntax, message: $0.message) }
        if syntaxFinding == nil, let error = parsed.error {
            let message = "the linter's Lua 5.1 parser cannot read this: \(error.message)"
            findings.append(Finding(path: path, line: error.line, rule: .syntax, message: message))
        }
        if syntaxFinding == nil, let chunk = parsed.chunk {
            let facts = ScopeAnalysis.facts(of: chunk)
            findings += Lua51LibraryRule.findings(facts, path: path)
            findings += GlobalRules.findings(facts, path: path)
            findings += KeyRule.findings(facts, path: path)
            findings += HeaderUsageRule.findings(facts, declarations: declarations, path: path)
        }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        return LintedScript(
            path: path,
            name: fileName.hasSuffix(".lua") ? String(fileName.dropLast(4)) : fileName,
            findings: sortedByLine(findings),
            version: declarations.version,
            versionLine: declarations.versionLine,
            sha1: SHA1.hexDigest(of: source)
        )
    }

    /// Lints the scripts at `scriptPaths` and checks them against the lock at `lockPath` (no lock check when nil).
    ///
    /// Entries of the lock whose script is missing are looked for in the lock's folder.
    package static func lint(scriptPaths: [String], lockPath: String?) throws(LintInputError) -> [Finding] {
        let scripts = try scriptPaths.map { path throws(LintInputError) in lint(source: try read(path), path: path) }
        var findings = scripts.flatMap(\.findings)
        if let lockPath {
            let lock = ScriptLock(text: String(decoding: try read(lockPath), as: UTF8.self), path: lockPath)
            let folder = (lockPath as NSString).deletingLastPathComponent
            findings += LockRule.findings(scripts: scripts, lock: lock, lockPath: lockPath, folder: folder, fileExists: fileExists)
        }
        return findings
    }

    /// Lints the scripts at `paths` (folders stand for the `*.lua` files directly in them) with
    /// their folders' locks; with `updateLock`, then rewrites the locks, unless a finding remains
    /// that rewriting them would not resolve.
    package static func run(paths: [String], updateLock: Bool) throws(LintInputError) -> LintReport {
        var linted: [(folder: ScriptFolder, scripts: [LintedScript], lock: ScriptLock?)] = []
        var findings: [Finding] = []
        for folder in try ScriptFolder.folders(of: paths) {
            let scripts = try folder.scriptPaths.map { path throws(LintInputError) in lint(source: try read(path), path: path) }
            findings += scripts.flatMap(\.findings)
            var lock: ScriptLock?
            if fileExists(folder.lockPath) {
                let text = String(decoding: try read(folder.lockPath), as: UTF8.self)
                let folderLock = ScriptLock(text: text, path: folder.lockPath)
                findings += LockRule.findings(
                    scripts: scripts, lock: folderLock, lockPath: folder.lockPath, folder: folder.path, fileExists: fileExists)
                lock = folderLock
            }
            linted.append((folder, scripts, lock))
        }
        let scriptCount = linted.map(\.scripts.count).reduce(0, +)
        guard updateLock else {
            return LintReport(scriptCount: scriptCount, findings: findings, lockUpdate: nil)
        }
        guard findings.allSatisfy(\.isResolvedByUpdatingLock) else {
            return LintReport(scriptCount: scriptCount, findings: findings, lockUpdate: .refused)
        }
        var written: [String] = []
        for (folder, scripts, lock) in linted where lock != nil || !scripts.isEmpty {
            let entries = LockRule.updatedEntries(scripts: scripts, lock: lock, folder: folder.path, fileExists: fileExists)
            let text = ScriptLock.text(of: entries)
            if FileManager.default.contents(atPath: folder.lockPath) != Data(text.utf8) {
                do {
                    try Data(text.utf8).write(to: URL(filePath: folder.lockPath), options: .atomic)
                } catch {
                    throw LintInputError(path: folder.lockPath, message: "cannot write the lock: \(error.localizedDescription)")
                }
                written.append(folder.lockPath)
            }
        }
        return LintReport(scriptCount: scriptCount, findings: [], lockUpdate: .written(written))
    }

    // MARK: Files and text

    /// `folder/name`, without doubling a slash.
    static func path(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// Whether a regular file (or a link to one) exists at `path`.
    static func fileExists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The bytes of the file at `path`.
    private static func read(_ path: String) throws(LintInputError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LintInputError(path: path, message: "cannot read the file")
        }
        return Array(data)
    }

    /// The lines of `source` without their line breaks (`\n`, with a `\r` before it removed), decoded as UTF-8.
    private static func lines(of source: [UInt8]) -> [String] {
        source.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
    }

    /// `source` with the text of a first line starting with `#!` removed, its line break kept.
    private static func blankingShebang(_ source: [UInt8]) -> [UInt8] {
        guard source.starts(with: Array("#!".utf8)) else { return source }
        let end = source.firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } ?? source.count
        return Array(source[end...])
    }

    /// `findings` ordered by line, keeping their order within a line, without repeats.
    private static func sortedByLine(_ findings: [Finding]) -> [Finding] {
        var seen: [Finding] = []
        for finding in findings.enumerated().sorted(by: { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) })
        where !seen.contains(finding.element) {
            seen.append(finding.element)
        }
        return seen
    }
}

/// A path the linter cannot read, or a lock it cannot write.
package struct LintInputError: Error, CustomStringConvertible {
    /// The file or folder concerned.
    package let path: String
    /// What went wrong with it.
    package let message: String

    /// `path: message`.
    package var description: String {
        "\(path): \(message)"
    }
}

/// The scripts of one folder that a lint run covers, and the folder's lock.
struct ScriptFolder {
    /// The folder, as given or as the scripts' paths name it.
    let path: String
    /// The scripts to lint, sorted.
    var scriptPaths: [String]

    /// The folder's lock, which may not exist.
    var lockPath: String {
        ScriptLinter.path(path, ScriptLock.fileName)
    }

    /// The folders of `paths`, in order of first mention: a folder stands for the regular, non-hidden
    /// `*.lua` files directly in it, a file for itself.
    static func folders(of paths: [String]) throws(LintInputError) -> [ScriptFolder] {
        var folders: [ScriptFolder] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LintInputError(path: path, message: "no such file or folder")
            }
            let folderPath: String
            let scripts: [String]
            if isDirectory.boolValue {
                folderPath = path
                scripts = try luaFiles(in: path)
            } else {
                folderPath = (path as NSString).deletingLastPathComponent
                scripts = [path]
            }
            let key = URL(filePath: folderPath.isEmpty ? "." : folderPath).standardizedFileURL.path
            if let index = folders.firstIndex(where: { URL(filePath: $0.path.isEmpty ? "." : $0.path).standardizedFileURL.path == key }) {
                folders[index].scriptPaths += scripts.filter { !folders[index].scriptPaths.contains($0) }
            } else {
                folders.append(ScriptFolder(path: folderPath, scriptPaths: scripts))
            }
        }
        return folders
    }

    /// The regular, non-hidden `*.lua` files directly in `folder`, sorted.
    private static func luaFiles(in folder: String) throws(LintInputError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw LintInputError(path: folder, message: "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".lua") && !$0.hasPrefix(".") }
            .sorted()
            .map { ScriptLinter.path(folder, $0) }
            .filter(ScriptLinter.fileExists)
    }
}
