/// A local variable of a script (also a parameter or a loop variable), with every value assigned to it.
final class LuaLocalVariable {
    /// The variable's name.
    let name: String
    /// Every value the script assigns to it, in source order; a declaration without a value assigns none.
    fileprivate(set) var assignments: [LocalAssignment] = []

    /// Creates a variable that nothing was assigned to yet.
    fileprivate init(name: String) {
        self.name = name
    }
}

/// One value assigned to a local variable.
struct LocalAssignment {
    /// Where the value comes from.
    let origin: ValueOrigin
    /// The 1-based line of the assignment.
    let line: Int
}

/// Where a value comes from, as far as the key rule cares.
enum ValueOrigin {
    /// `KEYS[<any expression>]`, with `KEYS` the global.
    case keysElement
    /// A local variable, whose own assignments decide.
    case local(LuaLocalVariable)
    /// Anything else, described for a message: "a concatenation", "an ARGV value", ...
    case other(String)

    /// The origin in a few words, for messages.
    var description: String {
        switch self {
        case .keysElement: return "a KEYS element"
        case .local(let variable): return "the local '\(variable.name)'"
        case .other(let description): return description
        }
    }
}

/// A read of a global variable, or of a field of one (`table.unpack`).
struct GlobalRead {
    /// The global's name.
    let name: String
    /// The field read from it, when the global is indexed with a string literal.
    let field: String?
    /// The 1-based line of the read.
    let line: Int
}

/// An assignment to a global variable, or to a field of one.
struct GlobalWrite {
    /// The global's name.
    let name: String
    /// The field assigned, for `global.field = ...` and `global[key] = ...` (empty when the key is not a string literal);
    /// nil when the global itself is assigned.
    let field: String?
    /// Whether a `function name()` statement made the assignment.
    let isFunction: Bool
    /// The 1-based line of the assignment.
    let line: Int
}

/// A use of the global `KEYS` or `ARGV` table.
struct ArgumentTableUse {
    /// How the table is used.
    enum Use {
        /// Indexed with an integer literal: `KEYS[2]`.
        case literalIndex(Int)
        /// Indexed with any other expression: `KEYS[i]`, `KEYS[3 + 3 * s]`.
        case computedIndex
        /// Its length: `#KEYS`.
        case length
        /// The table itself: `unpack(KEYS)`, `ipairs(ARGV)`.
        case whole
    }

    /// `KEYS` or `ARGV`.
    let table: String
    /// How it is used.
    let use: Use
    /// The 1-based line of the use.
    let line: Int
}

/// A call of `redis.call` or `redis.pcall`, with `redis` the global.
struct RedisCall {
    /// The command: the call's first argument.
    enum Command {
        /// A string literal.
        case literal(String)
        /// Any other expression, described for a message.
        case dynamic(String)
        /// No argument at all.
        case missing
    }

    /// One argument after the command.
    struct Argument {
        /// Where its value comes from.
        let origin: ValueOrigin
        /// The 1-based line where it starts.
        let line: Int
    }

    /// `call` or `pcall`.
    let function: String
    /// The command.
    let command: Command
    /// The arguments after the command, as written (a multiple-valued last argument counts once).
    let arguments: [Argument]
    /// The 1-based line where the call starts.
    let line: Int
}

/// What the scope analysis learned about a script: the facts every code rule works from.
struct ScriptFacts {
    /// Every read of a global, in source order.
    var globalReads: [GlobalRead] = []
    /// Every assignment to a global or a field of one, in source order.
    var globalWrites: [GlobalWrite] = []
    /// Every use of `KEYS` and `ARGV`, in source order.
    var argumentTableUses: [ArgumentTableUse] = []
    /// Every direct call of `redis.call` and `redis.pcall`, in source order.
    var redisCalls: [RedisCall] = []
    /// Every use of `redis.call` or `redis.pcall` other than calling it directly, such as `local call = redis.call`.
    var redisFunctionValues: [GlobalRead] = []
    /// Every local variable, parameter and loop variable, in declaration order.
    var locals: [LuaLocalVariable] = []
}

/// Walks a parsed chunk with Lua's scoping rules, resolving each name to a local or a global, and
/// collects the ``ScriptFacts``.
struct ScopeAnalysis {
    /// The visible locals, innermost scope last.
    private var scopes: [[String: LuaLocalVariable]] = []
    /// The facts collected so far.
    private var facts = ScriptFacts()

    /// The facts of `chunk`.
    static func facts(of chunk: LuaBlock) -> ScriptFacts {
        var analysis = ScopeAnalysis()
        analysis.walk(block: chunk)
        return analysis.facts
    }

    // MARK: Scopes

    /// The local variable `name` refers to here, or nil for a global.
    private func resolve(_ name: String) -> LuaLocalVariable? {
        for scope in scopes.reversed() {
            if let variable = scope[name] {
                return variable
            }
        }
        return nil
    }

