/**
 * Composition root of a signed-in session: builds the state holder, persistence, the link, the
 * presence poller and the actions, wires them to each other and to the browser (WebSocket, timers,
 * online/offline and visibility events). Views get the result and only render and call actions.
 */
import type { FileView, SearchResponse, UserView } from '../../src/protocol/index.js'
import type { Api } from './api.js'
import { ChatLink, type SocketHandlers } from './chat-link.js'
import { ChatActions } from './chat/actions.js'
import { MyRooms } from './chat/my-rooms.js'
import { RoomAdmin } from './chat/room-admin.js'
import { followReadMarks, followRooms, linkListener } from './chat/link-binding.js'
import { MessageActions } from './chat/message-actions.js'
import { OutboxSender } from './chat/outbox-sender.js'
import { ChatPersistence } from './chat/persistence.js'
import { PresencePoller } from './chat/presence-poller.js'
import { DesktopNotifier } from './notifications.js'
import { initialChatState, typingStopped } from './state/chat-state.js'
import { ChatStateHolder } from './state/state-holder.js'
import { TypingExpiry } from './typing.js'
import { uploadFile } from './upload.js'

export interface ChatClient {
  readonly me: UserView
  readonly holder: ChatStateHolder
  readonly actions: ChatActions
  /** My rooms: the sidebar's list, joining, leaving, creating, DMs (live from the user channel). */
  readonly rooms: MyRooms
  /** Members, invites, roles, topic, bans. */
  readonly admin: RoomAdmin
  /** React, reply, edit, delete, jump to a message, complete "@" names. */
  readonly messages: MessageActions
  readonly notifier: DesktopNotifier
  /** Connects and loads the rooms; call once. */
  start(): void
  /** Disconnects and stops every timer and listener (page left, or signed out). */
  stop(): void
  /** Signs out on the server too, then hands over to `onSignedOut`. */
  logout(): Promise<void>
  /** Uploads a file to a room for a message to come (progress and cancel: see upload.ts). */
  upload(
    room: string,
    file: Blob,
    name: string,
    onProgress: (sent: number, total: number) => void,
    signal: AbortSignal,
  ): Promise<FileView>
  /** Finds messages I may read (GET /api/search); `before`: the previous page's `next`. */
  search(q: string, before?: string): Promise<SearchResponse>
}

function openSocket(handlers: SocketHandlers) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${location.host}/chat`)
  socket.onopen = () => handlers.onOpen()
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data)
  }
  socket.onclose = (event) => handlers.onClose(event.code)
  return socket
}

const browserTimers = {
  setTimeout: (callback: () => void, ms: number) => window.setTimeout(callback, ms),
  clearTimeout: (id: number) => window.clearTimeout(id),
}

/** `admin`: the user is a server admin, when the session said; asked for when unknown. */
export function createChatClient(
  api: Api,
  me: UserView,
  onSignedOut: () => void,
  admin?: boolean,
): ChatClient {
  const persistence = new ChatPersistence(localStorage, me.username)
  const holder = new ChatStateHolder(initialChatState(me, persistence.load(), admin ?? false))
  const typing = new TypingExpiry((room, user) =>
    holder.update((state) => typingStopped(state, room, user)),
  )
  const poller = new PresencePoller(holder, api)
  const signOut = () => {
    stop()
    onSignedOut()
  }
  // The listener's callbacks run only once the link is started, after `actions` exists.
  const link = new ChatLink(
    { openSocket, api, timers: browserTimers },
    linkListener({
      holder,
      loadOlder: (room) => void actions.loadOlder(room),
      typingSeen: (room, user) => typing.saw(room, user),
      signOut,
      flush: (room) => sender.ready(room),
      outboxChanged: () => sender.changed(),
      notify: (frame) => notifier.show(frame),
      syncRooms: (prune) => void rooms.sync(prune),
    }),
  )
  const sender = new OutboxSender(holder, link, browserTimers)
  const actions: ChatActions = new ChatActions({
    holder,
    link,
    sender,
    api,
    loadTopic: (name) => void rooms.loadTopic(name),
  })
  const rooms: MyRooms = new MyRooms({
    holder,
    api,
    select: (name) => actions.selectRoom(name),
    savedCurrent: () => persistence.savedCurrent(),
    signOut,
  })
  const roomAdmin = new RoomAdmin(api)
  const messages = new MessageActions({
    holder,
    link,
    api,
    loadOlder: (room) => actions.loadOlder(room),
  })
  const notifier = new DesktopNotifier((room, seq) => {
    // A room not listed yet (a DM just opened): the list first, which brings it.
    const listed = holder.state.rooms[room] ? Promise.resolve(true) : rooms.sync()
    void listed.then(() => {
      if (!holder.state.rooms[room]) return
      actions.selectRoom(room)
      void messages.jumpTo(room, seq)
    })
  })
  // The holder lives as long as these, so they never unsubscribe.
  holder.subscribe((state, previous) => persistence.save(state, previous))
  holder.subscribe(followRooms(link))
  holder.subscribe(followReadMarks(link, browserTimers))
  holder.subscribe((state, previous) => poller.follow(state, previous))

  const network = (offline: boolean) =>
    holder.update((state) =>
      state.networkOffline === offline ? state : { ...state, networkOffline: offline },
    )
  const online = () => {
    network(false)
    link.retryNow()
  }
  const offline = () => {
    network(true)
    link.kick()
  }
  const visible = () => {
    const { current } = holder.state
    if (document.visibilityState === 'visible' && current) actions.markRead(current)
  }

  function start(): void {
    network(!navigator.onLine)
    sender.start()
    link.start()
    if (admin === undefined) {
      api.me().then(
        (answer) => holder.update((state) => ({ ...state, admin: answer.admin })),
        () => undefined,
      )
    }
    // Once; then the user channel (membership frames) and reconnects keep the list current.
    void rooms.load()
    addEventListener('online', online)
    addEventListener('offline', offline)
    document.addEventListener('visibilitychange', visible)
  }

  function stop(): void {
    link.stop()
    sender.stop()
    poller.stop()
    typing.stop()
    removeEventListener('online', online)
    removeEventListener('offline', offline)
    document.removeEventListener('visibilitychange', visible)
  }

  async function logout(): Promise<void> {
    stop()
    await api.logout().catch(() => undefined)
    onSignedOut()
  }

  const upload: ChatClient['upload'] = (room, file, name, onProgress, signal) =>
    uploadFile(room, file, name, api.csrfToken, onProgress, signal)

  const search = (q: string, before?: string) => api.search(q, before)
  return {
    me,
    holder,
    actions,
    rooms,
    admin: roomAdmin,
    messages,
    notifier,
    start,
    stop,
    logout,
    upload,
    search,
  }
}
