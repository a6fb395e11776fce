return function(env)
  local statuses = { teapot = "418 I'm a teapot", number = 422, numeric = "308", ok = "200 Ok" }
  local s = statuses[env.QUERY_STRING] or 200
  return s, { ["Content-Type"] = "text/plain", Location = "/elsewhere" },
    coroutine.wrap(function() coroutine.yield(tostring(s)) end)
end
