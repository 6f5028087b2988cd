/** Server admins (ADMIN_USERS): users who may moderate any room. Usernames compare ignoring case. */

export type IsServerAdmin = (username: string) => boolean

export function serverAdmins(usernames: readonly string[]): IsServerAdmin {
  const admins = new Set(usernames.map((name) => name.toLowerCase()))
  return (username) => admins.has(username.toLowerCase())
}

export const noServerAdmins: IsServerAdmin = () => false
