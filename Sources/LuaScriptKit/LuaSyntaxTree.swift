/// A sequence of statements: a chunk, or the body of a function, loop or branch.
struct LuaBlock {
    /// The statements in source order.
    let statements: [LuaStatement]
}

/// A statement, located by the line where it starts.
///
/// `break`, `goto` and labels have no case: nothing the linter checks depends on them, and the
/// parser reports `goto` and labels as Lua 5.2+ syntax itself.
struct LuaStatement {
    /// What the statement is.
    let kind: Kind
    /// The 1-based line where it starts.
    let line: Int

    /// The kinds of statements.
    indirect enum Kind {
        /// `local a, b = x, y` (no values for `local a, b`).
        case local(names: [LuaLocalName], values: [LuaExpression])
        /// `local function f() ... end`.
        case localFunction(name: LuaLocalName, function: LuaFunction)
        /// `function f() end`, `function t.a.b() end` or `function t:m() end`: an assignment to `target`.
        case function(target: LuaExpression, function: LuaFunction)
        /// `a, t.b, t[c] = x, y, z`: every target is a name or an index expression.
        case assignment(targets: [LuaExpression], values: [LuaExpression])
        /// A function or method call run for its effects.
        case call(LuaExpression)
        /// `do ... end`.
        case doBlock(LuaBlock)
        /// `while condition do ... end`.
        case whileLoop(condition: LuaExpression, body: LuaBlock)
        /// `repeat ... until condition`; the condition sees the body's locals.
        case repeatLoop(body: LuaBlock, condition: LuaExpression)
        /// `if c1 then ... elseif c2 then ... else ... end`.
        case ifChain(branches: [(condition: LuaExpression, body: LuaBlock)], otherwise: LuaBlock?)
        /// `for v = start, limit, step do ... end`.
        case numericFor(variable: LuaLocalName, start: LuaExpression, limit: LuaExpression, step: LuaExpression?, body: LuaBlock)
        /// `for a, b in explist do ... end`.
        case genericFor(variables: [LuaLocalName], iterators: [LuaExpression], body: LuaBlock)
        /// `return a, b`.
        case returnValues([LuaExpression])
    }
}

/// A name that a statement declares as a local variable.
struct LuaLocalName {
    /// The variable's name.
    let name: String
    /// The 1-based line of the name.
    let line: Int
}

/// A function body: `function (params) ... end`.
struct LuaFunction {
    /// The named parameters, with an implicit `self` first for `function t:m()`.
    let parameters: [LuaLocalName]
    /// The body.
    let body: LuaBlock
}

/// An expression, located by the line where it starts.
struct LuaExpression {
    /// What the expression is.
    let kind: Kind
    /// The 1-based line where it starts.
    let line: Int

    /// The kinds of expressions.
    indirect enum Kind {
        /// `nil`, `true` or `false`.
        case constant(String)
        /// A numeric literal.
        case number(LuaNumberLiteral)
        /// A string literal.
        case string([UInt8])
        /// `...`.
        case varargs
        /// `function (...) ... end`.
        case function(LuaFunction)
        /// `{ ... }`.
        case table([LuaTableField])
        /// A variable: a local, an upvalue or a global.
        case name(String)
        /// `base[key]`; `base.key` has a string key.
        case index(base: LuaExpression, key: LuaExpression)
        /// `callee(arguments)`, also `callee "text"` and `callee { ... }`.
        case call(callee: LuaExpression, arguments: [LuaExpression])
        /// `object:method(arguments)`.
        case methodCall(object: LuaExpression, method: String, arguments: [LuaExpression])
        /// `not a`, `-a`, `#a`, `~a`.
        case unary(operator: String, operand: LuaExpression)
        /// `a + b`, `a .. b`, `a and b`, ...
        case binary(operator: String, left: LuaExpression, right: LuaExpression)
        /// `(a)`: one value, even when `a` returns several.
        case parenthesized(LuaExpression)
    }

    /// Whether the expression can produce several values: a call or `...` not in parentheses.
    var isMultipleValued: Bool {
        switch kind {
        case .call, .methodCall, .varargs: return true
        default: return false
        }
    }

    /// The string value when the expression is a string literal.
    var stringValue: String? {
        if case .string(let bytes) = kind {
            return String(decoding: bytes, as: UTF8.self)
        }
        return nil
    }
}

/// One field of a table constructor.
struct LuaTableField {
    /// The key: `[k] = v` has `k`, `name = v` a string; nil for positional `v`.
    let key: LuaExpression?
    /// The value.
    let value: LuaExpression
}
