/** Source text for worker threads (eval'd CommonJS) that lowers their own OS scheduling priority. */

/**
 * Defines `lowerPriority(nice)` in a worker's eval'd body. On Linux a thread's nice value is its
 * own (setpriority on a thread id), and a thread may always raise its own: housekeeping threads
 * (the search index, the WAL checkpointer) then take CPU only when the event loop and the rest of
 * the box leave some. The thread id comes from /proc/thread-self ("PID/task/TID"). Elsewhere
 * (no /proc, or a refusal) the thread silently keeps the normal priority.
 */
export const LOWER_PRIORITY_SOURCE = `
function lowerPriority(nice) {
  if (!(nice > 0)) return
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isSafeInteger(tid) && tid > 0) require('node:os').setPriority(tid, nice)
  } catch {
    // Not Linux, or not allowed: normal priority.
  }
}
`
