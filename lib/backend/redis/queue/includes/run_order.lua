-- The run order: when a pending job is ready, in what order ready jobs run, and the room each
-- --group has.
--- @include "job.lua"

-- Priorities: a pending job whose start has come is in `ready`, scored so that a higher
-- priority comes first, then an earlier start (FIFO), then the id. Starts are epoch ms (< 2^42
-- until 2109) and priorities within ±1000, so the score stays an exact integer of a double.
-- Formatted by hand: Lua would print it with 14 digits.
local function run_order(priority, ready_at)
  return tonumber(ready_at) - (tonumber(priority) or 0) * 4398046511104
end

local function exact(n) return string.format('%.0f', n) end

-- Group limits: at most the queue's groupLimit jobs of one --group run at once. A due job of a
-- group is parked until its group has room (running + ready below the limit), then joins
-- `ready`, where a better one of its group come due later takes its place (`overtake`); the
-- steps that take a job or end a run move only the jobs of the groups they touch.
local function group_limit()
  return tonumber(setting('groupLimit') or '') or math.huge
end

-- A group's counts, added to with HINCRBY: a value that is no whole number fails that command,
-- and with it the step half done (a script is not undone: a cancelled job out of the run order
-- yet pending, a put job in it without its record). So each step reads the counts of the groups
-- it will touch (only those: every step touches only the groups of the jobs it moves) before its
-- first write, where it still can refuse another program's (`group_count_ok`, keys.lua).
local groups_checked = {}

-- Checks the counts of `names` (groups; repeats are fine) that the step has not checked yet,
-- in one command. Before the step's first write another program's count refuses the step; after
-- it, the refusal is returned, for the step to stop short of that group.
local function check_groups(names)
  local fields, seen = {}, {}
  for _, group in ipairs(names) do
    if not groups_checked[group] and not seen[group] then
      seen[group] = true
      table.insert(fields, 'active:' .. group)
      table.insert(fields, 'ready:' .. group)
    end
  end
  if #fields == 0 then return end
  for i, value in ipairs(read_many('HMGET', groups, fields)) do
    if value and not group_count_ok(value) then
      local refused = foreign(foreign_value(groups, fields[i], value))
      if not wrote then error(refused) end
      return refused
    end
  end
  for group in pairs(seen) do groups_checked[group] = true end
end

-- The groups of the jobs `ids` (read in one command), for `check_groups`.
local function groups_of(ids)
  read_ahead(ids)
  local names = {}
  for _, id in ipairs(ids) do
    local job = peek(id)
    if job and job.groupKey then table.insert(names, job.groupKey) end
  end
  return names
end

-- A group's counts the step did not check before it wrote: another program's are named (65),
-- though the step stops half done. Every step checks its groups up front; this is the last guard.
local function counted(group)
  if groups_checked[group] then return end
  local refused = check_groups({ group })
  if refused then error(refused) end
end

local function group_count(kind, group)
  counted(group)
  return tonumber(call('HGET', groups, kind .. ':' .. group)) or 0
end

local function group_add(kind, group, delta)
  counted(group)
  local field = kind .. ':' .. group
  if call('HINCRBY', groups, field, delta) <= 0 then call('HDEL', groups, field) end
end

-- A due job of a --group is in `parked` as "GROUP\0ORDER\0ID" while it waits for room, and as
-- "GROUP\0-ORDER\0ID" while it is in ready: its group's jobs in ready sort before its waiting
-- ones, and the last of them is the one a better job come due displaces. ORDER is the run
-- order shifted by 2^52, positive and below 2^53: 16 digits sort as the numbers do.
local ORDER_SHIFT = 4503599627370496

local function parked_member(group, order, id, in_ready)
  return group .. (in_ready and '\0-' or '\0') .. string.format('%016.0f', order + ORDER_SHIFT)
    .. '\0' .. id
end

