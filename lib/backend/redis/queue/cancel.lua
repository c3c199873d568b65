-- cancel: ends a job that has not finished. ARGV[2]: id. { job, spec, 1 when cancelled or 0 },
-- or {} when there is no such job.
--- @include "includes/flow.lua"

-- Whether job `id`'s turn has come: a part's when its group started it, a group's when its first
-- part's did. Before that a part waits (or was cancelled waiting, then counted in its turn); a
-- group whose first part ended has started, and one another program wrote over is taken so.
local function started(id)
  local job = decode(id)
  if not job then return true end
  if not job.group then return job.state ~= 'waiting' and job.state ~= 'cancelled' end
  if job.group.done > 0 then return true end
  local _, part = parts_of(job)
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
