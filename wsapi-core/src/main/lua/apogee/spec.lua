-- apogee.spec: a small busted-style test runner.
--
-- A spec file uses the globals describe/context, it, pending, before_each, after_each,
-- setup, teardown, finally and assert:
--
--   describe("a stack", function()
--     local s
--     before_each(function() s = {} end)
--     it("starts empty", function() assert.equals(0, #s) end)
--     it("copies", function() assert.same({1, 2}, {1, 2}) end)
--     pending("shrinks")
--   end)
--
-- spec.run_file(filename[, name]) loads one file into the calling state, runs its tests and
-- returns the results as a list of { spec = <name>, name = <full test name>,
-- status = "ok"|"fail"|"pending", message = <text with file:line, or nil> }.
--
-- assert keeps working as the plain function (assert(v[, msg]) returns all its arguments), and
-- has these checks, each also negated with is_not/not/has_no and reachable through the
-- is/are/has/was/does chains (assert.are.same, assert.is_not.equal, assert.has_no.errors):
--   equals(expected, actual), same(expected, actual), truthy(v), falsy(v), is_true(v),
--   is_false(v), is_nil(v), not_nil(v), matches(pattern, s[, init[, plain]]),
--   has_error(fn[, expected]), error_matches(fn, pattern), near(expected, actual, tolerance),
--   is_string/is_number/is_table/is_function/is_boolean/is_userdata/is_thread(v)
-- Every check takes an optional message as its last argument.

local type, tostring, tonumber, pairs, ipairs, select, error, pcall = type, tostring, tonumber, pairs, ipairs, select, error, pcall
local setmetatable, getmetatable, rawget = setmetatable, getmetatable, rawget
local sformat, sfind, srep, concat, sort, insert = string.format, string.find, string.rep, table.concat, table.sort, table.insert
local getinfo = debug.getinfo
local huge, abs = math.huge, math.abs

local M = {}

local THIS_SOURCE = getinfo(1, "S").source

---------------------------------------------------------------------------------------------
-- Showing values

local MAX_SHOWN = 2000

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local show_value

local function show_table(t, depth, seen)
  if seen[t] then return "<cycle>" end
  if depth > 4 then return "{...}" end
  seen[t] = true
  local parts = {}
  local n = #t
  for i = 1, n do parts[#parts + 1] = show_value(t[i], depth + 1, seen) end
  local keys = {}
  for k in pairs(t) do
    if not (type(k) == "number" and k >= 1 and k <= n and k % 1 == 0) then keys[#keys + 1] = k end
  end
  sort(keys, key_order)
  for _, k in ipairs(keys) do
    local name = is_identifier(k) and k or "[" .. show_value(k, depth + 1, seen) .. "]"
    parts[#parts + 1] = name .. " = " .. show_value(t[k], depth + 1, seen)
  end
  seen[t] = nil
  if #parts == 0 then return "{}" end
  return "{ " .. concat(parts, ", ") .. " }"
end

function show_value(v, depth, seen)
  local tv = type(v)
  if tv == "string" then return sformat("%q", v) end
  if tv == "table" then return show_table(v, depth, seen) end
  return tostring(v)
end

-- "(type) value", cut to a readable length.
local function show(v)
  local s = show_value(v, 1, {})
  if #s > MAX_SHOWN then s = s:sub(1, MAX_SHOWN) .. "..." end
  return "(" .. type(v) .. ") " .. s
end
M.show = show

---------------------------------------------------------------------------------------------
-- Deep equality

local function path_of(path, k)
  if is_identifier(k) then return path .. "." .. k end
  return path .. "[" .. show_value(k, 1, {}) .. "]"
end

-- true, or false and the path of the first difference.
local function deep_equal(a, b, path, seen)
  if a == b then return true end
  if a ~= a and b ~= b then return true end -- NaN
  if type(a) ~= "table" or type(b) ~= "table" then return false, path end
  seen[a] = seen[a] or {}
  if seen[a][b] then return true end
  seen[a][b] = true
  for k, va in pairs(a) do
    local ok, where = deep_equal(va, b[k], path_of(path, k), seen)
    if not ok then return false, where end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, path_of(path, k) end
  end
  return true
end

function M.same(a, b)
  return (deep_equal(a, b, "", {}))
end

---------------------------------------------------------------------------------------------
-- Failures

local Failure = { __tostring = function(f) return f.message end }
local Pending = { __tostring = function(p) return p.message end }

-- file:line of the innermost Lua frame that is not in this file.
local function location()
  local level = 3
  while true do
    local info = getinfo(level, "Sl")
    if not info then return nil end
    if info.source ~= THIS_SOURCE and info.currentline and info.currentline > 0 then
      return info.short_src .. ":" .. info.currentline
    end
    level = level + 1
  end
end

local function located(text)
  local where = location()
  return where and (where .. ": " .. text) or text
end

local function fail(text, usermsg)
  if usermsg ~= nil then text = tostring(usermsg) .. "\n" .. text end
  error(setmetatable({ message = located(text) }, Failure), 0)
end

function M.is_failure(v)
  return getmetatable(v) == Failure
end

-- Passes when ok differs from negated; otherwise fails with the matching text.
local function check(ok, negated, positive, negative, usermsg)
  if (ok and true or false) ~= negated then return end
  fail(negated and negative or positive, usermsg)
end

-- The text of an error value, without the "file:line: " Lua puts in front.
local function error_text(e)
  if getmetatable(e) == Failure then e = e.message end
  if type(e) ~= "string" then return nil end
  return e
end

local function strip_position(s)
  return (s:gsub("^[^\n]-:%d+: ", "", 1))
end

---------------------------------------------------------------------------------------------
-- Assertions: function(negated, ...)

local checks = {}

checks.equals = function(neg, expected, actual, msg)
  check(expected == actual, neg,
    "Expected objects to be equal.\nexpected: " .. show(expected) .. "\nactual:   " .. show(actual),
    "Expected objects not to be equal.\nvalue: " .. show(actual), msg)
end

checks.same = function(neg, expected, actual, msg)
  local ok, where = deep_equal(expected, actual, "", {})
  local diff = (not ok and where and where ~= "") and ("\nfirst difference at " .. where) or ""
  check(ok, neg,
    "Expected objects to be the same.\nexpected: " .. show(expected) .. "\nactual:   " .. show(actual) .. diff,
    "Expected objects not to be the same.\nvalue: " .. show(actual), msg)
end

checks.truthy = function(neg, v, msg)
  check(v ~= nil and v ~= false, neg,
    "Expected a truthy value.\nactual: " .. show(v),
    "Expected a falsy value.\nactual: " .. show(v), msg)
end

checks.falsy = function(neg, v, msg)
  check(v == nil or v == false, neg,
    "Expected a falsy value.\nactual: " .. show(v),
    "Expected a truthy value.\nactual: " .. show(v), msg)
end

checks["true"] = function(neg, v, msg)
  check(v == true, neg,
    "Expected true.\nactual: " .. show(v),
    "Expected anything but true.\nactual: " .. show(v), msg)
end

checks["false"] = function(neg, v, msg)
  check(v == false, neg,
    "Expected false.\nactual: " .. show(v),
    "Expected anything but false.\nactual: " .. show(v), msg)
end

checks["nil"] = function(neg, v, msg)
  check(v == nil, neg,
    "Expected nil.\nactual: " .. show(v),
    "Expected a value other than nil.", msg)
end

checks.matches = function(neg, pattern, s, init, plain, msg)
  if type(init) ~= "number" and init ~= nil and msg == nil then msg, init = init, nil end
  local ok = false
  if type(s) == "string" or type(s) == "number" then
    ok = sfind(tostring(s), pattern, init, plain) ~= nil
  end
  check(ok, neg,
    "Expected a string matching the pattern.\npattern: " .. show(pattern) .. "\nactual:  " .. show(s),
    "Expected a string not matching the pattern.\npattern: " .. show(pattern) .. "\nactual:  " .. show(s), msg)
end

checks.near = function(neg, expected, actual, tolerance, msg)
  local ok = type(expected) == "number" and type(actual) == "number" and type(tolerance) == "number"
    and abs(expected - actual) <= tolerance
  check(ok, neg,
    "Expected values to be near.\nexpected: " .. show(expected) .. " +/- " .. tostring(tolerance) .. "\nactual:   " .. show(actual),
    "Expected values not to be near.\nexpected: " .. show(expected) .. " +/- " .. tostring(tolerance) .. "\nactual:   " .. show(actual), msg)
end

for _, t in ipairs({ "string", "number", "table", "function", "boolean", "userdata", "thread" }) do
  checks[t] = function(neg, v, msg)
    check(type(v) == t, neg,
      "Expected a " .. t .. ".\nactual: " .. show(v),
      "Expected anything but a " .. t .. ".\nactual: " .. show(v), msg)
  end
end

-- has_error(fn[, expected[, msg]]): expected is the whole message, the message without its
-- "file:line: " prefix, a plain substring of it, or (for non-string errors) a value compared with same.
checks.error = function(neg, fn, expected, msg)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    fail("has_error needs a function, got " .. show(fn), msg)
  end
  local ok, err = pcall(fn)
  if neg then
    if not ok then fail("Expected no error.\nerror: " .. show(error_text(err) or err), msg) end
    return
  end
  if ok then
    fail("Expected an error, got none." .. (expected ~= nil and ("\nexpected error: " .. show(expected)) or ""), msg)
  end
  if expected == nil then return end
  local text = error_text(err)
  local matched
  if type(expected) == "string" and text then
    matched = text == expected or strip_position(text) == expected or sfind(text, expected, 1, true) ~= nil
  else
    matched = deep_equal(expected, err, "", {})
  end
  if not matched then
    fail("Expected a different error.\nexpected error: " .. show(expected) .. "\nactual error:   " .. show(text or err), msg)
  end
end

checks.error_matches = function(neg, fn, pattern, msg)
  local ok, err = pcall(fn)
  local text = not ok and error_text(err) or nil
  local matched = text ~= nil and sfind(text, pattern) ~= nil
  if neg then
    check(matched, true, "", "Expected no error matching the pattern.\npattern: " .. show(pattern) .. "\nactual error: " .. show(text or err), msg)
    return
  end
  if ok then fail("Expected an error, got none.\npattern: " .. show(pattern), msg) end
  check(matched, false,
    "Expected an error matching the pattern.\npattern: " .. show(pattern) .. "\nactual error: " .. show(text or err), "", msg)
end

local aliases = {
  equal = "equals", equals = "equals", same = "same", truthy = "truthy", falsy = "falsy",
  ["true"] = "true", ["false"] = "false", ["nil"] = "nil",
  match = "matches", matches = "matches", near = "near",
  error = "error", errors = "error", error_matches = "error_matches", error_match = "error_matches",
  string = "string", number = "number", table = "table", ["function"] = "function",
  boolean = "boolean", userdata = "userdata", thread = "thread",
}

local chainwords = { is = true, are = true, has = true, have = true, was = true, does = true, to = true, be = true }
local negwords = { ["not"] = true, no = true }

-- Resolves "is_not_nil", "has_error", "are" ... into (negated, check name); the name is nil when
-- the key is only chain words.
local function parse(key, negated)
  local words = {}
  for w in key:gmatch("[^_]+") do words[#words + 1] = w end
  local i = 1
  while i <= #words and (chainwords[words[i]] or negwords[words[i]]) do
    if negwords[words[i]] then negated = not negated end
    i = i + 1
  end
  if i > #words then return negated, nil end
  return negated, concat(words, "_", i)
end

local chain

local function resolve(key, negated)
  if type(key) ~= "string" then return nil end
  local neg, rest = parse(key, negated)
  if rest == nil then return chain(neg) end
  local f = checks[aliases[rest] or false]
  if not f then error("unknown assertion '" .. key .. "'", 3) end
  return function(...) return f(neg, ...) end
end

local chains = {}
function chain(negated)
  local c = chains[negated]
  if not c then
    c = setmetatable({}, { __index = function(_, key) return resolve(key, negated) end })
    chains[negated] = c
  end
  return c
end

local function plain_assert(_, v, msg, ...)
  if not v then
    if msg ~= nil and type(msg) ~= "string" and type(msg) ~= "number" then error(msg, 0) end
    error(located(msg ~= nil and tostring(msg) or "assertion failed!"), 0)
  end
  return v, msg, ...
end

M.assert = setmetatable({}, {
  __call = plain_assert,
  __index = function(_, key) return resolve(key, false) end,
})

---------------------------------------------------------------------------------------------
-- Collecting

local function new_block(name, parent)
  return {
    name = name, parent = parent, children = {},
    setup = {}, teardown = {}, before_each = {}, after_each = {},
  }
end

local function full_name(block, name)
  local parts = { name }
  while block and block.parent do
    insert(parts, 1, block.name)
    block = block.parent
  end
  return concat(parts, " ")
end

-- Best text for an error value caught by the runner.
local function describe_error(e)
  if getmetatable(e) == Failure or getmetatable(e) == Pending then return e.message end
  if type(e) == "string" then return e end
  if type(e) == "number" then return tostring(e) end
  return "error object: " .. show(e)
end

local function new_session(spec_name)
  local s = { spec = spec_name, root = new_block(nil, nil), results = {} }
  s.current = s.root
  return s
end

local function add_result(session, name, status, message)
  session.results[#session.results + 1] = { spec = session.spec, name = name, status = status, message = message }
end

local function globals_for(session)
  local g = {}

  local function collecting(what)
    if session.running then error(what .. " cannot be called while tests run", 3) end
  end

  function g.describe(name, fn)
    collecting("describe")
    local block = new_block(tostring(name), session.current)
    local parent = session.current
    parent.children[#parent.children + 1] = { kind = "block", block = block }
    session.current = block
    local ok, err = pcall(fn)
    session.current = parent
    if not ok then block.error = describe_error(err) end
  end
  g.context = g.describe

  function g.it(name, fn)
    collecting("it")
    local c = session.current.children
    c[#c + 1] = { kind = "test", name = tostring(name), fn = fn, where = location() }
  end

  function g.pending(name)
    if session.running then
      error(setmetatable({ message = located(name ~= nil and tostring(name) or "pending") }, Pending), 0)
    end
    local c = session.current.children
    c[#c + 1] = { kind = "test", name = tostring(name), where = location() }
  end

  local function hook(kind)
    return function(fn)
      collecting(kind)
      local list = session.current[kind]
      list[#list + 1] = fn
    end
  end
  g.before_each, g.after_each = hook("before_each"), hook("after_each")
  g.setup, g.teardown = hook("setup"), hook("teardown")
  g.lazy_setup, g.lazy_teardown = g.setup, g.teardown
  g.strict_setup, g.strict_teardown = g.setup, g.teardown

  function g.finally(fn)
    if not session.finallies then error("finally can only be called inside a test", 2) end
    local f = session.finallies
    f[#f + 1] = fn
  end

  g.assert = M.assert
  return g
end

---------------------------------------------------------------------------------------------
-- Running

-- Runs functions in order; returns the first error, if any.
local function run_all(list)
  local first
  for _, fn in ipairs(list) do
    local ok, err = pcall(fn)
    if not ok and first == nil then first = err end
  end
  return first
end

local function chain_of(block)
  local list = {}
  while block do
    insert(list, 1, block)
    block = block.parent
  end
  return list
end

local function run_test(session, block, test)
  local name = full_name(block, test.name)
  if not test.fn then
    add_result(session, name, "pending", test.where and (test.where .. ": pending") or nil)
    return
  end
  local blocks = chain_of(block)
  local err
  for _, b in ipairs(blocks) do
    err = run_all(b.before_each)
    if err ~= nil then break end
  end
  session.finallies = {}
  if err == nil then
    local ok, e = pcall(test.fn)
    if not ok then err = e end
  end
  local finallies = session.finallies
  session.finallies = nil
  for i = #finallies, 1, -1 do
    local ok, e = pcall(finallies[i])
    if not ok and err == nil then err = e end
  end
  for i = #blocks, 1, -1 do
    local e = run_all(blocks[i].after_each)
    if e ~= nil and err == nil then err = e end
  end
  if err == nil then
    add_result(session, name, "ok", nil)
  elseif getmetatable(err) == Pending then
    add_result(session, name, "pending", err.message)
  else
    add_result(session, name, "fail", describe_error(err))
  end
end

local function fail_all(session, block, message)
  for _, child in ipairs(block.children) do
    if child.kind == "test" then
      add_result(session, full_name(block, child.name), "fail", message)
    else
      fail_all(session, child.block, message)
    end
  end
end

local function run_block(session, block)
  if block.error then
    add_result(session, full_name(block.parent, block.name), "fail", block.error)
    return
  end
  local err = run_all(block.setup)
  if err ~= nil then
    fail_all(session, block, "setup failed: " .. describe_error(err))
  else
    for _, child in ipairs(block.children) do
      if child.kind == "test" then
        run_test(session, block, child)
      else
        run_block(session, child.block)
      end
    end
  end
  err = run_all(block.teardown)
  if err ~= nil then
    local name = block.parent and full_name(block.parent, block.name) or session.spec
    add_result(session, name .. " (teardown)", "fail", describe_error(err))
  end
end

-- Loads a spec file into this state, runs its tests and returns the results. The test functions
-- are globals while it runs, and the previous globals come back afterwards. A file that does not
-- load or fails while collecting gives one failure.
function M.run_file(filename, spec_name)
  spec_name = spec_name or filename
  local session = new_session(spec_name)
  local saved = {}
  for k, v in pairs(globals_for(session)) do
    saved[k] = rawget(_G, k)
    _G[k] = v
  end
  local function run()
    local chunk, err = loadfile(filename)
    if not chunk then
      add_result(session, spec_name, "fail", "cannot load " .. tostring(spec_name) .. ": " .. tostring(err))
      return
    end
    local ok, e = pcall(chunk)
    if not ok then
      add_result(session, spec_name, "fail", "error while loading " .. tostring(spec_name) .. ": " .. describe_error(e))
      return
    end
    session.running = true
    run_block(session, session.root)
  end
  local ok, err = pcall(run)
  for k in pairs(saved) do _G[k] = saved[k] end
  for k in pairs(globals_for(session)) do
    if saved[k] == nil then _G[k] = nil end
  end
  if not ok then error(err, 0) end
  return session.results
end

return M
