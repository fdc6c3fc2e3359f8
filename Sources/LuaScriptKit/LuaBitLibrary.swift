/// `bit` for scripts run on the embedded backend: LuaBitOp 1.0 as Redis bundles it, 32-bit
/// operations whose results are signed, arguments rounded to the nearest integer (ties to even)
/// and taken modulo 2^32.
enum LuaBitLibrary {
    /// A Lua 5.4 chunk that takes a function giving the script position to prefix errors with,
    /// and returns the `bit` table.
    static let source = #"""
        local script_position = ...
        local floor, mtype, tointeger, format, select, type, tonumber, error =
          math.floor, math.type, math.tointeger, string.format, select, type, tonumber, error

        -- An argument as LuaBitOp reads it: a number (or numeric string), to 32 unsigned bits.
        local function bits(value, position, name)
          local number = tonumber(value)
          if number == nil then
            local got = value == nil and 'no value' or type(value)
            error(format("%sbad argument #%d to '%s' (number expected, got %s)", script_position(), position, name, got), 0)
          end
          if mtype(number) == 'float' then
            local rounded = floor(number)
            local fraction = number - rounded
            if fraction > 0.5 or (fraction == 0.5 and rounded % 2 == 1) then rounded = rounded + 1 end
            number = tointeger(rounded) or 0
          end
          return number & 0xFFFFFFFF
        end

        local function signed(value)
          value = value & 0xFFFFFFFF
          if value >= 0x80000000 then return value - 0x100000000 end
          return value
        end

        local bit = {}

        function bit.tobit(x) return signed(bits(x, 1, 'tobit')) end
        function bit.bnot(x) return signed(~bits(x, 1, 'bnot')) end

        local function fold(name, operation)
          return function(...)
            local result = bits((...), 1, name)
            for index = 2, select('#', ...) do
              result = operation(result, bits((select(index, ...)), index, name))
            end
            return signed(result)
          end
        end
        bit.band = fold('band', function(a, b) return a & b end)
        bit.bor = fold('bor', function(a, b) return a | b end)
        bit.bxor = fold('bxor', function(a, b) return a ~ b end)

        function bit.lshift(x, n) return signed(bits(x, 1, 'lshift') << (bits(n, 2, 'lshift') & 31)) end
        function bit.rshift(x, n) return signed(bits(x, 1, 'rshift') >> (bits(n, 2, 'rshift') & 31)) end
        -- A negative 32-bit value is negative in 64 bits too, so the logical shift brings in its sign.
        function bit.arshift(x, n) return signed(signed(bits(x, 1, 'arshift')) >> (bits(n, 2, 'arshift') & 31)) end
        function bit.rol(x, n)
          local value, shift = bits(x, 1, 'rol'), bits(n, 2, 'rol') & 31
          return signed((value << shift) | (value >> (32 - shift)))
        end
        function bit.ror(x, n)
          local value, shift = bits(x, 1, 'ror'), bits(n, 2, 'ror') & 31
          return signed((value >> shift) | (value << (32 - shift)))
        end
        function bit.bswap(x)
          local value = bits(x, 1, 'bswap')
          return signed(((value & 0xFF) << 24) | ((value & 0xFF00) << 8) | ((value >> 8) & 0xFF00) | (value >> 24))
        end
        function bit.tohex(x, n)
          local value = bits(x, 1, 'tohex')
          local digits = n == nil and 8 or signed(bits(n, 2, 'tohex'))
          local conversion = 'x'
          if digits < 0 then digits, conversion = -digits, 'X' end
          if digits > 8 then digits = 8 end
          if digits == 0 then return '' end
          return format('%0' .. digits .. conversion, value & ((1 << (4 * digits)) - 1))
        end

        return bit
        """#
}
