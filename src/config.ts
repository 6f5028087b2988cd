/** Every setting, read from the environment once and validated; units are in the names. */
import { z } from 'zod'

const flag = z
  .enum(['0', '1', 'true', 'false', 'on', 'off', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'on' || v === 'yes')

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback)

const ConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: int(8000),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  PG_POOL_MAX: int(10, 1),
  /** PostgreSQL schema for Eddy's tables (created on start); default: the server's search_path. */
  PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  /** Prefix for every Redis key and channel, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().default('eddy:'),
  NODE_ID: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated extra origins allowed for WebSocket upgrades and cookie-authenticated writes. */
  ALLOWED_ORIGINS: z.string().default(''),
  /** Comma-separated usernames of the server admins (any case): they read, moderate and delete every room, and ban and unban accounts. */
  ADMIN_USERS: z.string().default(''),
  /** `off` lifts every throttle and per-user cap (sends, logins, rooms, sockets, polls): benchmarks only. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  TRUST_PROXY: flag.default(false),
  SESSION_TTL_DAYS: int(30, 1),
  /** `closed`: POST /api/register answers 403 registration_closed except to a signed-in server admin. */
  REGISTRATION: z.enum(['open', 'closed']).default('open'),
  MAX_TEXT_CHARS: int(4000, 1),
  MAX_FRAME_BYTES: int(64 * 1024, 1024),
  MAX_SOCKET_BUFFER_BYTES: int(1024 * 1024, 16 * 1024),
  /** Per node: WebSockets one user may hold open on one node. */
  MAX_CONNECTIONS_PER_USER: int(20, 1),
  /** Per node: long-polls one user may have parked at once (the web client parks one per joined
   * room, at most 50); more answer 429 too_many_polls. */
  MAX_POLLS_PER_USER: int(100, 1),
  /** Rooms one user may have created (existing ones; deleting one frees its place). */
  MAX_ROOMS_PER_USER: int(50, 1),
  ROOM_CREATIONS_PER_HOUR: int(20, 1),
  SEND_BURST: int(20, 1),
  SENDS_PER_SECOND: int(5, 1),
  /** Per (username, client address) pair: past it, that pair is refused (429). */
  LOGIN_ATTEMPTS_PER_MINUTE: int(10, 1),
  /** Per client address, whatever the username: past it, that address is refused (429). */
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: int(30, 1),
  /** Per username from every address: past it, answers slow down (never refused, see docs/security.md). */
  LOGIN_ATTEMPTS_PER_USER_PER_MINUTE: int(30, 1),
  /** How long a login over the per-username ceiling is held before it is answered. */
  LOGIN_SLOWDOWN_MS: int(2_000, 0),
  /** Incomplete request headers after this long answer 408 (slowloris). */
  HEADERS_TIMEOUT_MS: int(10_000, 100),
  REGISTRATIONS_PER_HOUR: int(30, 1),
  HEARTBEAT_INTERVAL_MS: int(30_000, 100),
  PRESENCE_TTL_MS: int(45_000, 500),
  PRESENCE_LEAVE_GRACE_MS: int(5_000, 0),
  PRESENCE_SWEEP_INTERVAL_MS: int(10_000, 50),
  /** How often open rooms are checked against the Store for bus messages that never arrived. */
  FEED_AUDIT_INTERVAL_MS: int(1_000, 50),
  TYPING_INTERVAL_MS: int(1_000, 0),
  SHUTDOWN_GRACE_MS: int(4_000, 0),
  /** Default: the tutorial's Douban hot-movies URL (src/upstream/movies.ts). */
  MOVIES_UPSTREAM_URL: z.string().url().optional(),
  MOVIES_CACHE_TTL_MS: int(60_000, 0),
  UPSTREAM_TIMEOUT_MS: int(5_000, 1),
  ALLOW_PRIVATE_UPSTREAMS: flag.default(false),
  LINK_PREVIEWS: z.enum(['on', 'off']).default('on'),
  /** Largest file one upload may carry; past it the upload answers 413 and nothing is kept. */
  MAX_UPLOAD_BYTES: int(10 * 1024 * 1024, 1),
  /** Files one message may carry (at most 64). */
  MAX_ATTACHMENTS: z.coerce.number().int().min(1).max(64).default(10),
  /** Per user, across nodes: uploads past this rate answer 429. */
  UPLOADS_PER_MINUTE: int(20, 1),
  /** Per user, across nodes: searches past this rate answer 429 (each one reads an index). */
  SEARCHES_PER_MINUTE: int(60, 1),
  /** SQLite: how soon after an edit or delete the old text's trigrams leave the search index file. */
  SEARCH_PURGE_DELAY_MS: int(60_000, 0),
  /** An upload no message has attached this long afterwards is deleted. */
  UNATTACHED_FILE_TTL_HOURS: int(24, 1),
  /** How often the file janitor deletes doomed files and what crashed uploads left. */
  FILE_JANITOR_INTERVAL_MS: int(60_000, 50),
})

export type Config = z.infer<typeof ConfigSchema>

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  return result.data
}

export function allowedOrigins(config: Config): string[] {
  return commaList(config.ALLOWED_ORIGINS)
}

export function adminUsers(config: Config): string[] {
  return commaList(config.ADMIN_USERS)
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '')
}
