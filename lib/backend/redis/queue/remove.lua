-- remove: ARGV[2]: '1' to remove the queue although jobs of it wait to run. Deletes the queue's
-- keys, unless a job of it is running, or unfinished jobs wait (pending, scheduled, waiting) and
-- ARGV[2] is not '1', or a job of it is one coord cannot read. Keeps the id counter. Returns
-- { 1 when removed or 0, the jobs it held, the unfinished ones, the running ones }, and when
-- refused for jobs coord cannot read, { how many, the first's id, the text it holds }.
--- @include "includes/job.lua"

refuse_all()
-- Settings another program wrote there may be that program's: left alone, as every step does.
check_settings()
local held = call('HLEN', jobs)
local running = call('ZCARD', active)
local unfinished = call('ZCARD', pending) + running + call('ZCARD', waiting)
if running > 0 or (unfinished > 0 and ARGV[2] ~= '1') then
  return { 0, held, unfinished, running }
end
-- A job whose record or parts another program wrote (one `show` refuses) is not coord's to
-- remove: the queue stays whole, as one whose settings are another program's. Checked last, the
-- cheap refusals first, and a page at a time (HSCAN): a big queue is not held in memory whole.
local refused, count, first, first_held = {}, 0, nil, nil
local function refuse_each(hash, ok)
  local cursor = '0'
  repeat
    local page = call('HSCAN', hash, cursor, 'COUNT', 1000)
    cursor = page[1]
    local flat = page[2]
    for i = 1, #flat, 2 do
      local id, json = flat[i], flat[i + 1]
      if not refused[id] and not ok(id, json) then
        refused[id] = true
        count = count + 1
        if not first or id < first then first, first_held = id, json end
      end
    end
  until cursor == '0'
end
local function json_of(want)
  return function(_, json)
    local ok, value = pcall(cjson.decode, json)
    return ok and (want == nil or type(value) == want)
  end
end
refuse_each(jobs, function(id, json)
  read[id] = json
  local job = decode(id)
  read[id] = nil
  return job ~= nil
end)
refuse_each(specs, function(_, json) return spec_json_ok(json) end)
refuse_each(results, json_of())
refuse_each(inputs, json_of('table'))
refuse_each(progress, json_of())
if count > 0 then return { 0, held, unfinished, running, count, first, first_held } end
-- UNLINK frees a big hash off the server's main thread: a queue of a million jobs does not
-- stall every other client while it goes. The counter stays: a job put later never takes the
-- id of one removed, which a `wait` on it, or a run of it still ending, would take for its own.
for key in pairs(KINDS) do
  if key ~= counter then call('UNLINK', key) end
end
-- Its workers and waiters re-read it, and find it gone.
changed()
return { 1, held, unfinished, running }
