/** Runs a Lua script by its SHA1, loading it on the first NOSCRIPT (one round trip after that). */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface LuaScript {
  readonly source: string
  readonly sha: string
}

export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

export async function runScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args)
  } catch (error) {
    // A restarted or flushed server forgets its script cache.
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error
    return await redis.eval(script.source, keys.length, ...keys, ...args)
  }
}
