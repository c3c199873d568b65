-- putmany: many puts in one step. ARGV[2]: a json list of each put's arguments as put takes them
-- (put.lua), but its spec; ARGV[2 + i]: put i's spec, json. A spec comes as an argument of its
-- own, stored as it comes: inside the list it was escaped a second time, and decoded with the
-- list, for nothing. The other arguments are short: as arguments of their own each costs the
-- client more to send than its share of the list.
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
if #requests ~= last_arg - 2 then return redis.error_reply('malformed puts') end
-- The groups the puts join, and those of the due jobs promotion places, before it writes.
local touched = due_groups(due)
for _, r in ipairs(requests) do
  if r[8] ~= '' then table.insert(touched, r[8]) end
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
for i, r in ipairs(requests) do
  for _, part in ipairs(put(r[1], ARGV[2 + i], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
      numbers)) do
    table.insert(reply, part)
  end
end
write_puts()
promote(due, true)
changed()
return reply
