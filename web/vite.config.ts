import { defineConfig, type Plugin } from 'vite'
import preact from '@preact/preset-vite'
import { precompress } from '../scripts/precompress.mjs'

// Every build (npm run build, build-if-needed, the browser tests) leaves .br and .gz copies
// next to the assets, which the server sends as they are (src/transport/http/pages.ts).
const precompressed = (): Plugin => ({
  name: 'eddy-precompress',
  apply: 'build',
  writeBundle(options) {
    if (options.dir) precompress(options.dir)
  },
})

// `vite build web` uses this folder as the root, so the output lands in web/dist, which the
// server serves at /, /login, /register and /assets/*.
export default defineConfig({
  plugins: [preact(), precompressed()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP is script-src 'self': never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      treeshake: {
        // The protocol's modules only declare things: the client keeps what it uses
        // (WS_CLOSE, previewImagePath) without the zod schemas, which would add ~25 kB gz.
        moduleSideEffects: (id) => !id.includes('/src/protocol/'),
      },
    },
  },
})
