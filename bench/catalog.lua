-- GET /api/courses?q=... anonymously, cycling through a few searches of the seeded catalogue.
local queries = { "rust", "photosynthesis", "linear algebra", "raft consensus", "markets", "chemistry reactions",
                  "music harmony", "regression", "security tokens", "history trade" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/courses?q=" .. queries[(i % #queries) + 1]:gsub(" ", "%%20") .. "&limit=20")
end
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")
