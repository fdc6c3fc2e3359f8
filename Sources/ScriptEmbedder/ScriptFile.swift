import Foundation
import LuaScriptKit

/// A script file that was read, checked to be UTF-8, parsed and hashed: everything the generated code needs.
struct ScriptFile: Equatable {
    /// The path the script was read from, as given on the command line.
    let path: String
    /// The script's header.
    let header: ScriptHeader
    /// The lowercase hex SHA1 of the file's bytes.
    let sha1: String
    /// The file's text; its UTF-8 is byte for byte the file.
    let source: String

    /// Reads the script at `path`, rejecting files that are not valid UTF-8 or lack a valid header.
    static func read(path: String) throws(ScriptErrors) -> ScriptFile {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(filePath: path)))
        } catch {
            throw ScriptErrors(diagnostics: [ScriptDiagnostic(path: path, line: 1, message: "cannot read the file: \(error.localizedDescription)")])
        }
        if let line = firstInvalidUTF8Line(in: bytes) {
            throw ScriptErrors(diagnostics: [ScriptDiagnostic(path: path, line: line, message: "the file is not valid UTF-8")])
        }
        let source = String(decoding: bytes, as: UTF8.self)
        let header = try ScriptHeader.parse(source, path: path)
        return ScriptFile(path: path, header: header, sha1: SHA1.hexDigest(of: bytes), source: source)
    }

    /// The 1-based line of the first byte sequence that is not valid UTF-8, or nil when all of `bytes` is valid.
    private static func firstInvalidUTF8Line(in bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    line += 1
                }
            case .emptyInput:
                return nil
            case .error:
                return line
            }
        }
    }
}
