-- A step on jobs named by id (retry, promote), many in one call: every job is read and checked
-- before any is written, so another program's data at one of them refuses them all and writes
-- nothing, as a step on one job would.
--- @include "run_order.lua"

-- Runs `change(job)` on each job of `ids_json` (a json array) that `takes(job)`, unless `dry`.
-- A job named twice is changed once: the second time it is read as the first left it.
-- Returns { job json, spec json ('{}' if none), 1 when changed (would be, on a dry run) or 0 }
-- for each id, flat, and '' in place of the three for an id with no job.
local function on_named_jobs(ids_json, dry, takes, change)
  local ids = cjson.decode(ids_json)
  hold_back()
  read_ahead(ids)
  local named, their_groups = {}, {}
  for _, id in ipairs(ids) do
    if named[id] == nil then
      named[id] = load(id) or false
      -- cjson reads NaN and Infinity but writes neither: a record holding one could not be
      -- written back once the jobs before it were.
      if named[id] and not pcall(cjson.encode, named[id]) then
        error({ err = 'FOREIGN ' .. foreign_value(jobs, 'job ' .. id, read[id] or '') })
      end
      if named[id] and named[id].groupKey then table.insert(their_groups, named[id].groupKey) end
    end
  end
  check_groups(their_groups)
  local spec_list = read_many('HMGET', specs, ids)
  for i, id in ipairs(ids) do
    if named[id] and not spec_json_ok(spec_list[i]) then
      error({ err = 'FOREIGN ' .. foreign_value(specs, 'job ' .. id, spec_list[i]) })
    end
  end
  local reply = {}
  for i, id in ipairs(ids) do
    local job = named[id]
    if not job then
      for _ = 1, 3 do table.insert(reply, '') end
    else
      local taken = takes(job)
      if taken and not dry then
        change(job)
        save(job)
      end
      -- Encoded as it is now: a job named again is read as the change left it.
      table.insert(reply, cjson.encode(job))
      table.insert(reply, spec_list[i] or '{}')
      table.insert(reply, taken and 1 or 0)
    end
  end
  write_back()
  return reply
end
