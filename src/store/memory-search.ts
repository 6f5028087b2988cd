/** The memory store's search: a scan of the rooms the asker may read, like the SQL stores' queries. */
import type { SearchHit, SearchQuery } from '../domain/search-port.js'
import type { MemoryRoom } from './memory-log.js'
import { newerFirst, parseTimeCursor, timeCursor } from './search-cursor.js'

export function searchRooms(
  rooms: ReadonlyMap<string, MemoryRoom>,
  query: SearchQuery,
): SearchHit[] {
  const needle = query.text.toLowerCase()
  const before = query.before === undefined ? undefined : parseTimeCursor(query.before)
  const hits: SearchHit[] = []
  for (const [name, room] of rooms) {
    if (query.room !== undefined && name !== query.room) continue
    const readable =
      room.members.has(query.userId) ||
      (name === query.room && (query.anyRoom === true || room.record.kind === 'public'))
    if (!readable) continue
    room.messages.forEach((event, index) => {
      if (event.type !== 'message' || event.deleted === true) return
      if (query.authorId !== undefined && room.authors[index] !== query.authorId) return
      if (!event.text.toLowerCase().includes(needle)) return
      const hit = { room: name, seq: event.seq, ts: event.ts }
      if (before !== undefined && newerFirst(hit, before) <= 0) return
      hits.push({ ...hit, user: event.user, text: event.text, cursor: timeCursor(hit) })
    })
  }
  return hits.sort(newerFirst).slice(0, query.limit)
}
