import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

// `vite build web` uses this folder as the root, so the output lands in web/dist, which the
// server serves at /, /login, /register and /assets/*.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP is script-src 'self': never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
})
