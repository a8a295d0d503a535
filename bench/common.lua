-- Shared by the wrk scripts: report any answer that is not 200 (the run script counts them).
response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
