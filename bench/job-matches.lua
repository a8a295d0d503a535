-- GET /api/me/job-matches with many users' tokens (each request the next token of TOKENS).
local tokens = {}
for line in io.lines(os.getenv("TOKENS") or "tokens.txt") do
  tokens[#tokens + 1] = line
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/me/job-matches", { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")
