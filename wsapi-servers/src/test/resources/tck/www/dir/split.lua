return {
  run = function(env)
    local text = "SCRIPT_NAME=" .. env.SCRIPT_NAME .. "\nPATH_INFO=" .. env.PATH_INFO .. "\n"
    return "200 OK", { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
  end
}
