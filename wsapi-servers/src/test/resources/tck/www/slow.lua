-- Sends a first chunk, works for half a second (or QUERY_STRING seconds), then the rest: a client
-- that sees the first chunk well before the end knows chunks are not held back.
return function(env)
  local seconds = tonumber(env.QUERY_STRING) or 0.5
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("first\n")
    local done = os.clock() + seconds
    while os.clock() < done do end
    coroutine.yield("second\n")
  end)
end
