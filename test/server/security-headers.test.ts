// Every response carries the security headers; pages get a CSP that forbids inline and foreign script.
import { describe, expect, it } from 'vitest'
import { startServer } from '../support/start-server.js'

describe('security headers', () => {
  it('sends a strict CSP, nosniff and frame denial on pages and API answers alike', async () => {
    const server = await startServer()
    for (const path of ['/login', '/api/me', '/healthz']) {
      const response = await fetch(server.url + path)
      const csp = response.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("script-src 'self'")
      expect(csp, path).toContain("object-src 'none'")
      expect(csp, path).toContain("frame-ancestors 'none'")
      expect(csp, path).not.toContain('unsafe-inline')
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN')
    }
  })
})
