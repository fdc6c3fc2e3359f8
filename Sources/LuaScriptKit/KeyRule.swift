/// The rules `undeclared-key`, `unknown-command` and `dynamic-command`: every key a script passes
/// to `redis.call` or `redis.pcall` comes from `KEYS`, so Redis (and Redis Cluster) knows every key
/// a script touches.
///
/// A key argument may be `KEYS[<any expression>]`, or a local variable whose every assignment is
/// such a value or another such local. Anything else — an ARGV value, a concatenation, a literal, a
/// function result, a parameter, a loop variable — is a finding. The command must be a string
/// literal that ``RedisCommandKeys`` knows, or the key arguments cannot be found.
enum KeyRule {
    /// The findings of the three rules for `facts`.
    static func findings(_ facts: ScriptFacts, path: String) -> [Finding] {
        let keyLocals = keyDerivedLocals(facts.locals)
        var findings: [Finding] = []
        for call in facts.redisCalls {
            let function = "redis.\(call.function)"
            switch call.command {
            case .missing:
                findings.append(Finding(path: path, line: call.line, rule: .dynamicCommand, message: "\(function) has no command"))
            case .dynamic(let description):
                let message = "the command of \(function) is \(description), not a string literal, so its keys cannot be checked"
                findings.append(Finding(path: path, line: call.line, rule: .dynamicCommand, message: message))
            case .literal(let command):
                guard let positions = RedisCommandKeys.keyPositions(of: command, argumentCount: call.arguments.count) else {
                    let message = "RedisCommandKeys does not know the command '\(command)': "
                        + "add it, with its key positions, so its keys can be checked"
                    findings.append(Finding(path: path, line: call.line, rule: .unknownCommand, message: message))
                    continue
                }
                for position in positions where position < call.arguments.count {
                    let argument = call.arguments[position]
                    guard let problem = problem(with: argument.origin, keyLocals: keyLocals) else { continue }
                    let message = "argument \(position + 1) of \(command.uppercased()) is a key, "
                        + "but it is \(problem): every key must come from KEYS"
                    findings.append(Finding(path: path, line: argument.line, rule: .undeclaredKey, message: message))
                }
            }
        }
        for value in facts.redisFunctionValues {
            let function = "redis.\(value.field ?? "call")"
            let message = "\(function) is used here other than by calling it, so the commands it runs cannot be checked: "
                + "call \(function)(...) directly"
            findings.append(Finding(path: path, line: value.line, rule: .dynamicCommand, message: message))
        }
        return findings
    }

    /// The locals that hold only keys: assigned at least once, and only `KEYS[...]` values or such locals.
    ///
    /// Starts from every assigned local and removes those with another assignment until nothing
    /// changes, so locals that copy each other (even in a cycle) stay in when all else they get is a key.
    static func keyDerivedLocals(_ locals: [LuaLocalVariable]) -> Set<ObjectIdentifier> {
        var keyLocals = Set(locals.filter { !$0.assignments.isEmpty }.map(ObjectIdentifier.init))
        var changed = true
        while changed {
            changed = false
            for variable in locals where keyLocals.contains(ObjectIdentifier(variable)) {
                if variable.assignments.contains(where: { !isKey($0.origin, keyLocals: keyLocals) }) {
                    keyLocals.remove(ObjectIdentifier(variable))
                    changed = true
                }
            }
        }
        return keyLocals
    }

    /// Whether a value from `origin` is a key from `KEYS`.
    private static func isKey(_ origin: ValueOrigin, keyLocals: Set<ObjectIdentifier>) -> Bool {
        switch origin {
        case .keysElement: return true
        case .local(let variable): return keyLocals.contains(ObjectIdentifier(variable))
        case .other: return false
        }
    }

    /// Why a value from `origin` is not a key, or nil when it is one.
    private static func problem(with origin: ValueOrigin, keyLocals: Set<ObjectIdentifier>) -> String? {
        guard !isKey(origin, keyLocals: keyLocals) else { return nil }
        guard case .local(let variable) = origin else { return origin.description }
        guard let assignment = variable.assignments.first(where: { !isKey($0.origin, keyLocals: keyLocals) }) else {
            return "the local '\(variable.name)', which is never assigned a value"
        }
        return "the local '\(variable.name)', which gets \(assignment.origin.description) on line \(assignment.line)"
    }
}
