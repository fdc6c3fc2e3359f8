-- Tests of Scripts/sweep.lua: the checker's work for one service. Puts deliveries whose lease
-- expired back at the front of the queue (or dead-letters them when their deliveries are used
-- up) and retries whose delay passed, one wake marker each, under a guard taken with SET NX PX
-- so that one sweep per service per interval does it.
--
-- KEYS: sweep guard, published, wake, inflight, leases, deliveries, retries, events, dead,
--       dead letters
-- ARGV: guard ms ("0" continues without the guard), batch limit, max deliveries, dead-letter cap
-- Reply: {swept, requeued, retried, deadLettered, more}
-- Expired leases and due retries are set up with scores in the past instead of sleeping; the
-- times the script writes come from the server clock and are bounded with TIME and masked. The
-- guard is taken for 60 s, far longer than a test, so it is there on both backends at the end.

local prefix = '{reb}:v1:s:billing:'
local guard, published_key, wake, inflight, leases, deliveries, retries, events, dead, dead_letters =
  prefix .. 'sweep-guard', prefix .. 'published', prefix .. 'wake', prefix .. 'inflight', prefix .. 'leases',
  prefix .. 'deliveries', prefix .. 'retries', prefix .. 'events', prefix .. 'dead', prefix .. 'dead-letters'
local keys = { guard, published_key, wake, inflight, leases, deliveries, retries, events, dead, dead_letters }

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

-- An event a failed handler put in the retry set, due at `due`.
local function retrying(id, due, count)
  call('HSET', events, id, 'envelope of ' .. id)
  call('ZADD', retries, due, id)
  call('HSET', deliveries, id, count or 1)
end

-- sweep with a guard time (default 60 s), a batch limit (default 16), at most `max` deliveries
-- (default 5) and `cap` dead letters (default 100).
local function sweep(guard_ms, limit, max, cap)
  return run('sweep', keys, { guard_ms or 60000, limit or 16, max or 5, cap or 100 })
end

local function pick(owner)
  return run('pick', { published_key, events, inflight, leases, deliveries, wake }, { owner, 30000, 1 })
end

test('nothing to do: the sweep takes the guard, answers {1, 0, 0, 0, 0} and writes nothing else', function()
  assert_equal(sweep(), { 1, 0, 0, 0, 0 })
  assert_equal(call('KEYS', '*'), { guard })
  assert_equal(call('GET', guard), '1')
end)

test('the guard expires after the guard time', function()
  sweep(60000)
  assert_between(call('PTTL', guard), 1, 60000, 'a guard without expiry would stop every later sweep')
end)

