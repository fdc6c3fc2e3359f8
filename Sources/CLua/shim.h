#ifndef REB_CLUA_SHIM_H
#define REB_CLUA_SHIM_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

// Lua's function-like macros, as functions Swift can call.

static inline int reb_lua_pcall(lua_State *L, int arguments, int results, int handler) {
    return lua_pcall(L, arguments, results, handler);
}

static inline void reb_lua_pop(lua_State *L, int count) { lua_pop(L, count); }

static inline void reb_lua_newtable(lua_State *L) { lua_newtable(L); }

static inline int reb_lua_upvalueindex(int index) { return lua_upvalueindex(index); }

static inline int reb_lua_registryindex(void) { return LUA_REGISTRYINDEX; }

static inline void reb_lua_insert(lua_State *L, int index) { lua_insert(L, index); }

static inline void reb_lua_remove(lua_State *L, int index) { lua_remove(L, index); }

static inline int reb_luaL_loadbuffer(lua_State *L, const char *buffer, size_t size, const char *name) {
    return luaL_loadbufferx(L, buffer, size, name, "t");
}

#endif
