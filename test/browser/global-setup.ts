/**
 * Builds the web client once before the browser tests: Vite empties web/dist first, so a build in
 * each of the parallel test files would serve the others half-written bundles.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

const ROOT = new URL('../../', import.meta.url).pathname

export default async function setup(): Promise<void> {
  const sizes = await buildWeb()
  console.log(
    `web bundle: JS ${(sizes.jsGzipBytes / 1024).toFixed(1)} kB gz, CSS ${(sizes.cssGzipBytes / 1024).toFixed(1)} kB gz`,
  )
}

/** Builds web/dist (the server serves it) and returns the gzipped sizes of the JS and CSS. */
async function buildWeb(): Promise<{ jsGzipBytes: number; cssGzipBytes: number }> {
  // vitest sets NODE_ENV=test, which would make Vite and the Preact preset build a debug bundle.
  const nodeEnv = process.env['NODE_ENV']
  process.env['NODE_ENV'] = 'production'
  try {
    await build({
      mode: 'production',
      root: join(ROOT, 'web'),
      configFile: join(ROOT, 'web/vite.config.ts'),
      logLevel: 'warn',
    })
  } finally {
    process.env['NODE_ENV'] = nodeEnv
  }
  const assets = join(ROOT, 'web/dist/assets')
  let jsGzipBytes = 0
  let cssGzipBytes = 0
  for (const file of readdirSync(assets)) {
    const size = gzipSync(readFileSync(join(assets, file)), { level: 9 }).length
    if (file.endsWith('.js')) jsGzipBytes += size
    if (file.endsWith('.css')) cssGzipBytes += size
  }
  return { jsGzipBytes, cssGzipBytes }
}
