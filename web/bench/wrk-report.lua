-- wrk script of `make bench-web`: counts the answers outside 2xx in every thread, prints one
-- line for the Makefile to read
--   RESULT <requests/s> <p50 ms> <p90 ms> <p99 ms> <requests> <non-2xx> <socket errors>
-- and exits 1 when any answer was not 2xx or any socket error happened.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d %d %d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.requests, bad, socket))
  if bad > 0 or socket > 0 then
    os.exit(1)
  end
end
