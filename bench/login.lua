-- POST /api/auth/login for many users (credentials.txt: "email password" per line), round robin.
-- Run from the project root (bench/run-auth.sh does), or set BENCH_DIR to this folder.
local creds = {}
for line in io.lines(os.getenv("CREDENTIALS") or "credentials.txt") do
  local email, password = line:match("^(%S+)%s+(%S+)$")
  creds[#creds + 1] = '{"email":"' .. email .. '","password":"' .. password .. '"}'
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/auth/login", { ["Content-Type"] = "application/json" }, creds[(i % #creds) + 1])
end
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")
