/** What every message of the open room needs from the page: who reads, who may do what, and the actions. */
import type { ShownMessage } from '../state/message-changes.js'

export interface MessageHandlers {
  readonly react: (seq: number, emoji: string) => void
  readonly reply: (seq: number) => void
  readonly edit: (seq: number) => void
  /** False when it could not be sent now (the editor stays open). */
  readonly saveEdit: (seq: number, text: string) => boolean
  readonly cancelEdit: () => void
  /** Asks for confirmation first (the page's dialog). */
  readonly delete: (message: ShownMessage) => void
  readonly jumpTo: (seq: number) => void
}

export interface MessageView {
  readonly me: string
  readonly canDelete: (message: ShownMessage) => boolean
  /** The message of mine being edited in place. */
  readonly editing: number | null
  /** The message to bring into view and highlight, and the jump's id (each jump anew). */
  readonly highlight: { readonly seq: number; readonly id: number } | null
  readonly handlers: MessageHandlers
}
