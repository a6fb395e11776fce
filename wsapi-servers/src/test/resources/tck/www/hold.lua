-- Holds its Lua state until the client sends the body (used to saturate the pool).
return function(env)
  local got = env.input:read(4)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("held:" .. tostring(got)) end)
end
