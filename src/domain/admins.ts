/** Server admins (ADMIN_USERS): users who may read and moderate any room and ban accounts. Usernames compare ignoring case. */
export class ServerAdmins {
  readonly #names: ReadonlySet<string>

  constructor(usernames: Iterable<string>) {
    this.#names = new Set([...usernames].map((name) => name.toLowerCase()))
  }

  has(username: string): boolean {
    return this.#names.has(username.toLowerCase())
  }
}

export const noServerAdmins = new ServerAdmins([])
