#!lua
-- name: publish
-- version: 3
-- summary: Queues events of one topic for every service subscribed to it, all of them or none,
--   provided the caller's view of the subscribers is current, and wakes one instance of each
--   (one wake-up marker, unless one is waiting already; the pick of the instance it wakes
--   wakes more when it leaves events). The same number of commands however many events it queues.
-- keys:
--   1. topic subscribers: set of the names of the services subscribed to the topic
--   2. topic version: counter raised by every change of the subscribers
--   then, for each subscriber the caller assumed, three keys of that service:
--   3+3i. published: list of queued event ids, the next one at the right end
--   4+3i. events: hash of event id to envelope
--   5+3i. wake: list of wake-up markers
-- argv:
--   1. the topic version the caller assumed ("0" for a topic never subscribed)
--   2. the topic, sent as the notification message
--   3. the subscribers' notification channels, in the order of their keys, separated by
--      newlines (channel names hold no control characters)
--   then, for each event, from 1 to 1000 of them, in publishing order:
--   4+2i. the event id
--   5+2i. the envelope (the codec's bytes)
-- returns:
--   {"ok", n}: the events are queued for n services (a service that already holds an id keeps
--   its copy, and the event is not queued for it again)
--   {"stale", version, service...}: the subscribers changed; nothing was written
--   error "BROKER_WRONGTYPE ...": a broker key holds a foreign value; nothing was written

local services = (#KEYS - 2) / 3
local count = (#ARGV - 3) / 2
local channels = {}
for channel in string.gmatch(ARGV[3] or '', '[^\n]+') do
  channels[#channels + 1] = channel
end
if services ~= #channels or count ~= math.floor(count) or count < 1 or count > 1000 then
  return redis.error_reply('BROKER_ARGUMENTS publish needs 2 + 3n keys, n channels ' ..
    'and from 1 to 1000 pairs of an event id and an envelope')
end

local version = redis.call('GET', KEYS[2]) or '0'
if version ~= ARGV[1] then
  local reply = { 'stale', version }
  local members = redis.call('SMEMBERS', KEYS[1])
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

local ids, envelopes = {}, {}
for j = 1, count do
  ids[j] = ARGV[2 + 2 * j]
  envelopes[j] = ARGV[3 + 2 * j]
end
for s = 0, services - 1 do
  local published, events, wake = KEYS[3 + 3 * s], KEYS[4 + 3 * s], KEYS[5 + 3 * s]
  local held = redis.call('HMGET', events, unpack(ids))
  local fields, fresh, seen = {}, {}, {}
  for j = 1, count do
    if not held[j] and not seen[ids[j]] then
      seen[ids[j]] = true
      fields[#fields + 1] = ids[j]
      fields[#fields + 1] = envelopes[j]
      fresh[#fresh + 1] = ids[j]
    end
  end
  if #fresh > 0 then
    redis.call('HSET', events, unpack(fields))
    redis.call('LPUSH', published, unpack(fresh))
    if redis.call('LLEN', wake) == 0 then
      redis.call('LPUSH', wake, '1')
    end
    redis.call('PUBLISH', channels[s + 1], ARGV[2])
  end
end
return { 'ok', services }
