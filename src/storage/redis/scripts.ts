/**
 * The Lua scripts of the Redis store. Each runs atomically on the server, so a transition is a
 * true compare-and-set on the circuit's generation and a probe lease a true test-and-set.
 */

/**
 * CAS on the generation. KEYS[1] the circuit's hash; ARGV: generation, state, open-until (wall
 * ms or ''), consecutive opens, channel, message. Stores and publishes the state only when its
 * generation is higher than the stored one; otherwise returns the stored fields [g, s, u, o] so
 * the caller adopts them. Returns nil when it stored.
 */
export const CAS_SCRIPT = `
local cur = redis.call('HMGET', KEYS[1], 'g', 's', 'u', 'o')
local g = tonumber(cur[1])
if g and g >= tonumber(ARGV[1]) then return cur end
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
 * sums {c, f, s} over all the buckets, so one round trip both writes and reads.
 */
export const WINDOW_SCRIPT = `
if tonumber(ARGV[2]) > 0 then
  local k = KEYS[#KEYS]
  redis.call('HINCRBY', k, 'c', ARGV[2])
  if tonumber(ARGV[3]) > 0 then redis.call('HINCRBY', k, 'f', ARGV[3]) end
  if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', k, 's', ARGV[4]) end
  redis.call('PEXPIRE', k, ARGV[1])
end
local c, f, s = 0, 0, 0
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'c', 'f', 's')
  c = c + (tonumber(v[1]) or 0)
  f = f + (tonumber(v[2]) or 0)
  s = s + (tonumber(v[3]) or 0)
end
return {c, f, s}
`;
