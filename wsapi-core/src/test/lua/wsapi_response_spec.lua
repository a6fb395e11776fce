-- wsapi.response: status, headers, body, cookies, redirects.

local response = require "wsapi.response"

local function drain(iter)
  local out = {}
  for chunk in iter do out[#out + 1] = chunk end
  return out
end

describe("wsapi.response", function()
  describe("new", function()
    it("defaults to 200 and text/html", function()
      local res = response.new()
      assert.equals(200, res.status)
      assert.same({ ["Content-Type"] = "text/html" }, res.headers)
      assert.same({}, res.body)
      assert.equals(0, res.length)
    end)

    it("keeps the status and headers it is given", function()
      local headers = { ["Content-Type"] = "application/json", ["X-A"] = "1" }
      local res = response.new("201 Created", headers)
      assert.equals("201 Created", res.status)
      assert.equals(headers, res.headers)
      assert.equals("application/json", res.headers["Content-Type"])
    end)

    it("adds Content-Type beside another spelling, as upstream (the host keeps the app's)", function()
      local res = response.new(200, { ["Content-type"] = "text/plain" })
      assert.equals("text/plain", res.headers["Content-type"])
      assert.equals("text/html", res.headers["Content-Type"])
    end)

    it("is reachable as the global wsapi.response", function()
      assert.equals(response, wsapi.response)
    end)
  end)

  describe("write and finish", function()
    it("flattens tables, skips nil and false, converts numbers", function()
      local res = response.new()
      res:write("a", { "b", { "c", 4 } }, nil, false, "", 5.5)
      res:write()
      res:write({})
      assert.same({ "a", "b", "c", "4", "", "5.5" }, res.body)
      assert.equals(7, res.length)
    end)

    it("finishes with the status, the headers with Content-Length, and the body", function()
      local res = response.new(404)
      res:write("not ", "here")
      local status, headers, iter = res:finish()
      assert.equals(404, status)
      assert.equals(8, headers["Content-Length"])
      assert.same({ "not ", "here" }, drain(iter))
    end)

    it("counts bytes, not characters", function()
      local res = response.new()
      res:write("\226\130\172")
      local _, headers = res:finish()
      assert.equals(3, headers["Content-Length"])
    end)

    it("content_type sets Content-Type", function()
      local res = response.new()
      res:content_type("text/plain; charset=utf-8")
      assert.equals("text/plain; charset=utf-8", res.headers["Content-Type"])
    end)
  end)

  describe("cookies", function()
    it("set_cookie with a string url-encodes the value", function()
      local res = response.new()
      res:set_cookie("name", "a b=c;d")
      assert.equals("name=a+b%3Dc%3Bd", res.headers["Set-Cookie"])
    end)

    it("set_cookie with every attribute", function()
      local res = response.new()
      res:set_cookie("sid", {
        value = "xyz", expires = 86400, max_age = 3600, path = "/app", domain = "example.com",
        secure = true, httponly = true, samesite = "Lax",
      })
      assert.equals("sid=xyz; expires=Friday, 02-Jan-1970 00:00:00 GMT; Max-Age=3600; path=/app; "
        .. "domain=example.com; secure; HttpOnly; SameSite=Lax", res.headers["Set-Cookie"])
    end)

    it("gives Max-Age as seconds, not as a date", function()
      local res = response.new()
      res:set_cookie("a", { value = "1", max_age = 0 })
      assert.equals("a=1; Max-Age=0", res.headers["Set-Cookie"])
      res = response.new()
      res:set_cookie("a", { value = "1", max_age = 90.7 })
      assert.equals("a=1; Max-Age=90", res.headers["Set-Cookie"])
    end)

    it("leaves out empty and false attributes", function()
      local res = response.new()
      res:set_cookie("a", { value = "1", path = "", domain = "", secure = false, httponly = false, samesite = "" })
      assert.equals("a=1", res.headers["Set-Cookie"])
    end)

    it("passes a preformatted expires string through and accepts samesite = true", function()
      local res = response.new()
      res:set_cookie("a", { value = "1", expires = "Wed, 21 Oct 2037 07:28:00 GMT", samesite = true })
      assert.equals("a=1; expires=Wed, 21 Oct 2037 07:28:00 GMT; SameSite=Strict", res.headers["Set-Cookie"])
    end)

    it("turns Set-Cookie into a list from the second cookie on", function()
      local res = response.new()
      res:set_cookie("a", "1")
      assert.equals("a=1", res.headers["Set-Cookie"])
      res:set_cookie("b", "2")
      res:set_cookie("c", "3")
      assert.same({ "a=1", "b=2", "c=3" }, res.headers["Set-Cookie"])
    end)

    it("delete_cookie expires the cookie at once", function()
      local res = response.new()
      res:delete_cookie("sid", "/app", "example.com")
      assert.equals("sid=xxx; expires=Thursday, 01-Jan-1970 00:00:01 GMT; path=/app; domain=example.com",
        res.headers["Set-Cookie"])
      res = response.new()
      res:delete_cookie("sid")
      assert.equals("sid=xxx; expires=Thursday, 01-Jan-1970 00:00:01 GMT", res.headers["Set-Cookie"])
    end)
  end)

  describe("redirect", function()
    it("answers 302 with Location and an empty body", function()
      local res = response.new()
      res:write("discarded")
      local status, headers, iter = res:redirect("/elsewhere?x=1")
      assert.equals(302, status)
      assert.equals("/elsewhere?x=1", headers["Location"])
      assert.equals(0, headers["Content-Length"], "Content-Length matches the emptied body")
      assert.same({}, drain(iter))
    end)
  end)

  describe("forward", function()
    it("returns MK_FORWARD and moves PATH_INFO when the response has an env", function()
      local res = response.new()
      assert.equals("MK_FORWARD", res:forward("/other"))
      res.env = { PATH_INFO = "/here" }
      assert.equals("MK_FORWARD", res:forward("/other"))
      assert.equals("/other", res.env.PATH_INFO)
      res:forward()
      assert.equals("/other", res.env.PATH_INFO)
    end)
  end)
end)
