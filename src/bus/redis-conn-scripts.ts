/**
 * Lua for the Redis connection registry. Every script gets ARGV[1] = the key base
 * (`<prefix><namespace>:`) and builds its keys from it:
 *   <base>node:<id>     a node's heartbeat: exists while the node is alive (PX ttl)
 *   <base>nodes         sorted set of nodes that registered, for the sweep to walk
 *   <base>nconns:<id>   set of "<user>\n<conn>" registered by that node
 *   <base>user:<user>   hash node id → number of that user's connections on that node
 * A count on a node whose heartbeat key is gone does not count. Keys are built inside the
 * scripts, so this needs a single Redis (or Sentinel), not Redis Cluster.
 */
const COMMON = `
local base = ARGV[1]
local alive_cache = {}
local function alive(node)
  local v = alive_cache[node]
  if v == nil then
    v = redis.call('EXISTS', base .. 'node:' .. node) == 1
    alive_cache[node] = v
  end
  return v
end
local function live_count(user, drop)
  local key = base .. 'user:' .. user
  local h = redis.call('HGETALL', key)
  local n = 0
  for i = 1, #h, 2 do
    if alive(h[i]) then
      n = n + tonumber(h[i + 1])
    elseif drop then
      redis.call('HDEL', key, h[i])
    end
  end
  return n
end
local function user_of(member)
  return string.sub(member, 1, string.find(member, '\\n', 1, true) - 1)
end
-- Removes up to budget entries of a node; appends users left with no live connection to out.
-- Returns the budget left (the node is finished when its set is empty).
local function purge(node, budget, out)
  local set = base .. 'nconns:' .. node
  local members = redis.call('SPOP', set, budget)
  for _, m in ipairs(members) do
    local u = user_of(m)
    if redis.call('HDEL', base .. 'user:' .. u, node) == 1 and live_count(u, false) == 0 then
      table.insert(out, u)
    end
  end
  return budget - #members
end
`;

/** ARGV: base, node, ttl, user, conn, limit (0 = none). → {status, first}: 1 added, 0 exists, -1 node not alive (re-register first), -2 full. */
export const ADD = `${COMMON}
local node, ttl, user, limit = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[6])
local node_key = base .. 'node:' .. node
if redis.call('EXISTS', node_key) == 0 then return {-1, 0} end
local member = user .. '\\n' .. ARGV[5]
local set = base .. 'nconns:' .. node
if redis.call('SISMEMBER', set, member) == 1 then return {0, 0} end
local before = live_count(user, true)
if limit > 0 and before >= limit then return {-2, 0} end
redis.call('SADD', set, member)
redis.call('HINCRBY', base .. 'user:' .. user, node, 1)
redis.call('PEXPIRE', node_key, ttl)
if before == 0 then return {1, 1} end
return {1, 0}
`;

/** ARGV: base, node, ttl, user, conn. → {status, last}: 1 removed, 0 unknown, -1 node not alive. */
export const REMOVE = `${COMMON}
local node, ttl, user = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local node_key = base .. 'node:' .. node
if redis.call('EXISTS', node_key) == 0 then return {-1, 0} end
if redis.call('SREM', base .. 'nconns:' .. node, user .. '\\n' .. ARGV[5]) == 0 then return {0, 0} end
local key = base .. 'user:' .. user
if redis.call('HINCRBY', key, node, -1) <= 0 then redis.call('HDEL', key, node) end
redis.call('PEXPIRE', node_key, ttl)
if live_count(user, true) == 0 then return {1, 1} end
return {1, 0}
`;

/** ARGV: base, user… → 1/0 per user: has a live connection. */
export const ONLINE = `${COMMON}
local out = {}
for i = 2, #ARGV do
  if live_count(ARGV[i], false) > 0 then out[i - 1] = 1 else out[i - 1] = 0 end
end
return out
`;

/** ARGV: base, node, ttl. Refreshes the heartbeat → 1, or -1 when it had lapsed (re-register). */
export const BEAT = `${COMMON}
local node, ttl = ARGV[2], tonumber(ARGV[3])
local node_key = base .. 'node:' .. node
if redis.call('EXISTS', node_key) == 0 then return -1 end
redis.call('PEXPIRE', node_key, ttl)
local t = redis.call('TIME')
redis.call('ZADD', base .. 'nodes', tonumber(t[1]), node)
redis.call('PEXPIRE', base .. 'nconns:' .. node, ttl * 10)
return 1
`;

/**
 * ARGV: base, node, ttl, budget. Starts a (re-)registration: the node is alive from now on and
 * its old entries are purged, up to budget per call. → {done 0/1, users left offline}.
 */
export const JOIN = `${COMMON}
local node, ttl, budget = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('SET', base .. 'node:' .. node, '1', 'PX', ttl)
local t = redis.call('TIME')
redis.call('ZADD', base .. 'nodes', tonumber(t[1]), node)
alive_cache[node] = false -- its old entries must not count while they are purged
local out = {}
local left = purge(node, budget, out)
if left > 0 then return {1, out} end
return {0, out}
`;

/** ARGV: base, budget. Purges dead nodes, up to budget entries. → {done 0/1, users left offline}. */
export const SWEEP = `${COMMON}
local budget = tonumber(ARGV[2])
local out = {}
local nodes = redis.call('ZRANGE', base .. 'nodes', 0, -1)
for _, node in ipairs(nodes) do
  if not alive(node) then
    budget = purge(node, budget, out)
    if budget <= 0 then return {0, out} end
    redis.call('ZREM', base .. 'nodes', node)
  end
end
return {1, out}
`;

/** ARGV: base, user. → live connections of the user. */
export const COUNT = `${COMMON}
return live_count(ARGV[2], false)
`;
