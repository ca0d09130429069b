-- wrk script: POST /v1.0/tenants with a unique organizationName per request.
--   wrk ... -s bench/load/post_tenants.lua URL -- RUN_TAG
-- Names are "Bench <run tag> <thread> <counter>", unique across threads and runs (the caller
-- passes a fresh tag per wrk run). Prints the number of 201 responses at the end, which
-- bench/run.sh also uses to seed the table in bounded rounds.
-- Environment: TOKEN (bearer token, required); ACKED_IDS (optional): a file that done() fills with
-- the tenantId of every 201, one per line (bench/crash.sh checks them after a kill -9).

local thread_counter = 0
local threads = {}

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)
  table.insert(threads, thread)
end

local run_tag = "run"
local counter = 0
-- Global, so that done() can read it from every thread with thread:get().
created = 0
local auth = nil
local acked_ids_file = os.getenv("ACKED_IDS")
-- Global, as `created`: this thread's acknowledged tenant ids (only with ACKED_IDS).
acked = {}

function init(args)
  run_tag = args[1] or run_tag
  auth = "Bearer " .. (os.getenv("TOKEN") or "")
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"organizationName":"Bench %s %d %d","contactEmail":"bench@example.com","environment":"dev",' ..
    '"metadata":{"source":"wrk","seq":%d}}',
    run_tag, thread_id, counter, counter)
  return wrk.format("POST", nil, {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    if acked_ids_file then
      acked[#acked + 1] = body:match('"tenantId":"([^"]+)"')
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("created") or 0)
  end
  io.write(string.format("tenants created (201): %d\n", total))
  if acked_ids_file then
    local out = assert(io.open(acked_ids_file, "w"))
    for _, thread in ipairs(threads) do
      for _, id in ipairs(thread:get("acked") or {}) do
        out:write(id, "\n")
      end
    end
    out:close()
  end
end
