-- unreadable: one page of the jobs of the queue that coord cannot read (another program wrote
-- their record or a part of it: what `show` refuses), for `remove` to refuse the queue before
-- its removing step. ARGV[2]: which of the jobs' hashes (1: records, then specs, results,
-- inputs, progress), ARGV[3]: the HSCAN cursor in it ('0': its start), ARGV[4]: the bytes of a
-- held text to send. Returns { the next page's hash and cursor (0 and '0' after the last page),
-- then the id and the start of the held text of each job refused on the page }. A page is its
-- own script: the whole queue in one would hold the server for seconds (a million jobs: 13 s),
-- every other client waiting. Only the start of a text is sent, all a refusal shows: a page of
-- values of megabytes another program wrote would otherwise be a reply of gigabytes. A job is
-- named for the first of its parts refused, so the caller counts it without keeping every id
-- (HSCAN may still repeat a field of a hash resized while it is read).
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
-- Whether a part of job `id` in a hash before the nth is refused: the job was named there.
local function named_before(id)
  for m = 1, n - 1 do
    local json = call('HGET', HASHES[m][1], id)
    if json and not HASHES[m][2](id, json) then return true end
  end
  return false
end
local shown = tonumber(ARGV[4])
local flat = page[2]
for i = 1, #flat, 2 do
  local id, json = flat[i], flat[i + 1]
  if not ok(id, json) and not named_before(id) then
    table.insert(reply, id)
    table.insert(reply, json:sub(1, shown))
  end
end
return reply
