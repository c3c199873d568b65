-- fail_undecodable: ARGV[2..6]: id, reason, fingerprint (of the job a claim stopped at; else
-- ''), worker and attempt (of a job the caller's claim took; else '': checked only both given).
-- A job whose stored parts cannot be read fails with the reason; what cannot be read is
-- replaced by coord's own, so show and wait answer for it from now on. Returns 1 if it failed
-- the job ({ 1, the FOREIGN text } if it failed it alone, a record of its flow another
-- program's: see `refused` below), 0 if its stored parts are no longer those the claim met
-- (`fingerprint`, job.lua), the attempt taken is no longer the caller's, or it is no longer where
-- the claim met it.
--- @include "includes/flow.lua"

-- The flow's group that lists part `id`, whose record cannot say: a part's id is its group's,
-- a dot and its place (flowNodes in lib/queue/flow.ts). SQL finds it alike (`#lostGroup` in
-- lib/backend/sql/queue.ts): a change to one is a change to the other.
local function listed_by(id)
  local group_id = id:match('^(.+)%.[^.]+$')
  local group = group_id and decode(group_id)
  if not (group and group.group) then return nil end
  if group.group.postprocess == id then return group_id end
  local count, part = parts_of(group)
  for i = 1, count do
    if part(i) == id then return group_id end
  end
end

refuse_all()
check_settings()
local id, reason = ARGV[2], ARGV[3]
-- The claim read the job a step before: since then another worker may have failed it, a
-- `queue retry` made it coord's own and a worker took it to run, or a purge removed it. Only
-- the parts the claim met are failed; an id in the run order with no record, as the claim met
-- it, is still failed, or every claim would stop at it.
if ARGV[4] ~= '' and fingerprint(id) ~= ARGV[4] then return 0 end
local job, held_text = decode(id)
-- Deleted by another program (no text held): a group's parts are met by their ids only.
local deleted = not (job or held_text)
-- Taken by the caller's claim: only while that attempt is still the caller's (a worker frozen
-- past its lease must not fail the run another worker took since).
local taker, attempt = ARGV[5], tonumber(ARGV[6])
if taker ~= '' and attempt and not (job and job.state == 'active' and job.worker == taker and
    job.attempts == attempt) then
  return 0
end
-- With no record coord can read, only one still in the run order or running: a purged one
-- stays gone.
if not job and not (call('ZSCORE', ready, id) or call('ZSCORE', active, id)) then return 0 end
-- One of a --group in ready or running keeps its group: the place it held there goes to the
-- group's next. A running one's is kept by its id (keys.lua); one taken by a coord that did not
-- keep it there is let go of no group.
local member
if not job then
  local group
  group, member = ready_member(id)
  if not group and call('ZSCORE', active, id) then
    group = call('HGET', groups, 'running:' .. id) or nil
  end
  job = { id = id, attempts = 0, stalls = 0, readyAt = now_ms, createdAt = now_ms,
    groupKey = group, parent = listed_by(id) }
end
if job.groupKey then check_groups({ job.groupKey }) end
-- Failed already by another worker whose claim met it too: counted, its flow moved on or, with
-- another program's record on its way up, left as it is.
local ended = job.state == 'failed'
-- Another program's record in its flow is met before the step writes anything, and not refused:
-- the claim that met the job would hand it out again, each claim stopping there for good. The job
-- fails alone, its flow left as it is, and the caller is told why.
local refused = job.parent and not ended and check_flow_end(job, 'failed', true) or nil
if job.state == 'waiting' then call('HINCRBY', totals, 'waiting', -1) end
if not ended then call('HINCRBY', totals, 'failed', 1) end
job.state = 'failed'
job.error = reason
job.finishedAt = now_ms
save(job)
-- Named by the run order it joined with, which the record read no longer gives.
if member then call('ZREM', parked, member) end
dequeue(job)
deactivate(job)
call('ZREM', waiting, id)
unlisted({ id })
if not job.parent then listed(job, 'failed') end
if not spec_readable(id) then call('HSET', specs, id, '{}') end
if not readable(results, id) then call('HDEL', results, id) end
if not readable(inputs, id, 'table') then call('HDEL', inputs, id) end
-- A group's parts that have not started never will: cancelled, as a failed group's are.
if deleted then abandon_orphans(id) end
-- A flow's part moves its flow on as any failed part does: its group fails, or goes on.
if job.parent and not ended and not refused then part_ended(job) end
changed()
if refused then return { 1, refused } end
return 1
