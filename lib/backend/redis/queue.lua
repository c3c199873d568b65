-- Every queue step in one script (see lib/queue/steps.ts). All keys share one hash tag.
-- KEYS: jobs (hash id -> state json: coord's own fields only), specs (hash id -> the job's
--       spec json, as given), results (hash id -> result json, as returned), pending (zset
--       id -> ready at ms), active (zset id -> lease end ms), totals (hash state -> count of
--       finished jobs, and of waiting ones), workers (zset worker -> announced until ms),
--       counter (string: last id), inputs (hash id -> a postprocess job's input: its group's
--       parts' results, a json array), waiting (zset id -> created at ms: flow parts not yet
--       released), done_completed / done_failed / done_cancelled (zset id -> finished at ms:
--       finished jobs that are no flow's part, what list pages through and retention removes,
--       oldest first), config (hash: keepCompleted, keepFailed: retention json; paused: 1),
--       removed (zset "STATE:ID" -> removed at ms: what retention removed, so show and wait can
--       say so), dedupe (hash key -> the id of the job put with it), dedupe_until (zset key
--       -> end of its window ms), progress (hash id -> the latest progress json its run reported),
--       ready (zset id -> run order: the pending jobs whose start has come, by priority, then
--       start, then id), promoted (string: the backend time up to which pending jobs whose
--       start has come are in ready), trimmed_completed / trimmed_failed / trimmed_cancelled
--       (zset id -> finished at ms: the finished jobs of done_* that the queue's retention
--       governs, i.e. put without --keep), expiring (zset id -> when its own --keep's duration
--       ends, ms), outlived (zset id -> the count of finished jobs at which its own --keep's
--       count ends; totals' field "finished" counts them), parked (zset, all scores 0:
--       "GROUP\0ORDER\0ID", the due jobs of a --group waiting for room under the queue's
--       groupLimit, read by prefix), groups (hash "active:GROUP" / "ready:GROUP" -> that group's
--       jobs running / in ready)
-- ARGV: channel, op, op arguments…
-- User data (specs, results) is stored as the strings given and never decoded here: cjson
-- would turn [] into {} and cut numbers to 14 digits.

local jobs, specs, results, pending, active, totals, workers, counter, inputs =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local waiting, config, removed, dedupe, dedupe_until, progress = KEYS[10], KEYS[14], KEYS[15],
  KEYS[16], KEYS[17], KEYS[18]
local ready, promoted = KEYS[19], KEYS[20]
local TRIMMED = { completed = KEYS[21], failed = KEYS[22], cancelled = KEYS[23] }
local expiring, outlived = KEYS[24], KEYS[25]
local parked, groups = KEYS[26], KEYS[27]
local DONE = { completed = KEYS[11], failed = KEYS[12], cancelled = KEYS[13] }
-- The type coord keeps in each key.
local KINDS = { [jobs] = 'hash', [specs] = 'hash', [results] = 'hash', [pending] = 'zset',
  [active] = 'zset', [totals] = 'hash', [workers] = 'zset', [counter] = 'string',
  [inputs] = 'hash', [waiting] = 'zset', [DONE.completed] = 'zset', [DONE.failed] = 'zset',
  [DONE.cancelled] = 'zset', [config] = 'hash', [removed] = 'zset', [dedupe] = 'hash',
  [dedupe_until] = 'zset', [progress] = 'hash', [ready] = 'zset', [promoted] = 'string',
  [TRIMMED.completed] = 'zset', [TRIMMED.failed] = 'zset', [TRIMMED.cancelled] = 'zset',
  [expiring] = 'zset', [outlived] = 'zset', [parked] = 'zset', [groups] = 'hash' }
local call = checked_call(KINDS)

-- Foreign data is refused, never overwritten, and a refused step writes nothing. Every command
-- goes through `call`, which turns Redis' own refusal of a key of another type (before it
-- changes anything) into FOREIGN; so a key needs a TYPE check only where a step writes to it
-- after having written elsewhere. The steps each job takes check just those keys (`refuse`);
-- the rare steps check all 27 up front. SET, the one command that replaces a key of any type,
-- writes `promoted` only after a GET of it.
local verified = {}
local function refuse(keys)
  local expected = {}
  for _, key in ipairs(keys) do
    if not verified[key] then expected[key] = KINDS[key] end
    verified[key] = true
  end
  local refused = wrong_type(expected)
  if refused then error(refused) end
end

-- What removing finished jobs writes to.
local REMOVES = { jobs, specs, results, inputs, progress, totals, removed, expiring, outlived,
  DONE.completed, DONE.failed, DONE.cancelled, TRIMMED.completed, TRIMMED.failed,
  TRIMMED.cancelled }
