#!lua
-- name: publish
-- version: 1
-- summary: Queues one event for every service subscribed to its topic, all of them or none,
--   provided the caller's view of the subscribers is current, and wakes one instance of each.
-- keys:
--   1. topic subscribers: set of the names of the services subscribed to the topic
--   2. topic version: counter raised by every change of the subscribers
--   then, for each subscriber the caller assumed, three keys of that service:
--   3+3i. published: list of queued event ids, the next one at the right end
--   4+3i. events: hash of event id to envelope
--   5+3i. wake: list of wake-up markers, one per queued event at most
-- argv:
--   1. the topic version the caller assumed ("0" for a topic never subscribed)
--   2. the event id
--   3. the envelope (the codec's bytes)
--   4. the topic, sent as the notification message
--   then, for each subscriber:
--   5+i. its notification channel
-- returns:
--   {"ok", n}: the event is queued for n services (a service that already holds this id keeps it)
--   {"stale", version, service...}: the subscribers changed; nothing was written
--   error "BROKER_WRONGTYPE ...": a broker key holds a foreign value; nothing was written

local services = (#KEYS - 2) / 3
if services ~= #ARGV - 4 or services ~= math.floor(services) then
  return redis.error_reply('BROKER_ARGUMENTS publish needs 2 + 3n keys and 4 + n arguments')
end

local version = redis.call('GET', KEYS[2]) or '0'
if version ~= ARGV[1] then
  local reply = { 'stale', version }
  local members = redis.call('SMEMBERS', KEYS[1])
  local count = redis.call('SINTERCARD', 1, KEYS[1])
  for i = 1, #members do
    reply[#reply + 1] = members[i]
  end
  return reply
end

-- Check every key before the first write: a script that fails half-way keeps its writes.
local expected = { 'list', 'hash', 'list' }
for i = 3, #KEYS do
  local found = redis.call('TYPE', KEYS[i])['ok']
  local wanted = expected[(i - 3) % 3 + 1]
  if found ~= 'none' and found ~= wanted then
    return redis.error_reply('BROKER_WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. found ..
      ', the broker expects a ' .. wanted .. '; nothing was written')
  end
end

for s = 0, services - 1 do
  local published, events, wake = KEYS[3 + 3 * s], KEYS[4 + 3 * s], KEYS[5 + 3 * s]
  if redis.call('HSETNX', events, ARGV[2], ARGV[3]) == 1 then
    redis.call('LPUSH', published, ARGV[2])
    redis.call('LPUSH', wake, '1')
    redis.call('PUBLISH', ARGV[5 + s], ARGV[4])
  end
end
return { 'ok', services }
