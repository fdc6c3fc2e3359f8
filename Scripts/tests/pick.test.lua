-- Tests of Scripts/pick.lua: hands the next event of a service to one instance under a lease,
-- after putting expired leases back at the front of the queue.
--
-- KEYS: published, events, inflight, leases, deliveries, wake
-- ARGV: owner, lease milliseconds, "1"/"0" (marker already taken), reclaim limit
-- Lease deadlines come from the server clock: tests bound them with TIME and mask them in the
-- keyspace dump; expired leases are set up with scores in the past instead of sleeping.

local prefix = '{reb}:v1:s:billing:'
local published_key, events, inflight, leases, deliveries, wake =
  prefix .. 'published', prefix .. 'events', prefix .. 'inflight', prefix .. 'leases',
  prefix .. 'deliveries', prefix .. 'wake'
local keys = { published_key, events, inflight, leases, deliveries, wake }

-- The server clock in milliseconds, as the script computes it.
local function now()
  local time = call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Queues events as publish.lua does: id at the left end, envelope, one wake marker each.
local function queue(...)
  for _, id in ipairs({ ... }) do
    call('LPUSH', published_key, id)
    call('HSET', events, id, 'envelope of ' .. id)
    call('LPUSH', wake, '1')
  end
end

-- An event handed to `token` earlier, whose lease ends at `deadline`.
local function in_flight(id, token, deadline, count)
  call('HSET', events, id, 'envelope of ' .. id)
  call('HSET', inflight, id, token)
  call('ZADD', leases, deadline, id)
  call('HSET', deliveries, id, count or 1)
end

local function pick(owner, marker_taken, limit)
  return run('pick', keys, { owner or 'instance-a', 30000, marker_taken or '0', limit or 16 })
end

test('an empty queue hands out nothing and writes nothing', function()
  assert_equal(pick(), { 0 })
  assert_equal(call('KEYS', '*'), {})
end)

test('an empty queue keeps stray wake markers', function()
  call('LPUSH', wake, '1')
  assert_equal(pick('instance-a', '0'), { 0 })
  assert_equal(call('LLEN', wake), 1)
end)

test('hands out the oldest event with its envelope, count 1, a token and a deadline', function()
  queue('e1', 'e2')
  local before = now()
  local reply = pick('instance-a')
  local after = now()
  assert_equal(#reply, 6, 'a pick with an event answers six values')
  assert_equal({ reply[1], reply[2], reply[3], reply[4], reply[5] }, { 1, 'e1', 'envelope of e1', 1, 'instance-a:1' })
  assert_between(reply[6], before + 30000, after + 30000, 'deadline = TIME + lease')
  mask_score(leases, 'e1')
end)

test('records the delivery: owner token, lease deadline and delivery count', function()
  queue('e1')
  local reply = pick('instance-a')
  assert_equal(call('HGETALL', inflight), { 'e1', 'instance-a:1' })
  assert_equal(call('ZSCORE', leases, 'e1'), tostring(reply[6]))
  assert_equal(call('HGET', deliveries, 'e1'), '1')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1', 'the envelope stays until ack')
  assert_equal(call('EXISTS', published_key), 0, 'the emptied queue vanishes')
  mask_score(leases, 'e1')
end)

test('"0": the script removes one wake marker for the caller', function()
  queue('e1', 'e2')
  pick('instance-a', '0')
  assert_equal(call('LLEN', wake), 1)
  mask_score(leases, 'e1')
end)

test('"1": a caller that already took a marker with BLPOP leaves the others', function()
  queue('e1', 'e2')
  call('LPOP', wake)
  pick('instance-a', '1')
  assert_equal(call('LLEN', wake), 1)
  mask_score(leases, 'e1')
end)

test('the last marker goes with the last event', function()
  queue('e1')
  pick('instance-a', '0')
  assert_equal(call('EXISTS', wake), 0)
  mask_score(leases, 'e1')
end)

test('remaining counts the events left after each pick', function()
  queue('e1', 'e2', 'e3')
  assert_equal(pick()[1], 2)
  assert_equal(pick()[1], 1)
  assert_equal(pick()[1], 0)
  assert_equal(pick(), { 0 })
  for _, id in ipairs({ 'e1', 'e2', 'e3' }) do mask_score(leases, id) end
end)

test('events are handed out in the order they were queued', function()
  queue('e1', 'e2', 'e3')
  assert_equal({ pick()[2], pick()[2], pick()[2] }, { 'e1', 'e2', 'e3' })
  for _, id in ipairs({ 'e1', 'e2', 'e3' }) do mask_score(leases, id) end
end)

test('the delivery count and the token grow with each delivery', function()
  queue('e1')
  call('HSET', deliveries, 'e1', 2)
  local reply = pick('instance-b')
  assert_equal({ reply[4], reply[5] }, { 3, 'instance-b:3' })
  assert_equal(call('HGET', deliveries, 'e1'), '3')
  mask_score(leases, 'e1')
end)

test('an expired lease goes back to the front with a wake marker and is handed out again', function()
  in_flight('e1', 'instance-b:1', 0)
  queue('e2')
  local reply = pick('instance-a', '0')
  assert_equal({ reply[1], reply[2], reply[4], reply[5] }, { 1, 'e1', 2, 'instance-a:2' })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2' })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-a:2', 'the old token is gone')
  assert_equal(call('LLEN', wake), 1, 'one marker added for e1, one taken for this pick')
  mask_score(leases, 'e1')
end)

