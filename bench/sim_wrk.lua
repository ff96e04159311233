-- wrk script: POST /Users with a distinct, GitHub-valid body per request, so every request is a
-- real create (no 409s). Each wrk thread numbers its own requests; the thread number keeps
-- externalIds and userNames distinct across threads, and the start time across runs against
-- the same simulator.
--
--   wrk -t2 -c64 -d10s -s bench/sim_wrk.lua http://127.0.0.1:PORT/scim/v2/enterprises/sim
--
-- Environment: SIM_TOKEN (default sim-bench-token), the bearer token the simulator accepts.

local thread_count = 0
local run = os.time()

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  thread:set("run", run)
end

local token = os.getenv("SIM_TOKEN") or "sim-bench-token"
local counter = 0
local path
local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/scim+json",
  ["User-Agent"] = "scimflow-bench",
}

local template = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],'
  .. '"externalId":"%s","userName":"%s","active":true,"displayName":"Bench User %s",'
  .. '"emails":[{"value":"%s@example.com","type":"work","primary":true}],'
  .. '"name":{"givenName":"Bench","familyName":"User"},"roles":[{"value":"user","primary":true}]}'

function init(args)
  path = wrk.path .. "/Users"
end

function request()
  counter = counter + 1
  local key = string.format("w%d-%d-%d", run, thread_number, counter)
  local body = string.format(template, key, key, key, key)
  return wrk.format("POST", path, headers, body)
end

local non_201 = 0

function response(status, response_headers, body)
  if status ~= 201 then
    non_201 = non_201 + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
