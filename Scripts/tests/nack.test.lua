-- Tests of Scripts/nack.lua: takes an event back from a delivery whose handler failed, if the
-- caller still holds it: back to the front of the queue at once ("requeued"), into the retry set
-- until its delay passed ("delayed"), or into the dead letters when its deliveries are used up
-- ("dead"); "lost" when the caller no longer holds it.
--
-- KEYS: inflight, leases, deliveries, published, wake, retries, events, dead, dead letters
-- ARGV: event id, owner token, retry delay ms, max deliveries, dead-letter cap, error text,
--       notification channel, topic
-- Retry times and dead-letter times come from the server clock: tests bound them with TIME and
-- mask them in the keyspace dump.

local prefix = '{reb}:v1:s:billing:'
local inflight, leases, deliveries, published_key, wake, retries, events, dead, dead_letters =
  prefix .. 'inflight', prefix .. 'leases', prefix .. 'deliveries', prefix .. 'published', prefix .. 'wake',
  prefix .. 'retries', prefix .. 'events', prefix .. 'dead', prefix .. 'dead-letters'
local channel = prefix .. 'notify'
local keys = { inflight, leases, deliveries, published_key, wake, retries, events, dead, dead_letters }

-- The server clock in milliseconds, as the script computes it.
local function now()
  local time = call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- An event handed to `token`, as pick.lua leaves it.
local function in_flight(id, token, count)
  call('HSET', events, id, 'envelope of ' .. id)
  call('HSET', inflight, id, token)
  call('ZADD', leases, 1700000000000, id)
  call('HSET', deliveries, id, count or 1)
end

-- A dead letter as nack.lua or sweep.lua leaves it, dead-lettered at `at`.
local function dead_letter(id, at)
  call('ZADD', dead, at, id)
  call('HSET', dead_letters, id .. ':envelope', 'envelope of ' .. id, id .. ':error', 'error of ' .. id,
    id .. ':deliveries', 5)
end

-- nack with a delay (default "0"), at most `max` deliveries (default 5) and `cap` dead letters
-- (default 100).
local function nack(id, token, delay, max, cap, error_text)
  return run('nack', keys, { id, token, delay or '0', max or 5, cap or 100, error_text or 'boom', channel, 'orders' })
end

test('the holder\'s nack without delay puts the event at the front of the queue: "requeued"', function()
  call('LPUSH', published_key, 'e2', 'e3')
  in_flight('e1', 'instance-a:1')
  assert_equal(nack('e1', 'instance-a:1'), 'requeued')
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e3', 'e2', 'e1' }, 'e1 at the right end, next to go')
  assert_equal(call('EXISTS', inflight, leases), 0, 'no longer in flight')
end)

test('a requeue pushes one wake marker and notifies the service with the topic', function()
  call('LPUSH', wake, '1')
  in_flight('e1', 'instance-a:1')
  nack('e1', 'instance-a:1')
  assert_equal(call('LRANGE', wake, 0, -1), { '1', '1' })
  assert_equal(published(), { { channel, 'orders' } })
end)

test('the envelope and the delivery count stay for the next delivery', function()
  in_flight('e1', 'instance-a:1', 2)
  nack('e1', 'instance-a:1')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('HGET', deliveries, 'e1'), '2')
  assert_equal(call('EXISTS', retries, dead, dead_letters), 0)
end)

test('the next pick hands the event out again with the next delivery count', function()
  in_flight('e1', 'instance-a:1')
  nack('e1', 'instance-a:1')
  local reply = run('pick', { published_key, events, inflight, leases, deliveries, wake }, { 'instance-b', 30000, 1 })
  assert_equal({ reply[1], reply[3], reply[5], reply[6] }, { 0, 'e1', 2, 'instance-b:2' })
  assert_equal(call('EXISTS', wake), 0, 'the nack\'s marker was taken by the pick')
  mask_score(leases, 'e1')
end)

test('a nack with a delay puts the event in the retry set at TIME + delay: "delayed"', function()
  in_flight('e1', 'instance-a:1', 2)
  local before = now()
  assert_equal(nack('e1', 'instance-a:1', 5000), 'delayed')
  local after = now()
  assert_between(tonumber(call('ZSCORE', retries, 'e1')), before + 5000, after + 5000, 'retry time = TIME + delay')
  assert_equal(call('EXISTS', inflight, leases), 0, 'no longer in flight')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('HGET', deliveries, 'e1'), '2')
  mask_score(retries, 'e1')
end)

test('even a delay of 1 ms waits in the retry set', function()
  in_flight('e1', 'instance-a:1')
  assert_equal(nack('e1', 'instance-a:1', 1), 'delayed')
  assert_equal(call('ZCARD', retries), 1)
  assert_equal(call('EXISTS', published_key), 0)
  mask_score(retries, 'e1')
end)

test('a delayed event is not queued, wakes no one and notifies no one', function()
  in_flight('e1', 'instance-a:1')
  nack('e1', 'instance-a:1', 5000)
  assert_equal(call('EXISTS', published_key, wake), 0)
  assert_equal(published(), {})
  local reply = run('pick', { published_key, events, inflight, leases, deliveries, wake }, { 'instance-b', 30000, 1 })
  assert_equal(reply, { 0 }, 'nothing to pick until the sweep puts it back')
  mask_score(retries, 'e1')
end)

