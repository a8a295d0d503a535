-- GET /api/auth/profile with many users' tokens: each request takes the next token of tokens.txt.
-- Run from the project root (bench/run-auth.sh does), or set BENCH_DIR to this folder.
local tokens = {}
for line in io.lines(os.getenv("TOKENS") or "tokens.txt") do
  tokens[#tokens + 1] = line
end
local i = 0
request = function()
  i = i + 1
  local token = tokens[(i % #tokens) + 1]
  return wrk.format("GET", "/api/auth/profile", { ["Authorization"] = "Bearer " .. token })
end
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")