-- What ending a job touches besides those (a flow's parts move their group on; retention reads
-- config).
local ENDS = { pending, ready, active, waiting, parked, groups, config, unpack(REMOVES) }
-- What a put writes to.
local PUTS = { jobs, specs, results, inputs, progress, pending, ready, parked, groups, counter,
  dedupe, dedupe_until, waiting, totals }

local PER_JOB = { put = true, putmany = true, putflow = true, claim = true, renew = true,
  progress = true, finish = true }
if not PER_JOB[op] then
  local refused = wrong_type(KINDS)
  if refused then return refused end
end

local now_ms = math.floor(now)

local STATES = { waiting = true, pending = true, active = true, completed = true, failed = true,
  cancelled = true }
local NUMBERS = { 'attempts', 'stalls', 'readyAt', 'createdAt' }

-- A job's state as coord wrote it, or nil and the text held instead (another program wrote
-- there). The steps compute with these fields, so each is checked before it is used.
local function decode(id)
  local json = call('HGET', jobs, id)
  if not json then return nil end
  local ok, job = pcall(cjson.decode, json)
  local wrong = not ok or type(job) ~= 'table' or job.id ~= id or not STATES[job.state]
    or (job.failures ~= nil and type(job.failures) ~= 'number')
    or (job.priority ~= nil and type(job.priority) ~= 'number')
    or (job.keep ~= nil and type(job.keep) ~= 'table')
    or (job.groupKey ~= nil and type(job.groupKey) ~= 'string')
  for _, field in ipairs(NUMBERS) do wrong = wrong or type(job[field]) ~= 'number' end
  if wrong then return nil, json end
  return job
end

local function load(id)
  local job, held = decode(id)
  if held then
    error({ err = 'FOREIGN ' .. jobs .. ' holds ' .. string.sub(held, 1, 60) .. ' for job ' .. id })
  end
  return job
end

-- Whether a job's part in `hash` is absent or JSON (of Lua type `want`, when given). Decoded
-- only to check it: see the note on user data above.
local function readable(hash, id, want)
  local json = call('HGET', hash, id)
  if not json then return true end
  local ok, value = pcall(cjson.decode, json)
  return ok and (want == nil or type(value) == want)
end

local function save(job)
  call('HSET', jobs, job.id, cjson.encode(job))
end

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
-- `ready`; the steps that take a job or end a run move only the jobs they park or free.
local function group_limit()
  return tonumber(call('HGET', config, 'groupLimit') or '') or math.huge
end

local function group_count(kind, group)
  return tonumber(call('HGET', groups, kind .. ':' .. group)) or 0
end

local function group_add(kind, group, delta)
  local field = kind .. ':' .. group
  if call('HINCRBY', groups, field, delta) <= 0 then call('HDEL', groups, field) end
end

-- The run order shifted by 2^52 is positive and below 2^53: 16 digits sort as the numbers do.
local function parked_member(group, order, id)
  return group .. '\0' .. string.format('%016.0f', order + 4503599627370496) .. '\0' .. id
end

-- Whether this step put a job into the run order, for an idle worker to hear of.
local became_ready = false

