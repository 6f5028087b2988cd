/**
 * How fast this box is right now: the same single-threaded work (JSON and SHA-256, what a chat
 * server does per message) timed at the start and end of a run. This VM's speed drifts by up to
 * half within an hour, so a figure is comparable with another run's only next to these. Two
 * figures, because they drift apart: JavaScript work, and system calls (a chat server's writes).
 */
import { createHash } from 'node:crypto'
import { closeSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const MESSAGE = {
  type: 'message',
  room: 'lobby',
  seq: 123456,
  id: '0193a8f2-7c1e-7b2a-9f3d-5e6a7b8c9d0e',
  user: 'someone',
  text: 'a chat line of ordinary length, with a few words and an emoji 🙂',
  ts: 1764640000000,
  mentions: ['alice'],
  reactions: {},
}
const BLOCK = Buffer.alloc(64 * 1024, 7)

/** Milliseconds for the reference work, median of five after one untimed (JIT) round; lower is faster. */
export function boxSpeedMs(): number {
  const times: number[] = []
  for (let round = 0; round < 6; round++) {
    const t0 = performance.now()
    let sink = 0
    for (let i = 0; i < 20_000; i++) {
      const back = JSON.parse(JSON.stringify({ ...MESSAGE, seq: i })) as { seq: number }
      sink += back.seq
    }
    for (let i = 0; i < 100; i++) sink += createHash('sha256').update(BLOCK).digest()[0]!
    if (round > 0) times.push(performance.now() - t0)
    if (sink < 0) console.log(sink) // keeps the work from being optimised away
  }
  return times.sort((a, b) => a - b)[2]!
}

/** Milliseconds for 20,000 one-byte writes to a file (system calls), median of five; lower is faster. */
export function syscallSpeedMs(): number {
  const file = join(tmpdir(), `eddy-box-speed-${process.pid}`)
  const fd = openSync(file, 'w')
  const byte = Buffer.from('x')
  const times: number[] = []
  try {
    for (let round = 0; round < 6; round++) {
      const t0 = performance.now()
      for (let i = 0; i < 20_000; i++) writeSync(fd, byte)
      if (round > 0) times.push(performance.now() - t0)
    }
  } finally {
    closeSync(fd)
    rmSync(file, { force: true })
  }
  return times.sort((a, b) => a - b)[2]!
}

/** Both figures, as the bench prints them. */
export function boxSpeed(): string {
  return `box speed ${boxSpeedMs().toFixed(0)} ms JS, ${syscallSpeedMs().toFixed(0)} ms syscalls (bench/metrics/box-speed.ts; lower is faster)`
}
