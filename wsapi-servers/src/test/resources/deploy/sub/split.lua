#!/usr/bin/env apogee-cgi
return function(env)
  local text = "SCRIPT_NAME=" .. env.SCRIPT_NAME .. "\nPATH_INFO=" .. env.PATH_INFO .. "\n"
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
