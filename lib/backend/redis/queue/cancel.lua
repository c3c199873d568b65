-- cancel: ends a job that has not finished. ARGV[2]: id. { job, spec, 1 when cancelled or 0 },
-- or {} when there is no such job.
--- @include "includes/flow.lua"

-- Whether group `job`'s turn has come, read up its flow: a part of a serial group (or a
-- postprocess) once the parts before it ended, and only if its group's turn came. For a group
-- whose first part's record another program deleted, which cannot tell; a record up the flow
-- another program wrote over is taken as started, as below.
local function turn_came(job)
  while job.parent do
    local above = decode(job.parent)
    if not above or not above.group then return true end
    local n, part = parts_of(above)
    local index = job.id == above.group.postprocess and n or nil
    if not index and above.group.kind == 'serial' then
      for i = 1, n do
        if part(i) == job.id then index = i - 1 break end
      end
    end
    if index and index > above.group.done then return false end
    job = above
  end
  return true
end

-- Whether job `id`'s turn has come: a part's when its group started it, a group's when its first
-- part's did. Before that a part waits (or was cancelled waiting, then counted in its turn); a
-- group whose first part ended has started, and one another program wrote over is taken so.
local function started(id)
  local job = decode(id)
  if not job then return true end
  if not job.group then return job.state ~= 'waiting' and job.state ~= 'cancelled' end
  if job.group.done > 0 then return true end
  local _, part = parts_of(job)
  if call('HEXISTS', jobs, part(1)) == 0 then return turn_came(job) end
  return started(part(1))
end

refuse_all()
check_settings()
local id = ARGV[2]
local job = load(id)
if not job then return {} end
if job.groupKey then check_groups({ job.groupKey }) end
if not spec_readable(id) then
  return foreign(foreign_value(specs, 'job ' .. id, call('HGET', specs, id)))
end
local cancelled = 0
-- A running job ends here; its worker sees it is no longer its own and stops the run.
if job.state == 'pending' or job.state == 'waiting' or job.state == 'active' then
  job.error = job.state == 'active' and 'cancelled while running' or 'cancelled'
  local counted = job.parent ~= nil and started(id)
  -- Another program's record in its flow is refused before the cancel writes anything.
  if counted then check_flow_end(job, 'cancelled') end
  finish(job, 'cancelled', job.parent ~= nil and not counted)
  changed()
  cancelled = 1
end
return { cjson.encode(job), call('HGET', specs, id), cancelled }
