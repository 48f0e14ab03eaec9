/**
 * The Redis store's atomic operations, each one Lua script (Redis runs a script with nothing else in
 * between), so replicas never interleave a read and a write. Keys are always passed in KEYS (pub/sub
 * channels, which are not keys, come in ARGV).
 */

/**
 * KEYS: records. ARGV: the version the caller holds of each ('' = none). Returns per record false
 * (none), {version} (still the one held) or {version, json}.
 */
export const READ_RECORDS_SINCE = `
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HGET', key, 'v')
  if not v then out[i] = false
  elseif v == ARGV[i] then out[i] = {v}
  else out[i] = {v, redis.call('HGET', key, 'd')} end
end
return out
`;

/**
 * KEYS: record, fence lease (or the record again), then one key per index add, then per index remove.
 * ARGV: expectedVersion, json, fenceToken ('' = no fence), addCount, then member/score pairs, then members.
 */
export const WRITE_RECORD = `
if ARGV[3] ~= '' then
  local token = redis.call('HGET', KEYS[2], 'token')
  if not token or token ~= ARGV[3] then return {0, 'fenced'} end
end
local version = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if version ~= tonumber(ARGV[1]) then return {0, 'conflict'} end
version = version + 1
redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
local adds = tonumber(ARGV[4])
local a = 5
for i = 1, adds do
  redis.call('ZADD', KEYS[2 + i], ARGV[a + 1], ARGV[a])
  a = a + 2
end
for i = 2 + adds + 1, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[a])
  a = a + 1
end
return {1, version}
`;

/**
 * Whether a lease's holder is gone. It declared presence (`watched` = '1'), its presence channel has no
 * subscriber (the connection that held it closed: the process died or closed its store), and that was
 * already so when an earlier acquire looked at least `grace` ms ago (`gone_at`, set by the first look
 * that found it absent and cleared by any look that finds it back). A subscriber connection that
 * drops and comes back (a Redis restart, a network blip: node-redis subscribes again) is not a death:
 * its holder may be in the middle of an upload, and a takeover then could post a video twice.
 * Channels are not keys, so their names come in ARGV; PUBSUB NUMSUB and TIME are allowed in scripts.
 */
const PRESENCE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function absent(owner, presence_prefix)
  return redis.call('PUBSUB', 'NUMSUB', presence_prefix .. owner)[2] == 0
end
`;

/**
 * KEYS: lease, token counter. ARGV: owner, ttlMs ('' = none), presence channel prefix, grace ms, and
 * the grace this holder's lease keeps ('' = the grace given; '0' for a repeatable holder's, free at the
 * first look that finds its holder gone). Returns {1, token} or {0}. Free when nobody holds it, its TTL
 * ran out, or its holder is gone.
 */
export const ACQUIRE_LEASE = `${PRESENCE}
local h = redis.call('HMGET', KEYS[1], 'owner', 'token', 'watched', 'gone_at', 'grace')
if h[1] then
  if h[1] == ARGV[1] then
    if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) else redis.call('PERSIST', KEYS[1]) end
    if h[4] then redis.call('HDEL', KEYS[1], 'gone_at') end
    if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'grace', ARGV[5])
    elseif h[5] then redis.call('HDEL', KEYS[1], 'grace') end
    return {1, tonumber(h[2])}
  end
  if h[3] ~= '1' then return {0} end
  if not absent(h[1], ARGV[3]) then
    if h[4] then redis.call('HDEL', KEYS[1], 'gone_at') end
    return {0}
  end
  local grace = tonumber(h[5] or ARGV[4])
  if grace > 0 then
    local now = now_ms()
    if not h[4] then
      redis.call('HSET', KEYS[1], 'gone_at', now)
      return {0}
    end
    if now - tonumber(h[4]) < grace then return {0} end
  end
end
local token = redis.call('INCR', KEYS[2])
local watched = '0'
if not absent(ARGV[1], ARGV[3]) then watched = '1' end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token, 'watched', watched)
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'grace', ARGV[5]) end
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, token}
`;

/**
 * KEYS: lease. ARGV: presence channel prefix, grace ms (unless the lease records its own). Returns
 * false (free, lapsed, or its holder gone for the grace) or {owner, token, pttl, watched, grace, gone,
 * grace_left} (`gone` = '1': its holder's presence has ended and the lease binds only for the rest of
 * the grace; `grace_left`: the ms of it left, by Redis's clock, or -1 while no acquire has started it).
 */
export const LEASE_HOLDER = `${PRESENCE}
local h = redis.call('HMGET', KEYS[1], 'owner', 'token', 'watched', 'gone_at', 'grace')
if not h[1] or not h[2] then return false end
local gone = '0'
local left = -1
if h[3] == '1' and absent(h[1], ARGV[1]) then
  local grace = tonumber(h[5] or ARGV[2])
  if h[4] then left = grace - (now_ms() - tonumber(h[4])) end
  if grace == 0 or (h[4] and left <= 0) then return false end
  gone = '1'
