-- name: renew-lease
-- version: 1
-- summary: Extends the lease of an event a consumer is still working on.
-- keys:
--   1. leases: sorted set of event id by lease deadline in ms
--   2. owners: hash of event id to the consumer holding its lease
-- argv:
--   1. the event id
--   2. the consumer id
--   3. the lease duration in ms
-- returns:
--   the new deadline in ms, or false when the consumer no longer holds the lease

local leases, owners = KEYS[1], KEYS[2]
local eventId, consumerId, durationMs = ARGV[1], ARGV[2], tonumber(ARGV[3])

if redis.call('HGET', owners, eventId) ~= consumerId then
    return false
end

local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local deadline = nowMs + durationMs
redis.call('ZADD', leases, deadline, eventId)
return deadline
