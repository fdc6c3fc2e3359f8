-- Tests of Scripts/replay-dead.lua: puts dead letters back in their service's queue, at the back,
-- as if just published: envelope back in the events, delivery count from scratch, one wake
-- marker each.
--
-- KEYS: dead, dead letters, events, published, wake
-- ARGV: the ids of the dead letters to replay
-- Reply: the number of dead letters put back in the queue

local prefix = '{reb}:v1:s:billing:'
local dead, dead_letters, events, published_key, wake, inflight, leases, deliveries =
  prefix .. 'dead', prefix .. 'dead-letters', prefix .. 'events', prefix .. 'published', prefix .. 'wake',
  prefix .. 'inflight', prefix .. 'leases', prefix .. 'deliveries'
local keys = { dead, dead_letters, events, published_key, wake }

-- A dead letter as nack.lua or sweep.lua leaves it.
local function dead_letter(id, at)
  call('ZADD', dead, at, id)
  call('HSET', dead_letters, id .. ':envelope', 'envelope of ' .. id, id .. ':error', 'error of ' .. id,
    id .. ':deliveries', 5)
end

local function pick(owner)
  return run('pick', { published_key, events, inflight, leases, deliveries, wake }, { owner, 30000, 1 })
end

test('puts a dead letter back at the back of the queue with its envelope and one wake marker', function()
  call('LPUSH', published_key, 'e0')
  call('HSET', events, 'e0', 'envelope of e0')
  call('LPUSH', wake, '1')
  dead_letter('e1', 1)
  assert_equal(run('replay-dead', keys, { 'e1' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1', 'e0' }, 'e1 at the left end, after e0')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('LLEN', wake), 2)
end)

test('the replayed dead letter leaves the dead letters, fields and all', function()
  dead_letter('e1', 1)
  run('replay-dead', keys, { 'e1' })
  assert_equal(call('EXISTS', dead, dead_letters), 0)
end)

test('the delivery count starts again: the next pick is delivery 1', function()
  dead_letter('e1', 1)
  run('replay-dead', keys, { 'e1' })
  local reply = pick('instance-a')
  assert_equal({ reply[3], reply[4], reply[5], reply[6] }, { 'e1', 'envelope of e1', 1, 'instance-a:1' })
  mask_score(leases, 'e1')
end)

test('several ids replay in the order given', function()
  dead_letter('e1', 1)
  dead_letter('e2', 2)
  dead_letter('e3', 3)
  assert_equal(run('replay-dead', keys, { 'e3', 'e1' }), 2)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1', 'e3' }, 'e3 is picked first')
  assert_equal(call('ZRANGE', dead, 0, -1), { 'e2' }, 'the others stay dead letters')
  assert_equal(sorted(call('HKEYS', dead_letters)), { 'e2:deliveries', 'e2:envelope', 'e2:error' })
end)

test('an id that is not a dead letter is skipped', function()
  dead_letter('e1', 1)
  assert_equal(run('replay-dead', keys, { 'nope', 'e1' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('EXISTS', dead), 0)
end)

test('a dead letter whose id is queued again already is only removed', function()
  dead_letter('e1', 1)
  call('LPUSH', published_key, 'e1')
  call('HSET', events, 'e1', 'published again')
  call('LPUSH', wake, '1')
  assert_equal(run('replay-dead', keys, { 'e1' }), 0)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' }, 'not queued twice')
  assert_equal(call('HGET', events, 'e1'), 'published again', 'the newer envelope is kept')
  assert_equal(call('LLEN', wake), 1)
  assert_equal(call('EXISTS', dead, dead_letters), 0, 'the dead letter is gone')
end)

test('a dead letter whose id is in flight again is only removed', function()
  dead_letter('e1', 1)
  call('HSET', events, 'e1', 'being handled')
  call('HSET', inflight, 'e1', 'instance-a:1')
  assert_equal(run('replay-dead', keys, { 'e1' }), 0)
  assert_equal(call('EXISTS', published_key, wake, dead, dead_letters), 0)
  assert_equal(call('HGET', events, 'e1'), 'being handled')
end)

test('the same id twice replays once', function()
  dead_letter('e1', 1)
  assert_equal(run('replay-dead', keys, { 'e1', 'e1' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('LLEN', wake), 1)
end)

test('no ids replays nothing and writes nothing', function()
  dead_letter('e1', 1)
  assert_equal(run('replay-dead', keys, {}), 0)
  assert_equal(call('ZCARD', dead), 1)
  assert_equal(call('EXISTS', events, published_key, wake), 0)
end)

test('a dead letter without its envelope field is removed, not queued', function()
  call('ZADD', dead, 1, 'e1')
  call('HSET', dead_letters, 'e1:error', 'error of e1')
  assert_equal(run('replay-dead', keys, { 'e1' }), 0)
  assert_equal(call('KEYS', '*'), {})
end)

test('replay publishes no notification', function()
  dead_letter('e1', 1)
  run('replay-dead', keys, { 'e1' })
  assert_equal(published(), {})
end)

test('a foreign value in the events key fails and leaves the dead letter intact', function()
  dead_letter('e1', 1)
  call('SET', events, 'foreign')
  assert_error(run('replay-dead', keys, { 'e1' }), 'WRONGTYPE')
  assert_equal(call('ZRANGE', dead, 0, -1), { 'e1' })
  assert_equal(call('HGET', dead_letters, 'e1:envelope'), 'envelope of e1')
end)
