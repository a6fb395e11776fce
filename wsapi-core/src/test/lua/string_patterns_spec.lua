-- Lua patterns as C Lua matches them in the "C" locale: every character class is ASCII-only, so a
-- byte of a UTF-8 sequence (0x80-0xFF) is never a letter, digit, space, punctuation or control.

local char, byte = string.char, string.byte

-- What <ctype.h> says in the "C" locale, written out by byte value (no patterns involved).
local function between(c, lo, hi) return c >= byte(lo) and c <= byte(hi) end
local function lower(c) return between(c, "a", "z") end
local function upper(c) return between(c, "A", "Z") end
local function digit(c) return between(c, "0", "9") end
local C_LOCALE = {
  a = function(c) return lower(c) or upper(c) end,
  c = function(c) return c < 0x20 or c == 0x7F end,
  d = digit,
  g = function(c) return c > 0x20 and c < 0x7F end,
  l = lower,
  p = function(c)
    return between(c, "!", "/") or between(c, ":", "@") or between(c, "[", "`") or between(c, "{", "~")
  end,
  s = function(c) return c == 0x20 or (c >= 0x09 and c <= 0x0D) end,
  u = upper,
  w = function(c) return lower(c) or upper(c) or digit(c) end,
  x = function(c) return digit(c) or between(c, "a", "f") or between(c, "A", "F") end,
}
local CLASSES = { "a", "c", "d", "g", "l", "p", "s", "u", "w", "x" }

