/// A recursive-descent parser for Lua 5.1 that also reads the Lua 5.2–5.4 constructs a script
/// must not use (bitwise and floor-division operators, `goto`, labels, attributes), so that it
/// can report them instead of failing.
///
/// It follows the grammar and operator priorities of Lua 5.4's `lparser.c`.
struct LuaParser {
    /// What parsing a chunk gave.
    struct Result {
        /// The chunk, or nil when it has a syntax error.
        let chunk: LuaBlock?
        /// The first syntax error, if any.
        let error: LuaSyntaxError?
        /// The Lua 5.2+ constructs found before the end or the first error, by line.
        let lua51Issues: [Lua51SyntaxIssue]
    }

    /// How deeply statements and expressions may nest: Lua's own `LUAI_MAXCCALLS`.
    private static let maximumDepth = 200

    /// The left and right priorities of each binary operator (higher binds tighter), from `lparser.c`.
    private static let binaryPriorities: [String: (left: Int, right: Int)] = [
        "or": (1, 1), "and": (2, 2),
        "<": (3, 3), ">": (3, 3), "<=": (3, 3), ">=": (3, 3), "~=": (3, 3), "==": (3, 3),
        "|": (4, 4), "~": (5, 5), "&": (6, 6), "<<": (7, 7), ">>": (7, 7),
        "..": (9, 8), "+": (10, 10), "-": (10, 10),
        "*": (11, 11), "/": (11, 11), "//": (11, 11), "%": (11, 11),
        "^": (14, 13),
    ]

    /// The priority of unary operators' operands.
    private static let unaryPriority = 12

    /// The binary operators Lua 5.1 lacks, with what to use instead.
    private static let lua51BinaryOperators: [String: String] = [
        "//": "the operator // (floor division) needs Lua 5.3+: use math.floor(a / b)",
        "&": "the operator & needs Lua 5.3+: use bit.band",
        "|": "the operator | needs Lua 5.3+: use bit.bor",
        "~": "the binary operator ~ (exclusive or) needs Lua 5.3+: use bit.bxor",
        "<<": "the operator << needs Lua 5.3+: use bit.lshift",
        ">>": "the operator >> needs Lua 5.3+: use bit.rshift",
    ]

    /// The lexer the tokens come from.
    private var lexer: LuaLexer
    /// The token being looked at.
    private var token = LuaToken(kind: .endOfFile, line: 1, endLine: 1)
    /// The token after ``token``, once something needed to look at it.
    private var lookahead: LuaToken?
    /// The line where the previous token ended.
    private var previousEndLine = 1
    /// The current nesting of statements and expressions.
    private var depth = 0
    /// The Lua 5.2+ constructs found by the parser (the lexer keeps its own).
    private var issues: [Lua51SyntaxIssue] = []

    /// Creates a parser before the first token of `source`.
    private init(source: [UInt8]) {
        lexer = LuaLexer(source: source)
    }

    /// Parses `source`, a whole chunk without a `#!` line.
    static func parse(_ source: [UInt8]) -> Result {
        var parser = LuaParser(source: source)
        do throws(LuaSyntaxError) {
            try parser.advance()
            let chunk = try parser.block()
            guard parser.token.kind == .endOfFile else {
                throw parser.error("'<eof>' expected near \(parser.token.kind.quoted)")
            }
            return Result(chunk: chunk, error: nil, lua51Issues: parser.allIssues)
        } catch {
            return Result(chunk: nil, error: error, lua51Issues: parser.allIssues)
        }
    }

    /// The lexer's and the parser's Lua 5.2+ findings, by line.
    private var allIssues: [Lua51SyntaxIssue] {
        (lexer.lua51Issues + issues).enumerated()
            .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            .map(\.element)
    }

    // MARK: Tokens

    /// Moves to the next token.
    private mutating func advance() throws(LuaSyntaxError) {
        previousEndLine = token.endLine
        if let next = lookahead {
            token = next
            lookahead = nil
        } else {
            token = try lexer.next()
        }
    }

    /// The token after the current one, without moving.
    private mutating func peekNext() throws(LuaSyntaxError) -> LuaToken {
        if let lookahead {
            return lookahead
        }
        let next = try lexer.next()
        lookahead = next
        return next
    }

