-- wsapi.request: fields, GET/POST/params, bodies of every kind, uploads, cookies, link helpers.

local request = require "wsapi.request"
local util = require "wsapi.util"
local multipart = dofile("fixtures/multipart.lua")

local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function post_env(body, content_type, qs, method)
  local env = util.make_env_post(body, content_type, qs)
  if method then env.REQUEST_METHOD = method end
  return env
end

describe("wsapi.request", function()
  describe("new", function()
    it("copies the request's fields from the env", function()
      local env = util.make_env_get("a=1")
      env.PATH_INFO = "/items/3"
      env.SCRIPT_NAME = "/shop/app.lua"
      env.DOCUMENT_ROOT = "/srv/www"
      env.APP_PATH = "/srv/www/shop"
      local app = { prefix = "/p" }
      local req = request.new(env, { mk_app = app })
      assert.equals("GET", req.method)
      assert.equals("/items/3", req.path_info)
      assert.equals("/shop/app.lua", req.script_name)
      assert.equals("a=1", req.query_string)
      assert.equals("/srv/www", req.doc_root)
      assert.equals("/srv/www/shop", req.app_path)
      assert.equals(env, req.env)
      assert.equals(app, req.mk_app)
    end)

    it("is also reachable as the global wsapi.request, as with WSAPI 1.6", function()
      assert.equals(request, wsapi.request)
      assert.equals(request.new, require("wsapi").request.new)
    end)
  end)

  describe("GET", function()
    it("is empty without a query string", function()
      local req = request.new(util.make_env_get())
      assert.same({}, req.GET)
      assert.same({}, req.POST)
    end)

    it("collects repeated keys in a list, in order", function()
      local req = request.new(util.make_env_get("tag=a&x=1&tag=b&tag=c"))
      assert.same({ "a", "b", "c" }, req.GET.tag)
      assert.equals("1", req.GET.x)
      assert.same({ "a", "b", "c" }, req.params.tag)
    end)

    it("keeps the last value with overwrite", function()
      local req = request.new(util.make_env_get("tag=a&tag=b"), { overwrite = true })
      assert.equals("b", req.GET.tag)
    end)

    it("decodes + and %XX in keys and values", function()
      local req = request.new(util.make_env_get("full+name=Ada%20L%2Bovelace&caf%C3%A9=%E2%82%AC"))
      assert.equals("Ada L+ovelace", req.GET["full name"])
      assert.equals("\226\130\172", req.GET["caf\195\169"])
    end)

    it("survives malformed % sequences", function()
      local req = request.new(util.make_env_get("a=%&b=%4&c=%zz&d=100%25&%=1"))
      assert.same({ a = "%", b = "%4", c = "%zz", d = "100%", ["%"] = "1" }, req.GET)
    end)
  end)

  describe("form bodies", function()
    it("parses x-www-form-urlencoded bodies into POST", function()
      local req = request.new(post_env("foo=bar&baz=boo&foo=two"))
      assert.same({}, req.GET)
      assert.same({ foo = { "bar", "two" }, baz = "boo" }, req.POST)
    end)

    it("accepts the full content type with parameters", function()
      local req = request.new(post_env("a=%41", "application/x-www-form-urlencoded; charset=UTF-8"))
      assert.equals("A", req.POST.a)
    end)

    it("unites GET and POST in params, GET winning, built on demand", function()
      local req = request.new(post_env("both=post&only_post=1", nil, "both=get&only_get=2"))
      assert.same({}, keys(req.params))
      assert.equals("get", req.params.both)
      assert.equals("1", req.params.only_post)
      assert.equals("2", req.params.only_get)
      assert.is_nil(req.params.neither)
      assert.same({ "both", "only_get", "only_post" }, keys(req.params))
    end)

    it("parses the body of PUT and DELETE requests too", function()
      assert.equals("1", request.new(post_env("a=1", nil, nil, "PUT")).POST.a)
      assert.equals("1", request.new(post_env("a=1", nil, nil, "DELETE")).POST.a)
    end)
  end)

  describe("other bodies", function()
    it("are in POST.post_data, for every method", function()
      local json = '{ "foo": "bar" }'
      for _, method in ipairs({ "POST", "PUT", "PATCH", "DELETE" }) do
        local req = request.new(post_env(json, "application/json", nil, method))
        assert.equals(json, req.POST.post_data, method)
        assert.equals(json, req.params.post_data, method)
      end
    end)

    it("give post_data = '' when there is no body", function()
      local env = util.make_env_get()
      env.CONTENT_TYPE = ""
      assert.equals("", request.new(env).POST.post_data)
      assert.equals("", request.new(post_env("", "application/json")).POST.post_data)
    end)

    it("keep their bytes", function()
      local bytes = {}
      for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
      bytes = table.concat(bytes)
      assert.equals(bytes, request.new(post_env(bytes, "application/octet-stream")).POST.post_data)
    end)
  end)

  describe("delay_post", function()
    it("leaves the body alone until parse_post, which returns POST once", function()
      local env = post_env("a=1")
      local req = request.new(env, { delay_post = true })
      assert.same({}, req.POST)
      assert.equals("a=1", env.input.post_data)
      assert.equals(1, env.input.current, "nothing read yet")
      local post = req:parse_post()
      assert.equals(req.POST, post)
      assert.equals("1", req.POST.a)
      assert.equals("1", req.params.a)
      local none, why = req:parse_post()
      assert.is_nil(none)
      assert.equals("postdata already parsed", why)
    end)

    it("parse_post says the body is parsed already without delay_post", function()
      local req = request.new(post_env("a=1"))
      local none, why = req:parse_post()
      assert.is_nil(none)
      assert.equals("postdata already parsed", why)
    end)
  end)

  describe("multipart/form-data", function()
    local boundary = "----apogee-7e3"
    local big = string.rep("0123456789abcdef", 8192) -- 128 KiB: stored in a temporary file

    local function upload_env(parts, ctype)
      return post_env(multipart.body(boundary, parts), ctype or ("multipart/form-data; boundary=" .. boundary))
    end

    it("gives fields as strings and files as tables, two files and fields", function()
      local req = request.new(upload_env({
        { name = "title", value = "Holiday" },
        { name = "photo", filename = "C:\\Users\\me\\beach.jpg", type = "image/jpeg", value = "\255\216JPEGDATA\0\1",
          headers = { "X-Origin: camera" } },
        { name = "notes", value = "line one\nline two\r\nline three" },
        { name = "raw", filename = "/home/me/big.bin", value = big },
      }))
      assert.equals("Holiday", req.POST.title)
      assert.equals("line one\nline two\r\nline three", req.POST.notes)
      local photo = req.POST.photo
      assert.equals("beach.jpg", photo.name)
      assert.equals(12, photo.size)
      assert.equals("image/jpeg", photo["content-type"])
      assert.equals("camera", photo["x-origin"])
      assert.is_nil(rawget(photo, "content-disposition"))
      assert.is_nil(rawget(photo, "contents"), "contents are read only when asked for")
      assert.equals("\255\216JPEGDATA\0\1", photo.contents)
      local raw = req.params.raw
      assert.equals("big.bin", raw.name)
      assert.equals(#big, raw.size)
      assert.equals(big, raw.contents)
    end)

    it("offers a path and an open file for streaming a large upload", function()
      local raw = request.new(upload_env({ { name = "raw", filename = "big.bin", value = big } })).POST.raw
      assert.is_string(raw.path)
      local f = raw.file
      assert.equals("file", io.type(f))
      local head = f:read(16)
      assert.equals("0123456789abcdef", head)
      local total = #head
      while true do
        local piece = f:read(8192)
        if not piece then break end
        total = total + #piece
      end
      f:close()
      assert.equals(#big, total)
      local again = assert(io.open(raw.path, "rb"))
      assert.equals(big, again:read("*a"))
      again:close()
    end)

    it("gives a small upload a path too, when asked", function()
      local small = request.new(upload_env({ { name = "f", filename = "s.txt", value = "tiny" } })).POST.f
      local f = assert(io.open(small.path, "rb"))
      assert.equals("tiny", f:read("*a"))
      f:close()
    end)

    it("collects repeated names, files included, in lists", function()
      local req = request.new(upload_env({
        { name = "files", filename = "a.txt", type = "text/plain", value = "AAA" },
        { name = "files", filename = "b.txt", type = "text/plain", value = "BB" },
        { name = "tag", value = "x" },
        { name = "tag", value = "y" },
      }))
      assert.same({ "x", "y" }, req.POST.tag)
      local files = req.POST.files
      assert.equals(2, #files)
      assert.equals("a.txt", files[1].name)
      assert.equals("AAA", files[1].contents)
      assert.equals("b.txt", files[2].name)
      assert.equals(2, files[2].size)
      assert.is_nil(rawget(files[1], 1), "the first file table is not used as the list")
    end)

    it("keeps the last value with overwrite", function()
      local req = request.new(upload_env({ { name = "t", value = "1" }, { name = "t", value = "2" } }), { overwrite = true })
      assert.equals("2", req.POST.t)
    end)

    it("gives a file input left empty (filename=\"\") as a string", function()
      local req = request.new(upload_env({ { name = "f", filename = "", value = "" }, { name = "g", value = "v" } }))
      assert.equals("", req.POST.f)
      assert.equals("v", req.POST.g)
    end)

    it("reads a quoted boundary and one followed by other parameters", function()
      local req = request.new(upload_env({ { name = "a", value = "1" } },
        'multipart/form-data; boundary="' .. boundary .. '"; charset=utf-8'))
      assert.equals("1", req.POST.a)
    end)

    it("reads the part names and file names byte for byte", function()
      local req = request.new(upload_env({ { name = "caf\195\169", filename = "r\233sum\233.txt", value = "x" } }))
      local file = req.POST["caf\195\169"]
      assert.is_table(file)
      assert.equals("r\233sum\233.txt", file.name)
    end)

    it("refuses a body without a boundary with a clear error", function()
      local env = post_env(multipart.body(boundary, { { name = "a", value = "1" } }), "multipart/form-data")
      local ok, err = pcall(request.new, env)
      assert.is_false(ok)
      assert.matches("malformed multipart/form%-data body: no multipart boundary", err)
    end)

    it("refuses a truncated part with a clear error", function()
      local body = multipart.body(boundary, { { name = "a", value = "1" }, { name = "f", filename = "x.bin", value = big } })
      local ok, err = pcall(request.new, post_env(body:sub(1, #body - 5000), "multipart/form-data; boundary=" .. boundary))
      assert.is_false(ok)
      assert.matches("malformed multipart/form%-data body", err)
    end)

    it("does not read a body announced as empty", function()
      local env = post_env("", "multipart/form-data; boundary=x")
      assert.same({}, request.new(env).POST)
    end)

    it("reads multipart from a rewindable env too", function()
      local env = util.make_rewindable(upload_env({ { name = "a", value = "1" }, { name = "f", filename = "f.txt", value = "F" } }))
      local req = request.new(env)
      assert.equals("1", req.POST.a)
      assert.equals("F", req.POST.f.contents)
      env.input:rewind()
      assert.equals("F", request.new(env).POST.f.contents)
    end)
  end)

  describe("bodies without CONTENT_LENGTH", function()
    local boundary = "----apogee-c4u"
    local big = string.rep("0123456789abcdef", 8192)

    -- An input that takes byte counts only, as WSAPI's input_maker (read("*a") fails there), and
    -- gives the body in pieces of at most `piece` bytes, nil at the end.
    local function counted_input(body, piece)
      local pos = 1
      return {
        length = 0,
        read = function(self, n)
          if type(n) ~= "number" then error("attempt to compare " .. type(n) .. " with number") end
          if n <= 0 or pos > #body then return nil end
          local s = body:sub(pos, pos + math.min(n, piece or n) - 1)
          pos = pos + #s
          return s
        end,
      }
    end

    -- an env as a filter passes it on for a body of unknown length: CONTENT_LENGTH missing and
    -- env.input a Lua object in front of the server's input
    local function unknown_length_env(body, content_type, headers)
      local env = util.make_env_post(body, content_type)
      env.CONTENT_LENGTH = nil
      env.input = counted_input(body, 1000)
      for k, v in pairs(headers or {}) do env[k] = v end
      return env
    end

    local function chunked_env(body, content_type)
      return unknown_length_env(body, content_type, { HTTP_TRANSFER_ENCODING = "chunked" })
    end

    it("are read to the end of any input when the request is chunked: forms", function()
      local req = request.new(chunked_env("a=1&b=" .. ("x"):rep(5000) .. "&c=3", "application/x-www-form-urlencoded"))
      assert.equals("1", req.POST.a)
      assert.equals(5000, #req.POST.b)
      assert.equals("3", req.POST.c)
    end)

    it("are read to the end of any input when the request is chunked: multipart", function()
      local body = multipart.body(boundary, { { name = "a", value = "1" }, { name = "f", filename = "f.bin", value = big } })
      local req = request.new(chunked_env(body, "multipart/form-data; boundary=" .. boundary))
      assert.equals("1", req.POST.a)
      assert.equals(big, req.POST.f.contents)
    end)

    it("are read to the end of any input when the request is chunked: other bodies", function()
      local req = request.new(chunked_env(big, "application/octet-stream"))
      assert.equals(big, req.POST.post_data)
    end)

    it("are read to the end over HTTP/2, where frames carry the body without a length", function()
      local env = unknown_length_env("a=1&b=2", "application/x-www-form-urlencoded", { SERVER_PROTOCOL = "HTTP/2.0" })
      assert.same({ a = "1", b = "2" }, request.new(env).POST)
    end)

    it("are read to the end through a rewindable env", function()
      local env = util.make_rewindable(chunked_env("a=1&b=2", "application/x-www-form-urlencoded"))
      assert.same({ a = "1", b = "2" }, request.new(env).POST)
      env.input:rewind()
      assert.same({ a = "1", b = "2" }, request.new(env).POST)
    end)

    it("are empty on HTTP/1.1 without Transfer-Encoding, from an input that is not the server's", function()
      local env = unknown_length_env("a=1", "application/x-www-form-urlencoded")
      assert.same({}, request.new(env).POST)
      env = unknown_length_env("data", "application/json")
      assert.equals("", request.new(env).POST.post_data)
      env = unknown_length_env(multipart.body(boundary, { { name = "a", value = "1" } }), "multipart/form-data; boundary=" .. boundary)
      assert.same({}, request.new(env).POST)
    end)
  end)

  describe("cookies", function()
    local function with_cookie(header)
      local env = util.make_env_get()
      env.HTTP_COOKIE = header
      return request.new(env).cookies
    end

    it("reads cookies by name, spaces around ; ignored", function()
      local c = with_cookie("session=abc123;  theme = dark ;lang=en")
      assert.equals("abc123", c.session)
      assert.equals("en", c.lang)
      assert.is_nil(c.missing)
    end)

    it("keeps = inside values and url-decodes them", function()
      local c = with_cookie("token=YWJj==; data=a%3Db%26c; plus=a+b")
      assert.equals("YWJj==", c.token)
      assert.equals("a=b&c", c.data)
      assert.equals("a b", c.plus)
    end)

    it("lets the first of two cookies with one name win", function()
      assert.equals("first", with_cookie("id=first; id=second").id)
    end)

    it("looks names up as Lua patterns, as upstream does", function()
      local c = with_cookie("a-b=1; axc=2")
      assert.is_nil(c["a-b"], "'-' is a pattern item")
      assert.equals("2", c["a.c"], "'.' matches any character")
      assert.is_nil(c["bad%"], "a malformed pattern finds nothing")
    end)

    it("is empty without a Cookie header", function()
      assert.is_nil(with_cookie("").anything)
      local env = util.make_env_get()
      assert.is_nil(request.new(env).cookies.anything)
    end)
  end)

  describe("helpers", function()
    local function req_at(script_name, options)
      local env = util.make_env_get()
      env.SCRIPT_NAME = script_name
      return request.new(env, options)
    end

    it("qs_encode encodes values (keys as given) and adds the url", function()
      local req = req_at("")
      assert.equals("q=a+b%26c", req:qs_encode({ q = "a b&c" }))
      assert.equals("/search?q=x", req:qs_encode({ q = "x" }, "/search"))
      assert.equals("/search", req:qs_encode({}, "/search"))
      assert.equals("", req:qs_encode(nil))
      assert.equals("n=5", req:qs_encode({ n = 5 }))
      assert.equals("t=1&t=2", req:qs_encode({ t = { "1", "2" } }))
      local both = req:qs_encode({ a = "1", b = "2" })
      assert.truthy(both == "a=1&b=2" or both == "b=2&a=1", both)
      assert.equals(req.qs_encode, req.qd_encode, "the manual's name for it")
      assert.equals("x=1", request.methods.qs_encode(nil, { x = "1" }))
    end)

    it("link prefixes SCRIPT_NAME (or mk_app.prefix)", function()
      assert.equals("/foo/bar.lua/baz?id=2", req_at("/foo/bar.lua"):link("/baz", { id = 2 }))
      assert.equals("/foo/bar.lua/baz", req_at("/foo/bar.lua"):link("/baz"))
      assert.equals("/app/x", req_at("/foo/bar.lua", { mk_app = { prefix = "/app" } }):link("/x"))
    end)

    it("static_link points beside the script, or inside the app when it is no script", function()
      assert.equals("/foo/baz?id=2", req_at("/foo/bar.lua"):static_link("/baz", { id = 2 }))
      assert.equals("/style.css", req_at("/app.ws"):static_link("/style.css"))
      assert.equals("/mount/style.css", req_at("/mount"):static_link("/style.css"))
    end)

    it("absolute_link only adds the query", function()
      assert.equals("http://example.com/x?a=1", req_at("/s.lua"):absolute_link("http://example.com/x", { a = 1 }))
      assert.equals("http://example.com/x", req_at("/s.lua"):absolute_link("http://example.com/x"))
    end)

    it("empty is truthy for nil and blank strings, empty_param for such params", function()
      local env = util.make_env_get("blank=+++&full=x")
      local req = request.new(env)
      assert.truthy(req:empty(nil))
      assert.truthy(req:empty(""))
      assert.truthy(req:empty(" \t"))
      assert.falsy(req:empty("x"))
      assert.truthy(req:empty_param("blank"))
      assert.truthy(req:empty_param("missing"))
      assert.falsy(req:empty_param("full"))
    end)

    it("route_link and link_<route> call the mk app's link builders", function()
      local app = {
        link_item = function(self, env, id) return "/items/" .. id end,
      }
      local req = req_at("/s.lua", { mk_app = app })
      assert.equals("/items/7?v=1", req:route_link("item", { v = 1 }, 7))
      assert.equals("/items/8", req:link_item(nil, 8))
      assert.error_matches(function() req:route_link("nothing") end, "there is no route named nothing")
      assert.is_nil(req.not_a_method)
    end)
  end)
end)