-- Moves `group`'s next parked jobs into `ready` while the group has room.
local function fill(group)
  local limit = group_limit()
  local prefix = group .. '\0'
  while group_count('active', group) + group_count('ready', group) < limit do
    local member = call('ZRANGEBYLEX', parked, '[' .. prefix, '(' .. group .. '\1',
      'LIMIT', 0, 1)[1]
    if not member then return end
    call('ZREM', parked, member)
    local order, id = string.match(string.sub(member, #prefix + 1), '^(%d+)%z(.*)$')
    call('ZADD', ready, exact(tonumber(order) - 4503599627370496), id)
    became_ready = true
    group_add('ready', group, 1)
  end
end

-- A due pending job joins the run order; one of a group is parked until the group has room.
local function make_ready(id, group, order)
  if not group then
    call('ZADD', ready, exact(order), id)
    became_ready = true
  elseif not call('ZSCORE', ready, id) then
    call('ZADD', parked, 0, parked_member(group, order, id))
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
    call('ZREM', parked,
      parked_member(job.groupKey, run_order(job.priority, job.readyAt), job.id))
    if was_ready then
      group_add('ready', job.groupKey, -1)
      fill(job.groupKey)
    end
  end
end

-- A run ends (finished, back to pending, abandoned): its group's slot goes to the next job.
local function deactivate(job)
  if call('ZREM', active, job.id) == 1 and job.groupKey then
    group_add('active', job.groupKey, -1)
    fill(job.groupKey)
  end
end

-- Moves the pending jobs whose start came since the last claim into `ready`: each job once, so a
-- claim costs O(log N) besides the jobs that became due. A backend clock that stepped back moves
-- the mark back with it, so a job put meanwhile is not skipped.
local function promote()
  local from = tonumber(call('GET', promoted) or '')
  if from and from > now_ms then from = now_ms end
  local due = call('ZRANGEBYSCORE', pending, from and '(' .. from or '-inf', now_ms,
    'WITHSCORES')
  for i = 1, #due, 2 do
    local job = decode(due[i])
    make_ready(due[i], job and job.groupKey, run_order(job and job.priority, due[i + 1]))
  end
  call('SET', promoted, now_ms)
end

-- Flows: a group is a job that never runs; its parts (jobs or groups) point to it with
-- `parent`. A part that ends moves its group on (the next serial part, the postprocess, or the
-- group's own end), all in the step that ended the part.
local finish

-- Makes a waiting job ready; a group starts its parts (all, or the first).
local function release(id)
  local job = load(id)
  if job.group then
    if job.group.kind == 'parallel' then
      for _, child in ipairs(job.group.children) do release(child) end
    else
      release(job.group.children[1])
    end
    return
  end
  call('HINCRBY', totals, 'waiting', -1)
  call('ZREM', waiting, id)
  job.state = 'pending'
  job.readyAt = now_ms
  save(job)
  enqueue(job)
end

-- A failed group's parts that have not started will not: cancelled.
local function abandon(group)
  local ids = { unpack(group.group.children) }
  if group.group.postprocess then table.insert(ids, group.group.postprocess) end
  for _, id in ipairs(ids) do
    local job = load(id)
    if job.state == 'waiting' or job.state == 'pending' then
      job.error = 'its group ' .. group.id .. ' failed'
      finish(job, 'cancelled')
    end
  end
end

local function part_ended(job)
  local parent = load(job.parent)
  if not parent or parent.state ~= 'waiting' then return end
  local group = parent.group
  if job.id == group.postprocess then
    local result = call('HGET', results, job.id)
    if result then call('HSET', results, parent.id, result) end
    if job.state ~= 'completed' then
      parent.error = 'postprocess ' .. job.id .. ' ' .. job.state .. ': ' .. (job.error or '')
    end
    finish(parent, job.state == 'completed' and 'completed' or 'failed')
    return
  end
  if job.state ~= 'completed' and not group.continueOnFailure then
    parent.error = 'part ' .. job.id .. ' ' .. job.state .. ': ' .. (job.error or '')
    finish(parent, 'failed')
    return
  end
  group.done = group.done + 1
  save(parent)
  if group.done < #group.children then
    if group.kind == 'serial' then release(group.children[group.done + 1]) end
    return
  end
  local parts = {}
  for i, child in ipairs(group.children) do
    parts[i] = load(child).state == 'completed' and call('HGET', results, child) or 'null'
  end
  local joined = '[' .. table.concat(parts, ',') .. ']'
  if group.postprocess then
    call('HSET', inputs, group.postprocess, joined)
    release(group.postprocess)
  else
    call('HSET', results, parent.id, joined)
    finish(parent, 'completed')
  end
end

-- A finished job that is no flow's part is listed, and kept by its queue's retention, or by
-- its own --keep: for a duration after it finished, and/or until that many more finished.
local function listed(job, state)
  call('ZADD', DONE[state], now_ms, job.id)
  local finished = call('HINCRBY', totals, 'finished', 1)
  if not job.keep then
    call('ZADD', TRIMMED[state], now_ms, job.id)
    return
  end
  if type(job.keep.ageMs) == 'number' then
    call('ZADD', expiring, now_ms + job.keep.ageMs, job.id)
  end
  if type(job.keep.count) == 'number' then
    call('ZADD', outlived, finished + job.keep.count, job.id)
  end
end

local function unlisted(id)
  for state, done in pairs(DONE) do
    call('ZREM', done, id)
    call('ZREM', TRIMMED[state], id)
  end
  call('ZREM', expiring, id)
  call('ZREM', outlived, id)
end

-- Whether this step ended a flow's group, which its waiter waits for.
local flow_ended = false

finish = function(job, state)
  if job.group then flow_ended = true end
  if job.state == 'waiting' then call('HINCRBY', totals, 'waiting', -1) end
  job.state = state
  job.finishedAt = now_ms
  dequeue(job)
  deactivate(job)
  call('ZREM', waiting, job.id)
  call('HINCRBY', totals, state, 1)
  -- A flow's parts stay as long as their flow: its postprocess and its result read them.
  if not job.parent then listed(job, state) end
  save(job)
  if job.group and state ~= 'completed' then abandon(job) end
  if job.parent then part_ended(job) end
end

-- Workers and waiters listen on the channel: one message a step is enough for them to re-read.
local published = false
local function changed()
  if published then return end
  published = true
  call('PUBLISH', channel, 'changed')
end

-- Retention: a finished job that is no flow's part goes, with its flow's parts, once it is
-- older than its queue keeps or more of its state are newer than the queue keeps. Each step
-- removes a bounded batch, oldest first, so no step scans the queue.
-- Whether a finished job's flow has a part still running (a parallel part that outlived its
-- group's failure): then the flow stays for now.
local function unfinished(id)
  local job = decode(id)
  if not job then return false end
  if job.state == 'active' or job.state == 'pending' or job.state == 'waiting' then return true end
  if not job.group then return false end
  for _, child in ipairs(job.group.children) do
    if unfinished(child) then return true end
  end
  return job.group.postprocess ~= nil and unfinished(job.group.postprocess)
end

local function drop(id)
  local job = decode(id)
  if job then
    call('HINCRBY', totals, job.state, -1)
    if job.group then
      for _, child in ipairs(job.group.children) do drop(child) end
      if job.group.postprocess then drop(job.group.postprocess) end
    end
  end
  call('HDEL', jobs, id)
  call('HDEL', specs, id)
  call('HDEL', results, id)
  call('HDEL', inputs, id)
  call('HDEL', progress, id)
end

-- Removes finished jobs `ids` (of `state`, else of the state each is in), remembering the newest
-- `max_removed` so show and wait can say so.
local function remove(state, ids, max_removed)
  if #ids == 0 then return 0 end
  refuse(REMOVES)
  local n = 0
  for _, id in ipairs(ids) do
    if not unfinished(id) then
      local job = decode(id)
      local ended = state or (job and DONE[job.state] and job.state) or 'failed'
      drop(id)
      unlisted(id)
      call('ZADD', removed, now_ms, ended .. ':' .. id)
      n = n + 1
    end
  end
  local over = call('ZCARD', removed) - max_removed
  if over > 0 then call('ZREMRANGEBYRANK', removed, 0, over - 1) end
  return n
end

-- What the queue keeps of `state` (its config, else `defaults`): { count =, ageMs = }.
local function keep(state, defaults)
  local field = state == 'completed' and 'keepCompleted' or 'keepFailed'
  local json = call('HGET', config, field)
  local ok, policy = pcall(cjson.decode, json or '')
  if ok and type(policy) == 'table' then return policy end
  return defaults[field]
end

-- Removes a few jobs of each finished state past what the queue keeps. `defaults_json`: what
-- a queue keeps when not configured, the batch, how many removed jobs to remember.
local function trim(defaults_json)
  local defaults = cjson.decode(defaults_json)
  local batch = defaults.batch
  for state, trimmed in pairs(TRIMMED) do
    local policy = keep(state, defaults)
    local doomed = {}
    if type(policy.ageMs) == 'number' then
      doomed = call('ZRANGEBYSCORE', trimmed, '-inf', '(' .. (now_ms - policy.ageMs),
        'LIMIT', 0, batch)
    end
    if #doomed == 0 and type(policy.count) == 'number' then
      local over = call('ZCARD', trimmed) - policy.count
      if over > 0 then doomed = call('ZRANGE', trimmed, 0, math.min(over, batch) - 1) end
    end
    remove(state, doomed, defaults.maxRemoved)
  end
  -- Jobs put with their own --keep, past it.
  remove(nil, call('ZRANGEBYSCORE', expiring, '-inf', now_ms, 'LIMIT', 0, batch),
    defaults.maxRemoved)
  local finished = tonumber(call('HGET', totals, 'finished')) or 0
  remove(nil, call('ZRANGEBYSCORE', outlived, '-inf', finished, 'LIMIT', 0, batch),
    defaults.maxRemoved)
end

-- The job put with dedupe `key`, while it is unfinished or its window lasts.
local function deduplicated(key)
  local id = call('HGET', dedupe, key)
  local job = id and decode(id)
  if not job then return nil end
  local live = job.state == 'pending' or job.state == 'active' or job.state == 'waiting'
  if live or tonumber(call('ZSCORE', dedupe_until, key) or 0) > now_ms then return job end
end

-- Forgets a few dedupe keys whose window is over and whose job finished (one whose job still
-- runs stays, and is forgotten by a later put once it has finished).
local function trim_dedupe()
  for _, key in ipairs(call('ZRANGEBYSCORE', dedupe_until, '-inf', now_ms, 'LIMIT', 0, 10)) do
    if not deduplicated(key) then
      call('HDEL', dedupe, key)
      call('ZREM', dedupe_until, key)
    end
  end
end

-- Adds a job unless its id (or its dedupe key) is taken:
-- { 1 created or 0, its state, its spec, 1 when it was found by its dedupe key or 0 }.
local function put(id, spec, ready_arg, begin_by, dedupe_key, dedupe_ms, priority, keep_json,
    group)
  trim_dedupe()
  if dedupe_key ~= '' and (id == '' or call('HEXISTS', jobs, id) == 0) then
    local first = deduplicated(dedupe_key)
    if first then return { 0, cjson.encode(first), call('HGET', specs, first.id), 1 } end
  end
  -- "+MS": that long from now on the server's clock; else an instant.
  local ready_at = string.sub(ready_arg, 1, 1) == '+'
    and now_ms + tonumber(string.sub(ready_arg, 2)) or tonumber(ready_arg)
  if id == '' then
    local last = call('GET', counter)
    if last and not tonumber(last) then
      error({ err = 'FOREIGN ' .. counter .. ' holds "' .. last .. '"' })
    end
    -- Numbers taken by an --id are skipped.
    repeat id = tostring(call('INCR', counter)) until call('HEXISTS', jobs, id) == 0
  elseif call('HEXISTS', jobs, id) == 1 then
    local job = load(id)
    return { 0, cjson.encode(job), call('HGET', specs, id), 0 }
  end
  if dedupe_key ~= '' then
    call('HSET', dedupe, dedupe_key, id)
    call('ZADD', dedupe_until, now_ms + tonumber(dedupe_ms), dedupe_key)
  end
  -- --begin-by counts from when the job may start.
  local job = { id = id, state = 'pending', attempts = 0, failures = 0, stalls = 0,
    readyAt = ready_at, createdAt = now_ms,
    beginBy = tonumber(begin_by) and ready_at + tonumber(begin_by),
    priority = tonumber(priority) ~= 0 and tonumber(priority) or nil,
    keep = keep_json ~= '' and cjson.decode(keep_json) or nil,
    groupKey = group ~= '' and group or nil }
  save(job)
  call('HDEL', results, id)
  call('HDEL', inputs, id)
  call('HDEL', progress, id)
  call('HSET', specs, id, spec)
  enqueue(job)
  return { 1, cjson.encode(job), spec, 0 }
end

if op == 'put' then
  refuse(PUTS)
  local reply = put(ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10],
    ARGV[11])
  if reply[1] == 1 then changed() end
  return reply
end

-- Many puts in one step: ARGV[3] is a json list of the arguments of put (spec a string).
if op == 'putmany' then
  refuse(PUTS)
  local reply = {}
  for _, r in ipairs(cjson.decode(ARGV[3])) do
    for _, part in ipairs(put(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])) do
      table.insert(reply, part)
    end
  end
  changed()
  return reply
end

if op == 'putflow' then
  refuse(PUTS)
  local ok, nodes = pcall(cjson.decode, ARGV[3])
  if not ok then return redis.error_reply('malformed flow') end
  if call('HEXISTS', jobs, nodes[1].id) == 1 then return 0 end
  for _, node in ipairs(nodes) do
    local job = { id = node.id, state = node.released and 'pending' or 'waiting', attempts = 0,
      failures = 0, stalls = 0, readyAt = now_ms, createdAt = now_ms, parent = node.parent,
      priority = node.priority }
    if node.group then
      node.group.done = 0
      job.group = node.group
    end
    save(job)
    call('HSET', specs, node.id, node.spec or '{}')
    if node.released then
      enqueue(job)
    else
      call('HINCRBY', totals, 'waiting', 1)
      call('ZADD', waiting, now_ms, node.id)
    end
  end
  changed()
  return 1
end

-- What taking a job touches once it has written; retention's reads and its own check cover
-- the rest.
local TAKES = { jobs, specs, inputs, active, pending, ready, promoted, parked, groups, waiting }

-- Leases the first job ready to run to `worker` (see claim).
local function take(worker, lease_ms, max_stalls)
  -- Jobs whose worker died: back to pending, or failed once abandoned too often.
  -- A job this step cannot read is handed back to the worker to fail, without stopping the
  -- claim for good: the same claim then finds the next job.
  local stalled = call('ZRANGEBYSCORE', active, '-inf', '(' .. now_ms, 'LIMIT', 0, 100)
  if #stalled > 0 then refuse(ENDS) end
  for _, id in ipairs(stalled) do
    local job, held = decode(id)
    if held then return { 'undecodable', id, held } end
    deactivate(job)
    job.stalls = job.stalls + 1
    if job.stalls > max_stalls then
      job.error = 'abandoned ' .. job.stalls .. ' times by workers that stopped answering'
      finish(job, 'failed')
      changed()
    else
      job.state = 'pending'
      job.readyAt = now_ms
      save(job)
      enqueue(job)
    end
  end
  if call('HGET', config, 'paused') == '1' then return { 'none', '' } end
  promote()
  for _ = 1, 100 do
    local first = call('ZRANGE', ready, 0, 0)[1]
    if not first then
      -- The next start to come: due jobs left in pending wait for their group, not a time.
      local next = call('ZRANGEBYSCORE', pending, '(' .. now_ms, '+inf', 'WITHSCORES',
        'LIMIT', 0, 1)
      return { 'none', next[2] or '' }
    end
    local job, held = decode(first)
    if not job then return { 'undecodable', first, held or '' } end
    if job.state ~= 'pending' then
      -- Not pending any more (whatever left it there): it has no place in the run order.
      call('ZREM', ready, first)
    elseif job.groupKey and group_count('active', job.groupKey) >= group_limit() then
      -- Its group's limit was lowered since it joined the run order: parked again.
      call('ZREM', ready, first)
      group_add('ready', job.groupKey, -1)
      call('ZADD', parked, 0,
        parked_member(job.groupKey, run_order(job.priority, job.readyAt), first))
    -- Only a first start can be too late: a retry or a recovered job has started in time.
    elseif job.beginBy and job.beginBy < now_ms and job.attempts == 0 then
      -- Checked this late, the steps before wrote only where due jobs wait in the run order.
      refuse(ENDS)
      job.error = 'expired: not started by its --begin-by'
      finish(job, 'failed')
      changed()
    else
      -- Counted as running first, so the place it leaves in ready is not refilled.
      if job.groupKey then group_add('active', job.groupKey, 1) end
      dequeue(job)
      call('ZADD', active, now_ms + lease_ms, first)
      job.state = 'active'
      job.attempts = job.attempts + 1
      job.worker = worker
      job.startedAt = now_ms
      -- Taking a job makes none ready: no one needs to hear of it.
      save(job)
      return { 'job', cjson.encode(job), call('HGET', specs, first) or '',
        call('HGET', inputs, first) or '', first }
    end
  end
  return { 'none', now_ms }
end


if op == 'claim' then
  refuse(TAKES)
  -- Idle queues age out too: every claim removes a few jobs past what the queue keeps.
  trim(ARGV[6])
  return take(ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]))
