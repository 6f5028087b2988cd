// Writes .br and .gz copies next to each text asset of the built web client, so the server sends
// them as they are (@fastify/static preCompressed) instead of compressing on every request.
// Run by the Vite build (web/vite.config.ts); `node scripts/precompress.mjs [dir]` does it by hand.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/
// Below this, the headers cost more than the bytes saved.
const MIN_BYTES = 256

/** Compresses every eligible file under `dir`; returns how many files got copies. */
export function precompress(dir) {
  let count = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      count += precompress(path)
      continue
    }
    if (!COMPRESSIBLE.test(entry.name) || statSync(path).size < MIN_BYTES) continue
    const data = readFileSync(path)
    writeFileSync(
      `${path}.br`,
      brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    )
    writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }))
    count += 1
  }
  return count
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? 'web/dist'
  console.log(`eddy: precompressed ${precompress(dir)} files in ${dir}`)
}