test('a lease that has not expired stays in flight', function()
  local deadline = now() + 60000
  in_flight('e1', 'instance-b:1', deadline)
  assert_equal(pick(), { 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:1')
  assert_equal(call('ZSCORE', leases, 'e1'), tostring(deadline))
  assert_equal(call('EXISTS', published_key), 0)
  mask_score(leases, 'e1')
end)

test('several expired leases go back to the front; the one that expired last is handed out first', function()
  in_flight('e1', 'instance-b:1', 1)
  in_flight('e2', 'instance-c:1', 2)
  local reply = pick('instance-a', '0')
  assert_equal(reply[2], 'e2')
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' }, 'e1 is next')
  assert_equal(call('LLEN', wake), 1, 'two markers added, one taken')
  assert_equal(call('HGETALL', inflight), { 'e2', 'instance-a:2' })
  assert_equal(call('ZRANGE', leases, 0, -1), { 'e2' })
  mask_score(leases, 'e2')
end)

test('expired leases go back in front of events queued before', function()
  queue('e1')
  in_flight('e0', 'instance-b:1', 0)
  assert_equal(pick()[2], 'e0')
  assert_equal(pick()[2], 'e1')
  mask_score(leases, 'e0')
  mask_score(leases, 'e1')
end)

test('the reclaim limit ARGV[4] bounds how many expired leases go back, earliest first', function()
  in_flight('e1', 'instance-b:1', 1)
  in_flight('e2', 'instance-b:1', 2)
  in_flight('e3', 'instance-b:1', 3)
  local reply = pick('instance-a', '0', 2)
  assert_equal({ reply[1], reply[2] }, { 1, 'e2' })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('ZSCORE', leases, 'e3'), '3', 'e3 waits for a later pick')
  assert_equal(call('HGET', inflight, 'e3'), 'instance-b:1')
  mask_score(leases, 'e2')
end)

test('a reclaim limit of 0 puts nothing back', function()
  in_flight('e1', 'instance-b:1', 0)
  assert_equal(pick('instance-a', '0', 0), { 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:1')
  assert_equal(call('EXISTS', published_key, wake), 0)
end)

test('a queued id without an envelope is dropped with its delivery count', function()
  call('LPUSH', published_key, 'ghost')
  call('LPUSH', wake, '1')
  call('HSET', deliveries, 'ghost', 4)
  assert_equal(pick('instance-a', '0'), { 0 })
  assert_equal(call('KEYS', '*'), {}, 'id, marker and count are gone')
end)

test('after dropping an id without an envelope, remaining still counts the queue', function()
  queue('e1')
  call('RPUSH', published_key, 'ghost')
  assert_equal(pick(), { 1 })
  assert_equal(pick()[2], 'e1')
  mask_score(leases, 'e1')
end)

test('reclaiming expired leases publishes no notification', function()
  in_flight('e1', 'instance-b:1', 0)
  pick()
  assert_equal(published(), {})
  mask_score(leases, 'e1')
end)

test('a foreign value in the leases key fails before anything moves', function()
  queue('e1')
  call('SET', leases, 'foreign')
  assert_error(pick(), 'WRONGTYPE')
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('LLEN', wake), 1)
end)

test('a missing reclaim limit fails before anything moves', function()
  queue('e1')
  assert_error(run('pick', keys, { 'instance-a', 30000, '0' }), 'ERR')
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
end)