test('an expired lease goes back to the front with a wake marker; its token is gone', function()
  queue('e2')
  in_flight('e1', 'instance-b:1', 0)
  assert_equal(sweep(), { 1, 1, 0, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1' }, 'e1 at the right end, next to go')
  assert_equal(call('LLEN', wake), 2, 'one marker for e2, one added for e1')
  assert_equal(call('EXISTS', inflight, leases), 0)
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('HGET', deliveries, 'e1'), '1', 'the count stays for the next delivery')
end)

test('the event put back is handed out again with the next delivery count and a fresh token', function()
  in_flight('e1', 'instance-b:1', 0)
  sweep()
  local reply = pick('instance-a')
  assert_equal({ reply[1], reply[3], reply[5], reply[6] }, { 0, 'e1', 2, 'instance-a:2' })
  assert_equal(run('ack', { inflight, leases, events, deliveries }, { 'e1', 'instance-b:1' }), { 0 },
    'the late ack of the instance whose lease expired changes nothing')
  mask_score(leases, 'e1')
end)

test('a lease that has not expired stays in flight', function()
  local deadline = now() + 60000
  in_flight('e1', 'instance-b:1', deadline)
  assert_equal(sweep(), { 1, 0, 0, 0, 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:1')
  assert_equal(call('ZSCORE', leases, 'e1'), tostring(deadline))
  assert_equal(call('EXISTS', published_key, wake), 0)
  mask_score(leases, 'e1')
end)

test('only the expired leases go back; the others stay in flight', function()
  in_flight('e1', 'instance-b:1', 5)
  in_flight('e2', 'instance-c:1', now() + 60000)
  assert_equal(sweep(), { 1, 1, 0, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('HGETALL', inflight), { 'e2', 'instance-c:1' })
  mask_score(leases, 'e2')
end)

test('expired leases go back in deadline order: the one that expired first is picked first', function()
  in_flight('e1', 'instance-b:1', 3)
  in_flight('e2', 'instance-b:1', 1)
  in_flight('e3', 'instance-c:1', 2)
  assert_equal(sweep(), { 1, 3, 0, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1', 'e3', 'e2' }, 'e2 at the right end')
  assert_equal({ pick('instance-a')[3], pick('instance-a')[3], pick('instance-a')[3] }, { 'e2', 'e3', 'e1' })
  for _, id in ipairs({ 'e1', 'e2', 'e3' }) do mask_score(leases, id) end
end)

test('expired leases go back in front of events queued before', function()
  queue('e1', 'e2')
  in_flight('e0', 'instance-b:1', 0)
  sweep()
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1', 'e0' })
end)

test('the batch limit bounds the expired leases put back, earliest first, and answers more = 1', function()
  in_flight('e1', 'instance-b:1', 1)
  in_flight('e2', 'instance-b:1', 2)
  in_flight('e3', 'instance-b:1', 3)
  assert_equal(sweep(60000, 2), { 1, 2, 0, 0, 1 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1' })
  assert_equal(call('ZRANGE', leases, 0, -1, 'WITHSCORES'), { 'e3', '3' }, 'e3 waits for the continuation')
  assert_equal(call('HGETALL', inflight), { 'e3', 'instance-b:1' })
end)

test('"0" continues a sweep without the guard: the rest goes back and more is 0', function()
  in_flight('e1', 'instance-b:1', 1)
  in_flight('e2', 'instance-b:1', 2)
  in_flight('e3', 'instance-b:1', 3)
  sweep(60000, 2)
  assert_equal(sweep('0', 2), { 1, 1, 0, 0, 0 }, 'the guard this caller holds does not stop it')
  assert_equal(call('EXISTS', inflight, leases), 0)
  assert_equal(call('LLEN', published_key), 3)
  assert_equal(call('LLEN', wake), 3)
end)

test('a continuation\'s batch goes in front of the batch put back before it', function()
  in_flight('e1', 'instance-b:1', 1)
  in_flight('e2', 'instance-b:1', 2)
  in_flight('e3', 'instance-b:1', 3)
  sweep(60000, 2)
  sweep('0', 2)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1', 'e3' }, 'e3 is picked before e1 and e2')
end)

test('a sweep while another holds the guard does nothing and answers {0, 0, 0, 0, 0}', function()
  call('SET', guard, 'instance-b', 'PX', 60000)
  in_flight('e1', 'instance-b:1', 0)
  retrying('e2', 0)
  assert_equal(sweep(), { 0, 0, 0, 0, 0 })
  assert_equal(call('GET', guard), 'instance-b', 'the holder\'s guard is left alone')
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:1')
  assert_equal(call('ZSCORE', leases, 'e1'), '0')
  assert_equal(call('ZSCORE', retries, 'e2'), '0')
  assert_equal(call('EXISTS', published_key, wake), 0)
end)

test('a second sweep right after the first finds the guard taken', function()
  assert_equal(sweep(), { 1, 0, 0, 0, 0 })
  in_flight('e1', 'instance-b:1', 0)
  assert_equal(sweep(), { 0, 0, 0, 0, 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:1')
end)

test('a sweep after the guard went away takes it again', function()
  sweep()
  call('DEL', guard)
  in_flight('e1', 'instance-b:1', 0)
  assert_equal(sweep(), { 1, 1, 0, 0, 0 })
  assert_equal(call('GET', guard), '1')
end)

test('"0" works while another holds the guard and leaves that guard alone', function()
  call('SET', guard, 'instance-b', 'PX', 60000)
  in_flight('e1', 'instance-b:1', 0)
  assert_equal(sweep('0'), { 1, 1, 0, 0, 0 })
  assert_equal(call('GET', guard), 'instance-b')
end)

test('"0" never takes the guard', function()
  assert_equal(sweep('0'), { 1, 0, 0, 0, 0 })
  assert_equal(call('KEYS', '*'), {})
end)

test('an expired lease whose deliveries are used up is dead-lettered with the lease error', function()
  in_flight('e1', 'instance-b:3', 0, 3)
  local before = now()
  assert_equal(sweep(60000, 16, 3), { 1, 0, 0, 1, 0 })
  local after = now()
  assert_equal(call('HGETALL', dead_letters), {
    'e1:envelope', 'envelope of e1', 'e1:error', 'the lease of delivery 3 expired', 'e1:deliveries', '3',
  })
  assert_between(math.floor(tonumber(call('ZSCORE', dead, 'e1')) / 1000), before, after, 'dead-lettered at TIME')
  assert_equal(call('EXISTS', events, deliveries, inflight, leases, published_key, wake), 0)
  mask_score(dead, 'e1')
end)

test('one sweep puts back the leases with deliveries left and dead-letters the others', function()
  in_flight('e1', 'instance-b:2', 1, 2)
  in_flight('e2', 'instance-b:3', 2, 3)
  in_flight('e3', 'instance-b:1', 3, 1)
  assert_equal(sweep(60000, 16, 3), { 1, 2, 0, 1, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e3', 'e1' })
  assert_equal(call('LLEN', wake), 2, 'no marker for the dead letter')
  assert_equal(call('ZRANGE', dead, 0, -1), { 'e2' })
  assert_equal(sorted(call('HKEYS', events)), { 'e1', 'e3' })
  assert_equal(call('HGETALL', deliveries), { 'e1', '2', 'e3', '1' })
  mask_score(dead, 'e2')
end)

test('the dead letters beyond the cap are deleted, oldest first, with their fields', function()
  call('ZADD', dead, 1, 'old1', 2, 'old2')
  call('HSET', dead_letters, 'old1:envelope', 'x', 'old1:error', 'y', 'old1:deliveries', 5,
    'old2:envelope', 'x', 'old2:error', 'y', 'old2:deliveries', 5)
  in_flight('e1', 'instance-b:1', 0, 1)
  assert_equal(sweep(60000, 16, 1, 2), { 1, 0, 0, 1, 0 })
  assert_equal(call('ZRANGE', dead, 0, -1), { 'old2', 'e1' })
  assert_equal(sorted(call('HKEYS', dead_letters)), {
    'e1:deliveries', 'e1:envelope', 'e1:error', 'old2:deliveries', 'old2:envelope', 'old2:error',
  })
  mask_score(dead, 'e1')
end)

test('a due retry goes back to the front with a wake marker', function()
  queue('e2')
  retrying('e1', 0, 2)
  assert_equal(sweep(), { 1, 0, 1, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1' })
  assert_equal(call('LLEN', wake), 2)
  assert_equal(call('EXISTS', retries), 0)
  assert_equal(call('HGET', deliveries, 'e1'), '2', 'the count stays for the next delivery')
end)

test('a retry that is not due yet stays in the retry set', function()
  retrying('e1', now() + 60000)
  assert_equal(sweep(), { 1, 0, 0, 0, 0 })
  assert_equal(call('ZCARD', retries), 1)
  assert_equal(call('EXISTS', published_key, wake), 0)
  mask_score(retries, 'e1')
end)

test('due retries go back earliest first: the first due is picked first', function()
  retrying('e1', 2)
  retrying('e2', 1)
  retrying('e3', now() + 60000)
  assert_equal(sweep(), { 1, 0, 2, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1', 'e2' })
  assert_equal(call('ZRANGE', retries, 0, -1), { 'e3' })
  mask_score(retries, 'e3')
end)

test('a retry is never dead-lettered by the sweep, whatever its count', function()
  retrying('e1', 0, 9)
  assert_equal(sweep(60000, 16, 3), { 1, 0, 1, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
end)

test('in one sweep, due retries end up in front of the expired leases put back', function()
  in_flight('e1', 'instance-b:1', 1)
  retrying('e2', 2)
  assert_equal(sweep(), { 1, 1, 1, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1', 'e2' }, 'e2 is picked first')
end)

test('the batch limit bounds due retries too, and answers more = 1', function()
  retrying('e1', 1)
  retrying('e2', 2)
  retrying('e3', 3)
  assert_equal(sweep(60000, 2), { 1, 0, 2, 0, 1 })
  assert_equal(call('ZRANGE', retries, 0, -1), { 'e3' })
  assert_equal(sweep('0', 2), { 1, 0, 1, 0, 0 })
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1', 'e3' })
end)

test('the limit counts expired leases and due retries apart', function()
  in_flight('e1', 'instance-b:1', 1)
  retrying('e2', 1)
  assert_equal(sweep(60000, 2), { 1, 1, 1, 0, 0 })
end)

test('a sweep publishes no notification', function()
  in_flight('e1', 'instance-b:1', 0)
  retrying('e2', 0)
  sweep()
  assert_equal(published(), {})
end)

-- Every argument error answers BROKER_ARGUMENTS without taking the guard or moving anything.
local function assert_refused(argv, what)
  call('FLUSHALL')
  in_flight('e1', 'instance-b:1', 0)
  retrying('e2', 0)
  assert_error(run('sweep', keys, argv), 'BROKER_ARGUMENTS sweep needs whole numbers: a guard time >= 0', what)
  assert_equal(call('EXISTS', guard, published_key, wake, dead), 0, what)
  assert_equal(call('ZSCORE', leases, 'e1'), '0', what)
  assert_equal(call('ZSCORE', retries, 'e2'), '0', what)
end

test('BROKER_ARGUMENTS: a negative or non-numeric guard time changes nothing', function()
  assert_refused({ -1, 16, 5, 100 }, 'guard -1')
  assert_refused({ 'soon', 16, 5, 100 }, 'guard soon')
end)

test('BROKER_ARGUMENTS: a batch limit below 1 changes nothing', function()
  assert_refused({ 60000, 0, 5, 100 }, 'limit 0')
  assert_refused({ 60000, '', 5, 100 }, 'limit empty')
end)

test('BROKER_ARGUMENTS: max deliveries or a dead-letter cap below 1 changes nothing', function()
  assert_refused({ 60000, 16, 0, 100 }, 'max 0')
  assert_refused({ 60000, 16, 5, 0 }, 'cap 0')
end)

test('BROKER_ARGUMENTS: a fraction where a whole number belongs changes nothing', function()
  assert_refused({ 60000, '1.5', 5, 100 }, 'limit 1.5')
  assert_refused({ 60000, 16, 5, '0.5' }, 'cap 0.5')
  assert_refused({ '10.5', 16, 5, 100 }, 'guard 10.5')
end)

test('BROKER_ARGUMENTS: missing arguments change nothing', function()
  assert_refused({ 60000, 16, 5 }, 'no cap')
  assert_refused({}, 'nothing')
end)
