#!lua flags=allow-oom
-- name: nack
-- version: 2
-- summary: Takes an event back from a delivery whose handler failed, if the caller still holds
--   it. When its deliveries are used up it goes to the dead-letter set with the error text;
--   otherwise it goes back to the front of the queue at once and wakes one instance, or waits
--   in the retry set until its delay has passed (the sweep script then puts it back).
--   Allowed when Redis is out of memory, so a failing handler never strands its event.
-- keys:
--   1. inflight: hash of event id to the owner token of its current delivery
--   2. leases: sorted set of event id by lease deadline
--   3. deliveries: hash of event id to the number of times it was handed out
--   4. published: list of queued event ids, the next one at the right end
--   5. wake: list of wake-up markers
--   6. retries: sorted set of event id by the time (ms, server clock) it may be delivered again
--   7. events: hash of event id to envelope
--   8. dead: sorted set of dead-lettered event id by the time it was dead-lettered, in
--      microseconds, strictly increasing (ties move up by 1 µs) so oldest-first order is exact
--   9. dead letters: hash of "<id>:envelope", "<id>:error" and "<id>:deliveries" per dead letter
-- argv:
--   1. the event id
--   2. the owner token the pick returned
--   3. the retry delay in milliseconds: "0" puts the event back at the front at once
--   4. the most deliveries an event gets
--   5. the most dead letters the service keeps; the oldest beyond it are deleted
--   6. the handler's error text
--   7. the service's notification channel
--   8. the event's topic, sent as the notification message
-- returns:
--   "requeued", "delayed" or "dead": what happened to the event
--   "lost": the caller no longer holds the delivery; nothing changed
--   error "BROKER_ARGUMENTS ...": nothing was changed

local inflight, leases, deliveries, published, wake, retries, events, dead, dead_letters =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local id, token = ARGV[1], ARGV[2]
-- Whether a value is an integer of at least `least`.
local function whole(value, least)
  return value ~= nil and value == math.floor(value) and value >= least
end
local delay, max_deliveries, dead_cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if not ARGV[8] or not (whole(delay, 0) and whole(max_deliveries, 1) and whole(dead_cap, 1)) then
  return redis.error_reply('BROKER_ARGUMENTS nack needs 8 arguments and whole numbers: a delay >= 0, '
    .. 'max deliveries >= 1 and a dead-letter cap >= 1')
end

if redis.call('HGET', inflight, id) ~= token then
  return 'lost'
end
redis.call('HDEL', inflight, id)
redis.call('ZREM', leases, id)

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])

local count = tonumber(redis.call('HGET', deliveries, id)) or 0
if count >= max_deliveries then
  -- Dead-letter: envelope, error and delivery count move; the oldest beyond the cap go.
  redis.call('HSET', dead_letters, id .. ':envelope', redis.call('HGET', events, id) or '',
    id .. ':error', ARGV[6], id .. ':deliveries', count)
  redis.call('HDEL', events, id)
  redis.call('HDEL', deliveries, id)
  local newest = redis.call('ZRANGE', dead, -1, -1, 'WITHSCORES')[2]
  redis.call('ZADD', dead, math.max(now_us, (tonumber(newest) or 0) + 1), id)
  local excess = redis.call('ZCARD', dead) - dead_cap
  if excess > 0 then
    local evicted = redis.call('ZPOPMIN', dead, excess)
    for i = 1, #evicted, 2 do
      redis.call('HDEL', dead_letters, evicted[i] .. ':envelope', evicted[i] .. ':error', evicted[i] .. ':deliveries')
    end
  end
  return 'dead'
end

if delay > 0 then
  redis.call('ZADD', retries, now + delay, id)
  return 'delayed'
end
redis.call('RPUSH', published, id)
redis.call('LPUSH', wake, '1')
redis.call('PUBLISH', ARGV[7], ARGV[8])
return 'requeued'
