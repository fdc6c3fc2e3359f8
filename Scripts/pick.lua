#!lua flags=allow-oom
-- name: pick
-- version: 4
-- summary: Hands the next events of a service, up to a limit, to one instance under a lease:
--   moves their ids to in-flight with a deadline from the server clock and a fresh owner token
--   each. Expired leases and due retries are put back by the sweep script, so a pick costs the
--   same whatever waits, and the same number of commands however many events it takes.
--   Then sets the wake-up markers to what the queue left needs: one per limit's worth of
--   events, at most 16 (each instance they wake wakes more the same way), none for an empty
--   queue, so sleeping instances wake only when there is work for them.
--   Allowed when Redis is out of memory: draining the queue is how memory comes back.
-- keys:
--   1. published: list of queued event ids, the next one at the right end
--   2. events: hash of event id to envelope
--   3. inflight: hash of event id to the owner token of its current delivery
--   4. leases: sorted set of event id by lease deadline (milliseconds, server clock)
--   5. deliveries: hash of event id to the number of times it was handed out
--   6. wake: list of wake-up markers
-- argv:
--   1. owner: unique per pick (the broker sends "<instance id>.<pick number>"), so no two
--      deliveries of an event ever share a token, even after a release lowered its count
--   2. lease length in milliseconds, a positive integer
--   3. the most events to hand out, from 1 to 1000
-- returns:
--   {remaining} when there was nothing to hand out
--   {remaining, deadline, id, envelope, deliveryCount, token, id, envelope, ...} otherwise,
--   four values per event in queue order, where remaining is the queue length after this pick
--   and deadline the lease deadline of every event handed out
--   error "BROKER_ARGUMENTS ...": nothing was changed

local published, events, inflight, leases, deliveries, wake =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local lease, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[1] == '' or not lease or lease < 1 or lease ~= math.floor(lease)
  or not limit or limit < 1 or limit > 1000 or limit ~= math.floor(limit) then
  return redis.error_reply('BROKER_ARGUMENTS pick needs an owner, a lease of at least 1 ms ' ..
    'and a limit from 1 to 1000')
end

-- Leaves as many markers as instances should wake for `remaining` queued events.
local function set_markers(remaining)
  local wanted = math.min(math.ceil(remaining / limit), 16)
  local held = redis.call('LLEN', wake)
  if held < wanted then
    local markers = {}
    for i = 1, wanted - held do
      markers[i] = '1'
    end
    redis.call('LPUSH', wake, unpack(markers))
  elseif held > wanted then
    redis.call('LPOP', wake, held - wanted)
  end
end

local ids = redis.call('RPOP', published, limit)
if not ids then
  set_markers(0)
  return { 0 }
end
-- The leases first: should a later step fail on a foreign value, the sweep still finds the
-- deliveries when the leases expire and puts the events back.
local time = redis.call('TIME')
local deadline = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + lease
local scored = {}
for i = 1, #ids do
  scored[2 * i - 1] = deadline
  scored[2 * i] = ids[i]
end
redis.call('ZADD', leases, unpack(scored))
local envelopes = redis.call('HMGET', events, unpack(ids))
local counts = redis.call('HMGET', deliveries, unpack(ids))
local reply = { 0, deadline }
local tokens, newCounts, ghosts = {}, {}, {}
for i = 1, #ids do
  local id = ids[i]
  if envelopes[i] then
    local count = (tonumber(counts[i]) or 0) + 1
    local token = ARGV[1] .. ':' .. count
    tokens[#tokens + 1] = id
    tokens[#tokens + 1] = token
    newCounts[#newCounts + 1] = id
    newCounts[#newCounts + 1] = count
    reply[#reply + 1] = id
    reply[#reply + 1] = envelopes[i]
    reply[#reply + 1] = count
    reply[#reply + 1] = token
  else
    -- An id without a body can only come from a foreign write; drop it.
    ghosts[#ghosts + 1] = id
  end
end
if #ghosts > 0 then
  redis.call('ZREM', leases, unpack(ghosts))
  redis.call('HDEL', deliveries, unpack(ghosts))
end
reply[1] = redis.call('LLEN', published)
set_markers(reply[1])
if #tokens == 0 then
  return { reply[1] }
end
redis.call('HSET', deliveries, unpack(newCounts))
redis.call('HSET', inflight, unpack(tokens))
return reply
