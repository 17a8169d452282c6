/**
 * Server-side scripts for the two steps that must read and write with nothing in between.
 * Both run unchanged on Redis 7 and on ioredis-mock 8 (which runs Lua through fengari); the
 * contract suite runs them on both.
 */

/**
 * KEYS[1] = lock key, ARGV[1] = owner. Deletes the lock only while `owner` holds it; returns 1
 * when deleted, else 0. A GET then DEL from the client could delete a lock that expired in
 * between and was taken by someone else.
 */
export const RELEASE_LOCK_LUA = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`;

/**
 * KEYS[1] = runtime key, ARGV[1] = n, ARGV[2 .. 2n+1] = field/value pairs to set, the rest =
 * fields to delete. Writes only when the hash exists and returns 1, else 0: an update after (or
 * racing) a disarm must not leave a runtime hash behind with no strategy.
 */
export const UPDATE_IF_PRESENT_LUA = `
if redis.call("EXISTS", KEYS[1]) == 0 then
  return 0
end
local n = tonumber(ARGV[1])
for i = 2, 2 * n, 2 do
  redis.call("HSET", KEYS[1], ARGV[i], ARGV[i + 1])
end
for i = 2 * n + 2, #ARGV do
  redis.call("HDEL", KEYS[1], ARGV[i])
end
return 1
`;
