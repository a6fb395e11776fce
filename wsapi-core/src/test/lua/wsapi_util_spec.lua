-- wsapi.util and the Java URL coding under it (apogee.urlcode).

local util = require "wsapi.util"
local urlcode = require "apogee.urlcode"

-- WSAPI's pure-Lua definitions, with the character classes spelled out in ASCII (C Lua's %w
-- and %x in the C locale), to check the Java versions against, byte for byte.
local function ref_decode(s)
  s = s:gsub("+", " ")
  s = s:gsub("%%([0-9a-fA-F][0-9a-fA-F])", function(h) return string.char(tonumber(h, 16)) end)
  s = s:gsub("\r\n", "\n")
  return s
end

local function ref_encode(s)
  s = s:gsub("\n", "\r\n")
  s = s:gsub("([^0-9A-Za-z ])", function(c) return string.format("%%%02X", string.byte(c)) end)
  s = s:gsub(" ", "+")
  return s
end

local function ref_parse(qs)
  local t = {}
  for k, v in qs:gmatch("([^&=]+)=([^&=]*)&?") do
    k, v = ref_decode(k), ref_decode(v)
    if not t[k] then t[k] = v
    elseif type(t[k]) == "table" then table.insert(t[k], v)
    else t[k] = { t[k], v } end
  end
  return t
end