    /// Declares a local in the innermost scope, hiding any earlier variable of that name.
    private mutating func declare(_ name: LuaLocalName, origin: ValueOrigin? = nil) -> LuaLocalVariable {
        let variable = LuaLocalVariable(name: name.name)
        if let origin {
            variable.assignments.append(LocalAssignment(origin: origin, line: name.line))
        }
        facts.locals.append(variable)
        scopes[scopes.count - 1][name.name] = variable
        return variable
    }

    /// The global name `expression` refers to, if it is a name that no local hides.
    private func globalName(_ expression: LuaExpression) -> String? {
        if case .name(let name) = expression.kind, resolve(name) == nil {
            return name
        }
        return nil
    }

    // MARK: Statements

    /// Walks a block in a scope of its own.
    private mutating func walk(block: LuaBlock) {
        scopes.append([:])
        walk(statements: block.statements)
        scopes.removeLast()
    }

    /// Walks statements in the current scope.
    private mutating func walk(statements: [LuaStatement]) {
        for statement in statements {
            walk(statement: statement)
        }
    }

    /// Walks one statement: declares its locals, records its assignments, and walks its expressions and blocks.
    private mutating func walk(statement: LuaStatement) {
        switch statement.kind {
        case .local(let names, let values):
            values.forEach { walk(expression: $0) }
            let origins = assignedOrigins(count: names.count, values: values)
            for (name, origin) in zip(names, origins) {
                _ = declare(name, origin: origin)
            }
        case .localFunction(let name, let function):
            _ = declare(name, origin: .other("a function"))
            walk(function: function)
        case .function(let target, let function):
            assign(to: target, origin: .other("a function"), isFunction: true, line: statement.line)
            walk(function: function)
        case .assignment(let targets, let values):
            values.forEach { walk(expression: $0) }
            let origins = assignedOrigins(count: targets.count, values: values)
            for (target, origin) in zip(targets, origins) {
                assign(to: target, origin: origin, isFunction: false, line: target.line)
            }
        case .call(let call):
            walk(expression: call)
        case .doBlock(let body):
            walk(block: body)
        case .whileLoop(let condition, let body):
            walk(expression: condition)
            walk(block: body)
        case .repeatLoop(let body, let condition):
            scopes.append([:])
            walk(statements: body.statements)
            walk(expression: condition)
            scopes.removeLast()
        case .ifChain(let branches, let otherwise):
            for branch in branches {
                walk(expression: branch.condition)
                walk(block: branch.body)
            }
            if let otherwise {
                walk(block: otherwise)
            }
        case .numericFor(let variable, let start, let limit, let step, let body):
            [start, limit, step].compactMap { $0 }.forEach { walk(expression: $0) }
            scopes.append([:])
            _ = declare(variable, origin: .other("a numeric for counter"))
            walk(block: body)
            scopes.removeLast()
        case .genericFor(let variables, let iterators, let body):
            iterators.forEach { walk(expression: $0) }
            scopes.append([:])
            for variable in variables {
                _ = declare(variable, origin: .other("a value from the iterator of a generic for"))
            }
            walk(block: body)
            scopes.removeLast()
        case .returnValues(let values):
            values.forEach { walk(expression: $0) }
        }
    }

    /// The origin of the value each of `count` targets receives from `values`: Lua pads with the
    /// extra results of a multiple-valued last value, else with nil (no origin).
    private func assignedOrigins(count: Int, values: [LuaExpression]) -> [ValueOrigin?] {
        (0..<count).map { index in
            if index < values.count {
                return origin(of: values[index])
            }
            if let last = values.last, last.isMultipleValued {
                return origin(of: last)
            }
            return nil
        }
    }

    /// Records an assignment of a value from `origin` (nil: `nil`) to `target`, a name or an index expression.
    private mutating func assign(to target: LuaExpression, origin: ValueOrigin?, isFunction: Bool, line: Int) {
        switch target.kind {
        case .name(let name):
            if let variable = resolve(name) {
                if let origin {
                    variable.assignments.append(LocalAssignment(origin: origin, line: line))
                }
            } else {
                facts.globalWrites.append(GlobalWrite(name: name, field: nil, isFunction: isFunction, line: line))
            }
        case .index(let base, let key):
            if let name = globalName(base) {
                let field = key.stringValue ?? ""
                facts.globalWrites.append(GlobalWrite(name: name, field: field, isFunction: isFunction, line: line))
            }
            walk(expression: target)
        default:
            walk(expression: target)
        }
    }

    /// Walks a function body: its parameters and its block share one scope.
    private mutating func walk(function: LuaFunction) {
        scopes.append([:])
        for parameter in function.parameters {
            _ = declare(parameter, origin: .other("an argument of its function"))
        }
        walk(statements: function.body.statements)
        scopes.removeLast()
    }

    // MARK: Expressions

