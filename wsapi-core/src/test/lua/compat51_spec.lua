-- The Lua 5.1 functions old WSAPI, Orbit and Cosmo code uses.

describe("Lua 5.1 compatibility", function()
  describe("module", function()
    it("creates dotted names as nested global tables", function()
      assert.is_nil(rawget(_G, "compat_a"))
      loadstring([[
        module("compat_a.deep.mod", package.seeall)
        value = 42
        function get() return value, type(print) end
      ]])()
      assert.is_table(compat_a)
      assert.is_table(compat_a.deep)
      local m = compat_a.deep.mod
      assert.is_table(m)
      assert.equals(m, package.loaded["compat_a.deep.mod"])
      assert.equals(42, m.value)
      assert.same({ 42, "function" }, { m.get() })
      assert.is_nil(rawget(_G, "value"))
      assert.is_nil(rawget(_G, "get"))
    end)

    it("sets _NAME, _M and _PACKAGE", function()
      loadstring([[module("compat_b.sub.leaf")]])()
      local m = compat_b.sub.leaf
      assert.equals("compat_b.sub.leaf", m._NAME)
      assert.equals(m, m._M)
      assert.equals("compat_b.sub.", m._PACKAGE)
      loadstring([[module("compat_top")]])()
      assert.equals("", compat_top._PACKAGE)
      assert.equals("compat_top", compat_top._NAME)
    end)

    it("hides globals without package.seeall", function()
      loadstring([[
        module("compat_c")
        saw_print = print == nil
      ]])()
      assert.is_true(compat_c.saw_print)
      assert.is_nil(getmetatable(compat_c))
    end)

    it("makes globals visible with package.seeall", function()
      loadstring([[module("compat_d", package.seeall)]])()
      assert.equals(_G, getmetatable(compat_d).__index)
      assert.equals(print, compat_d.print)
      assert.is_nil(rawget(compat_d, "print"))
    end)

    it("calls function options with the module, in order", function()
      local seen = {}
      local function first(m) seen[#seen + 1] = { "first", m } end
      local function second(m) seen[#seen + 1] = { "second", m } ; m.configured = true end
      local chunk = loadstring([[ module("compat_e", ...) ]])
      chunk(first, package.seeall, second)
      assert.equals(2, #seen)
      assert.equals("first", seen[1][1])
      assert.equals(compat_e, seen[1][2])
      assert.equals("second", seen[2][1])
      assert.is_true(compat_e.configured)
      assert.equals(_G, getmetatable(compat_e).__index)
    end)

    it("reuses an existing module table", function()
      loadstring([[module("compat_f"); one = 1]])()
      local m = compat_f
      loadstring([[module("compat_f"); two = 2]])()
      assert.equals(m, compat_f)
      assert.same({ 1, 2 }, { m.one, m.two })
    end)

    it("refuses a name taken by a non-table", function()
      compat_g = 5
      assert.has_error(function() loadstring([[module("compat_g.x")]])() end, "name conflict for module 'compat_g.x'")
    end)

    it("changes the calling chunk when it was loaded with its own environment", function()
      local env = setmetatable({}, { __index = _G })
      load([[module("compat_h", package.seeall); inside = true]], "=compat_h", "t", env)()
      assert.is_true(compat_h.inside)
      assert.is_nil(rawget(env, "inside"))
      assert.is_nil(rawget(_G, "inside"))
    end)

    it("works for a file loaded with require", function()
      local m = require "fixtures.compat_module"
      assert.is_table(m)
      assert.equals(m, fixtures.compat_module)
      assert.equals(m, package.loaded["fixtures.compat_module"])
      assert.equals("fixtures.compat_module", m._NAME)
      assert.equals("fixtures.", m._PACKAGE)
      assert.equals("hello, you (string)", m.greet("you"))
    end)
  end)

  describe("setfenv and getfenv", function()
    it("setfenv on a function leaves its sibling closures alone", function()
      local env = setmetatable({ marker = "shared" }, { __index = _G })
      local chunk = loadstring([[
        function a() return marker end
        function b() return marker end
      ]])
      assert.equals(chunk, setfenv(chunk, env))
      chunk()
      assert.is_function(env.a)
      assert.is_nil(rawget(_G, "a"))
      assert.equals("shared", env.a())
      setfenv(env.a, { marker = "own" })
      assert.equals("own", env.a())
      assert.equals("shared", env.b())
      assert.is_nil(rawget(_G, "marker"))
    end)

    it("getfenv(fn) returns the function's environment", function()
      local env = { x = 1 }
      local f = loadstring("return x")
      assert.equals(_G, getfenv(f))
      setfenv(f, env)
      assert.equals(env, getfenv(f))
      assert.equals(1, f())
    end)

    it("getfenv(1) and getfenv() return the running function's environment", function()
      local env = setmetatable({}, { __index = _G })
      local f = load("return getfenv(1), getfenv()", "=getfenv", "t", env)
      local one, none = f()
      assert.equals(env, one)
      assert.equals(env, none)
      assert.equals(_G, getfenv(0))
    end)

    it("setfenv(1, t) changes the running chunk", function()
      local f = loadstring([[
        local setfenv = setfenv
        setfenv(1, { y = "from t" })
        return y
      ]])
      assert.equals("from t", f())
      assert.is_nil(rawget(_G, "y"))
    end)

    it("skips functions that use no globals", function()
      local function pure(a) return a + 1 end
      assert.equals(pure, setfenv(pure, {}))
      assert.equals(2, pure(1))
      assert.equals(_G, getfenv(pure))
    end)

    it("checks its arguments", function()
      assert.has_error(function() setfenv(print, 1) end, "table expected")
      assert.has_error(function() getfenv("x") end, "number expected")
      assert.has_error(function() getfenv(-1) end, "level must be non-negative")
      assert.has_error(function() getfenv(100) end, "invalid level")
    end)
  end)

  describe("loadstring", function()
    it("compiles a string", function()
      assert.equals(4, loadstring("return 2 + 2")())
      assert.equals(7, loadstring("local a = ... return a + 1")(6))
    end)

    it("returns nil and a message for bad code", function()
      local f, err = loadstring("return +")
      assert.is_nil(f)
      assert.is_string(err)
    end)
  end)

  it("unpack is table.unpack", function()
    assert.equals(table.unpack, unpack)
    assert.same({ 1, 2, 3 }, { unpack({ 1, 2, 3 }) })
    assert.equals(4, select("#", unpack({ 1, nil, 3, nil }, 1, 4)))
    assert.same({ "b", "c" }, { unpack({ "a", "b", "c" }, 2) })
  end)

  it("table.getn and table.maxn", function()
    assert.equals(3, table.getn({ 1, 2, 3 }))
    assert.equals(0, table.getn({}))
    assert.equals(5, table.maxn({ 1, [5] = "x", [2.5] = "y", z = 1 }))
    assert.equals(0, table.maxn({}))
    assert.equals(2.5, table.maxn({ [2.5] = true }))
    assert.has_error(function() table.setn({}, 1) end, "obsolete")
  end)

  it("math.mod and math.log10", function()
    assert.equals(1, math.mod(7, 3))
    assert.equals(-1, math.mod(-7, 3))
    assert.equals(1.5, math.mod(5.5, 2))
    assert.near(3, math.log10(1000), 1e-12)
  end)

  it("string.gfind iterates like gmatch", function()
    local found = {}
    for word, n in string.gfind("a1 b22 c333", "(%a)(%d+)") do found[#found + 1] = word .. "=" .. n end
    assert.same({ "a=1", "b=22", "c=333" }, found)
  end)

  it("package.loaders is package.searchers", function()
    assert.is_table(package.loaders)
    assert.equals(package.searchers, package.loaders)
  end)
end)
