/// The Lua side of ``RedisScriptSandbox``: the globals a script sees in Redis 7.0 and the way
/// Redis runs it.
enum RedisScriptPrelude {
    /// A Lua 5.4 chunk that takes the raw command function, `cjson.null`, and the sources of
    /// ``LuaCJSON`` and ``LuaBitLibrary``, and returns `run(body, keys, argv)`, which answers
    /// `'ok', value`, `'error', errorTable` or `'compile', message`.
    ///
    /// The raw command function takes the script's line and the command, and returns the reply
    /// converted to Lua and whether it is an error reply; it raises only when the test must fail
    /// (an undeclared key, a command the model lacks).
    ///
    /// Lua 5.4 drops the script's frame in `return redis.call(…)` (a tail call; Redis's C
    /// `redis.call` keeps it), so a line hook remembers the script's line for that case.
    static let source = #"""
        local raw_command, null, cjson_source, bit_source = ...
        local load, xpcall, pcall, error, type, tostring, select, setmetatable, rawget, rawset, next =
          load, xpcall, pcall, error, type, tostring, select, setmetatable, rawget, rawset, next
        local getinfo, sethook = debug.getinfo, debug.sethook
        local pack, unpack = table.pack, table.unpack

        -- Redis 7.0 makes the globals and every library table read-only.
        local readonly = setmetatable({}, { __mode = 'k' })
        local function refuse()
          error('Attempt to modify a readonly table', 2)
        end
        local function protect(library)
          local view = setmetatable({}, {
            __index = library,
            __newindex = refuse,
            __len = function() return #library end,
            __pairs = function() return next, library, nil end,
            __metatable = false,
          })
          readonly[view] = true
          return view
        end
        local function pick(library, names)
          local picked = {}
          for name in names:gmatch('%S+') do picked[name] = library[name] end
          return protect(picked)
        end

        -- luaPushErrorBuff: "-CODE message" keeps its code, a message without a space gets ERR.
        local function error_text(buffer)
          local space = buffer:find(' ', 1, true)
          local code, message = 'ERR', buffer:sub(2)
          if space then code, message = buffer:sub(2, space - 1), buffer:sub(space + 1) end
          message = message:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
          return code .. ' ' .. message
        end

        -- The script's line: its innermost frame's, else (after a tail call) the line hook's.
        local line_seen
        local function script_line()
          for level = 3, 250 do
            local info = getinfo(level, 'Sl')
            if not info then break end
            if info.source == '@user_script' then return info.currentline end
          end
          return line_seen
        end

        -- Where Redis's C libraries report their errors: "user_script:<line>: ".
        local function script_position()
          local line = script_line()
          return line and 'user_script:' .. line .. ': ' or ''
        end
        local cjson = load(cjson_source, '=cjson')(null, script_position)
        local bit = load(bit_source, '=bit')(script_position)

        local redis = {}
        function redis.call(...)
          local line = script_line()
          local reply, failed = raw_command(line, ...)
          if failed then
            rawset(reply, 'line', line)
            error(reply)
          end
          return reply
        end
        function redis.pcall(...)
          return (raw_command(script_line(), ...))
        end
        function redis.error_reply(...)
          local message = ...
          if select('#', ...) ~= 1 or type(message) ~= 'string' then
            return { err = 'ERR wrong number or type of arguments' }
          end
          if message:sub(1, 1) ~= '-' then message = '-' .. message end
          return { err = error_text(message) }
        end
        function redis.status_reply(...)
          local message = ...
          if select('#', ...) ~= 1 or type(message) ~= 'string' then
            return { err = 'ERR wrong number or type of arguments' }
          end
          return { ok = message }
        end

        -- Redis's pcall hands back the message of an error table, not the table.
        local function script_pcall(f, ...)
          local results = pack(pcall(f, ...))
          if not results[1] and type(results[2]) == 'table' then
            local message = results[2].err
            if type(message) == 'string' or type(message) == 'number' then results[2] = message end
          end
          return unpack(results, 1, results.n)
        end

        -- Lua 5.1's error: numbers get the position too, as strings do. Called in a tail call,
        -- it lost its caller's frame, which Redis's C error keeps.
        local function script_error(message, level)
          level = level or 1
          if (type(message) == 'string' or type(message) == 'number') and level > 0 then
            local info = getinfo(level + 1, 'Sl')
            if level == 1 and getinfo(1, 't').istailcall then
              message = script_position() .. message
            elseif info and info.currentline > 0 then
              message = info.short_src .. ':' .. info.currentline .. ': ' .. message
            end
          end
          error(message, 0)
        end

        local function guarded_rawset(t, key, value)
          if readonly[t] then error('Attempt to modify a readonly table', 0) end
          return rawset(t, key, value)
        end
        local function guarded_setmetatable(t, metatable)
          if readonly[t] then error('Attempt to modify a readonly table', 0) end
          return setmetatable(t, metatable)
        end

        -- The Lua 5.1 names Redis offers that Lua 5.4 has too.
        local globals = {
          assert = assert, error = script_error, getmetatable = getmetatable, ipairs = ipairs, next = next,
          pairs = pairs, pcall = script_pcall, rawequal = rawequal, rawget = rawget, rawset = guarded_rawset,
          select = select, setmetatable = guarded_setmetatable, tonumber = tonumber, tostring = tostring,
          type = type, unpack = unpack, xpcall = xpcall,
          string = pick(string, 'byte char dump find format gmatch gsub len lower match rep reverse sub upper'),
          table = pick(table, 'concat insert remove sort'),
          math = pick(math, 'abs acos asin atan ceil cos deg exp floor fmod huge log max min modf pi rad random '
            .. 'randomseed sin sqrt tan'),
          redis = protect(redis), cjson = protect(cjson), bit = protect(bit),
        }
        local environment = setmetatable({}, {
          __index = function(_, name)
            local value = globals[name]
            if value == nil then
              error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
            end
            return value
          end,
          __newindex = refuse,
          __pairs = function() return next, globals, nil end,
          __metatable = false,
        })
        readonly[environment] = true
        globals._G = environment

        -- Redis's error handler: a string becomes {err = 'ERR ' .. message}; the script line is added.
        local function handler(err)
          if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
          if rawget(err, 'line') == nil then rawset(err, 'line', script_line()) end
          return err
        end

        return function(body, keys, argv)
          local script, message = load(body, '@user_script', 't', environment)
          if not script then return 'compile', message end
          globals.KEYS, globals.ARGV = keys, argv
          sethook(function(_, line)
            if getinfo(2, 'S').source == '@user_script' then line_seen = line end
          end, 'l')
          local ok, result = xpcall(script, handler)
          sethook()
          return ok and 'ok' or 'error', result
        end
        """#
}
