-- coxpcall: coroutine-safe pcall and xpcall.
--
-- On Apogee pcall and xpcall already let a coroutine yield from inside them, and xpcall passes
-- extra arguments to the function (Lua 5.2), so copcall and coxpcall are the built-in functions
-- themselves. Like the original, requiring it also sets the globals copcall and coxpcall.

local pcall, xpcall, running = pcall, xpcall, coroutine.running

copcall = pcall
coxpcall = xpcall

return {
  pcall = pcall,
  xpcall = xpcall,
  copcall = pcall,
  coxpcall = xpcall,
  running = running,
}
