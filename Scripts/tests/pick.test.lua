-- Tests of Scripts/pick.lua: hands the next event of a service to one instance under a lease.
-- Expired leases and due retries are the sweep's work (sweep.test.lua), never the pick's.
--
-- KEYS: published, events, inflight, leases, deliveries, wake
-- ARGV: owner, lease milliseconds, the most events to take
-- Lease deadlines come from the server clock: tests bound them with TIME and mask them in the
-- keyspace dump; expired leases are set up with scores in the past instead of sleeping.

local prefix = '{reb}:v1:s:billing:'
local published_key, events, inflight, leases, deliveries, wake, retries =
  prefix .. 'published', prefix .. 'events', prefix .. 'inflight', prefix .. 'leases',
  prefix .. 'deliveries', prefix .. 'wake', prefix .. 'retries'
local keys = { published_key, events, inflight, leases, deliveries, wake }

-- The server clock in milliseconds, as the script computes it.
local function now()
  local time = call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Queues events as publish.lua does: id at the left end, envelope, a wake marker unless one waits.
local function queue(...)
  for _, id in ipairs({ ... }) do
    call('LPUSH', published_key, id)
    call('HSET', events, id, 'envelope of ' .. id)
  end
  if call('LLEN', wake) == 0 then
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

local function pick(owner, limit)
  return run('pick', keys, { owner or 'instance-a', 30000, limit or 1 })
end

test('an empty queue hands out nothing and writes nothing', function()
  assert_equal(pick(), { 0 })
  assert_equal(call('KEYS', '*'), {})
end)

test('an empty queue clears stray wake markers: no instance has work to wake for', function()
  call('LPUSH', wake, '1', '1')
  assert_equal(pick(), { 0 })
  assert_equal(call('KEYS', '*'), {})
end)

