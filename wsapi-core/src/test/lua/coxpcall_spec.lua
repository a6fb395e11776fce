-- coxpcall: the coroutine-safe pcall/xpcall that WSAPI 1.6 and Xavante-era code require.

describe("coxpcall", function()
  local cox = require "coxpcall"

  it("sets the globals copcall and coxpcall, as the original does", function()
    assert.is_function(copcall)
    assert.is_function(coxpcall)
    assert.equals(copcall, cox.pcall)
    assert.equals(coxpcall, cox.xpcall)
    assert.equals(copcall, cox.copcall)
    assert.equals(coxpcall, cox.coxpcall)
    assert.is_function(cox.running)
  end)

  it("copcall returns true and the results, or false and the error", function()
    assert.same({ true, 3, "x" }, { copcall(function(a, b) return a + b, "x" end, 1, 2) })
    local ok, err = copcall(function() error("broken") end)
    assert.is_false(ok)
    assert.matches("broken", err)
    local obj = {}
    assert.same({ false, obj }, { copcall(error, obj) })
  end)

  it("coxpcall passes extra arguments and gives the handler the error value", function()
    assert.same({ true, 3 }, { coxpcall(function(a, b) return a + b end, debug.traceback, 1, 2) })
    local seen
    local ok, res = coxpcall(function(x) error({ code = x }) end, function(e) seen = e; return "handled" end, 404)
    assert.is_false(ok)
    assert.equals("handled", res)
    assert.equals(404, seen.code)
    local ok2, tb = coxpcall(function() error("deep") end, debug.traceback)
    assert.is_false(ok2)
    assert.matches("deep", tb)
    assert.matches("stack traceback", tb)
  end)

  it("lets a coroutine yield from inside copcall and coxpcall", function()
    local co = coroutine.wrap(function()
      local ok, v = copcall(function()
        local got = coroutine.yield("from copcall")
        return got * 2
      end)
      local ok2, v2 = coxpcall(function()
        return coroutine.yield("from coxpcall") .. "!"
      end, debug.traceback)
      return tostring(ok) .. v .. tostring(ok2) .. v2
    end)
    assert.equals("from copcall", co())
    assert.equals("from coxpcall", co(21))
    assert.equals("true42truedone!", co("done"))
  end)

  it("can replace pcall and xpcall as WSAPI 1.6.1's Xavante connector does", function()
    local saved_pcall, saved_xpcall = pcall, xpcall
    finally(function() pcall, xpcall = saved_pcall, saved_xpcall end)
    pcall, xpcall = copcall, coxpcall
    assert.same({ false, "x" }, { pcall(error, "x", 0) })
  end)
end)
