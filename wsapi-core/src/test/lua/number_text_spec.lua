-- Numbers as text: tostring and everything built on it print what C Lua 5.1/5.2 print ("%.14g"),
-- except that integral values below 2^63 in magnitude keep all their digits (as LuaJ and Lua 5.3 print them).
-- LuaJ 3.0.1 itself printed Float.toString((float) v): 0.33333334, 1234567.9, 1.0E20.

local cases = {
  { 1/3, "0.33333333333333" },
  { 1234567.891, "1234567.891" },
  { 3.14159265358979, "3.1415926535898" },
  { 1e20, "1e+20" },
  { -1.5e-07, "-1.5e-07" },
  { 0.1, "0.1" },
  { 0.1 + 0.2, "0.3" },
  { -0.5, "-0.5" },
  { 100.25, "100.25" },
  { 1e-5, "1e-05" },
  { 0.0001, "0.0001" },
  { 123456789012.345678, "123456789012.35" },
  { 1e300, "1e+300" },
  { 1e308 * 10, "inf" },
  { -1e308 * 10, "-inf" },
  { 2^-1074, "4.9406564584125e-324" },
  { 2.2250738585072014e-308, "2.2250738585072e-308" },
  { 1.7976931348623157e308, "1.7976931348623e+308" },
  -- integral: every digit below 2^63, "%.14g" from 2^63 up
  { 0, "0" },
  { 42, "42" },
  { -7, "-7" },
  { 2^31, "2147483648" },
  { 2^53, "9007199254740992" },
  { -2^53, "-9007199254740992" },
  { 1e15, "1000000000000000" },
  { 2^62, "4611686018427387904" },
  { 2^63 - 1024, "9223372036854774784" },
  { 2^63, "9.2233720368548e+18" },
  { -2^63, "-9.2233720368548e+18" },
  { 2^64, "1.844674407371e+19" },
}

describe("numbers as text", function()
  it("tostring writes C Lua's %.14g for non-integral numbers and every digit of integers below 2^63", function()
    for _, c in ipairs(cases) do
      assert.are.equal(c[2], tostring(c[1]))
    end
  end)

  it("concatenation, string.format('%s'), table.concat and io.write give the same text", function()
    for _, c in ipairs(cases) do
      local x, text = c[1], c[2]
      assert.are.equal("<" .. text .. ">", "<" .. x .. ">")
      assert.are.equal(text, string.format("%s", x))
      assert.are.equal(text .. "," .. text, table.concat({ x, x }, ","))
    end
    local name = os.tmpname()
    local f = assert(io.open(name, "w"))
    f:write(1/3, " ", 1e20, " ", -1.5e-07, " ", 2^53)
    f:close()
    f = assert(io.open(name, "r"))
    local written = f:read("*a")
    f:close()
    os.remove(name)
    assert.are.equal("0.33333333333333 1e+20 -1.5e-07 9007199254740992", written)
  end)

  it("print writes what tostring gives", function()
    local seen
    local real = tostring
    tostring = function(v) seen = real(v); return seen end  -- print calls the global tostring, as in C Lua
    local ok, err = pcall(print, 1/3)
    tostring = real
    assert.is_true(ok, err)
    assert.are.equal("0.33333333333333", seen)
  end)

  it("writes nan for not-a-number", function()
    local nan = 0/0
    assert.is_truthy(tostring(nan):match("^%-?nan$"))
    assert.is_truthy(("" .. nan):match("^%-?nan$"))
  end)

  it("writes zero without a sign: LuaJ stores -0 as the integer 0 (Lua 5.3 prints 0 too; 5.1 printed -0)", function()
    assert.are.equal("0", tostring(-0))
    assert.are.equal("0", tostring(0 * -1))
    assert.are.equal("0", tostring(-0.0))
  end)

  it("round-trips through tonumber where C Lua does", function()
    -- integral values below 2^63 and numbers of at most 14 significant digits come back exactly
    for _, x in ipairs({ 0, 1, -1, 42, 2^31, 2^53, -2^53, 2^62, 1e15, 0.1, 0.5, -1.5e-07, 1e20, 1e-300,
                         1234567.891, 3.1415926535898, 123456.78901234, 1e300 }) do
      assert.are.equal(x, tonumber(tostring(x)), tostring(x))
    end
    -- "inf" and "nan" are not numerals for tonumber (nor in Lua 5.2)
    assert.is_nil(tonumber(tostring(1/0)))
    -- "%.14g" keeps 14 digits, and a double needs up to 17 to be identified: these do not come back
    for _, x in ipairs({ 1/3, 0.1 + 0.2, 2^63, 3.14159265358979 }) do
      assert.are_not.equal(x, tonumber(tostring(x)), tostring(x))
    end
  end)

  it("string.format's %g and %.14g agree with tostring", function()
    assert.are.equal(tostring(1/3), string.format("%.14g", 1/3))
    assert.are.equal("0.333333", string.format("%g", 1/3))
    assert.are.equal("1e+20", string.format("%g", 1e20))
  end)
end)
