/** SSRF guard: refuses private, loopback, link-local and other non-public addresses after DNS, at connect time. */
import dns from 'node:dns'
import net from 'node:net'
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns'
import { buildConnector } from 'undici'
import { isBlockedAddress } from './address-ranges.js'

/** Thrown (as a connect error) when a destination address is not public; http-client maps it to reason 'blocked'. */
export class SsrfBlockedError extends Error {
  readonly code = 'EDDY_SSRF_BLOCKED'
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`Refused to connect to ${host} (${address}): not a public address`)
    this.name = 'SsrfBlockedError'
  }
}

export function isSsrfBlockedError(error: unknown): error is SsrfBlockedError {
  return error instanceof SsrfBlockedError
}

export { isBlockedAddress }

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * A dns.lookup replacement for net/tls.connect that refuses every answer when any resolved
 * address is blocked: a name with one private record is treated as hostile (rebinding).
 */
export function guardedLookup(isBlocked: (address: string) => boolean = isBlockedAddress) {
  return (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: LookupCallback,
  ): void => lookupChecked(hostname, options, callback, isBlocked)
}

function lookupChecked(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: LookupCallback,
  isBlocked: (address: string) => boolean,
): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '')
    const bad = addresses.find((a) => isBlocked(a.address))
    if (bad) return callback(new SsrfBlockedError(hostname, bad.address), '')
    if (options.all === true) return callback(null, addresses)
    const first = addresses[0]
    if (!first)
      return callback(
        Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }),
        '',
      )
    callback(null, first.address, first.family)
  })
}

export interface GuardOptions {
  /** Let upstreams on private/loopback addresses through (ALLOW_PRIVATE_UPSTREAMS=1, tests, intranets). */
  readonly allowPrivate: boolean
  readonly connectTimeoutMs: number
  /** The address policy; default isBlockedAddress. Tests narrow it to prove every hop is checked. */
  readonly isBlocked?: (address: string) => boolean
}

/**
 * An undici connector that checks the destination three times: an IP-literal host before
 * connecting, every DNS answer in the lookup, and the socket's actual remote address after
 * connecting (the last one is what defeats DNS rebinding between lookup and connect).
 */
export function createGuardedConnector(options: GuardOptions): buildConnector.connector {
  if (options.allowPrivate) return buildConnector({ timeout: options.connectTimeoutMs })
  const isBlocked = options.isBlocked ?? isBlockedAddress
  const base = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: guardedLookup(isBlocked),
  })
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[|\]$/g, '')
    if (net.isIP(host) !== 0 && isBlocked(host)) {
      callback(new SsrfBlockedError(host, host), null)
      return
    }
    base(connectOptions, (err, socket) => {
      if (err !== null) return callback(err, null)
      const remote = socket.remoteAddress
      if (remote === undefined || isBlocked(remote)) {
        socket.destroy()
        return callback(new SsrfBlockedError(host, remote ?? 'unknown'), null)
      }
      callback(null, socket)
    })
  }
}

/** Only http: and https: URLs may be fetched; file:, data:, gopher: and friends never. */
export function isAllowedScheme(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:'
}

/**
 * Fast refusal before any I/O: bad scheme, or a host that is a blocked IP literal.
 * Names are checked later, after DNS, by the connector.
 */
export function precheckUrl(
  url: URL,
  allowPrivate: boolean,
  isBlocked: (address: string) => boolean = isBlockedAddress,
): string | undefined {
  if (!isAllowedScheme(url)) return `scheme ${url.protocol} is not allowed`
  if (allowPrivate) return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (net.isIP(host) !== 0 && isBlocked(host)) return `${host} is not a public address`
  return undefined
}
