/** The Lua scripts of `sharing: { quorum }` (see quorum.ts). Each touches one hash slot. */
import { VALID_STATE } from './scripts.js';

/**
 * A member announces itself. KEYS[1] the members sorted set; ARGV: now (wall ms), member id,
 * activeMs. Scores the member with now, drops members silent for activeMs, returns how many
 * remain (the member itself included).
 */
export const ANNOUNCE_SCRIPT = `
local now = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
return redis.call('ZCARD', KEYS[1])
`;

/**
 * A member's trip, as a vote. KEYS[1] the circuit's votes sorted set, KEYS[2] its state hash;
 * ARGV: now (wall ms), member id, windowMs, members needed, open-until (wall ms), consecutive
 * opens, channel, message. Scores the member's vote with now and drops votes older than the
 * window. Returns {0, votes} while they are fewer than needed. With enough votes: when the fleet
 * is already anything but closed, returns {1, g, s, u, o} (the stored state, to adopt);
 * otherwise opens the fleet — stores open at the stored generation + 1 with the voter's open
 * period, clears the votes, publishes the hint — and returns {2, generation}.
 */
export const VOTE_SCRIPT = `
local now = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
local votes = redis.call('ZCARD', KEYS[1])
if votes < tonumber(ARGV[4]) then return {0, votes} end
local cur = redis.call('HMGET', KEYS[2], 'g', 's', 'u', 'o')
${VALID_STATE}
local g = 0
if valid(cur) then
  if cur[2] ~= 'closed' then return {1, cur[1], cur[2], cur[3] or '', cur[4] or ''} end
  g = tonumber(cur[1])
end
g = g + 1
redis.call('HSET', KEYS[2], 'g', string.format('%.0f', g), 's', 'open', 'u', ARGV[5], 'o', ARGV[6])
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[7], ARGV[8])
return {2, g}
`;
