import CLua

/// What the script runners need of Lua's debug facilities.
extension LuaState {
    /// Opens Lua's debug library as the global `debug`.
    package func openDebugLibrary() {
        luaL_requiref(state, LUA_DBLIBNAME, luaopen_debug, 1)
        pop(1)
    }
}
