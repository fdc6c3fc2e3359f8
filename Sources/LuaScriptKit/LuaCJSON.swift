/// `cjson` for scripts run on the embedded backend: `encode` and `decode` as Redis's bundled
/// lua-cjson 2.1 does them (numbers with 14 significant digits, `/` escaped, empty tables as
/// `{}`, sparse arrays refused, `cjson.null` a NULL light userdata, its error messages). Object
/// keys are encoded in sorted order, where lua-cjson follows the table's internal order.
enum LuaCJSON {
    /// A Lua 5.4 chunk that takes `cjson.null` and a function giving the script position to
    /// prefix errors with, and returns the `cjson` table.
    static let source = #"""
        local null, script_position = ...
        local byte, char, format, concat, sort = string.byte, string.char, string.format, table.concat, table.sort
        local floor, huge, mtype, tointeger = math.floor, math.huge, math.type, math.tointeger
        local next, pcall, error, type, tonumber, ipairs = next, pcall, error, type, tonumber, ipairs

        -- Errors are raised without a position; encode and decode re-raise them at their caller.
        local function fail(message)
          error(message, 0)
        end

        local escapes = {
          ['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n',
          ['\r'] = '\\r', ['\t'] = '\\t',
        }
        local function encode_string(text)
          return '"' .. text:gsub('[\0-\31"\\/\127]', function(c)
            return escapes[c] or format('\\u%04x', byte(c))
          end) .. '"'
        end

        local function encode_number(number)
          if number ~= number or number == huge or number == -huge then
            fail('Cannot serialise number: must not be NaN or Inf')
          end
          return format('%.14g', number)
        end

        -- lua-cjson's lua_array_length: the largest index when every key is an integer >= 1,
        -- else -1 (an object); refuses arrays more than half holes past index 10.
        local function array_length(value)
          local max, items = 0, 0
          for key in next, value do
            if type(key) ~= 'number' or key < 1 or floor(key) ~= key then return -1 end
            if key > max then max = key end
            items = items + 1
          end
          if max > items * 2 and max > 10 then fail('Cannot serialise table: excessively sparse array') end
          return max
        end

        local encode_value
        local function encode_table(value, depth, out)
          if depth > 1000 then fail('Cannot serialise, excessive nesting (' .. depth .. ')') end
          local length = array_length(value)
          if length > 0 then
            out[#out + 1] = '['
            for index = 1, length do
              if index > 1 then out[#out + 1] = ',' end
              encode_value(value[index], depth, out)
            end
            out[#out + 1] = ']'
            return
          end
          local entries = {}
          for key, stored in next, value do
            local kind = type(key)
            if kind == 'string' then
              entries[#entries + 1] = { key, stored }
            elseif kind == 'number' then
              entries[#entries + 1] = { encode_number(key), stored }
            else
              fail('Cannot serialise ' .. kind .. ': table key must be a number or string')
            end
          end
          sort(entries, function(a, b) return a[1] < b[1] end)
          out[#out + 1] = '{'
          for index, entry in ipairs(entries) do
            if index > 1 then out[#out + 1] = ',' end
            out[#out + 1] = encode_string(entry[1])
            out[#out + 1] = ':'
            encode_value(entry[2], depth, out)
          end
          out[#out + 1] = '}'
        end

        encode_value = function(value, depth, out)
          local kind = type(value)
          if kind == 'string' then
            out[#out + 1] = encode_string(value)
          elseif kind == 'number' then
            out[#out + 1] = encode_number(value)
          elseif kind == 'boolean' then
            out[#out + 1] = value and 'true' or 'false'
          elseif kind == 'table' then
            encode_table(value, depth + 1, out)
          elseif value == nil or value == null then
            out[#out + 1] = 'null'
          else
            fail('Cannot serialise ' .. kind .. ': type not supported')
          end
        end

        local cjson = { null = null }

        function cjson.encode(value)
          local out = {}
          local ok, message = pcall(encode_value, value, 0, out)
          if not ok then error(script_position() .. message, 0) end
          return concat(out)
        end

        -- Decoding: a tokenizer that names tokens as lua-cjson does in its error messages.
        local function decode_error(expected, token)
          local found = token.kind == 'T_ERROR' and token.message or token.kind
          fail('Expected ' .. expected .. ' but found ' .. found .. ' at character ' .. token.position)
        end

        local function utf8_char(code)
          if code < 0x80 then return char(code) end
          if code < 0x800 then return char(0xC0 | (code >> 6), 0x80 | (code & 0x3F)) end
          if code < 0x10000 then
            return char(0xE0 | (code >> 12), 0x80 | ((code >> 6) & 0x3F), 0x80 | (code & 0x3F))
          end
          return char(0xF0 | (code >> 18), 0x80 | ((code >> 12) & 0x3F), 0x80 | ((code >> 6) & 0x3F),
            0x80 | (code & 0x3F))
        end

        local simple_escapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

        local function string_token(text, position)
          local parts, index = {}, position + 1
          while true do
            local c = text:sub(index, index)
            if c == '' then return { kind = 'T_ERROR', message = 'unexpected end of string', position = position } end
            if c == '"' then return { kind = 'T_STRING', value = concat(parts), position = position }, index + 1 end
            if c == '\\' then
              local escape = text:sub(index + 1, index + 1)
              if simple_escapes[escape] then
                parts[#parts + 1] = simple_escapes[escape]
                index = index + 2
              elseif escape == 'u' then
                local code = tonumber(text:sub(index + 2, index + 5):match('^%x%x%x%x$') or '', 16)
                local consumed = 6
                if code and code >= 0xD800 and code <= 0xDBFF then
                  local low = text:sub(index + 6, index + 7) == '\\u'
                    and tonumber(text:sub(index + 8, index + 11):match('^%x%x%x%x$') or '', 16)
                  if not low or low < 0xDC00 or low > 0xDFFF then code = nil
                  else
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    consumed = 12
                  end
                elseif code and code >= 0xDC00 and code <= 0xDFFF then
                  code = nil
                end
                if not code then
                  return { kind = 'T_ERROR', message = 'invalid unicode escape code', position = position }
                end
                parts[#parts + 1] = utf8_char(code)
                index = index + consumed
              else
                return { kind = 'T_ERROR', message = 'invalid escape code', position = position }
              end
            else
              local run = text:match('^[^"\\]+', index)
              parts[#parts + 1] = run
              index = index + #run
            end
          end
        end

        -- strtod's reading of the longest number at `position`, as lua-cjson uses it.
        local function number_token(text, position)
          local run = text:match('^[%w%.%+%-]+', position) or ''
          for length = #run, 1, -1 do
            local number = tonumber(run:sub(1, length))
            if number then
              if mtype(number) == 'float' and floor(number) == number and number ~= 0
                and number > -2^53 and number < 2^53 then
                number = tointeger(number)
              end
              return { kind = 'T_NUMBER', value = number, position = position }, position + length
            end
          end
          return { kind = 'T_ERROR', message = 'invalid number', position = position }
        end

        local punctuation = {
          ['{'] = 'T_OBJ_BEGIN', ['}'] = 'T_OBJ_END', ['['] = 'T_ARR_BEGIN', [']'] = 'T_ARR_END',
          [':'] = 'T_COLON', [','] = 'T_COMMA',
        }
        local literals = { t = { 'true', true }, f = { 'false', false }, n = { 'null', null } }

        -- The token at `position` (after whitespace) and the position after it.
        local function next_token(text, position)
          position = text:find('[^ \t\n\r]', position) or #text + 1
          local c = text:sub(position, position)
          if c == '' then return { kind = 'T_END', position = position }, position end
          if punctuation[c] then return { kind = punctuation[c], position = position }, position + 1 end
          if c == '"' then return string_token(text, position) end
          if c == '-' or c:match('%d') then return number_token(text, position) end
          local literal = literals[c]
          if literal and text:sub(position, position + #literal[1] - 1) == literal[1] then
            return { kind = literal[2] == null and 'T_NULL' or 'T_BOOLEAN', value = literal[2], position = position },
              position + #literal[1]
          end
          return { kind = 'T_ERROR', message = 'invalid token', position = position }
        end

        local decode_value
        local function decode_array(text, position, depth)
          local array, token = {}, nil
          token, position = next_token(text, position)
          if token.kind == 'T_ARR_END' then return array, position end
          while true do
            array[#array + 1], position = decode_value(text, token, position, depth)
            token, position = next_token(text, position)
            if token.kind == 'T_ARR_END' then return array, position end
            if token.kind ~= 'T_COMMA' then decode_error('comma or array end', token) end
            token, position = next_token(text, position)
          end
        end

        local function decode_object(text, position, depth)
          local object, token = {}, nil
          token, position = next_token(text, position)
          if token.kind == 'T_OBJ_END' then return object, position end
          while true do
            if token.kind ~= 'T_STRING' then decode_error('object key string', token) end
            local key = token.value
            token, position = next_token(text, position)
            if token.kind ~= 'T_COLON' then decode_error('colon', token) end
            token, position = next_token(text, position)
            object[key], position = decode_value(text, token, position, depth)
            token, position = next_token(text, position)
            if token.kind == 'T_OBJ_END' then return object, position end
            if token.kind ~= 'T_COMMA' then decode_error('comma or object end', token) end
            token, position = next_token(text, position)
          end
        end

        decode_value = function(text, token, position, depth)
          local kind = token.kind
          if kind == 'T_STRING' or kind == 'T_NUMBER' or kind == 'T_BOOLEAN' or kind == 'T_NULL' then
            return token.value, position
          end
          if kind == 'T_OBJ_BEGIN' or kind == 'T_ARR_BEGIN' then
            if depth >= 1000 then
              fail('Found too many nested data structures (' .. (depth + 1) .. ') at character ' .. token.position)
            end
            if kind == 'T_OBJ_BEGIN' then return decode_object(text, position, depth + 1) end
            return decode_array(text, position, depth + 1)
          end
          decode_error('value', token)
        end

        function cjson.decode(text)
          if type(text) ~= 'string' then
            error(script_position() .. "bad argument #1 to 'decode' (string expected, got " .. type(text) .. ')', 0)
          end
          local ok, result = pcall(function()
            local token, position = next_token(text, 1)
            local value
            value, position = decode_value(text, token, position, 0)
            token = next_token(text, position)
            if token.kind ~= 'T_END' then decode_error('the end', token) end
            return value
          end)
          if not ok then error(script_position() .. result, 0) end
          return result
        end

        return cjson
        """#
}
