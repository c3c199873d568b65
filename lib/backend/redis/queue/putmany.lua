-- putmany: many puts in one step. ARGV[2]: a json list of put's arguments (spec a string).
--- @include "includes/new_job.lua"

guard(PUTS)
guard({ promoted })
check_puts()
hold_back()
-- A bulk put moves the promotion mark past its own jobs (a due job joins the run order as it is
-- put), so that the claims after a backlog put in bulk do not each go through a batch of jobs
-- already in the run order: it goes through what came due since the mark, before it writes.
local due = due_jobs()
local requests = cjson.decode(ARGV[2])
-- The groups the puts join, and those of the due jobs promotion places, before it writes.
local touched = due_groups(due)
for _, r in ipairs(requests) do
  if r[9] ~= '' then table.insert(touched, r[9]) end
end
check_groups(touched)
trim_dedupe(#requests)
-- Every id given, and the numbers the others may take, read in one command each.
local given, numbers = {}, 0
for _, r in ipairs(requests) do
  if r[1] == '' then numbers = numbers + 1 else table.insert(given, r[1]) end
end
read_ahead(given)
local reply = {}
for _, r in ipairs(requests) do
  for _, part in ipairs(put(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], numbers)) do
    table.insert(reply, part)
  end
end
write_puts()
promote(due, true)
changed()
return reply