-- The run order and id a member of `group` in `parked` holds.
local function parked_entry(group, member)
  local order, id = string.match(string.sub(member, #group + 2), '^%-?(%d+)%z(.*)$')
  return tonumber(order) - ORDER_SHIFT, id
end

-- The group of job `id`, in ready, and its member in parked, for a step that cannot read its
-- record (another program wrote over it): its member names the group, where its record no longer
-- does. Looked for among the groups with jobs in ready, in two reads; nil when it has none (no
-- group's, or put in ready by a coord that did not keep it in parked).
local function ready_member(id)
  local order = call('ZSCORE', ready, id)
  if not order then return end
  local members = {}
  for _, field in ipairs(call('HKEYS', groups)) do
    local group = string.match(field, '^ready:(.*)$')
    if group then table.insert(members, parked_member(group, tonumber(order), id, true)) end
  end
  for i, score in ipairs(read_many('ZMSCORE', parked, members)) do
    if score then return string.match(members[i], '^(.-)%z'), members[i] end
  end
end

-- Whether this step put a job into the run order, for an idle worker to hear of.
local became_ready = false

local function join_ready(group, order, id)
  call('ZADD', parked, 0, parked_member(group, order, id, true))
  call('ZADD', ready, exact(order), id)
  became_ready = true
end

-- A job of `group` leaves ready, and waits for room again (its group's count is the caller's).
local function wait_again(group, order, id)
  call('ZREM', ready, id)
  call('ZREM', parked, parked_member(group, order, id, true))
  call('ZADD', parked, 0, parked_member(group, order, id))
end

-- A group's jobs in ready are its first ones, as on SQL (`#overtake`): while its best waiting
-- job is ahead of its last one in ready, the two change places. A lowered limit may have sent
-- the best back to wait behind worse ones, so it goes on to the end, not one swap a job come
-- due. (A job put in ready by a coord that did not keep it in `parked` is not displaced.)
local function overtake(group)
  -- A guard only: each swap puts a better job in ready, so the swaps end within its jobs there.
  for _ = 1, 1000 do
    local best = call('ZRANGEBYLEX', parked, '[' .. group .. '\0' .. '0', '(' .. group .. '\1',
      'LIMIT', 0, 1)[1]
    if not best then return end
    local order, id = parked_entry(group, best)
    local last = call('ZREVRANGEBYLEX', parked, '(' .. group .. '\0.',
      '(' .. parked_member(group, order, id, true), 'LIMIT', 0, 1)[1]
    if not last then return end
    call('ZREM', parked, best)
    wait_again(group, parked_entry(group, last))
    join_ready(group, order, id)
  end
end

-- Puts `group`'s best jobs in ready (see `overtake`), then moves its next parked jobs there
-- while the group has room.
local function fill(group)
  overtake(group)
  local limit = group_limit()
  while group_count('active', group) + group_count('ready', group) < limit do
    -- Digits follow the group's \0 in a waiting job's member, '-' in one in ready.
    local member = call('ZRANGEBYLEX', parked, '[' .. group .. '\0' .. '0', '(' .. group .. '\1',
      'LIMIT', 0, 1)[1]
    if not member then return end
    call('ZREM', parked, member)
    local order, id = parked_entry(group, member)
    join_ready(group, order, id)
    group_add('ready', group, 1)
  end
end

-- A due pending job joins the run order; one of a group waits in `parked` for its group's room,
-- or takes the place of a worse one of its group in ready (see `overtake`).
local function make_ready(id, group, order)
  if not group then
    call('ZADD', ready, exact(order), id)
    became_ready = true
  elseif not call('ZSCORE', ready, id) then
    local waiting_member = parked_member(group, order, id)
    -- One parked already (a clock stepped back: due jobs are gone through again) stays so.
    if not call('ZSCORE', parked, waiting_member) then call('ZADD', parked, 0, waiting_member) end
    fill(group)
  end
end

-- A job becomes pending: ready at once when its start has come, else when a claim finds it due.
local function enqueue(job)
  call('ZADD', pending, job.readyAt, job.id)
  if job.readyAt <= now_ms then
    make_ready(job.id, job.groupKey, run_order(job.priority, job.readyAt))
  end
end

-- A job leaves pending (taken, cancelled, expired): its place in a group frees up.
local function dequeue(job)
  call('ZREM', pending, job.id)
  local was_ready = call('ZREM', ready, job.id) == 1
  if job.groupKey then
    local order = run_order(job.priority, job.readyAt)
    call('ZREM', parked, parked_member(job.groupKey, order, job.id),
      parked_member(job.groupKey, order, job.id, true))
    if was_ready then
      group_add('ready', job.groupKey, -1)
      fill(job.groupKey)
    end
  end
end

-- A run ends (finished, back to pending, abandoned): its group's slot goes to the next job.
local function deactivate(job)
  if call('ZREM', active, job.id) == 1 and job.groupKey then
    call('HDEL', groups, 'running:' .. job.id)
    group_add('active', job.groupKey, -1)
    fill(job.groupKey)
  end
end

-- Jobs one step promotes at most (besides those sharing the last one's start): a backlog put in
-- bulk is gone through over several steps, not in one script that holds the server for seconds.
local PROMOTE_BATCH = 1000

-- The groups of the due jobs that promotion places (`due`: what `due_jobs` read).
local function due_groups(due)
  local unplaced = {}
  for k, id in ipairs(due.ids) do
    if not due.placed[k] then table.insert(unplaced, id) end
  end
  return groups_of(unplaced)
end

-- What promotion reads (see `promote`): the pending jobs whose start came since the last claim,
-- at most a batch (besides those sharing the last one's start), with their starts and whether
-- each is in the run order already; where the mark goes; whether that is all of them. A mark
-- ahead of the clock (the backend's clock stepped back) says nothing of the jobs put since,
-- which may have come due before now: promotion goes through every due job again, from the
-- first, and the mark moves back with the clock.
local function due_jobs()
  local from = tonumber(call('GET', promoted) or '')
  local stepped_back = from and from > now_ms
  local low = (from and not stepped_back) and '(' .. from or '-inf'
  local due = call('ZRANGEBYSCORE', pending, low, now_ms, 'WITHSCORES', 'LIMIT', 0, PROMOTE_BATCH)
  local mark, all = now_ms, true
  if #due == 2 * PROMOTE_BATCH then
    -- More may follow. Every job at the last start is gone through now (a mark between jobs of
    -- one start would skip some): those before it from `due`, then all of them.
    local last = due[#due]
    local before = {}
    for i = 1, #due, 2 do
      if due[i + 1] ~= last then
        table.insert(before, due[i])
        table.insert(before, due[i + 1])
      end
    end
    due = before
    for _, part in ipairs(call('ZRANGEBYSCORE', pending, last, last, 'WITHSCORES')) do
      table.insert(due, part)
    end
    mark, all = tonumber(last), false
  end
  local ids, starts = {}, {}
  for i = 1, #due, 2 do
    table.insert(ids, due[i])
    table.insert(starts, due[i + 1])
  end
  -- A job put when its start had come joined the run order then: only the others are read.
  return { ids = ids, starts = starts, placed = read_many('ZMSCORE', ready, ids), mark = mark,
    all = all, stepped_back = stepped_back }
end

-- Moves the pending jobs whose start came since the last claim into `ready`: each job once, so a
-- claim costs O(log N) besides the jobs that became due. `due`: what `due_jobs` read before the
-- step wrote, read again if the step changed pending or ready since, unless `placed_only` (the
-- step only added jobs that it placed in the run order itself). Returns false when more jobs
-- are due than one step goes through: the mark then stands at the last start gone through.
local function promote(due, placed_only)
  if not due or (not placed_only and (moved[pending] or moved[ready])) then due = due_jobs() end
  for k, id in ipairs(due.ids) do
    if not due.placed[k] then
      local job = decode(id)
      local group = job and job.groupKey
      if group and check_groups({ group }) then
        -- Another program's counts, met after the step wrote (the due jobs read again): the
        -- mark stays before this job, whose group the next step reads before it writes.
        call('SET', promoted, exact(tonumber(due.starts[k]) - 1))
        return false
      end
      make_ready(id, group, run_order(job and job.priority, due.starts[k]))
    end
  end
  -- With nothing come due the mark may stay (the next step reads on from it), so a claim that
  -- finds nothing writes nothing — unless it is ahead of a clock that stepped back.
  if #due.ids > 0 or due.stepped_back then call('SET', promoted, due.mark) end
  return due.all
end
