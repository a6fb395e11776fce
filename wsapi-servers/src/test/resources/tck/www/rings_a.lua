-- Keeps globals (and a string method) both in its own state and in a ring, and reports what it
-- sees of them and of its twin's. rings_b.lua runs this same file as "rings_b".
local me = ... or "rings_a"
local other = me == "rings_a" and "rings_b" or "rings_a"

local ring = require("rings").new()
assert(ring:dostring([[
  owner = ...
  hits = 0
  _G["only_in_ring_of_" .. owner] = true
  function string.owner(s) return "ring of " .. owner end
]], me))

owner = me
hits = 0
_G["only_in_state_of_" .. me] = true
function string.owner(s) return "state of " .. owner end

return function(env)
  hits = hits + 1
  local ok, ring_owner, ring_hits, ring_method, ring_sees_other = ring:dostring([[
    hits = hits + 1
    local other = ...
    return owner, hits, ("x"):owner(),
      tostring(rawget(_G, "only_in_ring_of_" .. other) or rawget(_G, "only_in_state_of_" .. other))
  ]], other)
  assert(ok, ring_owner)
  local lines = {
    "state_owner=" .. owner,
    "state_hits=" .. hits,
    "state_method=" .. ("x"):owner(),
    "state_sees_other=" .. tostring(rawget(_G, "only_in_ring_of_" .. other) or rawget(_G, "only_in_state_of_" .. other)),
    "state_sees_own_ring=" .. tostring(rawget(_G, "only_in_ring_of_" .. me)),
    "ring_owner=" .. ring_owner,
    "ring_hits=" .. ring_hits,
    "ring_method=" .. ring_method,
    "ring_sees_other=" .. ring_sees_other,
  }
  local text = table.concat(lines, "\n") .. "\n"
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
