return function(env)
  local t = nil
  return 200, {}, coroutine.wrap(function() coroutine.yield(t.field) end)
end
