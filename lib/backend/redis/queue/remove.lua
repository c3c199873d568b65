-- remove: ARGV[2]: '1' to remove the queue although jobs of it have not finished. Deletes every
-- key of the queue, unless it holds unfinished jobs (pending, scheduled, waiting, active) and
-- ARGV[2] is not '1'. Returns { 1 when removed or 0, the jobs it held, the unfinished ones }.
--- @include "includes/keys.lua"

refuse_all()
-- Settings another program wrote there may be that program's: left alone, as every step does.
check_settings()
local held = call('HLEN', jobs)
local unfinished = call('ZCARD', pending) + call('ZCARD', active) + call('ZCARD', waiting)
if unfinished > 0 and ARGV[2] ~= '1' then return { 0, held, unfinished } end
-- UNLINK frees a big hash off the server's main thread: a queue of a million jobs does not
-- stall every other client while it goes.
for key in pairs(KINDS) do call('UNLINK', key) end
-- Its workers and waiters re-read it, and find it gone.
changed()
return { 1, held, unfinished }
