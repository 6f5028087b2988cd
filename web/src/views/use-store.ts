/** Subscribes a component to the chat store; re-renders on every state change. */
import { useEffect, useState } from 'preact/hooks'
import type { ChatState, ChatStore } from '../store.js'

export function useChatState(store: ChatStore): ChatState {
  const [state, setState] = useState(store.state)
  useEffect(() => {
    setState(store.state)
    return store.subscribe(() => setState(store.state))
  }, [store])
  return state
}
