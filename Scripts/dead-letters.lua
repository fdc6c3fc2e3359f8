#!lua flags=no-writes
-- name: dead-letters
-- version: 1
-- summary: Reads one page of a service's dead letters, oldest first, with their envelopes,
--   last errors and delivery counts, in one consistent snapshot. Changes nothing.
-- keys:
--   1. dead: sorted set of dead-lettered event id by the time it was dead-lettered (µs)
--   2. dead letters: hash of "<id>:envelope", "<id>:error" and "<id>:deliveries" per dead letter
-- argv:
--   1. how many dead letters to skip, oldest first
--   2. the most dead letters to return
-- returns:
--   {total, id, deadAt, envelope, error, deliveries, id, deadAt, ...}: total counts every dead
--   letter of the service; five values follow per dead letter on the page (deadAt in ms,
--   server clock)
--   error "BROKER_ARGUMENTS ...": bad offset or count

-- Whether a value is an integer of at least `least`.
local function whole(value, least)
  return value ~= nil and value == math.floor(value) and value >= least
end
local offset, count = tonumber(ARGV[1]), tonumber(ARGV[2])
if not (whole(offset, 0) and whole(count, 1)) then
  return redis.error_reply('BROKER_ARGUMENTS dead-letters needs whole numbers: an offset >= 0 and a count >= 1')
end
local reply = { redis.call('ZCARD', KEYS[1]) }
local page = redis.call('ZRANGE', KEYS[1], offset, offset + count - 1, 'WITHSCORES')
for i = 1, #page, 2 do
  local id = page[i]
  local fields = redis.call('HMGET', KEYS[2], id .. ':envelope', id .. ':error', id .. ':deliveries')
  reply[#reply + 1] = id
  reply[#reply + 1] = math.floor(tonumber(page[i + 1]) / 1000)
  reply[#reply + 1] = fields[1] or ''
  reply[#reply + 1] = fields[2] or ''
  reply[#reply + 1] = tonumber(fields[3]) or 0
end
return reply
