-- remove: ARGV[2]: '1' to remove the queue although jobs of it wait to run; ARGV[3]: 'dry' to
-- only say whether it would. Deletes the queue's keys, unless a job of it is running, or
-- unfinished jobs wait (pending, scheduled, waiting) and ARGV[2] is not '1'. Keeps the id
-- counter. Returns { 1 when removed (would be) or 0, the jobs it held, the unfinished ones, the
-- running ones }. Its jobs' records are not read here: a queue of millions would hold the server
-- for seconds; `unreadable` pages through them before (lib/queue/retention.ts).
--- @include "includes/keys.lua"

refuse_all()
-- Settings another program wrote there may be that program's: left alone, as every step does.
check_settings()
local held = call('HLEN', jobs)
local running = call('ZCARD', active)
local unfinished = call('ZCARD', pending) + running + call('ZCARD', waiting)
if running > 0 or (unfinished > 0 and ARGV[2] ~= '1') then
  return { 0, held, unfinished, running }
end
if ARGV[3] == 'dry' then return { 1, held, unfinished, running } end
-- UNLINK frees a big hash off the server's main thread: a queue of a million jobs does not
-- stall every other client while it goes. The counter stays: a job put later never takes the
-- id of one removed, which a `wait` on it, or a run of it still ending, would take for its own.
for key in pairs(KINDS) do
  if key ~= counter then call('UNLINK', key) end
end
-- Its workers and waiters re-read it, and find it gone.
changed()
return { 1, held, unfinished, running }
