#!lua flags=no-writes
-- name: tricky-text
-- version: 12
-- summary: Text that is hard to embed: "quotes", \backslashes\, """triple quotes""", \(interpolation), tabs, unicode.
-- keys:
--   none
-- argv:
--   none
-- returns:
--   a table of strings

local quoted = "say \"hi\"" .. 'it\'s' .. [[raw "text" \n]] .. [=["""]=]
local backslashes = "C:\\path\\to\\file\\" .. "\\\\server"
local swiftLike = [[\(notInterpolated) \\(neither) #"raw"# \u{41} \0]] -- """
local unicode = "héllo wörld ✓ 日本語 🎉 👩‍👩‍👧 ́é"
local separators = "line separator, paragraph separator, no-break space, bom﻿"
	-- a tab-indented comment
	local tab = "	"
return { quoted, backslashes, swiftLike, unicode, separators, tab }
