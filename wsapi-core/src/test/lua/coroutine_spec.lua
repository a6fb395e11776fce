-- The coroutine library: the full Lua 5.2 API, on whichever engine this JVM runs.

describe("coroutines", function()
  it("pass values both ways through create, resume and yield", function()
    local co = coroutine.create(function(a, b)
      local c = coroutine.yield(a + b)
      local d, e = coroutine.yield(c * 2)
      return d + e, "done"
    end)
    assert.equals("thread", type(co))
    assert.equals("suspended", coroutine.status(co))
    assert.same({ true, 3 }, { coroutine.resume(co, 1, 2) })
    assert.equals("suspended", coroutine.status(co))
    assert.same({ true, 20 }, { coroutine.resume(co, 10) })
    assert.same({ true, 7, "done" }, { coroutine.resume(co, 3, 4) })
    assert.equals("dead", coroutine.status(co))
  end)

  it("keep every value, including nils", function()
    local co = coroutine.create(function(...)
      local n = select("#", ...)
      local back = { coroutine.yield(n, nil, ...) }
      return #back, back[1], back[3]
    end)
    local r = { coroutine.resume(co, "a", nil, "c") }
    assert.equals(6, select("#", unpack(r, 1, 6)))
    assert.same({ true, 3, nil, "a", nil, "c" }, r)
    assert.same({ true, 3, "x", "z" }, { coroutine.resume(co, "x", "y", "z") })
  end)

  it("report status from inside and from the resumer", function()
    local outer, inside, seen_outer
    outer = coroutine.create(function()
      inside = coroutine.status(outer)
      local inner = coroutine.create(function()
        seen_outer = coroutine.status(outer)
      end)
      assert(coroutine.resume(inner))
    end)
    assert(coroutine.resume(outer))
    assert.equals("running", inside)
    assert.equals("normal", seen_outer)
  end)

  it("running returns the coroutine and whether it is the main one", function()
    local main, ismain = coroutine.running()
    assert.is_thread(main)
    assert.is_true(ismain)
    local co
    co = coroutine.create(function()
      local me, mine = coroutine.running()
      coroutine.yield(me == co, mine)
    end)
    assert.same({ true, true, false }, { coroutine.resume(co) })
  end)

  it("isyieldable is true only inside a coroutine", function()
    assert.is_false(coroutine.isyieldable())
    local co = coroutine.wrap(function() return coroutine.isyieldable() end)
    assert.is_true(co())
  end)

  it("wrap makes a generator", function()
    local gen = coroutine.wrap(function(n)
      for i = 1, n do coroutine.yield(i) end
      return "end"
    end)
    assert.same({ 1, 2, 3, "end" }, { gen(3), gen(), gen(), gen() })
    assert.has_error(function() gen() end, "cannot resume dead coroutine")
  end)

  describe("errors", function()
    it("are returned by resume with their position", function()
      local co = coroutine.create(function()
        coroutine.yield(1)
        error("boom")
      end)
      assert.same({ true, 1 }, { coroutine.resume(co) })
      local ok, e = coroutine.resume(co)
      assert.is_false(ok)
      assert.matches("^coroutine_spec%.lua:%d+: boom$", e)
      assert.equals("dead", coroutine.status(co))
    end)

    it("keep non-string error values", function()
      local t = { code = 42 }
      local ok, e = coroutine.resume(coroutine.create(function() error(t) end))
      assert.is_false(ok)
      assert.equals(t, e)
      ok, e = coroutine.resume(coroutine.create(function() error(false) end))
      assert.is_false(ok)
      assert.equals(false, e)
    end)

    it("include runtime errors", function()
      local ok, e = coroutine.resume(coroutine.create(function() local x; return x.field end))
      assert.is_false(ok)
      assert.matches("^coroutine_spec%.lua:%d+: attempt to index", e)
    end)

    it("propagate through wrap with the same value", function()
      local f = coroutine.wrap(function() error("inside wrap") end)
      local ok, e = pcall(f)
      assert.is_false(ok)
      assert.matches("^coroutine_spec%.lua:%d+: inside wrap$", e)
    end)

    it("propagate error objects through wrap after a yield", function()
      local t = {}
      local f = coroutine.wrap(function() coroutine.yield(1); error(t) end)
      assert.equals(1, f())
      local ok, e = pcall(f)
      assert.is_false(ok)
      assert.equals(t, e)
    end)

    it("when resuming a dead coroutine", function()
      local co = coroutine.create(function() end)
      assert.same({ true }, { coroutine.resume(co) })
      assert.same({ false, "cannot resume dead coroutine" }, { coroutine.resume(co) })
    end)

    it("when resuming the running coroutine", function()
      local co
      co = coroutine.create(function() return coroutine.resume(co) end)
      assert.same({ true, false, "cannot resume non-suspended coroutine" }, { coroutine.resume(co) })
    end)

    it("when yielding outside a coroutine", function()
      assert.has_error(function() coroutine.yield(1) end, "attempt to yield from outside a coroutine")
    end)

    it("when given something else than a function or a coroutine", function()
      assert.has_error(function() coroutine.create(1) end)
      assert.has_error(function() coroutine.wrap("x") end)
      assert.has_error(function() coroutine.resume({}) end)
      assert.has_error(function() coroutine.status(nil) end)
    end)

    it("caught by pcall inside the coroutine leave it running", function()
      local co = coroutine.wrap(function()
        local ok, e = pcall(error, "caught")
        coroutine.yield(ok, e)
        return "still alive"
      end)
      assert.same({ false, "caught" }, { co() })
      assert.equals("still alive", co())
    end)
  end)

  it("yield across pcall", function()
    local co = coroutine.create(function()
      local ok, v = pcall(function()
        local x = coroutine.yield("in pcall")
        return x * 2
      end)
      local ok2, e = pcall(function()
        coroutine.yield("again")
        error("after yield")
      end)
      return ok, v, ok2, e
    end)
    assert.same({ true, "in pcall" }, { coroutine.resume(co) })
    assert.same({ true, "again" }, { coroutine.resume(co, 21) })
    local r = { coroutine.resume(co) }
    assert.equals(true, r[1])
    assert.same({ true, 42, false }, { r[2], r[3], r[4] })
    assert.matches("after yield$", r[5])
  end)

  it("yield across metamethods and iterators", function()
    local mt = { __index = function(t, k) return coroutine.yield(k) end,
                 __add = function(a, b) return coroutine.yield("add") end }
    local co = coroutine.wrap(function()
      local obj = setmetatable({}, mt)
      local v = obj.key
      local s = obj + 1
      local seen = {}
      for x in function() return coroutine.yield("iter") end do seen[#seen + 1] = x end
      return v, s, #seen
    end)
    assert.equals("key", co())
    assert.equals("add", co("value"))
    assert.equals("iter", co(10))
    assert.equals("iter", co("one"))
    assert.same({ "value", 10, 1 }, { co(nil) })
  end)

  it("nest", function()
    local log = {}
    local outer = coroutine.wrap(function()
      local inner = coroutine.wrap(function()
        log[#log + 1] = "inner 1"
        coroutine.yield("from inner")
        log[#log + 1] = "inner 2"
        return "inner done"
      end)
      local got = inner()
      log[#log + 1] = got
      coroutine.yield("from outer")
      got = inner()
      log[#log + 1] = got
      return "outer done"
    end)
    assert.equals("from outer", outer())
    assert.equals("outer done", outer())
    assert.same({ "inner 1", "from inner", "inner 2", "inner done" }, log)
  end)

  it("keep their own call stack for debug", function()
    local co = coroutine.create(function()
      coroutine.yield(debug.traceback("in co"))
    end)
    local _, tb = coroutine.resume(co)
    assert.matches("^in co\nstack traceback:", tb)
    assert.matches("coroutine_spec%.lua", tb)
  end)

  it("can be created by the thousand and left suspended", function()
    local live = {}
    for i = 1, 2000 do
      local co = coroutine.create(function(x) coroutine.yield(x) end)
      assert(coroutine.resume(co, i))
      if i % 500 == 0 then live[#live + 1] = co end
    end
    for _, co in ipairs(live) do
      assert.same({ true }, { coroutine.resume(co) })
      assert.equals("dead", coroutine.status(co))
    end
  end)
end)