end

-- The attempt fences a worker's run: once its lease ran out and the job was claimed again
-- (even by the same worker), the old run can neither renew nor finish it.
local function owned(id, worker, attempt)
  local job = load(id)
  if job and job.state == 'active' and job.worker == worker and job.attempts == tonumber(attempt)
  then return job end
end

if op == 'renew' then
  local id, worker, attempt, lease_ms = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
  if not owned(id, worker, attempt) then return 0 end
  call('ZADD', active, 'XX', now_ms + lease_ms, id)
  return 1
end

-- A running job's progress, from the run that holds it; a run that lost the job is refused, so
-- a late write cannot overwrite what the job's current run reported.
if op == 'progress' then
  local id, worker, attempt, value = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
  if not owned(id, worker, attempt) then return 0 end
  call('HSET', progress, id, value)
  changed()
  return 1
end

-- ARGV[10], ARGV[11]: the lease and the stall limit of the worker's next job, taken in the same
-- step ('' when the worker takes none: it is stopping, or has no free slot): { 1 or 0, then
-- what claim returns }.
if op == 'finish' then
  local id, worker, attempt, outcome, payload, delay_ms =
    ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
  local next_lease_ms = tonumber(ARGV[10] or '')
  refuse(ENDS)
  if next_lease_ms then refuse(TAKES) end
  local job = owned(id, worker, attempt)
  if not job then return next_lease_ms and { 0 } or 0 end
  if outcome == 'completed' then
    call('HSET', results, id, payload)
    job.error = nil
    finish(job, 'completed')
  elseif outcome == 'failed' then
    job.error = payload
    job.failures = (job.failures or 0) + 1
    finish(job, 'failed')
  else
    -- retry: a failure that leaves retries; release: a run cut short by its worker's stop.
    if outcome == 'retry' then
      job.error = payload
      job.failures = (job.failures or 0) + 1
    end
    deactivate(job)
    job.state = 'pending'
    job.readyAt = now_ms + tonumber(delay_ms)
    enqueue(job)
    save(job)
  end
  trim(ARGV[9])
  -- Heard by idle workers when a job became ready (a retry, a flow's next part, a group's
  -- room) and by waiters when the queue has nothing left running; a waiter of a job finished
  -- in a busy queue reads it on its re-check. Not on every finish: a busy worker would hear
  -- all its own jobs end.
  if became_ready or outcome == 'retry' or flow_ended or call('ZCARD', active) == 0 then
    changed()
  end
  if not next_lease_ms then return 1 end
  return { 1, unpack(take(worker, next_lease_ms, tonumber(ARGV[11]))) }
