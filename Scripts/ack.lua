#!lua flags=allow-oom
-- name: ack
-- version: 2
-- summary: Removes events for good after their handlers succeeded, each only if the caller
--   still holds its delivery; a late ack after the lease passed to another instance changes
--   nothing. The same number of commands however many events it acknowledges.
--   Allowed when Redis is out of memory: it only frees memory.
-- keys:
--   1. inflight: hash of event id to the owner token of its current delivery
--   2. leases: sorted set of event id by lease deadline
--   3. events: hash of event id to envelope
--   4. deliveries: hash of event id to delivery count
-- argv:
--   1+2i. an event id, for from 1 to 1000 events
--   2+2i. the owner token its pick returned
-- returns:
--   one integer per pair, in order: 1 when the event was removed, 0 when the caller no longer
--   held its delivery
--   error "BROKER_ARGUMENTS ...": nothing was changed

local count = #ARGV / 2
if count < 1 or count > 1000 or count ~= math.floor(count) then
  return redis.error_reply('BROKER_ARGUMENTS ack needs from 1 to 1000 pairs of an event id and a token')
end
local ids = {}
for i = 1, count do
  ids[i] = ARGV[2 * i - 1]
end
local tokens = redis.call('HMGET', KEYS[1], unpack(ids))
local held, reply = {}, {}
for i = 1, count do
  if tokens[i] == ARGV[2 * i] then
    held[#held + 1] = ids[i]
    reply[i] = 1
  else
    reply[i] = 0
  end
end
if #held > 0 then
  redis.call('HDEL', KEYS[1], unpack(held))
  redis.call('ZREM', KEYS[2], unpack(held))
  redis.call('HDEL', KEYS[3], unpack(held))
  redis.call('HDEL', KEYS[4], unpack(held))
end
return reply
