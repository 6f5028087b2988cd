/**
 * The Lua behind RedisPresence. Per room: a ZSET of user → latest expiresAt of any of their
 * connections, and per (room, user) a ZSET of connectionId → expiresAt; plus a SET of rooms.
 * Each script runs atomically, so "first entry", "last entry" and "who left" have one answer
 * even when several nodes ask at once. Times come from the caller's Clock (ARGV), never TIME.
 */
import { lua } from '../redis/redis-script.js'

// Shared tail: the user's room score follows their newest connection, or the user leaves.
// Returns 1 when the user has no connection left (and removes them from the room).
const SYNC_USER = `
local function sync_user(room_key, user_key, rooms_key, user, room)
  local top = redis.call('ZREVRANGE', user_key, 0, 0, 'WITHSCORES')
  if #top == 0 then
    redis.call('ZREM', room_key, user)
    if redis.call('EXISTS', room_key) == 0 then redis.call('SREM', rooms_key, room) end
    return 1
  end
  redis.call('ZADD', room_key, top[2], user)
  return 0
end
`

/** KEYS: room, user, rooms. ARGV: user, connectionId, now, expiresAt, room. → 1 if first live. */
export const ADD = lua(`${SYNC_USER}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local first = redis.call('ZCARD', KEYS[2]) == 0
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[5])
sync_user(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[5])
if first then return 1 end
return 0
`)

/** KEYS: room, user, rooms. ARGV: user, connectionId, now, room. → 1 if no live entry is left. */
export const REMOVE = lua(`${SYNC_USER}
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
return sync_user(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[4])
`)

/** KEYS: room, user, rooms. ARGV: user, connectionId, expiresAt, room. Extends existing only. */
export const REFRESH = lua(`${SYNC_USER}
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
sync_user(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[4])
return 1
`)

/**
 * KEYS: room, rooms. ARGV: now, user key base (room key .. NUL), room. → the users who left.
 * A user whose newest connection expired has none left; their per-user key is derived here
 * (not declared in KEYS), which is fine on one Redis but would need hash tags on a Cluster.
 */
export const SWEEP_ROOM = lua(`
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, user in ipairs(gone) do
  redis.call('DEL', ARGV[2] .. user)
end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[3]) end
return gone
`)