end

-- A job whose stored parts cannot be read fails with the reason; what cannot be read is
-- replaced by coord's own, so show and wait answer for it from now on.
if op == 'fail_undecodable' then
  local id, reason = ARGV[3], ARGV[4]
  local job = decode(id) or { id = id, attempts = 0, stalls = 0, readyAt = now_ms,
    createdAt = now_ms }
  if job.state == 'waiting' then call('HINCRBY', totals, 'waiting', -1) end
  if job.state ~= 'failed' then call('HINCRBY', totals, 'failed', 1) end
  job.state = 'failed'
  job.error = reason
  job.finishedAt = now_ms
  save(job)
  dequeue(job)
  deactivate(job)
  call('ZREM', waiting, id)
  unlisted(id)
  if not job.parent then listed(job, 'failed') end
  if not readable(specs, id, 'table') then call('HSET', specs, id, '{}') end
  if not readable(results, id) then call('HDEL', results, id) end
  if not readable(inputs, id, 'table') then call('HDEL', inputs, id) end
  changed()
  return 1
end

if op == 'cancel' then
  local id = ARGV[3]
  local job = load(id)
  if not job then return {} end
  if not readable(specs, id, 'table') then
    return foreign(specs .. ' holds ' .. string.sub(call('HGET', specs, id), 1, 60) ..
      ' for job ' .. id)
  end
  local cancelled = 0
  -- A running job ends here; its worker sees it is no longer its own and stops the run.
  if job.state == 'pending' or job.state == 'waiting' or job.state == 'active' then
    job.error = job.state == 'active' and 'cancelled while running' or 'cancelled'
    finish(job, 'cancelled')
    changed()
    cancelled = 1
  end
  return { cjson.encode(job), call('HGET', specs, id), cancelled }
