-- wrk script: POST one recording per request, each with a fresh id (the
-- relay answers 409 to a different body under a known id, and 200 without
-- writing anything to the same body again; neither is an ingest).
-- Arguments after `--`: BODY_FILE RECORDING_ID TOKEN.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tidx", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*a")
  f:close()
  local s, e = body:find(args[2], 1, true)
  assert(s, "recording id not found in body")
  prefix, suffix = body:sub(1, s - 1), body:sub(e + 1)
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  wrk.method = "POST"
end

function request()
  counter = counter + 1
  local id = string.format("%08x-%04x-4%03x-8%03x-%012x", tidx, counter % 65536, counter % 4096,
    math.random(0, 4095), counter)
  return wrk.format(nil, nil, nil, prefix .. id .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes_sent":0,"p50_us":%d,"p99_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
