-- wrk script for bench/api/run.sh: GET <path>?page=N&page_size=50 with N random in 1..maxpage,
-- sending the session cookie.  usage: wrk ... -s pages.lua URL -- PATH MAXPAGE COOKIE
local path, maxpage

function init(args)
  path = args[1]
  maxpage = tonumber(args[2]) or 1
  if maxpage < 1 then maxpage = 1 end
  wrk.headers["Cookie"] = "pgd_session=" .. args[3]
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
  local page = math.random(1, maxpage)
  return wrk.format("GET", path .. "?page=" .. page .. "&page_size=50")
end