end

if op == 'get' then
  local id = ARGV[3]
  local job = call('HGET', jobs, id)
  if not job then return {} end
  load(id)
  return { job, call('HGET', specs, id) or '{}', call('HGET', results, id) or '',
    call('HGET', inputs, id) or '', call('HGET', progress, id) or '' }
end

-- Removes up to `limit` finished jobs of a state, those finished before `older_than_ms` ago.
if op == 'purge' then
  local state, older_than_ms, limit, max_removed = ARGV[3], ARGV[4], tonumber(ARGV[5]),
    tonumber(ARGV[6])
  local before = older_than_ms == '' and '+inf' or '(' .. (now_ms - tonumber(older_than_ms))
  local n = remove(state, call('ZRANGEBYSCORE', DONE[state], '-inf', before, 'LIMIT', 0,
    limit), max_removed)
  if n > 0 then changed() end
  return n
end

if op == 'removed' then
  local id = ARGV[3]
  for state in pairs(DONE) do
    local at = call('ZSCORE', removed, state .. ':' .. id)
    if at then return { state, at } end
  end
  return {}
end

-- Sets what is given ('' leaves a field as it is) and returns the stored config.
if op == 'config' then
  local keep_completed, keep_failed, paused, group_limit_arg = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
  for _, field in ipairs({ 'keepCompleted', 'keepFailed' }) do
    local json = call('HGET', config, field)
    local ok, keep = pcall(cjson.decode, json or '{}')
    if not ok or type(keep) ~= 'table' then
      return foreign(config .. ' holds ' .. string.sub(json, 1, 60) .. ' for ' .. field)
    end
  end
  if keep_completed ~= '' then call('HSET', config, 'keepCompleted', keep_completed) end
  if keep_failed ~= '' then call('HSET', config, 'keepFailed', keep_failed) end
  if paused ~= '' then
    call('HSET', config, 'paused', paused)
    changed()
  end
  -- 'none': no limit. A raised limit lets each group's parked jobs in at once.
  if group_limit_arg ~= '' then
    if group_limit_arg == 'none' then
      call('HDEL', config, 'groupLimit')
    else
      call('HSET', config, 'groupLimit', group_limit_arg)
    end
    local seen = {}
    for _, field in ipairs(call('HKEYS', groups)) do
      local group = string.match(field, '^%a+:(.*)$')
      if group and not seen[group] then
        seen[group] = true
        fill(group)
      end
    end
    changed()
  end
  return { call('HGET', config, 'keepCompleted') or '',
    call('HGET', config, 'keepFailed') or '', call('HGET', config, 'paused') or '',
    call('HGET', config, 'groupLimit') or '' }
