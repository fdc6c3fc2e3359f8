#!lua flags=allow-oom
-- name: pick
-- version: 2
-- summary: Hands the next event of a service to one instance under a lease: moves the next id
--   to in-flight with a deadline from the server clock and a fresh owner token. Expired leases
--   and due retries are put back by the sweep script, so a pick costs the same whatever waits.
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
--      deliveries ever share a token, even after a release lowered the delivery count
--   2. lease length in milliseconds, a positive integer
--   3. "1" when the caller already took a wake marker for this pick, else "0"
-- returns:
--   {remaining} when there was nothing to hand out
--   {remaining, id, envelope, deliveryCount, token, deadline} otherwise,
--   where remaining is the queue length after this pick
--   error "BROKER_ARGUMENTS ...": nothing was changed

local published, events, inflight, leases, deliveries, wake =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local lease = tonumber(ARGV[2])
if ARGV[1] == '' or not lease or lease < 1 or lease ~= math.floor(lease)
  or (ARGV[3] ~= '0' and ARGV[3] ~= '1') then
  return redis.error_reply('BROKER_ARGUMENTS pick needs an owner, a lease of at least 1 ms and "0" or "1"')
end

local id = redis.call('RPOP', published)
if not id then
  return { 0 }
end
-- The lease first: should a later step fail on a foreign value, the sweep still finds the
-- delivery when the lease expires and puts the event back.
local time = redis.call('TIME')
local deadline = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + lease
redis.call('ZADD', leases, deadline, id)
if ARGV[3] == '0' then
  redis.call('LPOP', wake)
end

local envelope = redis.call('HGET', events, id)
if not envelope then
  -- An id without a body can only come from a foreign write; drop it.
  redis.call('ZREM', leases, id)
  redis.call('HDEL', deliveries, id)
  return { redis.call('LLEN', published) }
end

local count = redis.call('HINCRBY', deliveries, id, 1)
local token = ARGV[1] .. ':' .. count
redis.call('HSET', inflight, id, token)
return { redis.call('LLEN', published), id, envelope, count, token, deadline }
