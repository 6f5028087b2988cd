/** PasswordHasher over Argon2id (OWASP: m=19 MiB, t=2, p=1), hashed on libuv's thread pool. */
import { hash, verify } from '@node-rs/argon2'
import type { PasswordHasher } from '../domain/ports.js'

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export class Argon2Hasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, OPTIONS)
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password)
    } catch {
      return false
    }
  }
}
