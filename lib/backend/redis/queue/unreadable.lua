-- unreadable: one page of the jobs of the queue that coord cannot read (another program wrote
-- their record or a part of it: what `show` refuses), for `remove` to refuse the queue before
-- its removing step. ARGV[2]: which of the jobs' hashes (1: records, then specs, results,
-- inputs, progress), ARGV[3]: the HSCAN cursor in it ('0': its start). Returns { the next
-- page's hash and cursor (0 and '0' after the last page), then the id and held text of each job
-- refused on the page }. A page is its own script: the whole queue in one would hold the server
-- for seconds (a million jobs: 13 s), every other client waiting. A job may be named again, by
-- another of its parts or by HSCAN (a page may repeat a field): the caller counts it once.
--- @include "includes/job.lua"

-- Whether a part's json is JSON (of Lua type `want`, when given).
local function json_of(want)
  return function(_, json)
    local ok, value = pcall(cjson.decode, json)
    return ok and (want == nil or type(value) == want)
  end
end
local HASHES = {
  { jobs, function(id, json)
    read[id] = json
    local job = decode(id)
    read[id] = nil
    return job ~= nil
  end },
  { specs, function(_, json) return spec_json_ok(json) end },
  { results, json_of() },
  { inputs, json_of('table') },
  { progress, json_of() },
}

local n = tonumber(ARGV[2])
local hash, ok = HASHES[n][1], HASHES[n][2]
local page = call('HSCAN', hash, ARGV[3], 'COUNT', 1000)
local cursor = page[1]
local reply = { n, cursor }
if cursor == '0' then
  if n < #HASHES then reply = { n + 1, '0' } else reply = { 0, '0' } end
end
local flat = page[2]
for i = 1, #flat, 2 do
  local id, json = flat[i], flat[i + 1]
  if not ok(id, json) then
    table.insert(reply, id)
    table.insert(reply, json)
  end
end
return reply
