-- renew: extends the lease of a run that still holds its job. ARGV[2..5]: id, worker, attempt,
-- lease ms.
--- @include "includes/job.lua"

-- A newer coord's queue is refused, as by every step that writes: one that became so during the
-- run too (its end, then, is refused all the same).
check_settings()
local id, worker, attempt, lease_ms = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if not owned(id, worker, attempt) then return 0 end
call('ZADD', active, 'XX', now_ms + lease_ms, id)
return 1
