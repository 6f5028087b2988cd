/** PasswordHasher over Argon2id (OWASP: m=19 MiB, t=2, p=1), hashed on libuv's thread pool. */
import { hash, verify } from '@node-rs/argon2'
import type { PasswordHasher } from '../domain/ports.js'

export interface Argon2Cost {
  /** KiB of memory per hash. */
  readonly memoryCost: number
  readonly timeCost: number
}

export const OWASP_COST: Argon2Cost = { memoryCost: 19_456, timeCost: 2 }

export class Argon2Hasher implements PasswordHasher {
  readonly #options: Argon2Cost & { readonly parallelism: 1 }

  /** A lower cost is for tests only: the server always uses the default. */
  constructor(cost: Argon2Cost = OWASP_COST) {
    this.#options = { ...cost, parallelism: 1 }
  }

  hash(password: string): Promise<string> {
    return hash(password, this.#options)
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      // The cost is read from the stored hash, so hashes made at any cost verify.
      return await verify(passwordHash, password)
    } catch {
      return false
    }
  }
}
