-- Tests of Scripts/publish-service.lua: queues events of one topic for one service with a hash
-- slot of its own, if it still subscribes, remembering the ids for the dedup window.
--
-- KEYS: topics, published, events, wake, recent
-- ARGV: topic, notification channel, dedup window ms, then an id and an envelope per event

local prefix = '{reb/billing}:v2:'
local keys = {
  prefix .. 'topics', prefix .. 'published', prefix .. 'events', prefix .. 'wake', prefix .. 'recent',
}
local channel = prefix .. 'notify'
local topics, queue, events, wake, recent = keys[1], keys[2], keys[3], keys[4], keys[5]

-- The server clock in milliseconds, as the script computes it.
local function now()
  local time = call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Runs the script for `pairs_` ({id, envelope} each) on topic orders with a window of `window` ms.
local function publish(pairs_, window)
  local argv = { 'orders', channel, tostring(window or 60000) }
  for _, event in ipairs(pairs_) do
    argv[#argv + 1] = event[1]
    argv[#argv + 1] = event[2]
  end
  return run('publish-service', keys, argv)
end

test('queues the events with one wake marker, one notification, and remembers their ids', function()
  call('SADD', topics, 'orders')
  local before = now()
  assert_equal(publish({ { 'e1', 'first' }, { 'e2', 'second' } }), { 'ok', 2 })
  local after = now()
  assert_equal(call('LRANGE', queue, 0, -1), { 'e2', 'e1' }, 'e1 is next at the right end')
  assert_equal(call('HGETALL', events), { 'e1', 'first', 'e2', 'second' })
  assert_equal(call('LRANGE', wake, 0, -1), { '1' })
  assert_equal(published(), { { channel, 'orders' } })
  for _, id in ipairs({ 'e1', 'e2' }) do
    assert_between(tonumber(call('ZSCORE', recent, id)), before, after, 'remembered at TIME')
    mask_score(recent, id)
  end
end)

test('writes nothing for a service that does not subscribe to the topic', function()
  call('SADD', topics, 'refunds')
  assert_equal(publish({ { 'e1', 'first' } }), { 'unsubscribed' })
  assert_equal(call('EXISTS', queue, events, wake, recent), 0)
  assert_equal(published(), {})
end)

test('an id queued within the window is not queued again, even after it was handled', function()
  call('SADD', topics, 'orders')
  publish({ { 'e1', 'first' } })
  call('RPOP', queue)
  call('HDEL', events, 'e1')
  call('DEL', wake)
  assert_equal(publish({ { 'e1', 'first' }, { 'e2', 'second' } }), { 'ok', 1 })
  assert_equal(call('LRANGE', queue, 0, -1), { 'e2' })
  assert_equal(call('HGETALL', events), { 'e2', 'second' })
  mask_score(recent, 'e1')
  mask_score(recent, 'e2')
end)

test('an id still held is not queued again, and one named twice is queued once', function()
  call('SADD', topics, 'orders')
  call('HSET', events, 'e1', 'held')
  assert_equal(publish({ { 'e1', 'other' }, { 'e2', 'second' }, { 'e2', 'second' } }), { 'ok', 1 })
  assert_equal(call('LRANGE', queue, 0, -1), { 'e2' })
  assert_equal(call('HGETALL', events), { 'e1', 'held', 'e2', 'second' })
  mask_score(recent, 'e2')
end)

test('nothing new queues nothing: no wake marker, no notification', function()
  call('SADD', topics, 'orders')
  call('HSET', events, 'e1', 'held')
  assert_equal(publish({ { 'e1', 'held' } }), { 'ok', 0 })
  assert_equal(call('EXISTS', queue, wake, recent), 0)
  assert_equal(published(), {})
end)

test('ids older than the window are forgotten, and queue again', function()
  call('SADD', topics, 'orders')
  call('ZADD', recent, now() - 120000, 'old', now() + 60000, 'kept')
  assert_equal(publish({ { 'old', 'again' }, { 'kept', 'again' } }, 60000), { 'ok', 1 })
  assert_equal(call('LRANGE', queue, 0, -1), { 'old' })
  assert_equal(call('ZCARD', recent), 2)
  mask_score(recent, 'old')
  mask_score(recent, 'kept')
end)

test('a waiting wake marker is not doubled', function()
  call('SADD', topics, 'orders')
  call('LPUSH', wake, '1')
  publish({ { 'e1', 'first' } })
  assert_equal(call('LRANGE', wake, 0, -1), { '1' })
  mask_score(recent, 'e1')
end)

test('a foreign value in any key fails before anything is written', function()
  for i = 2, 5 do
    call('FLUSHALL')
    call('SADD', topics, 'orders')
    call('SET', keys[i], 'foreign')
    assert_error(publish({ { 'e1', 'first' } }), 'BROKER_WRONGTYPE ' .. keys[i] .. ' holds a string')
    for j = 2, 5 do
      if j ~= i then assert_equal(call('EXISTS', keys[j]), 0, keys[j] .. ' untouched') end
    end
  end
  call('FLUSHALL')
end)

test('refuses bad arguments', function()
  call('SADD', topics, 'orders')
  for _, argv in ipairs({
    { 'orders', channel, '60000' },
    { 'orders', channel, '0', 'e1', 'x' },
    { 'orders', channel, 'soon', 'e1', 'x' },
    { 'orders', channel, '60000', 'e1' },
  }) do
    assert_error(run('publish-service', keys, argv), 'BROKER_ARGUMENTS publish-service needs')
  end
  assert_equal(call('EXISTS', queue, events, wake, recent), 0)
end)
