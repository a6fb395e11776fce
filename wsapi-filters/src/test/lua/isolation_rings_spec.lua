-- wsapi.filters.isolation with the real rings module: the cases of isolation_spec.lua.
-- Needs `rings` on the class path; until then it fails here, by design, with the reason.

local ok, rings = pcall(require, "rings")
if not ok then
  error("the isolation filter needs the rings module, which is not on the class path yet: " .. tostring(rings), 0)
end
require("support.isolation_cases").define(rings)
