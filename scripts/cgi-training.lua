-- The request apogee-cgi runs once after a build to record which classes a CGI request loads
-- (its class-data archive, wsapi-servers/target/cgi/). It touches what typical apps touch: the env,
-- the body, string and table functions, a coroutine iterator, pcall and an error page.
return function(env)
  local body = env.input:read() or ""
  local fields = {}
  for k, v in string.gmatch(body .. "&" .. env.QUERY_STRING, "([^&=]+)=([^&=]*)") do fields[#fields + 1] = k .. "=" .. v end
  table.sort(fields)
  local ok, err = pcall(error, { 404, "not here" })
  local page = string.format("<p>%s %s %d %s</p>", env.REQUEST_METHOD, env.PATH_INFO, #fields, tostring(ok and err))
  return 200, { ["Content-Type"] = "text/html", ["Set-Cookie"] = { "a=1", "b=2" } }, coroutine.wrap(function()
    coroutine.yield(page)
    coroutine.yield(table.concat(fields, ", "):upper())
    coroutine.yield(os.date("!%Y-%m-%d") .. math.floor(math.pi))
  end)
end