test('the failure of the last allowed delivery dead-letters the event: "dead"', function()
  in_flight('e1', 'instance-a:3', 3)
  local before = now()
  assert_equal(nack('e1', 'instance-a:3', '0', 3, 100, 'handler threw: boom'), 'dead')
  local after = now()
  assert_equal(call('HGETALL', dead_letters), {
    'e1:envelope', 'envelope of e1', 'e1:error', 'handler threw: boom', 'e1:deliveries', '3',
  })
  assert_between(math.floor(tonumber(call('ZSCORE', dead, 'e1')) / 1000), before, after, 'dead-lettered at TIME')
  assert_equal(call('EXISTS', events, deliveries, inflight, leases), 0, 'the event left the service\'s queue')
  mask_score(dead, 'e1')
end)

test('dead letters of the same microsecond keep their order: each scores above the newest', function()
  call('ZADD', dead, 9000000000000000, 'future')
  in_flight('e1', 'instance-a:3', 3)
  in_flight('e2', 'instance-a:3', 3)
  assert_equal(nack('e1', 'instance-a:3', '0', 3), 'dead')
  assert_equal(nack('e2', 'instance-a:3', '0', 3), 'dead')
  assert_equal(call('ZRANGE', dead, 0, -1, 'WITHSCORES'),
    { 'future', '9000000000000000', 'e1', '9000000000000001', 'e2', '9000000000000002' })
end)

test('a dead-lettered event is not queued, wakes no one and notifies no one', function()
  call('LPUSH', wake, '1')
  in_flight('e1', 'instance-a:3', 3)
  nack('e1', 'instance-a:3', '0', 3)
  assert_equal(call('EXISTS', published_key, retries), 0)
  assert_equal(call('LLEN', wake), 1)
  assert_equal(published(), {})
  mask_score(dead, 'e1')
end)

test('deliveries left: the event is retried, not dead-lettered', function()
  in_flight('e1', 'instance-a:2', 2)
  assert_equal(nack('e1', 'instance-a:2', '0', 3), 'requeued')
  assert_equal(call('EXISTS', dead, dead_letters), 0)
end)

test('a delivery count beyond the maximum (lowered since the pick) is dead-lettered too', function()
  in_flight('e1', 'instance-a:5', 5)
  assert_equal(nack('e1', 'instance-a:5', '0', 3), 'dead')
  assert_equal(call('HGET', dead_letters, 'e1:deliveries'), '5')
  mask_score(dead, 'e1')
end)

test('used-up deliveries win over the delay: the event is dead-lettered, not delayed', function()
  in_flight('e1', 'instance-a:3', 3)
  assert_equal(nack('e1', 'instance-a:3', 5000, 3), 'dead')
  assert_equal(call('EXISTS', retries), 0)
  mask_score(dead, 'e1')
end)

test('an event whose envelope is gone is dead-lettered with an empty envelope', function()
  in_flight('e1', 'instance-a:1', 1)
  call('HDEL', events, 'e1')
  assert_equal(nack('e1', 'instance-a:1', '0', 1), 'dead')
  assert_equal(call('HGET', dead_letters, 'e1:envelope'), '')
  mask_score(dead, 'e1')
end)

test('envelope and error text are kept byte for byte', function()
  local envelope, error_text = 'a\0b\r\n' .. string.char(255, 128) .. '{"x":1}', 'line 1\nline 2 \0 é'
  in_flight('e1', 'instance-a:1', 1)
  call('HSET', events, 'e1', envelope)
  nack('e1', 'instance-a:1', '0', 1, 100, error_text)
  assert_equal(call('HMGET', dead_letters, 'e1:envelope', 'e1:error'), { envelope, error_text })
  mask_score(dead, 'e1')
end)

test('dead letters under the cap are all kept', function()
  dead_letter('old1', 1)
  dead_letter('old2', 2)
  in_flight('e1', 'instance-a:1', 1)
  nack('e1', 'instance-a:1', '0', 1, 3)
  assert_equal(call('ZRANGE', dead, 0, -1), { 'old1', 'old2', 'e1' })
  assert_equal(call('HLEN', dead_letters), 9)
  mask_score(dead, 'e1')
end)

test('the dead letters beyond the cap are deleted, oldest first, with their fields', function()
  dead_letter('old1', 1)
  dead_letter('old2', 2)
  dead_letter('old3', 3)
  in_flight('e1', 'instance-a:1', 1)
  assert_equal(nack('e1', 'instance-a:1', '0', 1, 2), 'dead')
  assert_equal(call('ZRANGE', dead, 0, -1), { 'old3', 'e1' })
  assert_equal(sorted(call('HKEYS', dead_letters)), {
    'e1:deliveries', 'e1:envelope', 'e1:error', 'old3:deliveries', 'old3:envelope', 'old3:error',
  })
  mask_score(dead, 'e1')
end)

