/** SSRF guard: refuses private, loopback, link-local and other non-public addresses after DNS, at connect time. */
import dns from 'node:dns'
import net from 'node:net'
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns'
import { buildConnector } from 'undici'

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

// Ranges from IANA's special-purpose registries (RFC 6890 and successors): nothing here is a
// public web server, and several (loopback, metadata 169.254.169.254, RFC 1918) are what SSRF aims at.
const V4_BLOCKED: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes broadcast 255.255.255.255
]
const V6_BLOCKED: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback ::1, deprecated IPv4-compatible
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
]

const blockList = new net.BlockList()
for (const [prefix, bits] of V4_BLOCKED) blockList.addSubnet(prefix, bits, 'ipv4')
for (const [prefix, bits] of V6_BLOCKED) blockList.addSubnet(prefix, bits, 'ipv6')

/** Parses an IPv6 literal into 8 hextets, or undefined when it is not one. */
function ipv6Hextets(address: string): number[] | undefined {
  if (!net.isIPv6(address)) return undefined
  let text = address
  const tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  const maybeV4 = text.slice(lastColon + 1)
  if (net.isIPv4(maybeV4)) {
    const octets = maybeV4.split('.').map(Number)
    tail.push(
      ((octets[0] ?? 0) << 8) | (octets[1] ?? 0),
      ((octets[2] ?? 0) << 8) | (octets[3] ?? 0),
    )
    text = text.slice(0, lastColon + 1) + '0:0'
  }
  const [head = '', rest] = text.split('::')
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((h) => parseInt(h, 16))
  const left = parse(head)
  const right = rest === undefined ? [] : parse(rest)
  const fill = new Array<number>(8 - left.length - right.length).fill(0)
  const all = [...left, ...fill, ...right]
  if (tail.length === 2) all.splice(6, 2, ...tail)
  return all.length === 8 ? all : undefined
}

/** An IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(hextets: number[]): string | undefined {
  const [h0, h1, h2, h3, h4, h5, h6 = 0, h7 = 0] = hextets
  const mapped = h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0xffff
  const nat64 = h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0
  if (!mapped && !nat64) return undefined
  return [h6 >> 8, h6 & 0xff, h7 >> 8, h7 & 0xff].join('.')
}

/** True when the address is not a public unicast address (or is not an IP address at all). */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '') // brackets, IPv6 zone id
  if (net.isIPv4(bare)) return blockList.check(bare, 'ipv4')
  const hextets = ipv6Hextets(bare)
  if (hextets === undefined) return true // not an IP: never "public" by accident
  const v4 = embeddedIpv4(hextets)
  if (v4 !== undefined) return blockList.check(v4, 'ipv4')
  return blockList.check(bare, 'ipv6')
}

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
