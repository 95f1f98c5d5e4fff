-- GET a random path of a file (one path a line) on every request.
-- wrk ... -s bench/wrk/paths.lua URL -- FILE [fresh]
-- With "fresh", every request has a User-Agent no other request had (a new visitor).
local threads = 0
local paths = {}
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  fresh = args[2] == "fresh"
  math.randomseed(os.time() * 100 + tid)
end

function request()
  local path = paths[math.random(#paths)]
  if fresh then
    counter = counter + 1
    local agent = "Mozilla/5.0 (bench; visitor " .. tid .. "-" .. counter .. "-" .. math.random(1000000000) .. ")"
    return wrk.format("GET", path, { ["User-Agent"] = agent })
  end
  return wrk.format("GET", path)
end
