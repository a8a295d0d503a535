-- POST /api/assessments/{id}/attempts by enrolled learners (ATTEMPTS: "accessToken assessmentId" lines),
-- with random answers: mostly failed attempts, some passes (a first pass waits for finance's reward).
local pairs_ = {}
for line in io.lines(os.getenv("ATTEMPTS") or "attempts.txt") do
  local token, quiz = line:match("^(%S+)%s+(%S+)$")
  if token then pairs_[#pairs_ + 1] = { token = token, quiz = quiz } end
end
request = function()
  local p = pairs_[math.random(#pairs_)]
  local body = '{"answers":[{"questionIndex":0,"value":' .. math.random(0, 2) .. '},' ..
    '{"questionIndex":1,"value":[0,' .. math.random(1, 2) .. ']},' ..
    '{"questionIndex":2,"value":3.5},{"questionIndex":3,"value":"' .. (math.random(2) == 1 and "yes" or "no") .. '"}]}'
  return wrk.format("POST", "/api/assessments/" .. p.quiz .. "/attempts",
    { ["Authorization"] = "Bearer " .. p.token, ["Content-Type"] = "application/json" }, body)
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("unexpected status " .. status .. "\n") end
end
