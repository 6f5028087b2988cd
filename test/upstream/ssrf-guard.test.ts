// The address policy: every special-purpose range refused, public unicast allowed.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  createGuardedConnector,
  isBlockedAddress,
  isSsrfBlockedError,
  precheckUrl,
} from '../../src/upstream/ssrf-guard.js'

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::10.0.0.1',
    '::127.0.0.1',
    // IPv6 forms that embed a private IPv4 address (issue #15).
    '::ffff:0:127.0.0.1', // SIIT ::ffff:0:0/96
    '::ffff:0:a00:1',
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
    '2002:a9fe:a9fe::', // 6to4 of 169.254.169.254
    '2002:c0a8:101:1::1', // 6to4 of 192.168.1.1
    '64:ff9b:1::a00:1', // local-use NAT64 (RFC 8215)
    '64:ff9b:1:ffff::808:808',
    '2001:0:7f00:1::808:808', // Teredo, server 127.0.0.1
    '2001:0:808:808:0:0:f5ff:fffe', // Teredo, client 10.0.0.1 (XOR-obfuscated)
    '2001:db8::1',
    '100::1', // discard-only
    '5f00::1', // segment routing
    '127.1', // only dotted quads are IP literals here
    'not-an-ip',
    '',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4007:80e::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '::ffff:0:8.8.8.8',
    '2002:808:808::1', // 6to4 of 8.8.8.8
    '2001:0:808:808:0:0:f7f7:f7f7', // Teredo, server 8.8.8.8, client 8.8.8.8
  ])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false)
  })
})

describe('precheckUrl', () => {
  it('allows only http and https', () => {
    for (const url of ['file:///etc/passwd', 'gopher://x/', 'ftp://x/', 'data:text/plain,hi']) {
      expect(precheckUrl(new URL(url), true)).toMatch(/scheme/)
    }
    expect(precheckUrl(new URL('https://example.com/'), false)).toBeUndefined()
  })

  it('refuses private IP literals unless allowPrivate', () => {
    expect(precheckUrl(new URL('http://127.0.0.1:8000/'), false)).toMatch(/not a public/)
    expect(precheckUrl(new URL('http://[::ffff:127.0.0.1]/'), false)).toMatch(/not a public/)
    expect(precheckUrl(new URL('http://0x7f000001/'), false)).toMatch(/not a public/)
    expect(precheckUrl(new URL('http://2130706433/'), false)).toMatch(/not a public/)
    expect(precheckUrl(new URL('http://127.0.0.1:8000/'), true)).toBeUndefined()
  })
})

describe('createGuardedConnector', () => {
  it('checks the connected socket address, not only what was asked for', async () => {
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    // The policy lets the host through before connecting and refuses it afterwards: what a
    // rebinding or a misbehaving resolver would look like from inside the connector.
    const asked: string[] = []
    const connect = createGuardedConnector({
      allowPrivate: false,
      connectTimeoutMs: 1_000,
      isBlocked: (address) => {
        asked.push(address)
        return asked.length > 1
      },
    })
    const outcome = await new Promise<unknown>((resolve) => {
      connect({ hostname: '127.0.0.1', protocol: 'http:', port: String(port) }, (err, socket) => {
        socket?.destroy()
        resolve(err)
      })
    })
    await new Promise<void>((resolve) => server.close(() => resolve()))
    expect(isSsrfBlockedError(outcome)).toBe(true)
    expect(asked).toEqual(['127.0.0.1', '127.0.0.1'])
  })
})
