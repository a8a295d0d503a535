-- GET /api/jobs?q=... anonymously, cycling through searches of the seeded jobs (bench/market-seed.sql).
local queries = { "payment", "mobile checkout", "search index", "data pipeline", "dashboard", "api gateway",
                  "migration", "chat", "billing", "recommendations" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/jobs?q=" .. queries[(i % #queries) + 1]:gsub(" ", "%%20") .. "&limit=20")
end
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")
