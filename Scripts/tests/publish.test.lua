-- Tests of Scripts/publish.lua: queues events of one topic for every service the caller assumed
-- to be subscribed, all of them or none, provided the caller's topic version is current.
--
-- KEYS: topic subscribers, topic version, then published, events, wake per service
-- ARGV: assumed version, topic, the services' notification channels separated by newlines,
--   then an id and an envelope per event

local subscribers, version = '{reb}:v1:t:orders:subscribers', '{reb}:v1:t:orders:version'

local function service(name)
  local prefix = '{reb}:v1:s:' .. name .. ':'
  return {
    published = prefix .. 'published', events = prefix .. 'events', wake = prefix .. 'wake',
    channel = prefix .. 'notify',
  }
end
local billing, shipping = service('billing'), service('shipping')

-- The keys and arguments publish.lua takes for `events` ({id, envelope} each) and `services`.
local function publish_all(assumed, events, services)
  local keys, channels = { subscribers, version }, {}
  for _, s in ipairs(services) do
    keys[#keys + 1] = s.published
    keys[#keys + 1] = s.events
    keys[#keys + 1] = s.wake
    channels[#channels + 1] = s.channel
  end
  local argv = { assumed, 'orders', table.concat(channels, '\n') }
  for _, event in ipairs(events) do
    argv[#argv + 1] = event[1]
    argv[#argv + 1] = event[2]
  end
  return run('publish', keys, argv)
end

local function publish(assumed, id, envelope, services)
  return publish_all(assumed, { { id, envelope } }, services)
end

local function subscribed(current, ...)
  for _, name in ipairs({ ... }) do call('SADD', subscribers, name) end
  call('SET', version, current)
end

test('queues the event for every service, with a wake marker and a notification each', function()
  subscribed('2', 'billing', 'shipping')
  assert_equal(publish('2', 'e1', 'the envelope', { billing, shipping }), { 'ok', 2 })
  for _, s in ipairs({ billing, shipping }) do
    assert_equal(call('LRANGE', s.published, 0, -1), { 'e1' })
    assert_equal(call('HGETALL', s.events), { 'e1', 'the envelope' })
    assert_equal(call('LRANGE', s.wake, 0, -1), { '1' })
  end
  assert_equal(published(), { { billing.channel, 'orders' }, { shipping.channel, 'orders' } })
end)

test('new events queue at the left end, behind those already waiting', function()
  subscribed('1', 'billing')
  publish('1', 'e1', 'first', { billing })
  publish('1', 'e2', 'second', { billing })
  assert_equal(call('LRANGE', billing.published, 0, -1), { 'e2', 'e1' }, 'e1 is next at the right end')
  assert_equal(call('LLEN', billing.wake), 1, 'a marker already waits: no second one')
end)

test('a marker is pushed again once an instance took the last one', function()
  subscribed('1', 'billing')
  publish('1', 'e1', 'first', { billing })
  call('LPOP', billing.wake)
  publish('1', 'e2', 'second', { billing })
  assert_equal(call('LLEN', billing.wake), 1)
end)

test('envelopes are stored byte for byte', function()
  subscribed('1', 'billing')
  local envelope = 'a\0b\r\n' .. string.char(255, 128, 1) .. '{"x":1}'
  publish('1', 'e1', envelope, { billing })
  assert_equal(call('HGET', billing.events, 'e1'), envelope)
end)

test('a topic never subscribed is version 0 with no services: nothing to write', function()
  assert_equal(publish('0', 'e1', 'the envelope', {}), { 'ok', 0 })
  assert_equal(call('KEYS', '*'), {})
  assert_equal(published(), {})
end)

test('a stale version writes nothing and answers the current version and subscribers', function()
  subscribed('3', 'billing', 'shipping')
  local reply = publish('2', 'e1', 'the envelope', { billing })
  assert_equal({ reply[1], reply[2] }, { 'stale', '3' })
  assert_equal(sorted({ reply[3], reply[4] }), { 'billing', 'shipping' })
  assert_equal(#reply, 4)
  assert_equal(call('EXISTS', billing.published, billing.events, billing.wake), 0)
  assert_equal(published(), {})
end)

test('a version assumed for a topic never subscribed is stale at 0', function()
  assert_equal(publish('1', 'e1', 'the envelope', { billing }), { 'stale', '0' })
  assert_equal(call('KEYS', '*'), {})
end)

test('a topic whose last subscriber left is stale with no subscribers', function()
  call('SET', version, '4')
  assert_equal(publish('3', 'e1', 'the envelope', { billing }), { 'stale', '4' })
  assert_equal(call('KEYS', '*'), { version })
end)

test('an id a service already holds is not queued twice; the others still get it', function()
  subscribed('2', 'billing', 'shipping')
  publish('2', 'e1', 'first envelope', { billing })
  assert_equal(publish('2', 'e1', 'second envelope', { billing, shipping }), { 'ok', 2 })
  assert_equal(call('LRANGE', billing.published, 0, -1), { 'e1' })
  assert_equal(call('HGET', billing.events, 'e1'), 'first envelope', 'the copy already held is kept')
  assert_equal(call('LLEN', billing.wake), 1)
  assert_equal(call('HGET', shipping.events, 'e1'), 'second envelope')
  assert_equal(published(), {
    { billing.channel, 'orders' },
    { shipping.channel, 'orders' },
  }, 'billing was notified by the first publish only')
end)

test('an id held in flight is not queued again', function()
  subscribed('1', 'billing')
  call('HSET', billing.events, 'e1', 'being handled')
  assert_equal(publish('1', 'e1', 'again', { billing }), { 'ok', 1 })
  assert_equal(call('EXISTS', billing.published, billing.wake), 0)
  assert_equal(published(), {})
end)

test('BROKER_ARGUMENTS: keys that are not 2 + 3n write nothing', function()
  subscribed('1', 'billing')
  local reply = run('publish', { subscribers, version, billing.published, billing.events },
    { '1', 'orders', billing.channel, 'e1', 'the envelope' })
  assert_error(reply, 'BROKER_ARGUMENTS')
  assert_equal(call('EXISTS', billing.published, billing.events), 0)
end)

test('BROKER_ARGUMENTS: a channel missing for a service writes nothing', function()
  subscribed('1', 'billing')
  local reply = run('publish', { subscribers, version, billing.published, billing.events, billing.wake },
    { '1', 'orders', '', 'e1', 'the envelope' })
  assert_error(reply, 'BROKER_ARGUMENTS publish needs 2 + 3n keys, n channels ' ..
    'and from 1 to 1000 pairs of an event id and an envelope')
  assert_equal(call('EXISTS', billing.published, billing.events, billing.wake), 0)
end)

test('BROKER_ARGUMENTS: an extra argument writes nothing', function()
  subscribed('1', 'billing')
  local reply = run('publish', { subscribers, version, billing.published, billing.events, billing.wake },
    { '1', 'orders', billing.channel, 'e1', 'the envelope', 'extra' })
  assert_error(reply, 'BROKER_ARGUMENTS')
  assert_equal(published(), {})
end)

test('BROKER_WRONGTYPE: a foreign queue of a later service writes nothing for the earlier one', function()
  subscribed('2', 'billing', 'shipping')
  call('SET', shipping.published, 'foreign')
  local reply = publish('2', 'e1', 'the envelope', { billing, shipping })
  assert_error(reply, 'BROKER_WRONGTYPE ' .. shipping.published .. ' holds a string, the broker expects a list')
  assert_equal(call('EXISTS', billing.published, billing.events, billing.wake, shipping.events), 0)
  assert_equal(call('GET', shipping.published), 'foreign')
  assert_equal(published(), {})
end)

test('BROKER_WRONGTYPE: a foreign events hash writes nothing', function()
  subscribed('1', 'billing')
  call('RPUSH', billing.events, 'not a hash')
  assert_error(publish('1', 'e1', 'the envelope', { billing }), 'BROKER_WRONGTYPE ' .. billing.events .. ' holds a list')
  assert_equal(call('EXISTS', billing.published, billing.wake), 0)
end)

test('BROKER_WRONGTYPE: a foreign wake list writes nothing', function()
  subscribed('1', 'billing')
  call('SADD', billing.wake, 'not a list')
  assert_error(publish('1', 'e1', 'the envelope', { billing }), 'BROKER_WRONGTYPE ' .. billing.wake .. ' holds a set')
  assert_equal(call('EXISTS', billing.published, billing.events), 0)
end)

test('a foreign version key fails with the server\'s WRONGTYPE and writes nothing', function()
  call('SADD', subscribers, 'billing')
  call('RPUSH', version, '1')
  assert_error(publish('1', 'e1', 'the envelope', { billing }), 'WRONGTYPE')
  assert_equal(call('EXISTS', billing.published, billing.events, billing.wake), 0)
end)

test('several events in one call are queued in order, with one marker and one notification per service', function()
  subscribed('2', 'billing', 'shipping')
  publish('2', 'e0', 'already waiting', { billing })
  assert_equal(publish_all('2', { { 'e1', 'one' }, { 'e2', 'two' }, { 'e3', 'three' } }, { billing, shipping }), { 'ok', 2 })
  assert_equal(call('LRANGE', billing.published, 0, -1), { 'e3', 'e2', 'e1', 'e0' }, 'e0 is next, then e1')
  assert_equal(call('LRANGE', shipping.published, 0, -1), { 'e3', 'e2', 'e1' })
  assert_equal(call('HGETALL', shipping.events), { 'e1', 'one', 'e2', 'two', 'e3', 'three' })
  assert_equal(call('LLEN', billing.wake), 1, 'e0\'s marker still waits')
  assert_equal(call('LLEN', shipping.wake), 1)
  assert_equal(published(), {
    { billing.channel, 'orders' }, { billing.channel, 'orders' }, { shipping.channel, 'orders' },
  })
end)

test('in one call, ids a service holds and ids named twice are queued once', function()
  subscribed('1', 'billing')
  publish('1', 'e1', 'first', { billing })
  assert_equal(publish_all('1', { { 'e1', 'again' }, { 'e2', 'two' }, { 'e2', 'two again' } }, { billing }), { 'ok', 1 })
  assert_equal(call('LRANGE', billing.published, 0, -1), { 'e2', 'e1' })
  assert_equal(call('HGETALL', billing.events), { 'e1', 'first', 'e2', 'two' })
  assert_equal(call('LLEN', billing.wake), 1)
end)

test('a call whose every id is held already writes and notifies nothing', function()
  subscribed('1', 'billing')
  call('HSET', billing.events, 'e1', 'held', 'e2', 'held')
  assert_equal(publish_all('1', { { 'e1', 'x' }, { 'e2', 'y' } }, { billing }), { 'ok', 1 })
  assert_equal(call('EXISTS', billing.published, billing.wake), 0)
  assert_equal(published(), {})
end)

test('BROKER_ARGUMENTS: no event, half an event or more than 1000 events write nothing', function()
  subscribed('1', 'billing')
  local keys = { subscribers, version, billing.published, billing.events, billing.wake }
  local message = 'BROKER_ARGUMENTS publish needs 2 + 3n keys, n channels ' ..
    'and from 1 to 1000 pairs of an event id and an envelope'
  assert_error(run('publish', keys, { '1', 'orders', billing.channel }), message, 'no event')
  assert_error(run('publish', keys, { '1', 'orders', billing.channel, 'e1' }), message, 'an id alone')
  local many = { '1', 'orders', billing.channel }
  for i = 1, 1001 do
    many[#many + 1] = 'e' .. i
    many[#many + 1] = 'envelope'
  end
  assert_error(run('publish', keys, many), message, '1001 events')
  assert_equal(call('EXISTS', billing.published, billing.events, billing.wake), 0)
  assert_equal(published(), {})
end)
