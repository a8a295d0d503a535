-- POST /api/assessments/{id}/attempts by enrolled learners (ATTEMPTS: "accessToken assessmentId" lines),
-- with random answers: mostly failed attempts, some passes. A learner's first pass waits for finance's
-- reward (up to education.rewardWaitMs), so the figures depend on how many first passes a run holds:
-- done() prints their count ("first passes: N, without reward: M").
local pairs_ = {}
for line in io.lines(os.getenv("ATTEMPTS") or "attempts.txt") do
  local token, quiz = line:match("^(%S+)%s+(%S+)$")
  if token then pairs_[#pairs_ + 1] = { token = token, quiz = quiz } end
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
firsts, unrewarded = 0, 0
request = function()
  local p = pairs_[math.random(#pairs_)]
  local body = '{"answers":[{"questionIndex":0,"value":' .. math.random(0, 2) .. '},' ..
    '{"questionIndex":1,"value":[0,' .. math.random(1, 2) .. ']},' ..
    '{"questionIndex":2,"value":3.5},{"questionIndex":3,"value":"' .. (math.random(2) == 1 and "yes" or "no") .. '"}]}'
  return wrk.format("POST", "/api/assessments/" .. p.quiz .. "/attempts",
    { ["Authorization"] = "Bearer " .. p.token, ["Content-Type"] = "application/json" }, body)
end
response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. "\n")
  elseif body:find('"firstPass":true', 1, true) then
    firsts = firsts + 1
    if body:find('"reward":null', 1, true) then unrewarded = unrewarded + 1 end
  end
end
done = function(summary, latency, requests)
  local f, u = 0, 0
  for _, t in ipairs(threads) do f = f + t:get("firsts"); u = u + t:get("unrewarded") end
  io.write(string.format("first passes: %d, without reward: %d\n", f, u))
end
