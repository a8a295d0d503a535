-- POST /api/wallet/transfers between random funded users, each with its own Idempotency-Key.
-- USERS_FILE names a file of "accessToken userId" lines (bench/run-transfers.sh writes it).
local users = {}
for line in io.lines(os.getenv("USERS_FILE") or "users.txt") do
  local token, id = line:match("^(%S+)%s+(%S+)$")
  if token then
    users[#users + 1] = { token = token, id = id }
  end
end
local counter = 0
local thread_id = 0
setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
init = function(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
end
request = function()
  counter = counter + 1
  local from = math.random(#users)
  local to = math.random(#users - 1)
  if to >= from then to = to + 1 end
  -- Small amounts (1e-8 .. 1e-3 AZR) so funded wallets never run dry during a run.
  local amount = string.format("0.%08d", math.random(1, 100000))
  local body = '{"toUserId":"' .. users[to].id .. '","amount":"' .. amount .. '"}'
  return wrk.format("POST", "/api/wallet/transfers", {
    ["Authorization"] = "Bearer " .. users[from].token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. (tid or 0) .. "-" .. os.time() .. "-" .. counter
  }, body)
end
response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
