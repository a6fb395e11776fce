-- Relative file names resolve against the state's working directory: the folder of this spec.

local function read_all(name)
  local f = assert(io.open(name, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

local function write(name, text)
  local f = assert(io.open(name, "w"))
  f:write(text)
  f:close()
end

describe("the working directory", function()
  it("is the folder of the spec", function()
    assert.matches("the folder of the spec", read_all("cwd_spec.lua"))
    assert.equals("first line\nsecond line\n", read_all("fixtures/data.txt"))
  end)

  it("io.open writes and reads relative names", function()
    finally(function() os.remove("cwd_scratch_1.txt") end)
    local f = assert(io.open("cwd_scratch_1.txt", "w"))
    f:write("hello\n", 42, "\n")
    f:close()
    local r = assert(io.open("cwd_scratch_1.txt", "r"))
    assert.equals("hello", r:read("*l"))
    assert.equals(42, r:read("*n"))
    r:close()
    f = assert(io.open("cwd_scratch_1.txt", "a"))
    f:write("more")
    f:close()
    assert.equals("hello\n42\nmore", read_all("cwd_scratch_1.txt"))
  end)

  it("io.lines takes relative names", function()
    local lines = {}
    for l in io.lines("fixtures/data.txt") do lines[#lines + 1] = l end
    assert.same({ "first line", "second line" }, lines)
  end)

  it("io.open of a missing file returns nil and a message", function()
    local f, err = io.open("no_such_file.txt", "r")
    assert.is_nil(f)
    assert.matches("no_such_file.txt", err)
  end)

  it("os.rename and os.remove take relative names", function()
    finally(function() os.remove("cwd_scratch_2.txt"); os.remove("cwd_scratch_3.txt") end)
    write("cwd_scratch_2.txt", "moved")
    assert.is_true(os.rename("cwd_scratch_2.txt", "cwd_scratch_3.txt"))
    assert.is_nil(io.open("cwd_scratch_2.txt", "r"))
    assert.equals("moved", read_all("cwd_scratch_3.txt"))
    assert.is_true(os.remove("cwd_scratch_3.txt"))
    assert.is_nil(io.open("cwd_scratch_3.txt", "r"))
    local ok, err = os.remove("cwd_scratch_3.txt")
    assert.is_nil(ok)
    assert.is_string(err)
  end)

  it("dofile and loadfile take relative names", function()
    assert.equals("chunk result", dofile("fixtures/cwd_chunk.lua"))
    local f = assert(loadfile("fixtures/cwd_chunk.lua"))
    assert.same({ "chunk result", "arg" }, { f("arg") })
    local missing, err = loadfile("fixtures/missing.lua")
    assert.is_nil(missing)
    assert.is_string(err)
    assert.has_error(function() dofile("fixtures/missing.lua") end)
  end)

  it("runs files written at run time", function()
    finally(function() os.remove("cwd_scratch_4.lua") end)
    write("cwd_scratch_4.lua", "return 'fresh', ...")
    assert.equals("fresh", dofile("cwd_scratch_4.lua"))
    assert.same({ "fresh", 1 }, { loadfile("cwd_scratch_4.lua")(1) })
  end)

  it("require finds modules through ./?.lua", function()
    assert.matches("^%./%?%.lua;", package.path)
    local m = require "fixtures.cwd_module"
    assert.equals("cwd module", m.name)
    assert.equals("fixtures.cwd_module", m.loaded_by)
    assert.equals(m, package.loaded["fixtures.cwd_module"])
    assert.equals(m, require "fixtures.cwd_module")
  end)
end)
