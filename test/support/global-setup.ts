/**
 * Runs once before the tests: builds the server (dist/) and the web client (web/dist/) when they
 * are older than their sources. Spawned servers run the build, as `npm start` does, and browsers
 * load the built client; after `npm ci` (which builds) this is a check of file times only.
 */
import { execFileSync } from 'node:child_process'

const ROOT = new URL('../../', import.meta.url).pathname

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, which would make Vite and the Preact preset build a debug bundle.
    env: { ...process.env, NODE_ENV: 'production' },
  })
}