local function random_string(len, alphabet)
  local out = {}
  for i = 1, len do
    local j = math.random(1, #alphabet)
    out[i] = alphabet:sub(j, j)
  end
  return table.concat(out)
end

local ALL_BYTES = {}
for i = 0, 255 do ALL_BYTES[#ALL_BYTES + 1] = string.char(i) end
ALL_BYTES = table.concat(ALL_BYTES)

describe("wsapi.util", function()
  describe("url_decode", function()
    it("turns + into a space and %XX into the byte, in either case", function()
      assert.equals("a b", util.url_decode("a+b"))
      assert.equals("AJ/j", util.url_decode("%41%4a%2F%6A"))
      assert.equals("\0\255", util.url_decode("%00%ff"))
    end)

    it("turns CR LF into LF after decoding", function()
      assert.equals("a\nb", util.url_decode("a%0D%0Ab"))
      assert.equals("a\nb", util.url_decode("a\r\nb"))
      assert.equals("\r\n", util.url_decode("%0D%0D%0A"))
      assert.equals("\r", util.url_decode("%0D"))
    end)

    it("leaves malformed % sequences as they are", function()
      assert.equals("100%", util.url_decode("100%"))
      assert.equals("%4", util.url_decode("%4"))
      assert.equals("%zz%g1 %", util.url_decode("%zz%g1+%"))
      assert.equals("%A", util.url_decode("%%41"))
      assert.equals("50% off", util.url_decode("50%25+off"))
    end)

    it("gives nil for nil and keeps strings without escapes as they are", function()
      assert.is_nil(util.url_decode(nil))
      assert.equals("plain", util.url_decode("plain"))
      assert.equals("", util.url_decode(""))
    end)

    it("matches WSAPI's gsub definition on random input", function()
      math.randomseed(7)
      for _ = 1, 300 do
        local s = random_string(math.random(0, 40), "%%%+ab\r\n0123456789AaFfGg&=" .. ALL_BYTES:sub(120, 140))
        assert.equals(ref_decode(s), util.url_decode(s), s)
      end
    end)
  end)

  describe("url_encode", function()
    it("keeps letters and digits, turns spaces into + and the rest into %XX", function()
      assert.equals("a+b%2Bc%26d%3D", util.url_encode("a b+c&d="))
      assert.equals("%2D%5F%2E%7E", util.url_encode("-_.~"))
      assert.equals("%C3%A9", util.url_encode("\195\169"))
    end)

    it("turns LF into CR LF first", function()
      assert.equals("a%0D%0Ab", util.url_encode("a\nb"))
      assert.equals("%0D%0D%0A", util.url_encode("\r\n"))
    end)

    it("gives nil for nil and encodes numbers", function()
      assert.is_nil(util.url_encode(nil))
      assert.equals("42", util.url_encode(42))
    end)

    it("encodes every byte as WSAPI does and round-trips through url_decode", function()
      assert.equals(ref_encode(ALL_BYTES), util.url_encode(ALL_BYTES))
      local without_cr = ALL_BYTES:gsub("\r", "")
      assert.equals(without_cr, util.url_decode(util.url_encode(without_cr)))
      math.randomseed(11)
      for _ = 1, 200 do
        local s = random_string(math.random(0, 30), ALL_BYTES)
        assert.equals(ref_encode(s), util.url_encode(s))
      end
    end)
  end)

  describe("query strings (apogee.urlcode.parse)", function()
    it("parses pairs and collects repeated keys in a list", function()
      local t = urlcode.parse("a=1&b=2&a=3&a=4")
      assert.same({ a = { "1", "3", "4" }, b = "2" }, t)
    end)

    it("lets the last value win with overwrite", function()
      assert.same({ a = "4", b = "2" }, urlcode.parse("a=1&b=2&a=4", nil, true))
    end)

    it("decodes keys and values", function()
      assert.same({ ["first name"] = "Jo Ann", ["x&y"] = "a=b" }, urlcode.parse("first+name=Jo%20Ann&x%26y=a%3Db"))
    end)

    it("drops keys without = and keeps empty values, as WSAPI's pattern", function()
      assert.same({ b = "", c = "3" }, urlcode.parse("a&b=&=x&c=3&"))
      assert.same({ a = "1", b = "3" }, urlcode.parse("a=1=2&b=3"))
      assert.same({ a = "1;b" }, urlcode.parse("a=1;b=2")) -- ";" is no separator
      assert.same({}, urlcode.parse(""))
      assert.same({}, urlcode.parse("&&=&"))
    end)

    it("does not fail on malformed escapes", function()
      assert.same({ ["%zz"] = "100%", q = "%4" }, urlcode.parse("%zz=100%&q=%4"))
    end)

    it("adds to the table it is given and returns it", function()
      local t = { a = "0" }
      assert.equals(t, urlcode.parse("a=1&b=2", t))
      assert.same({ a = { "0", "1" }, b = "2" }, t)
    end)

    it("accepts nil and refuses other non-strings", function()
      assert.same({}, urlcode.parse(nil))
      assert.error_matches(function() urlcode.parse(12) end, "invalid query string")
    end)

    it("matches WSAPI's gmatch parsing on random input", function()
      math.randomseed(3)
      for _ = 1, 300 do
        local s = random_string(math.random(0, 40), "ab&&==%+4A1 ")
        assert.same(ref_parse(s), urlcode.parse(s), s)
      end
    end)
  end)

  describe("sanitize", function()
    it("escapes < and > and returns the count as a second value, as upstream", function()
      local s, n = util.sanitize("<b>x</b> & y")
      assert.equals("&lt;b&gt;x&lt;/b&gt; & y", s)
      assert.equals(2, n)
    end)
  end)

  describe("not_empty", function()
    it("returns the string, or nil for nil and the empty string", function()
      assert.equals("x", util.not_empty("x"))
      assert.equals(" ", util.not_empty(" "))
      assert.is_nil(util.not_empty(""))
      assert.is_nil(util.not_empty(nil))
    end)
  end)

  describe("getopt", function()
    it("reads --k=v, --flag, -k v, -kv and -abc", function()
      local opts, args = util.getopt({ "--config=x.lua", "--reload", "-p", "8080", "-lfile.log", "-rv", "docroot", "more" }, "plc")
      assert.same({ config = "x.lua", reload = true, p = "8080", l = "file.log", r = true, v = true }, opts)
      assert.same({ "docroot", "more" }, args)
    end)

    it("takes the value of a valued letter at the end of a group from the next argument", function()
      local opts, args = util.getopt({ "-rp", "9000", "x" }, "p")
      assert.same({ r = true, p = "9000" }, opts)
      assert.same({ "x" }, args)
    end)

    it("treats unknown letters as flags and works without valued letters", function()
      local opts = util.getopt({ "-xy" })
      assert.same({ x = true, y = true }, opts)
    end)
  end)

  describe("make_env_get", function()
    it("is a GET env with the query string and an empty body", function()
      local env = util.make_env_get("a=1")
      assert.equals("GET", env.REQUEST_METHOD)
      assert.equals("a=1", env.QUERY_STRING)
      assert.equals("/", env.PATH_INFO)
      assert.equals("", env.SCRIPT_NAME)
      assert.is_nil(env.input:read(10))
      assert.equals("", env.UNDEFINED_VARIABLE)
      env.error:write("oops")
      assert.same({ "oops" }, env.error.messages)
      assert.equals("", util.make_env_get().QUERY_STRING)
    end)
  end)

  describe("make_env_post", function()
    it("is a POST env whose input reads the body in pieces", function()
      local env = util.make_env_post("abcdefgh", "text/plain", "q=1")
      assert.equals("POST", env.REQUEST_METHOD)
      assert.equals("text/plain", env.CONTENT_TYPE)
      assert.equals(8, env.CONTENT_LENGTH)
      assert.equals("q=1", env.QUERY_STRING)
      assert.equals("abc", env.input:read(3))
      assert.equals("defgh", env.input:read(10))
      assert.is_nil(env.input:read(1))
    end)

    it("defaults to a form-encoded empty body", function()
      local env = util.make_env_post()
      assert.equals("x-www-form-urlencoded", env.CONTENT_TYPE)
      assert.equals(0, env.CONTENT_LENGTH)
      assert.is_nil(env.input:read(0))
    end)
  end)

  describe("make_rewindable", function()
    it("reads the body twice", function()
      local env = util.make_rewindable(util.make_env_post("hello world", "text/plain"))
      assert.equals("hello", env.input:read(5))
      assert.equals(" world", env.input:read(100))
      assert.is_nil(env.input:read(1))
      env.input:rewind()
      assert.equals("hello world", env.input:read(11))
      env.input:rewind()
      assert.equals("hel", env.input:read(3))
      assert.equals("lo", env.input:read(2))
    end)

    it("returns exactly the bytes asked for from the buffer (no off-by-one)", function()
      local env = util.make_rewindable(util.make_env_post("0123456789", "text/plain"))
      assert.equals("0123456789", env.input:read(10))
      env.input:rewind()
      assert.equals("0", env.input:read(1))
      assert.equals("12", env.input:read(2))
      assert.equals("3456789", env.input:read(20))
    end)

    it("reads CONTENT_LENGTH bytes with read() and the rest with read('*a')", function()
      local env = util.make_rewindable(util.make_env_post("abcdef", "text/plain"))
      assert.equals("abcdef", env.input:read())
      env.input:rewind()
      assert.equals("ab", env.input:read(2))
      assert.equals("cdef", env.input:read("*a"))
      assert.equals("", env.input:read("*a"))
      assert.is_nil(env.input:read(0))
    end)

    it("passes other keys through to the original env, both ways", function()
      local original = util.make_env_post("x=1")
      local env = util.make_rewindable(original)
      assert.equals("POST", env.REQUEST_METHOD)
      env.STATUS = 404
      assert.equals(404, original.STATUS)
    end)

    it("lets wsapi.request parse the same body twice", function()
      local request = require "wsapi.request"
      local env = util.make_rewindable(util.make_env_post("a=1&b=2"))
      assert.same({ a = "1", b = "2" }, request.new(env).POST)
      env.input:rewind()
      assert.same({ a = "1", b = "2" }, request.new(env).POST)
    end)
  end)

  describe("loadfile", function()
    it("loads a chunk with the given table as its globals", function()
      local f = assert(io.open("util_loadfile_fixture.lua", "w"))
      f:write("answer = base + 1\nreturn answer")
      f:close()
      local env = { base = 41 }
      local chunk = assert(util.loadfile("util_loadfile_fixture.lua", env))
      assert.equals(42, chunk())
      assert.equals(42, env.answer)
      assert.is_nil(rawget(_G, "answer"))
      assert.equals("function", type(util.loadfile("util_loadfile_fixture.lua")))
      local missing, err = util.loadfile("no_such_file.lua", {})
      assert.is_nil(missing)
      assert.is_string(err)
      os.remove("util_loadfile_fixture.lua")
    end)
  end)
end)