test('a cap of 1 keeps only the newest dead letter', function()
  dead_letter('old1', 1)
  in_flight('e1', 'instance-a:1', 1)
  nack('e1', 'instance-a:1', '0', 1, 1)
  assert_equal(call('ZRANGE', dead, 0, -1), { 'e1' })
  assert_equal(call('HEXISTS', dead_letters, 'old1:envelope'), 0)
  mask_score(dead, 'e1')
end)

test('an id dead-lettered again replaces its old dead letter', function()
  dead_letter('e1', 1)
  in_flight('e1', 'instance-a:2', 2)
  assert_equal(nack('e1', 'instance-a:2', '0', 2, 100, 'second death'), 'dead')
  assert_equal(call('ZCARD', dead), 1)
  assert_equal(call('HMGET', dead_letters, 'e1:error', 'e1:deliveries'), { 'second death', '2' })
  assert_not_equal(call('ZSCORE', dead, 'e1'), '1', 'dead-lettered now')
  mask_score(dead, 'e1')
end)

test('a late nack after the event was handed to another instance is "lost" and changes nothing', function()
  in_flight('e1', 'instance-b:2', 2)
  assert_equal(nack('e1', 'instance-a:1'), 'lost')
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:2')
  assert_equal(call('ZCARD', leases), 1)
  assert_equal(call('EXISTS', published_key, wake, retries), 0)
  assert_equal(published(), {})
end)

test('a nack for an event not in flight is "lost" and changes nothing', function()
  call('LPUSH', published_key, 'e1')
  assert_equal(nack('e1', 'instance-a:1'), 'lost')
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' }, 'not queued twice')
  assert_equal(call('EXISTS', wake, retries), 0)
  assert_equal(published(), {})
end)

test('a lost nack neither delays nor dead-letters, whatever the count', function()
  in_flight('e1', 'instance-b:3', 3)
  assert_equal(nack('e1', 'instance-a:3', 5000, 3), 'lost')
  assert_equal(call('EXISTS', retries, dead, dead_letters), 0)
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
end)

test('a foreign value in the inflight key fails before anything is written', function()
  call('SET', inflight, 'foreign')
  assert_error(nack('e1', 'instance-a:1'), 'WRONGTYPE')
  assert_equal(call('EXISTS', published_key, wake), 0)
  assert_equal(published(), {})
end)

-- Every argument error answers BROKER_ARGUMENTS while the event stays in flight, untouched.
local function assert_refused(argv, what)
  call('FLUSHALL')
  in_flight('e1', 'instance-a:3', 3)
  assert_error(run('nack', keys, argv),
    'BROKER_ARGUMENTS nack needs 8 arguments and whole numbers: a delay >= 0, max deliveries >= 1 and a dead-letter cap >= 1', what)
  assert_equal(call('HGET', inflight, 'e1'), 'instance-a:3', what)
  assert_equal(call('ZSCORE', leases, 'e1'), '1700000000000', what)
  assert_equal(call('EXISTS', published_key, wake, retries, dead, dead_letters), 0, what)
  assert_equal(published(), {}, what)
end

test('BROKER_ARGUMENTS: a negative or non-numeric delay changes nothing', function()
  assert_refused({ 'e1', 'instance-a:3', '-1', 3, 100, 'boom', channel, 'orders' }, 'delay -1')
  assert_refused({ 'e1', 'instance-a:3', 'later', 3, 100, 'boom', channel, 'orders' }, 'delay later')
end)

test('BROKER_ARGUMENTS: max deliveries below 1 changes nothing', function()
  assert_refused({ 'e1', 'instance-a:3', '0', 0, 100, 'boom', channel, 'orders' }, 'max 0')
  assert_refused({ 'e1', 'instance-a:3', '0', 'x', 100, 'boom', channel, 'orders' }, 'max x')
end)

test('BROKER_ARGUMENTS: a dead-letter cap below 1 changes nothing', function()
  assert_refused({ 'e1', 'instance-a:3', '0', 3, 0, 'boom', channel, 'orders' }, 'cap 0')
  assert_refused({ 'e1', 'instance-a:3', '0', 3, '', 'boom', channel, 'orders' }, 'cap empty')
end)

test('BROKER_ARGUMENTS: a fraction where a whole number belongs changes nothing', function()
  assert_refused({ 'e1', 'instance-a:3', '0.5', 3, 100, 'boom', channel, 'orders' }, 'delay 0.5')
  assert_refused({ 'e1', 'instance-a:3', '0', '2.5', 100, 'boom', channel, 'orders' }, 'max 2.5')
  assert_refused({ 'e1', 'instance-a:3', '0', 3, '1.5', 'boom', channel, 'orders' }, 'cap 1.5')
end)

test('BROKER_ARGUMENTS: a missing error text, channel or topic changes nothing', function()
  assert_refused({ 'e1', 'instance-a:3', '0', 3, 100 }, 'five arguments')
  assert_refused({ 'e1', 'instance-a:3', '0', 3, 100, 'boom', channel }, 'seven arguments')
end)
