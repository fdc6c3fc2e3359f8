#!lua
-- name: replay-dead
-- version: 1
-- summary: Puts dead letters back in their service's queue, at the back, as if just published:
--   the envelope returns to the events, the delivery count starts again, one wake marker each.
-- keys:
--   1. dead: sorted set of dead-lettered event id by the time it was dead-lettered (µs)
--   2. dead letters: hash of "<id>:envelope", "<id>:error" and "<id>:deliveries" per dead letter
--   3. events: hash of event id to envelope
--   4. published: list of queued event ids, the next one at the right end
--   5. wake: list of wake-up markers
-- argv:
--   1+i. the id of a dead letter to replay
-- returns:
--   the number of dead letters put back in the queue; ids that are not dead letters are
--   skipped, and a dead letter whose id is queued again already is only removed

local replayed = 0
for i = 1, #ARGV do
  local id = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], id) then
    -- The event first: should that fail on a foreign value, the dead letter is still intact.
    local envelope = redis.call('HGET', KEYS[2], id .. ':envelope')
    if envelope and redis.call('HSETNX', KEYS[3], id, envelope) == 1 then
      redis.call('LPUSH', KEYS[4], id)
      redis.call('LPUSH', KEYS[5], '1')
      replayed = replayed + 1
    end
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id .. ':envelope', id .. ':error', id .. ':deliveries')
  end
end
return replayed