    /// Whether the current token is the symbol `symbol`.
    private func isSymbol(_ symbol: String) -> Bool {
        token.kind == .symbol(symbol)
    }

    /// Whether the current token is the keyword `word`.
    private func isKeyword(_ word: String) -> Bool {
        token.kind == .keyword(word)
    }

    /// Moves past the symbol `symbol` if it is the current token; returns whether it was.
    private mutating func consume(_ symbol: String) throws(LuaSyntaxError) -> Bool {
        guard isSymbol(symbol) else { return false }
        try advance()
        return true
    }

    /// Moves past the symbol `symbol`, or fails.
    private mutating func expectSymbol(_ symbol: String) throws(LuaSyntaxError) {
        guard try consume(symbol) else {
            throw error("'\(symbol)' expected near \(token.kind.quoted)")
        }
    }

    /// Moves past the keyword `word`, or fails.
    private mutating func expectKeyword(_ word: String) throws(LuaSyntaxError) {
        guard isKeyword(word) else {
            throw error("'\(word)' expected near \(token.kind.quoted)")
        }
        try advance()
    }

    /// Moves past `closing` (a keyword or symbol) that closes `opening` from `line`, or fails as Lua does.
    private mutating func expectClosing(_ closing: String, of opening: String, at line: Int) throws(LuaSyntaxError) {
        guard token.kind == .keyword(closing) || token.kind == .symbol(closing) else {
            let context = line == token.line ? "" : " (to close '\(opening)' at line \(line))"
            throw error("'\(closing)' expected\(context) near \(token.kind.quoted)")
        }
        try advance()
    }

    /// Moves past a name and returns it, or fails.
    private mutating func expectName() throws(LuaSyntaxError) -> LuaLocalName {
        guard case .name(let name) = token.kind else {
            throw error("<name> expected near \(token.kind.quoted)")
        }
        let result = LuaLocalName(name: name, line: token.line)
        try advance()
        return result
    }

    /// A syntax error at the current token.
    private func error(_ message: String) -> LuaSyntaxError {
        LuaSyntaxError(line: token.line, message: message)
    }

    /// Notes a Lua 5.2+ construct.
    private mutating func note(_ message: String, line: Int) {
        issues.append(Lua51SyntaxIssue(line: line, message: message))
    }

