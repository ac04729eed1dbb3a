-- wrk script: POST one recording per request, each with a fresh id (the
-- relay answers 409 to a different body under a known id, and 200 without
-- writing anything to the same body again; neither is an ingest), signed
-- as the extension signs it. Lua has no HMAC, so `clawtrail-bench-gen
-- sign-uploads` signs ahead: one `id<TAB>authorization` line per request,
-- one file per wrk thread (SIGNED.1, SIGNED.2, ...); each line is used
-- once (the relay refuses a nonce twice).
-- Arguments after `--`: BODY_FILE RECORDING_ID SIGNED.
local threads = {}

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
  signed = {}
  for line in io.lines(args[3] .. "." .. tidx) do
    local id, auth = line:match("^([^\t]+)\t(.+)$")
    table.insert(signed, { id = id, auth = auth })
  end
  next_request = 0
  wrk.headers["Content-Type"] = "application/json"
  wrk.method = "POST"
end

function request()
  next_request = next_request + 1
  -- Past the last signed request the relay answers 401 and wrk counts a
  -- non-2xx: the bench then fails instead of measuring refusals.
  local r = signed[((next_request - 1) % #signed) + 1]
  -- A headers table replaces wrk.headers, so it carries them all.
  return wrk.format(nil, nil, { ["Content-Type"] = "application/json", ["Authorization"] = r.auth },
    prefix .. r.id .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes_sent":0,"p50_us":%d,"p99_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
