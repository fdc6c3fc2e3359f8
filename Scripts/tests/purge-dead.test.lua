-- Tests of Scripts/purge-dead.lua: deletes dead letters for good, the given ids or, when no id
-- is given, all of them.
--
-- KEYS: dead, dead letters
-- ARGV: the ids of the dead letters to delete; none deletes them all
-- Reply: the number of dead letters deleted

local prefix = '{reb}:v1:s:billing:'
local dead, dead_letters, events, published_key = prefix .. 'dead', prefix .. 'dead-letters', prefix .. 'events',
  prefix .. 'published'
local keys = { dead, dead_letters }

-- A dead letter as nack.lua or sweep.lua leaves it.
local function dead_letter(id, at)
  call('ZADD', dead, at, id)
  call('HSET', dead_letters, id .. ':envelope', 'envelope of ' .. id, id .. ':error', 'error of ' .. id,
    id .. ':deliveries', 5)
end

local function three()
  dead_letter('d1', 1)
  dead_letter('d2', 2)
  dead_letter('d3', 3)
end

test('no ids: every dead letter is deleted and counted', function()
  three()
  assert_equal(run('purge-dead', keys, {}), 3)
  assert_equal(call('KEYS', '*'), {})
end)

test('no ids and no dead letters: 0, nothing written', function()
  assert_equal(run('purge-dead', keys, {}), 0)
  assert_equal(call('KEYS', '*'), {})
end)

test('purging all deletes stray fields too, and counts the dead set', function()
  dead_letter('d1', 1)
  call('HSET', dead_letters, 'stray:envelope', 'x')
  assert_equal(run('purge-dead', keys, {}), 1)
  assert_equal(call('KEYS', '*'), {})
end)

test('given ids: only those are deleted, with their fields', function()
  three()
  assert_equal(run('purge-dead', keys, { 'd1', 'd3' }), 2)
  assert_equal(call('ZRANGE', dead, 0, -1, 'WITHSCORES'), { 'd2', '2' })
  assert_equal(call('HGETALL', dead_letters), {
    'd2:envelope', 'envelope of d2', 'd2:error', 'error of d2', 'd2:deliveries', '5',
  })
end)

test('ids that are not dead letters are not counted', function()
  three()
  assert_equal(run('purge-dead', keys, { 'nope', 'd2' }), 1)
  assert_equal(call('ZRANGE', dead, 0, -1), { 'd1', 'd3' })
end)

test('the same id twice is counted once', function()
  three()
  assert_equal(run('purge-dead', keys, { 'd2', 'd2' }), 1)
  assert_equal(call('ZCARD', dead), 2)
end)

test('deleting the last ones by id leaves no key behind', function()
  dead_letter('d1', 1)
  dead_letter('d2', 2)
  assert_equal(run('purge-dead', keys, { 'd2', 'd1' }), 2)
  assert_equal(call('KEYS', '*'), {})
end)

test('purging a dead letter whose id is queued again leaves the queued event alone', function()
  dead_letter('e1', 1)
  call('LPUSH', published_key, 'e1')
  call('HSET', events, 'e1', 'published again')
  assert_equal(run('purge-dead', keys, { 'e1' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('HGET', events, 'e1'), 'published again')
  assert_equal(call('EXISTS', dead, dead_letters), 0)
end)

test('purging all leaves the service\'s queue alone', function()
  three()
  call('LPUSH', published_key, 'e1')
  call('HSET', events, 'e1', 'envelope of e1')
  run('purge-dead', keys, {})
  assert_equal(sorted(call('KEYS', '*')), { events, published_key })
end)

test('purge publishes nothing', function()
  three()
  run('purge-dead', keys, { 'd1' })
  run('purge-dead', keys, {})
  assert_equal(published(), {})
end)
