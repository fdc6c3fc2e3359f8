#!lua
-- name: publish-service
-- version: 1
-- summary: Queues events of one topic for one service whose keys have a hash slot of their own
--   (the per-service slot placement), provided the service still subscribes to the topic; an
--   id the service queued within the dedup window, or still holds, is not queued again, so a
--   publish sent again after a failure is queued once. Wakes one instance (one wake-up marker,
--   unless one is waiting already) and sends one notification. The same number of commands
--   however many events it queues.
-- keys:
--   1. topics: set of the topics the service subscribes to
--   2. published: list of queued event ids, the next one at the right end
--   3. events: hash of event id to envelope
--   4. wake: list of wake-up markers
--   5. recent: sorted set of the event ids queued within the dedup window, by when (ms)
-- argv:
--   1. the topic
--   2. the service's notification channel
--   3. the dedup window in ms: how long an id queued is remembered (at least 1)
--   then, for each event, from 1 to 1000 of them, in publishing order:
--   4+2i. the event id
--   5+2i. the envelope (the codec's bytes)
-- returns:
--   {"ok", n}: n of the events were queued (the others were queued before, within the window,
--   or named twice)
--   {"unsubscribed"}: the service does not subscribe to the topic; nothing was written
--   error "BROKER_WRONGTYPE ...": a broker key holds a foreign value; nothing was written

local count = (#ARGV - 3) / 2
local window = tonumber(ARGV[3])
if count ~= math.floor(count) or count < 1 or count > 1000 or not window or window < 1 then
  return redis.error_reply('BROKER_ARGUMENTS publish-service needs a topic, a channel, a dedup ' ..
    'window of at least 1 ms and from 1 to 1000 pairs of an event id and an envelope')
end

-- Check every key before the first write: a script that fails half-way keeps its writes.
local names = { KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5] }
local found = {
  redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok'], redis.call('TYPE', KEYS[3])['ok'],
  redis.call('TYPE', KEYS[4])['ok'], redis.call('TYPE', KEYS[5])['ok'],
}
local expected = { 'set', 'list', 'hash', 'list', 'zset' }
for i = 1, 5 do
  if found[i] ~= 'none' and found[i] ~= expected[i] then
    return redis.error_reply('BROKER_WRONGTYPE ' .. names[i] .. ' holds a ' .. found[i] ..
      ', the broker expects a ' .. expected[i] .. '; nothing was written')
  end
end
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  return { 'unsubscribed' }
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. (now - window))

local ids, envelopes = {}, {}
for j = 1, count do
  ids[j] = ARGV[2 + 2 * j]
  envelopes[j] = ARGV[3 + 2 * j]
end
local held = redis.call('HMGET', KEYS[3], unpack(ids))
local seen = redis.call('ZMSCORE', KEYS[5], unpack(ids))
local fields, fresh, remembered, named = {}, {}, {}, {}
for j = 1, count do
  if not held[j] and not seen[j] and not named[ids[j]] then
    named[ids[j]] = true
    fields[#fields + 1] = ids[j]
    fields[#fields + 1] = envelopes[j]
    fresh[#fresh + 1] = ids[j]
    remembered[#remembered + 1] = now
    remembered[#remembered + 1] = ids[j]
  end
end
if #fresh > 0 then
  redis.call('HSET', KEYS[3], unpack(fields))
  redis.call('LPUSH', KEYS[2], unpack(fresh))
  redis.call('ZADD', KEYS[5], unpack(remembered))
  if redis.call('LLEN', KEYS[4]) == 0 then
    redis.call('LPUSH', KEYS[4], '1')
  end
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return { 'ok', #fresh }
