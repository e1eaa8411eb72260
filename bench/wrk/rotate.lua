-- Used by bench/soak.py: each wrk thread walks the paths listed (one per line) in the file
-- named by WRK_PATHS, the threads starting at different places; every other request asks
-- for gzip, as browsers and feed readers do. The run ends by printing wrk's figures and
-- the count of 5xx answers as one JSON line.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end

local threads = {}
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("offset", counter)
  threads[#threads + 1] = thread
end

init = function()
  position = offset
  server_errors = 0
end

local plain = {}
local zipped = { ["Accept-Encoding"] = "gzip" }

request = function()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], position % 2 == 0 and zipped or plain)
end

response = function(status)
  if status >= 500 then server_errors = server_errors + 1 end
end

done = function(summary, latency, requests)
  local fivexx = 0
  for _, thread in ipairs(threads) do fivexx = fivexx + thread:get("server_errors") end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "server_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, fivexx, latency:percentile(50), latency:percentile(99)))
end
