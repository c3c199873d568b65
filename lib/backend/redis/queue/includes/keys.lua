-- The queue's keys, the type coord keeps in each, and how a step touches them: every command
-- through `call`, the checks of the keys it writes, its one instant and its one message.
-- All keys share one hash tag.
-- KEYS: jobs (hash id -> state json: coord's own fields only), specs (hash id -> the job's
--       spec json, as given), results (hash id -> result json, as returned), pending (zset
--       id -> ready at ms), active (zset id -> lease end ms), totals (hash state -> count of
--       finished jobs, and of waiting ones), workers (zset worker -> announced until ms),
--       counter (string: last id), inputs (hash id -> a postprocess job's input: its group's
--       parts' results, a json array), waiting (zset id -> created at ms: flow parts not yet
--       released), done_completed / done_failed / done_cancelled (zset id -> finished at ms:
--       finished jobs that are no flow's part, what list pages through and retention removes,
--       oldest first), config (hash: keepCompleted, keepFailed: retention json; paused: 1 or 0;
--       groupLimit: a count; version: 2, see SETTINGS; nothing else), removed (zset "STATE:ID"
--       -> removed at ms: what retention or purge removed, so show and wait can say so), dedupe
--       (hash key -> the id of the job put with it), dedupe_until (zset key -> end of its window
--       ms), progress (hash id -> the latest progress json its run reported),
--       ready (zset id -> run order: the pending jobs whose start has come, by priority, then
--       start, then id), promoted (string: the backend time up to which pending jobs whose
--       start has come are in ready), trimmed_completed / trimmed_failed / trimmed_cancelled
--       (zset id -> finished at ms: the finished jobs of done_* that the queue's retention
--       governs, i.e. put without --keep), expiring (zset id -> when its own --keep's duration
--       ends, ms), outlived (zset id -> the count of finished jobs at which its own --keep's
--       count ends; totals' field "finished" counts them), parked (zset, all scores 0:
--       "GROUP\0ORDER\0ID", the due jobs of a --group waiting for room under the queue's
--       groupLimit, and "GROUP\0-ORDER\0ID", those of its jobs in ready; read by prefix),
--       groups (hash "active:GROUP" / "ready:GROUP" -> that group's jobs running / in ready,
--       "running:ID" -> the group of running job ID)
-- ARGV[1]: the queue's change channel, then the step's own arguments (see each step's file).
-- User data (specs, results) is stored as the strings given and never decoded here: cjson
-- would turn [] into {} and cut numbers to 14 digits.
--- @include "../../includes/state_fields.lua"

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
-- Foreign data is refused, never overwritten, and a refused step writes nothing. Redis refuses
-- a command on a key of another type (WRONGTYPE) before it changes anything, and `checked_call`
-- turns that into FOREIGN: so until a step first writes, its commands are their own type check.
-- A script is not undone by an error, though: so right before its first write, `call` checks
-- the type (TYPE) of each key the step may touch later (what it declared with `guard`) that no
-- command of the step has touched yet. A key a command succeeded on keeps its type for the
-- rest of the step (a script runs alone). SET, the one command that replaces a key of any type,
-- writes `promoted` only after a GET of it.
local checked = checked_call(KINDS)
-- The commands that change no key: the rest count as writes.
local READS = { GET = true, HGET = true, HGETALL = true, HEXISTS = true, HKEYS = true, HSCAN = true,
  HMGET = true, ZCARD = true, ZCOUNT = true, ZRANGE = true, ZRANGEBYLEX = true,
  ZRANGEBYSCORE = true, ZREVRANGEBYLEX = true, ZREVRANGEBYSCORE = true, ZSCORE = true,
  ZMSCORE = true, PUBLISH = true }
local verified = {}
local guarded = {}
local wrote = false
-- Whether the step checked every key up front (`refuse_all`): it may touch any of them.
local refused_all = false

-- The totals' fields, counts the steps add to with HINCRBY. A value that is no whole number
-- fails that command, and with it the step half done (a script is not undone: a job taken out
-- of the run order but never saved as cancelled, lost), so it is refused before the first write.
-- Written as Redis writes one: HINCRBY refuses a leading zero and "-0" as well.
local function whole_number(value)
  local n = (value == '0' or string.match(value, '^-?[1-9]%d*$')) and tonumber(value)
  return n ~= nil and math.abs(n) <= MAX_WHOLE
end
local TOTALS_FIELDS = { waiting = whole_number, completed = whole_number,
  failed = whole_number, cancelled = whole_number, finished = whole_number }
local totals_checked = false

-- A --group's count (of its jobs running or in ready) as coord writes it: HINCRBY's whole
-- numbers, from 1 (a count down to 0 is removed).
local function group_count_ok(value)
  return whole_number(value) and tonumber(value) >= 1
end

-- Refuses a totals hash another program wrote to (once a step), as `checked` reads it.
local function check_totals()
  if totals_checked then return end
  local refused = foreign_fields(totals, checked('HGETALL', totals), TOTALS_FIELDS)
  if refused then error(refused) end
  totals_checked = true
end
local settings
-- Sorted sets the step wrote (ZADD, ZREM), and by how many members on balance: a read
-- the step made before it wrote (which spared the key its check) stands for a later one.
local moved, resized = {}, {}

-- Declares keys the step may touch after its first write; called before it writes.
local function guard(keys)
  for _, key in ipairs(keys) do guarded[key] = true end
end

local call = function(command, key, ...)
  if not wrote and not READS[command] then
    local expected = {}
    for guarded_key in pairs(guarded) do
      if not verified[guarded_key] then expected[guarded_key] = KINDS[guarded_key] end
    end
    local refused = wrong_type(expected)
    if refused then error(refused) end
    for guarded_key in pairs(expected) do verified[guarded_key] = true end
    if refused_all or guarded[totals] or key == totals then check_totals() end
    wrote = true
  end
  local reply = checked(command, key, ...)
  verified[key] = true
  if command == 'ZADD' or command == 'ZREM' then
    -- A ZADD that only changes a score answers 0, yet moves the member in the order.
    moved[key] = true
    resized[key] = (resized[key] or 0) + (command == 'ZADD' and reply or -reply)
  elseif key == config and not READS[command] then
    settings = nil
  end
  return reply
end

-- `command key args…` as few times as Lua's stack allows: one command for a whole batch of
-- members (or of score-member and field-value pairs: the chunks are of an even length).
local function call_many(command, key, args)
  for from = 1, #args, 1000 do
    call(command, key, unpack(args, from, math.min(from + 999, #args)))
  end
end

-- What a read of many fields or members (HMGET, ZMSCORE) answers for each of `names` (false
-- where absent), in as few commands.
local function read_many(command, key, names)
  local values = {}
  for from = 1, #names, 1000 do
    local to = math.min(from + 999, #names)
    local got = call(command, key, unpack(names, from, to))
    for i = from, to do values[i] = got[i - from + 1] end
  end
  return values
end

-- The rare steps' check of every key, up front.
local function refuse_all()
  local refused = wrong_type(KINDS)
  if refused then error(refused) end
  for key in pairs(KINDS) do verified[key] = true end
  refused_all = true
end

-- What a queue keeps of its finished jobs, as coord writes it: a JSON object of a count
-- and/or an age in ms (`{}`: forever).
local function keep_json(value)
  if string.sub(value, 1, 1) ~= '{' then return false end
  local ok, keep = pcall(cjson.decode, value)
  if not ok or type(keep) ~= 'table' then return false end
  for field, n in pairs(keep) do
    if type(n) ~= 'number' then return false end
    if field == 'count' then
      if n ~= math.floor(n) or n < 0 or n > MAX_WHOLE then return false end
    elseif field ~= 'ageMs' or not (n >= 1 and n < math.huge) then
      return false
    end
  end
  return true
end

-- The version of the queue's records this coord writes, and the highest it reads (see SETTINGS),
-- as the config stores it.
local RECORDS_VERSION = '2'

-- The config's fields, each with the values coord writes there (see state_fields.lua).
local SETTINGS = { keepCompleted = keep_json, keepFailed = keep_json,
  paused = function(value) return value == '1' or value == '0' end, groupLimit = whole_from(1),
  -- The version of the queue's records, set once it holds one a coord before it would misread
  -- (a group whose parts are counted, not listed: job.lua). Such a coord refuses a field of the
  -- config it does not know before its step writes, so it leaves the queue as it is (exit 65).
  version = function(value) return value == RECORDS_VERSION end }

-- Whether the step checked the config: once, before it first wrote (a script is not undone by
-- an error), so each step that goes by the config, now or maybe later on (filling a group's
-- room, trimming), calls `check_settings` up front.
local settings_checked = false

-- Reads the config into `settings`, refusing a field or value another program wrote there.
local function read_settings()
  local flat = call('HGETALL', config)
  if not settings_checked then
    if wrote then error('queue config first read after the step wrote: too late to refuse it') end
    -- A newer coord's version (past the one SETTINGS reads, in digits as coord writes them):
    -- this coord would misread that coord's records, and must neither write over them nor call
    -- them another program's, whose way out (remove the key) lets in the coords it keeps out.
    -- Looked for before the fields: a newer coord may keep fields this one does not know. Inline:
    -- an include's every local counts in each script's main function, near Lua's 200 in some.
    for i = 1, #flat, 2 do
      local value = flat[i + 1]
      if flat[i] == 'version' and string.match(value, '^[1-9]')
        and whole_from(tonumber(RECORDS_VERSION) + 1)(value) then
        error(redis.error_reply('NEWER its records are a newer coord\'s (version ' .. value ..
          ' in ' .. config .. '; this coord is older and knows ' .. RECORDS_VERSION .. ')'))
      end
    end
    local refused = foreign_fields(config, flat, SETTINGS)
    if refused then error(refused) end
    settings_checked = true
  end
  settings = {}
  for i = 1, #flat, 2 do settings[flat[i]] = flat[i + 1] end
end

-- Refuses a config another program wrote to (once a step: see `settings_checked`).
local function check_settings()
  if not settings then read_settings() end
end

-- A field of the queue's config, read once a step.
local function setting(field)
  check_settings()
  return settings[field]
end

-- The one instant the step happens at.
local now_ms = math.floor(now)

-- Workers and waiters listen on the channel: one message a step is enough for them to re-read.
-- `changed` may have made a job ready; news for waiters only (a job's progress, a queue left
-- with nothing running) is told by its own word, which idle workers do not wake for.
local published = nil
local function changed()
  if published == 'changed' then return end
  published = 'changed'
  call('PUBLISH', channel, 'changed')
end
local function told(word)
  if published then return end
  published = word
  call('PUBLISH', channel, word)
end