end

-- A page of a state's jobs after the cursor (its last job's score and id): finished jobs
-- newest first, others in the order they run. The page goes on from the cursor's rank while
-- its job is still there (O(log N) whatever jobs come and go), else from its score.
if op == 'list' then
  local state, after_score, after_id, limit = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
  local desc = DONE[state] ~= nil
  local zset = DONE[state] or (state == 'active' and active) or
    (state == 'waiting' and waiting) or pending
  local lo, hi = '-inf', '+inf'
  if state == 'pending' then hi = now_ms elseif state == 'scheduled' then lo = '(' .. now_ms end
  local found = {}
  local function within(score)
    score = tonumber(score)
    return (state ~= 'pending' or score <= now_ms) and (state ~= 'scheduled' or score > now_ms)
  end
  local function take(reply)
    for i = 1, #reply, 2 do
      if #found >= limit * 2 or not within(reply[i + 1]) then return end
      table.insert(found, reply[i])
      table.insert(found, reply[i + 1])
    end
  end
  if after_id == '' then
    if desc then
      take(call('ZREVRANGEBYSCORE', zset, hi, lo, 'WITHSCORES', 'LIMIT', 0, limit))
    else
      take(call('ZRANGEBYSCORE', zset, lo, hi, 'WITHSCORES', 'LIMIT', 0, limit))
    end
  elseif tonumber(call('ZSCORE', zset, after_id)) == tonumber(after_score) then
    local rank = call(desc and 'ZREVRANK' or 'ZRANK', zset, after_id)
    take(call(desc and 'ZREVRANGE' or 'ZRANGE', zset, rank + 1, rank + limit, 'WITHSCORES'))
  else
    local ties = call('ZRANGEBYSCORE', zset, after_score, after_score, 'WITHSCORES')
    local after = {}
    for i = 1, #ties, 2 do
      if (desc and ties[i] < after_id) or (not desc and ties[i] > after_id) then
        table.insert(after, ties[i])
        table.insert(after, ties[i + 1])
      end
    end
    if desc then
      local reversed = {}
      for i = #after - 1, 1, -2 do
        table.insert(reversed, after[i])
        table.insert(reversed, after[i + 1])
      end
      after = reversed
    end
    take(after)
    if #found < limit * 2 then
      local rest = limit - #found / 2
      if desc then
        take(call('ZREVRANGEBYSCORE', zset, '(' .. after_score, lo, 'WITHSCORES', 'LIMIT', 0,
          rest))
      else
        take(call('ZRANGEBYSCORE', zset, '(' .. after_score, hi, 'WITHSCORES', 'LIMIT', 0,
          rest))
      end
    end
  end
  local reply = {}
  for i = 1, #found, 2 do
    local id = found[i]
    table.insert(reply, found[i + 1])
    table.insert(reply, call('HGET', jobs, id) or '')
    table.insert(reply, call('HGET', specs, id) or '{}')
    table.insert(reply, call('HGET', progress, id) or '')
  end
  return reply
