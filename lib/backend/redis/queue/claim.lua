-- claim: leases the first job ready to run to a worker. ARGV[2..5]: worker, lease ms, stall
-- limit, the retention defaults json (see `trim`).
--- @include "includes/take.lua"

guard(TAKES)
-- Idle queues age out too: every claim removes a few jobs past what the queue keeps.
trim(ARGV[5])
return take(ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
