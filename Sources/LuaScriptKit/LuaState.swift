import CLua

/// An error from loading or running Lua code.
package enum LuaError: Error, Equatable, CustomStringConvertible {
    /// The code does not compile; the message starts with `chunk:line:`.
    case syntax(String)
    /// The code raised an error while running; the message includes a traceback.
    case runtime(String)
    /// Lua ran out of memory.
    case memory

    package var description: String {
        switch self {
        case .syntax(let message): return message
        case .runtime(let message): return message
        case .memory: return "Lua ran out of memory"
        }
    }
}

/// The types of Lua values.
package enum LuaType: Int32 {
    case none = -1, `nil` = 0, boolean, lightUserdata, number, string, table, function, userdata, thread
}

/// One embedded Lua 5.4 interpreter with the base, string, table and math libraries.
///
/// The state has one owner and is closed when the owner lets go of it; it is deliberately not
/// `Sendable`, so it cannot be shared across tasks. Stack indexes follow the C API (1 is the
/// bottom, -1 the top). Swift functions made callable from Lua never raise Lua errors across Swift
/// frames: they return a ``LuaCallResult`` and a small Lua wrapper raises the error.
package final class LuaState {
    /// The C state; used only by the files of this module.
    let state: OpaquePointer
    private var functions: [LuaSwiftFunction] = []
    private static let wrapperKey = "reb.wrap-swift-function"

    /// Creates a state with the base, string, table and math libraries.
    package init() {
        guard let state = luaL_newstate() else { fatalError("Lua could not allocate a state") }
        self.state = state
        for (name, open) in [
            ("_G", luaopen_base), (LUA_STRLIBNAME, luaopen_string), (LUA_TABLIBNAME, luaopen_table),
            (LUA_MATHLIBNAME, luaopen_math),
        ] as [(String, lua_CFunction)] {
            luaL_requiref(state, name, open, 1)
            pop(1)
        }
        let wrapper = """
            local function check(ok, ...)
              if ok then return ... end
              error((...), 2)
            end
            return function(raw) return function(...) return check(raw(...)) end end
            """
        do {
            try load(Array(wrapper.utf8), chunkName: "=swift-function-wrapper")
            try call(arguments: 0, results: 1)
        } catch {
            fatalError("the Swift function wrapper does not compile: \(error)")
        }
        lua_setfield(state, reb_lua_registryindex(), Self.wrapperKey)
    }

    deinit {
        lua_close(state)
    }

    // MARK: Running code

    /// Compiles `source` (text only, never bytecode) and pushes it as a function.
    package func load(_ source: [UInt8], chunkName: String) throws(LuaError) {
        let status = source.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                reb_luaL_loadbuffer(state, characters.baseAddress, characters.count, chunkName)
            }
        }
        guard status == LUA_OK else {
            let message = string(at: -1) ?? "unknown error"
            pop(1)
            throw status == LUA_ERRMEM ? .memory : .syntax(message)
        }
    }

    /// Calls the function below its `arguments` on the stack in protected mode; leaves `results`
    /// values (`LUA_MULTRET` for all).
    package func call(arguments: Int32, results: Int32) throws(LuaError) {
        precondition(arguments >= 0 && top > arguments, "call needs a function below its arguments")
        let functionIndex = top - arguments
        lua_pushcclosure(state, luaTraceback, 0)
        reb_lua_insert(state, functionIndex)
        let status = reb_lua_pcall(state, arguments, results, functionIndex)
        reb_lua_remove(state, functionIndex)
        guard status == LUA_OK else {
            let message = string(at: -1) ?? "error object is a \(typeName(at: -1))"
            pop(1)
            throw status == LUA_ERRMEM ? .memory : .runtime(message)
        }
    }

    // MARK: The stack

    /// The index of the top value: the number of values on the stack.
    package var top: Int32 {
        get { lua_gettop(state) }
        set { lua_settop(state, newValue) }
    }

    /// Removes `count` values from the top.
    package func pop(_ count: Int32) {
        reb_lua_pop(state, count)
    }

    /// The index of `index` counted from the bottom.
    package func absolute(_ index: Int32) -> Int32 {
        lua_absindex(state, index)
    }

    /// The type of the value at `index`.
    package func type(at index: Int32) -> LuaType {
        LuaType(rawValue: lua_type(state, index)) ?? .none
    }

    /// The name of the type of the value at `index`, as Lua's `type()` says it.
    package func typeName(at index: Int32) -> String {
        String(cString: lua_typename(state, lua_type(state, index)))
    }

    package func pushNil() { lua_pushnil(state) }
    package func push(_ value: Bool) { lua_pushboolean(state, value ? 1 : 0) }
    package func push(_ value: Int64) { lua_pushinteger(state, lua_Integer(value)) }
    package func push(_ value: Double) { lua_pushnumber(state, value) }
    package func push(_ value: String) { push(bytes: Array(value.utf8)) }

    /// Pushes a string with exactly these bytes.
    package func push(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                _ = lua_pushlstring(state, characters.baseAddress, characters.count)
            }
        }
    }

    /// Pushes a copy of the value at `index`.
    package func pushCopy(of index: Int32) {
        lua_pushvalue(state, index)
    }

    /// Pushes a new table with room for the given numbers of array and record entries.
    package func pushTable(arrayCapacity: Int32 = 0, recordCapacity: Int32 = 0) {
        lua_createtable(state, arrayCapacity, recordCapacity)
    }

    /// The bytes of the string at `index`; `nil` for any other type (numbers are not converted).
    package func bytes(at index: Int32) -> [UInt8]? {
        guard type(at: index) == .string else { return nil }
        var length = 0
        guard let characters = lua_tolstring(state, index, &length) else { return nil }
        return characters.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// The string at `index` decoded as UTF-8 (invalid bytes repaired); `nil` for other types.
    package func string(at index: Int32) -> String? {
        bytes(at: index).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value at `index` when it is an integer (a float with an integral value too).
    package func integer(at index: Int32) -> Int64? {
        guard type(at: index) == .number else { return nil }
        var isInteger: Int32 = 0
        let value = lua_tointegerx(state, index, &isInteger)
        return isInteger != 0 ? Int64(value) : nil
    }

    /// Whether the number at `index` has Lua's integer subtype.
    package func isInteger(at index: Int32) -> Bool {
        lua_isinteger(state, index) != 0
    }

    /// The number at `index`; `nil` for other types.
    package func number(at index: Int32) -> Double? {
        guard type(at: index) == .number else { return nil }
        return lua_tonumberx(state, index, nil)
    }

    /// The boolean at `index`; `nil` for other types.
    package func boolean(at index: Int32) -> Bool? {
        guard type(at: index) == .boolean else { return nil }
        return lua_toboolean(state, index) != 0
    }

    // MARK: Tables, without metamethods

    /// Pushes `table[index]` for the table at `tableIndex`.
    package func rawGet(table tableIndex: Int32, index: Int64) {
        _ = lua_rawgeti(state, tableIndex, lua_Integer(index))
    }

    /// Pushes `table[field]` for the table at `tableIndex`.
    package func rawGet(table tableIndex: Int32, field: String) {
        let table = absolute(tableIndex)
        push(field)
        _ = lua_rawget(state, table)
    }

    /// Pops a value and stores it as `table[index]` for the table at `tableIndex`.
    package func rawSet(table tableIndex: Int32, index: Int64) {
        lua_rawseti(state, tableIndex, lua_Integer(index))
    }

    /// Pops a value and stores it as `table[field]` for the table at `tableIndex`.
    package func rawSet(table tableIndex: Int32, field: String) {
        let table = absolute(tableIndex)
        push(field)
        reb_lua_insert(state, -2)
        lua_rawset(state, table)
    }

    /// The length of the table or string at `index`, without metamethods.
    package func rawLength(at index: Int32) -> Int {
        Int(lua_rawlen(state, index))
    }

    /// Calls `body` with the key at -2 and the value at -1 for each entry of the table at
    /// `tableIndex`; `body` must leave the stack as it found it.
    package func forEachEntry(table tableIndex: Int32, _ body: () -> Void) {
        let table = absolute(tableIndex)
        pushNil()
        while lua_next(state, table) != 0 {
            body()
            pop(1)
        }
    }

    /// Pops a table and makes it the metatable of the table at `tableIndex`.
    package func setMetatable(table tableIndex: Int32) {
        lua_setmetatable(state, tableIndex)
    }

    // MARK: Globals and functions

    /// Pushes the global `name`.
    package func pushGlobal(_ name: String) {
        _ = lua_getglobal(state, name)
    }

    /// Pops a value and makes it the global `name`.
    package func setGlobal(_ name: String) {
        lua_setglobal(state, name)
    }

    /// Pushes a Lua function that runs `body`. The body finds its arguments at stack indexes
    /// 1 through ``top``, pushes its results and returns how many, or returns an error, which
    /// the caller sees as a Lua error raised at its call. The body must not raise Lua errors.
    package func pushFunction(_ body: @escaping (LuaState) -> LuaCallResult) {
        let function = LuaSwiftFunction(owner: self, body: body)
        functions.append(function)
        _ = lua_getfield(state, reb_lua_registryindex(), Self.wrapperKey)
        lua_pushlightuserdata(state, Unmanaged.passUnretained(function).toOpaque())
        lua_pushcclosure(state, callSwiftFunction, 1)
        // The wrapper only builds a closure, so this call cannot fail.
        try! call(arguments: 1, results: 1)
    }

    /// Makes `body` (see ``pushFunction(_:)``) the global function `name`.
    package func setGlobalFunction(_ name: String, _ body: @escaping (LuaState) -> LuaCallResult) {
        pushFunction(body)
        setGlobal(name)
    }
}

/// What a Swift function called from Lua returns.
package enum LuaCallResult {
    /// It pushed this many results.
    case results(Int32)
    /// It failed; Lua raises this message at the caller.
    case error(String)
}

/// A Swift function registered with a ``LuaState``; the state keeps it alive.
private final class LuaSwiftFunction {
    unowned let owner: LuaState
    let body: (LuaState) -> LuaCallResult

    init(owner: LuaState, body: @escaping (LuaState) -> LuaCallResult) {
        self.owner = owner
        self.body = body
    }
}

/// The C entry of every Swift function: returns `true, results...` or `false, message` to the
/// Lua wrapper, which raises the error in Lua, so no Lua error ever unwinds a Swift frame.
private func callSwiftFunction(_ state: OpaquePointer?) -> Int32 {
    guard let state, let pointer = lua_touserdata(state, reb_lua_upvalueindex(1)) else { return 0 }
    let function = Unmanaged<LuaSwiftFunction>.fromOpaque(pointer).takeUnretainedValue()
    let lua = function.owner
    let arguments = lua.top
    switch function.body(lua) {
    case .results(let count):
        lua.push(true)
        reb_lua_insert(state, -count - 1)
        return count + 1
    case .error(let message):
        lua.top = arguments
        lua.push(false)
        lua.push(message)
        return 2
    }
}

/// The message handler of ``LuaState/call(arguments:results:)``: adds a traceback to string errors.
private func luaTraceback(_ state: OpaquePointer?) -> Int32 {
    guard let state else { return 0 }
    if let message = lua_tolstring(state, 1, nil) {
        luaL_traceback(state, state, message, 1)
    }
    return 1
}
