#!lua flags=allow-oom
-- name: pick
-- version: 1
-- summary: Hands the next event of a service to one instance under a lease: first puts
--   deliveries whose lease expired back at the front of the queue, then moves the next id
--   to in-flight with a deadline from the server clock and a fresh owner token.
--   Allowed when Redis is out of memory: draining the queue is how memory comes back.
-- keys:
--   1. published: list of queued event ids, the next one at the right end
--   2. events: hash of event id to envelope
--   3. inflight: hash of event id to the owner token of its current delivery
--   4. leases: sorted set of event id by lease deadline (milliseconds, server clock)
--   5. deliveries: hash of event id to the number of times it was handed out
--   6. wake: list of wake-up markers
-- argv:
--   1. owner: the picking broker instance's id
--   2. lease length in milliseconds
--   3. "1" when the caller already took a wake marker for this pick, else "0"
--   4. the most expired deliveries to put back in this call
-- returns:
--   {remaining} when there was nothing to hand out
--   {remaining, id, envelope, deliveryCount, token, deadline} otherwise,
--   where remaining is the queue length after this pick

local published, events, inflight, leases, deliveries, wake =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
for i = 1, #expired do
  redis.call('ZREM', leases, expired[i])
  redis.call('HDEL', inflight, expired[i])
  redis.call('RPUSH', published, expired[i])
  redis.call('LPUSH', wake, '1')
end

local id = redis.call('RPOP', published)
if not id then
  return { 0 }
end
if ARGV[3] == '0' then
  redis.call('LPOP', wake)
end

local envelope = redis.call('HGET', events, id)
if not envelope then
  -- An id without a body can only come from a foreign write; drop it.
  redis.call('HDEL', deliveries, id)
  return { redis.call('LLEN', published) }
end

local count = redis.call('HINCRBY', deliveries, id, 1)
local token = ARGV[1] .. ':' .. count
local deadline = now + tonumber(ARGV[2])
redis.call('HSET', inflight, id, token)
redis.call('ZADD', leases, deadline, id)
return { redis.call('LLEN', published), id, envelope, count, token, deadline }