end
return {h[1], h[2], redis.call('PTTL', KEYS[1]), h[3] or '0', h[5] or ARGV[2], gone, left}
`;

/**
 * KEYS: lease. ARGV: owner, token, presence channel prefix. Returns 1 when the lease is held with this
 * token and its holder (if it declared presence) is present; the lease then keeps the default grace
 * from now on (its own '0' and any `gone_at` are dropped). Returns 0 otherwise, changing nothing.
 */
export const BEGIN_SIDE_EFFECT = `${PRESENCE}
local h = redis.call('HMGET', KEYS[1], 'owner', 'token', 'watched')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return 0 end
if h[3] == '1' and absent(ARGV[1], ARGV[3]) then return 0 end
redis.call('HDEL', KEYS[1], 'grace', 'gone_at')
return 1
`;

/**
 * KEYS: lease. ARGV: owner, token. Returns 1 when the lease is held with this token; it then keeps no
 * grace from now on (its side effect is done and recorded where a successor finds it). 0 otherwise.
 */
export const END_SIDE_EFFECT = `
local h = redis.call('HMGET', KEYS[1], 'owner', 'token')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'grace', '0')
return 1
`;

/** KEYS: lease. ARGV: owner, token, ttlMs. */
export const RENEW_LEASE = `
local h = redis.call('HMGET', KEYS[1], 'owner', 'token')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** KEYS: lease. ARGV: owner, token. */
export const RELEASE_LEASE = `
local h = redis.call('HMGET', KEYS[1], 'owner', 'token')
if h[1] == ARGV[1] and h[2] == ARGV[2] then redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: window zset. ARGV: limit, windowMs, now, member. Returns {1} or {0, retryInMs}. */
export const TAKE_FROM_WINDOW = `
local now = tonumber(ARGV[3])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, tonumber(oldest[2]) + window - now + 1)}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window * 2)
return {1}
`;

/** KEYS: window zset. ARGV: at. Removes one event recorded at exactly that time. */
export const RETURN_TO_WINDOW = `
local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if found[1] then redis.call('ZREM', KEYS[1], found[1]) end
return 0
`;

/** KEYS: slots zset. ARGV: member, limit, now. */
export const ACQUIRE_SLOT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/** KEYS: counter. ARGV: delta, max ('' = none), ttlMs ('' = none). Returns {ok, value as string}. */
export const ADD_TO_COUNTER = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local delta = tonumber(ARGV[1])
if ARGV[2] ~= '' and delta > 0 and current + delta > tonumber(ARGV[2]) then
  return {0, tostring(current)}
end
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if existed == 0 and ARGV[3] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, value}
`;

/**
 * KEYS: once index, counters (n), indexes to add to (a), indexes to remove from (r).
 * ARGV: once member, once score, n, then per counter delta, max ('' = none), ttlMs ('' = none),
 * then a, then per added entry member, score, then the removed members.
 * Returns {1, values...}, {0, 'duplicate'} or {0, 'over', position (0-based), value}.
 */
export const POST_ENTRY = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {0, 'duplicate'} end
local n = tonumber(ARGV[3])
local current = {}
for i = 1, n do
  local base = 3 + (i - 1) * 3
  local value = tonumber(redis.call('GET', KEYS[1 + i]) or '0')
  current[i] = value
  local delta = tonumber(ARGV[base + 1])
  if ARGV[base + 2] ~= '' and delta > 0 and value + delta > tonumber(ARGV[base + 2]) then
    return {0, 'over', tostring(i - 1), tostring(value)}
  end
end
local out = {1}
for i = 1, n do
  local base = 3 + (i - 1) * 3
  local existed = redis.call('EXISTS', KEYS[1 + i])
  out[#out + 1] = redis.call('INCRBYFLOAT', KEYS[1 + i], ARGV[base + 1])
  if existed == 0 and ARGV[base + 3] ~= '' then redis.call('PEXPIRE', KEYS[1 + i], ARGV[base + 3]) end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local a = tonumber(ARGV[4 + n * 3])
local argAt = 5 + n * 3
for j = 1, a do
  redis.call('ZADD', KEYS[1 + n + j], ARGV[argAt + 1], ARGV[argAt])
  argAt = argAt + 2
end
local keyAt = 2 + n + a
while argAt <= #ARGV do
  redis.call('ZREM', KEYS[keyAt], ARGV[argAt])
  keyAt = keyAt + 1
  argAt = argAt + 1
end
return out
`;
