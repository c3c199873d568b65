-- purge: ARGV[2..5]: state, older than ms ('' for any age), limit, removed jobs remembered.
-- Removes up to `limit` finished jobs of a state, those finished before `older_than_ms` ago;
-- refused (FOREIGN), removing none, when one of them is another program's.
--- @include "includes/retention.lua"

refuse_all()
-- A newer coord's queue is refused, as by every step that writes, before it removes anything.
check_settings()
local state, older_than_ms, limit, max_removed = ARGV[2], ARGV[3], tonumber(ARGV[4]),
  tonumber(ARGV[5])
local before = older_than_ms == '' and '+inf' or '(' .. (now_ms - tonumber(older_than_ms))
local n = remove(state, call('ZRANGEBYSCORE', DONE[state], '-inf', before, 'LIMIT', 0,
  limit), max_removed, true)
if n > 0 then changed() end
return n
