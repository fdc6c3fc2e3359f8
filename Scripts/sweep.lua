#!lua flags=allow-oom
-- name: sweep
-- version: 1
-- summary: The checker's work for one service: puts deliveries whose lease expired back at the
--   front of the queue (or dead-letters them when their deliveries are used up), moves retries
--   whose delay has passed to the front, and wakes one instance per event put back. Costs
--   O(expired + due). At most one sweep per service per interval does this: the first caller
--   takes the guard with SET NX PX, the others return at once.
--   Allowed when Redis is out of memory: it only moves data, or frees it.
-- keys:
--   1. sweep guard: string held for one interval by the instance that sweeps
--   2. published: list of queued event ids, the next one at the right end
--   3. wake: list of wake-up markers
--   4. inflight: hash of event id to the owner token of its current delivery
--   5. leases: sorted set of event id by lease deadline (ms, server clock)
--   6. deliveries: hash of event id to the number of times it was handed out
--   7. retries: sorted set of event id by the time it may be delivered again
--   8. events: hash of event id to envelope
--   9. dead: sorted set of dead-lettered event id by the time it was dead-lettered, in
--      microseconds, strictly increasing (ties move up by 1 µs) so oldest-first order is exact
--   10. dead letters: hash of "<id>:envelope", "<id>:error" and "<id>:deliveries" per dead letter
-- argv:
--   1. how long the guard keeps other sweeps away, in ms; "0" continues a sweep whose batch
--      limit the caller reached, without taking the guard again
--   2. the most expired leases, and the most due retries, to handle in this call
--   3. the most deliveries an event gets
--   4. the most dead letters the service keeps; the oldest beyond it are deleted
-- returns:
--   {swept, requeued, retried, deadLettered, more}: swept is 0 when another sweep holds the
--   guard (nothing was done); more is 1 when a batch limit was reached, so work may remain
--   error "BROKER_ARGUMENTS ...": nothing was changed

local guard, published, wake, inflight, leases, deliveries, retries, events, dead, dead_letters =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
-- Whether a value is an integer of at least `least`.
local function whole(value, least)
  return value ~= nil and value == math.floor(value) and value >= least
end
local guard_ms, limit, max_deliveries, dead_cap =
  tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not (whole(guard_ms, 0) and whole(limit, 1) and whole(max_deliveries, 1) and whole(dead_cap, 1)) then
  return redis.error_reply('BROKER_ARGUMENTS sweep needs whole numbers: a guard time >= 0, a limit >= 1, '
    .. 'max deliveries >= 1 and a dead-letter cap >= 1')
end

if guard_ms > 0 and not redis.call('SET', guard, '1', 'NX', 'PX', guard_ms) then
  return { 0, 0, 0, 0, 0 }
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])

-- Expired leases, earliest deadline first; pushed in reverse so that it ends up picked first.
local requeued, dead_lettered = 0, 0
local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, limit)
for i = #expired, 1, -1 do
  local id = expired[i]
  redis.call('ZREM', leases, id)
  redis.call('HDEL', inflight, id)
  local count = tonumber(redis.call('HGET', deliveries, id)) or 0
  if count >= max_deliveries then
    -- Dead-letter: envelope, error and delivery count move; the oldest beyond the cap go.
    redis.call('HSET', dead_letters, id .. ':envelope', redis.call('HGET', events, id) or '',
      id .. ':error', 'the lease of delivery ' .. count .. ' expired', id .. ':deliveries', count)
    redis.call('HDEL', events, id)
    redis.call('HDEL', deliveries, id)
    local newest = redis.call('ZRANGE', dead, -1, -1, 'WITHSCORES')[2]
    redis.call('ZADD', dead, math.max(now_us, (tonumber(newest) or 0) + 1), id)
    local excess = redis.call('ZCARD', dead) - dead_cap
    if excess > 0 then
      local evicted = redis.call('ZPOPMIN', dead, excess)
      for j = 1, #evicted, 2 do
        redis.call('HDEL', dead_letters, evicted[j] .. ':envelope', evicted[j] .. ':error', evicted[j] .. ':deliveries')
      end
    end
    dead_lettered = dead_lettered + 1
  else
    redis.call('RPUSH', published, id)
    redis.call('LPUSH', wake, '1')
    requeued = requeued + 1
  end
end

-- Retries whose delay has passed, earliest first, back at the front.
local due = redis.call('ZRANGEBYSCORE', retries, '-inf', now, 'LIMIT', 0, limit)
for i = #due, 1, -1 do
  redis.call('ZREM', retries, due[i])
  redis.call('RPUSH', published, due[i])
  redis.call('LPUSH', wake, '1')
end

local more = 0
if #expired == limit or #due == limit then
  more = 1
end
return { 1, requeued, #due, dead_lettered, more }
