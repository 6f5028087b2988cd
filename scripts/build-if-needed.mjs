// Builds the server (tsc) and the web client (vite) when their output is missing or older
// than the sources, so `npm install && npm start` works on a fresh clone.
import { execSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newestMtime(dir) {
  if (!existsSync(dir)) return 0
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.name === 'node_modules' || entry.name === 'dist') continue
    const time = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    if (time > newest) newest = time
  }
  return newest
}

function outputTime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1
}

const run = (command) => execSync(command, { stdio: 'inherit' })

if (outputTime('dist/main.js') < newestMtime('src')) {
  console.log('eddy: building the server (tsc)…')
  run('npx tsc -p tsconfig.build.json')
}
if (
  existsSync('web/index.html') &&
  // index.html.br is written last (precompress.mjs, run by the Vite build): a dist from before
  // precompression, or a build cut short, is rebuilt.
  outputTime('web/dist/index.html.br') < Math.max(newestMtime('web'), newestMtime('src/protocol'))
) {
  console.log('eddy: building the web client (vite)…')
  run('npx vite build web --logLevel warn')
}
