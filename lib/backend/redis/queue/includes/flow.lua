-- A job's end (`finish`), and what it moves on in its flow.
--- @include "run_order.lua"
--- @include "retention.lua"

-- What ending a job touches (`finish`: its group, its flow's parts that move on, the lists of
-- finished jobs; the group limit in config), and with retention (what removing one does).
local FINISHES = { jobs, results, inputs, totals, pending, ready, active, waiting, parked, groups,
  config, expiring, outlived, DONE.completed, DONE.failed, DONE.cancelled, TRIMMED.completed,
  TRIMMED.failed, TRIMMED.cancelled }
local ENDS = { specs, progress, removed, unpack(FINISHES) }

-- Flows: a group is a job that never runs; its parts (jobs or groups) point to it with
-- `parent`. A part that ends moves its group on (the next serial part, the postprocess, or the
-- group's own end), all in the step that ended the part.
local finish

-- Makes a waiting job ready; a group starts its parts (all, or the first). `group`: the group
-- releasing it, whose priority its parts have. A part (or group) cancelled while it waited is not
-- made ready but added to `ended`, for its group to count now, in its turn.
local function release(id, group, ended)
  local job = decode(id)
  if job and job.state == 'cancelled' then
    table.insert(ended, job)
    return
  end
  if job and job.group then
    local count, part = parts_of(job)
    if job.group.kind == 'parallel' then
      for i = 1, count do release(part(i), job, ended) end
    else
      release(part(1), job, ended)
    end
    return
  end
  call('HINCRBY', totals, 'waiting', -1)
  call('ZREM', waiting, id)
  if not job then
    -- A part another program wrote over (or deleted) while it waited joins the run order all the
    -- same, where the claim that meets it fails it as unreadable (fail_undecodable), which moves
    -- its flow on: refusing the step here would keep the run that ended before it from ever
    -- ending.
    enqueue({ id = id, readyAt = now_ms, priority = group.priority })
    return
  end
  job.state = 'pending'
  job.readyAt = now_ms
  save(job)
  enqueue(job)
end

-- A failed group's parts that have not started will not: cancelled.
local function abandon(group)
  -- A copy, by a loop: `unpack` of a flow's parts (up to 10,000) overflows Lua's stack.
  local ids = {}
  local count, part = parts_of(group)
  for i = 1, count do ids[i] = part(i) end
  if group.group.postprocess then table.insert(ids, group.group.postprocess) end
  for _, id in ipairs(ids) do
    -- One another program wrote over is left as it is (one in the run order, a claim fails).
    local job, held_text = decode(id)
    if not (job or held_text) and call('ZREM', waiting, id) == 1 then
      -- One whose record another program deleted while it waited never will be released: it
      -- leaves the count of waiting jobs now, as its row does on SQL.
      call('HINCRBY', totals, 'waiting', -1)
    elseif job and (job.state == 'waiting' or job.state == 'pending') then
      -- In the words of `abandonedPart` in lib/queue/flow_progress.ts.
      job.error = 'its group ' .. group.id .. (group.state == 'cancelled' and ' was cancelled'
        or ' failed')
      finish(job, 'cancelled')
    end
  end
end

-- The parts of group `id`, whose record another program deleted, that have not started: cancelled
-- as a failed group's are (`abandon`), since nothing would ever start them. Found by their ids (a
-- part's is its group's, a dot and its place: flowNodes in lib/queue/flow.ts), the record that
-- listed them gone: a place holds one when a record there names the group, or when the waiting
-- hold it (its record deleted while it waited; `abandon` takes it out). SQL finds every row that
-- names the group (`#partsOf` in lib/backend/sql/queue.ts), however many before it were deleted:
-- the search goes on past places with neither (parts deleted after they ended, or with the group,
-- a serial group's first too), and ends after MISSES of them in a row, a bound on what a job met
-- deleted in its turn, most often no group, costs the step. Only the places found are `abandon`ed:
-- a record another program put at a deleted part's id is not a part (SQL's `parent = ?` skips it).
-- Its postprocess' place, `.post`, is looked at alike.
local function abandon_orphans(id)
  -- 'part' when place `part_id` holds one of the group's parts; 'left' when it held one, whose id,
  -- still among the waiting under another program's record there, leaves them now, as its row
  -- did on SQL, or `status` counted it waiting for good; nil when it holds neither.
  local function look(part_id)
    local part = decode(part_id)
    local in_waiting = call('ZSCORE', waiting, part_id)
    if part and part.parent == id or not part and in_waiting then return 'part' end
    if part and in_waiting and part.state ~= 'waiting' then
      call('ZREM', waiting, part_id)
      call('HINCRBY', totals, 'waiting', -1)
      return 'left'
    end
  end
  local MISSES = 100
  local children, place, missed = {}, 0, 0
  while missed < MISSES do
    local part_id = id .. '.' .. place
    local found = look(part_id)
    if found == 'part' then table.insert(children, part_id) end
    missed = found and 0 or missed + 1
    place = place + 1
  end
  local post = id .. '.post'
  abandon({ id = id, state = 'failed', group = { children = children,
    postprocess = look(post) == 'part' and post or nil } })
