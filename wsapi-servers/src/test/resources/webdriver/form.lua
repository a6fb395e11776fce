-- A page with a form, for the WebDriver harness's own test: / shows it (and who the cookie says
-- the visitor is), /sent shows what was posted.
local request = require "wsapi.request"
local response = require "wsapi.response"

return function(env)
  local req = request.new(env)
  local res = response.new(200, { ["Content-Type"] = "text/html; charset=utf-8" })
  if env.PATH_INFO == "/sent" then
    local file = req.POST.file
    res:write('<html><body><p id="title">', req.POST.title, '</p><p id="notes">', req.POST.notes,
      '</p><p id="prio">', req.POST.prio, '</p><p id="file">', file.name, ' ', file.size, ' ', file.contents, '</p></body></html>')
    return res:finish()
  end
  if req.GET.user then res:set_cookie("user", req.GET.user) end
  res:write([[<html><head><title>Form</title></head><body>
<div id="who">]], req.cookies.user or "nobody", [[</div>
<form id="f" method="post" action="/sent" enctype="multipart/form-data">
  <input id="title" name="title" value="old">
  <textarea id="notes" name="notes"></textarea>
  <select id="prio" name="prio"><option value="1">Low</option><option value="3">High</option></select>
  <input id="file" type="file" name="file">
  <button id="go" type="submit">Send</button>
</form>
<ul id="items"><li>one</li><li>two</li></ul>
<button id="later" onclick="setTimeout(function () { document.getElementById('late').textContent = 'arrived' }, 300)">later</button>
<p id="late"></p>
<button id="ask" onclick="document.getElementById('answer').textContent = confirm('Sure?') ? 'yes' : 'no'">ask</button>
<p id="answer"></p>
</body></html>]])
  return res:finish()
end
