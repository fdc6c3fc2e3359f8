-- Tests of Scripts/dead-letters.lua: reads one page of a service's dead letters, oldest first,
-- with their envelopes, errors and delivery counts. Changes nothing.
--
-- KEYS: dead, dead letters
-- ARGV: offset (dead letters to skip), count (most to return)
-- Reply: {total, id, deadAt, envelope, error, deliveries, id, deadAt, ...}

local prefix = '{reb}:v1:s:billing:'
local dead, dead_letters = prefix .. 'dead', prefix .. 'dead-letters'
local keys = { dead, dead_letters }

-- A dead letter as nack.lua or sweep.lua leaves it, dead-lettered at `at` ms (scored in µs).
local function dead_letter(id, at, deliveries)
  call('ZADD', dead, at * 1000, id)
  call('HSET', dead_letters, id .. ':envelope', 'envelope of ' .. id, id .. ':error', 'error of ' .. id,
    id .. ':deliveries', deliveries or 5)
end

-- The page entry dead_letter(id, at, deliveries) leaves.
local function entry(id, at, deliveries)
  return { id, at, 'envelope of ' .. id, 'error of ' .. id, deliveries or 5 }
end

-- {total, entries...} flattened.
local function page(total, ...)
  local reply = { total }
  for _, item in ipairs({ ... }) do
    for _, value in ipairs(item) do reply[#reply + 1] = value end
  end
  return reply
end

local function five()
  dead_letter('d3', 1700000000003)
  dead_letter('d1', 1700000000001, 3)
  dead_letter('d5', 1700000000005)
  dead_letter('d2', 1700000000002)
  dead_letter('d4', 1700000000004, 1)
end

test('no dead letters: a total of 0 and an empty page', function()
  assert_equal(run('dead-letters', keys, { 0, 10 }), { 0 })
end)

test('answers the total and five values per dead letter, oldest first', function()
  five()
  assert_equal(run('dead-letters', keys, { 0, 10 }), page(5,
    entry('d1', 1700000000001, 3), entry('d2', 1700000000002), entry('d3', 1700000000003),
    entry('d4', 1700000000004, 1), entry('d5', 1700000000005)))
end)

test('deadAt and deliveries come back as integers', function()
  dead_letter('d1', 1700000000001, 3)
  local reply = run('dead-letters', keys, { 0, 1 })
  assert_equal({ math.type(reply[3]), math.type(reply[6]) }, { 'integer', 'integer' })
end)

test('the count bounds the page; the total still counts every dead letter', function()
  five()
  assert_equal(run('dead-letters', keys, { 0, 2 }), page(5, entry('d1', 1700000000001, 3), entry('d2', 1700000000002)))
end)

test('the offset skips the oldest', function()
  five()
  assert_equal(run('dead-letters', keys, { 2, 2 }), page(5, entry('d3', 1700000000003), entry('d4', 1700000000004, 1)))
end)

test('the last page holds what remains', function()
  five()
  assert_equal(run('dead-letters', keys, { 4, 10 }), page(5, entry('d5', 1700000000005)))
end)

test('a page past the end answers the total alone', function()
  five()
  assert_equal(run('dead-letters', keys, { 5, 10 }), { 5 })
  assert_equal(run('dead-letters', keys, { 1000, 1 }), { 5 })
end)

test('pages of one walk every dead letter once', function()
  five()
  local ids = {}
  for offset = 0, 5 do
    local reply = run('dead-letters', keys, { offset, 1 })
    if reply[2] then ids[#ids + 1] = reply[2] end
  end
  assert_equal(ids, { 'd1', 'd2', 'd3', 'd4', 'd5' })
end)

test('dead letters dead-lettered in the same ms come in id order', function()
  dead_letter('b', 1700000000000)
  dead_letter('a', 1700000000000)
  dead_letter('c', 1700000000000)
  local reply = run('dead-letters', keys, { 0, 10 })
  assert_equal({ reply[2], reply[7], reply[12] }, { 'a', 'b', 'c' })
end)

test('a dead letter missing its fields answers an empty envelope, an empty error and 0 deliveries', function()
  call('ZADD', dead, 1700000000000000, 'ghost')
  assert_equal(run('dead-letters', keys, { 0, 10 }), { 1, 'ghost', 1700000000000, '', '', 0 })
end)

test('envelopes and errors come back byte for byte', function()
  local envelope, error_text = 'a\0b\r\n' .. string.char(255, 128) .. '{"x":1}', 'line 1\nline 2'
  call('ZADD', dead, 1000, 'e1')
  call('HSET', dead_letters, 'e1:envelope', envelope, 'e1:error', error_text, 'e1:deliveries', 2)
  assert_equal(run('dead-letters', keys, { 0, 1 }), { 1, 'e1', 1, envelope, error_text, 2 })
end)

test('ids with colons are read with their own fields', function()
  dead_letter('order:42', 1, 2)
  dead_letter('order', 2, 3)
  assert_equal(run('dead-letters', keys, { 0, 10 }), page(2, entry('order:42', 1, 2), entry('order', 2, 3)))
end)

test('deadAt is the µs score rounded down to ms', function()
  call('ZADD', dead, 1700000000000999, 'e1')
  assert_equal(run('dead-letters', keys, { 0, 1 })[3], 1700000000000)
end)

test('reading changes nothing and publishes nothing', function()
  five()
  run('dead-letters', keys, { 1, 2 })
  assert_equal(call('ZCARD', dead), 5)
  assert_equal(call('HLEN', dead_letters), 15)
  assert_equal(published(), {})
end)

test('reads the dead letter a nack wrote, with its time from the server clock', function()
  call('HSET', prefix .. 'events', 'e1', 'envelope of e1')
  call('HSET', prefix .. 'inflight', 'e1', 'instance-a:2')
  call('HSET', prefix .. 'deliveries', 'e1', 2)
  local time = call('TIME')
  local before = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  assert_equal(run('nack', {
    prefix .. 'inflight', prefix .. 'leases', prefix .. 'deliveries', prefix .. 'published', prefix .. 'wake',
    prefix .. 'retries', prefix .. 'events', dead, dead_letters,
  }, { 'e1', 'instance-a:2', '0', 2, 100, 'error of e1', prefix .. 'notify', 'orders' }), 'dead')
  local reply = run('dead-letters', keys, { 0, 10 })
  assert_equal({ reply[1], reply[2], reply[4], reply[5], reply[6] }, { 1, 'e1', 'envelope of e1', 'error of e1', 2 })
  assert_between(reply[3], before, before + 60000, 'deadAt in ms from TIME')
  assert_equal(reply[3], math.floor(tonumber(call('ZSCORE', dead, 'e1')) / 1000), 'the score in µs, read in ms')
  mask_score(dead, 'e1')
end)

test('BROKER_ARGUMENTS: a negative or non-numeric offset', function()
  five()
  local message = 'BROKER_ARGUMENTS dead-letters needs whole numbers: an offset >= 0 and a count >= 1'
  assert_error(run('dead-letters', keys, { -1, 10 }), message)
  assert_error(run('dead-letters', keys, { 'first', 10 }), message)
  assert_error(run('dead-letters', keys, { '0.5', 10 }), message)
end)

test('BROKER_ARGUMENTS: a count below 1 or missing', function()
  five()
  local message = 'BROKER_ARGUMENTS dead-letters needs whole numbers: an offset >= 0 and a count >= 1'
  assert_error(run('dead-letters', keys, { 0, 0 }), message)
  assert_error(run('dead-letters', keys, { 0, 'all' }), message)
  assert_error(run('dead-letters', keys, { 0 }), message)
  assert_error(run('dead-letters', keys, {}), message)
end)