end

-- Reads and writes the group's record, a few bytes where its parts are counted (job.lua): its
-- parts are read only when the last has ended. The parts a release meets cancelled while they
-- waited are counted after it, in their order, by a loop: counted by a call each (a serial
-- group's thousands cancelled in a row), they overflowed Lua's stack halfway through the step.
local function part_ended(first)
  local ended = { first }
  -- Ends group `parent`; its own group counts it in this loop too, not by a call deeper (a
  -- serial group of groups each ended so, one after another, overflowed the stack as well).
  local function close(parent, state)
    finish(parent, state, true)
    if parent.parent then table.insert(ended, parent) end
  end
  local function count_one(job)
    local parent = load(job.parent)
    if not parent then
      -- Its group's record another program deleted: it cannot count the part, and its flow
      -- would wait for it for good. It joins the run order, as a part deleted while it waited
      -- does in its turn (`release`): the claim that meets it fails it (fail_undecodable), its
      -- parts not started with it, and its flow goes on, the worker telling it.
      if call('ZREM', waiting, job.parent) == 1 then call('HINCRBY', totals, 'waiting', -1) end
      enqueue({ id = job.parent, readyAt = now_ms, priority = job.priority })
      return
    end
    if parent.state ~= 'waiting' then return end
    local group = parent.group
    if job.id == group.postprocess then
      local result = call('HGET', results, job.id)
      if result then call('HSET', results, parent.id, result) end
      if job.state ~= 'completed' then
        parent.error = 'postprocess ' .. job.id .. ' ' .. job.state .. ': ' .. (job.error or '')
      end
      close(parent, job.state == 'completed' and 'completed' or 'failed')
      return
    end
    if job.state ~= 'completed' and not group.continueOnFailure then
      parent.error = 'part ' .. job.id .. ' ' .. job.state .. ': ' .. (job.error or '')
      close(parent, 'failed')
      return
    end
    group.done = group.done + 1
    save(parent)
    local count, part = parts_of(parent)
    if group.done < count then
      if group.kind == 'serial' then release(part(group.done + 1), parent, ended) end
      return
    end
    local parts = {}
    for i = 1, count do
      local child = part(i)
      -- A part whose record another program deleted since it ended did not complete, for all
      -- the group can tell, as one deleted while it waited, which a worker fails (`release`).
      local ended = load(child)
      parts[i] = ended and ended.state == 'completed' and call('HGET', results, child) or 'null'
    end
    -- Its result or its postprocess' inputs, the list holds at most what a job may hold as JSON
    -- (MAX_JOB_BYTES in lib/queue/limits.ts; a top-level local would count against the 200 of
    -- the scripts that include this). Too large, it is not built: the group fails, in the words of
    -- `gatheredOversize` in lib/queue/flow_progress.ts (`check_flow_end` adds it up alike).
    local MAX_JOB_BYTES = 1048576
    local bytes = #parts + 1
    for _, part in ipairs(parts) do bytes = bytes + #part end
    if bytes > MAX_JOB_BYTES then
      parent.error = "the list of its parts' results is " .. bytes .. ' bytes as JSON, over the 1 MiB ('
        .. MAX_JOB_BYTES .. ' bytes) a job may hold — keep the data elsewhere (a file, a database) and'
        .. ' pass its name'
      close(parent, 'failed')
      return
    end
    local joined = '[' .. table.concat(parts, ',') .. ']'
    if group.postprocess then
      call('HSET', inputs, group.postprocess, joined)
      release(group.postprocess, parent, ended)
    else
      call('HSET', results, parent.id, joined)
      close(parent, 'completed')
    end
  end
  local at = 1
  while ended[at] do
    count_one(ended[at])
    at = at + 1
  end
end

-- Refuses (FOREIGN) a record another program wrote among those that the end of part `job` as
-- `state` will read on its way up its flow (`part_ended`): each group it ends, from its own up,
-- and the parts of each group it ends with their results gathered. Called before the step writes
-- for that end: met by `part_ended` after its first writes (a script is not undone), it left the
-- part ended but not counted, or a group counted but not ended. Records the real step never reads
-- are not read (a refusal of one made a step fail that would have gone on): a group ends when the
-- part is its postprocess, fails it, or is its last counted, as are the serial parts after it
-- that end in their turn; only a group that may complete gathers its parts. With `told`, a
-- refusal is returned (the FOREIGN text) rather than raised, for a step a claim makes on its own,
-- which must not stop every claim of the queue: it ends the part alone instead. `result`: the
-- part's own result, with which it completes.
--   The parts gathered, and those released in their turn, are `peek`ed: the step that follows
-- takes them as decoded here, rather than read and decoded again (up to 9,999 a group).
local function check_flow_end(job, state, told, result)
  -- Whether part `id`, released in its turn (`release`), ends at once, whether it then
  -- completes, and the size of its result if so: cancelled while it waited (it fails its group,
  -- or is counted), or a group whose parts end so. One another program wrote over joins the run
  -- order (`release`), ending later. (Nested: a script's main function holds at most 200 locals,
  -- and `finish.lua` is near it.)
  local function in_turn(id)
    local part = peek(id)
    if not part then return false, false end
    if part.state == 'cancelled' then return true, false end
    if not part.group then return false, false end
    local group = part.group
    local count, nth = parts_of(part)
    local all, bytes = true, count + 1
    for i = 1, count do
      local ends, completes, size = in_turn(nth(i))
      if ends and not completes and not group.continueOnFailure then return true, false end
      if not ends then
        all = false
        -- A serial group's next part waits for this one.
        if group.kind == 'serial' then break end
      end
      bytes = bytes + (completes and size or #'null')
    end
    if not all then return false, false end
    -- Its postprocess starts, but one cancelled while it waited, which fails the group.
    if group.postprocess then return (in_turn(group.postprocess)), false end
    return true, true, bytes
  end
  -- Climbs from `job`: `fails`, `completes`, how the part at hand may end, and `size`, its
  -- result's bytes in its group's gather (`part_ended`), where a part that did not complete is
  -- 'null'. A gather over MAX_JOB_BYTES fails its group instead of completing it (as
  -- part_ended's, a local: a top-level one would count against the 200 of `finish.lua`).
  local MAX_JOB_BYTES = 1048576
  local function climb()
    local part, fails, completes = job, state ~= 'completed', state == 'completed'
    local size = completes and result and #result or #'null'
    -- The result sizes of the serial parts that complete in their turn, written by the step.
    local in_turn_bytes = {}
    while part.parent do
      local parent = load(part.parent)
      if not parent or parent.state ~= 'waiting' then return end
      -- A job's record where the part's group should be (a Lua error halfway through the end).
      if not parent.group then
        error({ err = 'FOREIGN ' .. foreign_value(jobs, 'job ' .. parent.id, call('HGET', jobs,
          parent.id)) })
      end
      local group = parent.group
      local up_fails, up_completes = false, false
      if part.id == group.postprocess then
        up_fails, up_completes = fails, completes
      else
        up_fails = fails and not group.continueOnFailure
        -- Counted: the part completes, or its group goes on after a failure.
        if completes or group.continueOnFailure then
          local count, nth = parts_of(parent)
          local done, last = group.done + 1, true
          while done < count do
            local ends, completed, bytes = group.kind == 'serial', false, nil
            if ends then ends, completed, bytes = in_turn(nth(done + 1)) end
            if completed then in_turn_bytes[nth(done + 1)] = bytes end
            -- Not the last counted: its group waits for the next part, or fails at it.
            if not ends or not (completed or group.continueOnFailure) then
              up_fails = up_fails or ends
              last = false
              break
            end
            done = done + 1
          end
          if last then
            -- The gather's size, as `part_ended` adds it up. The part ending (written by the
            -- step, whatever it holds now) is not read back, nor those ending in their turn.
            local gathered = count + 1
            for i = 1, count do
              local id = nth(i)
              local bytes = id == part.id and size or in_turn_bytes[id]
              if not bytes then
                local ended, held_text = peek(id)
                if held_text then error({ err = 'FOREIGN ' .. foreign_value(jobs, 'job ' .. id,
                  held_text) }) end
                bytes = #'null'
                -- An empty result is read as one, not as 'null' (HSTRLEN tells neither apart).
                if ended and ended.state == 'completed' then
                  local held_bytes = call('HSTRLEN', results, id)
                  if held_bytes > 0 or call('HEXISTS', results, id) == 1 then bytes = held_bytes end
                end
              end
              gathered = gathered + bytes
            end
            if gathered > MAX_JOB_BYTES then
              up_fails = true
            elseif group.postprocess then
              up_fails = up_fails or (in_turn(group.postprocess))
            else
              up_completes = true
            end
            size = gathered
          end
        end
      end
      if not (up_fails or up_completes) then return end
      -- A group that fails is null in its own group's gather, whatever its parts held.
      if not up_completes then size = #'null' end
      part, fails, completes = parent, up_fails, up_completes
    end
  end
  if not told then return climb() end
  local ok, refusal = pcall(climb)
  if ok then return nil end
  -- Only a refusal is told: any other error is a bug, raised again. (Redis hands `pcall` an
  -- error table's `err` text, not the table.)
  local text = type(refusal) == 'table' and refusal.err or refusal
  if type(text) == 'string' and text:sub(1, 8) == 'FOREIGN ' then return text:sub(9) end
  error(refusal)
end

-- Whether this step ended a flow's group, which its waiter waits for.
local flow_ended = false

-- `uncounted`: its group counts it later (a part cancelled before its turn, which is counted
-- when that turn comes; a group that `part_ended`'s loop counts next).
finish = function(job, state, uncounted)
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
  -- A part cancelled while it waited for its turn is counted when that turn comes (`release`):
  -- counted now, a serial group would start its next part early (and this one in its turn).
  if job.parent and not uncounted then part_ended(job) end
end
