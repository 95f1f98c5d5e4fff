-- POST a registration with an e-mail no other request of this run used.
-- wrk ... -s bench/wrk/register.lua URL -- PREFIX
-- Each wrk thread has its own Lua state: the thread number (set in setup) and a counter
-- make every e-mail unique; PREFIX makes it unique across runs. Each request also comes
-- from its own client address (X-Forwarded-For, 10.<thread>.x.y; the events service trusts
-- it from 127.0.0.1 in the benchmark), as a rush of visitors does.
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = (args[1] or "wrk") .. "-t" .. tid .. "-"
end

function request()
  counter = counter + 1
  local body = '{"name":"Участник ' .. counter .. '","email":"' .. prefix .. counter
    .. '@example.org","role":"ngo_representative","consent_personal_data":true}'
  local client = "10." .. tid .. "." .. (math.floor(counter / 256) % 256) .. "." .. (counter % 256)
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = client }, body)
end
