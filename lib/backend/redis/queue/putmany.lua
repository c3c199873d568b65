-- putmany: many puts in one step. ARGV[2]: a json list of put's arguments (spec a string).
--- @include "includes/new_job.lua"

guard(PUTS)
local reply = {}
for _, r in ipairs(cjson.decode(ARGV[2])) do
  for _, part in ipairs(put(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])) do
    table.insert(reply, part)
  end
end
changed()
return reply
