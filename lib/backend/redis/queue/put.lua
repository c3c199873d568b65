-- put: adds one job unless its id or dedupe key is taken (see `put`). ARGV[2..10]: id ('' for
-- the next number), spec json, when ('+MS' from now, or an instant ms), begin-by ms, dedupe key,
-- dedupe window ms, priority, its own --keep json, its --group.
--- @include "includes/new_job.lua"

guard(PUT_JOB)
if ARGV[6] ~= '' then guard(PUT_DEDUPED) end
if ARGV[10] ~= '' then guard(PUT_GROUPED) end
check_puts()
if ARGV[10] ~= '' then check_groups({ ARGV[10] }) end
hold_back()
trim_dedupe(1)
local reply = put(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9],
  ARGV[10])
write_puts()
if reply[1] == 1 then changed() end
return reply
