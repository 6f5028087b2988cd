// Makes sure the browser tests have a Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium,
// else (as root with apt-get) installs Debian's `chromium` package. Never downloads a browser build.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium'].filter(Boolean)
const found = candidates.find((path) => existsSync(path))
if (found) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const hasApt = existsSync('/usr/bin/apt-get')
if (isRoot && hasApt) {
  console.log("ensure-chromium: installing Debian's chromium package for the browser tests…")
  try {
    execSync('apt-get update -qq', { stdio: 'inherit' })
    execSync('apt-get install -y -qq chromium', {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  } catch {
    console.error('ensure-chromium: apt-get install chromium failed.')
    process.exit(1)
  }
  if (existsSync('/usr/bin/chromium')) process.exit(0)
}

console.error(
  [
    'ensure-chromium: no Chromium found for the browser tests.',
    `Looked at: ${candidates.join(', ') || '(none)'}`,
    'Install one, e.g. `sudo apt-get install chromium` on Debian/Ubuntu,',
    'or point CHROMIUM_PATH at an existing Chromium or Chrome binary.',
  ].join('\n'),
)
process.exit(1)
