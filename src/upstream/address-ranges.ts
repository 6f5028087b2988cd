/**
 * Which IP addresses an upstream fetch may reach: public unicast only, classified by ipaddr.js's
 * IANA special-purpose ranges, with any IPv4 address embedded in an IPv6 one judged as well.
 */
import ipaddr from 'ipaddr.js'

type IPv4 = ipaddr.IPv4
type IPv6 = ipaddr.IPv6

function v4FromHextets(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
}

/**
 * The IPv4 addresses a packet to this IPv6 address ends up at, for the transition ranges that
 * carry one; undefined when the range embeds none (then the IPv6 range alone decides).
 */
function embeddedV4(address: IPv6, range: string): IPv4[] | 'refuse' | undefined {
  const [, h1 = 0, h2 = 0, h3 = 0, , , h6 = 0, h7 = 0] = address.parts
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return [v4FromHextets(h6, h7)]
    case 'rfc6052':
      // 64:ff9b::a.b.c.d is the well-known NAT64 prefix; 64:ff9b:1::/48 is for local use, where
      // the embedded address's position depends on the operator's prefix length: never public.
      return h2 === 0 && h3 === 0 ? [v4FromHextets(h6, h7)] : 'refuse'
    case '6to4': // 2002:AABB:CCDD::/48 routes to a.b.c.d through a relay
      return [v4FromHextets(h1, h2)]
    case 'teredo': // 2001:0:server-v4:flags:port:client-v4 (obfuscated by XOR)
      return [v4FromHextets(h2, h3), v4FromHextets(h6 ^ 0xffff, h7 ^ 0xffff)]
    default:
      return undefined
  }
}

function isPublicV4(address: IPv4): boolean {
  return address.range() === 'unicast'
}

function isPublicV6(address: IPv6): boolean {
  const range = address.range()
  const embedded = embeddedV4(address, range)
  if (embedded === 'refuse') return false
  if (embedded !== undefined) return embedded.every(isPublicV4)
  // ::/8 is reserved (IPv4-compatible ::a.b.c.d among it); ipaddr.js names only :: and ::1 there.
  return range === 'unicast' && address.parts[0] !== 0
}

/** True when the address is not a public unicast address (or is not an IP address at all). */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '') // brackets, IPv6 zone id
  // Only the canonical dotted quad for IPv4: ipaddr.js also reads "127.1" and "0x7f.1", which no
  // resolver answers and the URL parser has already normalised.
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return !isPublicV4(ipaddr.IPv4.parse(bare))
  if (ipaddr.IPv6.isValid(bare)) return !isPublicV6(ipaddr.IPv6.parse(bare))
  return true // not an IP: never "public" by accident
}
