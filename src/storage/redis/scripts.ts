/**
 * The Lua scripts of the Redis store. Each runs atomically on the server, so a transition is a
 * true compare-and-set on the circuit's generation and a probe lease a true test-and-set.
 */

/**
 * Lua function `valid(cur)`: whether hash fields [g, s, u, o] hold a state the store reads
 * (wire.ts parseStored): g a whole number up to 2^48, a known state, o empty or a whole number up
 * to 1e6, u a finite number when open. A stored state that is not valid counts as absent, so the
 * next transition overwrites it instead of being refused by it.
 */
export const VALID_STATE = `
local function whole(v, max)
  local n = tonumber(v)
  return n ~= nil and n >= 0 and n <= max and n == math.floor(n)
end
local states = { closed = true, open = true, ['half-open'] = true, ['forced-open'] = true, disabled = true }
local function valid(cur)
  if not whole(cur[1], 281474976710656) or not states[cur[2]] then return false end
  if cur[4] and cur[4] ~= '' and not whole(cur[4], 1000000) then return false end
  if cur[2] == 'open' then
    local u = tonumber(cur[3])
    if u == nil or u ~= u or u == math.huge or u == -math.huge then return false end
  end
  return true
end
`;

/**
 * CAS on the generation. KEYS[1] the circuit's hash; ARGV: generation, state, open-until (wall
 * ms or ''), consecutive opens, channel, message. Stores and publishes the state only when its
 * generation is higher than the stored one (or the stored state is not valid); otherwise returns the stored fields [g, s, u, o] so
 * the caller adopts them. Returns nil when it stored.
 */
export const CAS_SCRIPT = `
local cur = redis.call('HMGET', KEYS[1], 'g', 's', 'u', 'o')
${VALID_STATE}
if valid(cur) and tonumber(cur[1]) >= tonumber(ARGV[1]) then return cur end
redis.call('HSET', KEYS[1], 'g', ARGV[1], 's', ARGV[2], 'u', ARGV[3], 'o', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return false
`;

/**
 * Probe slots of one half-open generation. KEYS: one key per slot (`…lease:{<name>}:<g>:<i>`);
 * ARGV: TTL ms, owner id. Takes each free slot (SET NX PX); returns how many it took. Slots are
 * never released early: a slot taken stays taken for the generation, so the fleet never runs
 * more probes than there are slots, and a process that dies mid-probe holds one for the TTL.
 */
export const LEASE_SCRIPT = `
local n = 0
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[2], 'NX', 'PX', ARGV[1]) then n = n + 1 end
end
return n
`;

/**
 * One flush of a circuit's shared window. KEYS: the window's bucket keys, oldest second first,
 * the current second last (`…w:{<name>}:<gen>:<epochSecond>`: one hash tag, so one Cluster
 * slot, and every key declared, as Redis Cluster requires); ARGV: TTL ms, calls, failures, slow
 * calls. Adds the counts to the current second's bucket (HINCRBY, PEXPIRE), then returns the
 * sums {c, f, s} over all the buckets, so one round trip both writes and reads. A bucket field
 * that is not a whole number in (0, 1e12) counts as 0: a negative one written by someone else
 * must not cancel real counts.
 */
export const WINDOW_SCRIPT = `
if tonumber(ARGV[2]) > 0 then
  local k = KEYS[#KEYS]
  redis.call('HINCRBY', k, 'c', ARGV[2])
  if tonumber(ARGV[3]) > 0 then redis.call('HINCRBY', k, 'f', ARGV[3]) end
  if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', k, 's', ARGV[4]) end
  redis.call('PEXPIRE', k, ARGV[1])
end
local function count(x)
  x = tonumber(x)
  if x and x > 0 and x < 1e12 and x == math.floor(x) then return x end
  return 0
end
local c, f, s = 0, 0, 0
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'c', 'f', 's')
  c = c + count(v[1])
  f = f + count(v[2])
  s = s + count(v[3])
end
return {c, f, s}
`;