    /// Counts one more level of nesting, failing past Lua's own limit.
    private mutating func enterLevel() throws(LuaSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw error("chunk has too many syntax levels")
        }
    }

    // MARK: Statements

    /// Whether the current token ends a block.
    private var blockEnds: Bool {
        switch token.kind {
        case .endOfFile, .keyword("else"), .keyword("elseif"), .keyword("end"), .keyword("until"): return true
        default: return false
        }
    }

    /// Parses statements up to the end of the block (not consuming its closing keyword).
    private mutating func block() throws(LuaSyntaxError) -> LuaBlock {
        var statements: [LuaStatement] = []
        var followsStatement = false
        while !blockEnds {
            if isKeyword("return") {
                statements.append(try returnStatement())
                break
            }
            if isSymbol(";") {
                if !followsStatement {
                    note("an empty statement ';' needs Lua 5.2+: Lua 5.1 allows ';' only right after a statement", line: token.line)
                }
                try advance()
                followsStatement = false
                continue
            }
            if isKeyword("break") {
                let line = token.line
                try advance()
                followsStatement = !(try consume(";"))
                if !blockEnds {
                    note("Lua 5.1 requires 'break' to be the last statement of its block: write 'do break end'", line: line)
                }
                continue
            }
            if let statement = try statement() {
                statements.append(statement)
            }
            followsStatement = true
        }
        return LuaBlock(statements: statements)
    }

    /// Parses one statement; nil for `goto` and labels, which it only reports.
    private mutating func statement() throws(LuaSyntaxError) -> LuaStatement? {
        try enterLevel()
        defer { depth -= 1 }
        let line = token.line
        switch token.kind {
        case .keyword("if"):
            return try ifStatement()
        case .keyword("while"):
            try advance()
            let condition = try expression()
            try expectKeyword("do")
            let body = try block()
            try expectClosing("end", of: "while", at: line)
            return LuaStatement(kind: .whileLoop(condition: condition, body: body), line: line)
        case .keyword("do"):
            try advance()
            let body = try block()
            try expectClosing("end", of: "do", at: line)
            return LuaStatement(kind: .doBlock(body), line: line)
        case .keyword("for"):
            return try forStatement()
        case .keyword("repeat"):
            try advance()
            let body = try block()
            try expectClosing("until", of: "repeat", at: line)
            let condition = try expression()
            return LuaStatement(kind: .repeatLoop(body: body, condition: condition), line: line)
        case .keyword("function"):
            return try functionStatement()
        case .keyword("local"):
            try advance()
            if isKeyword("function") {
                try advance()
                let name = try expectName()
                let function = try functionBody(line: line, isMethod: false)
                return LuaStatement(kind: .localFunction(name: name, function: function), line: line)
            }
            return try localStatement(line: line)
        case .symbol("::"):
            note("labels (::name::) need Lua 5.2+: restructure the loop, e.g. with a flag or a nested function", line: line)
            try advance()
            _ = try expectName()
            try expectSymbol("::")
            return nil
        case .name("goto") where try peekNext().kind.isName:
            note("goto needs Lua 5.2+: restructure the loop, e.g. with a flag or a nested function", line: line)
            try advance()
            try advance()
            return nil
        default:
            return try expressionStatement()
        }
    }

    /// Parses `if ... then ... {elseif ... then ...} [else ...] end`.
    private mutating func ifStatement() throws(LuaSyntaxError) -> LuaStatement {
        let line = token.line
        var branches: [(condition: LuaExpression, body: LuaBlock)] = []
        repeat {
            try advance()
            let condition = try expression()
            try expectKeyword("then")
            branches.append((condition, try block()))
        } while isKeyword("elseif")
        var otherwise: LuaBlock?
        if isKeyword("else") {
            try advance()
            otherwise = try block()
        }
        try expectClosing("end", of: "if", at: line)
        return LuaStatement(kind: .ifChain(branches: branches, otherwise: otherwise), line: line)
    }

    /// Parses a numeric or generic `for`.
    private mutating func forStatement() throws(LuaSyntaxError) -> LuaStatement {
        let line = token.line
        try advance()
        let first = try expectName()
        if try consume("=") {
            let start = try expression()
            try expectSymbol(",")
            let limit = try expression()
            let step = try consume(",") ? try expression() : nil
            try expectKeyword("do")
            let body = try block()
            try expectClosing("end", of: "for", at: line)
            let kind = LuaStatement.Kind.numericFor(variable: first, start: start, limit: limit, step: step, body: body)
            return LuaStatement(kind: kind, line: line)
        }
        guard isSymbol(",") || isKeyword("in") else {
            throw error("'=' or 'in' expected near \(token.kind.quoted)")
        }
        var variables = [first]
        while try consume(",") {
            variables.append(try expectName())
        }
        try expectKeyword("in")
        let iterators = try expressionList()
        try expectKeyword("do")
        let body = try block()
        try expectClosing("end", of: "for", at: line)
        return LuaStatement(kind: .genericFor(variables: variables, iterators: iterators, body: body), line: line)
    }

    /// Parses `function a.b.c:m(...) ... end`.
    private mutating func functionStatement() throws(LuaSyntaxError) -> LuaStatement {
        let line = token.line
        try advance()
        let name = try expectName()
        var target = LuaExpression(kind: .name(name.name), line: name.line)
        var isMethod = false
        while isSymbol(".") || isSymbol(":") {
            isMethod = isSymbol(":")
            try advance()
            let field = try expectName()
            let key = LuaExpression(kind: .string(Array(field.name.utf8)), line: field.line)
            target = LuaExpression(kind: .index(base: target, key: key), line: name.line)
            if isMethod {
                break
            }
        }
        let function = try functionBody(line: line, isMethod: isMethod)
        return LuaStatement(kind: .function(target: target, function: function), line: line)
    }

    /// Parses `local a <attrib>, b = explist` after `local`.
    private mutating func localStatement(line: Int) throws(LuaSyntaxError) -> LuaStatement {
        var names: [LuaLocalName] = []
        repeat {
            names.append(try expectName())
            if isSymbol("<") {
                let attributeLine = token.line
                try advance()
                let attribute = try expectName()
                try expectSymbol(">")
                note("the attribute <\(attribute.name)> needs Lua 5.4: Lua 5.1 has plain locals only", line: attributeLine)
            }
        } while try consume(",")
        let values = try consume("=") ? try expressionList() : []
        return LuaStatement(kind: .local(names: names, values: values), line: line)
    }

    /// Parses `return [explist] [';']`.
    private mutating func returnStatement() throws(LuaSyntaxError) -> LuaStatement {
        let line = token.line
        try advance()
        let values = blockEnds || isSymbol(";") ? [] : try expressionList()
        _ = try consume(";")
        return LuaStatement(kind: .returnValues(values), line: line)
    }

    /// Parses an assignment or a call statement.
    private mutating func expressionStatement() throws(LuaSyntaxError) -> LuaStatement {
        let first = try suffixedExpression()
        guard isSymbol("=") || isSymbol(",") else {
            switch first.kind {
            case .call, .methodCall:
                return LuaStatement(kind: .call(first), line: first.line)
            default:
                throw error("syntax error near \(token.kind.quoted)")
            }
        }
        var targets = [first]
        while try consume(",") {
            targets.append(try suffixedExpression())
        }
        for target in targets {
            switch target.kind {
            case .name, .index: continue
            default: throw LuaSyntaxError(line: target.line, message: "syntax error: cannot assign to this expression")
            }
        }
        try expectSymbol("=")
        let values = try expressionList()
        return LuaStatement(kind: .assignment(targets: targets, values: values), line: first.line)
    }

    /// Parses `(params) block end` of a function that started on `line`.
    private mutating func functionBody(line: Int, isMethod: Bool) throws(LuaSyntaxError) -> LuaFunction {
        var parameters = isMethod ? [LuaLocalName(name: "self", line: line)] : []
        try expectSymbol("(")
        if !isSymbol(")") {
            repeat {
                if try consume("...") {
                    break
                }
                parameters.append(try expectName())
            } while try consume(",")
        }
        try expectSymbol(")")
        let body = try block()
        try expectClosing("end", of: "function", at: line)
        return LuaFunction(parameters: parameters, body: body)
    }

    // MARK: Expressions

    /// Parses `exp {',' exp}`.
    private mutating func expressionList() throws(LuaSyntaxError) -> [LuaExpression] {
        var expressions = [try expression()]
        while try consume(",") {
            expressions.append(try expression())
        }
        return expressions
    }

    /// The unary operator at the current token, if any.
    private var unaryOperator: String? {
        switch token.kind {
        case .keyword("not"): return "not"
        case .symbol(let symbol) where ["-", "#", "~"].contains(symbol): return symbol
        default: return nil
        }
    }

    /// The binary operator at the current token, if any.
    private var binaryOperator: String? {
        switch token.kind {
        case .keyword(let word) where word == "and" || word == "or": return word
        case .symbol(let symbol) where Self.binaryPriorities[symbol] != nil: return symbol
        default: return nil
        }
    }

    /// Parses an expression whose binary operators bind tighter than `limit`.
    private mutating func expression(limit: Int = 0) throws(LuaSyntaxError) -> LuaExpression {
        try enterLevel()
        defer { depth -= 1 }
        var left: LuaExpression
        if let unary = unaryOperator {
            let line = token.line
            if unary == "~" {
                note("the unary operator ~ (bitwise not) needs Lua 5.3+: use bit.bnot", line: line)
            }
            try advance()
            let operand = try expression(limit: Self.unaryPriority)
            left = LuaExpression(kind: .unary(operator: unary, operand: operand), line: line)
        } else {
            left = try simpleExpression()
        }
        while let binary = binaryOperator, let priority = Self.binaryPriorities[binary], priority.left > limit {
            if let advice = Self.lua51BinaryOperators[binary] {
                note(advice, line: token.line)
            }
            try advance()
            let right = try expression(limit: priority.right)
            left = LuaExpression(kind: .binary(operator: binary, left: left, right: right), line: left.line)
        }
        return left
    }

    /// Parses a literal, `...`, a table, a function, or a suffixed expression.
    private mutating func simpleExpression() throws(LuaSyntaxError) -> LuaExpression {
        let line = token.line
        let kind: LuaExpression.Kind
        switch token.kind {
        case .number(let number):
            kind = .number(number)
        case .string(let bytes):
            kind = .string(bytes)
        case .keyword(let word) where ["nil", "true", "false"].contains(word):
            kind = .constant(word)
        case .symbol("..."):
            kind = .varargs
        case .symbol("{"):
            return try tableConstructor()
        case .keyword("function"):
            try advance()
            return LuaExpression(kind: .function(try functionBody(line: line, isMethod: false)), line: line)
        default:
            return try suffixedExpression()
        }
        try advance()
        return LuaExpression(kind: kind, line: line)
    }

    /// Parses a name or parenthesized expression followed by fields, indexes and calls.
    private mutating func suffixedExpression() throws(LuaSyntaxError) -> LuaExpression {
        var expression = try primaryExpression()
        while true {
            switch token.kind {
            case .symbol("."):
                try advance()
                let field = try expectName()
                let key = LuaExpression(kind: .string(Array(field.name.utf8)), line: field.line)
                expression = LuaExpression(kind: .index(base: expression, key: key), line: expression.line)
            case .symbol("["):
                try advance()
                let key = try self.expression()
                try expectSymbol("]")
                expression = LuaExpression(kind: .index(base: expression, key: key), line: expression.line)
            case .symbol(":"):
                try advance()
                let method = try expectName()
                let arguments = try callArguments()
                let kind = LuaExpression.Kind.methodCall(object: expression, method: method.name, arguments: arguments)
                expression = LuaExpression(kind: kind, line: expression.line)
            case .symbol("("), .symbol("{"), .string:
                let arguments = try callArguments()
                expression = LuaExpression(kind: .call(callee: expression, arguments: arguments), line: expression.line)
            default:
                return expression
            }
        }
    }

    /// Parses a name or `(expression)`.
    private mutating func primaryExpression() throws(LuaSyntaxError) -> LuaExpression {
        let line = token.line
        switch token.kind {
        case .name(let name):
            try advance()
            return LuaExpression(kind: .name(name), line: line)
        case .symbol("("):
            try advance()
            let inner = try expression()
            try expectClosing(")", of: "(", at: line)
            return LuaExpression(kind: .parenthesized(inner), line: line)
        default:
            throw error("unexpected symbol near \(token.kind.quoted)")
        }
    }

    /// Parses call arguments: `(explist)`, a table constructor, or a string literal.
    private mutating func callArguments() throws(LuaSyntaxError) -> [LuaExpression] {
        let line = token.line
        switch token.kind {
        case .string(let bytes):
            try advance()
            return [LuaExpression(kind: .string(bytes), line: line)]
        case .symbol("{"):
            return [try tableConstructor()]
        case .symbol("("):
            if line != previousEndLine {
                let message = "Lua 5.1 rejects a call whose '(' starts a new line (ambiguous syntax): "
                    + "move '(' up, or end the previous statement with ';'"
                note(message, line: line)
            }
            try advance()
            let arguments = isSymbol(")") ? [] : try expressionList()
            try expectClosing(")", of: "(", at: line)
            return arguments
        default:
            throw error("function arguments expected near \(token.kind.quoted)")
        }
    }

    /// Parses `{ field {sep field} [sep] }`.
    private mutating func tableConstructor() throws(LuaSyntaxError) -> LuaExpression {
        let line = token.line
        try expectSymbol("{")
        var fields: [LuaTableField] = []
        while !isSymbol("}") {
            if try consume("[") {
                let key = try expression()
                try expectSymbol("]")
                try expectSymbol("=")
                fields.append(LuaTableField(key: key, value: try expression()))
            } else if case .name(let name) = token.kind, try peekNext().kind == .symbol("=") {
                let key = LuaExpression(kind: .string(Array(name.utf8)), line: token.line)
                try advance()
                try advance()
                fields.append(LuaTableField(key: key, value: try expression()))
            } else {
                fields.append(LuaTableField(key: nil, value: try expression()))
            }
            guard isSymbol(",") || isSymbol(";") else { break }
            try advance()
        }
        try expectClosing("}", of: "{", at: line)
        return LuaExpression(kind: .table(fields), line: line)
    }
}

extension LuaTokenKind {
    /// Whether the token is a name.
    fileprivate var isName: Bool {
        if case .name = self { return true }
        return false
    }
}
