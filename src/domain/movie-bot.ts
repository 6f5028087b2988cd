/** The /movies chat command: a bot answers in the room with the hot-movies list, off the send path. */
import type { ChatMessage } from '../protocol/frames.js'
import type { ChatService } from './chat-service.js'
import { ChatError } from './errors.js'
import type { Clock, Logger, Store } from './ports.js'

export interface MovieTitles {
  /** The top titles from the movies upstream; rejects when it fails. */
  top(count: number): Promise<string[]>
}

export const MOVIE_BOT = { id: 'bot:movies', username: 'moviebot' } as const
const COMMAND = /^\/movies\s*$/i
const TOP = 10

export class MovieBot {
  readonly #chat: ChatService
  readonly #titles: MovieTitles
  readonly #log: Logger

  constructor(chat: ChatService, titles: MovieTitles, log: Logger) {
    this.#chat = chat
    this.#titles = titles
    this.#log = log
  }

  /** Reserves the bot's name so nobody can register it and speak as the bot. */
  static async reserveName(store: Store, clock: Clock): Promise<void> {
    try {
      await store.createUser({ ...MOVIE_BOT, passwordHash: '!', createdAt: clock.now() })
    } catch (error) {
      if (!(error instanceof ChatError && error.code === 'username_taken')) throw error
    }
  }

  /** chat.onStored listener: never awaited by the sender, so a slow upstream delays nobody. */
  readonly onStored = (message: ChatMessage): void => {
    if (!COMMAND.test(message.text.trim()) || message.user === MOVIE_BOT.username) return
    void this.#answer(message)
  }

  async #answer(message: ChatMessage): Promise<void> {
    let text: string
    try {
      const titles = await this.#titles.top(TOP)
      text = titles.length
        ? `Hot movies: ${titles.map((t, i) => `${i + 1}. ${t}`).join('  ')}`
        : 'The movies list is empty right now.'
    } catch (error) {
      this.#log.warn({ err: error }, 'movies upstream failed for /movies')
      text = 'Sorry, the movies service is not answering right now.'
    }
    try {
      // The cid ties the answer to the command, so a replayed command is answered once.
      await this.#chat.send(MOVIE_BOT, message.room, text.slice(0, 4000), `movies:${message.seq}`)
    } catch (error) {
      this.#log.warn({ err: error }, 'could not post the /movies answer')
    }
  }
}
