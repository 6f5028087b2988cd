/** Subscribes a component to the chat state; re-renders on every change. */
import { useEffect, useState } from 'preact/hooks'
import type { ChatState } from '../state/chat-state.js'
import type { ChatStateHolder } from '../state/state-holder.js'

export function useChatState(holder: ChatStateHolder): ChatState {
  const [state, setState] = useState(holder.state)
  useEffect(() => {
    setState(holder.state)
    return holder.subscribe((next) => setState(next))
  }, [holder])
  return state
}