test('hands out the oldest event with its envelope, count 1, a token and a deadline', function()
  queue('e1', 'e2')
  local before = now()
  local reply = pick('instance-a')
  local after = now()
  assert_equal(#reply, 6, 'a pick of one event answers six values')
  assert_equal({ reply[1], reply[3], reply[4], reply[5], reply[6] }, { 1, 'e1', 'envelope of e1', 1, 'instance-a:1' })
  assert_between(reply[2], before + 30000, after + 30000, 'deadline = TIME + lease')
  mask_score(leases, 'e1')
end)

test('records the delivery: owner token, lease deadline and delivery count', function()
  queue('e1')
  local reply = pick('instance-a')
  assert_equal(call('HGETALL', inflight), { 'e1', 'instance-a:1' })
  assert_equal(call('ZSCORE', leases, 'e1'), tostring(reply[2]))
  assert_equal(call('HGET', deliveries, 'e1'), '1')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1', 'the envelope stays until ack')
  assert_equal(call('EXISTS', published_key), 0, 'the emptied queue vanishes')
  mask_score(leases, 'e1')
end)

test('the lease length ARGV[2] sets the deadline', function()
  queue('e1')
  local before = now()
  local reply = run('pick', keys, { 'instance-a', 1, 1 })
  local after = now()
  assert_between(reply[2], before + 1, after + 1, 'a lease of 1 ms')
  mask_score(leases, 'e1')
end)

test('events left behind keep one marker per limit\'s worth, so as many instances wake', function()
  queue('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7')
  call('LPOP', wake)
  pick('instance-a', 2)
  assert_equal(call('LLEN', wake), 3, '5 events left, 2 per pick: 3 instances to wake')
  pick('instance-a', 2)
  assert_equal(call('LLEN', wake), 2, '3 left: the marker too many goes')
  pick('instance-a', 3)
  assert_equal(call('EXISTS', wake), 0, 'the last marker goes with the last event')
  for i = 1, 7 do mask_score(leases, 'e' .. i) end
end)

test('at most 16 markers, however long the queue: each instance woken wakes more', function()
  for i = 1, 40 do queue('e' .. i) end
  pick('instance-a', 1)
  assert_equal(call('LLEN', wake), 16)
  mask_score(leases, 'e1')
end)

test('a caller that took the only marker with BLPOP and leaves events behind puts one back', function()
  queue('e1', 'e2')
  call('LPOP', wake)
  pick()
  assert_equal(call('LLEN', wake), 1)
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
  assert_equal({ pick()[3], pick()[3], pick()[3] }, { 'e1', 'e2', 'e3' })
  for _, id in ipairs({ 'e1', 'e2', 'e3' }) do mask_score(leases, id) end
end)

test('the delivery count and the token grow with each delivery', function()
  queue('e1')
  call('HSET', deliveries, 'e1', 2)
  local reply = pick('instance-b')
  assert_equal({ reply[5], reply[6] }, { 3, 'instance-b:3' })
  assert_equal(call('HGET', deliveries, 'e1'), '3')
  mask_score(leases, 'e1')
end)

test('an expired lease stays in flight: putting it back is the sweep\'s work', function()
  in_flight('e1', 'instance-b:1', 0)
  queue('e2')
  local reply = pick('instance-a')
  assert_equal({ reply[1], reply[3], reply[5], reply[6] }, { 0, 'e2', 1, 'instance-a:1' })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:1', 'the old token stays')
  assert_equal(call('ZSCORE', leases, 'e1'), '0')
  assert_equal(call('HGET', deliveries, 'e1'), '1')
  assert_equal(pick(), { 0 }, 'the expired lease is not handed out')
  mask_score(leases, 'e2')
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

test('a due retry stays in the retry set: putting it back is the sweep\'s work', function()
  call('HSET', events, 'e1', 'envelope of e1')
  call('HSET', deliveries, 'e1', 1)
  call('ZADD', retries, 0, 'e1')
  assert_equal(pick(), { 0 })
  assert_equal(call('ZRANGE', retries, 0, -1, 'WITHSCORES'), { 'e1', '0' })
  assert_equal(call('EXISTS', inflight, leases), 0)
end)

test('a queued id without an envelope is dropped with its delivery count', function()
  call('LPUSH', published_key, 'ghost')
  call('LPUSH', wake, '1')
  call('HSET', deliveries, 'ghost', 4)
  assert_equal(pick(), { 0 })
  assert_equal(call('KEYS', '*'), {}, 'id, marker and count are gone')
end)

test('after dropping an id without an envelope, remaining still counts the queue', function()
  queue('e1')
  call('RPUSH', published_key, 'ghost')
  assert_equal(pick(), { 1 })
  assert_equal(pick()[3], 'e1')
  mask_score(leases, 'e1')
end)

test('a pick takes up to its limit, oldest first, under one deadline, each with its own count and token', function()
  queue('e1', 'e2', 'e3')
  call('HSET', deliveries, 'e2', 4)
  local before = now()
  local reply = pick('instance-a', 2)
  local after = now()
  assert_equal(#reply, 10, 'two values, then four per event')
  assert_equal(reply[1], 1, 'e3 remains')
  assert_between(reply[2], before + 30000, after + 30000, 'deadline = TIME + lease')
  assert_equal({ reply[3], reply[4], reply[5], reply[6] }, { 'e1', 'envelope of e1', 1, 'instance-a:1' })
  assert_equal({ reply[7], reply[8], reply[9], reply[10] }, { 'e2', 'envelope of e2', 5, 'instance-a:5' })
  assert_equal(call('HGETALL', inflight), { 'e1', 'instance-a:1', 'e2', 'instance-a:5' })
  assert_equal(call('HGETALL', deliveries), { 'e2', '5', 'e1', '1' })
  assert_equal(call('ZRANGE', leases, 0, -1, 'WITHSCORES'), { 'e1', tostring(reply[2]), 'e2', tostring(reply[2]) })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e3' })
  assert_equal(call('LLEN', wake), 1, 'one marker for the event left')
  for _, id in ipairs({ 'e1', 'e2' }) do mask_score(leases, id) end
end)

test('a limit beyond the queue takes what there is', function()
  queue('e1', 'e2')
  local reply = pick('instance-a', 100)
  assert_equal({ reply[1], #reply, reply[3], reply[7] }, { 0, 10, 'e1', 'e2' })
  assert_equal(call('EXISTS', published_key, wake), 0, 'no event left, no marker')
  assert_equal(pick('instance-a', 100), { 0 })
  for _, id in ipairs({ 'e1', 'e2' }) do mask_score(leases, id) end
end)

test('ids without an envelope among those taken are dropped; the others are handed out', function()
  queue('e1')
  call('LPUSH', published_key, 'ghost')
  call('HSET', deliveries, 'ghost', 2)
  queue('e2')
  local reply = pick('instance-a', 3)
  assert_equal({ reply[1], #reply, reply[3], reply[7] }, { 0, 10, 'e1', 'e2' })
  assert_equal(call('HKEYS', inflight), { 'e1', 'e2' })
  assert_equal(call('ZRANGE', leases, 0, -1), { 'e1', 'e2' })
  assert_equal(call('HEXISTS', deliveries, 'ghost'), 0)
  for _, id in ipairs({ 'e1', 'e2' }) do mask_score(leases, id) end
end)

test('a pick that takes only ids without an envelope hands out nothing', function()
  call('LPUSH', published_key, 'ghost-1', 'ghost-2')
  queue('e1')
  assert_equal(pick('instance-a', 2), { 1 })
  assert_equal(call('LLEN', wake), 1, 'a marker for the event left')
  assert_equal(call('EXISTS', inflight, leases, deliveries), 0)
  assert_equal(pick()[3], 'e1')
  mask_score(leases, 'e1')
end)

test('a pick publishes no notification', function()
  queue('e1')
  pick()
  assert_equal(published(), {})
  mask_score(leases, 'e1')
end)

-- Every argument error answers BROKER_ARGUMENTS before the queue, the markers or the counts move.
local function assert_refused(argv, what)
  queue('e1')
  assert_error(run('pick', keys, argv),
    'BROKER_ARGUMENTS pick needs an owner, a lease of at least 1 ms and a limit from 1 to 1000', what)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' }, what)
  assert_equal(call('LLEN', wake), 1, what)
  assert_equal(call('EXISTS', inflight, leases, deliveries), 0, what)
end

test('BROKER_ARGUMENTS: an empty owner moves nothing', function()
  assert_refused({ '', 30000, 1 })
end)

test('BROKER_ARGUMENTS: a lease that is not a positive whole number of ms moves nothing', function()
  for _, lease in ipairs({ '0', '-5', '1.5', 'soon', '' }) do
    call('FLUSHALL')
    assert_refused({ 'instance-a', lease, 1 }, 'lease ' .. lease)
  end
end)

test('BROKER_ARGUMENTS: a limit that is not a whole number from 1 to 1000 moves nothing', function()
  for _, limit in ipairs({ '0', '-1', '1001', '2.5', 'all', '' }) do
    call('FLUSHALL')
    assert_refused({ 'instance-a', 30000, limit }, 'limit ' .. limit)
  end
end)

test('BROKER_ARGUMENTS: missing arguments move nothing', function()
  assert_refused({ 'instance-a', 30000 }, 'no limit')
  call('FLUSHALL')
  assert_refused({ 'instance-a' }, 'no lease')
  call('FLUSHALL')
  assert_refused({}, 'nothing')
end)
