-- name: renew-lease
-- version: 1
-- summary: Extends the lease of an event a consumer is still working on.
-- keys: 1 = {broker}:leases (sorted set: event id -> lease deadline in ms)
-- argv: 1 = event id, 2 = consumer id, 3 = lease duration in ms
-- returns: the new deadline in ms, or false when the consumer no longer holds the lease

local leases = KEYS[1]
local eventId, consumerId, durationMs = ARGV[1], ARGV[2], tonumber(ARGV[3])

if redis.call('HGET', leases .. ':owner', eventId) ~= consumerId then
    return false
end

local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local deadline = nowMs + durationMs
redis.call('ZADD', leases, deadline, eventId)
return deadline