-- The bytes 0-255 for which `matches(ch)` differs from `expected(c)`, as "0xNN" strings.
local function mismatches(expected, matches)
  local wrong = {}
  for c = 0, 255 do
    if (matches(char(c)) and true or false) ~= (expected(c) and true or false) then
      wrong[#wrong + 1] = string.format("0x%02X", c)
    end
  end
  return wrong
end

local function negate(f) return function(c) return not f(c) end end

describe("pattern character classes", function()
  for _, k in ipairs(CLASSES) do
    local is, K = C_LOCALE[k], k:upper()

    describe("%" .. k, function()
      it("matches exactly the C locale's bytes, alone and as %" .. K, function()
        assert.same({}, mismatches(is, function(ch) return ch:find("^%" .. k .. "$") end))
        assert.same({}, mismatches(negate(is), function(ch) return ch:find("^%" .. K .. "$") end))
      end)

      it("does so inside sets: [%" .. k .. "], [^%" .. k .. "], [%" .. K .. "], [^%" .. K .. "]", function()
        assert.same({}, mismatches(is, function(ch) return ch:find("^[%" .. k .. "]$") end))
        assert.same({}, mismatches(negate(is), function(ch) return ch:find("^[^%" .. k .. "]$") end))
        assert.same({}, mismatches(negate(is), function(ch) return ch:find("^[%" .. K .. "]$") end))
        assert.same({}, mismatches(is, function(ch) return ch:find("^[^%" .. K .. "]$") end))
      end)

      it("does so in string.match, string.gmatch and string.gsub", function()
        assert.same({}, mismatches(is, function(ch) return ch:match("%" .. k) end))
        assert.same({}, mismatches(is, function(ch) return ch:gmatch("[%" .. k .. "]")() end))
        assert.same({}, mismatches(is, function(ch) return select(2, ch:gsub("%" .. k, "")) == 1 end))
        assert.same({}, mismatches(negate(is), function(ch) return select(2, ch:gsub("[^%" .. k .. "]", "")) == 1 end))
      end)

      it("counts each byte of a string of all 256 bytes once", function()
        local all = {}
        for c = 0, 255 do all[#all + 1] = char(c) end
        all = table.concat(all)
        local n = 0
        for c = 0, 255 do if is(c) then n = n + 1 end end
        assert.equals(n, select(2, all:gsub("%" .. k, "")))
        assert.equals(256 - n, select(2, all:gsub("%" .. K, "")))
        assert.equals(256 - n, #all:gsub("%" .. k, ""))
      end)
    end)
  end

  it("keeps %z matching the zero byte", function()
    assert.same({}, mismatches(function(c) return c == 0 end, function(ch) return ch:find("^%z$") end))
    assert.same({}, mismatches(function(c) return c ~= 0 end, function(ch) return ch:find("^[%Z]$") end))
  end)

  it("stops at the ASCII boundaries of each range", function()
    assert.is_nil(("@[`{"):find("%a"))
    assert.is_nil(("/:"):find("%d"))
    assert.is_nil(("@[`{/:"):find("%w"))
    assert.is_nil(("`{"):find("%l"))
    assert.is_nil(("@["):find("%u"))
    assert.is_nil(("gG/:@`"):find("%x"))
    assert.equals("[\\]^_`{|}~", ("a[\\]^_`{|}~z"):match("%p+"))
    assert.equals(" \t\n\v\f\r", ("x \t\n\v\f\rx"):match("%s+"))
    assert.equals("\0\31\127", (("\0\31\127 \128\255"):gsub("[^%c]", "")))
    assert.equals("!~", ((" !~\127"):gsub("%G", "")))
  end)

  it("treats UTF-8 text byte for byte, as C Lua does", function()
    assert.equals("", (("ü"):gsub("[^%w]", "")))
    assert.equals("Gre", (("Grüße"):gsub("%W", "")))
    assert.equals("Grüße", (("Grüße"):gsub("%p", "")))
    assert.equals("na", ("naïve café"):match("%a+"))
    assert.equals("t", ("été"):match("%l+"))
    local words = {}
    for w in ("Ünïcode über alles"):gmatch("%a+") do words[#words + 1] = w end
    assert.same({ "n", "code", "ber", "alles" }, words)
    assert.equals(3, ("µ-x"):find("[%w-]+"))
    assert.equals("\194\181\194\170\194\186", (("\194\181\194\170\194\186"):gsub("%w", "")))
  end)
end)

describe("the frontier pattern %f", function()
  it("matches where the previous byte is outside the set and the next inside", function()
    assert.equals("W (W) W", (("THE (quick) fox"):gsub("%f[%a]%a+", "W")))
    assert.same({ 1, 3 }, { ("THE (quick) fox"):find("%f[%a]%u+%f[%A]") })
    assert.is_nil(("ab"):find("a%f[%a]"))
    local words = {}
    for w in ("one, two;three"):gmatch("%f[%w]%w+%f[%W]") do words[#words + 1] = w end
    assert.same({ "one", "two", "three" }, words)
  end)

  it("sees the zero byte before the start and after the end of the subject", function()
    assert.same({ 1, 5 }, { ("hello world"):find("%f[%w]%w+") })
    assert.same({ 5, 5 }, { ("hello"):find("o%f[%W]") })
    assert.same({ 6, 5 }, { ("hello"):find("%f[%z]") })
    assert.same({ 1, 0 }, { ("hello"):find("^%f[a-z]") })
    assert.same({ 5, 5 }, { ("helloworld"):sub(1, 5):find("o%f[^a-z]") })
  end)

  it("uses the ASCII classes", function()
    assert.same({ 3, 2 }, { ("\195\128B"):find("%f[%a]") })
  end)

  it("needs a set", function()
    local ok, err = pcall(string.find, "x", "%fa")
    assert.is_false(ok)
    assert.matches("missing '%[' after '%%f' in pattern", err)
  end)
end)

describe("empty matches", function()
  -- at most 20 results, so a matcher that never advances fails instead of looping
  local function collect(iterator)
    local all = {}
    for a, b in iterator do
      all[#all + 1] = b and (a .. "=" .. b) or a
      if #all == 20 then break end
    end
    return all
  end

  it("advance string.gmatch by one byte, and it tries the end of the subject too", function()
    assert.same({ "a", "", "b", "" }, collect(("a,b"):gmatch("[^,]*")))
    assert.same({ "abc", "" }, collect(("abc"):gmatch("%a*")))
    assert.same({ "", "", "", "" }, collect(("abc"):gmatch("")))
    assert.same({ "" }, collect((""):gmatch(".*")))
    assert.same({ "k=v", "x=y" }, collect(("k=v, x=y"):gmatch("(%w+)=(%w+)")))
    assert.same({ "a", "b", "c" }, collect(("abc"):gmatch("%a")))
  end)

  it("come from an empty pattern in string.match and string.find", function()
    assert.equals("", ("abc"):match(""))
    assert.equals(1, ("abc"):match("()"))
    assert.equals("", (""):match(""))
    assert.equals(3, ("abc"):match("()", 3))
    assert.same({ 1, 0 }, { (""):find("") })
    assert.same({ 2, 1 }, { ("abc"):find("", 2) })
  end)

  it("are counted by string.gsub as in C Lua 5.2", function()
    assert.same({ "--", 2 }, { ("abc"):gsub("%a*", "-") })
    assert.same({ "xx,xx", 4 }, { ("a,b"):gsub("[^,]*", "x") })
    assert.same({ "-a-b-", 3 }, { ("ab"):gsub("", "-") })
  end)
end)

describe("malformed patterns", function()
  local function message(s, pattern)
    local ok, err = pcall(string.find, s, pattern)
    assert.is_false(ok, pattern)
    return err
  end

  it("raise C Lua's errors for an unfinished set", function()
    assert.matches("malformed pattern %(missing '%]'%)", message("x", "[a"))
    assert.matches("malformed pattern %(missing '%]'%)", message("x", "[a%"))
    assert.matches("malformed pattern %(missing '%]'%)", message("x", "[]"))
    assert.matches("malformed pattern %(missing '%]'%)", message("x", "[^"))
    assert.matches("malformed pattern %(missing '%]'%)", message("x", "%f[a"))
    assert.matches("malformed pattern %(ends with '%%'%)", message("x", "x%"))
  end)

  it("take ] first in a set as a literal, as C Lua does", function()
    assert.equals("]]", ("a]]b"):match("[]]+"))
    assert.equals("a", ("]a"):match("[^]]"))
    assert.equals("%]", ("x%]"):match("[%%%]]+"))
  end)
end)
