/**
 * The share of edits and reactions the durable and resume scenarios mix into their sends (issue 12).
 * An edit or reaction carries its stamp in its cid (its event echoes the cid), never in its text:
 * an edit rewrites the message row, and a replayed message must not carry another event's stamp.
 */
import { encodePayload, type Stamp } from './payload.js'

export interface ChangeMix {
  /** Fractions of all sends, e.g. 0.1 and 0.1. */
  readonly edits: number
  readonly reactions: number
}

export const ISSUE_MIX: ChangeMix = { edits: 0.1, reactions: 0.1 }

export const REACTION_EMOJI = ['👍', '🎉', '❤️', '😂', '👀', '🔥', '🚀', '✅'] as const

export type SendKind = 'message' | 'edit' | 'reaction'

/** The kind of the n-th send: a fixed scatter of each hundred, so every run mixes the same way. */
export function kindOf(n: number, mix: ChangeMix | undefined): SendKind {
  if (mix === undefined) return 'message'
  const slot = ((n * 37) % 100) / 100
  if (slot < mix.edits) return 'edit'
  if (slot < mix.edits + mix.reactions) return 'reaction'
  return 'message'
}

/** The stamp as a cid (≤ 64 characters: no padding). */
export function stampCid(stamp: Stamp): string {
  return encodePayload(stamp, '').trimEnd()
}
