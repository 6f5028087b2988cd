/**
 * The common `send` frame (type, room, text and cid, nothing else) checked by hand, because it is
 * most of what the server parses under load. SendFrame stays the single source of truth: this
 * applies its own predicates (NAME_PATTERN, isStorable, idProblem, the same lengths) and answers
 * undefined for anything else, valid or not, which then goes through the schema.
 */
import type { ClientFrame } from './frames.js'
import { MAX_TEXT_PARSE_CHARS, NAME_PATTERN } from './names.js'
import { idProblem, isStorable } from './text-rules.js'

type SendFrame = Extract<ClientFrame, { type: 'send' }>

const SEND_KEYS = new Set(['type', 'room', 'text', 'cid'])

export function fastSendFrame(json: unknown): SendFrame | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined
  // Exactly the four keys: four own keys, each one of them.
  const keys = Object.keys(json)
  if (keys.length !== 4 || !keys.every((key) => SEND_KEYS.has(key))) return undefined
  const { type, room, text, cid } = json as Record<string, unknown>
  if (type !== 'send' || typeof room !== 'string' || typeof text !== 'string') return undefined
  if (typeof cid !== 'string') return undefined
  if (!NAME_PATTERN.test(room)) return undefined
  if (text.length > MAX_TEXT_PARSE_CHARS || !isStorable(text)) return undefined
  if (cid.length < 1 || cid.length > 64 || idProblem(cid) !== undefined) return undefined
  return { type, room: room.toLowerCase(), text, cid }
}
