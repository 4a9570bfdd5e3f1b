-- wrk script for `make bench`: one page, optional POST, JSON summary written in done().
-- Environment: BENCH_OUT (JSON file), BENCH_METHOD (GET/POST), BENCH_BODY_FILE,
-- BENCH_COOKIE, BENCH_CSRF, BENCH_EXPECT (status counted as success; default 200).
local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local body_file = os.getenv("BENCH_BODY_FILE")
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")

wrk.method = method
wrk.headers["Host"] = "127.0.0.1"
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
if method == "POST" then
  local f = assert(io.open(body_file, "r"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["X-CSRFToken"] = csrf
  wrk.headers["Referer"] = "http://127.0.0.1/"
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  statuses = {}
end

function response(status, headers, body)
  if status ~= expect then unexpected = unexpected + 1 end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local bad = 0
  local by_status = {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("unexpected") or 0)
  end
  local seconds = summary.duration / 1e6
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "unexpected_status": %d, "errors_ge400": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  out:close()
end