end

-- A failed or cancelled job that is no flow's part goes back to pending, attempts reset, its
-- last error kept in its history; any other job is left as it is.
if op == 'retry' then
  local id = ARGV[3]
  local job = load(id)
  if not job then return {} end
  local retried = 0
  if (job.state == 'failed' or job.state == 'cancelled') and not job.parent and not job.group then
    job.history = job.history or {}
    table.insert(job.history, { state = job.state, error = job.error or '',
      attempts = job.attempts, finishedAt = job.finishedAt })
    call('HINCRBY', totals, job.state, -1)
    unlisted(id)
    job.state = 'pending'
    job.attempts = 0
    job.failures = 0
    job.stalls = 0
    job.error = nil
    job.finishedAt = nil
    job.readyAt = now_ms
    job.beginBy = nil
    save(job)
    call('HDEL', progress, id)
    enqueue(job)
    changed()
    retried = 1
  end
  return { cjson.encode(job), call('HGET', specs, id) or '{}', retried }
end

if op == 'counts' then
  call('ZREMRANGEBYSCORE', workers, '-inf', '(' .. now_ms)
  local oldest = call('ZRANGEBYSCORE', pending, '-inf', now_ms, 'WITHSCORES', 'LIMIT', 0, 1)
  local ready = call('ZCOUNT', pending, '-inf', now_ms)
  local totals_list = call('HGETALL', totals)
  local reply = { ready, call('ZCARD', pending) - ready, call('ZCARD', active),
    oldest[2] or '', cjson.encode(call('ZRANGE', workers, 0, -1)),
    call('HGET', config, 'paused') or '' }
  for _, value in ipairs(totals_list) do table.insert(reply, value) end
  return reply
end

if op == 'announce' then
  local worker, ttl_ms = ARGV[3], tonumber(ARGV[4])
  if ttl_ms > 0 then
    call('ZADD', workers, now_ms + ttl_ms, worker)
  else
    call('ZREM', workers, worker)
  end
  call('ZREMRANGEBYSCORE', workers, '-inf', '(' .. now_ms)
  return 1
end

return redis.error_reply('unknown queue op ' .. tostring(op))
