/// The Lua side of the script test harness: `test`, the assertions and `sorted`, defined as
/// globals of the test file's state before the file runs. `call`, `run`, `published` and
/// `mask_score` are Swift functions (see ``ScriptTestRunner``).
enum ScriptTestHarnessPrelude {
    /// A Lua 5.4 chunk that takes the test file's chunk name (`@pick.test.lua`) and returns the
    /// runner's table: `load(chunk)`, `names()` and `run(index)`, each answering
    /// `true` or `false, message, line`.
    static let source = #"""
        local test_source = ...
        local format, concat, sort, getinfo = string.format, table.concat, table.sort, debug.getinfo

        local tests, names = {}, {}

        function test(name, body)
          if type(name) ~= 'string' or type(body) ~= 'function' then
            error('test(name, function() ... end) needs a name and a function', 2)
          end
          if names[name] then error('there is already a test named ' .. format('%q', name), 2) end
          names[name] = true
          tests[#tests + 1] = { name = name, body = body }
        end

        -- Values as Lua literals, deterministic: strings quoted, tables with their sequence first.
        local function quote(text)
          return '"' .. text:gsub('[%c"\\\128-\255]', function(c)
            local named = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
            return named[c] or format('\\x%02x', c:byte())
          end) .. '"'
        end

        local show
        local function show_key(key)
          if type(key) == 'string' and key:match('^[%a_][%w_]*$') then return key end
          return '[' .. show(key) .. ']'
        end

        show = function(value, depth)
          depth = depth or 0
          if type(value) == 'string' then return quote(value) end
          if type(value) ~= 'table' then return tostring(value) end
          if depth > 20 then return '{...}' end
          local parts, length = {}, #value
          for index = 1, length do parts[#parts + 1] = show(value[index], depth + 1) end
          local others = {}
          for key in pairs(value) do
            if not (math.type(key) == 'integer' and key >= 1 and key <= length) then others[#others + 1] = key end
          end
          sort(others, function(a, b) return show_key(a) < show_key(b) end)
          for _, key in ipairs(others) do parts[#parts + 1] = show_key(key) .. ' = ' .. show(value[key], depth + 1) end
          return '{' .. concat(parts, ', ') .. '}'
        end

        -- The path to the first difference between two values, and the two values there; nil when equal.
        local function difference(actual, expected, path)
          if type(actual) ~= 'table' or type(expected) ~= 'table' then
            if actual == expected then return nil end
            return path, actual, expected
          end
          local keys, seen = {}, {}
          for key in pairs(expected) do keys[#keys + 1] = key; seen[key] = true end
          for key in pairs(actual) do if not seen[key] then keys[#keys + 1] = key end end
          sort(keys, function(a, b)
            local ia, ib = math.type(a) == 'integer', math.type(b) == 'integer'
            if ia ~= ib then return ia end
            if ia then return a < b end
            return show_key(a) < show_key(b)
          end)
          for _, key in ipairs(keys) do
            local step = math.type(key) == 'integer' and '[' .. key .. ']' or (type(key) == 'string'
              and key:match('^[%a_][%w_]*$') and '.' .. key or '[' .. show(key) .. ']')
            local at, a, e = difference(actual[key], expected[key], path .. step)
            if at then return at, a, e end
          end
          return nil
        end

        local Failure = {}
        function fail(message)
          error(setmetatable({ message = tostring(message or 'failed') }, Failure))
        end

        local function described(message, text)
          if message then return tostring(message) .. ': ' .. text end
          return text
        end

        function assert_equal(actual, expected, message)
          local at, a, e = difference(actual, expected, '')
          if at == nil then return end
          local text = 'expected ' .. show(expected) .. '\n     got ' .. show(actual)
          if at ~= '' then text = text .. '\n     first difference at ' .. at .. ': expected ' .. show(e) .. ', got ' .. show(a) end
          fail(described(message, text))
        end

        function assert_not_equal(actual, unexpected, message)
          if difference(actual, unexpected, '') == nil then
            fail(described(message, 'expected anything but ' .. show(unexpected)))
          end
        end

        function assert_true(value, message)
          if not value then fail(described(message, 'expected a true value, got ' .. show(value))) end
        end

        function assert_false(value, message)
          if value then fail(described(message, 'expected false or nil, got ' .. show(value))) end
        end

        function assert_error(reply, prefix, message)
          if type(reply) ~= 'table' or type(reply.err) ~= 'string' then
            fail(described(message, 'expected an error reply starting with ' .. quote(prefix) .. ', got ' .. show(reply)))
          end
          if reply.err:sub(1, #prefix) ~= prefix then
            fail(described(message, 'expected an error reply starting with ' .. quote(prefix) .. ', got ' .. quote(reply.err)))
          end
        end

        function assert_between(value, low, high, message)
          if type(value) ~= 'number' or value < low or value > high then
            fail(described(message, 'expected a number from ' .. show(low) .. ' to ' .. show(high) .. ', got ' .. show(value)))
          end
        end

        function sorted(list)
          local copy = {}
          for index = 1, #list do copy[index] = list[index] end
          sort(copy)
          return copy
        end

        -- The message and the test file's line of an error, whatever raised it.
        local function handler(err)
          local message
          if getmetatable(err) == Failure then
            message = err.message
          elseif type(err) == 'table' then
            message = 'error ' .. show(err)
          else
            message = tostring(err)
            local file = test_source:sub(2)
            if message:sub(1, #file + 1) == file .. ':' then message = message:gsub('^.-:%d+: ', '', 1) end
          end
          for level = 2, 250 do
            local info = getinfo(level, 'Sl')
            if not info then break end
            if info.source == test_source and info.currentline > 0 then
              return { message = message, line = info.currentline }
            end
          end
          return { message = message }
        end

        local function outcome(ok, failure)
          if ok then return true end
          return false, failure.message, failure.line
        end

        return {
          load = function(chunk) return outcome(xpcall(chunk, handler)) end,
          names = function()
            local list = {}
            for index, entry in ipairs(tests) do list[index] = entry.name end
            return list
          end,
          run = function(index) return outcome(xpcall(tests[index].body, handler)) end,
        }
        """#
}