    /// Walks one expression, recording its reads of globals, its uses of `KEYS` and `ARGV`, and its Redis calls.
    private mutating func walk(expression: LuaExpression) {
        switch expression.kind {
        case .constant, .number, .string, .varargs:
            return
        case .function(let function):
            walk(function: function)
        case .table(let fields):
            for field in fields {
                field.key.map { walk(expression: $0) }
                walk(expression: field.value)
            }
        case .name(let name):
            guard resolve(name) == nil else { return }
            facts.globalReads.append(GlobalRead(name: name, field: nil, line: expression.line))
            if name == "KEYS" || name == "ARGV" {
                facts.argumentTableUses.append(ArgumentTableUse(table: name, use: .whole, line: expression.line))
            }
        case .index(let base, let key):
            if let name = globalName(base) {
                let read = GlobalRead(name: name, field: key.stringValue, line: expression.line)
                facts.globalReads.append(read)
                if name == "KEYS" || name == "ARGV" {
                    let index = ArgumentTableUse.Use.literalIndex
                    let use = literalInteger(key).map(index) ?? .computedIndex
                    facts.argumentTableUses.append(ArgumentTableUse(table: name, use: use, line: expression.line))
                }
                if name == "redis", read.field == "call" || read.field == "pcall" {
                    facts.redisFunctionValues.append(read)
                }
            } else {
                walk(expression: base)
            }
            walk(expression: key)
        case .call(let callee, let arguments):
            if let function = redisFunction(callee) {
                facts.globalReads.append(GlobalRead(name: "redis", field: function, line: callee.line))
                facts.redisCalls.append(redisCall(function: function, arguments: arguments, line: expression.line))
            } else {
                walk(expression: callee)
            }
            arguments.forEach { walk(expression: $0) }
        case .methodCall(let object, _, let arguments):
            walk(expression: object)
            arguments.forEach { walk(expression: $0) }
        case .unary(let operation, let operand):
            if operation == "#", let name = globalName(operand), name == "KEYS" || name == "ARGV" {
                facts.globalReads.append(GlobalRead(name: name, field: nil, line: operand.line))
                facts.argumentTableUses.append(ArgumentTableUse(table: name, use: .length, line: operand.line))
            } else {
                walk(expression: operand)
            }
        case .binary(_, let left, let right):
            walk(expression: left)
            walk(expression: right)
        case .parenthesized(let inner):
            walk(expression: inner)
        }
    }

    /// The value of `expression` when it is a decimal integer literal.
    private func literalInteger(_ expression: LuaExpression) -> Int? {
        if case .number(let number) = expression.kind {
            return number.decimalInteger
        }
        return nil
    }

    /// `call` or `pcall` when `callee` is `redis.call` or `redis.pcall` with `redis` the global.
    private func redisFunction(_ callee: LuaExpression) -> String? {
        guard case .index(let base, let key) = callee.kind, globalName(base) == "redis",
            let field = key.stringValue, field == "call" || field == "pcall"
        else { return nil }
        return field
    }

    /// Describes a call of `redis.<function>` with `arguments`.
    private func redisCall(function: String, arguments: [LuaExpression], line: Int) -> RedisCall {
        let command: RedisCall.Command
        if let first = arguments.first {
            if let name = unparenthesized(first).stringValue {
                command = .literal(name)
            } else {
                command = .dynamic(origin(of: first).description)
            }
        } else {
            command = .missing
        }
        let rest = arguments.dropFirst().map { RedisCall.Argument(origin: origin(of: $0), line: $0.line) }
        return RedisCall(function: function, command: command, arguments: rest, line: line)
    }

    /// `expression` without enclosing parentheses.
    private func unparenthesized(_ expression: LuaExpression) -> LuaExpression {
        if case .parenthesized(let inner) = expression.kind {
            return unparenthesized(inner)
        }
        return expression
    }

    /// Where the value of `expression` comes from.
    private func origin(of expression: LuaExpression) -> ValueOrigin {
        switch expression.kind {
        case .parenthesized(let inner):
            return origin(of: inner)
        case .name(let name):
            if let variable = resolve(name) {
                return .local(variable)
            }
            return .other("the global '\(name)'")
        case .index(let base, _):
            switch globalName(base) {
            case "KEYS": return .keysElement
            case "ARGV": return .other("an ARGV value")
            default: return .other("a table field")
            }
        case .string: return .other("a string literal")
        case .number: return .other("a number")
        case .constant(let word): return .other(word == "nil" ? "nil" : "a boolean")
        case .varargs: return .other("the varargs (...)")
        case .function: return .other("a function")
        case .table: return .other("a table")
        case .call, .methodCall: return .other("a function result")
        case .binary(let operation, _, _): return .other(operation == ".." ? "a concatenation" : "the result of '\(operation)'")
        case .unary(let operation, _): return .other("the result of '\(operation)'")
        }
    }
}
